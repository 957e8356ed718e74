from kernelsim.scheduler.framework import Framework, Snapshot
from kernelsim.scheduler.plugins import new_default_plugins
from kernelsim.scheduler.plugins.default_preemption import DefaultPreemption

from . import CONTROL_PLANE_TAINT, make_node, make_pod, node_info


def post_filter(pod, snapshot):
    plugins, weights = new_default_plugins()
    framework = Framework(plugins, weights)
    statuses = {ni.name: framework.run_filters(pod, ni) for ni in snapshot}
    statuses = {name: s for name, s in statuses.items() if s is not None}
    return DefaultPreemption().post_filter(pod, snapshot, statuses, framework.run_filters)


def small_cluster(filler_priority=0):
    filler = make_pod("filler", cpu="1500m", priority=filler_priority)
    return Snapshot([node_info(make_node("master-1", taints=[CONTROL_PLANE_TAINT])),
                     node_info(make_node("worker-1", cpu="2"), filler),
                     node_info(make_node("worker-2", cpu="2"), dict(filler, metadata={"name": "filler-2",
                                                                                       "namespace": "default"}))])


def test_no_victims_of_lower_priority():
    assert post_filter(make_pod("web", cpu="1"), small_cluster()) == (
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
        "2 No preemption victims found for incoming pod.")


def test_preemption_policy_never():
    pod = make_pod("web", cpu="1", preemptionPolicy="Never")
    assert post_filter(pod, small_cluster()) == "preemption: not eligible due to preemptionPolicy=Never."


def test_lower_priority_victims_would_make_room():
    # The real scheduler would nominate a node and evict; no "preemption:" text then.
    pod = make_pod("critical", cpu="1", priority=1000)
    assert post_filter(pod, small_cluster(filler_priority=0)) == ""


def test_victims_that_would_not_be_enough():
    pod = make_pod("greedy", cpu="2", priority=1000)
    snapshot = Snapshot([node_info(make_node("worker-1", cpu="3"), make_pod("low", cpu="1", priority=0),
                                   make_pod("system", cpu="1500m", priority=2000))])
    assert post_filter(pod, snapshot) == "preemption: 0/1 nodes are available: 1 Insufficient cpu."
