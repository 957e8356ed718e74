"""Storage objects a new cluster starts with: the default StorageClass ``standard``.

Like minikube's ``standard`` class (provisioner ``k8s.io/minikube-hostpath``)
it binds immediately (``volumeBindingMode: Immediate``): a new claim gets a
hostPath volume a few seconds later without waiting for a pod, so
``kubectl get pvc`` shows Bound right away and the volume has no node
affinity.  kind's class (``rancher.io/local-path``) uses
WaitForFirstConsumer instead, which needs the scheduler to pick a node for
the claim first; the PV controller and the provisioner here support that
mode too, for classes a learner creates.
"""

from __future__ import annotations

DEFAULT_CLASS_NAME = "standard"
PROVISIONER = "kernelsim.io/hostpath"
DEFAULT_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
BETA_DEFAULT_CLASS_ANNOTATION = "storageclass.beta.kubernetes.io/is-default-class"


def default_storage_class() -> dict:
    """The StorageClass to create at cluster start (the lead's bootstrap does it)."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": DEFAULT_CLASS_NAME,
            "annotations": {DEFAULT_CLASS_ANNOTATION: "true"},
            "labels": {"addonmanager.kubernetes.io/mode": "EnsureExists"},
        },
        "provisioner": PROVISIONER,
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }


def is_default_class(sc: dict) -> bool:
    annotations = sc.get("metadata", {}).get("annotations") or {}
    return "true" in (annotations.get(DEFAULT_CLASS_ANNOTATION), annotations.get(BETA_DEFAULT_CLASS_ANNOTATION))


def default_class(classes: list[dict]) -> dict | None:
    """GetDefaultClass: the newest class marked default, if any."""
    marked = [c for c in classes if is_default_class(c)]
    marked.sort(key=lambda c: (c["metadata"].get("creationTimestamp", ""), c["metadata"]["name"]))
    return marked[-1] if marked else None
