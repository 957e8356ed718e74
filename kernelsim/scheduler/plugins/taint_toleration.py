"""TaintToleration (pkg/scheduler/framework/plugins/tainttoleration).

Filter: a node with a NoSchedule or NoExecute taint the pod does not
tolerate is out ("node(s) had untolerated taint {key: value}").
Score: fewer untolerated PreferNoSchedule taints is better.
"""

from __future__ import annotations

from ..framework import NodeInfo, Plugin, Status, default_normalize_score

NAME = "TaintToleration"


def toleration_matches(toleration: dict, taint: dict) -> bool:
    """Toleration.ToleratesTaint: same effect (or any), same key (or any with
    Exists), and the same value unless the operator is Exists."""
    effect = toleration.get("effect") or ""
    if effect and effect != taint.get("effect"):
        return False
    key = toleration.get("key") or ""
    operator = toleration.get("operator") or "Equal"
    if key and key != taint.get("key"):
        return False
    if operator == "Exists":
        return True
    if operator == "Equal":
        return (toleration.get("value") or "") == (taint.get("value") or "")
    return False


def tolerates(tolerations: list, taint: dict) -> bool:
    return any(toleration_matches(t, taint) for t in tolerations)


def find_untolerated_taint(taints: list, tolerations: list, effects=("NoSchedule", "NoExecute")) -> dict | None:
    """The first taint (in the node's order) with one of ``effects`` that no toleration matches."""
    for taint in taints:
        if taint.get("effect") in effects and not tolerates(tolerations, taint):
            return taint
    return None


def _tolerations(pod: dict) -> list:
    return (pod.get("spec") or {}).get("tolerations") or []


class TaintToleration(Plugin):
    name = NAME
    events = ("NodeAdd", "NodeUpdate")

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        taint = find_untolerated_taint(node_info.taints, _tolerations(pod))
        if taint is None:
            return None
        return Status.unresolvable(
            f"node(s) had untolerated taint {{{taint.get('key', '')}: {taint.get('value') or ''}}}")

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        taints = node_info.taints
        if not taints:
            return 0
        # Only tolerations that can match PreferNoSchedule count (empty effect = every effect).
        prefer = [t for t in _tolerations(pod) if (t.get("effect") or "PreferNoSchedule") == "PreferNoSchedule"]
        return sum(1 for taint in taints
                   if taint.get("effect") == "PreferNoSchedule" and not tolerates(prefer, taint))

    def normalize_score(self, pod: dict, scores: dict[str, int]) -> None:
        default_normalize_score(scores, reverse=True)
