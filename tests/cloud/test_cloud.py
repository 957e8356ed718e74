"""cloud-controller-manager with the simulated cloud: load balancers and cloud nodes."""

import re

from kernelsim.cloud import CloudControllerManager, SimulatedCloud
from tests.addons.fixtures import make_node


def ccm(cluster):
    cloud = SimulatedCloud(cluster.loop.rng)
    manager = CloudControllerManager(cluster._internal, cluster.loop, cloud, tracer=cluster.tracer)
    manager.start()
    return cloud, manager


def svc_line(cluster, name):
    out = cluster.kubectl("get svc").stdout
    return next(line.split() for line in out.splitlines() if line.startswith(name + " "))


def test_clusterip_nodeport_and_loadbalancer_get_addresses_and_ports(cluster):
    api = cluster._internal
    ccm(cluster)
    for t in ("ClusterIP", "NodePort", "LoadBalancer"):
        api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": t.lower()},
                    "spec": {"type": t, "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}})
    cip = svc_line(cluster, "clusterip")
    assert cip[1] == "ClusterIP" and re.fullmatch(r"10\.\d+\.\d+\.\d+", cip[2]) and cip[3:5] == ["<none>", "80/TCP"]
    np = svc_line(cluster, "nodeport")
    assert np[1] == "NodePort" and np[3] == "<none>" and re.fullmatch(r"80:3\d{4}/TCP", np[4])
    lb = svc_line(cluster, "loadbalancer")
    assert lb[1] == "LoadBalancer" and lb[3] == "<pending>" and re.fullmatch(r"80:3\d{4}/TCP", lb[4])

    cluster.advance(1)
    assert svc_line(cluster, "loadbalancer")[3] == "<pending>"  # the cloud takes a few seconds
    cluster.settle()
    lb = svc_line(cluster, "loadbalancer")
    assert re.fullmatch(r"203\.0\.113\.\d+", lb[3])
    svc = api.get("services", "loadbalancer")
    assert svc["status"]["loadBalancer"]["ingress"] == [{"ip": lb[3], "ipMode": "VIP"}]
    assert "service.kubernetes.io/load-balancer-cleanup" in svc["metadata"]["finalizers"]
    events = cluster.kubectl("get events --field-selector involvedObject.name=loadbalancer").stdout
    assert "EnsuringLoadBalancer" in events and "EnsuredLoadBalancer" in events
    assert "Ensured load balancer" in events


def test_load_balancer_is_removed_with_the_service(cluster):
    api = cluster._internal
    cloud, _ = ccm(cluster)
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
                "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80}]}})
    cluster.settle()
    assert len(cloud.load_balancers) == 1
    api.delete("services", "web", "default")
    assert api.exists("services", "web")  # held by the load-balancer-cleanup finalizer
    cluster.settle()
    assert not api.exists("services", "web")
    assert cloud.load_balancers == {}
    reasons = [e["reason"] for e in api.list("events", "default")]
    assert "DeletingLoadBalancer" in reasons and "DeletedLoadBalancer" in reasons


def test_node_controller_initializes_cloud_nodes(cluster):
    api = cluster._internal
    cloud, _ = ccm(cluster)
    inst = cloud.create_instance("worker-1")
    node = api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1"},
                       "spec": {"taints": [{"key": "node.cloudprovider.kubernetes.io/uninitialized",
                                            "value": "true", "effect": "NoSchedule"}]}})
    node["status"] = {"addresses": [{"type": "InternalIP", "address": "172.18.0.3"}]}
    api.update_status(node)
    cluster.settle()
    node = api.get("nodes", "worker-1", None)
    assert node["spec"]["providerID"] == f"kernelsim://{inst.zone}/worker-1"
    assert not node["spec"].get("taints")
    labels = node["metadata"]["labels"]
    assert labels["topology.kubernetes.io/zone"] == inst.zone
    assert labels["topology.kubernetes.io/region"] == inst.region
    assert labels["node.kubernetes.io/instance-type"] == inst.instance_type
    assert {"type": "ExternalIP", "address": inst.external_ip} in node["status"]["addresses"]
    assert {"type": "InternalIP", "address": "172.18.0.3"} in node["status"]["addresses"]
    wide = cluster.kubectl("get nodes -o wide").stdout.splitlines()[1].split()
    assert "172.18.0.3" in wide and inst.external_ip in wide


def test_node_lifecycle_deletes_not_ready_nodes_whose_machine_is_gone(cluster):
    api = cluster._internal
    cloud, _ = ccm(cluster)
    cloud.create_instance("worker-1")
    cloud.create_instance("worker-2")
    make_node(api, "worker-1", "172.18.0.3", ready=True)
    make_node(api, "worker-2", "172.18.0.4", ready=False)
    cluster.settle()
    cloud.delete_instance("worker-1")
    cloud.delete_instance("worker-2")
    cluster.advance(6)
    names = [n["metadata"]["name"] for n in api.list("nodes")]
    assert names == ["worker-1"]  # a Ready node is kept until it stops reporting
    reasons = [e["reason"] for e in api.list("events", "default")]
    assert "DeletingNode" in reasons


def test_hundreds_of_machines_get_distinct_addresses():
    """Past the 254 hosts of TEST-NET-2 the cloud hands out addresses from 198.18.0.0/15,
    and machines past 192.168.0.249 go on in the next /24s."""
    import random

    from kernelsim.cloud import SimulatedCloud
    from kernelsim.cluster import Machine

    cloud = SimulatedCloud(random.Random(0))
    external = {cloud.create_instance(f"worker-{i}").external_ip for i in range(600)}
    assert len(external) == 600
    internal = [Machine(f"m{i}", "worker", i).ip for i in range(1000)]
    assert len(set(internal)) == 1000
    assert internal[0] == "192.168.0.10" and internal[239] == "192.168.0.249"
    assert internal[240] == "192.168.1.1"
    assert all(1 <= int(ip.rsplit(".", 1)[1]) <= 254 for ip in internal)
