"""kube-apiserver's request path, in process: metadata, concurrency, admission, watch."""

import pytest

from kernelsim.api.errors import StatusError


def pod(name="web", ns="default", **meta):
    m = {"name": name, "namespace": ns, **meta}
    if not name:
        del m["name"]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": m,
            "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


def test_server_manages_metadata(cluster):
    p = cluster.api.create(pod(uid="mine", resourceVersion="7", creationTimestamp="2001-01-01T00:00:00Z"))
    m = p["metadata"]
    assert m["uid"] != "mine" and len(m["uid"]) == 36
    assert m["creationTimestamp"] == "2026-11-26T09:00:00Z"
    assert m["resourceVersion"] != "7" and int(m["resourceVersion"]) > 0
    assert m["generation"] == 1


def test_generate_name(cluster):
    a = cluster.api.create(pod(name="", generateName="web-"))
    b = cluster.api.create(pod(name="", generateName="web-"))
    assert a["metadata"]["name"].startswith("web-") and len(a["metadata"]["name"]) == 9
    assert a["metadata"]["name"] != b["metadata"]["name"]


def test_stale_resource_version_is_a_conflict(cluster):
    p = cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "1"}})
    p2 = dict(p, data={"a": "2"})
    cluster.api.update(p2)
    with pytest.raises(StatusError) as e:
        cluster.api.update(dict(p, data={"a": "3"}))  # still carries the old resourceVersion
    assert e.value.code == 409
    assert str(e.value) == ('Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                            'please apply your changes to the latest version and try again')
    assert cluster.api.get("configmaps", "c")["data"] == {"a": "2"}


def test_already_exists(cluster):
    cluster.api.create(pod())
    with pytest.raises(StatusError) as e:
        cluster.api.create(pod())
    assert (e.value.code, e.value.reason, str(e.value)) == (409, "AlreadyExists", 'pods "web" already exists')


def test_generation_moves_with_spec_only(cluster):
    cluster.api.create(pod())
    p = cluster.api.patch("pods", "web", {"metadata": {"labels": {"a": "b"}}})
    assert p["metadata"]["generation"] == 1
    p = cluster.api.patch("pods", "web", {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}})
    assert p["metadata"]["generation"] == 2


def test_terminating_namespace_refuses_new_content(cluster):
    cluster.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "old"}})
    cluster.api.create(pod(ns="old"))
    cluster.api.delete("namespaces", "old")
    assert cluster.api.get("namespaces", "old")["status"]["phase"] == "Terminating"
    with pytest.raises(StatusError) as e:
        cluster.api.create(pod(name="late", ns="old"))
    assert e.value.code == 403
    assert str(e.value) == ('pods "late" is forbidden: unable to create new content in namespace old '
                            'because it is being terminated')
    cluster.settle()
    assert not cluster.api.exists("namespaces", "old")


def test_finalizers_hold_an_object_until_removed(cluster):
    cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap",
                        "metadata": {"name": "held", "finalizers": ["example.com/keep"]}})
    cluster.api.delete("configmaps", "held")
    held = cluster.api.get("configmaps", "held")
    assert held["metadata"]["deletionTimestamp"]
    cluster.api.patch("configmaps", "held", {"metadata": {"finalizers": None}}, type="merge")
    assert not cluster.api.exists("configmaps", "held")


def test_watch_from_a_resource_version_replays_then_streams(cluster):
    first = cluster.api.create(pod("a"))
    cluster.api.create(pod("b"))
    seen = []
    h = cluster.api.watch("pods", lambda t, o: seen.append((t, o["metadata"]["name"])), "default",
                          resource_version=first["metadata"]["resourceVersion"])
    cluster.api.delete("pods", "a")
    cluster.settle()
    h.stop()
    assert seen == [("ADDED", "b"), ("DELETED", "a")]


def test_watch_from_a_compacted_revision_is_gone(cluster):
    first = cluster.api.create(pod("a"))
    for i in range(3):
        cluster.api.patch("pods", "a", {"metadata": {"labels": {"i": str(i)}}})
    cluster.advance(601)  # kube-apiserver compacts etcd every 5 minutes
    with pytest.raises(StatusError) as e:
        cluster.api.watch("pods", lambda *a: None, "default", resource_version=first["metadata"]["resourceVersion"])
    assert e.value.code == 410 and str(e.value).startswith("too old resource version:")


def test_label_and_field_selectors(cluster):
    cluster.api.create(pod("a", labels={"app": "web"}))
    cluster.api.create(pod("b", labels={"app": "db"}))
    assert [p["metadata"]["name"] for p in cluster.api.list("pods", label_selector="app=web")] == ["a"]
    assert [p["metadata"]["name"] for p in cluster.api.list("pods", label_selector="app in (web,db)")] == ["a", "b"]
    assert [p["metadata"]["name"] for p in cluster.api.list("pods", field_selector="metadata.name=b")] == ["b"]
    with pytest.raises(StatusError) as e:
        cluster.api.list("pods", field_selector="spec.bogus=1")
    assert e.value.code == 400


def test_only_the_apiserver_writes_etcd_keys_in_kubernetes_layout(cluster):
    cluster.api.create(pod())
    keys = cluster.apiserver.etcd_keys()
    assert "/registry/pods/default/web" in keys
    assert "/registry/namespaces/kube-node-lease" in keys
    assert "/registry/services/specs/default/kubernetes" in keys


def test_bad_input_changes_nothing(cluster):
    rev = cluster.apiserver.storage.revision
    for bad in ("::: not yaml", "[1, 2]", {"apiVersion": "v1"}, {"apiVersion": "v9", "kind": "Pod"}):
        with pytest.raises(StatusError):
            cluster.api.apply(bad)
    assert cluster.apiserver.storage.revision == rev
