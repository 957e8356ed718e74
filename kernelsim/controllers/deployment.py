"""The Deployment controller (pkg/controller/deployment).

A Deployment owns ReplicaSets, one per version of its pod template.  The
ReplicaSet for the current template is named ``<deployment>-<pod-template-hash>``
and carries the ``pod-template-hash`` label in its selector, so versions never
share pods.  The controller moves replicas from the old ReplicaSets to the new
one, within ``maxSurge``/``maxUnavailable`` (RollingUpdate) or by scaling the
old ones to zero first (Recreate); scales proportionally when the Deployment is
resized in the middle of a rollout; keeps ``revisionHistoryLimit`` old
ReplicaSets for ``kubectl rollout undo``; and reports the Available and
Progressing conditions (with ``progressDeadlineSeconds``) in its status.
"""

from __future__ import annotations

from ..api import errors
from ..api.objects import clone
from ..api.selectors import label_selector_from_api
from ..client.events import EventRecorder
from ..client.informer import CONTROLLER_UID_INDEX, controller_uid_index
from . import deployment_util as du
from . import podutil
from .base import Controller, log


class DeploymentController(Controller):
    name = "deployment-controller"
    watches = ("deployments", "replicasets", "pods")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "deployment-controller")
        self._deadline_timers: dict[str, object] = {}

    # -- event handlers -------------------------------------------------------------------
    def register_handlers(self, resource, informer):
        if resource == "deployments":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self.enqueue)
        elif resource == "replicasets":
            informer.add_handlers(self._add_rs, self._update_rs, self._delete_rs)
        else:
            informer.add_indexers(**{CONTROLLER_UID_INDEX: controller_uid_index})
            informer.add_handlers(on_delete=self._delete_pod)

    def _resolve(self, namespace: str, ref: dict | None) -> dict | None:
        if ref is None or ref.get("kind") != "Deployment":
            return None
        d = self.cache("deployments").get(f"{namespace}/{ref.get('name')}")
        if d is None or d["metadata"].get("uid") != ref.get("uid"):
            return None
        return d

    def _deployments_for_rs(self, rs: dict) -> list[dict]:
        out = []
        for d in self.cache("deployments").list(rs["metadata"].get("namespace")):
            try:
                selector = label_selector_from_api((d.get("spec") or {}).get("selector"))
            except errors.StatusError:
                continue
            if not selector.empty() and selector.matches(rs["metadata"].get("labels")):
                out.append(d)
        return out

    def _add_rs(self, rs):
        if rs["metadata"].get("deletionTimestamp"):
            self._delete_rs(rs)
            return
        ref = podutil.get_controller_of(rs)
        if ref is not None:
            d = self._resolve(rs["metadata"]["namespace"], ref)
            if d is not None:
                self.enqueue(d)
            return
        for d in self._deployments_for_rs(rs):
            self.enqueue(d)

    def _update_rs(self, old, cur):
        if old["metadata"].get("resourceVersion") == cur["metadata"].get("resourceVersion"):
            return
        cur_ref, old_ref = podutil.get_controller_of(cur), podutil.get_controller_of(old)
        if cur_ref != old_ref and old_ref is not None:
            d = self._resolve(old["metadata"]["namespace"], old_ref)
            if d is not None:
                self.enqueue(d)
        if cur_ref is not None:
            d = self._resolve(cur["metadata"]["namespace"], cur_ref)
            if d is not None:
                self.enqueue(d)
            return
        if old["metadata"].get("labels") != cur["metadata"].get("labels") or cur_ref != old_ref:
            for d in self._deployments_for_rs(cur):
                self.enqueue(d)

    def _delete_rs(self, rs):
        d = self._resolve(rs["metadata"]["namespace"], podutil.get_controller_of(rs))
        if d is not None:
            self.enqueue(d)

    def _delete_pod(self, pod):
        """A Recreate rollout waits for the old pods to be gone: wake it up."""
        rs_ref = podutil.get_controller_of(pod)
        if rs_ref is None or rs_ref.get("kind") != "ReplicaSet":
            return
        rs = self.cache("replicasets").get(f"{pod['metadata']['namespace']}/{rs_ref.get('name')}")
        if rs is None:
            return
        d = self._resolve(rs["metadata"]["namespace"], podutil.get_controller_of(rs))
        if d is not None and ((d.get("spec") or {}).get("strategy") or {}).get("type") == "Recreate":
            self.enqueue(d)

    # -- sync ---------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        """``syncDeployment``."""
        try:
            self._sync_deployment(key)
        except ValueError as e:  # e.g. a maxSurge that is not an int or a percentage
            log.debug("%s: cannot sync %s: %s", self.name, key, e)

    def _sync_deployment(self, key: str) -> None:
        cached = self.cache("deployments").get(key)
        if cached is None:
            return
        d = clone(cached)
        spec = d.get("spec") or {}
        if spec.get("selector") == {}:
            self.recorder.event(d, "Warning", "SelectingAll",
                                "This deployment is selecting all pods. A non-empty selector is required.")
            if (d.get("status") or {}).get("observedGeneration", 0) < d["metadata"].get("generation", 0):
                d.setdefault("status", {})["observedGeneration"] = d["metadata"].get("generation", 0)
                self._write_status(d)
            return
        rs_list = self._replica_sets_for(d)
        pod_map = self._pod_map_for(d, rs_list)
        if d["metadata"].get("deletionTimestamp"):
            self._sync_status_only(d, rs_list)
            return
        self._check_paused_conditions(d)
        if spec.get("paused"):
            self._sync(d, rs_list)
            return
        if self._is_scaling_event(d, rs_list):
            self._sync(d, rs_list)
            return
        if (spec.get("strategy") or {}).get("type") == "Recreate":
            self._rollout_recreate(d, rs_list, pod_map)
        else:
            self._rollout_rolling(d, rs_list)

    # -- reading what the Deployment owns ----------------------------------------------
    def _replica_sets_for(self, d: dict) -> list[dict]:
        """``getReplicaSetsForDeployment``: claim ReplicaSets (adopt orphans, release non-matching)."""
        meta = d["metadata"]
        try:
            selector = label_selector_from_api(d["spec"].get("selector"))
        except errors.StatusError:
            return []
        fresh = lambda: self.client.get("deployments", meta["name"], meta["namespace"])  # noqa: E731
        manager = podutil.ControllerRefManager(self.client, d, selector, "replicasets",
                                               podutil.recheck_deletion_timestamp(fresh, meta["uid"]))
        return [clone(rs) for rs in manager.claim(self.cache("replicasets").list(meta["namespace"]))]

    def _pod_map_for(self, d: dict, rs_list: list[dict]) -> dict[str, list[dict]]:
        """``getPodMapForDeployment``: the Deployment's pods, grouped by owning ReplicaSet UID."""
        try:
            selector = label_selector_from_api(d["spec"].get("selector"))
        except errors.StatusError:
            return {}
        pod_map: dict[str, list[dict]] = {rs["metadata"]["uid"]: [] for rs in rs_list}
        # The pods each ReplicaSet controls, from the controllerUID index (the same pods as
        # listing the namespace and keeping those a listed ReplicaSet controls).
        namespace = d["metadata"]["namespace"]
        for uid in pod_map:
            pod_map[uid] = [pod for pod in self.cache("pods").by_index(CONTROLLER_UID_INDEX, uid)
                            if pod["metadata"].get("namespace") == namespace
                            and selector.matches(pod["metadata"].get("labels"))]
        return pod_map

    def _all_replica_sets(self, d: dict, rs_list: list[dict], create: bool):
        """``getAllReplicaSetsAndSyncRevision``: (new ReplicaSet or None, all old ReplicaSets)."""
        existing_new = du.find_new_replica_set(d, rs_list)
        old_rss = [rs for rs in rs_list if existing_new is None or rs["metadata"]["uid"] != existing_new["metadata"]["uid"]]
        new_rs = self._new_replica_set(d, rs_list, old_rss, existing_new, create)
        return new_rs, old_rss

    def _new_replica_set(self, d: dict, rs_list, old_rss, existing_new, create: bool) -> dict | None:
        """``getNewReplicaSet``: find (and bring up to date) or create the ReplicaSet of the current template."""
        new_revision = str(du.max_revision(old_rss) + 1)
        now = self._timestamp()
        if existing_new is not None:
            rs = clone(existing_new)
            changed = du.set_new_replica_set_annotations(d, rs, new_revision, True)
            min_ready = d["spec"].get("minReadySeconds") or 0
            if changed or (rs["spec"].get("minReadySeconds") or 0) != min_ready:
                if min_ready:
                    rs["spec"]["minReadySeconds"] = min_ready
                else:
                    rs["spec"].pop("minReadySeconds", None)  # omitempty
                return self.client.update(rs)
            needs_update = self._set_revision(d, (rs["metadata"].get("annotations") or {}).get(du.REVISION_ANNOTATION, ""))
            status = d.setdefault("status", {})
            if du.has_progress_deadline(d) and du.get_condition(status, "Progressing") is None:
                du.set_condition(status, du.new_condition("Progressing", "True", du.FOUND_NEW_RS_REASON,
                                                          f'Found new replica set "{rs["metadata"]["name"]}"', now))
                needs_update = True
            if needs_update:
                self._write_status(d)
            return rs
        if not create:
            return None
        template = clone(d["spec"].get("template") or {})
        collision_count = (d.get("status") or {}).get("collisionCount")
        pod_template_hash = du.compute_hash(template, collision_count)
        labels = dict((template.get("metadata") or {}).get("labels") or {})
        labels[du.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY] = pod_template_hash
        template.setdefault("metadata", {})["labels"] = labels
        selector = clone(d["spec"].get("selector") or {})
        selector.setdefault("matchLabels", {})[du.DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY] = pod_template_hash
        new_rs = {
            "apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{d['metadata']['name']}-{pod_template_hash}",
                         "namespace": d["metadata"]["namespace"], "labels": dict(labels),
                         "ownerReferences": [podutil.new_controller_ref(d)]},
            "spec": {"replicas": 0, "selector": selector, "template": template},
        }
        if d["spec"].get("minReadySeconds"):
            new_rs["spec"]["minReadySeconds"] = d["spec"]["minReadySeconds"]
        new_rs["spec"]["replicas"] = du.new_rs_new_replicas(d, old_rss + [new_rs], new_rs)
        du.set_new_replica_set_annotations(d, new_rs, new_revision, False)
        owner_refs = new_rs["metadata"].pop("ownerReferences")
        new_rs["metadata"]["ownerReferences"] = owner_refs  # after labels and annotations, as ObjectMeta orders them
        already_exists = False
        try:
            created = self.client.create(new_rs)
        except errors.StatusError as e:
            if e.code == 409 and e.reason == "AlreadyExists":
                rs = self.cache("replicasets").get(f"{d['metadata']['namespace']}/{new_rs['metadata']['name']}")
                ref = podutil.get_controller_of(rs) if rs is not None else None
                if rs is not None and ref is not None and ref.get("uid") == d["metadata"]["uid"] and \
                        du.equal_ignore_hash(d["spec"].get("template") or {}, rs["spec"].get("template") or {}):
                    created, already_exists = clone(rs), True
                else:
                    # A hash collision: bump collisionCount so the next try gets another name.
                    status = d.setdefault("status", {})
                    status["collisionCount"] = (status.get("collisionCount") or 0) + 1
                    self._write_status(d)
                    raise
            elif "because it is being terminated" in e.message:
                raise
            else:
                msg = f'Failed to create new replica set "{new_rs["metadata"]["name"]}": {e.message}'
                if du.has_progress_deadline(d):
                    du.set_condition(d.setdefault("status", {}), du.new_condition(
                        "Progressing", "False", du.FAILED_RS_CREATE_REASON, msg, now))
                    try:
                        self._write_status(d)
                    except errors.StatusError:
                        pass
                self.recorder.event(d, "Warning", du.FAILED_RS_CREATE_REASON, msg)
                raise
        replicas = du.replicas_of(new_rs)
        if not already_exists and replicas > 0:
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled up replica set {created['metadata']['name']} from 0 to {replicas}")
        needs_update = self._set_revision(d, new_revision)
        if not already_exists and du.has_progress_deadline(d):
            du.set_condition(d.setdefault("status", {}), du.new_condition(
                "Progressing", "True", du.NEW_REPLICA_SET_REASON,
                f'Created new replica set "{created["metadata"]["name"]}"', now))
            needs_update = True
        if needs_update:
            self._write_status(d)
        return created

    # -- scaling ---------------------------------------------------------------------------
    def _is_scaling_event(self, d: dict, rs_list: list[dict]) -> bool:
        """``isScalingEvent``: an active ReplicaSet was sized for another spec.replicas."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, False)
        for rs in du.filter_active(old_rss + [new_rs]):
            desired = du.desired_replicas_annotation(rs)
            if desired is not None and desired != du.replicas_of(d):
                return True
        return False

    def _sync(self, d: dict, rs_list: list[dict]) -> None:
        """``sync``: scaling events and paused Deployments (no rollout happens)."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, False)
        self._scale(d, new_rs, old_rss)
        if d["spec"].get("paused"):
            self._cleanup(d, old_rss)
        all_rss = old_rss + ([new_rs] if new_rs is not None else [])
        self._sync_deployment_status(d, all_rss, new_rs)

    def _scale(self, d: dict, new_rs: dict | None, old_rss: list[dict]) -> None:
        """``scale``: resize the one active ReplicaSet, or all of them proportionally."""
        active_or_latest = du.find_active_or_latest(new_rs, old_rss)
        if active_or_latest is not None:
            if du.replicas_of(active_or_latest) != du.replicas_of(d):
                self._scale_and_record(active_or_latest, du.replicas_of(d), d)
            return
        if du.is_saturated(d, new_rs):
            for old in du.filter_active(old_rss):
                self._scale_and_record(old, 0, d)
            return
        if not du.is_rolling_update(d):
            return
        all_rss = du.filter_active(old_rss + [new_rs])
        allowed = du.replicas_of(d) + du.max_surge(d) if du.replicas_of(d) > 0 else 0
        to_add = allowed - du.replica_count(all_rss)
        operation = ""
        if to_add > 0:
            all_rss, operation = du.by_size_newer(all_rss), "up"
        elif to_add < 0:
            all_rss, operation = du.by_size_older(all_rss), "down"
        added, sizes = 0, {}
        for rs in all_rss:
            if to_add != 0:
                proportion = du.replica_set_proportion(rs, d, to_add, added)
                sizes[rs["metadata"]["name"]] = du.replicas_of(rs) + proportion
                added += proportion
            else:
                sizes[rs["metadata"]["name"]] = du.replicas_of(rs)
        for i, rs in enumerate(all_rss):
            name = rs["metadata"]["name"]
            if i == 0 and to_add != 0:
                sizes[name] = max(0, sizes[name] + to_add - added)  # leftovers go to the largest
            self._scale_replica_set(rs, sizes[name], d, operation)

    def _scale_and_record(self, rs: dict, new_scale: int, d: dict) -> tuple[bool, dict]:
        """``scaleReplicaSetAndRecordEvent``."""
        if du.replicas_of(rs) == new_scale:
            return False, rs
        operation = "up" if du.replicas_of(rs) < new_scale else "down"
        return self._scale_replica_set(rs, new_scale, d, operation)

    def _scale_replica_set(self, rs: dict, new_scale: int, d: dict, operation: str) -> tuple[bool, dict]:
        """``scaleReplicaSet``: write spec.replicas and the desired/max-replicas annotations."""
        size_changed = du.replicas_of(rs) != new_scale
        desired, most = du.replicas_of(d), du.replicas_of(d) + du.max_surge(d)
        if not size_changed and not du.replicas_annotations_need_update(rs, desired, most):
            return False, rs
        old_scale = du.replicas_of(rs)
        copy = clone(rs)
        copy["spec"]["replicas"] = new_scale
        du.set_replicas_annotations(copy, desired, most)
        updated = self.client.update(copy)
        rs.clear()
        rs.update(updated)
        if size_changed:
            self.recorder.event(d, "Normal", "ScalingReplicaSet",
                                f"Scaled {operation} replica set {updated['metadata']['name']} "
                                f"from {old_scale} to {new_scale}")
        return size_changed, rs

    # -- RollingUpdate ---------------------------------------------------------------------
    def _rollout_rolling(self, d: dict, rs_list: list[dict]) -> None:
        """``rolloutRolling``: scale the new ReplicaSet up, or the old ones down, within the limits."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, True)
        all_rss = old_rss + [new_rs]
        if self._reconcile_new_replica_set(all_rss, new_rs, d):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if self._reconcile_old_replica_sets(all_rss, du.filter_active(old_rss), new_rs, d):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if du.deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, old_rss)
        self._sync_rollout_status(d, all_rss, new_rs)

    def _reconcile_new_replica_set(self, all_rss, new_rs: dict, d: dict) -> bool:
        if du.replicas_of(new_rs) == du.replicas_of(d):
            return False
        if du.replicas_of(new_rs) > du.replicas_of(d):
            return self._scale_and_record(new_rs, du.replicas_of(d), d)[0]
        return self._scale_and_record(new_rs, du.new_rs_new_replicas(d, all_rss, new_rs), d)[0]

    def _reconcile_old_replica_sets(self, all_rss, old_rss, new_rs: dict, d: dict) -> bool:
        old_count = du.replica_count(old_rss)
        if old_count == 0:
            return False
        min_available = du.replicas_of(d) - du.max_unavailable(d)
        new_unavailable = du.replicas_of(new_rs) - (new_rs.get("status") or {}).get("availableReplicas", 0)
        max_scaled_down = du.replica_count(all_rss) - min_available - new_unavailable
        if max_scaled_down <= 0:
            return False
        old_rss, cleaned = self._cleanup_unhealthy_replicas(old_rss, d, max_scaled_down)
        scaled = self._scale_down_old_for_rolling_update(old_rss + [new_rs], old_rss, d)
        return cleaned + scaled > 0

    def _cleanup_unhealthy_replicas(self, old_rss, d: dict, max_cleanup: int):
        """Scale down old replicas that are not available first: they serve nobody."""
        old_rss = du.by_creation(old_rss)
        total = 0
        for rs in old_rss:
            if total >= max_cleanup:
                break
            available = (rs.get("status") or {}).get("availableReplicas", 0)
            if du.replicas_of(rs) == 0 or du.replicas_of(rs) == available:
                continue
            count = min(max_cleanup - total, du.replicas_of(rs) - available)
            self._scale_and_record(rs, du.replicas_of(rs) - count, d)
            total += count
        return old_rss, total

    def _scale_down_old_for_rolling_update(self, all_rss, old_rss, d: dict) -> int:
        min_available = du.replicas_of(d) - du.max_unavailable(d)
        available = du.available_replica_count(all_rss)
        if available <= min_available:
            return 0
        total, to_scale = 0, available - min_available
        for rs in du.by_creation(old_rss):
            if total >= to_scale:
                break
            if du.replicas_of(rs) == 0:
                continue
            count = min(du.replicas_of(rs), to_scale - total)
            self._scale_and_record(rs, du.replicas_of(rs) - count, d)
            total += count
        return total

    # -- Recreate ----------------------------------------------------------------------------
    def _rollout_recreate(self, d: dict, rs_list: list[dict], pod_map: dict) -> None:
        """``rolloutRecreate``: old ReplicaSets to zero, wait for their pods to go, then the new one up."""
        new_rs, old_rss = self._all_replica_sets(d, rs_list, False)
        all_rss = old_rss + ([new_rs] if new_rs is not None else [])
        scaled_down = False
        for rs in du.filter_active(old_rss):
            if self._scale_and_record(rs, 0, d)[0]:
                scaled_down = True
        if scaled_down or self._old_pods_running(new_rs, old_rss, pod_map):
            self._sync_rollout_status(d, all_rss, new_rs)
            return
        if new_rs is None:
            new_rs, old_rss = self._all_replica_sets(d, rs_list, True)
            all_rss = old_rss + [new_rs]
        self._scale_and_record(new_rs, du.replicas_of(d), d)
        if du.deployment_complete(d, d.get("status") or {}):
            self._cleanup(d, old_rss)
        self._sync_rollout_status(d, all_rss, new_rs)

    @staticmethod
    def _old_pods_running(new_rs, old_rss, pod_map) -> bool:
        if du.actual_replica_count(old_rss) > 0:
            return True
        for uid, pods in pod_map.items():
            if new_rs is not None and new_rs["metadata"]["uid"] == uid:
                continue
            if any((p.get("status") or {}).get("phase") not in ("Failed", "Succeeded") for p in pods):
                return True
        return False

    # -- history -------------------------------------------------------------------------------
    def _cleanup(self, d: dict, old_rss: list[dict]) -> None:
        """``cleanupDeployment``: delete the oldest unused ReplicaSets beyond revisionHistoryLimit."""
        if not du.has_revision_history_limit(d):
            return
        alive = [rs for rs in old_rss if not rs["metadata"].get("deletionTimestamp")]
        diff = len(alive) - d["spec"]["revisionHistoryLimit"]
        if diff <= 0:
            return
        for rs in du.by_revision(alive)[:diff]:
            status = rs.get("status") or {}
            if (status.get("replicas", 0) != 0 or du.replicas_of(rs) != 0
                    or rs["metadata"].get("generation", 0) > status.get("observedGeneration", 0)):
                continue
            try:
                self.client.delete("replicasets", rs["metadata"]["name"], rs["metadata"]["namespace"])
            except errors.StatusError as e:
                if e.code != 404:
                    raise

    # -- status ---------------------------------------------------------------------------------
    def _timestamp(self) -> str:
        return podutil.now_of(self.client).strftime("%Y-%m-%dT%H:%M:%SZ")

    def _set_revision(self, d: dict, revision: str) -> bool:
        """``SetDeploymentRevision``: the caller writes it with the status, as the real one does."""
        return du.set_deployment_revision(d, revision)

    def _write_status(self, d: dict) -> None:
        """``UpdateStatus``.  kube-apiserver keeps annotations written through deployments/status
        (that is how the revision annotation gets there); should this server drop them, they
        are written with a patch of the Deployment instead."""
        updated = self.client.update_status(d)
        want = (d["metadata"].get("annotations") or {}).get(du.REVISION_ANNOTATION)
        if want is not None and (updated["metadata"].get("annotations") or {}).get(du.REVISION_ANNOTATION) != want:
            updated = self.client.patch("deployments", d["metadata"]["name"],
                                        {"metadata": {"annotations": {du.REVISION_ANNOTATION: want}}},
                                        d["metadata"]["namespace"], type="merge")
        d["metadata"] = updated["metadata"]

    def _check_paused_conditions(self, d: dict) -> None:
        if not du.has_progress_deadline(d):
            return
        status = d.setdefault("status", {})
        cond = du.get_condition(status, "Progressing")
        if cond is not None and cond.get("reason") == du.TIMED_OUT_REASON:
            return
        paused_exists = cond is not None and cond.get("reason") == du.PAUSED_DEPLOY_REASON
        now = self._timestamp()
        if d["spec"].get("paused") and not paused_exists:
            du.set_condition(status, du.new_condition("Progressing", "Unknown", du.PAUSED_DEPLOY_REASON,
                                                      "Deployment is paused", now))
        elif not d["spec"].get("paused") and paused_exists:
            du.set_condition(status, du.new_condition("Progressing", "Unknown", du.RESUMED_DEPLOY_REASON,
                                                      "Deployment is resumed", now))
        else:
            return
        self._write_status(d)

    def _sync_status_only(self, d: dict, rs_list: list[dict]) -> None:
        new_rs, old_rss = self._all_replica_sets(d, rs_list, False)
        self._sync_deployment_status(d, old_rss + ([new_rs] if new_rs is not None else []), new_rs)

    def _sync_deployment_status(self, d: dict, all_rss, new_rs) -> None:
        new_status = self.calculate_status(all_rss, new_rs, d)
        if new_status != (d.get("status") or {}):
            d["status"] = new_status
            self._write_status(d)

    def calculate_status(self, all_rss, new_rs, d: dict) -> dict:
        """``calculateStatus``: counts from the ReplicaSets, and the Available condition."""
        old = d.get("status") or {}
        available = du.available_replica_count(all_rss)
        unavailable = max(0, du.replica_count(all_rss) - available)
        values = {
            "observedGeneration": d["metadata"].get("generation", 0),
            "replicas": du.actual_replica_count(all_rss),
            "updatedReplicas": du.actual_replica_count([new_rs]),
            "readyReplicas": du.ready_replica_count(all_rss),
            "availableReplicas": available,
            "unavailableReplicas": unavailable,
        }
        status = {k: v for k, v in values.items() if v}  # omitempty
        terminating = du.terminating_replica_count(all_rss)
        if terminating is not None:
            status["terminatingReplicas"] = terminating
        conditions = [dict(c) for c in old.get("conditions") or []]
        if conditions:
            status["conditions"] = conditions
        if old.get("collisionCount") is not None:
            status["collisionCount"] = old["collisionCount"]
        now = self._timestamp()
        if available >= du.replicas_of(d) - du.max_unavailable(d):
            du.set_condition(status, du.new_condition("Available", "True", du.MINIMUM_REPLICAS_AVAILABLE,
                                                      "Deployment has minimum availability.", now))
        else:
            du.set_condition(status, du.new_condition("Available", "False", du.MINIMUM_REPLICAS_UNAVAILABLE,
                                                      "Deployment does not have minimum availability.", now))
        return _ordered_status(status)

    def _sync_rollout_status(self, d: dict, all_rss, new_rs) -> None:
        """``syncRolloutStatus``: status plus the Progressing condition and the progress deadline."""
        new_status = self.calculate_status(all_rss, new_rs, d)
        if not du.has_progress_deadline(d):
            du.remove_condition(new_status, "Progressing")
        current = du.get_condition(d.get("status") or {}, "Progressing")
        complete = (new_status.get("replicas", 0) == new_status.get("updatedReplicas", 0) and current is not None
                    and current.get("reason") == du.NEW_RS_AVAILABLE_REASON)
        now_dt = podutil.now_of(self.client)
        now = self._timestamp()
        name = d["metadata"]["name"]
        if du.has_progress_deadline(d) and not complete:
            if du.deployment_complete(d, new_status):
                msg = f'ReplicaSet "{new_rs["metadata"]["name"]}" has successfully progressed.' if new_rs \
                    else f'Deployment "{name}" has successfully progressed.'
                du.set_condition(new_status, du.new_condition("Progressing", "True", du.NEW_RS_AVAILABLE_REASON,
                                                              msg, now))
            elif du.deployment_progressing(d, new_status):
                msg = f'ReplicaSet "{new_rs["metadata"]["name"]}" is progressing.' if new_rs \
                    else f'Deployment "{name}" is progressing.'
                cond = du.new_condition("Progressing", "True", du.REPLICA_SET_UPDATED_REASON, msg, now)
                if current is not None:
                    if current.get("status") == "True":
                        cond["lastTransitionTime"] = current.get("lastTransitionTime")
                    du.remove_condition(new_status, "Progressing")
                du.set_condition(new_status, cond)
            elif du.deployment_timed_out(d, new_status, now_dt):
                msg = f'ReplicaSet "{new_rs["metadata"]["name"]}" has timed out progressing.' if new_rs \
                    else f'Deployment "{name}" has timed out progressing.'
                du.set_condition(new_status, du.new_condition("Progressing", "False", du.TIMED_OUT_REASON,
                                                              msg, now))
        failure = self._replica_failure(all_rss, new_rs)
        if failure is not None:
            du.set_condition(new_status, failure)
        else:
            du.remove_condition(new_status, "ReplicaFailure")
        new_status = _ordered_status(new_status)
        if new_status == (d.get("status") or {}):
            self._requeue_stuck(d, new_status, now_dt)
            return
        d["status"] = new_status
        self._write_status(d)

    @staticmethod
    def _replica_failure(all_rss, new_rs) -> dict | None:
        """``getReplicaFailures``: a ReplicaFailure condition of the new (else any) ReplicaSet."""
        candidates = ([new_rs] if new_rs is not None else []) + [rs for rs in all_rss if rs is not new_rs]
        for rs in candidates:
            if rs is None:
                continue
            c = podutil.get_condition(rs.get("status"), "ReplicaFailure")
            if c is not None:
                return {"type": "ReplicaFailure", "status": c.get("status"),
                        "lastUpdateTime": c.get("lastTransitionTime"),
                        "lastTransitionTime": c.get("lastTransitionTime"),
                        "reason": c.get("reason"), "message": c.get("message")}
        return None

    def _requeue_stuck(self, d: dict, new_status: dict, now) -> None:
        """``requeueStuckDeployment``: look again when the progress deadline would pass."""
        current = du.get_condition(d.get("status") or {}, "Progressing")
        if not du.has_progress_deadline(d) or current is None:
            return
        if du.deployment_complete(d, new_status) or current.get("reason") == du.TIMED_OUT_REASON:
            return
        since = podutil.parse_time(current.get("lastUpdateTime"))
        if since is None:
            return
        after = (since - now).total_seconds() + d["spec"]["progressDeadlineSeconds"]
        key = f"{d['metadata']['namespace']}/{d['metadata']['name']}"
        # Timestamps have whole seconds: look again at least a second later, or the deadline
        # check (strictly after) could see the same instant again and again.
        delay = 1.0 if after < 1 else after + 1
        previous = self._deadline_timers.pop(key, None)
        if previous is not None:
            previous.cancel()
        # A watchdog, not expected work: settle() does not wait for it, advance() fires it.
        self._deadline_timers[key] = self.loop.call_later(
            delay, lambda: self.queue.add(key), f"{self.name} progress deadline {key}", background=True)


_STATUS_ORDER = ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas",
                 "unavailableReplicas", "terminatingReplicas", "conditions", "collisionCount")


def _ordered_status(status: dict) -> dict:
    return {k: status[k] for k in _STATUS_ORDER if k in status}
