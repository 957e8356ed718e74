"""Endpoints controller: ready pods in addresses, the others in notReadyAddresses."""

from kernelsim.controllers.endpoints import EndpointsController
from tests.addons.fixtures import make_pod, set_ready, start


def addresses(ep):
    ready, not_ready = [], []
    for subset in ep.get("subsets") or []:
        ready += [a["ip"] for a in subset.get("addresses") or []]
        not_ready += [a["ip"] for a in subset.get("notReadyAddresses") or []]
    return ready, not_ready


def test_endpoints_follow_readiness(cluster):
    api = cluster._internal
    start(cluster, EndpointsController)
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"selector": {"app": "web"}, "ports": [{"name": "http", "port": 80, "targetPort": "http"}]}})
    make_pod(api, "web-1", "10.244.1.2")
    make_pod(api, "web-2", "10.244.2.2", node="worker-2", ready=False)
    cluster.settle()
    ep = api.get("endpoints", "web")
    assert addresses(ep) == (["10.244.1.2"], ["10.244.2.2"])
    assert ep["subsets"][0]["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]
    assert ep["subsets"][0]["addresses"][0]["targetRef"]["name"] == "web-1"
    assert ep["subsets"][0]["addresses"][0]["nodeName"] == "worker-1"
    lines = cluster.kubectl("get endpoints web").stdout.splitlines()
    assert lines[1].split()[:2] == ["web", "10.244.1.2:8080"]

    set_ready(api, "web-2", True)
    cluster.settle()
    assert addresses(api.get("endpoints", "web")) == (["10.244.1.2", "10.244.2.2"], [])
    set_ready(api, "web-1", False)
    set_ready(api, "web-2", False)
    cluster.settle()
    assert addresses(api.get("endpoints", "web")) == ([], ["10.244.1.2", "10.244.2.2"])
    # Only not-ready addresses: kubectl's ENDPOINTS column is empty (formatEndpoints), not <none>.
    assert cluster.kubectl("get endpoints web").stdout.splitlines()[1].split() == ["web", "0s"]


def test_terminating_pods_leave_and_deleted_service_takes_endpoints(cluster):
    api = cluster._internal
    start(cluster, EndpointsController)
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    make_pod(api, "web-1", "10.244.1.2")
    make_pod(api, "web-2", "10.244.1.3")
    cluster.settle()
    api.delete("pods", "web-1", "default")
    cluster.settle()
    assert addresses(api.get("endpoints", "web")) == (["10.244.1.3"], [])
    # Hand-made Endpoints of a selectorless Service are not touched.
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "ext"},
                "spec": {"ports": [{"port": 5432}]}})
    api.create({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "ext"},
                "subsets": [{"addresses": [{"ip": "192.0.2.44"}], "ports": [{"port": 5432}]}]})
    api.delete("services", "web", "default")
    cluster.settle()
    assert not api.exists("endpoints", "web")
    assert addresses(api.get("endpoints", "ext")) == (["192.0.2.44"], [])
