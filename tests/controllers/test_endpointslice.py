"""EndpointSlice controller: slices follow the selected pods and their readiness."""

import re

from kernelsim.controllers.endpointslice import EndpointSliceController
from tests.addons.fixtures import make_node, make_pod, set_ready, start


def service(api, name="web", selector=None, ports=None, **spec):
    return api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "labels": {"tier": "front"}},
                       "spec": {"selector": selector or {"app": "web"},
                                "ports": ports or [{"name": "http", "port": 80, "targetPort": "http"}], **spec}})


def slices(api, svc="web", ns="default"):
    return api.list("endpointslices", ns, label_selector=f"kubernetes.io/service-name={svc}")


def conditions(api, svc="web"):
    return {ep["targetRef"]["name"]: ep["conditions"] for es in slices(api, svc) for ep in es["endpoints"]}


def test_slice_lists_selected_pods_with_ready_conditions(cluster):
    api = cluster._internal
    make_node(api, "worker-1", "172.18.0.3", labels={"topology.kubernetes.io/zone": "zone-a"})
    start(cluster, EndpointSliceController)
    svc = service(api)
    make_pod(api, "web-1", "10.244.1.2")
    make_pod(api, "web-2", "10.244.1.3", ready=False)
    make_pod(api, "other", "10.244.1.4", labels={"app": "other"})
    cluster.settle()
    [es] = slices(api)
    assert re.fullmatch(r"web-[bcdfghjklmnpqrstvwxz2456789]{5}", es["metadata"]["name"])
    assert es["metadata"]["labels"] == {"tier": "front", "kubernetes.io/service-name": "web",
                                        "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io"}
    assert es["metadata"]["ownerReferences"][0]["uid"] == svc["metadata"]["uid"]
    assert es["addressType"] == "IPv4"
    assert es["ports"] == [{"name": "http", "port": 8080, "protocol": "TCP"}]  # targetPort "http" resolved
    first = es["endpoints"][0]
    assert first["addresses"] == ["10.244.1.2"] and first["nodeName"] == "worker-1" and first["zone"] == "zone-a"
    assert first["targetRef"]["kind"] == "Pod" and first["targetRef"]["name"] == "web-1"
    assert conditions(api) == {"web-1": {"ready": True, "serving": True, "terminating": False},
                               "web-2": {"ready": False, "serving": False, "terminating": False}}

    set_ready(api, "web-2", True)
    set_ready(api, "web-1", False)
    cluster.settle()
    assert conditions(api) == {"web-1": {"ready": False, "serving": False, "terminating": False},
                               "web-2": {"ready": True, "serving": True, "terminating": False}}
    assert len(slices(api)) == 1  # updated in place

    out = cluster.kubectl("get endpointslices").stdout
    assert re.search(r"web-\w{5}\s+IPv4\s+8080\s+10.244.1.2,10.244.1.3\s", out)


def test_terminating_pod_is_not_ready_but_still_listed(cluster):
    api = cluster._internal
    start(cluster, EndpointSliceController)
    service(api)
    make_pod(api, "web-1", "10.244.1.2")
    cluster.settle()
    api.delete("pods", "web-1", "default")  # graceful: deletionTimestamp set, no kubelet to finish it
    cluster.settle()
    assert conditions(api) == {"web-1": {"ready": False, "serving": True, "terminating": True}}


def test_placeholder_slice_ports_by_name_and_cleanup(cluster):
    api = cluster._internal
    start(cluster, EndpointSliceController)
    service(api)
    cluster.settle()
    [placeholder] = slices(api)
    assert placeholder["endpoints"] in ([], None) and not placeholder.get("ports")
    # Pods that call the named port differently land in different slices.
    make_pod(api, "web-1", "10.244.1.2", ports=[{"name": "http", "containerPort": 8080}])
    make_pod(api, "web-2", "10.244.1.3", ports=[{"name": "http", "containerPort": 9090}])
    cluster.settle()
    by_port = {es["ports"][0]["port"]: [e["addresses"][0] for e in es["endpoints"]] for es in slices(api)}
    assert by_port == {8080: ["10.244.1.2"], 9090: ["10.244.1.3"]}
    # A Service without a selector is left alone; a deleted Service takes its slices along.
    api.delete("services", "web", "default")
    cluster.settle()
    assert slices(api) == []


def test_statefulset_style_hostname_is_published(cluster):
    api = cluster._internal
    start(cluster, EndpointSliceController)
    service(api, "db", selector={"app": "db"}, ports=[{"name": "pg", "port": 5432}], clusterIP="None")
    make_pod(api, "db-0", "10.244.1.7", labels={"app": "db"}, hostname="db-0", subdomain="db")
    cluster.settle()
    [es] = slices(api, "db")
    assert es["endpoints"][0]["hostname"] == "db-0"
    assert es["metadata"]["labels"]["service.kubernetes.io/headless"] == ""
