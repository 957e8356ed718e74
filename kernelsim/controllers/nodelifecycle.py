"""The node lifecycle controller and taint-based eviction (pkg/controller/nodelifecycle,
pkg/controller/tainteviction).

Every ``node-monitor-period`` (5 s) it checks each node's heartbeat: its
Lease in kube-node-lease and its Ready condition.  A node whose kubelet has
been silent for ``node-monitor-grace-period`` (50 s) gets its conditions set
to Unknown ("Kubelet stopped posting node status."), its pods marked not
ready, and the ``node.kubernetes.io/unreachable`` taint with NoSchedule and
NoExecute effects.  The taint eviction part then deletes pods that do not
tolerate a NoExecute taint, right away or after their ``tolerationSeconds``
(300 s by default, added by the DefaultTolerationSeconds admission plugin),
and the ReplicaSets replace them on healthy nodes.
"""

from __future__ import annotations

import copy

from ..api import errors
from ..api.printers import parse_time
from ..client.events import EventRecorder
from .base import Controller

UNREACHABLE = "node.kubernetes.io/unreachable"
NOT_READY = "node.kubernetes.io/not-ready"
NODE_MONITOR_PERIOD = 5.0
NODE_MONITOR_GRACE_PERIOD = 50.0
NODE_STARTUP_GRACE_PERIOD = 60.0


def _ready_condition(node: dict) -> dict | None:
    for c in (node.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready":
            return c
    return None


def tolerates(pod: dict, taint: dict) -> tuple[bool, float | None]:
    """Whether ``pod`` tolerates ``taint``, and for how long (None = forever)."""
    for t in (pod.get("spec") or {}).get("tolerations") or []:
        effect_ok = not t.get("effect") or t.get("effect") == taint.get("effect")
        op = t.get("operator", "Equal")
        if op == "Exists":
            key_ok = not t.get("key") or t.get("key") == taint.get("key")
        else:
            key_ok = t.get("key") == taint.get("key") and (t.get("value") or "") == (taint.get("value") or "")
        if effect_ok and key_ok:
            secs = t.get("tolerationSeconds")
            return True, (None if secs is None else max(0.0, float(secs)))
    return False, 0.0


class NodeLifecycleController(Controller):
    name = "node-controller"
    watches = ("nodes", "leases", "pods")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "node-controller")
        self._evictions: dict[str, tuple] = {}  # pod key -> (pending eviction timer, node name)

    def register_handlers(self, resource, informer):
        if resource == "nodes":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self._node_deleted)
        elif resource == "pods":
            informer.add_handlers(self._pod_changed, lambda old, new: self._pod_changed(new))

    def _node_deleted(self, node: dict) -> None:
        name = node["metadata"]["name"]
        for pkey, (timer, pod_node) in list(self._evictions.items()):
            if pod_node == name:
                timer.cancel()
                del self._evictions[pkey]

    def start(self) -> None:
        super().start()
        self.loop.call_later(NODE_MONITOR_PERIOD, self._monitor, "node-controller monitor", background=True)

    # -- heartbeats ---------------------------------------------------------------
    def _last_heartbeat(self, node: dict) -> float | None:
        """Simulated seconds of the latest sign of life: the Lease renewal or the Ready heartbeat."""
        times = []
        lease = self.cache("leases").get(f"kube-node-lease/{node['metadata']['name']}")
        if lease:
            t = parse_time((lease.get("spec") or {}).get("renewTime"))
            if t:
                times.append(t)
        ready = _ready_condition(node)
        if ready and ready.get("status") == "True":
            t = parse_time(ready.get("lastHeartbeatTime"))
            if t:
                times.append(t)
        if not times:
            return None
        return (max(times) - self.client.apiserver.epoch).total_seconds()

    def _monitor(self) -> None:
        try:
            for node in self.cache("nodes").list():
                self.queue.add(node["metadata"]["name"])
        finally:
            self.loop.call_later(NODE_MONITOR_PERIOD, self._monitor, "node-controller monitor", background=True)

    def sync(self, key: str) -> None:
        node = self.cache("nodes").get(key)
        if node is None:
            return
        now = self.loop.now
        beat = self._last_heartbeat(node)
        created = (parse_time(node["metadata"].get("creationTimestamp")) - self.client.apiserver.epoch
                   ).total_seconds()
        silent = now - (beat if beat is not None else created)
        grace = NODE_MONITOR_GRACE_PERIOD if beat is not None else NODE_STARTUP_GRACE_PERIOD
        ready = _ready_condition(node)
        if silent > grace:
            if ready is None or ready.get("status") != "Unknown":
                self._mark_unknown(node)
            self._ensure_taints(key, {"NoSchedule": True, "NoExecute": True}, UNREACHABLE)
        elif ready is not None and ready.get("status") == "True":
            self._ensure_taints(key, {"NoSchedule": False, "NoExecute": False}, UNREACHABLE)
            self._ensure_taints(key, {"NoSchedule": False, "NoExecute": False}, NOT_READY)
        elif ready is not None and ready.get("status") == "False":
            self._ensure_taints(key, {"NoSchedule": True, "NoExecute": True}, NOT_READY)
        self._schedule_evictions(key)

    def _mark_unknown(self, node: dict) -> None:
        name = node["metadata"]["name"]
        new = copy.deepcopy(node)
        ts = self.client.apiserver.timestamp()
        for c in new.setdefault("status", {}).setdefault("conditions", []):
            if c.get("type") in ("Ready", "MemoryPressure", "DiskPressure", "PIDPressure"):
                if c.get("status") != "Unknown":
                    c["lastTransitionTime"] = ts
                c["status"] = "Unknown"
                c["reason"] = "NodeStatusUnknown"
                c["message"] = "Kubelet stopped posting node status."
        try:
            self.client.update_status(new)
        except errors.StatusError:
            self.queue.add_rate_limited(name)
            return
        self.recorder.event(node, "Normal", "NodeNotReady", f"Node {name} status is now: NodeNotReady")
        self._mark_pods_not_ready(name)

    def _mark_pods_not_ready(self, node_name: str) -> None:
        for pod in self.cache("pods").list():
            if (pod.get("spec") or {}).get("nodeName") != node_name:
                continue
            new = copy.deepcopy(pod)
            changed = False
            for c in (new.get("status") or {}).get("conditions") or []:
                if c.get("type") in ("Ready", "ContainersReady") and c.get("status") != "False":
                    c["status"] = "False"
                    c["lastTransitionTime"] = self.client.apiserver.timestamp()
                    changed = True
            if changed:
                try:
                    self.client.update_status(new)
                    self.recorder.event(pod, "Warning", "NodeNotReady", "Node is not ready")
                except errors.StatusError:
                    pass

    def _ensure_taints(self, name: str, want: dict, key: str) -> None:
        node = self.cache("nodes").get(name)
        if node is None:
            return
        taints = list((node.get("spec") or {}).get("taints") or [])
        ts = self.client.apiserver.timestamp()
        new_taints = [t for t in taints if not (t.get("key") == key and t.get("effect") in want
                                                and not want[t.get("effect")])]
        for effect, on in want.items():
            if on and not any(t.get("key") == key and t.get("effect") == effect for t in new_taints):
                taint = {"key": key, "effect": effect}
                if effect == "NoExecute":
                    taint["timeAdded"] = ts
                new_taints.append(taint)
        if new_taints != taints:
            try:
                self.client.patch("nodes", name, {"spec": {"taints": new_taints or None}}, None, type="merge")
            except errors.StatusError:
                self.queue.add_rate_limited(name)

    # -- taint-based eviction -------------------------------------------------------
    def _pod_changed(self, pod: dict) -> None:
        node = (pod.get("spec") or {}).get("nodeName")
        if node:
            self.queue.add(node)

    def _schedule_evictions(self, node_name: str) -> None:
        node = self.cache("nodes").get(node_name)
        if node is None:
            return
        no_exec = [t for t in (node.get("spec") or {}).get("taints") or [] if t.get("effect") == "NoExecute"]
        if not no_exec:
            # A healthy node again: evictions that had not happened yet are called off.
            for pkey, (timer, pod_node) in list(self._evictions.items()):
                if pod_node == node_name:
                    timer.cancel()
                    del self._evictions[pkey]
            return
        for pod in self.cache("pods").list():
            if (pod.get("spec") or {}).get("nodeName") != node_name or pod["metadata"].get("deletionTimestamp"):
                continue
            pkey = f"{pod['metadata']['namespace']}/{pod['metadata']['name']}"
            # The pod must tolerate every NoExecute taint; it leaves after the shortest toleration.
            wait: float | None = None
            for taint in no_exec:
                ok, secs = tolerates(pod, taint)
                if not ok:
                    wait = 0.0
                    break
                if secs is not None:
                    added = parse_time(taint.get("timeAdded"))
                    elapsed = (self.loop.now - (added - self.client.apiserver.epoch).total_seconds()
                               if added else 0.0)
                    left = max(0.0, secs - elapsed)
                    wait = left if wait is None else min(wait, left)
            if wait is None or pkey in self._evictions:
                continue
            timer = self.loop.call_later(wait, lambda p=pkey, n=node_name: self._evict(p, n),
                                         f"taint eviction {pkey}")
            self._evictions[pkey] = (timer, node_name)

    def _evict(self, pkey: str, node_name: str) -> None:
        self._evictions.pop(pkey, None)
        pod = self.cache("pods").get(pkey)
        if pod is None or pod["metadata"].get("deletionTimestamp") or \
                (pod.get("spec") or {}).get("nodeName") != node_name:
            return
        node = self.cache("nodes").get(node_name)
        if node is None or not any(t.get("effect") == "NoExecute" for t in (node.get("spec") or {}).get("taints")
                                   or []):
            return
        ns, name = pkey.split("/", 1)
        self.recorder.event(pod, "Normal", "TaintManagerEviction", f"Marking for deletion Pod {pkey}")
        try:
            self.client.delete("pods", name, ns)
        except errors.StatusError:
            pass
