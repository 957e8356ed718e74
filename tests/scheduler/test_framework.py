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
