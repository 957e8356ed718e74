"""The persistent volume controller (pkg/controller/volume/persistentvolume).

It binds PersistentVolumeClaims to PersistentVolumes.  For an unbound claim
it picks the smallest Available volume of the same StorageClass whose
access modes include the claim's, whose volume mode matches and whose
capacity is at least the request; it writes ``spec.claimRef`` on the volume
and ``spec.volumeName`` on the claim, then marks both Bound.  When nothing
fits and the class names a provisioner, it hands the claim to that
(external) provisioner by annotating it and waits.  A volume whose claim
is deleted becomes Released; ``persistentVolumeReclaimPolicy`` then says
what happens: Retain keeps it, Delete lets its provisioner delete it.
A volume is never bound to two claims (the second one is ClaimMisbound).
"""

from __future__ import annotations

from ..api.defaults import quantity_value
from ..api.objects import clone
from ..api.selectors import label_selector_from_api
from ..client.events import EventRecorder
from .base import Controller
from .storage_objects import default_class

ANN_BIND_COMPLETED = "pv.kubernetes.io/bind-completed"
ANN_BOUND_BY_CONTROLLER = "pv.kubernetes.io/bound-by-controller"
ANN_STORAGE_PROVISIONER = "volume.kubernetes.io/storage-provisioner"
ANN_BETA_STORAGE_PROVISIONER = "volume.beta.kubernetes.io/storage-provisioner"
ANN_SELECTED_NODE = "volume.kubernetes.io/selected-node"
ANN_PROVISIONED_BY = "pv.kubernetes.io/provisioned-by"


def claim_class(claim: dict) -> str:
    return (claim.get("spec") or {}).get("storageClassName") or ""


def volume_class(volume: dict) -> str:
    return (volume.get("spec") or {}).get("storageClassName") or ""


def requested_storage(claim: dict):
    return quantity_value((((claim.get("spec") or {}).get("resources") or {}).get("requests") or {})
                          .get("storage", "0")) or 0


def volume_capacity(volume: dict):
    return quantity_value(((volume.get("spec") or {}).get("capacity") or {}).get("storage", "0")) or 0


def claim_ref_matches(volume: dict, claim: dict) -> bool:
    ref = (volume.get("spec") or {}).get("claimRef")
    if not ref:
        return False
    meta = claim["metadata"]
    return (ref.get("name") == meta["name"] and ref.get("namespace") == meta["namespace"]
            and (not ref.get("uid") or ref["uid"] == meta.get("uid")))


def volume_fits(volume: dict, claim: dict, delay_binding: bool) -> bool:
    """One volume against one claim (findMatchingVolume's checks)."""
    vspec, cspec = volume.get("spec") or {}, claim.get("spec") or {}
    if volume["metadata"].get("deletionTimestamp"):
        return False
    pre_bound = claim_ref_matches(volume, claim)
    if vspec.get("claimRef") and not pre_bound:
        return False
    if (vspec.get("volumeMode") or "Filesystem") != (cspec.get("volumeMode") or "Filesystem"):
        return False
    if volume_class(volume) != claim_class(claim):
        return False
    if not set(cspec.get("accessModes") or []) <= set(vspec.get("accessModes") or []):
        return False
    if volume_capacity(volume) < requested_storage(claim):
        return False
    if cspec.get("selector") is not None and not label_selector_from_api(cspec["selector"]).matches(
            volume["metadata"].get("labels") or {}):
        return False
    if delay_binding and not pre_bound:
        return False  # left for the scheduler to choose with the pod's node
    return (volume.get("status") or {}).get("phase") in (None, "", "Pending", "Available") or pre_bound


def find_best_match(volumes: list[dict], claim: dict, delay_binding: bool = False) -> dict | None:
    """The pre-bound volume, else the smallest that fits (findBestMatchForClaim)."""
    fits = [v for v in volumes if volume_fits(v, claim, delay_binding)]
    for v in fits:
        if claim_ref_matches(v, claim):
            return v
    fits.sort(key=lambda v: (volume_capacity(v), v["metadata"]["name"]))
    return fits[0] if fits else None


class PersistentVolumeController(Controller):
    name = "persistentvolume-binder-controller"
    watches = ("persistentvolumeclaims", "persistentvolumes", "storageclasses")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "persistentvolume-controller")
        self._told: set[tuple[str, str]] = set()  # (claim uid, reason) already reported

    # Keys are "pvc:<namespace>/<name>" and "pv:<name>", as the controller's two queues.
    def register_handlers(self, resource, informer):
        if resource == "persistentvolumeclaims":
            def on_claim(obj, *rest):
                claim = rest[-1] if rest else obj
                self.queue.add(f"pvc:{claim['metadata']['namespace']}/{claim['metadata']['name']}")
                if claim["spec"].get("volumeName"):
                    self.queue.add(f"pv:{claim['spec']['volumeName']}")
            informer.add_handlers(on_claim, on_claim, on_claim)
        elif resource == "persistentvolumes":
            def on_volume(obj, *rest):
                volume = rest[-1] if rest else obj
                self.queue.add(f"pv:{volume['metadata']['name']}")
                ref = volume["spec"].get("claimRef")
                if ref:
                    self.queue.add(f"pvc:{ref.get('namespace')}/{ref.get('name')}")
            informer.add_handlers(on_volume, on_volume, on_volume)
        else:
            def on_class(*objs):
                for claim in self.cache("persistentvolumeclaims").list():
                    if not claim["spec"].get("volumeName"):
                        self.queue.add(f"pvc:{claim['metadata']['namespace']}/{claim['metadata']['name']}")
            informer.add_handlers(on_class, on_class, on_class)

    def sync(self, key: str) -> None:
        kind, _, rest = key.partition(":")
        if kind == "pvc":
            claim = self.cache("persistentvolumeclaims").get(rest)
            if claim is not None and not claim["metadata"].get("deletionTimestamp"):
                self.sync_claim(clone(claim))
        elif kind == "pv":
            volume = self.cache("persistentvolumes").get(rest)
            if volume is not None:
                self.sync_volume(clone(volume))

    def timestamp(self) -> str:
        return self.client.apiserver.timestamp()

    def tell(self, claim: dict, type_: str, reason: str, message: str) -> None:
        key = (claim["metadata"]["uid"], reason)
        if key not in self._told:
            self._told.add(key)
            self.recorder.event(claim, type_, reason, message)

    # -- claims ---------------------------------------------------------------------------------
    def sync_claim(self, claim: dict) -> None:
        if (claim["metadata"].get("annotations") or {}).get(ANN_BIND_COMPLETED) != "yes":
            self.sync_unbound_claim(claim)
        else:
            self.sync_bound_claim(claim)

    def storage_class(self, name: str) -> dict | None:
        return self.cache("storageclasses").get(name) if name else None

    def sync_unbound_claim(self, claim: dict) -> None:
        spec = claim["spec"]
        if not spec.get("volumeName"):
            if "storageClassName" not in spec or spec["storageClassName"] is None:
                default = default_class(self.cache("storageclasses").list())
                if default is not None:  # the retroactive default StorageClass assignment
                    spec["storageClassName"] = default["metadata"]["name"]
                    self.client.update(claim)
                    return
            sc = self.storage_class(claim_class(claim))
            delay = bool(sc and sc.get("volumeBindingMode") == "WaitForFirstConsumer"
                         and not (claim["metadata"].get("annotations") or {}).get(ANN_SELECTED_NODE))
            volume = find_best_match(self.cache("persistentvolumes").list(), claim, delay)
            if volume is not None:
                self.bind(clone(volume), claim)
                return
            if delay:
                self.tell(claim, "Normal", "WaitForFirstConsumer",
                          "waiting for first consumer to be created before binding")
            elif claim_class(claim) and sc is not None:
                self.provision(claim, sc)
            elif claim_class(claim):
                self.tell(claim, "Warning", "ProvisioningFailed",
                          f'storageclass.storage.k8s.io "{claim_class(claim)}" not found')
            else:
                self.tell(claim, "Normal", "FailedBinding",
                          "no persistent volumes available for this claim and no storage class is set")
            self.set_claim_phase(claim, "Pending")
            return
        volume = self.cache("persistentvolumes").get(spec["volumeName"])
        if volume is None:
            self.set_claim_phase(claim, "Pending")
            return
        ref = volume["spec"].get("claimRef")
        if not ref or claim_ref_matches(volume, claim):
            self.bind(clone(volume), claim)
        else:
            self.tell(claim, "Warning", "FailedBinding",
                      f'volume "{volume["metadata"]["name"]}" already bound to a different claim.')
            self.set_claim_phase(claim, "Pending")

    def sync_bound_claim(self, claim: dict) -> None:
        name = claim["spec"].get("volumeName")
        if not name:
            self.tell(claim, "Warning", "ClaimLost",
                      "Bound claim has lost reference to PersistentVolume. Data on the volume is lost!")
            self.set_claim_phase(claim, "Lost")
            return
        volume = self.cache("persistentvolumes").get(name)
        if volume is None:
            self.tell(claim, "Warning", "ClaimLost",
                      "Bound claim has lost its PersistentVolume. Data on the volume is lost!")
            self.set_claim_phase(claim, "Lost")
            return
        ref = volume["spec"].get("claimRef")
        if not ref or claim_ref_matches(volume, claim):
            self.bind(clone(volume), claim)
        else:
            self.tell(claim, "Warning", "ClaimMisbound",
                      "Two claims are bound to the same volume, this one is bound incorrectly")
            self.set_claim_phase(claim, "Lost")

    def provision(self, claim: dict, sc: dict) -> None:
        """Hand the claim to its class's external provisioner (provisionClaimOperationExternal)."""
        provisioner = sc.get("provisioner", "")
        annotations = claim["metadata"].setdefault("annotations", {})
        if annotations.get(ANN_STORAGE_PROVISIONER) != provisioner:
            annotations[ANN_BETA_STORAGE_PROVISIONER] = provisioner
            annotations[ANN_STORAGE_PROVISIONER] = provisioner
            claim = self.client.update(claim)
        self.tell(claim, "Normal", "ExternalProvisioning",
                  f"Waiting for a volume to be created either by the external provisioner '{provisioner}' or "
                  "manually by the system administrator. If volume creation is delayed, please verify that the "
                  "provisioner is running and correctly registered.")

    def bind(self, volume: dict, claim: dict) -> None:
        """bindVolumeToClaim, then bindClaimToVolume, then both statuses (ctrl.bind)."""
        meta = claim["metadata"]
        ref = {"kind": "PersistentVolumeClaim", "namespace": meta["namespace"], "name": meta["name"],
               "uid": meta["uid"], "apiVersion": "v1", "resourceVersion": meta["resourceVersion"]}
        vspec = volume["spec"]
        if not vspec.get("claimRef") or not vspec["claimRef"].get("uid"):
            if not vspec.get("claimRef"):
                volume["metadata"].setdefault("annotations", {})[ANN_BOUND_BY_CONTROLLER] = "yes"
            vspec["claimRef"] = ref
            volume = self.client.update(volume)
        self.set_volume_phase(volume, "Bound")
        annotations = meta.setdefault("annotations", {})
        name = volume["metadata"]["name"]
        if claim["spec"].get("volumeName") != name or annotations.get(ANN_BIND_COMPLETED) != "yes":
            if not claim["spec"].get("volumeName"):
                annotations[ANN_BOUND_BY_CONTROLLER] = "yes"
            claim["spec"]["volumeName"] = volume["metadata"]["name"]
            annotations[ANN_BIND_COMPLETED] = "yes"
            claim = self.client.update(claim)
        status = claim.setdefault("status", {})
        wanted = {"phase": "Bound", "accessModes": list(vspec.get("accessModes") or []),
                  "capacity": dict(vspec.get("capacity") or {})}
        if any(status.get(k) != v for k, v in wanted.items()):
            status.update(wanted)
            self.client.update_status(claim)

    def set_claim_phase(self, claim: dict, phase: str) -> None:
        if (claim.get("status") or {}).get("phase") == phase:
            return
        claim.setdefault("status", {})["phase"] = phase
        self.client.update_status(claim)

    # -- volumes ----------------------------------------------------------------------------------
    def set_volume_phase(self, volume: dict, phase: str, message: str = "") -> dict:
        status = volume.setdefault("status", {})
        if status.get("phase") == phase:
            return volume
        status["phase"] = phase
        status["lastPhaseTransitionTime"] = self.timestamp()
        if message:
            status["message"] = message
        else:
            status.pop("message", None)
        return self.client.update_status(volume)

    def sync_volume(self, volume: dict) -> None:
        ref = volume["spec"].get("claimRef")
        if not ref:
            self.set_volume_phase(volume, "Available")
            return
        if not ref.get("uid"):
            self.set_volume_phase(volume, "Available")  # pre-bound by the user: the claim sync binds it
            return
        claim = self.cache("persistentvolumeclaims").get(f"{ref.get('namespace')}/{ref.get('name')}")
        if claim is not None and claim["metadata"].get("uid") != ref["uid"]:
            claim = None
        if claim is None:
            if (volume.get("status") or {}).get("phase") not in ("Released", "Failed"):
                volume = self.set_volume_phase(volume, "Released")
            self.reclaim(volume)
            return
        if not claim["spec"].get("volumeName"):
            self.queue.add(f"pvc:{ref['namespace']}/{ref['name']}")  # binding in progress
            return
        if claim["spec"]["volumeName"] == volume["metadata"]["name"]:
            self.set_volume_phase(volume, "Bound")
            return
        # The claim went to another volume: a volume we bound is made Available again.
        if (volume["metadata"].get("annotations") or {}).get(ANN_BOUND_BY_CONTROLLER) == "yes":
            volume["spec"].pop("claimRef", None)
            volume["metadata"]["annotations"].pop(ANN_BOUND_BY_CONTROLLER, None)
            volume = self.client.update(volume)
            self.set_volume_phase(volume, "Available")

    def reclaim(self, volume: dict) -> None:
        """Retain keeps a Released volume; Delete is done by the provisioner that made it."""
        policy = volume["spec"].get("persistentVolumeReclaimPolicy", "Retain")
        provisioned_by = (volume["metadata"].get("annotations") or {}).get(ANN_PROVISIONED_BY)
        if policy == "Delete" and not provisioned_by and (volume.get("status") or {}).get("phase") != "Failed":
            message = (f'error getting deleter volume plugin for volume "{volume["metadata"]["name"]}": '
                       "no deletable volume plugin matched")
            self.recorder.event(volume, "Warning", "VolumeFailedDelete", message)
            self.set_volume_phase(volume, "Failed", message)
        elif policy == "Recycle" and (volume.get("status") or {}).get("phase") != "Failed":
            message = "No recycler plugin found for the volume!"
            self.recorder.event(volume, "Warning", "VolumeFailedRecycle", message)
            self.set_volume_phase(volume, "Failed", message)

