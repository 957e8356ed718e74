"""Image references, the rule for which images exist, and the simulated programs."""

import pytest

from kernelsim.runtime import images
from kernelsim.runtime.images import ImageNotFound, lookup, parse_reference, tag_exists


def test_references_are_normalised_like_containerd():
    assert parse_reference("nginx").name == "docker.io/library/nginx:latest"
    assert parse_reference("bitnami/redis:7.2").name == "docker.io/bitnami/redis:7.2"
    assert parse_reference("registry.k8s.io/etcd:3.6.5-0").name == "registry.k8s.io/etcd:3.6.5-0"
    assert parse_reference("localhost:5000/app").name == "localhost:5000/app:latest"
    digest = "sha256:" + "a" * 64
    assert parse_reference(f"nginx@{digest}").name == f"docker.io/library/nginx@{digest}"


@pytest.mark.parametrize("tag", ["latest", "1.27", "1.27.3-alpine", "v1.37.0", "3.6.5-0", "bookworm-slim",
                                 "v20250512-df8de77b", "stable"])
def test_real_looking_tags_exist(tag):
    assert tag_exists(tag)


@pytest.mark.parametrize("tag", ["doesnotexist", "lates", "1.27-nope", "x"])
def test_other_tags_do_not(tag):
    assert not tag_exists(tag)


def test_a_missing_tag_and_an_unknown_repository_fail_like_containerd():
    with pytest.raises(ImageNotFound) as e:
        lookup("nginx:doesnotexist")
    assert str(e.value).endswith('"docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: '
                                 'not found')
    assert images.not_found_code("nginx:doesnotexist") == "NotFound"
    with pytest.raises(ImageNotFound) as e:
        lookup("myteam/app:v1")
    assert "pull access denied, repository does not exist or may require authorization" in str(e.value)
    assert images.not_found_code("myteam/app:v1") == "Unknown"


def test_images_have_stable_digests_and_sizes():
    a, b = lookup("nginx"), lookup("docker.io/library/nginx:latest")
    assert a.repo_digest == b.repo_digest and a.id == b.id and a.size == b.size == 72218532
    assert a.repo_digest.startswith("docker.io/library/nginx@sha256:") and len(a.digest) == 71
    assert lookup("nginx:1.27").digest != a.digest
    for control_plane in ("registry.k8s.io/kube-apiserver:v1.37.0", "registry.k8s.io/etcd:3.6.5-0",
                          "registry.k8s.io/coredns/coredns:v1.12.1", "registry.k8s.io/pause:3.10",
                          "kernelsim/crash", "kernelsim/memhog", "kernelsim/job:1", "postgres:18", "python:3.13"):
        assert lookup(control_plane).size > 0
