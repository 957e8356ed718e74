"""The scheduler in a simulated cluster: Nodes are made by hand (no kubelets here)."""

from tests.conftest import BARE
import pytest

from kernelsim.scheduler import Scheduler

from . import CONTROL_PLANE_TAINT, make_node, make_pod


@pytest.fixture
def api(cluster):
    return cluster._internal


@pytest.fixture
def scheduler(cluster, api):
    existing = getattr(cluster, "scheduler", None)    # once cluster.py wires one in
    if existing is not None:
        return existing
    s = Scheduler(api, cluster.loop, tracer=cluster.tracer)
    s.start()
    return s


def small_cluster(api, worker_cpu="2"):
    api.create(make_node("master-1", labels={"node-role.kubernetes.io/control-plane": ""},
                         taints=[CONTROL_PLANE_TAINT]))
    api.create(make_node("worker-1", cpu=worker_cpu))
    api.create(make_node("worker-2", cpu=worker_cpu))


def node_of(api, name, namespace="default"):
    return api.get("pods", name, namespace)["spec"].get("nodeName")


def events_for(api, name, reason):
    return [e for e in api.list("events", "default")
            if e["involvedObject"]["name"] == name and e["reason"] == reason]


FAILED = ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
          "2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, "
          "2 No preemption victims found for incoming pod.")


def test_pod_is_bound_with_a_scheduled_event_and_traced(cluster, api, scheduler):
    small_cluster(api)
    api.create(make_pod("web", cpu="100m"))
    cluster.settle()
    node = node_of(api, "web")
    assert node in ("worker-1", "worker-2")
    [event] = events_for(api, "web", "Scheduled")
    assert event["type"] == "Normal"
    assert event["message"] == f"Successfully assigned default/web to {node}"
    assert event["source"]["component"] == "default-scheduler"
    assert "T=   0.000  kube-scheduler -> kube-apiserver POST pods/binding (default/web)" in \
        [str(r) for r in cluster.trace()]
    decision = scheduler.decisions["default/web"]
    assert decision.node == node and decision.result == "Scheduled"


def test_failed_scheduling_message_and_retry_when_a_node_is_added(cluster, api, scheduler):
    small_cluster(api)
    api.create(make_pod("filler-1", cpu="1500m"))
    api.create(make_pod("filler-2", cpu="1500m"))
    cluster.settle()
    assert {node_of(api, "filler-1"), node_of(api, "filler-2")} == {"worker-1", "worker-2"}

    api.create(make_pod("web", cpu="1"))
    cluster.settle()
    pod = api.get("pods", "web")
    assert pod["status"]["phase"] == "Pending" and not pod["spec"].get("nodeName")
    [cond] = [c for c in pod["status"]["conditions"] if c["type"] == "PodScheduled"]
    assert (cond["status"], cond["reason"], cond["message"]) == ("False", "Unschedulable", FAILED)
    [event] = events_for(api, "web", "FailedScheduling")
    assert (event["type"], event["message"], event["source"]["component"]) == \
        ("Warning", FAILED, "default-scheduler")
    assert scheduler.queue.pending()["unschedulable"] == ["default/web"]
    why = scheduler.decisions["default/web"]
    assert why.failed("worker-1") == [("worker-1", "NodeResourcesFit", False, "Insufficient cpu")]

    api.create(make_node("worker-3", cpu="2"))
    cluster.settle()
    assert node_of(api, "web") == "worker-3"
    assert events_for(api, "web", "Scheduled")[0]["message"] == "Successfully assigned default/web to worker-3"


def test_retried_when_a_pod_is_deleted(cluster, api, scheduler):
    small_cluster(api)
    for name in ("filler-1", "filler-2"):
        api.create(make_pod(name, cpu="1500m"))
    cluster.settle()
    api.create(make_pod("web", cpu="1"))
    cluster.settle()
    assert node_of(api, "web") is None
    freed = node_of(api, "filler-1")
    api.delete("pods", "filler-1", grace_period_seconds=0)
    cluster.settle()
    assert node_of(api, "web") == freed


def test_pods_spread_over_nodes_by_least_allocated(cluster, api, scheduler):
    small_cluster(api)
    api.create(make_node("worker-3"))
    for i in range(3):
        api.create(make_pod(f"web-{i}", cpu="500m", memory="512Mi"))
    cluster.settle()
    assert sorted(node_of(api, f"web-{i}") for i in range(3)) == ["worker-1", "worker-2", "worker-3"]
    for i in range(3, 6):
        api.create(make_pod(f"web-{i}", cpu="500m", memory="512Mi"))
    cluster.settle()
    counts = {}
    for i in range(6):
        counts[node_of(api, f"web-{i}")] = counts.get(node_of(api, f"web-{i}"), 0) + 1
    assert counts == {"worker-1": 2, "worker-2": 2, "worker-3": 2}


def test_assumed_pods_count_before_the_watch_confirms_them(cluster, api, scheduler):
    # Two pods created together; each worker has room for one: they must not share.
    small_cluster(api, worker_cpu="1")
    api.create(make_pod("a", cpu="800m"))
    api.create(make_pod("b", cpu="800m"))
    cluster.settle()
    assert {node_of(api, "a"), node_of(api, "b")} == {"worker-1", "worker-2"}


def test_node_selector_affinity_and_tolerations(cluster, api, scheduler):
    small_cluster(api)
    api.patch("nodes", "worker-2", {"metadata": {"labels": {"disktype": "ssd"}}}, None)
    api.create(make_pod("db", nodeSelector={"disktype": "ssd"}))
    api.create(make_pod("agent", tolerations=[{"key": "node-role.kubernetes.io/control-plane",
                                               "operator": "Exists", "effect": "NoSchedule"}],
                        affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
                            "nodeSelectorTerms": [{"matchExpressions": [
                                {"key": "node-role.kubernetes.io/control-plane", "operator": "Exists"}]}]}}}))
    api.create(make_pod("nowhere", nodeSelector={"disktype": "nvme"}))
    cluster.settle()
    assert node_of(api, "db") == "worker-2"
    assert node_of(api, "agent") == "master-1"
    assert node_of(api, "nowhere") is None
    assert events_for(api, "nowhere", "FailedScheduling")[0]["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 node(s) didn't match Pod's node affinity/selector. preemption: 0/3 nodes are available: "
        "3 Preemption is not helpful for scheduling.")
    # Labelling a node is a NodeUpdate event: the pending pod is tried again.
    api.patch("nodes", "worker-1", {"metadata": {"labels": {"disktype": "nvme"}}}, None)
    cluster.settle()
    assert node_of(api, "nowhere") == "worker-1"


def test_required_anti_affinity_keeps_replicas_apart(cluster, api, scheduler):
    small_cluster(api)
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "web"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    for i in range(3):
        api.create(make_pod(f"web-{i}", labels={"app": "web"}, affinity=anti))
    cluster.settle()
    nodes = [node_of(api, f"web-{i}") for i in range(3)]
    assert sorted(n for n in nodes if n) == ["worker-1", "worker-2"]
    pending = nodes.index(None)
    assert events_for(api, f"web-{pending}", "FailedScheduling")[0]["message"] == (
        "0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
        "2 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: "
        "1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.")


def test_cordoned_node_and_other_schedulers(cluster, api, scheduler):
    small_cluster(api)
    api.patch("nodes", "worker-1", {"spec": {"unschedulable": True}}, None)
    api.create(make_pod("web"))
    api.create(make_pod("custom", schedulerName="my-scheduler"))
    cluster.settle()
    assert node_of(api, "web") == "worker-2"
    assert node_of(api, "custom") is None and "default/custom" not in scheduler.decisions


def test_no_nodes(cluster, api, scheduler):
    api.create(make_pod("web"))
    cluster.settle()
    [cond] = api.get("pods", "web")["status"]["conditions"]
    assert (cond["reason"], cond["message"]) == ("SchedulerError", "no nodes available to schedule pods")
    api.create(make_node("worker-1"))
    cluster.settle()
    assert node_of(api, "web") == "worker-1"


def test_same_seed_same_placement(cluster, api, scheduler):
    small_cluster(api)
    for i in range(4):
        api.create(make_pod(f"web-{i}"))
    cluster.settle()
    first = [node_of(api, f"web-{i}") for i in range(4)]

    import kernelsim
    with kernelsim.Cluster(seed=0, epoch="2026-11-26T09:00:00Z", **BARE) as again:
        other = again._internal
        Scheduler(other, again.loop).start()
        small_cluster(other)
        for i in range(4):
            other.create(make_pod(f"web-{i}"))
        again.settle()
        assert [node_of(other, f"web-{i}") for i in range(4)] == first
