"""NodeResourcesFit and NodeResourcesBalancedAllocation
(pkg/scheduler/framework/plugins/noderesources).

Filter: the pod's requests must fit in the node's allocatable minus what the
pods already there request, and the node must have room for one more pod
("Insufficient cpu", "Insufficient memory", "Too many pods").
Score (LeastAllocated, the default strategy): the more cpu and memory left
after placing the pod, the better -- so replicas spread over the nodes.
BalancedAllocation prefers nodes whose cpu and memory usage stay in proportion.
"""

from __future__ import annotations

from typing import NamedTuple

from ..framework import (MAX_NODE_SCORE, NodeInfo, Plugin, Status, non_zero_requests, pod_requests)

NAME = "NodeResourcesFit"
BALANCED_ALLOCATION = "NodeResourcesBalancedAllocation"
#: the default scoring resources and weights (NodeResourcesFitArgs.ScoringStrategy.Resources)
SCORING_RESOURCES = (("cpu", 1), ("memory", 1))


class InsufficientResource(NamedTuple):
    resource: str
    reason: str
    requested: int
    used: int
    capacity: int
    #: even an empty node is too small, so preemption cannot help
    unresolvable: bool = False


_NATIVE_ORDER = ("cpu", "memory", "ephemeral-storage")


def _check_order(requests: dict) -> list[str]:
    """cpu, memory, ephemeral-storage, then extended resources by name."""
    return [r for r in _NATIVE_ORDER if r in requests] + sorted(r for r in requests if r not in _NATIVE_ORDER)


def _checks(requests: dict[str, int]) -> list[tuple[str, int]]:
    """(resource, wanted) in check order, for the resources actually asked for (not "pods")."""
    return [(r, requests[r]) for r in _check_order(requests) if r != "pods" and requests[r] > 0]


def fits_request(requests: dict[str, int], node_info: NodeInfo,
                 checks: list[tuple[str, int]] | None = None) -> list[InsufficientResource]:
    """Every way the pod does not fit (noderesources.fitsRequest); ``checks`` are
    ``_checks(requests)`` when the caller has them already."""
    out = []
    pods_there = len(node_info.pods)
    if pods_there + 1 > node_info.allowed_pod_number:
        out.append(InsufficientResource("pods", "Too many pods", 1, pods_there, node_info.allowed_pod_number))
    if checks is None:
        checks = _checks(requests)
    if not checks:
        return out
    allocatable, requested = node_info.allocatable, node_info.requested
    for resource, wanted in checks:
        capacity = allocatable.get(resource, 0)
        used = requested.get(resource, 0)
        if wanted > capacity - used:
            out.append(InsufficientResource(resource, f"Insufficient {resource}", wanted, used, capacity,
                                            unresolvable=wanted > capacity))
    return out


def least_requested_score(requested: int, capacity: int) -> int:
    if capacity == 0 or requested > capacity:
        return 0
    return (capacity - requested) * MAX_NODE_SCORE // capacity


def _allocation(pod: dict, node_info: NodeInfo, use_requested: bool) -> list[tuple[int, int, int]]:
    """(requested with the pod, allocatable, weight) per scoring resource."""
    if use_requested:
        pod_request, on_node = pod_requests(pod), node_info.requested
    else:
        pod_request, on_node = non_zero_requests(pod), node_info.non_zero_requested
    return [(on_node.get(r, 0) + pod_request.get(r, 0), node_info.allocatable.get(r, 0), weight)
            for r, weight in SCORING_RESOURCES]


class NodeResourcesFit(Plugin):
    name = NAME
    events = ("NodeAdd", "NodeUpdate", "AssignedPodDelete")

    def __init__(self):
        self._state: tuple = (None, None, None)  # (pod, its requests, its checks) of this cycle

    def pre_filter(self, pod: dict, snapshot) -> Status | None:
        """Work out the pod's requests and checks once for the cycle (the real PreFilter's state)."""
        requests = pod_requests(pod)
        self._state = (pod, requests, _checks(requests))
        return None

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        state_pod, requests, checks = self._state
        if state_pod is not pod:
            requests, checks = pod_requests(pod), None
        insufficient = fits_request(requests, node_info, checks)
        if not insufficient:
            return None
        reasons = [i.reason for i in insufficient]
        if any(i.unresolvable for i in insufficient):
            return Status.unresolvable(*reasons)
        return Status.unschedulable(*reasons)

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        """LeastAllocated: the weighted average share of cpu and memory left free."""
        total = weights = 0
        for requested, allocatable, weight in _allocation(pod, node_info, use_requested=False):
            if allocatable == 0:
                continue
            total += least_requested_score(requested, allocatable) * weight
            weights += weight
        return total // weights if weights else 0


class BalancedAllocation(Plugin):
    name = BALANCED_ALLOCATION
    events = ("NodeAdd", "NodeUpdate", "AssignedPodDelete")

    def pre_score(self, pod: dict, nodes: list[NodeInfo]) -> Status | None:
        # A pod that requests nothing would pile onto one node: skip it (kubernetes#129138).
        requests = pod_requests(pod)
        if not any(requests.get(r, 0) for r, _ in SCORING_RESOURCES):
            return Status.skip()
        return None

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        """(1 - standard deviation of the cpu and memory fractions) * 100."""
        fractions = [min(1.0, requested / allocatable)
                     for requested, allocatable, _ in _allocation(pod, node_info, use_requested=True)
                     if allocatable]
        std = 0.0
        if len(fractions) == 2:
            std = abs(fractions[0] - fractions[1]) / 2
        elif len(fractions) > 2:
            mean = sum(fractions) / len(fractions)
            std = (sum((f - mean) ** 2 for f in fractions) / len(fractions)) ** 0.5
        return int((1 - std) * MAX_NODE_SCORE)
