from kernelsim.scheduler.plugins.node_name import ERR_REASON, NodeName

from . import make_node, make_pod, node_info


def test_pod_without_node_name_fits_any_node():
    assert NodeName().filter(make_pod("web"), node_info(make_node("worker-1"))) is None


def test_pod_naming_its_node_fits_only_that_node():
    pod = make_pod("web", node_name="worker-2")
    assert NodeName().filter(pod, node_info(make_node("worker-2"))) is None
    status = NodeName().filter(pod, node_info(make_node("worker-1")))
    assert status.reasons == ("node(s) didn't match the requested node name",) == (ERR_REASON,)
    assert status.code == "UnschedulableAndUnresolvable"
