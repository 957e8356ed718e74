from kernelsim.scheduler.framework import pod_requests
from kernelsim.scheduler.plugins.node_resources_fit import BalancedAllocation, NodeResourcesFit

from . import make_node, make_pod, node_info


def test_pod_that_fits():
    node = node_info(make_node("worker-1", cpu="2", memory="4Gi"), make_pod("old", cpu="1", memory="1Gi"))
    assert NodeResourcesFit().filter(make_pod("new", cpu="1", memory="3Gi"), node) is None


def test_insufficient_cpu_and_memory_are_both_reported():
    node = node_info(make_node("worker-1", cpu="2", memory="4Gi"), make_pod("old", cpu="1500m", memory="3Gi"))
    status = NodeResourcesFit().filter(make_pod("new", cpu="1", memory="2Gi"), node)
    assert status.reasons == ("Insufficient cpu", "Insufficient memory")
    assert status.code == "Unschedulable"       # removing "old" would help: preemption could


def test_more_than_the_whole_node_is_unresolvable():
    status = NodeResourcesFit().filter(make_pod("huge", cpu="3"), node_info(make_node("worker-1", cpu="2")))
    assert status.reasons == ("Insufficient cpu",)
    assert status.code == "UnschedulableAndUnresolvable"


def test_too_many_pods():
    node = node_info(make_node("worker-1", pods="2"), make_pod("a"), make_pod("b"))
    assert NodeResourcesFit().filter(make_pod("c"), node).reasons == ("Too many pods",)


def test_requests_count_init_containers_max_and_overhead():
    pod = make_pod("web", cpu="200m", memory="100Mi", overhead={"cpu": "50m"})
    pod["spec"]["initContainers"] = [
        {"name": "migrate", "image": "busybox", "resources": {"requests": {"cpu": "1", "memory": "10Mi"}}},
        {"name": "proxy", "image": "envoy", "restartPolicy": "Always", "resources": {"requests": {"cpu": "100m"}}},
    ]
    # sidecar + app = 300m, the init container alone 1000m: the larger wins; then 50m overhead.
    assert pod_requests(pod) == {"cpu": 1050, "memory": 100 * 2**20}


def test_least_allocated_prefers_the_emptier_node():
    plugin, pod = NodeResourcesFit(), make_pod("web", cpu="500m", memory="1Gi")
    busy = node_info(make_node("worker-1", cpu="2", memory="4Gi"), make_pod("old", cpu="1", memory="2Gi"))
    idle = node_info(make_node("worker-2", cpu="2", memory="4Gi"))
    # idle: cpu (2000-500)*100/2000 = 75, memory (4-1)*100/4 = 75 -> 75; busy: 25 and 25 -> 25
    assert plugin.score(pod, idle) == 75
    assert plugin.score(pod, busy) == 25


def test_least_allocated_counts_pods_without_requests_as_100m_and_200Mi():
    node = node_info(make_node("worker-1", cpu="1", memory="1000Mi"), make_pod("besteffort"))
    # requested cpu 100m+100m of 1000m -> 80; memory 200Mi+200Mi of 1000Mi -> 60; average 70
    assert NodeResourcesFit().score(make_pod("new"), node) == 70


def test_balanced_allocation():
    plugin, pod = BalancedAllocation(), make_pod("web", cpu="1", memory="1Gi")
    node = node_info(make_node("worker-1", cpu="2", memory="4Gi"))
    # cpu 1/2 = 0.5, memory 1/4 = 0.25: std 0.125 -> 87
    assert plugin.score(pod, node) == 87
    assert plugin.pre_score(make_pod("besteffort"), [node]).code == "Skip"
