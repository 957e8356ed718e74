"""metrics-server and the Metrics API through kube-apiserver's aggregation layer, checked
with the real ``kubectl top`` (kernelsim.addons.metrics)."""

import json

import pytest

import kernelsim
from kernelsim.addons.metrics import RESOLUTION


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(realtime=False)
    c.kubectl("create deployment web --image=nginx --replicas=2")
    c.settle()
    yield c
    c.close()


def rows(text: str) -> list[list[str]]:
    return [line.split() for line in text.strip().splitlines()[1:]]


def test_the_metrics_api_is_registered_as_an_available_apiservice(cluster):
    r = cluster.kubectl("get apiservices v1beta1.metrics.k8s.io")
    assert r.stdout.split("\n")[0].split() == ["NAME", "SERVICE", "AVAILABLE", "AGE"]
    assert rows(r.stdout)[0][:3] == ["v1beta1.metrics.k8s.io", "kube-system/metrics-server", "True"]
    r = cluster.kubectl("api-resources --api-group=metrics.k8s.io -o name")
    assert r.stdout.split() == ["nodes.metrics.k8s.io", "pods.metrics.k8s.io"]


def test_kubectl_top_nodes_shows_every_node_with_its_share_of_allocatable(cluster):
    r = cluster.kubectl("top nodes")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split("\n")[0].split() == ["NAME", "CPU(cores)", "CPU(%)", "MEMORY(bytes)", "MEMORY(%)"]
    table = {row[0]: row for row in rows(r.stdout)}
    assert set(table) == {"master-1", "worker-1", "worker-2"}
    for row in table.values():
        assert row[1].endswith("m") and row[2].endswith("%") and row[3].endswith("Mi")
    # The master runs the control plane: it is the busiest node.
    assert int(table["master-1"][1][:-1]) > int(table["worker-1"][1][:-1])


def test_kubectl_top_pods_needs_two_scrapes_then_reports_each_container(cluster):
    cluster.kubectl("run fresh --image=nginx")
    cluster.settle()
    r = cluster.kubectl("top pod fresh")
    assert r.returncode == 1
    assert 'podmetrics.metrics.k8s.io "default/fresh" not found' in r.stderr
    cluster.advance(2 * RESOLUTION + 1)
    r = cluster.kubectl("top pod fresh")
    assert r.returncode == 0, r.stderr
    r = cluster.kubectl("top pods -l app=web --containers")
    table = rows(r.stdout)
    assert len(table) == 2 and {row[1] for row in table} == {"nginx"}
    raw = json.loads(cluster.kubectl("get --raw /apis/metrics.k8s.io/v1beta1/namespaces/default/pods").stdout)
    assert raw["kind"] == "PodMetricsList"
    item = next(i for i in raw["items"] if i["metadata"]["name"] == "fresh")
    assert item["window"] == "15s"
    assert item["containers"][0]["usage"]["cpu"].endswith("n")
    assert item["containers"][0]["usage"]["memory"].endswith("Ki")


def test_the_metrics_api_is_read_only(cluster):
    r = cluster.kubectl("delete --raw /apis/metrics.k8s.io/v1beta1/nodes/worker-1")
    assert r.returncode == 1
    assert "MethodNotAllowed" in r.stderr or "does not allow this method" in r.stderr


def test_without_a_ready_metrics_server_kubectl_top_says_the_api_is_not_available():
    c = kernelsim.Cluster(realtime=False)
    try:
        c.advance(2 * RESOLUTION)
        assert c.kubectl("top nodes").returncode == 0
        c.kubectl("scale deployment metrics-server -n kube-system --replicas=0")
        c.settle()
        c.advance(RESOLUTION)
        r = c.kubectl("top nodes")
        assert r.returncode == 1 and "Metrics API not available" in r.stderr
        r = c.kubectl("get --raw /apis/metrics.k8s.io/v1beta1/nodes")
        assert "the server is currently unable to handle the request" in r.stderr
        assert "False (MissingEndpoints)" in c.kubectl("get apiservices").stdout
    finally:
        c.close()


def test_a_cluster_without_addons_has_no_metrics_api():
    c = kernelsim.Cluster(realtime=False, addons=False)
    try:
        r = c.kubectl("top nodes")
        assert r.returncode == 1 and "Metrics API not available" in r.stderr
    finally:
        c.close()
