from kernelsim.scheduler.plugins.node_unschedulable import NodeUnschedulable

from . import make_node, make_pod, node_info


def test_schedulable_node_passes():
    assert NodeUnschedulable().filter(make_pod("web"), node_info(make_node("worker-1"))) is None


def test_cordoned_node_is_refused():
    status = NodeUnschedulable().filter(make_pod("web"), node_info(make_node("worker-1", unschedulable=True)))
    assert status.reasons == ("node(s) were unschedulable",)
    assert status.code == "UnschedulableAndUnresolvable"


def test_pod_tolerating_the_unschedulable_taint_may_go_to_a_cordoned_node():
    # DaemonSet pods get this toleration from the DaemonSet controller.
    pod = make_pod("fluentd", tolerations=[{"key": "node.kubernetes.io/unschedulable", "operator": "Exists",
                                            "effect": "NoSchedule"}])
    assert NodeUnschedulable().filter(pod, node_info(make_node("worker-1", unschedulable=True))) is None
