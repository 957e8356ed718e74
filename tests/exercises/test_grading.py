"""kernelsim.grading: hints in the notebook's language, and a grader that a submission cannot fool."""

from __future__ import annotations

import pytest

import kernelsim
from kernelsim import grading
from kernelsim import cluster as cluster_module


@pytest.fixture(scope="module")
def learner_cluster():
    c = kernelsim.Cluster(realtime=False)
    grading.setup(c, lang="en")
    yield c
    grading._repair_cluster_class()
    c.close()


def test_hints_follow_the_language_given_to_setup(learner_cluster):
    grading.setup(learner_cluster, lang="ko")
    try:
        with pytest.raises(AssertionError, match="^레이블"):
            grading.check(False, ko="레이블이 틀렸습니다.", en="The labels are wrong.")
        with pytest.raises(AssertionError, match=r"\(기대한 값: 3, 실제 값: 2\)"):
            grading.check_equal(2, 3, ko="레플리카", en="replicas")
    finally:
        grading.setup(learner_cluster, lang="en")
    with pytest.raises(AssertionError, match=r"^replicas \(expected 3, found 2\)$"):
        grading.check_equal(2, 3, ko="레플리카", en="replicas")
    with pytest.raises(AssertionError, match="^replicas$"):
        grading.check_equal(2, 3, ko="레플리카", en="replicas", show=False)


def test_check_labels_and_parse_yaml():
    grading.check_labels({"metadata": {"labels": {"a": "1", "b": "2"}}}, {"a": "1"}, ko="x", en="x")
    with pytest.raises(AssertionError, match="missing label"):
        grading.check_labels({"metadata": {}}, {"a": "1"}, ko="x", en="missing label")
    assert grading.parse_yaml("a: 1\n---\nb: 2\n", ko="x", en="x") == [{"a": 1}, {"b": 2}]
    with pytest.raises(AssertionError, match=r"^bad yaml \(YAML: "):
        grading.parse_yaml("a:\n\tb: 1\n", ko="x", en="bad yaml")
    with pytest.raises(AssertionError, match="not a string"):
        grading.parse_yaml({"a": 1}, ko="x", en="bad yaml")


def test_quantities_compare_by_value():
    assert grading.same_quantity("0.1", "100m")
    assert grading.same_quantity("64Mi", str(64 * 2**20))
    assert grading.same_quantity("1e3", "1k")
    assert not grading.same_quantity("1Gi", "1G")
    assert not grading.same_quantity(None, "1")
    assert grading.quantity("lots") is None


def test_the_learners_cluster_is_read_through_kubectl_not_through_cluster_api(learner_cluster):
    learner_cluster.kubectl("create namespace shop").check()
    real_api = learner_cluster.api
    learner_cluster.api = object()  # a stub: the grader never uses it
    try:
        assert grading.learner().get("namespace", "shop")["metadata"]["name"] == "shop"
        assert grading.learner().get("namespace", "nothing-here") is None
    finally:
        learner_cluster.api = real_api


def test_garbage_in_the_kubeconfig_leaves_the_graders_copy_intact(learner_cluster):
    learner_cluster.kubectl("config set-context --current --namespace=shop").check()
    assert grading.learner_context_namespace() == "shop"
    path = learner_cluster.kubeconfig
    saved = open(path, encoding="utf-8").read()
    try:
        with open(path, "w", encoding="utf-8") as f:
            f.write("garbage: [")
        assert learner_cluster.kubectl("get namespaces").returncode != 0
        assert grading.learner_context_namespace() is None
        assert grading.learner().get("namespace", "default") is not None
    finally:
        with open(path, "w", encoding="utf-8") as f:
            f.write(saved)


def test_a_patched_settle_does_not_stop_the_grader(learner_cluster):
    original = kernelsim.Cluster.settle
    kernelsim.Cluster.settle = lambda self, *args: 0
    try:
        learner_cluster.kubectl("create deployment web --image=nginx:1.27 -n shop").check()
        grading.learner().settle()
        d = grading.learner().get("deployment", "web", "shop")
        assert d["status"].get("availableReplicas") == 1
        with grading.fresh_cluster() as fresh:  # the class is repaired first
            assert kernelsim.Cluster.settle is original
            assert fresh.get("namespace", "shop") is None
    finally:
        kernelsim.Cluster.settle = original


def test_fresh_clusters_do_not_become_the_current_cluster(learner_cluster):
    before = cluster_module.current()
    with grading.apply_to_fresh_cluster("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: lab\n",
                                        ko="x", en="cannot apply") as fresh:
        assert fresh.get("namespace", "lab") is not None
        assert cluster_module.current() is before
    with pytest.raises(AssertionError, match=r"^cannot apply\n(.|\n)*resource name may not be empty"):
        with grading.apply_to_fresh_cluster("apiVersion: v1\nkind: Namespace\nmetadata: {}\n", ko="x", en="cannot apply"):
            pass
    grading._close_last_applied()
