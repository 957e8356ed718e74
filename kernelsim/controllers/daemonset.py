"""The DaemonSet controller (pkg/controller/daemon).

A DaemonSet runs one pod on every node that should run it: the node must
match the pod's nodeSelector and required node affinity, and every NoSchedule
and NoExecute taint on it must be tolerated.  DaemonSet pods tolerate a fixed
set of node-condition taints automatically (not-ready, unreachable,
disk/memory/pid pressure, unschedulable, and network-unavailable for
hostNetwork pods).  The controller does not bind its pods: it pins each one
to its node with a required node affinity on ``metadata.name`` and the
scheduler binds it.  A node added later gets a pod; a node that no longer
qualifies (an untolerated NoExecute taint, a changed label) loses it.
Updates: ``RollingUpdate`` with maxUnavailable/maxSurge, or ``OnDelete``.
"""

from __future__ import annotations

import datetime as _dt
import math

from ..api import errors
from ..api.objects import clone
from ..client.events import EventRecorder
from . import history
from .base import Controller
from .statefulset import is_running_and_available, is_running_and_ready, is_terminating, parse_time

TEMPLATE_GENERATION_LABEL = "pod-template-generation"
BACKOFF_INITIAL, BACKOFF_MAX = 1.0, 900.0  # failed daemon pods are replaced with back-off


def daemon_tolerations(pod_spec: dict) -> list[dict]:
    """The tolerations AddOrUpdateDaemonPodTolerations gives every DaemonSet pod."""
    out = [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute"},
           {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute"},
           {"key": "node.kubernetes.io/disk-pressure", "operator": "Exists", "effect": "NoSchedule"},
           {"key": "node.kubernetes.io/memory-pressure", "operator": "Exists", "effect": "NoSchedule"},
           {"key": "node.kubernetes.io/pid-pressure", "operator": "Exists", "effect": "NoSchedule"},
           {"key": "node.kubernetes.io/unschedulable", "operator": "Exists", "effect": "NoSchedule"}]
    if pod_spec.get("hostNetwork"):
        out.append({"key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"})
    return out


def add_tolerations(pod_spec: dict, extra: list[dict]) -> None:
    tolerations = list(pod_spec.get("tolerations") or [])
    for t in extra:
        tolerations = [x for x in tolerations if not (x.get("key") == t["key"] and x.get("effect") == t["effect"])]
        tolerations.append(t)
    pod_spec["tolerations"] = tolerations


def tolerates(toleration: dict, taint: dict) -> bool:
    """v1.Toleration.ToleratesTaint."""
    if toleration.get("effect") and toleration["effect"] != taint.get("effect"):
        return False
    if toleration.get("key") and toleration["key"] != taint.get("key"):
        return False
    op = toleration.get("operator") or "Equal"
    if op == "Exists":
        return True
    return op == "Equal" and (toleration.get("value") or "") == (taint.get("value") or "")


def untolerated(taints: list[dict], tolerations: list[dict], effects: tuple[str, ...]) -> list[dict]:
    return [t for t in taints if t.get("effect") in effects and not any(tolerates(x, t) for x in tolerations)]


def _requirement_matches(req: dict, value: str | None) -> bool:
    op, values = req.get("operator"), req.get("values") or []
    if op == "In":
        return value is not None and value in values
    if op == "NotIn":
        return value is None or value not in values
    if op == "Exists":
        return value is not None
    if op == "DoesNotExist":
        return value is None
    if op in ("Gt", "Lt") and value is not None and len(values) == 1:
        try:
            a, b = int(value), int(values[0])
        except ValueError:
            return False
        return a > b if op == "Gt" else a < b
    return False


def node_selector_term_matches(term: dict, node: dict) -> bool:
    exprs, fields = term.get("matchExpressions") or [], term.get("matchFields") or []
    if not exprs and not fields:
        return False  # an empty term matches no objects
    labels = node["metadata"].get("labels") or {}
    return (all(_requirement_matches(r, labels.get(r.get("key"))) for r in exprs)
            and all(_requirement_matches(r, node["metadata"]["name"] if r.get("key") == "metadata.name" else None)
                    for r in fields))


def fits_node_affinity(pod_spec: dict, node: dict) -> bool:
    """nodeSelector and requiredDuringSchedulingIgnoredDuringExecution (component-helpers nodeaffinity)."""
    labels = node["metadata"].get("labels") or {}
    if any(labels.get(k) != v for k, v in (pod_spec.get("nodeSelector") or {}).items()):
        return False
    required = (((pod_spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution"))
    if not required:
        return True
    return any(node_selector_term_matches(t, node) for t in required.get("nodeSelectorTerms") or [])


def pin_to_node(pod_spec: dict, node_name: str) -> None:
    """ReplaceDaemonSetPodNodeNameNodeAffinity: require exactly this node by metadata.name."""
    affinity = pod_spec.setdefault("affinity", {})
    node_affinity = affinity.setdefault("nodeAffinity", {})
    node_affinity["requiredDuringSchedulingIgnoredDuringExecution"] = {"nodeSelectorTerms": [{
        "matchFields": [{"key": "metadata.name", "operator": "In", "values": [node_name]}]}]}


def target_node(pod: dict) -> str | None:
    """GetTargetNodeName: the pod's node, or the node its affinity pins it to."""
    spec = pod.get("spec") or {}
    if spec.get("nodeName"):
        return spec["nodeName"]
    required = (((spec.get("affinity") or {}).get("nodeAffinity") or {})
                .get("requiredDuringSchedulingIgnoredDuringExecution") or {})
    for term in required.get("nodeSelectorTerms") or []:
        for f in term.get("matchFields") or []:
            if f.get("key") == "metadata.name" and f.get("operator") == "In" and len(f.get("values") or []) == 1:
                return f["values"][0]
    return None


def node_should_run_daemon_pod(node: dict, ds: dict) -> tuple[bool, bool]:
    """(shouldRun, shouldContinueRunning) for this node (NodeShouldRunDaemonPod)."""
    spec = clone(((ds.get("spec") or {}).get("template") or {}).get("spec") or {})
    add_tolerations(spec, daemon_tolerations(spec))
    if spec.get("nodeName") and spec["nodeName"] != node["metadata"]["name"]:
        return False, False
    if not fits_node_affinity(spec, node):
        return False, False
    taints = (node.get("spec") or {}).get("taints") or []
    tolerations = spec.get("tolerations") or []
    if untolerated(taints, tolerations, ("NoSchedule", "NoExecute")):
        return False, not untolerated(taints, tolerations, ("NoExecute",))
    return True, True


def scaled_value(value, total: int, round_up: bool) -> int:
    """intstr.GetScaledValueFromIntOrPercent."""
    if isinstance(value, int):
        return value
    text = str(value or "0")
    if text.endswith("%"):
        exact = int(text[:-1]) * total / 100
        return math.ceil(exact) if round_up else math.floor(exact)
    return int(text)


class DaemonSetController(Controller):
    name = "daemonset-controller"
    watches = ("daemonsets", "pods", "nodes", "controllerrevisions")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "daemonset-controller")
        self.failed_backoff: dict[tuple[str, str], tuple[float, float]] = {}  # (ds uid, node) -> (delay, until)

    def register_handlers(self, resource, informer):
        if resource == "daemonsets":
            super().register_handlers(resource, informer)
        elif resource == "pods":
            handler = self.enqueue_owner_of("DaemonSet")
            informer.add_handlers(handler, handler, handler)
        elif resource == "nodes":
            def on_node(*objs):
                for ds in self.cache().list():
                    self.enqueue(ds)
            informer.add_handlers(on_node, on_node, on_node)

    # -- syncDaemonSet ----------------------------------------------------------------------
    def sync(self, key: str) -> None:
        ds = self.cache().get(key)
        if ds is None or ds["metadata"].get("deletionTimestamp"):
            return
        ns = ds["metadata"]["namespace"]
        revisions = history.owned_revisions(self.cache("controllerrevisions").list(ns), ds)
        collision = (ds.get("status") or {}).get("collisionCount") or 0
        current, collision = history.ensure_revision(self.client, ds, revisions, collision,
                                                    hash_label=history.REVISION_HASH_LABEL)
        hash_ = history.revision_hash(current)
        nodes = self.cache("nodes").list()
        node_pods = self.pods_by_node(ds)

        self.manage(ds, nodes, node_pods, hash_)
        strategy = (ds["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate":
            self.rolling_update(ds, nodes, self.pods_by_node(ds), hash_)
        self.update_status(ds, nodes, self.pods_by_node(ds), hash_, collision)
        live = {f"{ds['metadata']['name']}-{hash_}"}
        live |= {f"{ds['metadata']['name']}-{(p['metadata'].get('labels') or {}).get(history.REVISION_HASH_LABEL)}"
                 for pods in node_pods.values() for p in pods}
        history.truncate_history(self.client, revisions, live, ds["spec"].get("revisionHistoryLimit", 10))

    def pods_by_node(self, ds: dict) -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for p in self.cache("pods").list(ds["metadata"]["namespace"]):
            if not history.controlled_by(p, ds):
                continue
            node = target_node(p)
            if node:
                out.setdefault(node, []).append(p)
        for pods in out.values():
            pods.sort(key=lambda p: (p["metadata"].get("creationTimestamp", ""), p["metadata"]["name"]))
        return out

    def manage(self, ds: dict, nodes: list[dict], node_pods: dict, hash_: str) -> None:
        """Create the missing daemon pods, delete the surplus, failed and misplaced ones."""
        to_create, to_delete = [], []
        now = self.loop.now
        node_names = {n["metadata"]["name"] for n in nodes}
        max_surge = self.max_surge(ds, nodes)
        for node in nodes:
            name = node["metadata"]["name"]
            should_run, should_continue = node_should_run_daemon_pod(node, ds)
            pods = node_pods.get(name, [])
            if should_run and not pods:
                backoff = self.failed_backoff.get((ds["metadata"]["uid"], name))
                if backoff and backoff[1] > now:
                    self.queue.add_after(f"{ds['metadata']['namespace']}/{ds['metadata']['name']}",
                                         backoff[1] - now)
                    continue
                to_create.append(name)
            elif should_continue:
                running = []
                for p in pods:
                    if is_terminating(p):
                        continue
                    if (p.get("status") or {}).get("phase") == "Failed":
                        self.recorder.event(ds, "Warning", "FailedDaemonPod",
                                            f"Found failed daemon pod {p['metadata']['namespace']}/"
                                            f"{p['metadata']['name']} on node {name}, will try to kill it")
                        self.note_failure(ds, name)
                        to_delete.append(p)
                        continue
                    running.append(p)
                if len(running) > 1 and not max_surge:
                    to_delete.extend(running[1:])  # keep the oldest
                elif len(running) > 1:
                    # with surge, keep the oldest pod of each revision (the rolling update picks later)
                    seen = set()
                    for p in running:
                        h = (p["metadata"].get("labels") or {}).get(history.REVISION_HASH_LABEL)
                        if h in seen:
                            to_delete.append(p)
                        seen.add(h)
            elif pods:
                to_delete.extend(p for p in pods if not is_terminating(p))
        # Unscheduled pods pinned to nodes that no longer exist.
        for node, pods in node_pods.items():
            if node not in node_names:
                to_delete.extend(p for p in pods if not (p.get("spec") or {}).get("nodeName")
                                 and not is_terminating(p))
        self.sync_nodes(ds, to_delete, to_create, hash_)

    def note_failure(self, ds: dict, node: str) -> None:
        key = (ds["metadata"]["uid"], node)
        delay = BACKOFF_INITIAL if key not in self.failed_backoff else min(BACKOFF_MAX, self.failed_backoff[key][0] * 2)
        self.failed_backoff[key] = (delay, self.loop.now + delay)

    def sync_nodes(self, ds: dict, to_delete: list[dict], to_create: list[str], hash_: str) -> None:
        for node in to_create:
            pod = self.new_pod(ds, node, hash_)
            try:
                created = self.client.create(pod)
            except errors.StatusError as e:
                self.recorder.event(ds, "Warning", "FailedCreate", f"Error creating: {e}")
                raise
            self.recorder.event(ds, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")
        for pod in to_delete:
            try:
                self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
            except errors.StatusError as e:
                if e.code == 404:
                    continue
                self.recorder.event(ds, "Warning", "FailedDelete", f"Error deleting: {e}")
                raise
            self.recorder.event(ds, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")

    def new_pod(self, ds: dict, node: str, hash_: str) -> dict:
        template = clone(ds["spec"].get("template") or {})
        meta = template.get("metadata") or {}
        labels = dict(meta.get("labels") or {})
        labels[history.REVISION_HASH_LABEL] = hash_
        labels[TEMPLATE_GENERATION_LABEL] = str(ds["metadata"].get("generation", 1))
        pod_meta = {"generateName": f"{ds['metadata']['name']}-", "namespace": ds["metadata"]["namespace"],
                    "labels": labels, "ownerReferences": [history.controller_ref(ds)]}
        if meta.get("annotations"):
            pod_meta["annotations"] = dict(meta["annotations"])
        spec = template.get("spec") or {}
        add_tolerations(spec, daemon_tolerations(spec))
        pin_to_node(spec, node)
        return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}

    # -- rolling update (pkg/controller/daemon/update.go) --------------------------------------
    def max_surge(self, ds: dict, nodes: list[dict]) -> int:
        strategy = ds["spec"].get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return 0
        desired = sum(1 for n in nodes if node_should_run_daemon_pod(n, ds)[0])
        return scaled_value((strategy.get("rollingUpdate") or {}).get("maxSurge", 0), desired, True)

    def is_available(self, ds: dict, pod: dict) -> bool:
        return is_running_and_available(pod, ds["spec"].get("minReadySeconds") or 0, self.now())

    def rolling_update(self, ds: dict, nodes: list[dict], node_pods: dict, hash_: str) -> None:
        rolling = ((ds["spec"].get("updateStrategy") or {}).get("rollingUpdate") or {})
        eligible = [n["metadata"]["name"] for n in nodes if node_should_run_daemon_pod(n, ds)[0]]
        max_surge = scaled_value(rolling.get("maxSurge", 0), len(eligible), True)
        max_unavailable = scaled_value(rolling.get("maxUnavailable", 1), len(eligible), True)
        if max_surge == 0 and max_unavailable == 0:
            max_unavailable = 1

        def is_new(p):
            return (p["metadata"].get("labels") or {}).get(history.REVISION_HASH_LABEL) == hash_

        to_delete, to_create = [], []
        if max_surge == 0:
            unavailable, candidates = 0, []
            for node in eligible:
                pods = [p for p in node_pods.get(node, []) if not is_terminating(p)]
                new = [p for p in pods if is_new(p)]
                old = [p for p in pods if not is_new(p)]
                if not pods or not any(self.is_available(ds, p) for p in pods):
                    unavailable += 1
                if old and not new:
                    if not any(self.is_available(ds, p) for p in old):
                        to_delete.extend(old)  # an unavailable old pod may go at once
                    else:
                        candidates.append(old)
            for old in candidates:
                if unavailable >= max_unavailable:
                    break
                unavailable += 1
                to_delete.extend(old)
        else:
            surging = 0
            for node in eligible:
                pods = [p for p in node_pods.get(node, []) if not is_terminating(p)]
                new = [p for p in pods if is_new(p)]
                old = [p for p in pods if not is_new(p)]
                if old and new:
                    if any(self.is_available(ds, p) for p in new):
                        to_delete.extend(old)
                    else:
                        surging += 1
            for node in eligible:
                pods = [p for p in node_pods.get(node, []) if not is_terminating(p)]
                if any(is_new(p) for p in pods) or not pods:
                    continue
                if not any(self.is_available(ds, p) for p in pods):
                    to_delete.extend(pods)
                elif surging < max_surge:
                    surging += 1
                    to_create.append(node)
        if to_delete or to_create:
            self.sync_nodes(ds, to_delete, to_create, hash_)

    # -- status ----------------------------------------------------------------------------------
    def update_status(self, ds: dict, nodes: list[dict], node_pods: dict, hash_: str, collision: int) -> None:
        desired = current = misscheduled = ready = available = updated = 0
        generation = str(ds["metadata"].get("generation", 1))
        min_ready = ds["spec"].get("minReadySeconds") or 0
        recheck = None
        for node in nodes:
            should_run, _ = node_should_run_daemon_pod(node, ds)
            pods = node_pods.get(node["metadata"]["name"], [])
            if should_run:
                desired += 1
                if pods:
                    current += 1
                    pod = pods[0]
                    if is_running_and_ready(pod):
                        ready += 1
                        if self.is_available(ds, pod):
                            available += 1
                        elif min_ready:
                            since = parse_time(next(c["lastTransitionTime"] for c in pod["status"]["conditions"]
                                                    if c.get("type") == "Ready"))
                            wait = (since + _dt.timedelta(seconds=min_ready) - self.now()).total_seconds()
                            recheck = wait if recheck is None else min(recheck, wait)
                    labels = pod["metadata"].get("labels") or {}
                    if (labels.get(history.REVISION_HASH_LABEL) == hash_
                            or labels.get(TEMPLATE_GENERATION_LABEL) == generation):
                        updated += 1
            elif pods:
                misscheduled += 1
        status = {"currentNumberScheduled": current, "numberMisscheduled": misscheduled,
                  "desiredNumberScheduled": desired, "numberReady": ready,
                  "observedGeneration": ds["metadata"].get("generation", 1)}
        if updated:
            status["updatedNumberScheduled"] = updated
        if available:
            status["numberAvailable"] = available
        if desired - available:
            status["numberUnavailable"] = desired - available
        if collision:
            status["collisionCount"] = collision
        if recheck is not None:
            self.queue.add_after(f"{ds['metadata']['namespace']}/{ds['metadata']['name']}", max(0.0, recheck))
        if (ds.get("status") or {}) == status:
            return
        fresh = clone(ds)
        fresh["status"] = status
        try:
            self.client.update_status(fresh)
        except errors.StatusError as e:
            if e.code != 404:
                raise
