"""kube-proxy (iptables mode): the rule table of one node and the routes it gives."""

import collections
import re

from kernelsim.controllers.endpointslice import EndpointSliceController
from kernelsim.proxy import KubeProxy, service_port_chain_name, service_port_endpoint_chain_name
from tests.addons.fixtures import make_node, make_pod, set_ready, start


def test_chain_names_match_the_real_proxier():
    # Values from kubernetes pkg/proxy/iptables/proxier_test.go.
    assert service_port_chain_name("ns1/svc1:p80", "TCP") == "KUBE-SVC-XPGD46QRK7WJZT7O"
    assert service_port_chain_name("ns2/svc2:p80", "tcp") == "KUBE-SVC-GNZBNJ2PO5MGZ6GT"
    assert service_port_endpoint_chain_name("ns1/svc1:p80", "TCP", "10.180.0.1:80") == "KUBE-SEP-SXIVWICOYRO3J4NJ"


def setup(cluster, node="worker-1"):
    api = cluster._internal
    make_node(api, "worker-1", "172.18.0.3")
    make_node(api, "worker-2", "172.18.0.4")
    start(cluster, EndpointSliceController)
    proxy = KubeProxy(api, cluster.loop, node, tracer=cluster.tracer)
    proxy.start()
    return api, proxy


def web_service(api, **spec):
    return api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                       "spec": {"selector": {"app": "web"},
                                "ports": [{"name": "http", "port": 80, "targetPort": "http"}], **spec}})


def test_rules_show_the_chains_and_route_only_to_ready_endpoints(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api)
    make_pod(api, "web-1", "10.244.1.2")
    make_pod(api, "web-2", "10.244.2.2", node="worker-2")
    make_pod(api, "web-3", "10.244.1.3")
    make_pod(api, "web-4", "10.244.2.3", node="worker-2", ready=False)
    cluster.settle()
    ip = svc["spec"]["clusterIP"]
    svc_chain = service_port_chain_name("default/web:http", "TCP")
    rules = proxy.rules()
    assert rules.startswith("*filter\n") and "*nat\n" in rules and rules.endswith("COMMIT\n")
    assert (f'-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d {ip} '
            f'--dport 80 -j {svc_chain}') in rules
    assert re.search(r'-A KUBE-SERVICES .*"kubernetes service nodeports; NOTE: this must be the last rule in this '
                     r'chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS', rules)
    balance = [line for line in rules.splitlines() if line.startswith(f"-A {svc_chain}") and "->" in line]
    assert [re.search(r"-> (\S+)\"", line).group(1) for line in balance] == [
        "10.244.1.2:8080", "10.244.1.3:8080", "10.244.2.2:8080"]
    assert "--probability 0.3333333333" in balance[0] and "--probability 0.5000000000" in balance[1]
    assert "statistic" not in balance[2]
    sep = service_port_endpoint_chain_name("default/web:http", "TCP", "10.244.1.2:8080")
    assert f"-A {sep} -m comment --comment default/web:http -m tcp -p tcp -j DNAT --to-destination " \
           f"10.244.1.2:8080" in rules
    assert "10.244.2.3" not in rules  # not ready: no KUBE-SEP chain at all

    seen = collections.Counter(proxy.route(ip, 80) for _ in range(300))
    assert set(seen) == {("10.244.1.2", 8080), ("10.244.1.3", 8080), ("10.244.2.2", 8080)}
    assert min(seen.values()) > 60  # roughly even, as the statistic rules intend

    set_ready(api, "web-4", True)
    set_ready(api, "web-1", False)
    set_ready(api, "web-2", False)
    set_ready(api, "web-3", False)
    cluster.settle()
    assert {proxy.route(ip, 80) for _ in range(20)} == {("10.244.2.3", 8080)}
    assert any(r.source == "kube-proxy(worker-1)" and r.verb == "iptables-restore" for r in cluster.trace())


def test_no_endpoints_is_rejected_and_unknown_ips_do_not_match(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api)
    cluster.settle()
    ip = svc["spec"]["clusterIP"]
    assert f'-A KUBE-SERVICES -m comment --comment "default/web:http has no endpoints" -m tcp -p tcp -d {ip} ' \
           f'--dport 80 -j REJECT' in proxy.rules()
    assert proxy.match(ip, 80).action == "REJECT"
    assert proxy.route(ip, 80) is None
    assert proxy.match("10.99.99.99", 80) is None
    assert proxy.match(ip, 81) is None


def test_nodeport_and_loadbalancer_addresses(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api, type="NodePort")
    make_pod(api, "web-1", "10.244.2.2", node="worker-2")
    cluster.settle()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    ext = service_port_chain_name("default/web:http", "TCP").replace("KUBE-SVC-", "KUBE-EXT-")
    rules = proxy.rules()
    assert f"-A KUBE-NODEPORTS -m comment --comment default/web:http -m tcp -p tcp --dport {node_port} -j {ext}" \
        in rules
    assert f'-A {ext} -m comment --comment "masquerade traffic for default/web:http external destinations" ' \
           f'-j KUBE-MARK-MASQ' in rules
    # The NodePort answers on the node's own address (-m addrtype --dst-type LOCAL); the pod runs on
    # worker-2.  Another node's address is that node's kube-proxy's business: kube-proxy watches only
    # its own Node, as the real one does.
    assert proxy.route("172.18.0.3", node_port) == ("10.244.2.2", 8080)
    assert proxy.route("172.18.0.4", node_port) is None
    other = KubeProxy(api, cluster.loop, "worker-2", tracer=cluster.tracer)
    other.start()
    cluster.settle()
    assert other.route("172.18.0.4", node_port) == ("10.244.2.2", 8080)
    assert set(proxy.informers["nodes"].store) == {"worker-1"}
    assert proxy.route("172.18.0.3", 80) is None

    svc = api.get("services", "web")
    svc["spec"]["type"] = "LoadBalancer"
    svc = api.update(svc)
    svc["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10", "ipMode": "VIP"}]}}
    api.update_status(svc)
    cluster.settle()
    assert f'-A KUBE-SERVICES -m comment --comment "default/web:http loadbalancer IP" -m tcp -p tcp ' \
           f'-d 203.0.113.10 --dport 80 -j {ext}' in proxy.rules()
    assert proxy.route("203.0.113.10", 80) == ("10.244.2.2", 8080)


def test_external_traffic_policy_local_uses_only_node_local_endpoints(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api, type="NodePort", externalTrafficPolicy="Local")
    make_pod(api, "web-1", "10.244.2.2", node="worker-2")
    cluster.settle()
    node_port = svc["spec"]["ports"][0]["nodePort"]
    assert '-A KUBE-EXTERNAL-SERVICES -m comment --comment "default/web:http has no local endpoints"' \
        in proxy.rules()
    assert proxy.match("172.18.0.3", node_port).action == "DROP"       # no endpoint on worker-1
    other = KubeProxy(api, cluster.loop, "worker-2", tracer=cluster.tracer)  # worker-2's own kube-proxy
    other.start()
    cluster.settle()
    assert other.route("172.18.0.4", node_port) == ("10.244.2.2", 8080)  # worker-2 has one
    assert proxy.route(svc["spec"]["clusterIP"], 80) == ("10.244.2.2", 8080)  # ClusterIP is unaffected


def test_session_affinity_client_ip(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api, sessionAffinity="ClientIP")
    for i in range(3):
        make_pod(api, f"web-{i}", f"10.244.1.{i + 2}")
    cluster.settle()
    ip = svc["spec"]["clusterIP"]
    assert "-m recent --name KUBE-SEP-" in proxy.rules() and "--rcheck --seconds 10800 --reap" in proxy.rules()
    for client in ("10.244.2.7", "10.244.2.8", "10.244.2.9"):
        picks = {proxy.route(ip, 80, source_ip=client) for _ in range(15)}
        assert len(picks) == 1
    assert len({proxy.route(ip, 80) for _ in range(60)}) == 3  # no client IP: no stickiness


def test_stopped_proxy_keeps_its_last_rules(cluster):
    api, proxy = setup(cluster)
    svc = web_service(api)
    make_pod(api, "web-1", "10.244.1.2")
    cluster.settle()
    proxy.stop()
    set_ready(api, "web-1", False)
    cluster.settle()
    assert proxy.route(svc["spec"]["clusterIP"], 80) == ("10.244.1.2", 8080)  # stale, like a dead kube-proxy
