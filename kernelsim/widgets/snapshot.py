"""A plain, JSON-able picture of the cluster's state, for the diagrams.

Like ``kubectl get nodes,pods,deploy,rs,sts,ds,jobs,svc,endpointslices,pvc
-A`` plus a look at the machines: everything is read through the API (the
widget is an observer outside the cluster, as a dashboard is), and the
machine topology (which node is a master, which kubelet is stopped, which
member is partitioned) comes from the simulation's assembly.  The same
cluster state always gives the same snapshot: every list is sorted.
"""

from __future__ import annotations

import re

from ..api import errors
from ..api.printers import pod_status

CONTROL_PLANE_LABEL = "node-role.kubernetes.io/control-plane"

# The control-plane components of a master, as kubeadm runs them (static pods).
CONTROL_PLANE_COMPONENTS = ("kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager",
                            "cloud-controller-manager")
# Every machine runs these (kubeadm masters too).
NODE_COMPONENTS = ("kubelet", "kube-proxy", "containerd")

# Leader-elected components and the Lease (in kube-system) each one holds.
LEADER_LEASES = ("kube-scheduler", "kube-controller-manager", "cloud-controller-manager")

ADDON_NAMESPACES = ("kube-system", "kubernetes-dashboard")
SYSTEM_NAMESPACES = ("kube-system", "kube-public", "kube-node-lease", "kubernetes-dashboard")

# Addon workloads by name -> the addon category of the Kubernetes "Addons" page.
ADDONS = {
    "coredns": "DNS",
    "kube-dns": "DNS",
    "kube-proxy": "Networking",
    "kindnet": "Networking",
    "calico-node": "Networking",
    "flannel": "Networking",
    "metrics-server": "Monitoring",
    "kubernetes-dashboard": "Dashboard",
    "dashboard-metrics-scraper": "Dashboard",
    "fluentd": "Logging",
    "fluent-bit": "Logging",
}


def _natural(name: str):
    """``worker-10`` after ``worker-9``."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", name)]


def _list(cluster, resource: str, namespace: str | None = None) -> list[dict]:
    try:
        return cluster.api.list(resource, namespace)
    except errors.StatusError:
        return []


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _key(obj: dict) -> tuple[str, str]:
    m = _meta(obj)
    return m.get("namespace", ""), m.get("name", "")


def _controller_ref(obj: dict) -> dict | None:
    for ref in _meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return {"kind": ref.get("kind", ""), "name": ref.get("name", ""), "uid": ref.get("uid", "")}
    refs = _meta(obj).get("ownerReferences") or []
    if refs:
        ref = refs[0]
        return {"kind": ref.get("kind", ""), "name": ref.get("name", ""), "uid": ref.get("uid", "")}
    return None


def _condition(obj: dict, ctype: str) -> str | None:
    for c in (obj.get("status") or {}).get("conditions") or []:
        if c.get("type") == ctype:
            return c.get("status")
    return None


# -- machines ------------------------------------------------------------------
def _machines_from_assembly(cluster) -> dict[str, dict]:
    out = {}
    for name, m in sorted((getattr(cluster, "machines", None) or {}).items()):
        kubelet = getattr(m, "kubelet", None)
        out[name] = {
            "name": getattr(m, "name", name),
            "role": getattr(m, "role", "worker"),
            "stopped": bool(getattr(m, "stopped", False)),
            "kubelet_running": bool(getattr(kubelet, "running", True)) if kubelet is not None else None,
        }
    return out


def _machines_from_nodes(nodes: list[dict]) -> dict[str, dict]:
    out = {}
    for node in nodes:
        labels = _meta(node).get("labels") or {}
        name = _meta(node)["name"]
        out[name] = {"name": name, "role": "control-plane" if CONTROL_PLANE_LABEL in labels else "worker",
                     "stopped": False, "kubelet_running": None}
    return out


def _machines_from_counts(cluster) -> dict[str, dict]:
    out = {}
    for role, prefix, count in (("control-plane", "master", getattr(cluster, "masters", 1)),
                                ("worker", "worker", getattr(cluster, "workers", 0))):
        for i in range(1, int(count) + 1):
            name = f"{prefix}-{i}"
            out[name] = {"name": name, "role": role, "stopped": False, "kubelet_running": None}
    return out


def _node_view(node: dict | None) -> dict:
    if node is None:
        return {"registered": False, "ready": None, "unschedulable": False, "pod_cidr": None,
                "internal_ip": None, "taints": []}
    spec, status = node.get("spec") or {}, node.get("status") or {}
    ready = _condition(node, "Ready")
    ip = next((a.get("address") for a in status.get("addresses") or [] if a.get("type") == "InternalIP"), None)
    return {
        "registered": True,
        "ready": {"True": True, "False": False}.get(ready) if ready is not None else None,
        "ready_status": ready,
        "unschedulable": bool(spec.get("unschedulable")),
        "pod_cidr": spec.get("podCIDR"),
        "internal_ip": ip,
        "taints": sorted(f"{t.get('key')}:{t.get('effect')}" for t in spec.get("taints") or []),
    }


def _machines(cluster, nodes: list[dict], faults: dict) -> list[dict]:
    machines = _machines_from_assembly(cluster) or _machines_from_nodes(nodes) or _machines_from_counts(cluster)
    by_name = {_meta(n)["name"]: n for n in nodes}
    for name in by_name:  # Nodes registered by hand, with no machine behind them
        if name not in machines:
            machines.update(_machines_from_nodes([by_name[name]]))
    partitioned = set(faults.get("partitioned") or [])
    out = []
    for name, m in machines.items():
        m = dict(m)
        m.update(_node_view(by_name.get(name)))
        m["partitioned"] = name in partitioned
        out.append(m)
    out.sort(key=lambda m: (m["role"] != "control-plane", _natural(m["name"])))
    return out


# -- objects -------------------------------------------------------------------
def _pod(pod: dict) -> dict:
    ns, name = _key(pod)
    spec = pod.get("spec") or {}
    reason, ready, total, restarts, _ = pod_status(pod)
    labels = _meta(pod).get("labels") or {}
    return {
        "namespace": ns, "name": name, "uid": _meta(pod).get("uid", ""),
        "node": spec.get("nodeName") or None,
        "phase": (pod.get("status") or {}).get("phase", ""),
        "status": reason or "Pending",
        "ready": f"{ready}/{total}", "restarts": restarts,
        "owner": _controller_ref(pod),
        "mirror": "kubernetes.io/config.mirror" in (_meta(pod).get("annotations") or {}),
        "component": labels.get("component"),
        "app": labels.get("k8s-app") or labels.get("app.kubernetes.io/name") or labels.get("app"),
        "pvcs": sorted(v["persistentVolumeClaim"]["claimName"] for v in spec.get("volumes") or []
                       if (v.get("persistentVolumeClaim") or {}).get("claimName")),
        "ip": (pod.get("status") or {}).get("podIP"),
    }


def _workload(obj: dict, kind: str) -> dict:
    ns, name = _key(obj)
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    out = {"kind": kind, "namespace": ns, "name": name, "uid": _meta(obj).get("uid", ""),
           "owner": _controller_ref(obj)}
    if kind == "DaemonSet":
        out["desired"] = status.get("desiredNumberScheduled", 0)
        out["ready"] = status.get("numberReady", 0)
    elif kind == "Job":
        out["desired"] = spec.get("completions", 1) if spec.get("completions") is not None else 1
        out["ready"] = status.get("succeeded", 0)
    else:
        out["desired"] = spec.get("replicas", 1) if spec.get("replicas") is not None else 1
        out["ready"] = status.get("readyReplicas", 0)
    return out


def _service(svc: dict) -> dict:
    ns, name = _key(svc)
    spec = svc.get("spec") or {}
    return {"namespace": ns, "name": name, "uid": _meta(svc).get("uid", ""), "type": spec.get("type", "ClusterIP"),
            "cluster_ip": spec.get("clusterIP"), "selector": dict(sorted((spec.get("selector") or {}).items()))}


def _endpoint_slice(es: dict) -> dict:
    ns, name = _key(es)
    labels = _meta(es).get("labels") or {}
    pods = []
    for ep in es.get("endpoints") or []:
        ref = ep.get("targetRef") or {}
        if ref.get("kind") == "Pod":
            ready = (ep.get("conditions") or {}).get("ready")
            pods.append({"namespace": ref.get("namespace", ns), "name": ref.get("name", ""),
                         "ready": ready is not False})
    pods.sort(key=lambda p: (p["namespace"], p["name"]))
    return {"namespace": ns, "name": name, "service": labels.get("kubernetes.io/service-name"), "pods": pods}


def _pvc(pvc: dict) -> dict:
    ns, name = _key(pvc)
    return {"namespace": ns, "name": name, "phase": (pvc.get("status") or {}).get("phase", "Pending")}


def _leaders(leases: list[dict]) -> dict[str, str | None]:
    """Lease name -> the machine of its holder (holderIdentity is ``<host>_<uuid>``)."""
    out = {}
    for lease in leases:
        name = _meta(lease).get("name")
        if name in LEADER_LEASES:
            holder = (lease.get("spec") or {}).get("holderIdentity") or ""
            out[name] = holder.split("_")[0] or None
    return dict(sorted(out.items()))


def _control_plane_pods(pods: list[dict]) -> dict[str, dict[str, str]]:
    """node -> component -> status of the control-plane static (mirror) pods in kube-system."""
    out: dict[str, dict[str, str]] = {}
    for p in pods:
        if p["namespace"] != "kube-system" or not p["node"]:
            continue
        component = p["component"] if p["component"] in CONTROL_PLANE_COMPONENTS else None
        if component is None:
            component = next((c for c in CONTROL_PLANE_COMPONENTS if p["name"] == f"{c}-{p['node']}"), None)
        if component is not None:
            out.setdefault(p["node"], {})[component] = p["status"]
    return {n: dict(sorted(c.items())) for n, c in sorted(out.items())}


def _sorted(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda o: (o["namespace"], _natural(o["name"])))


def addon_of(item: dict) -> str | None:
    """The addon a pod or workload belongs to (by its workload name), or None."""
    if item.get("namespace") not in ADDON_NAMESPACES:
        return None
    owner = item.get("owner") or {}
    names = [item.get("workload"), owner.get("name"), item.get("app"), item.get("name")]
    for n in names:
        if not n:
            continue
        for addon in ADDONS:
            if n == addon or n.startswith(addon + "-"):
                return addon
    return None


def take_snapshot(cluster, namespace: str | None = None) -> dict:
    """Everything the diagrams draw, as plain data; ``namespace`` keeps only that namespace's objects."""
    faults = dict(getattr(cluster, "faults", None) or {})
    nodes = _list(cluster, "nodes")
    pods = [_pod(p) for p in _list(cluster, "pods", namespace)]
    rs_owner = {}
    workloads = []
    for resource, kind in (("deployments", "Deployment"), ("replicasets", "ReplicaSet"),
                           ("statefulsets", "StatefulSet"), ("daemonsets", "DaemonSet"), ("jobs", "Job")):
        for obj in _list(cluster, resource, namespace):
            w = _workload(obj, kind)
            workloads.append(w)
            if kind == "ReplicaSet" and w["owner"]:
                rs_owner[(w["namespace"], w["name"])] = w["owner"]["name"]
    for p in pods:  # the workload a pod really belongs to: its ReplicaSet's Deployment
        owner = p["owner"] or {}
        p["workload"] = rs_owner.get((p["namespace"], owner.get("name")), owner.get("name"))
        p["addon"] = addon_of(p)
    for w in workloads:
        w["addon"] = addon_of(w)
    system_pods = pods if namespace in (None, "kube-system") else [_pod(p) for p in _list(cluster, "pods", "kube-system")]
    namespaces = sorted(_meta(n)["name"] for n in _list(cluster, "namespaces"))
    if namespace is not None:
        namespaces = [n for n in namespaces if n == namespace]
    return {
        "time": round(float(getattr(cluster, "now", 0.0)), 3),
        "namespace": namespace,
        "machines": _machines(cluster, nodes, faults),
        "control_plane": _control_plane_pods(system_pods),
        "leaders": _leaders(_list(cluster, "leases", "kube-system")),
        "faults": {"partitioned": sorted(faults.get("partitioned") or []),
                   "etcd_leader": faults.get("etcd_leader"),
                   "etcd_quorum": faults.get("etcd_quorum", True)},
        "namespaces": namespaces,
        "pods": _sorted(pods),
        "workloads": sorted(workloads, key=lambda w: (w["kind"], w["namespace"], _natural(w["name"]))),
        "services": _sorted([_service(s) for s in _list(cluster, "services", namespace)]),
        "endpointslices": _sorted([_endpoint_slice(e) for e in _list(cluster, "endpointslices", namespace)]),
        "pvcs": _sorted([_pvc(p) for p in _list(cluster, "persistentvolumeclaims", namespace)]),
    }
