"""InterPodAffinity (pkg/scheduler/framework/plugins/interpodaffinity), the
required rules.

A term is "pods matching this label selector, in these namespaces" plus a
``topologyKey`` (``kubernetes.io/hostname`` = the same node,
``topology.kubernetes.io/zone`` = the same zone).  PreFilter counts, per
topology domain (key, value), the pods that match each term; Filter then:

- podAffinity: the node's domain must already hold a matching pod
  ("node(s) didn't match pod affinity rules");
- podAntiAffinity: the node's domain must hold none
  ("node(s) didn't match pod anti-affinity rules");
- existing pods' anti-affinity: no pod already in the node's domain may
  refuse this pod ("node(s) didn't satisfy existing pods anti-affinity rules").
"""

from __future__ import annotations

from collections import Counter

from ...api.selectors import label_selector_from_api
from ..framework import NodeInfo, Plugin, Snapshot, Status

NAME = "InterPodAffinity"
ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules"
ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"


class AffinityTerm:
    """A parsed PodAffinityTerm of ``owner`` (namespaces default to the owner's)."""

    def __init__(self, owner: dict, term: dict, namespace_labels):
        self.topology_key = term.get("topologyKey", "")
        self.selector = label_selector_from_api(term.get("labelSelector"))
        self.namespaces = set(term.get("namespaces") or [])
        ns_selector = term.get("namespaceSelector")
        self.namespace_selector = label_selector_from_api(ns_selector) if ns_selector is not None else None
        if not self.namespaces and ns_selector is None:
            self.namespaces = {owner["metadata"].get("namespace", "default")}
        self._namespace_labels = namespace_labels

    def matches(self, pod: dict) -> bool:
        meta = pod["metadata"]
        ns = meta.get("namespace", "default")
        in_namespace = ns in self.namespaces or (
            self.namespace_selector is not None and self.namespace_selector.matches(self._namespace_labels(ns)))
        return in_namespace and self.selector.matches(meta.get("labels") or {})


def _required_terms(pod: dict, kind: str, namespace_labels) -> list[AffinityTerm]:
    rules = (((pod.get("spec") or {}).get("affinity") or {}).get(kind) or {})
    return [AffinityTerm(pod, t, namespace_labels)
            for t in rules.get("requiredDuringSchedulingIgnoredDuringExecution") or []]


class InterPodAffinity(Plugin):
    name = NAME
    events = ("NodeAdd", "NodeUpdate", "AssignedPodAdd", "AssignedPodDelete")

    def __init__(self):
        self._state: dict = {}

    def pre_filter(self, pod: dict, snapshot: Snapshot) -> Status | None:
        labels_of = snapshot.namespace_labels
        affinity = _required_terms(pod, "podAffinity", labels_of)
        anti_affinity = _required_terms(pod, "podAntiAffinity", labels_of)
        existing_anti: Counter = Counter()   # domains where a pod there refuses this pod
        affinity_counts: Counter = Counter()
        anti_counts: Counter = Counter()
        # Existing pods' anti-affinity: only the nodes that run such pods are looked at; the
        # incoming pod's own terms need every pod (as the real PreFilter does).
        for node_info in snapshot.have_pods_with_required_anti_affinity:
            labels = node_info.labels
            for other in node_info.pods_with_required_anti_affinity:
                for term in _required_terms(other, "podAntiAffinity", labels_of):
                    if term.topology_key in labels and term.matches(pod):
                        existing_anti[(term.topology_key, labels[term.topology_key])] += 1
        if affinity or anti_affinity:
            for node_info in snapshot:
                labels = node_info.labels
                for other in node_info.pods:
                    for counts, terms in ((affinity_counts, affinity), (anti_counts, anti_affinity)):
                        for term in terms:
                            if term.topology_key in labels and term.matches(other):
                                counts[(term.topology_key, labels[term.topology_key])] += 1
        if not existing_anti and not affinity and not anti_affinity:
            self._state = {}
            return Status.skip()
        self._state = {"pod": pod, "affinity": affinity, "anti_affinity": anti_affinity,
                       "existing_anti": existing_anti, "affinity_counts": affinity_counts,
                       "anti_counts": anti_counts}
        return None

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        state = self._state if self._state.get("pod") is pod else None
        if state is None:
            if self.pre_filter(pod, Snapshot([node_info])) is not None:
                return None
            state = self._state
        labels = node_info.labels
        if not self._satisfies_affinity(state, labels):
            return Status.unresolvable(ERR_REASON_AFFINITY)
        for term in state["anti_affinity"]:
            if term.topology_key in labels and state["anti_counts"][(term.topology_key, labels[term.topology_key])]:
                return Status.unschedulable(ERR_REASON_ANTI_AFFINITY)
        if any(state["existing_anti"][(k, v)] for k, v in labels.items()):
            return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY)
        return None

    @staticmethod
    def _satisfies_affinity(state: dict, labels: dict) -> bool:
        terms, counts = state["affinity"], state["affinity_counts"]
        if any(t.topology_key not in labels for t in terms):
            return False    # every topology label must exist on the node
        if all(counts[(t.topology_key, labels[t.topology_key])] > 0 for t in terms):
            return True
        # The first pod of a group that wants to be with itself: when no pod
        # anywhere matches yet and the pod matches its own terms, let it in.
        return not counts and all(t.matches(state["pod"]) for t in terms)
