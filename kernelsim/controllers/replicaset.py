"""The ReplicaSet controller (pkg/controller/replicaset).

It keeps ``spec.replicas`` pods running for every ReplicaSet: it claims the
pods its selector matches (adopting orphans, releasing pods that stopped
matching), creates missing pods from the template in slow-start batches
(1, 2, 4, ...) and deletes surplus ones in ``controller.ActivePods`` order.
Expectations stop it from creating or deleting twice while its own writes
are still on their way back through the watch.  Status (replicas,
fullyLabeledReplicas, readyReplicas, availableReplicas, terminatingReplicas,
observedGeneration) is written through ``replicasets/<name>/status``.
"""

from __future__ import annotations

from ..api import errors
from ..api.objects import clone
from ..api.selectors import label_selector_from_api
from ..client.events import EventRecorder
from ..client.informer import CONTROLLER_UID_INDEX, controller_uid_index, object_key
from . import podutil
from .base import Controller

BURST_REPLICAS = 500
EXPECTATIONS_TTL = 300.0  # controller.ExpectationsTimeout: 5 minutes


class ControllerExpectations:
    """``controller.UIDTrackingControllerExpectations``: creations and deletions a controller
    is still waiting to see in its informers, per controller key."""

    def __init__(self, loop):
        self.loop = loop
        self._records: dict[str, dict] = {}

    def expect_creations(self, key: str, adds: int) -> None:
        self._records[key] = {"add": adds, "del": 0, "at": self.loop.now, "uids": set()}

    def expect_deletions(self, key: str, pod_keys: list[str]) -> None:
        self._records[key] = {"add": 0, "del": len(pod_keys), "at": self.loop.now, "uids": set(pod_keys)}

    def creation_observed(self, key: str) -> None:
        rec = self._records.get(key)
        if rec is not None:
            rec["add"] -= 1

    def deletion_observed(self, key: str, pod_key: str) -> None:
        rec = self._records.get(key)
        if rec is not None and pod_key in rec["uids"]:
            rec["uids"].discard(pod_key)
            rec["del"] -= 1

    def satisfied(self, key: str) -> bool:
        rec = self._records.get(key)
        if rec is None:
            return True
        if rec["add"] <= 0 and rec["del"] <= 0:
            return True
        return self.loop.now - rec["at"] > EXPECTATIONS_TTL  # expired: sync anyway

    def delete(self, key: str) -> None:
        self._records.pop(key, None)


def pod_from_template(template: dict, owner: dict) -> dict:
    """``controller.GetPodFromTemplate``: a pod named ``<owner>-<random>`` owned by ``owner``."""
    tmeta = template.get("metadata") or {}
    prefix = f"{owner['metadata']['name']}-"
    meta = {"generateName": prefix, "namespace": owner["metadata"]["namespace"]}
    if tmeta.get("labels"):
        meta["labels"] = dict(tmeta["labels"])
    if tmeta.get("annotations"):
        meta["annotations"] = dict(tmeta["annotations"])
    if tmeta.get("finalizers"):
        meta["finalizers"] = list(tmeta["finalizers"])
    meta["ownerReferences"] = [podutil.new_controller_ref(owner)]
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta,
            "spec": clone(template.get("spec") or {})}


class ReplicaSetController(Controller):
    name = "replicaset-controller"
    watches = ("replicasets", "pods")
    kind = "ReplicaSet"

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.expectations = ControllerExpectations(loop)
        self.recorder = EventRecorder(self.client, "replicaset-controller")
        self.burst_replicas = BURST_REPLICAS

    # -- event handlers: compute a key, enqueue it -----------------------------------
    def register_handlers(self, resource, informer):
        if resource == "replicasets":
            informer.add_handlers(self.enqueue, self._update_rs, self._delete_rs)
        else:
            informer.add_indexers(**{CONTROLLER_UID_INDEX: controller_uid_index})
            informer.add_handlers(self._add_pod, self._update_pod, self._delete_pod)

    def _update_rs(self, old, new):
        if old["metadata"].get("uid") != new["metadata"].get("uid"):
            self._delete_rs(old)
        self.enqueue(new)

    def _delete_rs(self, rs):
        key = f"{rs['metadata']['namespace']}/{rs['metadata']['name']}"
        self.expectations.delete(key)
        self.queue.add(key)

    def _resolve_controller_ref(self, namespace: str, ref: dict) -> dict | None:
        if ref.get("kind") != self.kind:
            return None
        rs = self.cache("replicasets").get(f"{namespace}/{ref.get('name')}")
        if rs is None or rs["metadata"].get("uid") != ref.get("uid"):
            return None
        return rs

    def _pod_replica_sets(self, pod: dict) -> list[dict]:
        """``GetPodReplicaSets``: ReplicaSets whose (non-empty) selector matches the pod."""
        out = []
        for rs in self.cache("replicasets").list(pod["metadata"].get("namespace")):
            sel = (rs.get("spec") or {}).get("selector")
            try:
                selector = label_selector_from_api(sel)
            except errors.StatusError:
                continue
            if selector.empty() or selector.matches_nothing():
                continue
            if selector.matches(pod["metadata"].get("labels")):
                out.append(rs)
        return out

    def _add_pod(self, pod):
        if pod["metadata"].get("deletionTimestamp"):
            self._delete_pod(pod)
            return
        ref = podutil.get_controller_of(pod)
        if ref is not None:
            rs = self._resolve_controller_ref(pod["metadata"]["namespace"], ref)
            if rs is not None:
                key = f"{rs['metadata']['namespace']}/{rs['metadata']['name']}"
                self.expectations.creation_observed(key)
                self.queue.add(key)
            return
        for rs in self._pod_replica_sets(pod):  # an orphan: does anyone want to adopt it?
            self.enqueue(rs)

    def _update_pod(self, old, cur):
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        label_changed = old["metadata"].get("labels") != cur["metadata"].get("labels")
        if cur["metadata"].get("deletionTimestamp"):
            self._delete_pod(cur)
            if label_changed:
                self._delete_pod(old)
            return
        cur_ref, old_ref = podutil.get_controller_of(cur), podutil.get_controller_of(old)
        ref_changed = cur_ref != old_ref
        if ref_changed and old_ref is not None:
            rs = self._resolve_controller_ref(old["metadata"]["namespace"], old_ref)
            if rs is not None:
                self.enqueue(rs)
        if cur_ref is not None:
            rs = self._resolve_controller_ref(cur["metadata"]["namespace"], cur_ref)
            if rs is None:
                return
            self.enqueue(rs)
            min_ready = (rs.get("spec") or {}).get("minReadySeconds") or 0
            if not podutil.is_pod_ready(old) and podutil.is_pod_ready(cur) and min_ready > 0:
                # check availability once minReadySeconds have passed (+1s against clock skew)
                key = f"{rs['metadata']['namespace']}/{rs['metadata']['name']}"
                self.queue.add_after(key, min_ready + 1)
            return
        if label_changed or ref_changed:
            for rs in self._pod_replica_sets(cur):
                self.enqueue(rs)

    def _delete_pod(self, pod):
        ref = podutil.get_controller_of(pod)
        if ref is None:
            return
        rs = self._resolve_controller_ref(pod["metadata"]["namespace"], ref)
        if rs is None:
            return
        key = f"{rs['metadata']['namespace']}/{rs['metadata']['name']}"
        self.expectations.deletion_observed(key, podutil.pod_key(pod))
        self.queue.add(key)

    # -- sync ----------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncReplicaSet``: claim pods, create or delete to reach spec.replicas, write status."""
        rs = self.cache("replicasets").get(key)
        if rs is None:
            self.expectations.delete(key)
            return
        needs_sync = self.expectations.satisfied(key)
        try:
            selector = label_selector_from_api((rs.get("spec") or {}).get("selector"))
        except errors.StatusError:
            return  # an invalid selector: nothing to do until it is fixed
        namespace = rs["metadata"]["namespace"]
        all_pods = self._rs_pods(rs)
        active = self._claim_pods(rs, selector, podutil.filter_active_pods(all_pods))
        terminating = [p for p in podutil.filter_terminating_pods(all_pods)
                       if (podutil.get_controller_of(p) or {}).get("uid") == rs["metadata"]["uid"]
                       and selector.matches(p["metadata"].get("labels"))]
        manage_error = None
        if needs_sync and not rs["metadata"].get("deletionTimestamp"):
            manage_error = self.manage_replicas(active, rs)
        new_status = calculate_status(rs, active, terminating, manage_error, podutil.now_of(self.client))
        updated = self._update_status(rs, new_status)
        spec = updated.get("spec") or {}
        status = updated.get("status") or {}
        min_ready = spec.get("minReadySeconds") or 0
        if (manage_error is None and min_ready > 0 and status.get("readyReplicas", 0) == spec.get("replicas", 1)
                and status.get("availableReplicas", 0) != spec.get("replicas", 1)):
            self.queue.add_after(key, min_ready)
        if manage_error is not None:
            raise manage_error

    def _rs_pods(self, rs: dict) -> list[dict]:
        """getRSPods: the pods this ReplicaSet controls plus the namespace's orphans (which it may
        adopt), from the controllerUID index -- not every pod of the namespace -- in key order."""
        pods = self.cache("pods")
        owned = pods.by_index(CONTROLLER_UID_INDEX, rs["metadata"]["uid"])
        orphans = pods.by_index(CONTROLLER_UID_INDEX, ("orphan", rs["metadata"]["namespace"]))
        if not orphans:
            return owned
        return sorted(owned + orphans, key=object_key)

    def _claim_pods(self, rs: dict, selector, pods: list[dict]) -> list[dict]:
        meta = rs["metadata"]
        fresh = lambda: self.client.get("replicasets", meta["name"], meta["namespace"])  # noqa: E731
        manager = podutil.ControllerRefManager(self.client, rs, selector, "pods",
                                               podutil.recheck_deletion_timestamp(fresh, meta["uid"]))
        return manager.claim(pods)

    def manage_replicas(self, pods: list[dict], rs: dict) -> errors.StatusError | None:
        """Create or delete pods so that ``len(pods) == spec.replicas``; returns the first error."""
        key = f"{rs['metadata']['namespace']}/{rs['metadata']['name']}"
        diff = len(pods) - (rs["spec"].get("replicas", 1))
        if diff < 0:
            diff = min(-diff, self.burst_replicas)
            self.expectations.expect_creations(key, diff)
            created, err = podutil.slow_start_batch(diff, podutil.SLOW_START_INITIAL_BATCH_SIZE,
                                                    lambda: self._create_pod(rs))
            for _ in range(diff - created):
                self.expectations.creation_observed(key)  # never attempted or failed: not expected
            return err
        if diff > 0:
            diff = min(diff, self.burst_replicas)
            related = self._indirectly_related_pods(rs)
            victims = podutil.pods_to_delete(pods, related, diff, podutil.now_of(self.client))
            self.expectations.expect_deletions(key, [podutil.pod_key(p) for p in victims])
            first_error = None
            for pod in victims:
                err = self._delete_pod_of(rs, pod)
                if err is not None:
                    self.expectations.deletion_observed(key, podutil.pod_key(pod))
                    if err.code != 404:
                        first_error = first_error or err
            return first_error
        return None

    def _create_pod(self, rs: dict) -> None:
        pod = pod_from_template(rs["spec"].get("template") or {}, rs)
        if not pod["metadata"].get("labels"):
            raise errors.StatusError(500, "InternalError", "unable to create pods, no labels")
        try:
            created = self.client.create(pod)
        except errors.StatusError as e:
            if "because it is being terminated" in e.message:
                return  # the namespace is going away: nothing to create
            self.recorder.event(rs, "Warning", "FailedCreate", f"Error creating: {e.message}")
            raise
        self.recorder.event(rs, "Normal", "SuccessfulCreate", f"Created pod: {created['metadata']['name']}")

    def _delete_pod_of(self, rs: dict, pod: dict) -> errors.StatusError | None:
        name = pod["metadata"]["name"]
        try:
            self.client.delete("pods", name, rs["metadata"]["namespace"])
        except errors.StatusError as e:
            if e.code != 404:
                self.recorder.event(rs, "Warning", "FailedDelete", f"Error deleting: {e.message}")
            return e
        self.recorder.event(rs, "Normal", "SuccessfulDelete", f"Deleted pod: {name}")
        return None

    def _indirectly_related_pods(self, rs: dict) -> list[dict]:
        """Pods of every ReplicaSet with the same controller (e.g. the same Deployment)."""
        ref = podutil.get_controller_of(rs)
        siblings = [rs]
        if ref is not None:
            siblings = [o for o in self.cache("replicasets").list(rs["metadata"]["namespace"])
                        if (podutil.get_controller_of(o) or {}).get("uid") == ref.get("uid")]
        seen, related = set(), []
        for sib in siblings:
            try:
                selector = label_selector_from_api((sib.get("spec") or {}).get("selector"))
            except errors.StatusError:
                continue
            for pod in self.cache("pods").list(sib["metadata"]["namespace"]):
                if selector.matches(pod["metadata"].get("labels")) and pod["metadata"]["uid"] not in seen:
                    seen.add(pod["metadata"]["uid"])
                    related.append(pod)
        return related

    def _update_status(self, rs: dict, new_status: dict) -> dict:
        """``updateReplicaSetStatus``: write status unless nothing changed (one retry on conflict)."""
        generation = rs["metadata"].get("generation", 0)
        old_status = rs.get("status") or {}
        if (_status_without_generation(old_status) == _status_without_generation(new_status)
                and old_status.get("observedGeneration", 0) == generation):
            return rs
        new_status = dict(new_status)
        if generation:
            new_status["observedGeneration"] = generation
        new_status = _ordered_rs_status(new_status)
        obj = clone(rs)
        for attempt in range(2):
            obj["status"] = new_status
            try:
                return self.client.update_status(obj)
            except errors.StatusError as e:
                if attempt == 1 or e.code != 409:
                    raise
                obj = self.client.get("replicasets", rs["metadata"]["name"], rs["metadata"]["namespace"])
        return rs  # pragma: no cover


def _status_without_generation(status: dict) -> dict:
    return {k: v for k, v in status.items() if k != "observedGeneration"}


_RS_STATUS_ORDER = ("replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas",
                    "terminatingReplicas", "observedGeneration", "conditions")


def _ordered_rs_status(status: dict) -> dict:
    return {k: status[k] for k in _RS_STATUS_ORDER if k in status}


def calculate_status(rs: dict, active: list[dict], terminating: list[dict] | None,
                     manage_error: errors.StatusError | None, now) -> dict:
    """``calculateStatus``: count the claimed pods; keep or clear the ReplicaFailure condition."""
    old = rs.get("status") or {}
    template_labels = ((rs["spec"].get("template") or {}).get("metadata") or {}).get("labels") or {}
    min_ready = rs["spec"].get("minReadySeconds") or 0
    fully_labeled = ready = available = 0
    for pod in active:
        labels = pod["metadata"].get("labels") or {}
        if all(labels.get(k) == v for k, v in template_labels.items()):
            fully_labeled += 1
        if podutil.is_pod_ready(pod):
            ready += 1
            if podutil.is_pod_available(pod, min_ready, now):
                available += 1
    conditions = [dict(c) for c in old.get("conditions") or []]
    failure = next((c for c in conditions if c.get("type") == "ReplicaFailure"), None)
    if manage_error is not None and failure is None:
        diff = len(active) - rs["spec"].get("replicas", 1)
        reason = "FailedCreate" if diff < 0 else "FailedDelete" if diff > 0 else ""
        conditions.append({"type": "ReplicaFailure", "status": "True",
                           "lastTransitionTime": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                           "reason": reason, "message": manage_error.message})
    elif manage_error is None and failure is not None:
        conditions = [c for c in conditions if c.get("type") != "ReplicaFailure"]
    status = {"replicas": len(active)}
    if fully_labeled:
        status["fullyLabeledReplicas"] = fully_labeled
    if ready:
        status["readyReplicas"] = ready
    if available:
        status["availableReplicas"] = available
    if terminating is not None:
        status["terminatingReplicas"] = len(terminating)
    if old.get("observedGeneration"):
        status["observedGeneration"] = old["observedGeneration"]
    if conditions:
        status["conditions"] = conditions
    return _ordered_rs_status(status)
