from kernelsim.scheduler.plugins.node_ports import NodePorts

from . import make_node, make_pod, node_info


def with_host_port(name, port, protocol="TCP"):
    pod = make_pod(name)
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 80, "hostPort": port, "protocol": protocol}]
    return pod


def test_free_port_fits():
    assert NodePorts().filter(with_host_port("a", 8080), node_info(make_node("worker-1"))) is None


def test_taken_port_does_not():
    node = node_info(make_node("worker-1"), with_host_port("old", 8080))
    status = NodePorts().filter(with_host_port("new", 8080), node)
    assert status.reasons == ("node(s) didn't have free ports for the requested pod ports",)
    assert status.code == "Unschedulable"
    assert NodePorts().filter(with_host_port("udp", 8080, "UDP"), node) is None
