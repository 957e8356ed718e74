"""NodeAffinity (pkg/scheduler/framework/plugins/nodeaffinity).

Filter: the node must carry every ``spec.nodeSelector`` label and match one
of the ``requiredDuringSchedulingIgnoredDuringExecution`` node selector terms
("node(s) didn't match Pod's node affinity/selector").
Score: the sum of the weights of the ``preferredDuringScheduling...`` terms
the node matches, scaled to 0..100.
"""

from __future__ import annotations

from ..framework import NodeInfo, Plugin, Status, default_normalize_score

NAME = "NodeAffinity"
ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector"


def _as_int(text) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def requirement_matches(req: dict, values_by_key: dict) -> bool:
    """One NodeSelectorRequirement against node labels (or fields)."""
    key, op, values = req.get("key"), req.get("operator"), req.get("values") or []
    present = key in values_by_key
    value = values_by_key.get(key)
    if op == "In":
        return present and value in values
    if op == "NotIn":
        return not present or value not in values
    if op == "Exists":
        return present
    if op == "DoesNotExist":
        return not present
    if op in ("Gt", "Lt"):
        have, want = _as_int(value), _as_int(values[0]) if len(values) == 1 else None
        if not present or have is None or want is None:
            return False
        return have > want if op == "Gt" else have < want
    return False


def term_matches(term: dict, node_info: NodeInfo) -> bool:
    """A NodeSelectorTerm: all expressions and fields must match; an empty term matches nothing."""
    expressions = term.get("matchExpressions") or []
    fields = term.get("matchFields") or []
    if not expressions and not fields:
        return False
    node_fields = {"metadata.name": node_info.name}
    return (all(requirement_matches(r, node_info.labels) for r in expressions)
            and all(requirement_matches(r, node_fields) for r in fields))


def _node_affinity(pod: dict) -> dict:
    return ((pod.get("spec") or {}).get("affinity") or {}).get("nodeAffinity") or {}


def required_matches(pod: dict, node_info: NodeInfo) -> bool:
    """GetRequiredNodeAffinity(pod).Match(node): nodeSelector AND one of the required terms."""
    selector = (pod.get("spec") or {}).get("nodeSelector") or {}
    if any(node_info.labels.get(k) != v for k, v in selector.items()):
        return False
    required = _node_affinity(pod).get("requiredDuringSchedulingIgnoredDuringExecution")
    if not required:
        return True
    return any(term_matches(t, node_info) for t in required.get("nodeSelectorTerms") or [])


class NodeAffinity(Plugin):
    name = NAME
    events = ("NodeAdd", "NodeUpdate")

    def pre_filter(self, pod: dict, snapshot) -> Status | None:
        """Skip when the pod has neither a nodeSelector nor a required node affinity
        (the real PreFilter does the same: Filter has nothing to check on any node)."""
        if not (pod.get("spec") or {}).get("nodeSelector") and \
                not _node_affinity(pod).get("requiredDuringSchedulingIgnoredDuringExecution"):
            return Status.skip()
        return None

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        return None if required_matches(pod, node_info) else Status.unresolvable(ERR_REASON_POD)

    def pre_score(self, pod: dict, nodes: list) -> Status | None:
        """Skip scoring when the pod prefers nothing (every node would score 0)."""
        if not _node_affinity(pod).get("preferredDuringSchedulingIgnoredDuringExecution"):
            return Status.skip()
        return None

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        preferred = _node_affinity(pod).get("preferredDuringSchedulingIgnoredDuringExecution") or []
        return sum(t.get("weight", 0) for t in preferred
                   if t.get("weight") and term_matches(t.get("preference") or {}, node_info))

    def normalize_score(self, pod: dict, scores: dict[str, int]) -> None:
        default_normalize_score(scores)
