"""The StatefulSet controller (pkg/controller/statefulset).

A StatefulSet's pods have stable names ``<set>-<ordinal>``, a stable DNS
name ``<pod>.<serviceName>.<namespace>.svc.cluster.local`` (hostname and
subdomain) and stable storage: one PersistentVolumeClaim per
volumeClaimTemplate, ``<template>-<set>-<ordinal>``, which outlives the pod.

With ``podManagementPolicy: OrderedReady`` (the default) the controller is
*monotonic*: it creates web-0, waits until it is Running and Ready, then
web-1, and so on; it scales down from the highest ordinal, one pod at a
time.  ``Parallel`` creates and deletes them all at once.  Updates use
ControllerRevisions: ``RollingUpdate`` replaces pods from the highest
ordinal down to ``partition``, one at a time; ``OnDelete`` waits for the
user to delete pods.
"""

from __future__ import annotations

import datetime as _dt
import re

from ..api import errors
from ..api.objects import clone
from ..client.events import EventRecorder
from . import history
from .base import Controller

POD_NAME_LABEL = "statefulset.kubernetes.io/pod-name"
POD_INDEX_LABEL = "apps.kubernetes.io/pod-index"


# -- small pod helpers (pkg/controller/statefulset/stateful_set_utils.go) ------------------
def parse_time(text: str | None) -> _dt.datetime | None:
    if not text:
        return None
    return _dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def pod_ready_since(pod: dict) -> _dt.datetime | None:
    """When the pod became Ready, or None if it is not Ready."""
    for c in (pod.get("status") or {}).get("conditions") or []:
        if c.get("type") == "Ready" and c.get("status") == "True":
            return parse_time(c.get("lastTransitionTime")) or _dt.datetime.min.replace(tzinfo=_dt.timezone.utc)
    return None


def is_terminating(pod: dict) -> bool:
    return bool(pod["metadata"].get("deletionTimestamp"))


def is_running_and_ready(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") == "Running" and pod_ready_since(pod) is not None


def is_running_and_available(pod: dict, min_ready_seconds: int, now: _dt.datetime) -> bool:
    since = pod_ready_since(pod)
    if (pod.get("status") or {}).get("phase") != "Running" or since is None:
        return False
    return min_ready_seconds <= 0 or since + _dt.timedelta(seconds=min_ready_seconds) <= now


def is_failed_or_succeeded(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Failed", "Succeeded")


def owner_key(obj: dict, kind: str) -> str | None:
    """``namespace/name`` of the controller of ``obj`` if it is a ``kind``."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller") and ref.get("kind") == kind:
            return f"{obj['metadata'].get('namespace')}/{ref['name']}"
    return None


def ordinal_of(set_name: str, pod: dict) -> int | None:
    m = re.fullmatch(re.escape(set_name) + r"-(\d+)", pod["metadata"]["name"])
    return int(m.group(1)) if m else None


def claim_name(template: dict, set_name: str, ordinal: int) -> str:
    return f"{template['metadata']['name']}-{set_name}-{ordinal}"


class StatefulSetController(Controller):
    name = "statefulset-controller"
    watches = ("statefulsets", "pods", "controllerrevisions", "persistentvolumeclaims")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "statefulset-controller")

    def register_handlers(self, resource, informer):
        if resource == "statefulsets":
            super().register_handlers(resource, informer)
        elif resource == "pods":
            handler = self.enqueue_owner_of("StatefulSet")
            informer.add_handlers(handler, handler, handler)

    # -- the sync loop (StatefulSetControl.UpdateStatefulSet) ------------------------------
    def sync(self, key: str) -> None:
        sts = self.cache().get(key)
        if sts is None or sts["metadata"].get("deletionTimestamp"):
            return
        ns = sts["metadata"]["namespace"]
        pods = [p for p in self.cache("pods").list(ns) if history.controlled_by(p, sts)]
        revisions = history.owned_revisions(self.cache("controllerrevisions").list(ns), sts)
        collision = (sts.get("status") or {}).get("collisionCount") or 0
        update_rev, collision = history.ensure_revision(self.client, sts, revisions, collision)
        if all(r["metadata"]["name"] != update_rev["metadata"]["name"] for r in revisions):
            revisions.append(update_rev)
        current_name = (sts.get("status") or {}).get("currentRevision")
        current_rev = next((r for r in revisions if r["metadata"]["name"] == current_name), update_rev)

        pods = self.reconcile(sts, pods, current_rev, update_rev)
        status = self.compute_status(sts, pods, current_rev, update_rev, collision)
        self.write_status(sts, status)
        live = {status["currentRevision"], status["updateRevision"]}
        live |= {p["metadata"].get("labels", {}).get(history.REVISION_HASH_LABEL) for p in pods}
        history.truncate_history(self.client, revisions, live, sts["spec"].get("revisionHistoryLimit", 10))

    def reconcile(self, sts: dict, pods: list[dict], current_rev: dict, update_rev: dict) -> list[dict]:
        """Create, fix and delete pods; returns the pods as they are now."""
        spec = sts["spec"]
        name = sts["metadata"]["name"]
        start = (spec.get("ordinals") or {}).get("start") or 0
        wanted = range(start, start + spec.get("replicas", 1))
        monotonic = spec.get("podManagementPolicy", "OrderedReady") != "Parallel"
        min_ready = spec.get("minReadySeconds") or 0
        now = self.now()

        by_ordinal: dict[int, dict] = {}
        for p in pods:
            o = ordinal_of(name, p)
            if o is not None and o not in by_ordinal:
                by_ordinal[o] = p
        condemned = sorted((o for o in by_ordinal if o not in wanted), reverse=True)
        live = {o: p for o, p in by_ordinal.items()}

        def healthy(p):
            return p is not None and not is_terminating(p) and is_running_and_available(p, min_ready, now)

        def remember(o, p):
            if p is None:
                live.pop(o, None)
            else:
                live[o] = p

        # Step 1: every wanted ordinal gets a pod, in order.
        blocked = False
        for o in wanted:
            pod = live.get(o)
            if pod is not None and is_failed_or_succeeded(pod) and not is_terminating(pod):
                self.recorder.event(sts, "Warning", "RecreatingFailedPod" if pod["status"]["phase"] == "Failed"
                                    else "RecreatingTerminatedPod",
                                    f"StatefulSet {sts['metadata']['namespace']}/{name} is recreating "
                                    f"{'failed' if pod['status']['phase'] == 'Failed' else 'terminated'} "
                                    f"Pod {pod['metadata']['name']}")
                remember(o, self.delete_pod(sts, pod))
                pod = live.get(o)
                if pod is not None and monotonic:
                    blocked = True
                    break
            if pod is None:
                revision = current_rev if self.use_current_revision(sts, o) else update_rev
                remember(o, self.create_pod(sts, o, revision))
                if monotonic:
                    blocked = True
                    break
                continue
            if is_terminating(pod):
                if monotonic:
                    blocked = True
                    break
                continue
            if monotonic and not is_running_and_available(pod, min_ready, now):
                if is_running_and_ready(pod) and min_ready:
                    self.queue.add_after(f"{sts['metadata']['namespace']}/{name}", min_ready)
                blocked = True
                break
        if blocked:
            return list(live.values())

        # Step 2: claims follow the retention policy.
        self.delete_scaled_down_claims(sts, wanted, live)

        # Step 3: scale down from the highest ordinal.
        unhealthy = sorted(o for o, p in live.items() if not healthy(p))
        for o in condemned:
            pod = live.get(o)
            if pod is None:
                continue
            if is_terminating(pod):
                if monotonic:
                    return list(live.values())
                continue
            if monotonic and unhealthy and unhealthy[0] != o:
                return list(live.values())
            self.mark_claims_for_scale_down(sts, pod, o)
            remember(o, self.delete_pod(sts, pod))
            if monotonic:
                return list(live.values())

        # Step 4: rolling update, from the highest ordinal down to the partition.
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return list(live.values())
        partition = (strategy.get("rollingUpdate") or {}).get("partition") or 0
        update_name = update_rev["metadata"]["name"]
        for o in sorted((o for o in wanted if o >= start + partition), reverse=True):
            pod = live.get(o)
            if pod is None:
                break
            if self.revision_of(pod) != update_name and not is_terminating(pod):
                remember(o, self.delete_pod(sts, pod))
                break
            if not healthy(pod):
                break
        return list(live.values())

    @staticmethod
    def revision_of(pod: dict) -> str | None:
        return (pod["metadata"].get("labels") or {}).get(history.REVISION_HASH_LABEL)

    @staticmethod
    def use_current_revision(sts: dict, ordinal: int) -> bool:
        """newVersionedStatefulSetPod: which revision a newly created pod gets."""
        spec, status = sts["spec"], sts.get("status") or {}
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return False
        start = (spec.get("ordinals") or {}).get("start") or 0
        partition = (strategy.get("rollingUpdate") or {}).get("partition") or 0
        if partition == 0:
            return ordinal - start < (status.get("currentReplicas") or 0)
        return ordinal - start < partition

    # -- pods and claims (StatefulPodControl) -----------------------------------------------
    def new_pod(self, sts: dict, ordinal: int, revision: dict) -> dict:
        name = sts["metadata"]["name"]
        template = history.template_of(revision)
        meta = clone(template.get("metadata") or {})
        pod_name = f"{name}-{ordinal}"
        labels = dict(meta.get("labels") or {})
        labels[POD_NAME_LABEL] = pod_name
        labels[POD_INDEX_LABEL] = str(ordinal)
        labels[history.REVISION_HASH_LABEL] = revision["metadata"]["name"]
        pod_meta = {"name": pod_name, "namespace": sts["metadata"]["namespace"], "labels": labels,
                    "ownerReferences": [history.controller_ref(sts)]}
        if meta.get("annotations"):
            pod_meta["annotations"] = dict(meta["annotations"])
        spec = clone(template.get("spec") or {})
        spec["hostname"] = pod_name
        if sts["spec"].get("serviceName"):
            spec["subdomain"] = sts["spec"]["serviceName"]
        volumes = [v for v in spec.get("volumes") or []]
        for t in sts["spec"].get("volumeClaimTemplates") or []:
            volume = {"name": t["metadata"]["name"],
                      "persistentVolumeClaim": {"claimName": claim_name(t, name, ordinal)}}
            volumes = [v for v in volumes if v.get("name") != volume["name"]] + [volume]
        if volumes:
            spec["volumes"] = volumes
        return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}

    def create_pod(self, sts: dict, ordinal: int, revision: dict) -> dict:
        pod = self.new_pod(sts, ordinal, revision)
        self.create_missing_claims(sts, pod, ordinal)
        verb_target = f"Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']}"
        try:
            created = self.client.create(pod)
        except errors.StatusError as e:
            self.recorder.event(sts, "Warning", "FailedCreate", f"create {verb_target} failed error: {e}")
            raise
        self.recorder.event(sts, "Normal", "SuccessfulCreate", f"create {verb_target} successful")
        return created

    def delete_pod(self, sts: dict, pod: dict) -> dict | None:
        verb_target = f"Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']}"
        try:
            result = self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
        except errors.StatusError as e:
            if e.code == 404:
                return None
            self.recorder.event(sts, "Warning", "FailedDelete", f"delete {verb_target} failed error: {e}")
            raise
        self.recorder.event(sts, "Normal", "SuccessfulDelete", f"delete {verb_target} successful")
        return result if result.get("kind") == "Pod" and is_terminating(result) else None

    def new_claim(self, sts: dict, template: dict, ordinal: int) -> dict:
        claim = clone(template)
        claim.pop("status", None)
        meta = claim.setdefault("metadata", {})
        meta["name"] = claim_name(template, sts["metadata"]["name"], ordinal)
        meta["namespace"] = sts["metadata"]["namespace"]
        labels = dict(meta.get("labels") or {})
        labels.update((sts["spec"].get("selector") or {}).get("matchLabels") or {})
        meta["labels"] = labels
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenDeleted") == "Delete":
            meta["ownerReferences"] = [history.controller_ref(sts)]
        claim["apiVersion"], claim["kind"] = "v1", "PersistentVolumeClaim"
        return claim

    def create_missing_claims(self, sts: dict, pod: dict, ordinal: int) -> None:
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            claim = self.new_claim(sts, template, ordinal)
            ns, cname = claim["metadata"]["namespace"], claim["metadata"]["name"]
            if self.cache("persistentvolumeclaims").get(f"{ns}/{cname}") is not None:
                continue
            what = f"Claim {cname} Pod {pod['metadata']['name']} in StatefulSet {sts['metadata']['name']}"
            try:
                self.client.create(claim)
            except errors.StatusError as e:
                if e.code == 409:
                    continue
                self.recorder.event(sts, "Warning", "FailedCreate", f"create {what} failure error: {e}")
                raise
            self.recorder.event(sts, "Normal", "SuccessfulCreate", f"create {what} success")

    def mark_claims_for_scale_down(self, sts: dict, pod: dict, ordinal: int) -> None:
        """whenScaled: Delete makes the condemned pod the owner of its claims (for the garbage collector)."""
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenScaled") != "Delete":
            return
        ref = {"apiVersion": "v1", "kind": "Pod", "name": pod["metadata"]["name"], "uid": pod["metadata"]["uid"]}
        for template in sts["spec"].get("volumeClaimTemplates") or []:
            ns = sts["metadata"]["namespace"]
            cname = claim_name(template, sts["metadata"]["name"], ordinal)
            claim = self.cache("persistentvolumeclaims").get(f"{ns}/{cname}")
            if claim is None:
                continue
            refs = claim["metadata"].get("ownerReferences") or []
            if any(r.get("uid") == ref["uid"] for r in refs):
                continue
            claim = clone(claim)
            claim["metadata"]["ownerReferences"] = refs + [ref]
            self.client.update(claim)

    def delete_scaled_down_claims(self, sts: dict, wanted: range, live: dict) -> None:
        """Claims owned by a condemned pod that is gone are deleted (what the
        garbage collector does for them in a real cluster)."""
        policy = sts["spec"].get("persistentVolumeClaimRetentionPolicy") or {}
        if policy.get("whenScaled") != "Delete":
            return
        ns, name = sts["metadata"]["namespace"], sts["metadata"]["name"]
        names = {t["metadata"]["name"] for t in sts["spec"].get("volumeClaimTemplates") or []}
        for claim in self.cache("persistentvolumeclaims").list(ns):
            m = re.fullmatch(r"(.+)-" + re.escape(name) + r"-(\d+)", claim["metadata"]["name"])
            if not m or m.group(1) not in names or int(m.group(2)) in wanted or int(m.group(2)) in live:
                continue
            if not any(r.get("kind") == "Pod" for r in claim["metadata"].get("ownerReferences") or []):
                continue
            try:
                self.client.delete("persistentvolumeclaims", claim["metadata"]["name"], ns)
            except errors.StatusError as e:
                if e.code != 404:
                    raise

    # -- status -------------------------------------------------------------------------------
    def compute_status(self, sts: dict, pods: list[dict], current_rev: dict, update_rev: dict,
                       collision: int) -> dict:
        min_ready = sts["spec"].get("minReadySeconds") or 0
        now = self.now()
        current_name, update_name = current_rev["metadata"]["name"], update_rev["metadata"]["name"]
        counted = [p for p in pods if (p.get("status") or {}).get("phase") and not is_terminating(p)]
        replicas = len(counted)
        ready = sum(1 for p in counted if is_running_and_ready(p))
        available = sum(1 for p in counted if is_running_and_available(p, min_ready, now))
        current = sum(1 for p in counted if self.revision_of(p) == current_name)
        updated = sum(1 for p in counted if self.revision_of(p) == update_name)
        strategy = (sts["spec"].get("updateStrategy") or {}).get("type", "RollingUpdate")
        if strategy == "RollingUpdate" and updated == replicas and ready == replicas:
            current_name, current = update_name, updated  # the rolling update is complete
        status = {"observedGeneration": sts["metadata"].get("generation", 1), "replicas": replicas,
                  "readyReplicas": ready, "currentReplicas": current, "updatedReplicas": updated,
                  "currentRevision": current_name, "updateRevision": update_name,
                  "collisionCount": collision, "availableReplicas": available}
        for k in ("readyReplicas", "currentReplicas", "updatedReplicas"):
            if not status[k]:
                del status[k]  # omitempty
        old = sts.get("status") or {}
        if old.get("conditions"):
            status["conditions"] = old["conditions"]
        return status

    def write_status(self, sts: dict, status: dict) -> None:
        if sts.get("status") == status:
            return
        fresh = clone(sts)
        fresh["status"] = status
        try:
            self.client.update_status(fresh)
        except errors.StatusError as e:
            if e.code != 404:
                raise
