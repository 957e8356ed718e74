"""Simulated requests: DNS, kube-proxy on the caller's node, the pod network, the program in the pod."""

import collections

import pytest

from kernelsim.addons.dns import ClusterDNS
from kernelsim.addons.network import PodNetwork
from kernelsim.addons.traffic import Traffic
from kernelsim.cloud import CloudControllerManager, SimulatedCloud
from kernelsim.controllers.endpointslice import EndpointSliceController
from kernelsim.controllers.nodeipam import NodeIpamController
from kernelsim.proxy import KubeProxy
from tests.addons.fixtures import make_node, make_pod, set_ready, start

NODES = {"master-1": "172.18.0.2", "worker-1": "172.18.0.3", "worker-2": "172.18.0.4"}


class StubRuntime:
    """A container runtime whose pods run a tiny web server on their declared ports."""

    def __init__(self, network, node, listening):
        self.network, self.node, self.listening = network, node, listening
        self.requests = []

    def handle(self, pod_ip, port, request):
        _, ns, name = self.network.pod_at(pod_ip)
        if port not in self.listening.get(name, ()):
            return None
        self.requests.append((name, request))
        return 200, f"hello from {name}\n"


@pytest.fixture
def net(cluster):
    api = cluster._internal
    start(cluster, NodeIpamController, EndpointSliceController)
    for name, ip in NODES.items():
        make_node(api, name, ip)
    cluster.settle()
    network = PodNetwork(cluster.loop.rng)
    listening = {}

    def run_pod(name, node, namespace="my-ns", labels=None, ready=True, port=8080):
        cidr = api.get("nodes", node, None)["spec"]["podCIDR"]
        ip = network.setup_pod(node, cidr, {"metadata": {"name": name, "namespace": namespace}})
        listening[name] = (port,)
        return make_pod(api, name, ip, namespace=namespace, node=node, labels=labels or {"app": "web"}, ready=ready,
                        ports=[{"name": "http", "containerPort": port}])

    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "my-ns"}})
    run_pod("coredns-1", "master-1", "kube-system", {"k8s-app": "kube-dns"}, port=53)
    proxies = {n: KubeProxy(api, cluster.loop, n, tracer=cluster.tracer) for n in NODES}
    for p in proxies.values():
        p.start()
    runtimes = {n: StubRuntime(network, n, listening) for n in NODES}
    traffic = Traffic(api, network, proxies, runtimes, ClusterDNS(api), tracer=cluster.tracer)
    cluster.settle()
    return api, traffic, run_pod, proxies


def test_service_name_reaches_only_ready_backends(cluster, net):
    api, traffic, run_pod, _ = net
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-svc", "namespace": "my-ns"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": "http"}]}})
    run_pod("web-1", "worker-1")
    run_pod("web-2", "worker-2")
    run_pod("web-3", "worker-2", ready=False)
    run_pod("client", "worker-1", "default", {"app": "client"})
    cluster.settle()
    answers = collections.Counter()
    for _ in range(60):
        r = traffic.request("default/client", "http://my-svc.my-ns.svc.cluster.local/")
        assert r.ok and r.status == 200
        answers[r.pod] += 1
    assert set(answers) == {"my-ns/web-1", "my-ns/web-2"}  # never web-3, whose Ready is False
    assert traffic.request("my-ns/web-1", "my-svc").body.startswith("hello from web-")  # short name, same ns

    set_ready(api, "web-3", True, "my-ns")
    set_ready(api, "web-1", False, "my-ns")
    set_ready(api, "web-2", False, "my-ns")
    cluster.settle()
    assert {traffic.request("default/client", "my-svc.my-ns").pod for _ in range(10)} == {"my-ns/web-3"}


def test_curl_like_failures(cluster, net):
    api, traffic, run_pod, _ = net
    run_pod("client", "worker-1", "default", {"app": "client"})
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "empty", "namespace": "my-ns"},
                "spec": {"selector": {"app": "none"}, "ports": [{"port": 80}]}})
    cluster.settle()
    r = traffic.request("default/client", "http://nope.my-ns/")
    assert r.status == 0 and r.error == "curl: (6) Could not resolve host: nope.my-ns"
    r = traffic.request("default/client", "http://empty.my-ns/")
    assert r.error == "curl: (7) Failed to connect to empty.my-ns port 80 after 0 ms: Connection refused"
    web = run_pod("web-1", "worker-2")
    r = traffic.request("default/client", f"http://{web['status']['podIP']}:9999/")  # nothing listens there
    assert r.error_kind == "refused"
    assert traffic.request("default/client", f"http://{web['status']['podIP']}:8080/").pod == "my-ns/web-1"
    r = traffic.request("default/client", "http://10.200.0.1/")
    assert r.error.startswith("curl: (28) Failed to connect to 10.200.0.1 port 80 after") and r.error_kind == "timeout"
    # Without a Ready CoreDNS pod, names no longer resolve.
    set_ready(api, "coredns-1", False, "kube-system")
    assert traffic.request("default/client", "http://kubernetes.default/").error_kind == "dns"


def test_nodeport_and_load_balancer_from_outside(cluster, net):
    api, traffic, run_pod, proxies = net
    cloud = SimulatedCloud(cluster.loop.rng)
    CloudControllerManager(api, cluster.loop, cloud).start()
    run_pod("web-1", "worker-2")
    svc = api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "my-ns"},
                      "spec": {"type": "LoadBalancer", "selector": {"app": "web"},
                               "ports": [{"port": 80, "targetPort": 8080}]}})
    cluster.settle()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    lb_ip = api.get("services", "web", "my-ns")["status"]["loadBalancer"]["ingress"][0]["ip"]
    assert traffic.request(None, f"http://172.18.0.3:{node_port}/").pod == "my-ns/web-1"  # via worker-1
    assert traffic.request(None, f"http://{lb_ip}/").pod == "my-ns/web-1"
    assert traffic.request(None, f"http://{svc['spec']['clusterIP']}/").error_kind == "timeout"
    assert traffic.request(None, "http://web.my-ns.svc.cluster.local/").error_kind == "dns"
    assert traffic.request(None, "http://172.18.0.3:31999/").error_kind == "refused"
