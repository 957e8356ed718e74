"""Node registration and node status (pkg/kubelet/kubelet_node_status.go, pkg/kubelet/nodestatus).

At start the kubelet registers its Node: labels, taints, capacity and allocatable, the
addresses, the conditions and nodeInfo.  Every 10 seconds it computes the status again
and writes it through ``nodes/<name>/status`` when something changed, or when the last
report is 5 minutes old (nodeStatusReportFrequency; the Lease is the frequent heartbeat).
"""

from __future__ import annotations

import re
import uuid
from fractions import Fraction

from ..api import errors
from ..api.defaults import quantity_value

KUBELET_VERSION = "v1.37.0"
OS_IMAGE = "Ubuntu 24.04.2 LTS"
KERNEL_VERSION = "6.8.0-79-generic"
STATUS_UPDATE_FREQUENCY = 10.0
STATUS_REPORT_FREQUENCY = 300.0
EVICTION_HARD_MEMORY = 100 * 1024 * 1024  # memory.available<100Mi
EVICTION_HARD_NODEFS = Fraction(10, 100)  # nodefs.available<10%

DEFAULT_CAPACITY = {"cpu": "2", "memory": "4Gi", "pods": "110", "ephemeral-storage": "20Gi"}

_CONDITIONS = (
    ("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
    ("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
    ("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
    ("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
)
_CONDITION_EVENTS = {"KubeletHasSufficientMemory": "NodeHasSufficientMemory",
                     "KubeletHasNoDiskPressure": "NodeHasNoDiskPressure",
                     "KubeletHasSufficientPID": "NodeHasSufficientPID", "KubeletReady": "NodeReady"}


def node_internal_ip(node_name: str) -> str:
    """The machine's address: master-N -> 192.168.0.(10+N), worker-N -> 192.168.0.(100+N)."""
    m = re.search(r"(\d+)$", node_name)
    n = int(m.group(1)) if m else 0
    base = 10 if node_name.startswith("master") else 100
    return f"192.168.0.{(base + n) % 254 or 1}"


def _ki(value: int) -> str:
    return f"{value // 1024}Ki"


def capacity_and_allocatable(capacity: dict) -> tuple[dict, dict]:
    """What cAdvisor reports (memory a little under the nominal size, in Ki) and what is
    left for pods after the eviction thresholds."""
    cap = dict(DEFAULT_CAPACITY)
    cap.update({k: str(v) for k, v in (capacity or {}).items()})
    memory = int(quantity_value(cap["memory"]) or 0)
    mem_total = (memory * 9747 // 10000) // 1024 * 1024  # MemTotal is below the DIMM size
    storage = int(quantity_value(cap["ephemeral-storage"]) or 0)
    capacity_out = {"cpu": cap["cpu"], "ephemeral-storage": _ki(storage), "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0", "memory": _ki(mem_total), "pods": cap["pods"]}
    allocatable = dict(capacity_out)
    allocatable["memory"] = _ki(mem_total - EVICTION_HARD_MEMORY)
    allocatable["ephemeral-storage"] = str(int(storage * (1 - EVICTION_HARD_NODEFS)))
    for extra, value in cap.items():
        if extra not in capacity_out and extra not in ("memory", "ephemeral-storage"):
            capacity_out[extra] = allocatable[extra] = value
    return capacity_out, allocatable


class NodeStatus:
    """Registers the Node and keeps its status current."""

    def __init__(self, kubelet, capacity=None, labels=None, taints=None):
        self.kubelet = kubelet
        self.client = kubelet.client
        self.capacity, self.allocatable = capacity_and_allocatable(capacity or {})
        self.extra_labels = dict(labels or {})
        self.extra_taints = list(taints or [])
        rng = kubelet.loop.rng
        self.machine_id = f"{rng.getrandbits(128):032x}"
        self.system_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self.boot_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        self._timer = None
        self._last_report = None
        self._last_status: dict | None = None
        self.registered = False

    # -- the Node object -------------------------------------------------------------------------
    def labels(self) -> dict:
        k = self.kubelet
        labels = {"beta.kubernetes.io/arch": "amd64", "beta.kubernetes.io/os": "linux",
                  "kubernetes.io/arch": "amd64", "kubernetes.io/hostname": k.node_name, "kubernetes.io/os": "linux"}
        if k.role in ("master", "control-plane"):
            labels["node-role.kubernetes.io/control-plane"] = ""
            labels["node.kubernetes.io/exclude-from-external-load-balancers"] = ""
        labels.update(self.extra_labels)
        return labels

    def taints(self) -> list:
        taints = []
        if self.kubelet.role in ("master", "control-plane"):
            taints.append({"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"})
        for t in self.extra_taints:
            if t not in taints:
                taints.append(dict(t))
        return taints

    def initial_node(self) -> dict:
        k = self.kubelet
        annotations = {"kubeadm.alpha.kubernetes.io/cri-socket": "unix:///run/containerd/containerd.sock",
                       "node.alpha.kubernetes.io/ttl": "0",
                       "volumes.kubernetes.io/controller-managed-attach-detach": "true"}
        node = {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": k.node_name, "labels": self.labels(), "annotations": annotations},
                "spec": {}, "status": self.status(None)}
        taints = self.taints()
        if taints:
            node["spec"]["taints"] = taints
        return node

    def status(self, old: dict | None) -> dict:
        k = self.kubelet
        now = k.timestamp()
        old_conds = {c["type"]: c for c in ((old or {}).get("conditions") or [])}
        conditions = []
        for ctype, status, reason, message in _CONDITIONS:
            prev = old_conds.get(ctype)
            since = prev["lastTransitionTime"] if prev and prev.get("status") == status else now
            conditions.append({"type": ctype, "status": status, "lastHeartbeatTime": now,
                               "lastTransitionTime": since, "reason": reason, "message": message})
        return {
            "capacity": dict(self.capacity),
            "allocatable": dict(self.allocatable),
            "conditions": conditions,
            "addresses": [{"type": "InternalIP", "address": k.node_ip}, {"type": "Hostname", "address": k.node_name}],
            "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
            "nodeInfo": {
                "machineID": self.machine_id, "systemUUID": self.system_uuid, "bootID": self.boot_id,
                "kernelVersion": KERNEL_VERSION, "osImage": OS_IMAGE,
                "containerRuntimeVersion": k.runtime.runtime_version, "kubeletVersion": KUBELET_VERSION,
                # no longer reported since v1.31 (DisableNodeKubeProxyVersion): the field stays empty
                "kubeProxyVersion": "",
                "operatingSystem": "linux", "architecture": "amd64",
                "swap": {},
            },
            "images": self.images(),
            "runtimeHandlers": [
                {"name": "runc", "features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}},
                {"name": "", "features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}},
            ],
            "features": {"supplementalGroupsPolicy": True},
        }

    def images(self) -> list:
        out = []
        for img in sorted(self.kubelet.runtime.list_images(), key=lambda i: (-i.size, i.name)):
            out.append({"names": [img.repo_digest, img.name], "sizeBytes": img.size})
        return out[:50]

    # -- registration and heartbeats -------------------------------------------------------------
    def register(self) -> dict:
        k = self.kubelet
        try:
            node = self.client.create(self.initial_node())
            self._events_after_registration(node)
        except errors.StatusError as e:
            if e.code != 409:
                raise
            node = self.client.get("nodes", k.node_name, None)
            node = self._reconcile_existing(node)
        self.registered = True
        self._last_report = k.loop.now
        self._last_status = _comparable(node.get("status") or {})
        return node

    def _reconcile_existing(self, node: dict) -> dict:
        """A node that was there before (a kubelet restart): keep the labels current and
        report Ready again."""
        labels = node["metadata"].setdefault("labels", {})
        changed = False
        for key, value in self.labels().items():
            if labels.get(key) != value:
                labels[key] = value
                changed = True
        if changed:
            node = self.client.update(node)
        node["status"] = self.status(node.get("status"))
        node = self.client.update_status(node)
        return node

    def _events_after_registration(self, node: dict) -> None:
        k = self.kubelet
        ref = {"kind": "Node", "apiVersion": "v1",
               "metadata": {"name": k.node_name, "uid": k.node_name, "namespace": ""}}
        rec = k.recorder
        rec.event(ref, "Normal", "Starting", "Starting kubelet.")
        for ctype, _status, reason, _msg in _CONDITIONS[:3]:
            name = _CONDITION_EVENTS[reason]
            rec.event(ref, "Normal", name, f"Node {k.node_name} status is now: {name}")
        rec.event(ref, "Normal", "NodeAllocatableEnforced", "Updated Node Allocatable limit across pods")
        rec.event(ref, "Normal", "NodeReady", f"Node {k.node_name} status is now: NodeReady")

    def start(self) -> None:
        self._schedule()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        self._timer = self.kubelet.loop.call_later(STATUS_UPDATE_FREQUENCY, self.sync,
                                                   f"kubelet({self.kubelet.node_name}) node status", background=True)

    def sync(self) -> None:
        k = self.kubelet
        if not k.running:
            return
        try:
            self.update(force=False)
        except errors.StatusError:
            pass
        self._schedule()

    def update(self, force: bool = False) -> None:
        k = self.kubelet
        node = self.client.get("nodes", k.node_name, None)
        new_status = self.status(node.get("status"))
        due = self._last_report is None or k.loop.now - self._last_report >= STATUS_REPORT_FREQUENCY
        if not force and not due and _comparable(new_status) == self._last_status:
            return
        node["status"] = {**(node.get("status") or {}), **new_status}
        self.client.update_status(node)
        self._last_report = k.loop.now
        self._last_status = _comparable(new_status)


def _comparable(status: dict) -> dict:
    """The status without heartbeat times: what counts as a change."""
    out = {k: v for k, v in status.items() if k not in ("conditions",)}
    out["conditions"] = [{k: v for k, v in c.items() if k != "lastHeartbeatTime"}
                         for c in status.get("conditions") or []]
    return out
