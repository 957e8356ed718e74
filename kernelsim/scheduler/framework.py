"""The kube-scheduler framework (pkg/scheduler/framework and k8s.io/kube-scheduler/framework).

A scheduling cycle runs plugins at fixed extension points:

    PreFilter -> Filter (every node) -> PostFilter (only when no node fits)
    -> PreScore -> Score -> NormalizeScore -> weight -> select the highest

Plugins are small classes (see ``plugins/``) with a ``name`` and any of
``pre_filter(pod, snapshot)``, ``filter(pod, node_info)``,
``post_filter(pod, snapshot, statuses, run_filters)``, ``pre_score(pod, nodes)``,
``score(pod, node_info) -> 0..100`` and ``normalize_score(pod, scores)``.
A Filter returns ``None`` when the node fits, or a :class:`Status` with the
reasons a user sees in ``kubectl describe pod``.

When no node fits, :class:`FitError` builds the message exactly as the real
``FitError.Error()`` does: ``0/3 nodes are available: 1 node(s) had untolerated
taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: ...``
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable, NamedTuple

from ..api.defaults import quantity_value

MAX_NODE_SCORE = 100
# What the scheduler assumes for a container without cpu/memory requests when
# it scores nodes (pkg/scheduler/util: DefaultMilliCPURequest, DefaultMemoryRequest).
DEFAULT_MILLI_CPU_REQUEST = 100
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024

# Status codes (fwk.Code).
UNSCHEDULABLE = "Unschedulable"
UNSCHEDULABLE_AND_UNRESOLVABLE = "UnschedulableAndUnresolvable"
SKIP = "Skip"
ERROR = "Error"

NO_NODE_AVAILABLE_MSG = "0/{} nodes are available"
ERR_NO_NODES_AVAILABLE = "no nodes available to schedule pods"

# How many feasible nodes a cycle looks for (schedule_one.go: numFeasibleNodesToFind).
MIN_FEASIBLE_NODES_TO_FIND = 100
MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5


def num_feasible_nodes_to_find(num_all_nodes: int, percentage_of_nodes_to_score: int = 0) -> int:
    """``percentageOfNodesToScore``: with fewer than 100 nodes, every node; otherwise the given
    percentage, or by default (0) an adaptive one, 50% - nodes/125 but at least 5%, and never
    fewer than 100 nodes (5,000 nodes: 10%, 500 nodes)."""
    if num_all_nodes < MIN_FEASIBLE_NODES_TO_FIND:
        return num_all_nodes
    percentage = percentage_of_nodes_to_score
    if percentage == 0:
        percentage = max(50 - num_all_nodes // 125, MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND)
    num_nodes = num_all_nodes * percentage // 100
    return max(num_nodes, MIN_FEASIBLE_NODES_TO_FIND)


# ---------------------------------------------------------------------------
# Status: what a plugin says about a pod and a node.


@dataclass(frozen=True)
class Status:
    code: str
    reasons: tuple = ()
    plugin: str = ""

    @classmethod
    def unschedulable(cls, *reasons: str) -> "Status":
        """The node does not fit now, but removing pods (preemption) might help."""
        return cls(UNSCHEDULABLE, tuple(reasons))

    @classmethod
    def unresolvable(cls, *reasons: str) -> "Status":
        """The node does not fit, and preemption cannot change that."""
        return cls(UNSCHEDULABLE_AND_UNRESOLVABLE, tuple(reasons))

    @classmethod
    def skip(cls) -> "Status":
        """PreFilter/PreScore: this plugin has nothing to say about this pod."""
        return cls(SKIP)

    @property
    def message(self) -> str:
        return ", ".join(self.reasons)

    @property
    def rejected(self) -> bool:
        return self.code in (UNSCHEDULABLE, UNSCHEDULABLE_AND_UNRESOLVABLE)

    def with_plugin(self, plugin: str) -> "Status":
        return Status(self.code, self.reasons, plugin)


# ---------------------------------------------------------------------------
# Resources: requests of a pod, allocatable of a node (framework.Resource).

_NATIVE = ("cpu", "memory", "ephemeral-storage", "pods")


@functools.lru_cache(maxsize=4096)
def quantity(resource: str, value) -> int:
    """A quantity as the scheduler counts it: millicores for cpu, whole units
    (bytes, pods, devices) otherwise, rounded up like MilliValue()/Value()."""
    amount = quantity_value(value)
    if amount is None:
        return 0
    return math.ceil(amount * 1000) if resource == "cpu" else math.ceil(amount)


def resource_list(rl: dict | None) -> dict[str, int]:
    return {name: quantity(name, value) for name, value in (rl or {}).items()}


def _container_requests(container: dict, non_missing: dict | None) -> dict[str, int]:
    requests = resource_list((container.get("resources") or {}).get("requests"))
    for name, value in (non_missing or {}).items():
        requests.setdefault(name, value)
    return requests


def _add(total: dict, more: dict) -> None:
    for name, value in more.items():
        total[name] = total.get(name, 0) + value


def _subtract(total: dict, less: dict) -> None:
    """Undo :func:`_add` (a resource keeps its entry at zero, as framework.Resource's fields do)."""
    for name, value in less.items():
        total[name] = total.get(name, 0) - value


# pod_requests() results by pod object: a scheduling cycle asks for the same pod's requests
# once per node and per plugin, and rebuilds every NodeInfo from its pods.  The entry keeps
# the pod object itself, so a key is only trusted for that very object (ids can be reused
# once an object is gone); objects from the watch cache are never changed in place.  The
# memo is small because it keeps its pods alive: a cycle asks about one pod many times, and
# NodeInfo asks once per pod, so a few hundred entries catch nearly every repeat.
_REQUESTS_MEMO: dict[tuple, tuple[dict, dict]] = {}
# The scheduler's values for containers that request nothing (one dict, so the memo knows it).
_NON_ZERO_DEFAULTS = {"cpu": DEFAULT_MILLI_CPU_REQUEST, "memory": DEFAULT_MEMORY_REQUEST}
_MEMO_LIMIT = 512


def pod_requests(pod: dict, non_missing: dict | None = None) -> dict[str, int]:
    """The resources a pod asks for (read-only; see :func:`_pod_requests`)."""
    if non_missing is None:
        key = (id(pod), ())
    elif non_missing is _NON_ZERO_DEFAULTS:
        key = (id(pod), None)
    else:
        key = (id(pod), tuple(sorted(non_missing.items())))
    entry = _REQUESTS_MEMO.get(key)
    if entry is not None and entry[0] is pod:
        return entry[1]
    result = _pod_requests(pod, non_missing)
    if len(_REQUESTS_MEMO) >= _MEMO_LIMIT:
        _REQUESTS_MEMO.clear()
    _REQUESTS_MEMO[key] = (pod, result)
    return result


def _pod_requests(pod: dict, non_missing: dict | None = None) -> dict[str, int]:
    """The resources a pod asks for (component-helpers resource.PodRequests).

    Regular and sidecar containers run together, so their requests add up;
    init containers run one at a time, so only the largest one (plus the
    sidecars started before it) counts.  Pod-level requests, when set, win
    for their resources; the RuntimeClass overhead is added on top.
    ``non_missing`` gives values for containers that request nothing (the
    scheduler's 100m / 200Mi when it scores nodes).
    """
    spec = pod.get("spec") or {}
    total: dict[str, int] = {}
    for container in spec.get("containers") or []:
        _add(total, _container_requests(container, non_missing))
    sidecars: dict[str, int] = {}
    init_peak: dict[str, int] = {}
    for container in spec.get("initContainers") or []:
        requests = _container_requests(container, non_missing)
        if container.get("restartPolicy") == "Always":
            _add(sidecars, requests)
            _add(total, requests)
        else:
            for name, value in requests.items():
                init_peak[name] = max(init_peak.get(name, 0), sidecars.get(name, 0) + value)
    for name, value in init_peak.items():
        total[name] = max(total.get(name, 0), value)
    pod_level = resource_list(((spec.get("resources") or {}).get("requests")))
    for name in ("cpu", "memory"):
        if name in pod_level:
            total[name] = pod_level[name]
    _add(total, resource_list(spec.get("overhead")))
    return total


def non_zero_requests(pod: dict) -> dict[str, int]:
    """Requests with the scheduler's defaults for containers that set none."""
    return pod_requests(pod, _NON_ZERO_DEFAULTS)


def pod_priority(pod: dict) -> int:
    return (pod.get("spec") or {}).get("priority") or 0


def pod_key(pod: dict) -> str:
    meta = pod.get("metadata") or {}
    return f"{meta.get('namespace', 'default')}/{meta.get('name')}"


def has_required_anti_affinity(pod: dict) -> bool:
    affinity = (pod.get("spec") or {}).get("affinity") or {}
    return bool((affinity.get("podAntiAffinity") or {}).get("requiredDuringSchedulingIgnoredDuringExecution"))


def host_ports(pod: dict) -> list[tuple[str, str, int]]:
    """(hostIP, protocol, hostPort) of every container port that claims a host port."""
    spec = pod.get("spec") or {}
    out = []
    for container in (spec.get("initContainers") or []) + (spec.get("containers") or []):
        for port in container.get("ports") or []:
            if port.get("hostPort"):
                out.append((port.get("hostIP") or "0.0.0.0", port.get("protocol") or "TCP", port["hostPort"]))
    return out


# ---------------------------------------------------------------------------
# NodeInfo and the Snapshot a cycle works on.


class NodeInfo:
    """One node as the scheduler sees it: the Node, the pods assigned to it
    (including assumed ones) and the sums of their requests."""

    def __init__(self, node: dict, pods: Iterable[dict] = ()):
        self.node = node
        self.allocatable = resource_list((node.get("status") or {}).get("allocatable"))
        self.pods: list[dict] = []
        self.requested: dict[str, int] = {}
        self.non_zero_requested: dict[str, int] = {}
        #: the pods with required pod anti-affinity (PodsWithRequiredAntiAffinity)
        self.pods_with_required_anti_affinity: list[dict] = []
        for pod in pods:
            self.add_pod(pod)

    @property
    def name(self) -> str:
        return self.node["metadata"]["name"]

    @property
    def labels(self) -> dict:
        return self.node["metadata"].get("labels") or {}

    @property
    def taints(self) -> list:
        return (self.node.get("spec") or {}).get("taints") or []

    @property
    def allowed_pod_number(self) -> int:
        return self.allocatable.get("pods", 0)

    def add_pod(self, pod: dict) -> None:
        self.pods.append(pod)
        _add(self.requested, pod_requests(pod))
        _add(self.non_zero_requested, non_zero_requests(pod))
        if has_required_anti_affinity(pod):
            self.pods_with_required_anti_affinity.append(pod)

    def remove_pod(self, pod: dict) -> None:
        """``NodeInfo.RemovePod``: take the pod (matched by namespace/name) off the node and
        subtract its requests, without recounting the pods that stay."""
        key = pod_key(pod)
        for i, p in enumerate(self.pods):
            if p is pod or pod_key(p) == key:
                break
        else:
            return
        removed = self.pods.pop(i)
        _subtract(self.requested, pod_requests(removed))
        _subtract(self.non_zero_requested, non_zero_requests(removed))
        if self.pods_with_required_anti_affinity:
            self.pods_with_required_anti_affinity = [
                p for p in self.pods_with_required_anti_affinity if p is not removed]

    def used_ports(self) -> set[tuple[str, str, int]]:
        return {p for pod in self.pods for p in host_ports(pod)}

    def clone(self) -> "NodeInfo":
        return NodeInfo(self.node, list(self.pods))

    def __repr__(self) -> str:
        return f"<NodeInfo {self.name} pods={len(self.pods)} requested={self.requested}>"


class Snapshot:
    """The cluster state one scheduling cycle works on (cache.Snapshot)."""

    def __init__(self, node_infos: Iterable[NodeInfo], namespace_labels: Callable[[str], dict] | None = None,
                 *, by_name: dict | None = None, sorted_infos: list | None = None,
                 with_anti_affinity: list | None = None):
        """``sorted_infos``/``by_name``/``with_anti_affinity``: the scheduler cache's own,
        already up to date (UpdateSnapshot), so a cycle does not rebuild them."""
        self.node_infos = sorted_infos if sorted_infos is not None else sorted(node_infos, key=lambda ni: ni.name)
        self._by_name = by_name if by_name is not None else {ni.name: ni for ni in self.node_infos}
        self.namespace_labels = namespace_labels or (lambda ns: {"kubernetes.io/metadata.name": ns})
        self._with_anti_affinity = with_anti_affinity

    @property
    def have_pods_with_required_anti_affinity(self) -> list[NodeInfo]:
        """The nodes that run a pod with required anti-affinity (HavePodsWithRequiredAntiAffinityList)."""
        if self._with_anti_affinity is None:
            self._with_anti_affinity = [ni for ni in self.node_infos if ni.pods_with_required_anti_affinity]
        return self._with_anti_affinity

    def get(self, name: str) -> NodeInfo | None:
        return self._by_name.get(name)

    def __iter__(self):
        return iter(self.node_infos)

    def __len__(self) -> int:
        return len(self.node_infos)


# ---------------------------------------------------------------------------
# Plugins.


class Plugin:
    """Base class; a plugin overrides the extension points it takes part in."""

    name = ""
    #: cluster events that may make a pod this plugin rejected schedulable
    #: (EventsToRegister): NodeAdd, NodeUpdate, AssignedPodAdd, AssignedPodDelete
    events: tuple[str, ...] = ("NodeAdd", "NodeUpdate")

    def pre_filter(self, pod: dict, snapshot: Snapshot) -> Status | None:
        return None

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        return None

    def pre_score(self, pod: dict, nodes: list[NodeInfo]) -> Status | None:
        return None

    def score(self, pod: dict, node_info: NodeInfo) -> int:
        return 0

    def normalize_score(self, pod: dict, scores: dict[str, int]) -> None:
        """Rescale raw scores in place to 0..100 (ScoreExtensions.NormalizeScore)."""


def implements(plugin: Plugin, point: str) -> bool:
    """Whether ``plugin`` overrides the extension point method ``point``."""
    method = getattr(type(plugin), point, None)
    return method is not None and method is not getattr(Plugin, point, None)


def default_normalize_score(scores: dict[str, int], reverse: bool = False) -> None:
    """helper.DefaultNormalizeScore: scale to 0..100 by the highest score; ``reverse`` flips it."""
    highest = max(scores.values(), default=0)
    for node, score in scores.items():
        if highest == 0:
            scores[node] = MAX_NODE_SCORE if reverse else 0
            continue
        value = MAX_NODE_SCORE * score // highest
        scores[node] = MAX_NODE_SCORE - value if reverse else value


# ---------------------------------------------------------------------------
# The record of a cycle ("why this node") and the error when nothing fits.


class FilterResult(NamedTuple):
    node: str
    plugin: str
    ok: bool
    reason: str


# A node passing a filter plugin is recorded with the same (immutable) FilterResult every
# time, so that a thousand kept Decisions at thousands of nodes share them instead of each
# holding its own copies.
_PASSES: dict[str, dict[str, FilterResult]] = {}
_PASSES_LIMIT = 50_000  # per plugin; more nodes than that only means fewer shared results


class Decision(list):
    """Why a pod went where it went: a list of ``FilterResult(node, plugin, ok, reason)``,
    one per node and filter plugin, plus the scores and the outcome.

    ``scores[node][plugin] = (raw, normalized, weighted)``, ``totals[node]``
    is the sum of the weighted scores, ``node`` is the selected node (or
    None), ``message`` is the FailedScheduling text when nothing fit.
    The real framework stops at the first Filter that rejects a node; this
    record runs them all so the course can show every reason, while the
    FitError message (like the real one) counts only the first.
    """

    def __init__(self, pod: str, time: float = 0.0):
        super().__init__()
        self.pod = pod
        self.time = time
        self.attempt = 0
        self.scores: dict[str, dict[str, tuple[int, int, int]]] = {}
        self.totals: dict[str, int] = {}
        self.node: str | None = None
        self.message = ""
        self.feasible: list[str] = []

    @property
    def result(self) -> str:
        return "Scheduled" if self.node else "Unschedulable"

    def failed(self, node: str) -> list[FilterResult]:
        return [r for r in self if r.node == node and not r.ok]

    def explain(self) -> str:
        """A plain-text account, node by node."""
        lines = [f"pod {self.pod}: {self.result}" + (f" on {self.node}" if self.node else "")]
        for node in dict.fromkeys(r.node for r in self):
            bad = self.failed(node)
            if bad:
                why = "; ".join(f"{r.plugin}: {r.reason}" for r in bad)
                lines.append(f"  {node}: filtered out ({why})")
            else:
                total = self.totals.get(node)
                detail = ", ".join(f"{p} {w}" for p, (_, _, w) in self.scores.get(node, {}).items())
                lines.append(f"  {node}: fits" + (f", score {total} ({detail})" if total is not None else ""))
        if self.message:
            lines.append(f"  {self.message}")
        return "\n".join(lines)


def fit_error_message(num_nodes: int, statuses: dict[str, Status], *, pre_filter_msg: str = "",
                      post_filter_msg: str = "", absent_reasons: tuple = ()) -> str:
    """FitError.Error(): "0/N nodes are available: <counted reasons>. <post filter message>"."""
    msg = NO_NODE_AVAILABLE_MSG.format(num_nodes) + ":"
    if pre_filter_msg:
        msg += f" {pre_filter_msg}."
    else:
        counts = Counter(reason for status in statuses.values() for reason in status.reasons)
        absent = num_nodes - len(statuses)
        if absent > 0:
            for reason in absent_reasons:
                counts[reason] += absent
        histogram = sorted(f"{n} {reason}" for reason, n in counts.items())
        if histogram:
            msg += " " + ", ".join(histogram) + "."
    if post_filter_msg:
        msg += " " + post_filter_msg
    return msg


class FitError(Exception):
    """No node fits the pod; ``str()`` is the FailedScheduling message."""

    def __init__(self, pod: dict, num_nodes: int, statuses: dict[str, Status], decision: Decision,
                 pre_filter_msg: str = "", post_filter_msg: str = ""):
        self.pod = pod
        self.num_nodes = num_nodes
        self.statuses = statuses
        self.decision = decision
        self.pre_filter_msg = pre_filter_msg
        self.post_filter_msg = post_filter_msg
        super().__init__(fit_error_message(num_nodes, statuses, pre_filter_msg=pre_filter_msg,
                                           post_filter_msg=post_filter_msg))

    @property
    def unschedulable_plugins(self) -> set[str]:
        return {s.plugin for s in self.statuses.values() if s.plugin}


class NoNodesAvailable(Exception):
    def __init__(self):
        super().__init__(ERR_NO_NODES_AVAILABLE)


# ---------------------------------------------------------------------------
# The framework: one profile's plugins and the scheduling cycle.


@dataclass
class Framework:
    """The plugins of one scheduler profile, run in the order of the docs.

    ``weights`` maps score plugin names to their weight (the default profile:
    TaintToleration 3, NodeAffinity 2, InterPodAffinity 2, NodeResourcesFit 1,
    NodeResourcesBalancedAllocation 1).  ``rng`` breaks ties between nodes
    with the same total score, as the real selectHost picks randomly.
    """

    plugins: list[Plugin]
    weights: dict[str, int] = field(default_factory=dict)
    rng: object = None
    #: KubeSchedulerConfiguration's percentageOfNodesToScore (0: the adaptive default)
    percentage_of_nodes_to_score: int = 0
    #: where the next cycle starts looking (nextStartNodeIndex): round-robin over the nodes
    next_start_node_index: int = 0

    def by_point(self, point: str) -> list[Plugin]:
        """The plugins that implement ``point``, in order (remembered while the plugin list stays the same)."""
        signature = tuple(map(id, self.plugins))
        cache = self.__dict__.setdefault("_points", {})
        cached = cache.get(point)
        if cached is None or cached[0] != signature:
            cached = cache[point] = (signature, [p for p in self.plugins if implements(p, point)])
        return cached[1]

    # -- extension points ------------------------------------------------------
    def run_pre_filter(self, pod: dict, snapshot: Snapshot) -> tuple[Status | None, set[str]]:
        """PreFilter: the first rejection ends the cycle; Skip turns that plugin's Filter off."""
        skipped: set[str] = set()
        for plugin in self.by_point("pre_filter"):
            status = plugin.pre_filter(pod, snapshot)
            if status is None:
                continue
            if status.code == SKIP:
                skipped.add(plugin.name)
            elif status.rejected:
                return status.with_plugin(plugin.name), skipped
        return None, skipped

    def run_filters(self, pod: dict, node_info: NodeInfo, skipped: set[str] = frozenset(),
                    record: Decision | None = None) -> Status | None:
        """Filter one node; returns the first rejection (or None when it fits)."""
        return self._filter_node(pod, node_info, self._filter_plugins(skipped), record)

    def _filter_plugins(self, skipped: set[str]) -> list[Plugin]:
        """The Filter plugins that PreFilter did not turn off."""
        return [p for p in self.by_point("filter") if p.name not in skipped]

    @staticmethod
    def _filter_node(pod: dict, node_info: NodeInfo, plugins: list[Plugin],
                     record: Decision | None) -> Status | None:
        """run_filters() with the cycle's filter plugins worked out once."""
        first = None
        if record is None:
            for plugin in plugins:
                status = plugin.filter(pod, node_info)
                if status is not None:
                    return status.with_plugin(plugin.name)
            return None
        node, append = node_info.name, record.append
        for plugin in plugins:
            status = plugin.filter(pod, node_info)
            if status is None:
                passes = _PASSES.get(plugin.name)
                if passes is None:
                    passes = _PASSES[plugin.name] = {}
                result = passes.get(node)
                if result is None:
                    if len(passes) >= _PASSES_LIMIT:
                        passes.clear()
                    result = passes[node] = FilterResult(node, plugin.name, True, "")
                append(result)
            else:
                append(FilterResult(node, plugin.name, False, status.message))
                if first is None:
                    first = status.with_plugin(plugin.name)
        return first

    def run_post_filter(self, pod: dict, snapshot: Snapshot, statuses: dict[str, Status],
                        skipped: set[str]) -> str:
        messages = []
        for plugin in self.by_point("post_filter"):
            msg = plugin.post_filter(pod, snapshot, statuses,
                                     lambda p, ni: self.run_filters(p, ni, skipped))
            if msg:
                messages.append(msg)
        return " ".join(messages)

    def run_score(self, pod: dict, nodes: list[NodeInfo], decision: Decision) -> dict[str, int]:
        """PreScore, Score, NormalizeScore, then weight and sum per node."""
        names = [ni.name for ni in nodes]
        totals = dict.fromkeys(names, 0)
        scores = decision.scores
        per_node = [scores.setdefault(name, {}) for name in names]
        for plugin in self.by_point("score"):
            if implements(plugin, "pre_score"):
                status = plugin.pre_score(pod, nodes)
                if status is not None and status.code == SKIP:
                    continue
            score = plugin.score
            raw = dict(zip(names, [score(pod, ni) for ni in nodes]))
            normalized = dict(raw)
            plugin.normalize_score(pod, normalized)
            weight, plugin_name = self.weights.get(plugin.name, 1), plugin.name
            for name, record in zip(names, per_node):
                value = normalized[name]
                record[plugin_name] = (raw[name], value, value * weight)
                totals[name] += value * weight
        return totals

    def select_host(self, totals: dict[str, int]) -> str:
        """The node with the highest total; among equals, each is equally likely
        (reservoir sampling with the simulation's seeded rng, as selectHost does)."""
        selected, best, ties = None, None, 0
        for node, score in totals.items():
            if best is None or score > best:
                selected, best, ties = node, score, 1
            elif score == best:
                ties += 1
                if self.rng is not None and self.rng.randrange(ties) == 0:
                    selected = node
        return selected

    # -- the cycle -------------------------------------------------------------
    def schedule(self, pod: dict, snapshot: Snapshot, decision: Decision | None = None) -> Decision:
        """Find a node for ``pod``; returns the Decision, or raises FitError / NoNodesAvailable."""
        decision = decision if decision is not None else Decision(pod_key(pod))
        if len(snapshot) == 0:
            raise NoNodesAvailable()
        status, skipped = self.run_pre_filter(pod, snapshot)
        if status is not None:
            statuses = {ni.name: status for ni in snapshot}
            post = self.run_post_filter(pod, snapshot, statuses, skipped)
            raise self._fit_error(pod, snapshot, statuses, decision, pre_filter_msg=status.message,
                                  post_filter_msg=post)
        statuses: dict[str, Status] = {}
        feasible: list[NodeInfo] = []
        # findNodesThatPassFilters: start where the last cycle stopped and stop once enough
        # feasible nodes are found (percentageOfNodesToScore); with fewer than 100 nodes every
        # node is checked, so the start index comes back to where it was.
        nodes = snapshot.node_infos
        num_all = len(nodes)
        to_find = num_feasible_nodes_to_find(num_all, self.percentage_of_nodes_to_score)
        start = self.next_start_node_index % num_all
        processed = 0
        plugins = self._filter_plugins(skipped)
        for i in range(num_all):
            node_info = nodes[(start + i) % num_all]
            processed += 1
            rejection = self._filter_node(pod, node_info, plugins, decision)
            if rejection is None:
                feasible.append(node_info)
                if len(feasible) >= to_find:
                    break
            else:
                statuses[node_info.name] = rejection
        self.next_start_node_index = (start + processed) % num_all
        decision.feasible = [ni.name for ni in feasible]
        if not feasible:
            post = self.run_post_filter(pod, snapshot, statuses, skipped)
            raise self._fit_error(pod, snapshot, statuses, decision, post_filter_msg=post)
        if len(feasible) == 1:
            # Only one node passed the filters: no need to score (schedulePod does the same).
            decision.node = feasible[0].name
            return decision
        decision.totals = self.run_score(pod, feasible, decision)
        decision.node = self.select_host(decision.totals)
        return decision

    @staticmethod
    def _fit_error(pod, snapshot, statuses, decision, **messages) -> FitError:
        err = FitError(pod, len(snapshot), statuses, decision, **messages)
        decision.message = str(err)
        return err
