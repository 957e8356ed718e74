"""Stand-ins for what kubelets and controllers will write: Nodes, Pods with status, owners.

Objects are created through the in-process client, as a component would;
time is not advanced afterwards, so no controller rewrites them.
"""

import pytest


def ensure_node(cluster, name, role="worker", ready=True):
    labels = {"kubernetes.io/hostname": name}
    if role == "control-plane":
        labels["node-role.kubernetes.io/control-plane"] = ""
    api = cluster._internal
    if not api.exists("nodes", name, None):
        api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}})
    node = api.get("nodes", name, None)
    node["status"] = {"conditions": [{"type": "Ready", "status": "True" if ready else "False",
                                      "reason": "KubeletReady" if ready else "KubeletNotReady",
                                      "message": "kubelet is posting ready status" if ready else "stopped"}]}
    return api.update_status(node)


def make_pod(cluster, name, *, namespace="default", node=None, status="Running", owner=None, labels=None,
             claims=()):
    """A Pod whose status reads ``status`` in ``kubectl get pods`` (Running, Pending, ContainerCreating,
    CrashLoopBackOff, Succeeded, Terminating is made by deleting)."""
    meta = {"name": name, "namespace": namespace, "labels": labels or {"app": name}}
    if owner is not None:
        meta["ownerReferences"] = [{"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                                    "name": owner["metadata"]["name"], "uid": owner["metadata"]["uid"],
                                    "controller": True, "blockOwnerDeletion": True}]
    spec = {"containers": [{"name": "app", "image": "nginx:1.27"}]}
    if node:
        spec["nodeName"] = node
    if claims:
        spec["volumes"] = [{"name": f"v{i}", "persistentVolumeClaim": {"claimName": c}} for i, c in enumerate(claims)]
    api = cluster._internal
    pod = api.create({"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec})
    if status == "Pending":
        return pod
    cs = {"name": "app", "image": "nginx:1.27", "imageID": "", "ready": False, "restartCount": 0, "started": False}
    phase = "Running"
    if status == "Running":
        cs.update(ready=True, started=True, state={"running": {"startedAt": "2026-11-26T09:00:01Z"}})
    elif status == "Succeeded":
        phase = "Succeeded"
        cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed"}}
    else:  # a waiting reason: ContainerCreating, CrashLoopBackOff, ImagePullBackOff
        phase = "Pending" if status in ("ContainerCreating", "ImagePullBackOff") else "Running"
        cs["state"] = {"waiting": {"reason": status}}
    pod["status"] = {"phase": phase, "containerStatuses": [cs],
                     "conditions": [{"type": "Ready", "status": "True" if status == "Running" else "False"}]}
    return api.update_status(pod)


@pytest.fixture
def default_nodes(cluster):
    for name, role in (("master-1", "control-plane"), ("worker-1", "worker"), ("worker-2", "worker")):
        ensure_node(cluster, name, role)
    return cluster
