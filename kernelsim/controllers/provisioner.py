"""A simulated dynamic provisioner for the ``kernelsim.io/hostpath`` StorageClass
(in the manner of sig-storage-lib-external-provisioner, as minikube's
storage-provisioner and kind's local-path-provisioner use it).

The PV controller annotates a claim with ``volume.kubernetes.io/storage-provisioner``
when nothing fits it; this provisioner sees the claim, says so (Provisioning),
makes the directory (a few simulated seconds), creates a PersistentVolume
``pvc-<claim uid>`` whose claimRef already points at the claim, and says so
again (ProvisioningSucceeded).  The PV controller then completes the binding.
When a volume it made is Released and its reclaim policy is Delete, it
deletes the volume.
"""

from __future__ import annotations

import random
import uuid

from ..api import errors
from ..client.events import EventRecorder
from .base import Controller
from .persistentvolume import (ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE,
                               ANN_STORAGE_PROVISIONER)
from .storage_objects import PROVISIONER

HOST = "master-1"
HOSTPATH_ROOT = "/tmp/hostpath-provisioner"


def volume_name(claim: dict) -> str:
    return f"pvc-{claim['metadata']['uid']}"


class ProvisionerController(Controller):
    name = "storage-provisioner"
    watches = ("persistentvolumeclaims", "persistentvolumes", "storageclasses")
    provision_delay = 2.0  # simulated seconds to create the directory

    def __init__(self, client, loop):
        super().__init__(client, loop)
        # The provisioner's identity (<provisioner>_<host>_<uuid>), from its own seeded generator so
        # that it does not shift the cluster's other random choices.
        identity = uuid.UUID(int=random.Random(f"provisioner-{loop.seed}").getrandbits(128), version=4)
        self.identity = f"{PROVISIONER}_{HOST}_{identity}"
        self.recorder = EventRecorder(self.client, self.identity)
        self._in_flight: set[str] = set()

    def register_handlers(self, resource, informer):
        if resource == "persistentvolumeclaims":
            def on_claim(obj, *rest):
                claim = rest[-1] if rest else obj
                self.queue.add(f"pvc:{claim['metadata']['namespace']}/{claim['metadata']['name']}")
            informer.add_handlers(on_claim, on_claim)
        elif resource == "persistentvolumes":
            def on_volume(obj, *rest):
                self.queue.add(f"pv:{(rest[-1] if rest else obj)['metadata']['name']}")
            informer.add_handlers(on_volume, on_volume)

    def sync(self, key: str) -> None:
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            claim = self.cache("persistentvolumeclaims").get(rest)
            if claim is not None and self.should_provision(claim):
                self.start_provisioning(claim)
        elif kind == "pv":
            volume = self.cache("persistentvolumes").get(rest)
            if volume is not None and self.should_delete(volume):
                self.delete_volume(volume)

    # -- provisioning -------------------------------------------------------------------------------
    def storage_class(self, claim: dict) -> dict | None:
        name = (claim.get("spec") or {}).get("storageClassName")
        return self.cache("storageclasses").get(name) if name else None

    def should_provision(self, claim: dict) -> bool:
        annotations = claim["metadata"].get("annotations") or {}
        wanted = annotations.get(ANN_STORAGE_PROVISIONER) or annotations.get(ANN_BETA_STORAGE_PROVISIONER)
        if wanted != PROVISIONER or claim["spec"].get("volumeName") or claim["metadata"].get("deletionTimestamp"):
            return False
        if (claim.get("status") or {}).get("phase") not in (None, "", "Pending"):
            return False
        sc = self.storage_class(claim)
        if sc is None or sc.get("provisioner") != PROVISIONER:
            return False
        if sc.get("volumeBindingMode") == "WaitForFirstConsumer" and not annotations.get(ANN_SELECTED_NODE):
            return False
        key = f"{claim['metadata']['namespace']}/{claim['metadata']['name']}"
        return key not in self._in_flight and self.cache("persistentvolumes").get(volume_name(claim)) is None

    def start_provisioning(self, claim: dict) -> None:
        meta = claim["metadata"]
        key = f"{meta['namespace']}/{meta['name']}"
        self._in_flight.add(key)
        self.recorder.event(claim, "Normal", "Provisioning",
                            f'External provisioner is provisioning volume for claim "{key}"')
        self.loop.call_later(self.provision_delay, lambda: self.finish_provisioning(key, meta["uid"]),
                             label=f"{self.name} provision {key}")

    def finish_provisioning(self, key: str, uid: str) -> None:
        self._in_flight.discard(key)
        claim = self.cache("persistentvolumeclaims").get(key)
        if claim is None or claim["metadata"]["uid"] != uid or not self.should_provision(claim):
            return
        sc = self.storage_class(claim)
        volume = self.new_volume(claim, sc)
        try:
            self.client.create(volume)
        except errors.StatusError as e:
            if e.code != 409:
                self.recorder.event(claim, "Warning", "ProvisioningFailed", f"failed to provision volume with "
                                    f"StorageClass \"{sc['metadata']['name']}\": {e}")
                self.queue.add_rate_limited(f"pvc:{key}")
                return
        self.recorder.event(claim, "Normal", "ProvisioningSucceeded",
                            f"Successfully provisioned volume {volume['metadata']['name']}")

    def new_volume(self, claim: dict, sc: dict) -> dict:
        meta, spec = claim["metadata"], claim.get("spec") or {}
        storage = ((spec.get("resources") or {}).get("requests") or {}).get("storage", "1Gi")
        volume = {
            "apiVersion": "v1", "kind": "PersistentVolume",
            "metadata": {"name": volume_name(claim), "annotations": {ANN_PROVISIONED_BY: PROVISIONER}},
            "spec": {
                "capacity": {"storage": storage},
                "accessModes": list(spec.get("accessModes") or ["ReadWriteOnce"]),
                "persistentVolumeReclaimPolicy": sc.get("reclaimPolicy", "Delete"),
                "storageClassName": sc["metadata"]["name"],
                "volumeMode": spec.get("volumeMode", "Filesystem"),
                "claimRef": {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"], "name": meta["name"],
                             "uid": meta["uid"], "apiVersion": "v1", "resourceVersion": meta["resourceVersion"]},
                "hostPath": {"path": f"{HOSTPATH_ROOT}/{meta['namespace']}/{meta['name']}", "type": ""},
            },
        }
        if sc.get("mountOptions"):
            volume["spec"]["mountOptions"] = list(sc["mountOptions"])
        node = (meta.get("annotations") or {}).get(ANN_SELECTED_NODE)
        if node:
            volume["spec"]["nodeAffinity"] = {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                {"key": "kubernetes.io/hostname", "operator": "In", "values": [node]}]}]}}
        return volume

    # -- deleting -----------------------------------------------------------------------------------
    @staticmethod
    def should_delete(volume: dict) -> bool:
        return ((volume.get("status") or {}).get("phase") == "Released"
                and volume["spec"].get("persistentVolumeReclaimPolicy") == "Delete"
                and (volume["metadata"].get("annotations") or {}).get(ANN_PROVISIONED_BY) == PROVISIONER
                and not volume["metadata"].get("deletionTimestamp"))

    def delete_volume(self, volume: dict) -> None:
        try:
            self.client.delete("persistentvolumes", volume["metadata"]["name"], None)
        except errors.StatusError as e:
            if e.code != 404:
                raise
