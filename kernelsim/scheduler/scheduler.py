"""kube-scheduler (pkg/scheduler: scheduler.go, schedule_one.go, eventhandlers.go).

It watches Nodes and Pods.  A pod with no ``spec.nodeName`` whose
``schedulerName`` is ``default-scheduler`` enters the scheduling queue; one
pod at a time, ``schedule_one`` takes a snapshot of the cache, runs the
framework's cycle (Filter, Score, select), reserves the node in its cache
and binds the pod through ``POST pods/<name>/binding``.  When no node fits,
the pod stays Pending with ``PodScheduled=False`` (reason Unschedulable) and
a FailedScheduling event, and waits for a cluster event that may help.

``decisions[pod key]`` keeps the last cycle's :class:`~.framework.Decision`
for each pod: every node the cycle looked at, every Filter verdict and every
score -- for the last ``DECISIONS_KEPT`` pods scheduled, so that memory stays
bounded on a cluster of 150,000 pods.

On large clusters a cycle does not filter every node: like kube-scheduler it
stops once it has found ``percentageOfNodesToScore`` of the nodes feasible
(adaptive by default: 50% - nodes/125, at least 5%, at least 100 nodes), and
the next cycle starts after the last node this one looked at.
"""

from __future__ import annotations

import copy
import logging

from ..api import errors
from ..client.events import EventRecorder
from ..client.informer import Informer
from .cache import SchedulerCache, is_terminal
from .framework import Decision, FitError, Framework, NoNodesAvailable, pod_key
from .plugins import new_default_plugins
from .queue import QueuedPodInfo, SchedulingQueue

log = logging.getLogger("kernelsim.scheduler")

COMPONENT = "kube-scheduler"
SCHEDULER_NAME = "default-scheduler"
NOTE_LENGTH_LIMIT = 1024     # events: the longest note kept
DECISIONS_KEPT = 1000        # the last cycles' records kept in Scheduler.decisions


def truncate_message(message: str) -> str:
    if len(message) <= NOTE_LENGTH_LIMIT:
        return message
    suffix = " ..."
    return message[:NOTE_LENGTH_LIMIT - len(suffix)] + suffix


def _assigned(pod: dict) -> bool:
    return bool((pod.get("spec") or {}).get("nodeName"))


def _scheduling_view(pod: dict) -> dict:
    """The pod without what changes all the time (isPodUpdated strips these)."""
    view = copy.deepcopy(pod)
    view.pop("status", None)
    for field in ("resourceVersion", "generation", "managedFields"):
        view.get("metadata", {}).pop(field, None)
    return view


def _node_view(node: dict) -> tuple:
    """What about a Node can change where pods fit (nodeSchedulingPropertiesChange);
    heartbeat times are left out, so a kubelet's status report changes nothing."""
    spec, status, meta = node.get("spec") or {}, node.get("status") or {}, node.get("metadata") or {}
    conditions = sorted((c.get("type"), c.get("status")) for c in status.get("conditions") or [])
    return (bool(spec.get("unschedulable")), status.get("allocatable") or {}, meta.get("labels") or {},
            spec.get("taints") or [], conditions)


class Scheduler:
    """The default scheduler: ``Scheduler(client, loop, tracer=None).start()``."""

    def __init__(self, client, loop, tracer=None, *, plugins=None, weights=None,
                 percentage_of_nodes_to_score: int = 0):
        self.client = client.with_source(COMPONENT)
        self.loop = loop
        self.tracer = tracer
        if plugins is None:
            plugins, default_weights = new_default_plugins()
            weights = default_weights if weights is None else weights
        if isinstance(percentage_of_nodes_to_score, bool) or not isinstance(percentage_of_nodes_to_score, int) \
                or not 0 <= percentage_of_nodes_to_score <= 100:
            raise ValueError(f"percentageOfNodesToScore: Invalid value: {percentage_of_nodes_to_score!r}: "
                             "not in valid range [0-100]")
        self.framework = Framework(list(plugins), dict(weights or {}), loop.rng,
                                   percentage_of_nodes_to_score=percentage_of_nodes_to_score)
        self.cache = SchedulerCache()
        self.queue = SchedulingQueue(loop, self._wake)
        self.recorder = EventRecorder(self.client, SCHEDULER_NAME)
        self.decisions: dict[str, Decision] = {}
        self._events_of = {p.name: p.events for p in self.framework.plugins}
        self.informers: dict[str, Informer] = {}
        self._woken = False
        self.running = False

    # -- life cycle ------------------------------------------------------------
    def start(self) -> None:
        self.informers = {res: Informer(self.client, res) for res in ("nodes", "pods", "namespaces")}
        self.informers["nodes"].add_handlers(self._on_node_add, self._on_node_update, self._on_node_delete)
        self.informers["pods"].add_handlers(self._on_pod_add, self._on_pod_update, self._on_pod_delete)
        self.running = True
        with self.client.lock:
            for informer in self.informers.values():
                informer.start()
        self.queue.start()

    def stop(self) -> None:
        self.running = False
        for informer in self.informers.values():
            informer.stop()

    def pause(self) -> None:
        """The leading kube-scheduler is gone: pods wait in the queue until another leads."""
        self.running = False

    def resume(self) -> None:
        self.running = True
        self._wake()

    # -- event handlers (eventhandlers.go) -------------------------------------------
    def _responsible_for(self, pod: dict) -> bool:
        spec, meta = pod.get("spec") or {}, pod.get("metadata") or {}
        return (spec.get("schedulerName", SCHEDULER_NAME) == SCHEDULER_NAME and not is_terminal(pod)
                and not meta.get("deletionTimestamp") and not spec.get("schedulingGates"))

    def _move(self, event: str) -> None:
        self.queue.move_for_event(event, self._events_of)

    def _on_pod_add(self, pod: dict) -> None:
        if _assigned(pod):
            if not is_terminal(pod):
                self.cache.add_pod(pod)
                self._move("AssignedPodAdd")
        elif self._responsible_for(pod):
            self.queue.add(pod)

    def _on_pod_update(self, old: dict, new: dict) -> None:
        key = pod_key(new)
        if _assigned(new):
            self.queue.delete(new)
            if is_terminal(new):
                if key in self.cache.pods:    # a finished pod frees its node
                    self.cache.remove_pod(new)
                    self._move("AssignedPodDelete")
                return
            known = key in self.cache.pods and not self.cache.is_assumed(new)
            self.cache.update_pod(new)
            if not known or (old.get("metadata") or {}).get("labels") != (new.get("metadata") or {}).get("labels"):
                self._move("AssignedPodAdd")
            return
        if self.cache.is_assumed(new):
            return      # an older version of a pod we have just bound
        if self._responsible_for(new):
            self.queue.update(new, changed=_scheduling_view(old) != _scheduling_view(new))
        else:
            self.queue.delete(new)

    def _on_pod_delete(self, pod: dict) -> None:
        if _assigned(pod) or pod_key(pod) in self.cache.pods:
            self.cache.remove_pod(pod)
            self._move("AssignedPodDelete")
        else:
            self.queue.delete(pod)

    def _on_node_add(self, node: dict) -> None:
        self.cache.add_node(node)
        self._move("NodeAdd")

    def _on_node_update(self, old: dict, new: dict) -> None:
        self.cache.update_node(new)
        if _node_view(old) != _node_view(new):
            self._move("NodeUpdate")

    def _on_node_delete(self, node: dict) -> None:
        self.cache.remove_node(node)

    def _namespace_labels(self, namespace: str) -> dict:
        ns = self.informers["namespaces"].get(namespace) if self.informers else None
        return ((ns or {}).get("metadata") or {}).get("labels") or {"kubernetes.io/metadata.name": namespace}

    # -- the scheduling loop --------------------------------------------------------
    def _wake(self) -> None:
        if not self._woken and self.running:
            self._woken = True
            self.loop.call_soon(self._run, label="kube-scheduler scheduleOne")

    def _run(self) -> None:
        self._woken = False
        if not self.running:
            return
        info = self.queue.pop()
        if info is not None:
            self.schedule_one(info)
        if self.queue.active:
            self._wake()

    def schedule_one(self, info: QueuedPodInfo) -> None:
        """One scheduling cycle, then the binding cycle, for one pod."""
        pod, key = info.pod, info.key
        if (pod.get("metadata") or {}).get("deletionTimestamp"):
            self.queue.done(key)
            return
        decision = Decision(key, self.loop.now)
        decision.attempt = info.attempts
        self.decisions.pop(key, None)
        self.decisions[key] = decision
        if len(self.decisions) > DECISIONS_KEPT:
            del self.decisions[next(iter(self.decisions))]
        snapshot = self.cache.snapshot(self._namespace_labels)
        try:
            self.framework.schedule(pod, snapshot, decision)
        except FitError as err:
            self._trace(key, "Schedule", f"unschedulable: {err}")
            self._failure(pod, "Unschedulable", str(err))
            self.queue.add_unschedulable(info, err.unschedulable_plugins)
            return
        except NoNodesAvailable as err:
            decision.message = str(err)
            self._trace(key, "Schedule", f"error: {err}")
            self._failure(pod, "SchedulerError", str(err))
            self.queue.add_backoff(info)
            return
        node = decision.node
        self._trace(key, "Schedule", f"{node} ({len(decision.feasible)}/{len(snapshot)} nodes fit)")
        self.cache.assume(pod, node)        # Reserve
        self.bind(info, node)

    def bind(self, info: QueuedPodInfo, node: str) -> None:
        """The binding cycle: DefaultBinder posts a Binding, then the Scheduled event."""
        pod, key = info.pod, info.key
        try:
            self.client.bind(pod, node)
        except errors.StatusError as err:
            self.cache.forget(pod)          # Unreserve
            if err.code == 404:
                self.queue.done(key)        # the pod is gone
                return
            message = f'running Bind plugin "DefaultBinder": {err}'
            self.decisions[key].node = None
            self.decisions[key].message = message
            self._failure(pod, "SchedulerError", message)
            self.queue.add_backoff(info)
            return
        self.queue.done(key)
        meta = pod["metadata"]
        self.recorder.event(pod, "Normal", "Scheduled",
                            f"Successfully assigned {meta['namespace']}/{meta['name']} to {node}")

    # -- when nothing fits ------------------------------------------------------------
    def _failure(self, pod: dict, reason: str, message: str) -> None:
        """handleSchedulingFailure: a Warning event, and PodScheduled=False on the pod."""
        self.recorder.event(pod, "Warning", "FailedScheduling", truncate_message(message))
        self._set_unschedulable_condition(pod, reason, message)

    def _set_unschedulable_condition(self, pod: dict, reason: str, message: str) -> None:
        meta = pod["metadata"]
        current = self.informers["pods"].get(pod_key(pod)) if self.informers else None
        conditions = ((current or pod).get("status") or {}).get("conditions") or []
        old = next((c for c in conditions if c.get("type") == "PodScheduled"), None)
        if old and (old.get("status"), old.get("reason"), old.get("message")) == ("False", reason, message):
            return
        since = old.get("lastTransitionTime") if old and old.get("status") == "False" else None
        condition = {"type": "PodScheduled", "status": "False", "lastProbeTime": None,
                     "lastTransitionTime": since or self.client.apiserver.timestamp(),
                     "reason": reason, "message": message}
        try:
            self.client.patch("pods", meta["name"], {"status": {"conditions": [condition]}}, meta["namespace"],
                              subresource="status")
        except errors.StatusError as err:
            log.debug("kube-scheduler: could not update %s: %s", pod_key(pod), err)

    def _trace(self, key: str, verb: str, detail: str) -> None:
        if self.tracer is not None:
            self.tracer.record(COMPONENT, "scheduling-framework", verb, key, detail)

    def __repr__(self) -> str:
        return f"<kernelsim Scheduler nodes={len(self.cache.nodes)} queue={self.queue.pending()}>"
