"""The kubelet: the node agent on every machine (pkg/kubelet/kubelet.go).

It registers the Node, renews the node Lease and reports node status; it watches the
pods bound to its node (fieldSelector ``spec.nodeName=<node>``) and runs each through a
pod worker, with the container runtime (CRI), the CNI network plugin and the volume
manager; it probes containers, reports pod status, serves ``kubectl logs`` and a
Summary-API-like ``stats()`` (what its cAdvisor reads), and writes its own log lines
to ``journal`` (``journalctl -u kubelet``).  It also runs static pods from manifests and keeps their
mirror pods in the API.  ``stop()`` makes it a dead kubelet: no heartbeats, no syncs,
while the containers it started keep running.
"""

from __future__ import annotations

import datetime as _dt
from collections import deque

from ..api import errors
from ..client.events import EventRecorder
from .backoff import Backoff
from .cadvisor import CAdvisor
from .image_manager import ImageManager
from .lease import NodeLease
from .logs import read_logs
from .node_status import DEFAULT_CAPACITY, NodeStatus, node_internal_ip
from .pod_workers import PodWorker
from .probes import ProbeManager
from .static_pods import StaticPods, is_mirror_pod
from .status import StatusManager
from .volumes import PersistentVolumeStore, VolumeManager
from ..runtime.cri import POD_UID_LABEL


class Kubelet:
    def __init__(self, client, loop, node_name: str, runtime, network, *, role: str = "worker", capacity=None,
                 labels=None, taints=None, static_pods=(), tracer=None):
        self.source = f"kubelet({node_name})"
        self.client = client.with_source(self.source) if hasattr(client, "with_source") else client
        self.loop = loop
        self.node_name = node_name
        self.runtime = runtime
        self.network = network
        self.role = role
        self.tracer = tracer
        self._node_ip = node_internal_ip(node_name)
        self.epoch = getattr(getattr(self.client, "apiserver", None), "epoch", None) or \
            _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
        runtime.epoch = self.epoch
        runtime.node_ip = self._node_ip
        self.recorder = EventRecorder(self.client, "kubelet", node_name)
        self.node_status = NodeStatus(self, dict(DEFAULT_CAPACITY, **(capacity or {})), labels, taints)
        self.lease = NodeLease(self)
        self.volume_manager = VolumeManager(self)
        self.image_manager = ImageManager(self)
        self.probes = ProbeManager(self)
        self.status_manager = StatusManager(self)
        self.static_pods = StaticPods(self, static_pods)
        self.restart_backoff = Backoff()
        self.cadvisor = CAdvisor(runtime)
        self.journal: deque = deque(maxlen=5000)  # the kubelet's own log (journalctl -u kubelet): (time, line)
        self.workers: dict[str, PodWorker] = {}
        self.node_uid = ""
        self._pod_cidr: str | None = None
        self._watch = None
        self.running = False
        runtime.add_listener(self._pleg)

    @property
    def node_ip(self) -> str:
        """The node's InternalIP (set it before ``start()`` to choose the machine's address)."""
        return self._node_ip

    @node_ip.setter
    def node_ip(self, ip: str) -> None:
        self._node_ip = ip
        self.runtime.node_ip = ip

    # -- persistent volume data (the storage helper may share one store across nodes) --------------
    @property
    def volume_store(self) -> PersistentVolumeStore:
        return self.volume_manager.pv_store

    @volume_store.setter
    def volume_store(self, store: PersistentVolumeStore) -> None:
        self.volume_manager.pv_store = store

    # -- time --------------------------------------------------------------------------------------
    def wall(self, t: float | None = None) -> _dt.datetime:
        return self.epoch + _dt.timedelta(seconds=self.loop.now if t is None else t)

    def timestamp(self, t: float | None = None) -> str:
        return self.wall(t).strftime("%Y-%m-%dT%H:%M:%SZ")

    def micro_time(self, t: float | None = None) -> str:
        return self.wall(t).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    def nano_time(self, t: float | None = None) -> str:
        w = self.wall(t)
        nanos = int(round(((self.loop.now if t is None else t) % 1) * 1e9)) % 1_000_000_000
        return w.strftime("%Y-%m-%dT%H:%M:%S.") + f"{nanos:09d}Z"

    def trace(self, target: str, verb: str, obj: str, detail: str = "") -> None:
        if self.tracer is not None:
            self.tracer.record(self.source, target, verb, obj, detail)

    # -- life cycle ----------------------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self.running = True
        node = self.node_status.register()
        self.node_uid = node["metadata"].get("uid", "")
        self._pod_cidr = (node.get("spec") or {}).get("podCIDR")
        self.lease.start()
        self.node_status.start()
        for pod in self.static_pods.pods():
            uid = pod["metadata"]["uid"]
            if uid not in self.workers:
                self.workers[uid] = PodWorker(self, pod, static=True)
        self._start_pod_source()
        for w in list(self.workers.values()):
            # probe state does not survive a kubelet restart: probing starts again
            for rec in w.records.values():
                c = w.container(rec)
                if c is not None and c.running and c.id not in self.probes.workers:
                    self.probes.add_container(w, rec, c.id)
            w.queue_sync()

    def stop(self) -> None:
        """A dead kubelet: heartbeats, syncs and probes stop; containers keep running."""
        if not self.running:
            return
        self.running = False
        self.lease.stop()
        self.node_status.stop()
        self.probes.stop_all()
        if self._watch is not None:
            self._watch.stop()
            self._watch = None

    def _start_pod_source(self) -> None:
        selector = f"spec.nodeName={self.node_name}"
        current = self.client.list("pods", None, field_selector=selector)
        seen = set()
        for pod in current:
            seen.add(pod["metadata"]["uid"])
            self._on_pod("ADDED", pod)
        for uid, w in list(self.workers.items()):
            if not w.static and uid not in seen:  # deleted while the kubelet was down
                w.deleted_from_api = True
                w.queue_sync()
        self._watch = self.client.watch("pods", self._on_pod, None, field_selector=selector)

    def _on_pod(self, event: str, pod: dict) -> None:
        if not self.running:
            return
        if is_mirror_pod(pod):
            self.static_pods.observe(event, pod)
            return
        uid = pod["metadata"].get("uid")
        worker = self.workers.get(uid)
        ref = f'"{pod["metadata"].get("namespace")}/{pod["metadata"].get("name")}"'
        if event == "DELETED":
            if worker is not None:
                self.log("kubelet.go:2442", f'"SyncLoop REMOVE" source="api" pods=[{ref}]')
                worker.deleted_from_api = True
                worker.queue_sync()
            return
        if worker is None:
            phase = (pod.get("status") or {}).get("phase")
            if phase in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp"):
                return  # a finished pod this kubelet no longer runs
            worker = self.workers[uid] = PodWorker(self, pod)
            self.log("kubelet.go:2426", f'"SyncLoop ADD" source="api" pods=[{ref}]')
            worker.queue_sync()
        else:
            if pod["metadata"].get("deletionTimestamp") and not worker.pod["metadata"].get("deletionTimestamp"):
                self.log("kubelet.go:2436", f'"SyncLoop DELETE" source="api" pods=[{ref}]')
            worker.update(pod)

    def remove_worker(self, worker: PodWorker) -> None:
        """The pod is gone from the API and stopped here: remove its containers and sandbox."""
        worker.removed = True
        self.workers.pop(worker.uid, None)
        self.status_manager.forget(worker.uid)
        self.probes.remove_pod(worker)
        if worker.sandbox_id is not None:
            self.trace("runtime", "RemovePodSandbox", f"{worker.namespace}/{worker.name}")
            self.runtime.remove_pod_sandbox(worker.sandbox_id)
        self.volume_manager.unmount(worker.uid)

    def _pleg(self, event: str, container) -> None:
        """The pod lifecycle event generator: a container of ours started or exited."""
        uid = container.labels.get(POD_UID_LABEL)
        if not uid or not self.running:
            return  # not a Kubernetes container (or nobody is listening)
        worker = self.workers.get(uid)
        if worker is None:
            return
        if event == "exited":
            self.log("kubelet.go:2513", f'"SyncLoop (PLEG): event for pod" pod="{worker.namespace}/{worker.name}" '
                     f'event={{"ID":"{uid}","Type":"ContainerDied","Data":"{container.id}"}}')
            if container.reason == "OOMKilled":
                self.log("kuberuntime_container.go:809", f'"Container exited" reason="OOMKilled" exitCode='
                         f'{container.exit_code} pod="{worker.namespace}/{worker.name}" '
                         f'containerName="{container.name}"')
            worker.container_exited(container)

    def log(self, where: str, message: str, severity: str = "I") -> None:
        """A klog line in the kubelet's journal (``I1207 10:00:00.000000    1234 kubelet.go:2426] ...``)."""
        self.journal.append((self.loop.now, f"{severity}{self.wall().strftime('%m%d %H:%M:%S.%f')}    "
                                            f"1021 {where}] {message}"))

    # -- helpers for the workers ------------------------------------------------------------------------
    def pod_cidr(self) -> str | None:
        if not self._pod_cidr:
            try:
                node = self.client.get("nodes", self.node_name, None)
                self._pod_cidr = (node.get("spec") or {}).get("podCIDR")
            except errors.StatusError:
                pass
        return self._pod_cidr

    def node_owner_reference(self) -> dict:
        return {"apiVersion": "v1", "kind": "Node", "name": self.node_name, "uid": self.node_uid,
                "controller": True}

    def worker_for(self, namespace: str, name: str) -> PodWorker | None:
        found = [w for w in self.workers.values() if w.namespace == namespace and w.name == name and not w.removed]
        if not found:
            return None
        found.sort(key=lambda w: (w.deleted_from_api, -(w.start_time or 0)))
        return found[0]

    # -- logs -----------------------------------------------------------------------------------------
    def logs(self, namespace: str, pod: str, container: str | None = None, previous: bool = False,
             tail_lines: int | None = None, timestamps: bool = False, since_seconds: float | None = None,
             limit_bytes: int | None = None) -> str:
        """GET pods/<pod>/log for a pod of this node."""
        worker = self.worker_for(namespace, pod)
        if worker is None:
            raise errors.not_found("pods", pod)
        return read_logs(self, worker, container, previous, tail_lines, timestamps, since_seconds, limit_bytes)

    def pod_log(self, namespace: str, pod: str, query: dict) -> str:
        """The same, from the log subresource's query parameters (as strings)."""
        def flag(name):
            return str(query.get(name, "")).lower() in ("true", "1")

        def number(name):
            v = query.get(name)
            return int(v) if v not in (None, "") else None
        return self.logs(namespace, pod, query.get("container") or None, previous=flag("previous"),
                         tail_lines=number("tailLines"), timestamps=flag("timestamps"),
                         since_seconds=number("sinceSeconds"), limit_bytes=number("limitBytes"))

    def has_pod(self, namespace: str, pod: str) -> bool:
        return self.worker_for(namespace, pod) is not None

    # -- exec ------------------------------------------------------------------------------------------
    def exec(self, namespace: str, pod: str, container: str | None, command: list[str]) -> tuple[int, str]:
        """``kubectl exec``: run a command in a running container; (exit code, output)."""
        worker = self.worker_for(namespace, pod)
        if worker is None:
            raise errors.not_found("pods", pod)
        name = container or next((r.name for r in worker.regular_records()), "")
        rec = worker.records.get(name)
        if rec is None:
            raise errors.bad_request(f"container {name} is not valid for pod {pod}")
        c = worker.container(rec)
        if c is None or not c.running:
            raise errors.bad_request(f"container {name} is not running")
        return self.runtime.exec_sync(c.id, command)

    # -- stats (the Summary API: /stats/summary) ------------------------------------------------------
    def stats(self) -> dict:
        """The Summary API: what cAdvisor reads now, per container, pod and node."""
        now = self.timestamp()
        pods = []
        node_cpu, node_mem = 0.0, 0
        for w in sorted(self.workers.values(), key=lambda w: (w.namespace, w.name)):
            containers = []
            pod_cpu, pod_mem = 0.0, 0
            for rec in w.records.values():
                c = w.container(rec)
                if c is None or not c.running:
                    continue
                cg = self.cadvisor.read(c)
                cpu, mem = cg.last_rate, cg.memory
                pod_cpu += cpu
                pod_mem += mem
                containers.append({"name": rec.name, "startTime": self.timestamp(c.started_at),
                                   "cpu": {"time": now, "usageNanoCores": int(cpu * 1_000_000),
                                           "usageCoreNanoSeconds": int(cg.cpu_total_ns)},
                                   "memory": {"time": now, "workingSetBytes": mem, "usageBytes": mem}})
            if not containers:
                continue
            node_cpu += pod_cpu
            node_mem += pod_mem
            pods.append({"podRef": {"name": w.name, "namespace": w.namespace, "uid": w.uid},
                         "startTime": self.timestamp(w.start_time or 0), "containers": containers,
                         "cpu": {"time": now, "usageNanoCores": int(pod_cpu * 1_000_000)},
                         "memory": {"time": now, "workingSetBytes": pod_mem, "usageBytes": pod_mem}})
        system_cpu, system_mem = 60.0, 450 * 1024 * 1024  # kubelet, containerd, systemd and the kernel
        return {"node": {"nodeName": self.node_name,
                         "cpu": {"time": now, "usageNanoCores": int((node_cpu + system_cpu) * 1_000_000)},
                         "memory": {"time": now, "workingSetBytes": node_mem + system_mem}},
                "pods": pods}

    def __repr__(self) -> str:
        return f"<Kubelet {self.node_name} running={self.running} pods={len(self.workers)}>"
