"""Static pods and their mirror pods (pkg/kubelet/config/file.go, pkg/kubelet/pod/mirror_client.go).

A kubeadm master runs its control plane from manifests in /etc/kubernetes/manifests: the
kubelet runs them itself, without the API server, under the name ``<name>-<node>`` and a
UID that is a hash of the manifest.  So that ``kubectl get pods -n kube-system`` shows
them, it creates a *mirror pod* for each: the same pod, annotated with
``kubernetes.io/config.mirror`` (the hash) and ``kubernetes.io/config.source: file``, and
owned by the Node.  Deleting a mirror pod does not stop the static pod: the kubelet
creates the mirror again.
"""

from __future__ import annotations

import copy
import hashlib
import json

from ..api import defaults, errors, resources

CONFIG_MIRROR = "kubernetes.io/config.mirror"
CONFIG_HASH = "kubernetes.io/config.hash"
CONFIG_SEEN = "kubernetes.io/config.seen"
CONFIG_SOURCE = "kubernetes.io/config.source"


def is_mirror_pod(pod: dict) -> bool:
    return CONFIG_MIRROR in ((pod.get("metadata") or {}).get("annotations") or {})


class StaticPods:
    def __init__(self, kubelet, manifests=()):
        self.kubelet = kubelet
        self.manifests = [copy.deepcopy(m) for m in manifests or ()]
        self.mirrors: dict[str, dict] = {}  # namespace/name -> mirror pod seen in the API
        self._creating: set[str] = set()

    def prepare(self, manifest: dict) -> dict:
        """The static pod as the kubelet runs it (config/common.go applyDefaults)."""
        k = self.kubelet
        pod = copy.deepcopy(manifest)
        pod.setdefault("apiVersion", "v1")
        pod.setdefault("kind", "Pod")
        meta = pod.setdefault("metadata", {})
        meta["name"] = f"{meta.get('name', 'static')}-{k.node_name}"
        meta.setdefault("namespace", "default")
        digest = hashlib.md5((json.dumps(manifest, sort_keys=True) + k.node_name).encode()).hexdigest()
        meta["uid"] = digest
        annotations = meta.setdefault("annotations", {})
        annotations[CONFIG_HASH] = digest
        annotations[CONFIG_SEEN] = k.nano_time()
        annotations[CONFIG_SOURCE] = "file"
        meta.setdefault("creationTimestamp", k.timestamp())
        spec = pod.setdefault("spec", {})
        spec["nodeName"] = k.node_name
        defaults.apply_defaults(pod, resources.by_plural("", "pods"), create=True)
        spec.setdefault("tolerations", [{"operator": "Exists", "effect": "NoExecute"}])
        status = pod.setdefault("status", {})
        status.setdefault("phase", "Pending")
        return pod

    def pods(self) -> list[dict]:
        return [self.prepare(m) for m in self.manifests]

    @staticmethod
    def key(pod: dict) -> str:
        return f"{pod['metadata'].get('namespace', 'default')}/{pod['metadata']['name']}"

    def mirror_of(self, worker) -> dict | None:
        m = self.mirrors.get(self.key(worker.pod))
        if m is None or m["metadata"].get("deletionTimestamp"):
            return None
        return m

    # -- mirror pods in the API --------------------------------------------------------------------
    def observe(self, event: str, pod: dict) -> None:
        """A mirror pod changed in the API (from the kubelet's pod watch)."""
        key = self.key(pod)
        if event == "DELETED":
            if self.mirrors.get(key, {}).get("metadata", {}).get("uid") == pod["metadata"].get("uid"):
                self.mirrors.pop(key, None)
            worker = self._worker_for(key)
            if worker is not None:
                self.kubelet.status_manager.forget(worker.uid)
                worker.queue_sync()
            return
        self.mirrors[key] = pod
        worker = self._worker_for(key)
        if pod["metadata"].get("deletionTimestamp"):
            # a deleted mirror pod goes at once; the static pod keeps running and gets a new mirror
            try:
                self.kubelet.client.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"),
                                           grace_period_seconds=0)
            except errors.StatusError:
                pass
            return
        if worker is not None:
            annotations = pod["metadata"].get("annotations") or {}
            if annotations.get(CONFIG_MIRROR) != worker.uid:  # a mirror of another version of the manifest
                try:
                    self.kubelet.client.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"),
                                               grace_period_seconds=0)
                except errors.StatusError:
                    pass
                return
            self.kubelet.status_manager.mark(worker)
        else:
            # a mirror pod without a static pod (the manifest was removed): delete it
            try:
                self.kubelet.client.delete("pods", pod["metadata"]["name"], pod["metadata"].get("namespace"),
                                           grace_period_seconds=0)
            except errors.StatusError:
                pass

    def _worker_for(self, key: str):
        for w in self.kubelet.workers.values():
            if w.static and self.key(w.pod) == key:
                return w
        return None

    def ensure_mirror(self, worker) -> None:
        k = self.kubelet
        key = self.key(worker.pod)
        if key in self.mirrors or key in self._creating or not k.node_uid:
            return
        mirror = copy.deepcopy(worker.pod)
        meta = mirror["metadata"]
        for field in ("uid", "resourceVersion", "creationTimestamp"):
            meta.pop(field, None)
        meta.setdefault("annotations", {})[CONFIG_MIRROR] = worker.uid
        meta["ownerReferences"] = [k.node_owner_reference()]
        mirror["status"] = {"phase": "Pending"}
        self._creating.add(key)
        try:
            created = k.client.create(mirror)
            self.mirrors[key] = created
            k.status_manager.forget(worker.uid)
            k.status_manager.mark(worker)
        except errors.StatusError as e:
            if e.code == 409:
                try:
                    self.mirrors[key] = k.client.get("pods", meta["name"], meta.get("namespace"))
                except errors.StatusError:
                    pass
        finally:
            self._creating.discard(key)
