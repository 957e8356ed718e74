"""The kubelet's volume manager (pkg/kubelet/volumemanager and the in-tree volume plugins).

Before a pod's containers start, each volume is set up:

* ``emptyDir`` - a fresh directory that lives and dies with the pod;
* ``hostPath`` - a directory on the node's own disk, which outlives pods;
* ``configMap`` / ``secret`` / ``downwardAPI`` / ``projected`` - read-only files made from
  API objects (a missing object fails the mount: ``FailedMount``);
* ``persistentVolumeClaim`` - the files of the bound PersistentVolume, kept in a store
  shared by the cluster (``PersistentVolumeStore``; the storage helper may swap it).
"""

from __future__ import annotations

import base64
import hashlib

from ..api import errors
from ..runtime.cri import FileStore


class MountError(Exception):
    """A volume that cannot be set up; ``str()`` is the FailedMount event message."""


class PersistentVolumeStore:
    """Where persistent volumes keep their files: PV name -> FileStore."""

    def __init__(self):
        self.volumes: dict[str, FileStore] = {}

    def get(self, pv_name: str) -> FileStore:
        if pv_name not in self.volumes:
            self.volumes[pv_name] = FileStore()
        return self.volumes[pv_name]

    def delete(self, pv_name: str) -> None:
        self.volumes.pop(pv_name, None)


class VolumeManager:
    def __init__(self, kubelet, pv_store: PersistentVolumeStore | None = None):
        self.kubelet = kubelet
        self.client = kubelet.client
        self.pv_store = pv_store or PersistentVolumeStore()
        self.pod_volumes: dict[str, dict[str, FileStore]] = {}  # pod uid -> volume name -> store

    def mount(self, pod: dict) -> dict[str, FileStore]:
        """Set up every volume of the pod (idempotent); raises MountError."""
        uid = pod["metadata"]["uid"]
        mounted = self.pod_volumes.setdefault(uid, {})
        for vol in (pod.get("spec") or {}).get("volumes") or []:
            name = vol.get("name")
            if name in mounted:
                continue
            try:
                mounted[name] = self._setup(pod, vol)
            except errors.StatusError as e:
                raise MountError(self._message(vol, e)) from None
        return mounted

    def unmount(self, uid: str) -> None:
        """TearDown: emptyDirs go away with the pod; hostPath and PV data stay."""
        self.pod_volumes.pop(uid, None)

    def _message(self, vol: dict, e: errors.StatusError) -> str:
        return f'MountVolume.SetUp failed for volume "{vol.get("name")}" : {e.message}'

    def _setup(self, pod: dict, vol: dict) -> FileStore:
        ns = pod["metadata"].get("namespace", "default")
        if "emptyDir" in vol:
            return FileStore()
        if "hostPath" in vol:
            return self._host_path(vol)
        if "configMap" in vol:
            src = vol["configMap"]
            return self._from_object("configmaps", ns, src.get("name"), src.get("items"), src.get("optional"),
                                     decode=False)
        if "secret" in vol:
            src = vol["secret"]
            return self._from_object("secrets", ns, src.get("secretName"), src.get("items"), src.get("optional"),
                                     decode=True)
        if "downwardAPI" in vol:
            store = FileStore()
            self._downward(pod, vol["downwardAPI"].get("items") or [], store)
            return store
        if "projected" in vol:
            return self._projected(pod, vol["projected"])
        if "persistentVolumeClaim" in vol:
            claim = vol["persistentVolumeClaim"].get("claimName")
            pvc = self.client.get("persistentvolumeclaims", claim, ns)
            pv_name = (pvc.get("spec") or {}).get("volumeName")
            if not pv_name:
                raise MountError(f'unable to attach or mount volumes: unmounted volumes=[{vol.get("name")}]: '
                                 f'PVC {ns}/{claim} is not bound')
            return self.pv_store.get(pv_name)
        if "ephemeral" in vol:
            return FileStore()
        return FileStore()  # nfs, csi, ...: an empty network share

    def _host_path(self, vol: dict) -> FileStore:
        src = vol["hostPath"]
        path = src.get("path") or "/"
        kind = src.get("type") or ""
        disk = self.kubelet.runtime.host_fs
        if kind == "Directory" and not disk.is_dir(path):
            raise MountError(f'MountVolume.SetUp failed for volume "{vol.get("name")}" : hostPath type check '
                             f'failed: {path} is not a directory')
        if kind == "File" and disk.read(path) is None:
            raise MountError(f'MountVolume.SetUp failed for volume "{vol.get("name")}" : hostPath type check '
                             f'failed: {path} is not a file')
        if kind == "FileOrCreate" and disk.read(path) is None:
            disk.write(path, "")
        return disk.view(path)

    def _from_object(self, resource, ns, name, items, optional, decode) -> FileStore:
        store = FileStore()
        try:
            obj = self.client.get(resource, name, ns)
        except errors.StatusError as e:
            if e.code == 404 and optional:
                return store
            raise
        data = dict(obj.get("data") or {})
        if decode:
            data = {k: _b64(v) for k, v in data.items()}
            data.update((obj.get("stringData") or {}))
        else:
            data.update({k: _b64(v) for k, v in (obj.get("binaryData") or {}).items()})
        if items:
            for item in items:
                if item.get("key") in data:
                    store.write(item.get("path") or item["key"], data[item["key"]])
                elif not optional:
                    kind = "configmap" if resource == "configmaps" else "secret"
                    raise errors.StatusError(400, "BadRequest",
                                             f'{kind} references non-existent {kind} key: {item.get("key")}')
        else:
            for key, value in data.items():
                store.write(key, value)
        return store

    def _downward(self, pod: dict, items: list, store: FileStore) -> None:
        meta = pod["metadata"]
        for item in items:
            ref = (item.get("fieldRef") or {}).get("fieldPath", "")
            value = field_ref_value(pod, ref, self.kubelet)
            if ref in ("metadata.labels", "metadata.annotations"):
                value = "\n".join(f'{k}="{v}"' for k, v in sorted((meta.get(ref.split(".")[1]) or {}).items()))
            store.write(item.get("path", ref), value)

    def _projected(self, pod: dict, spec: dict) -> FileStore:
        store = FileStore()
        ns = pod["metadata"].get("namespace", "default")
        for src in spec.get("sources") or []:
            if "serviceAccountToken" in src:
                token = src["serviceAccountToken"]
                store.write(token.get("path", "token"), self._token(pod, token.get("expirationSeconds", 3607)))
            elif "configMap" in src:
                c = src["configMap"]
                part = self._from_object("configmaps", ns, c.get("name"), c.get("items"), c.get("optional"), False)
                for k, v in part.files.items():
                    store.write(k, v)
            elif "secret" in src:
                c = src["secret"]
                part = self._from_object("secrets", ns, c.get("name"), c.get("items"), c.get("optional"), True)
                for k, v in part.files.items():
                    store.write(k, v)
            elif "downwardAPI" in src:
                self._downward(pod, src["downwardAPI"].get("items") or [], store)
        return store

    def _token(self, pod: dict, seconds=3607) -> str:
        """The pod's ServiceAccount token, asked of the API server (TokenRequest bound to the pod),
        as the kubelet's token manager does."""
        sa = (pod.get("spec") or {}).get("serviceAccountName") or "default"
        ns = pod["metadata"].get("namespace", "default")
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            seconds = 3607
        return self.client.create_token(sa, ns, max(seconds, 600), pod=pod)["status"]["token"]

def _b64(value: str) -> str:
    try:
        return base64.b64decode(value).decode("utf-8", "replace")
    except Exception:
        return value


def field_ref_value(pod: dict, path: str, kubelet) -> str:
    """The downward API: metadata.name, status.podIP, spec.nodeName, ..."""
    meta, spec, status = pod.get("metadata", {}), pod.get("spec", {}), pod.get("status", {})
    simple = {
        "metadata.name": meta.get("name", ""), "metadata.namespace": meta.get("namespace", ""),
        "metadata.uid": meta.get("uid", ""), "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.hostIP": kubelet.node_ip, "status.hostIPs": kubelet.node_ip,
        "status.podIP": status.get("podIP", ""), "status.podIPs": status.get("podIP", ""),
    }
    if path in simple:
        return simple[path]
    for prefix, key in (("metadata.labels['", "labels"), ("metadata.annotations['", "annotations")):
        if path.startswith(prefix):
            return (meta.get(key) or {}).get(path[len(prefix):-2], "")
    return ""
