"""The garbage collector (pkg/controller/garbagecollector).

The GraphBuilder watches every resource that can own or be owned and keeps a
graph of ``metadata.ownerReferences`` (owner -> dependents, by UID).  Two
work queues act on it:

* ``attemptToDelete``: a dependent whose owners are all gone is deleted
  (Background cascading deletion); an owner being deleted in the foreground
  (``foregroundDeletion`` finalizer) first has its dependents deleted, and
  loses the finalizer once no dependent with ``blockOwnerDeletion`` is left;
* ``attemptToOrphan``: an owner deleted with ``propagationPolicy: Orphan``
  (``orphan`` finalizer) has its ownerReference removed from every dependent,
  then loses the finalizer.

Owner references seen before their owner get a "virtual" node, which is
checked with a live read, as the real collector does.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..api import errors, resources
from ..client.workqueue import WorkQueue
from . import podutil
from .base import Controller

# Resources whose objects own others or are owned (kube-controller-manager watches every
# deletable, listable, watchable resource; these are the ones that carry ownerReferences here).
GC_RESOURCES = (
    "pods", "replicasets.apps", "deployments.apps", "statefulsets.apps", "daemonsets.apps",
    "controllerrevisions.apps", "jobs.batch", "cronjobs.batch", "replicationcontrollers",
    "persistentvolumeclaims", "persistentvolumes", "services", "endpoints", "endpointslices.discovery.k8s.io",
    "configmaps", "secrets", "serviceaccounts", "nodes", "leases.coordination.k8s.io",
    "horizontalpodautoscalers.autoscaling", "poddisruptionbudgets.policy", "ingresses.networking.k8s.io",
    "networkpolicies.networking.k8s.io", "roles.rbac.authorization.k8s.io",
    "rolebindings.rbac.authorization.k8s.io", "resourceclaims.resource.k8s.io",
)


@dataclass
class Node:
    """A vertex of the ownership graph (``garbagecollector.node``)."""

    uid: str
    api_version: str
    kind: str
    name: str
    namespace: str | None
    owners: list[dict] = field(default_factory=list)
    dependents: set[str] = field(default_factory=set)
    being_deleted: bool = False
    deleting_dependents: bool = False
    virtual: bool = False

    def __str__(self) -> str:
        where = f"{self.namespace}/" if self.namespace else ""
        return f"{self.kind} {where}{self.name} ({self.uid})"


def _resource_for(api_version: str, kind: str):
    return resources.by_api_version_kind(api_version, kind)


class GarbageCollectorController(Controller):
    name = "generic-garbage-collector"
    watches = GC_RESOURCES

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.graph: dict[str, Node] = {}
        self.orphan_queue = WorkQueue(loop, self._process_orphan, f"{self.name} orphan")

    # -- GraphBuilder: keep the graph in step with the informers ------------------------------
    def register_handlers(self, resource, informer):
        informer.add_handlers(self._observe, lambda old, new: self._observe(new), self._observe_deleted)

    def _observe(self, obj: dict) -> None:
        meta = obj["metadata"]
        uid = meta.get("uid")
        if not uid:
            return
        node = self.graph.get(uid)
        new_owners = list(meta.get("ownerReferences") or [])
        if node is None:
            node = Node(uid, obj.get("apiVersion", ""), obj.get("kind", ""), meta["name"], meta.get("namespace"))
            self.graph[uid] = node
            old_owners = []
        else:
            old_owners = node.owners
            if node.virtual:
                node.virtual = False
                node.api_version, node.kind = obj.get("apiVersion", node.api_version), obj.get("kind", node.kind)
                node.name, node.namespace = meta["name"], meta.get("namespace")
        node.owners = new_owners
        self._update_owner_edges(node, old_owners, new_owners)
        self._process_transitions(node, obj)

    def _update_owner_edges(self, node: Node, old: list[dict], new: list[dict]) -> None:
        old_by_uid = {r.get("uid"): r for r in old}
        new_by_uid = {r.get("uid"): r for r in new}
        for uid, ref in old_by_uid.items():
            owner = self.graph.get(uid)
            if owner is None:
                continue
            if uid not in new_by_uid:
                owner.dependents.discard(node.uid)
            if owner.deleting_dependents and (uid not in new_by_uid or (
                    ref.get("blockOwnerDeletion") and not new_by_uid[uid].get("blockOwnerDeletion"))):
                self.queue.add(owner.uid)  # no longer blocking: the owner may be finished
        for uid, ref in new_by_uid.items():
            owner = self.graph.get(uid)
            if owner is None:
                info = _resource_for(ref.get("apiVersion", ""), ref.get("kind", ""))
                namespace = node.namespace if info is not None and info.namespaced else None
                owner = Node(uid, ref.get("apiVersion", ""), ref.get("kind", ""), ref.get("name", ""), namespace,
                             virtual=True)
                self.graph[uid] = owner
                self.queue.add(uid)  # is the owner there at all?
            owner.dependents.add(node.uid)

    def _process_transitions(self, node: Node, obj: dict) -> None:
        meta = obj["metadata"]
        node.being_deleted = bool(meta.get("deletionTimestamp"))
        finalizers = meta.get("finalizers") or []
        if node.being_deleted and podutil.FINALIZER_ORPHAN in finalizers:
            self.orphan_queue.add(node.uid)
        if node.being_deleted and podutil.FINALIZER_FOREGROUND in finalizers:
            node.deleting_dependents = True
            for dep in sorted(node.dependents):
                self.queue.add(dep)
            self.queue.add(node.uid)

    def _observe_deleted(self, obj: dict) -> None:
        node = self.graph.get(obj["metadata"].get("uid"))
        if node is not None:
            self._remove_node(node)

    def _remove_node(self, node: Node) -> None:
        self.graph.pop(node.uid, None)
        for dep in sorted(node.dependents):
            self.queue.add(dep)  # they may have lost their last owner
        for ref in node.owners:
            owner = self.graph.get(ref.get("uid"))
            if owner is None:
                continue
            owner.dependents.discard(node.uid)
            if owner.deleting_dependents:
                self.queue.add(owner.uid)  # perhaps the last blocking dependent just went

    # -- attemptToDelete --------------------------------------------------------------------------
    def sync(self, uid: str) -> None:
        """``attemptToDeleteItem``."""
        node = self.graph.get(uid)
        if node is None:
            return
        if node.being_deleted and not node.deleting_dependents:
            return
        latest = self._get(node)
        if latest is None or latest["metadata"].get("uid") != node.uid:
            self._remove_node(node)  # a "virtual delete event": the object is gone
            return
        if node.virtual:
            node.virtual = False
        if node.deleting_dependents:
            self._process_deleting_dependents(node)
            return
        owners = latest["metadata"].get("ownerReferences") or []
        if not owners:
            return
        solid, dangling, waiting = self._classify_references(node, owners)
        if solid:
            if not dangling and not waiting:
                return
            stale = [r["uid"] for r in dangling + waiting]
            self._patch(node, podutil.delete_owner_refs_patch(node.uid, *stale))
            return
        if waiting and node.dependents:
            for dep_uid in sorted(node.dependents):
                dep = self.graph.get(dep_uid)
                if dep is not None and dep.deleting_dependents:
                    self._unblock_owner_references(node, latest)
                    break
            self._delete(node, "Foreground")
            return
        finalizers = latest["metadata"].get("finalizers") or []
        if podutil.FINALIZER_ORPHAN in finalizers:
            policy = "Orphan"
        elif podutil.FINALIZER_FOREGROUND in finalizers:
            policy = "Foreground"
        else:
            policy = "Background"
        self._delete(node, policy)

    def _classify_references(self, node: Node, refs: list[dict]):
        """Owners that exist (solid), are gone (dangling), or wait for their dependents (foreground)."""
        solid, dangling, waiting = [], [], []
        for ref in refs:
            info = _resource_for(ref.get("apiVersion", ""), ref.get("kind", ""))
            if info is None:
                solid.append(ref)  # a kind we cannot look up: never delete on a guess
                continue
            namespace = node.namespace if info.namespaced else None
            owner = self._get_object(info, namespace, ref.get("name", ""))
            if owner is None or owner["metadata"].get("uid") != ref.get("uid"):
                dangling.append(ref)
            elif owner["metadata"].get("deletionTimestamp") and \
                    podutil.FINALIZER_FOREGROUND in (owner["metadata"].get("finalizers") or []):
                waiting.append(ref)
            else:
                solid.append(ref)
        return solid, dangling, waiting

    def _process_deleting_dependents(self, node: Node) -> None:
        """An owner in foreground deletion: finished once no blocking dependent is left."""
        blocking = self._blocking_dependents(node)
        if not blocking:
            self._remove_finalizer(node, podutil.FINALIZER_FOREGROUND)
            return
        for dep in blocking:
            if not dep.deleting_dependents:
                self.queue.add(dep.uid)

    def _blocking_dependents(self, node: Node) -> list[Node]:
        out = []
        for dep_uid in sorted(node.dependents):
            dep = self.graph.get(dep_uid)
            if dep is None:
                continue
            if any(r.get("uid") == node.uid and r.get("blockOwnerDeletion") for r in dep.owners):
                out.append(dep)
        return out

    def _unblock_owner_references(self, node: Node, latest: dict) -> None:
        refs = []
        for ref in latest["metadata"].get("ownerReferences") or []:
            owner = self.graph.get(ref.get("uid"))
            if owner is not None and owner.deleting_dependents and ref.get("blockOwnerDeletion"):
                refs.append({"uid": ref["uid"], "blockOwnerDeletion": False})
        if refs:
            self._patch(node, {"metadata": {"ownerReferences": refs, "uid": node.uid}})

    # -- attemptToOrphan ------------------------------------------------------------------------
    def _process_orphan(self, uid: str) -> None:
        """``attemptToOrphanWorker``: drop the owner from its dependents, then the ``orphan`` finalizer."""
        node = self.graph.get(uid)
        if node is None:
            return
        try:
            for dep_uid in sorted(node.dependents):
                dep = self.graph.get(dep_uid)
                if dep is not None:
                    self._patch(dep, podutil.delete_owner_refs_patch(dep.uid, node.uid))
            self._remove_finalizer(node, podutil.FINALIZER_ORPHAN)
            self.orphan_queue.forget(uid)
        except errors.StatusError:
            self.orphan_queue.add_rate_limited(uid)

    # -- API calls ----------------------------------------------------------------------------------
    @staticmethod
    def _qualified(info) -> str:
        return f"{info.plural}.{info.group}" if info.group else info.plural

    def _get_object(self, info, namespace, name) -> dict | None:
        try:
            return self.client.get(self._qualified(info), name, namespace)
        except errors.StatusError as e:
            if e.code == 404:
                return None
            raise

    def _get(self, node: Node) -> dict | None:
        info = _resource_for(node.api_version, node.kind)
        if info is None:
            return None
        return self._get_object(info, node.namespace if info.namespaced else None, node.name)

    def _delete(self, node: Node, policy: str) -> None:
        info = _resource_for(node.api_version, node.kind)
        try:
            with self.client.lock:
                self.client.apiserver.delete(info, node.namespace if info.namespaced else None, node.name,
                                             self.client._ctx(),
                                             {"propagationPolicy": policy, "preconditions": {"uid": node.uid}})
        except errors.StatusError as e:
            if e.code not in (404, 409):
                raise

    def _patch(self, node: Node, patch: dict) -> None:
        info = _resource_for(node.api_version, node.kind)
        try:
            self.client.patch(self._qualified(info), node.name, patch,
                              node.namespace if info.namespaced else None)
        except errors.StatusError as e:
            if e.code != 404:
                raise

    def _remove_finalizer(self, node: Node, finalizer: str) -> None:
        info = _resource_for(node.api_version, node.kind)
        for _ in range(3):
            obj = self._get(node)
            if obj is None or obj["metadata"].get("uid") != node.uid:
                return
            finalizers = obj["metadata"].get("finalizers") or []
            if finalizer not in finalizers:
                return
            obj["metadata"]["finalizers"] = [f for f in finalizers if f != finalizer]
            try:
                self.client.update(obj)
                return
            except errors.StatusError as e:
                if e.code == 404:
                    return
                if e.code != 409:
                    raise
        raise errors.conflict(info.plural, node.name, "the object has been modified; please apply your changes "
                              "to the latest version and try again", info.group)

    # -- for the course ---------------------------------------------------------------------------
    def owners_of(self, uid: str) -> list[str]:
        node = self.graph.get(uid)
        return [r.get("uid") for r in node.owners] if node else []

    def dependents_of(self, uid: str) -> list[str]:
        node = self.graph.get(uid)
        return sorted(node.dependents) if node else []
