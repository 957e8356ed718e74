"""Builders for scheduler tests: Nodes and Pods as plain dicts, the way the apiserver stores them."""

from kernelsim.scheduler.framework import NodeInfo

CONTROL_PLANE_TAINT = {"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}


def make_node(name, cpu="2", memory="4Gi", pods="110", labels=None, taints=None, unschedulable=False):
    node_labels = {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64"}
    node_labels.update(labels or {})
    spec = {"taints": list(taints or [])}
    if unschedulable:
        spec["unschedulable"] = True
    capacity = {"cpu": cpu, "memory": memory, "pods": pods, "ephemeral-storage": "20Gi"}
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": node_labels},
            "spec": spec,
            "status": {"capacity": dict(capacity), "allocatable": dict(capacity),
                       "conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady"}]}}


def make_pod(name, namespace="default", cpu=None, memory=None, labels=None, node_name=None, **spec):
    requests = {k: v for k, v in (("cpu", cpu), ("memory", memory)) if v is not None}
    container = {"name": "app", "image": "nginx"}
    if requests:
        container["resources"] = {"requests": requests}
    pod_spec = {"containers": [container], **spec}
    if node_name:
        pod_spec["nodeName"] = node_name
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
            "spec": pod_spec, "status": {"phase": "Pending"}}


def node_info(node, *pods):
    return NodeInfo(node, [dict(p, spec={**p["spec"], "nodeName": node["metadata"]["name"]}) for p in pods])
