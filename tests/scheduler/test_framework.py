import random

from kernelsim.scheduler.framework import (Framework, Plugin, Snapshot, Status, default_normalize_score,
                                           fit_error_message)
from kernelsim.scheduler.plugins import new_default_plugins

from . import CONTROL_PLANE_TAINT, make_node, make_pod, node_info


def test_fit_error_counts_and_sorts_reasons_as_strings():
    statuses = {"a": Status.unschedulable("Insufficient cpu", "Insufficient memory"),
                "b": Status.unschedulable("Insufficient memory"),
                "c": Status.unresolvable("node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }")}
    assert fit_error_message(3, statuses) == (
        "0/3 nodes are available: 1 Insufficient cpu, 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient memory.")


def test_fit_error_with_prefilter_and_postfilter_messages():
    assert fit_error_message(2, {}, pre_filter_msg="persistentvolumeclaim \"data\" not found",
                             post_filter_msg="preemption: x.") == \
        '0/2 nodes are available: persistentvolumeclaim "data" not found. preemption: x.'


def test_default_normalize_score():
    scores = {"a": 2, "b": 1, "c": 0}
    default_normalize_score(scores)
    assert scores == {"a": 100, "b": 50, "c": 0}
    reverse = {"a": 0, "b": 0}
    default_normalize_score(reverse, reverse=True)
    assert reverse == {"a": 100, "b": 100}


def test_cycle_records_every_filter_and_score():
    plugins, weights = new_default_plugins()
    framework = Framework(plugins, weights, random.Random(0))
    snapshot = Snapshot([node_info(make_node("master-1", taints=[CONTROL_PLANE_TAINT])),
                         node_info(make_node("worker-1"), make_pod("old", cpu="1")),
                         node_info(make_node("worker-2"))])
    decision = framework.schedule(make_pod("web", cpu="500m", memory="256Mi"), snapshot)
    assert decision.node == "worker-2"
    assert decision.feasible == ["worker-1", "worker-2"]
    assert ("master-1", "TaintToleration", False,
            "node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }") in decision
    assert ("worker-2", "NodeResourcesFit", True, "") in decision
    raw, normalized, weighted = decision.scores["worker-2"]["TaintToleration"]
    assert (raw, normalized, weighted) == (0, 100, 300)
    assert decision.totals["worker-2"] > decision.totals["worker-1"]
    assert "master-1: filtered out (TaintToleration" in decision.explain()


def test_ties_are_broken_by_the_seeded_rng():
    class Flat(Plugin):
        name = "Flat"

        def score(self, pod, node_info):
            return 1

    def pick(seed):
        framework = Framework([Flat()], {}, random.Random(seed))
        return framework.select_host({"a": 5, "b": 5, "c": 5, "d": 1})

    picks = {pick(seed) for seed in range(20)}
    assert picks == {"a", "b", "c"}
    assert pick(3) == pick(3)


def test_percentage_of_nodes_to_score_matches_kube_scheduler():
    from kernelsim.scheduler.framework import num_feasible_nodes_to_find

    assert num_feasible_nodes_to_find(50) == 50          # fewer than 100 nodes: all of them
    assert num_feasible_nodes_to_find(100) == 100        # 50% - 0 = 50 nodes, but at least 100
    assert num_feasible_nodes_to_find(500) == 230        # 50% - 4 = 46%
    assert num_feasible_nodes_to_find(1000) == 420       # 50% - 8 = 42%
    assert num_feasible_nodes_to_find(5000) == 500       # 50% - 40 = 10%
    assert num_feasible_nodes_to_find(6000) == 300       # 50% - 48 = 2% -> the 5% floor
    assert num_feasible_nodes_to_find(1000, 10) == 100   # a configured percentage, still >= 100 nodes
    assert num_feasible_nodes_to_find(5000, 100) == 5000


def test_a_large_cluster_filters_only_enough_nodes_starting_round_robin():
    plugins, weights = new_default_plugins()
    framework = Framework(plugins, weights, random.Random(0))
    nodes = [node_info(make_node(f"worker-{i:03d}")) for i in range(500)]
    snapshot = Snapshot(nodes)
    first = framework.schedule(make_pod("a", cpu="100m"), snapshot)
    assert len(first.feasible) == 230 and first.feasible[0] == "worker-000"
    assert {r.node for r in first} == set(first.feasible)   # only the nodes it looked at are recorded
    assert framework.next_start_node_index == 230
    second = framework.schedule(make_pod("b", cpu="100m"), snapshot)
    assert second.feasible[0] == "worker-230" and second.feasible[-1] == "worker-459"
    third = framework.schedule(make_pod("c", cpu="100m"), snapshot)
    assert third.feasible[0] == "worker-460" and third.feasible[-1] == "worker-189"  # wraps around
    assert first.node in first.feasible and third.node in third.feasible


def test_rejected_nodes_count_as_processed_and_a_full_cluster_checks_every_node():
    plugins, weights = new_default_plugins()
    framework = Framework(plugins, weights, random.Random(0))
    nodes = [node_info(make_node(f"n-{i:03d}", taints=[CONTROL_PLANE_TAINT] if i < 300 else None))
             for i in range(500)]
    decision = framework.schedule(make_pod("a", cpu="100m"), Snapshot(nodes))
    assert len(decision.feasible) == 200     # only 200 nodes fit: every node was looked at
    assert framework.next_start_node_index == 0


def test_removing_a_pod_subtracts_its_requests_and_keeps_the_others():
    node = make_node("n1", cpu="4", memory="8Gi")
    anti = {"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"labelSelector": {"matchLabels": {"app": "db"}}, "topologyKey": "kubernetes.io/hostname"}]}}
    a = make_pod("a", cpu="500m", memory="1Gi")
    b = make_pod("b")  # no requests: counts only in the non-zero sums
    c = make_pod("c", cpu="250m", memory="256Mi", labels={"app": "db"}, affinity=anti)
    info = node_info(node, a, b, c)
    placed_b = info.pods[1]
    info.remove_pod(make_pod("c"))  # matched by namespace/name, as the cache removes a newer version
    info.remove_pod(make_pod("gone"))  # not on the node: nothing changes
    rest = node_info(node, a, b)
    assert [p["metadata"]["name"] for p in info.pods] == ["a", "b"]
    assert info.requested["cpu"] == rest.requested["cpu"] == 500
    assert info.requested["memory"] == rest.requested["memory"] == 2**30
    assert info.non_zero_requested == rest.non_zero_requested
    assert info.pods_with_required_anti_affinity == []
    info.remove_pod(placed_b)
    assert info.non_zero_requested == node_info(node, a).non_zero_requested
