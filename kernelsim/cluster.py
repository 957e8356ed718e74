"""Assembly of a simulated cluster (the role of ``cmd/``): no behaviour lives here.

``Cluster()`` wires the clock, etcd, kube-apiserver and its HTTP front end,
kube-controller-manager, the kubeconfig for the real kubectl, and the
real-time driver for notebooks.
"""

from __future__ import annotations

import datetime as _dt
import os
import random
import secrets
import tempfile
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path

from .api import errors
from .apiserver import authn
from .apiserver.bootstrap import bootstrap_cluster, new_apiserver, reconcile_master_endpoints
from .apiserver.http import APIHTTPServer
from .client.client import Client, Network
from .client.leaderelection import LeaderElector
from .controllers.manager import ControllerManager
from .controllers.nodeipam import CLUSTER_CIDR, NODE_CIDR_MASK_SIZE, validate_cluster_cidr
from .addons.dns import ClusterDNS
from .addons.fluentbit import ClusterLogging
from .addons.metrics import MetricsServer
from .addons.manifests import addon_objects
from .addons.network import PodNetwork
from .addons.surface import AddonsSurface
from .addons.traffic import Traffic
from .cloud import CloudControllerManager, SimulatedCloud
from .controllers.storage_objects import default_storage_class
from .kubeadm import control_plane_manifests
from .kubectl.runner import KubectlResult, run_kubectl, write_kubeconfig
from .kubelet import Kubelet
from .kubelet.volumes import PersistentVolumeStore
from .proxy import KubeProxy
from .runtime import ContainerRuntime
from .scheduler import Scheduler
from .sim import EventLoop, RealtimeDriver
from .sim.trace import Tracer

_current: "weakref.ref[Cluster] | None" = None
# Where each component logs that it lost its Lease (before it exits and is restarted).
_LOST_AT = {"kube-controller-manager": "controllermanager.go:330", "cloud-controller-manager": "controllermanager.go:185"}
BOOT_HEAD_START = 120.0  # seconds between "the cluster booted" and "now" for a wall-clock epoch


@dataclass
class Machine:
    """One simulated computer: its container runtime, its kubelet and its kube-proxy."""

    name: str
    role: str  # "control-plane" or "worker"
    index: int
    runtime: object = None
    kubelet: object = None
    proxy: object = None
    stopped: bool = False
    capacity: dict | None = None  # what add_node() was given (None: the kubelet's default)

    @property
    def ip(self) -> str:
        """192.168.0.10, .11, ... in machine order; past .249 the next /24s (192.168.1.1 ...)."""
        n = 10 + self.index
        if n < 250:
            return f"192.168.0.{n}"
        return f"192.168.{n // 250}.{n % 250 + 1}"


def current() -> "Cluster | None":
    """The cluster that ``%kubectl`` talks to: the one made last."""
    return _current() if _current is not None else None


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython

        ip = get_ipython()
        return ip is not None and hasattr(ip, "kernel")
    except ImportError:
        return False


def _realtime_default() -> bool:
    env = os.environ.get("KERNELSIM_REALTIME")
    if env is not None:
        return env not in ("0", "false", "no", "")
    return _in_kernel()


class Cluster(AddonsSurface):
    """A whole simulated Kubernetes cluster in this Python process.

    ``masters`` and ``workers`` size the cluster, ``seed`` fixes every random
    choice.  ``realtime`` lets simulated time follow the wall clock (the
    default inside a notebook kernel; tests and graders use ``settle()`` and
    ``advance()`` instead).  ``epoch`` is the wall-clock moment that simulated
    time 0 stands for (default: now, so that ages look right to kubectl).
    """

    def __init__(self, masters: int = 1, workers: int = 2, seed: int = 0, *, realtime: bool | None = None,
                 speed: float = 1.0, epoch: _dt.datetime | str | None = None,
                 controllers: tuple = ("*",), scheduler: bool = True, nodes: bool = True, addons: bool = True,
                 cluster_cidr: str = CLUSTER_CIDR, node_cidr_mask: int = NODE_CIDR_MASK_SIZE, _restore=None):
        """``controllers``, ``scheduler``, ``nodes`` and ``addons`` switch parts off, to study
        (or test) one component at a time: ``Cluster(controllers=(), scheduler=False,
        nodes=False, addons=False)`` is an API server with its etcd and nothing else.
        ``cluster_cidr`` and ``node_cidr_mask`` are kube-controller-manager's ``--cluster-cidr``
        and ``--node-cidr-mask-size`` (default 10.244.0.0/16 in /24s: room for 256 nodes);
        ``Cluster(workers=5000, cluster_cidr="10.128.0.0/9")`` gives every node a /24.
        ``_restore`` is used by :meth:`load` (``kernelsim.persistence``)."""
        global _current
        if masters < 1:
            raise ValueError("a cluster needs at least one master")
        if workers < 0:
            raise ValueError("workers must be 0 or more")
        validate_cluster_cidr(cluster_cidr, node_cidr_mask)
        self.cluster_cidr, self.node_cidr_mask = str(cluster_cidr).strip(), node_cidr_mask
        self.masters, self.workers, self.seed = masters, workers, seed
        self.loop = EventLoop(seed)
        if _restore is not None:
            _restore.prepare_loop(self.loop)
        self.lock = threading.RLock()
        self.tracer = Tracer(self.loop)
        if isinstance(epoch, str):
            epoch = _dt.datetime.fromisoformat(epoch.replace("Z", "+00:00"))
        head_start = 0.0
        if epoch is None:
            # The cluster "booted" a couple of minutes ago: after the boot below, simulated
            # time is moved on to now, so the ages kubectl computes from the wall clock match.
            head_start = BOOT_HEAD_START
            epoch = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0) - _dt.timedelta(seconds=head_start)
        self.apiserver = new_apiserver(self.loop, self.tracer, epoch,
                                       etcd_snapshot=_restore.etcd_snapshot if _restore else None)
        with self.lock:
            if _restore is None:  # a restored etcd has its objects already
                bootstrap_cluster(self.apiserver)
        self.apiserver.schedule_compaction(self.loop)
        self._internal = Client(self.apiserver, self.lock, self.loop, source="python")
        # The learner's client: outside the loop, a request waits for etcd as kubectl's does.
        self.api = self._internal.with_waiter(self._waiting_request)
        self.machines: dict[str, Machine] = {}
        self.last_command_cursor = 0
        self._electors: dict[tuple[str, str], LeaderElector] = {}
        self._not_leading: set[str] = set()  # components whose leading instance is gone
        self._sides: dict[str, int] = {}     # workers cut off with a group of masters (partition())
        self._networks: list[Network] = []
        self.cloud = SimulatedCloud(self.loop.rng)
        self.volume_store = PersistentVolumeStore()
        self.network = PodNetwork(self.loop.rng)
        self.controller_manager = ControllerManager(self._internal.with_source("kube-controller-manager"), self.loop,
                                                    controllers, cluster_cidr=self.cluster_cidr,
                                                    node_cidr_mask=node_cidr_mask)
        self.scheduler = Scheduler(self._internal, self.loop, tracer=self.tracer) if scheduler else None
        self.cloud_controller_manager = CloudControllerManager(self._internal, self.loop, self.cloud,
                                                               tracer=self.tracer) if nodes else None
        self.dns = ClusterDNS(self._internal, tracer=self.tracer)
        self.metrics_server: MetricsServer | None = None
        self.logging: ClusterLogging | None = None
        with self.lock:
            if addons and _restore is None:
                self._internal.with_source("kubeadm").create(default_storage_class())
            self.controller_manager.start()
            if self.scheduler is not None:
                self.scheduler.start()
            if self.cloud_controller_manager is not None:
                self.cloud_controller_manager.start()
            if nodes:
                machines = _restore.machines if _restore else \
                    [(f"master-{i + 1}", "control-plane", None) for i in range(masters)] + \
                    [(f"worker-{i + 1}", "worker", None) for i in range(workers)]
                for name, role, capacity in machines:
                    self._add_machine(name, role, capacity)
                control_plane = [m for m in self.machines.values() if m.role == "control-plane"]
                reconcile_master_endpoints(self.apiserver, [m.ip for m in control_plane])
                # One etcd member per master (kubeadm's stacked etcd), agreeing through raft.
                self.apiserver.start_etcd_members([(m.name, m.ip) for m in control_plane], log=self._etcd_log)
                self.apiserver.etcd.listeners.append(self._flush_networks)
                for m in control_plane:
                    self._start_electors(m.name)
            if addons:
                if _restore is None:
                    self._internal.with_source("kubeadm").apply(addon_objects(pod_subnet=self.cluster_cidr))
                self.metrics_server = MetricsServer(self._internal, self.loop, self._reachable_kubelets)
                self.metrics_server.start()
                self.apiserver.aggregated[MetricsServer.group] = self.metrics_server
                self.logging = ClusterLogging(self._internal, self.loop, self._log_sources)
                self.logging.start()
        self.traffic = Traffic(self._internal, self.network, {n: m.proxy for n, m in self.machines.items()},
                               {n: m.runtime for n, m in self.machines.items()}, self.dns, tracer=self.tracer)
        self.apiserver.pod_log = self._pod_log
        self.apiserver.pod_exec = self._pod_exec
        self._token = secrets.token_hex(16)
        # The static token file: the admin, and the users the course's teams are made of (authn.py).
        self.apiserver.tokens[self._token] = authn.ADMIN
        self._user_tokens = []
        for name, user, groups, namespace in authn.STATIC_USERS:
            tok = secrets.token_hex(16)
            self.apiserver.tokens[tok] = (user, groups)
            self._user_tokens.append((name, tok, namespace))
        self._http = APIHTTPServer(self.apiserver, self.lock, self._token, idle_hook=self._waiting_request).start()
        self._tmp = tempfile.TemporaryDirectory(prefix="kernelsim-")
        self.home = Path(self._tmp.name) / "home"
        self.home.mkdir()
        self._kubeconfig = write_kubeconfig(self.home / ".kube" / "config", self._http.url, self._token,
                                            ca_pem=self._http.certs.ca_pem, users=self._user_tokens)
        self.clock = RealtimeDriver(self.loop, self.lock, speed)
        if _restore is not None:
            with self.lock:
                _restore.finish(self)  # no settle(): the clock stays where it was saved
        else:
            self.settle()
        if head_start and self.now < head_start and _restore is None:
            self.advance(head_start - self.now)
        if realtime if realtime is not None else _realtime_default():
            self.clock.start()
        self._previous = _current  # %kubectl goes back to it when this cluster is closed
        self._closed = False
        _current = weakref.ref(self)
        self._shared_path: Path | None = None
        self._finalizer = weakref.finalize(self, Cluster._shutdown, self._http, self.clock, self._tmp)
        if os.environ.get("KERNELSIM_SHARE", "1" if _in_kernel() else "0") not in ("0", "false", "no", ""):
            self.share()

    # -- machines -------------------------------------------------------------------
    def _add_machine(self, name: str, role: str, capacity: dict | None = None) -> "Machine":
        index = len(self.machines)
        m = Machine(name, role, index, capacity=capacity)
        self.cloud.create_instance(name)
        m.runtime = ContainerRuntime(self.loop, name, tracer=self.tracer)
        static = control_plane_manifests(name, m.ip, pod_subnet=self.cluster_cidr,
                                         node_cidr_mask=self.node_cidr_mask) if role == "control-plane" else ()
        # The machine's components reach kube-apiserver over the network: a partition cuts them off.
        node_client = self._internal.with_network(Network(lambda name=name: self._reach_apiserver(name)))
        self._networks.append(node_client.network)
        m.kubelet = Kubelet(node_client.with_source(f"kubelet({name})"), self.loop, name, m.runtime, self.network,
                            role=role, static_pods=static, tracer=self.tracer, capacity=capacity)
        m.kubelet.node_ip = m.ip
        m.kubelet.volume_store = self.volume_store
        m.runtime.network_hook = self._fetch_from
        m.runtime.dns_hook = self._resolve_for
        m.runtime.etcd_hook = self._etcd_commands
        m.proxy = KubeProxy(node_client.with_source(f"kube-proxy({name})"), self.loop, name, tracer=self.tracer,
                            cluster_cidr=self.cluster_cidr)
        self.machines[name] = m
        m.kubelet.start()
        m.proxy.start()
        if hasattr(self, "traffic"):
            self.traffic.proxies[name] = m.proxy
            self.traffic.runtimes[name] = m.runtime
        return m

    def add_node(self, name: str | None = None, role: str = "worker", cpu: str = "2", memory: str = "4Gi") -> str:
        """Add a machine (``cpu`` cores, ``memory`` of RAM): its kubelet registers a Node, and
        DaemonSets and pods waiting for room follow.  Returns the node's name."""
        if name is None:
            n = sum(1 for m in self.machines.values() if m.role == role) + 1
            prefix = "master" if role == "control-plane" else "worker"
            while f"{prefix}-{n}" in self.machines:
                n += 1
            name = f"{prefix}-{n}"
        if name in self.machines:
            raise ValueError(f"a machine named {name!r} already exists")
        with self.lock:
            self._add_machine(name, role, {"cpu": str(cpu), "memory": str(memory), "pods": "110",
                                           "ephemeral-storage": "20Gi"})
        return name

    # -- masters: leader election and etcd's raft -----------------------------------
    _LEASED = ("kube-controller-manager", "kube-scheduler", "cloud-controller-manager")

    def _start_electors(self, master: str) -> None:
        """The components of ``master`` that run under a Lease start competing for it."""
        identity = f"{master}_{self.apiserver.new_uid()}"
        for component in self._LEASED:
            e = LeaderElector(self._internal.with_source(component), self.loop, component, identity,
                              can_run=lambda master=master: self._master_serves(master),
                              on_started=lambda c=component: self._leading(c, True, master),
                              on_stopped=lambda c=component: self._leading(c, False, master),
                              rng=random.Random(f"leader-election-{self.seed}-{master}-{component}"))
            self._electors[(master, component)] = e
            e.start()

    def _master_serves(self, master: str) -> bool:
        """The master runs and its kube-apiserver's etcd member is with a working majority."""
        m = self.machines.get(master)
        raft = self.apiserver.etcd
        return m is not None and not m.stopped and (raft is None or raft.serves(master))

    def _leading(self, component: str, leading: bool, master: str | None = None) -> None:
        """A component's leader appeared or went away: only a leader does any work."""
        if master is not None:
            t = self.apiserver.now().strftime("%m%d %H:%M:%S.%f")
            lines = ([f"I{t}       1 leaderelection.go:271] successfully acquired lease kube-system/{component}"]
                     if leading else
                     [f"E{t}       1 leaderelection.go:429] Failed to update lock: etcdserver: request timed out",
                      f"I{t}       1 leaderelection.go:297] failed to renew lease kube-system/{component}: "
                      "timed out waiting for the condition",
                      f"E{t}       1 {_LOST_AT.get(component, 'server.go:266')}] \"leaderelection lost\""])
            for line in lines:
                self._container_log(master, component, line)
        target = {"kube-controller-manager": self.controller_manager,
                  "kube-scheduler": self.scheduler}.get(component)
        if leading and component in self._not_leading:
            self._not_leading.discard(component)
            if target is not None:
                target.resume()
        elif not leading and component not in self._not_leading:
            self._not_leading.add(component)
            if target is not None:
                target.pause()

    def _container_log(self, machine: str, container: str, line: str) -> None:
        """A line for the log of a running container on ``machine`` (what ``kubectl logs`` shows)."""
        m = self.machines.get(machine)
        if m is None or m.runtime is None or m.stopped:
            return
        for c in m.runtime.list_containers(labels={"io.kubernetes.container.name": container},
                                           state="CONTAINER_RUNNING"):
            c.logs.append((self.loop.now, "stderr", line))

    def _etcd_log(self, member: str, line: str) -> None:
        """An etcd member's log line goes to the log of its etcd container."""
        self._container_log(member, "etcd", line)

    def _etcd_commands(self, node: str, args: list[str]) -> tuple[int, str]:
        """``etcdctl`` inside the etcd pod on ``node``."""
        return self.apiserver.etcdctl(node, args)

    @property
    def faults(self) -> dict:
        """What is broken, for the diagram: the etcd leader, partitioned and stopped masters."""
        raft = self.apiserver.etcd
        if raft is None:
            return {}
        return {"etcd_leader": raft.leader_name, "etcd_quorum": raft.has_quorum(),
                "partitioned": sorted([n for n, m in raft.members.items() if m.side] + list(self._sides)),
                "stopped": sorted(n for n, m in self.machines.items() if m.stopped and m.role == "control-plane")}

    def _reachable_kubelets(self) -> dict:
        """The kubelets that answer on port 10250 (what metrics-server scrapes)."""
        return {n: m.kubelet for n, m in self.machines.items() if not m.stopped and m.kubelet.running}

    def _log_sources(self) -> dict:
        """What each node's logging agent reads: its runtime's container logs and its kubelet's journal."""
        return {n: (m.runtime, m.kubelet) for n, m in self.machines.items() if not m.stopped}

    def _masters(self) -> list["Machine"]:
        return [m for m in self.machines.values() if m.role == "control-plane"]

    def stop_master(self, name: str) -> None:
        """Power a master off: its etcd member, kube-apiserver, kube-scheduler and
        kube-controller-manager stop with its kubelet.  etcd elects a new leader if a
        majority of members is left; the other masters' components take over the Leases
        once they expire (15 s)."""
        with self.lock:
            m = self._machine(name)
            if m.role != "control-plane":
                raise ValueError(f"{name} is not a master; use stop_kubelet() or remove_node() for a worker")
            if m.stopped:
                return
            if not any(o for o in self._masters() if o is not m and not o.stopped):
                raise ValueError(f"{name} is the last running master: stopping it would leave no kube-apiserver "
                                 "to answer (and kubectl with nothing to talk to)")
            m.stopped = True
            m.kubelet.stop()
            m.proxy.stop()
            if self.apiserver.etcd is not None:
                self.apiserver.etcd.stop(name)
            for component in self._LEASED:
                e = self._electors.get((name, component))
                if e is not None and e.leading:  # the process died with its master
                    e.leading = False
                    self._leading(component, False)
            self.loop.call_later(15.0, self._reconcile_master_endpoints, "kube-apiserver master lease expiry")

    def start_master(self, name: str) -> None:
        """Power a stopped master on again: its etcd member rejoins and catches up."""
        with self.lock:
            m = self._machine(name)
            if m.role != "control-plane" or not m.stopped:
                return
            m.stopped = False
            if self.apiserver.etcd is not None:
                self.apiserver.etcd.start(name)
            self._boot_node_agents(m)

    def _boot_node_agents(self, m: "Machine", retry: bool = False) -> None:
        """Start the kubelet and kube-proxy of a machine; while kube-apiserver cannot write
        (etcd without a quorum), the kubelet keeps trying to register, as a real one does."""
        if m.stopped:
            return
        try:
            m.kubelet.start()
        except errors.StatusError:
            m.kubelet.running = False
            self.loop.call_later(2.0, lambda: self._boot_node_agents(m, True), f"kubelet({m.name}) registration",
                                 background=retry)
            return
        m.proxy.start()
        if m.role == "control-plane":
            self._reconcile_master_endpoints()

    def partition(self, *machines: str) -> None:
        """Cut the network between ``machines`` and the other machines (``heal()`` mends it):
        etcd's members on the two sides cannot talk, and the kubelets and kube-proxies of
        the workers reach only the kube-apiservers of the masters on their side."""
        with self.lock:
            for n in machines:
                self._machine(n)
            masters = [n for n in machines if self.machines[n].role == "control-plane"]
            self._sides = {n: 1 for n in machines if n not in masters}
            self.apiserver.etcd.partition(masters)
            self._flush_networks()

    def heal(self) -> None:
        """Mend every network partition (and every slow or lossy link between the masters)."""
        with self.lock:
            self._sides = {}
            self.apiserver.etcd.heal()
            self._flush_networks()

    def _reach_apiserver(self, machine: str) -> None:
        """A request from ``machine`` goes to a kube-apiserver on its side of a partition: with
        none running there it gets no answer, and with none whose etcd member is with the
        working majority it times out."""
        raft = self.apiserver.etcd
        if raft is None or not (self._sides or any(m.side for m in raft.members.values())):
            return
        side = raft.members[machine].side if machine in raft.members else self._sides.get(machine, 0)
        here = [n for n, m in raft.members.items() if m.alive and m.side == side]
        if not here:
            ip = self.machines[next(iter(raft.members))].ip
            raise errors.StatusError(503, "ServiceUnavailable", f"dial tcp {ip}:6443: connect: no route to host")
        if not any(raft.serves(n) for n in here):
            raise errors.StatusError(500, "", "etcdserver: request timed out")

    def _flush_networks(self) -> None:
        """Watch events held while machines were cut off reach them once they are back."""
        for net in self._networks:
            if net.held:
                self.loop.call_soon(net.flush, "watch resumes after a partition")

    def _reconcile_master_endpoints(self) -> None:
        try:
            reconcile_master_endpoints(self.apiserver, [m.ip for m in self._masters() if not m.stopped])
        except errors.StatusError:
            self.loop.call_later(10.0, self._reconcile_master_endpoints, "kube-apiserver master lease retry",
                                 background=True)

    def _machine(self, name: str) -> "Machine":
        if name not in self.machines:
            raise KeyError(f"no machine named {name!r}; machines: {', '.join(self.machines)}")
        return self.machines[name]

    def stop_kubelet(self, node: str) -> None:
        """Stop a node's kubelet: no more heartbeats, so the node lifecycle controller
        marks the node NotReady after its grace period and evicts its pods."""
        with self.lock:
            self._machine(node).kubelet.stop()

    def start_kubelet(self, node: str) -> None:
        with self.lock:
            m = self._machine(node)
            try:
                m.kubelet.start()
            except errors.StatusError:
                m.kubelet.running = False
                self._boot_node_agents(m)

    def remove_node(self, node: str) -> None:
        """Delete the node's cloud instance; the cloud-controller-manager then deletes the Node."""
        with self.lock:
            m = self._machine(node)
            m.kubelet.stop()
            m.proxy.stop()
            m.stopped = True
            self.cloud.delete_instance(node)

    def _pod_log(self, namespace: str, name: str, query: dict) -> str:
        """The log subresource: kube-apiserver asks the kubelet of the pod's node."""
        pod = self.apiserver.storage.get(f"/registry/pods/{namespace}/{name}")
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if not node or node not in self.machines:
            containers = [c.get("name") for c in ((pod or {}).get("spec") or {}).get("containers", [])]
            c = query.get("container") or (containers[0] if containers else "")
            raise errors.bad_request(f'container "{c}" in pod "{name}" is waiting to start: ContainerCreating')
        self._kubelet_reachable(node)
        return self.machines[node].kubelet.pod_log(namespace, name, query)

    def _pod_exec(self, namespace: str, name: str, container: str | None, argv: list[str]):
        """The exec subresource: kube-apiserver asks the pod's kubelet to run a command."""
        pod = self.apiserver.storage.get(f"/registry/pods/{namespace}/{name}")
        node = ((pod or {}).get("spec") or {}).get("nodeName")
        if not node or node not in self.machines:
            raise errors.bad_request(f"pod {name} does not have a host assigned")
        self._kubelet_reachable(node)
        return self.machines[node].kubelet.exec(namespace, name, container, argv)

    def _kubelet_reachable(self, node: str) -> None:
        """kube-apiserver dials the kubelet's port 10250 for logs and exec."""
        m = self.machines[node]
        if m.stopped or not m.kubelet.running:
            raise errors.StatusError(500, "", f"error dialing backend: dial tcp {m.ip}:10250: connect: "
                                              "connection refused")

    def _fetch_from(self, from_ip: str, url: str, timeout: float = 10.0):
        """What `wget`/`curl` inside a container reach: the cluster network as seen from ``from_ip``."""
        where = self.network.pod_at(from_ip)
        if where is not None:
            node, ns, pod = where
            r = self.traffic.request(f"{ns}/{pod}", url)
        else:
            node = next((m.name for m in self.machines.values() if m.ip == from_ip), None)
            r = self.traffic.request(None, url, from_node=node)
        return r.status, r.body, r.error or ""

    def _resolve_for(self, name: str, namespace: str) -> list[str]:
        try:
            return self.dns.resolve(name, namespace)
        except Exception:  # NXDOMAIN or DNS down: the program sees no address
            return []

    # -- the network, from the course's point of view -----------------------------
    def request(self, url: str, from_pod: str | None = None, method: str = "GET"):
        """A simulated HTTP request, e.g. ``cluster.request("http://web.default.svc.cluster.local",
        from_pod="default/client")``; ``from_pod=None`` is a request from outside the cluster."""
        with self.lock:
            return self.traffic.request(from_pod, url, method)

    def resolve(self, name: str, namespace: str = "default") -> list[str]:
        """What cluster DNS (CoreDNS) answers for ``name`` from a pod in ``namespace``."""
        with self.lock:
            return self.dns.resolve(name, namespace)

    def proxy_rules(self, node: str) -> str:
        """kube-proxy's rule table on ``node``, as ``iptables-save`` would print it."""
        with self.lock:
            return self._machine(node).proxy.rules()

    # -- time ---------------------------------------------------------------------
    @property
    def now(self) -> float:
        """Seconds of simulated time since the cluster started."""
        return self.loop.now

    def settle(self, max_seconds: float = 600.0) -> float:
        """Advance simulated time until nothing is pending; returns the seconds advanced."""
        with self.lock:
            return self.loop.settle(max_seconds)

    def advance(self, seconds: float) -> float:
        """Advance simulated time by ``seconds``, running everything due on the way."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        with self.lock:
            self.loop.run_until(self.loop.now + seconds)
        return seconds

    @property
    def realtime_enabled(self) -> bool:
        return self.clock.running

    def play(self, speed: float | None = None) -> None:
        """Let simulated time follow the wall clock (optionally at ``speed`` times)."""
        if speed is not None:
            self.clock.speed = speed
        self.clock.start()

    def pause(self) -> None:
        self.clock.pause()

    def _waiting_request(self, until: float | None = None) -> bool:
        """A request (a watch, ``logs -f``, a write waiting for etcd) is waiting for something
        to happen: without the real-time driver, move simulated time to the next piece of work
        (foreground work first, else the next background timer), no later than ``until``.
        Returns whether time moved."""
        if self.clock.running:
            return False
        nxt = self.loop.next_work()
        if nxt is None:
            nxt = self.loop.peek()  # only background work left (heartbeats, a program's sleep)
        if until is not None:
            nxt = until if nxt is None else min(nxt, until)
        if nxt is not None:
            self.loop.run_until(nxt)
        return nxt is not None

    # -- kubectl ------------------------------------------------------------------
    @property
    def kubeconfig(self) -> str:
        """Path of this cluster's kubeconfig (``export KUBECONFIG=...`` in a terminal)."""
        return str(self._kubeconfig)

    @property
    def server(self) -> str:
        return self._http.url

    def kubectl(self, args, input: str | None = None, timeout: float | None = 120) -> KubectlResult:
        """Run the REAL kubectl against this cluster; returns stdout, stderr and returncode."""
        self.last_command_cursor = self.tracer.count  # the diagram's "replay" starts here
        return run_kubectl(args, self._kubeconfig, self.home, input=input, timeout=timeout)

    def share(self, path: str | os.PathLike | None = None) -> str:
        """Publish this cluster's kubeconfig where a terminal looks for it
        (``~/.kernelsim/kubeconfig``, or ``$KERNELSIM_HOME/kubeconfig``), so that
        ``kubectl`` and ``kubens`` in a JupyterLab terminal talk to this cluster.
        Inside a notebook kernel the newest cluster shares itself."""
        from .cli import default_kubeconfig_path

        target = Path(path).expanduser() if path else default_kubeconfig_path()
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_suffix(".tmp")
        tmp.write_text(self._kubeconfig.read_text(encoding="utf-8"), encoding="utf-8")
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)  # atomic: a terminal never reads half a file
        self._shared_path = target
        self._finalizer.detach()
        self._finalizer = weakref.finalize(self, Cluster._shutdown, self._http, self.clock, self._tmp, target,
                                           self._kubeconfig.read_text(encoding="utf-8"))
        return str(target)

    def save(self, path: str | os.PathLike) -> str:
        """Write this cluster to ``path``: etcd's snapshot and the simulation's state (clock, RNG,
        machines).  ``kernelsim.Cluster.load(path)`` brings it back, in this or another kernel."""
        from . import persistence

        return persistence.save(self, path)

    @classmethod
    def load(cls, path: str | os.PathLike, *, realtime: bool | None = None) -> "Cluster":
        """The cluster saved in ``path`` by :meth:`save`, at the same simulated time, with the same
        objects and resourceVersions; its components start and reconcile as after a restart.
        A file that is not a snapshot, truncated or corrupted raises ``SnapshotError``."""
        from . import persistence

        return persistence.load(path, realtime=realtime)

    def trace(self, last: int | None = None):
        """The request-flow records: who asked whom to do what, in simulated time."""
        return self.tracer.last(last)

    def diagram(self, view: str = "architecture", namespace: str | None = None, *, trace: bool = False,
                lang: str = "en"):
        """The live diagram widget (architecture, objects or namespaces view)."""
        from .widgets import ClusterDiagram

        return ClusterDiagram(self, view=view, namespace=namespace, trace=trace, lang=lang)

    # -- life cycle -----------------------------------------------------------------
    def close(self) -> None:
        """Stop the cluster's API server and clock; ``%kubectl`` goes back to the cluster
        made before it, if that one is still open."""
        global _current
        self._closed = True
        self._finalizer()
        if _current is not None and _current() is self:
            prev = self._previous
            while prev is not None and (prev() is None or prev()._closed):
                prev = prev()._previous if prev() is not None else None
            _current = prev

    @staticmethod
    def _shutdown(http, clock, tmp, shared: Path | None = None, content: str = "") -> None:
        try:
            clock.stop()
        finally:
            try:
                http.stop()
            finally:
                tmp.cleanup()
                # Withdraw the shared kubeconfig, unless another cluster has replaced it since.
                if shared is not None:
                    try:
                        if shared.read_text(encoding="utf-8") == content:
                            shared.unlink()
                    except OSError:
                        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return (f"<kernelsim.Cluster masters={self.masters} workers={self.workers} seed={self.seed} "
                f"t={self.now:.1f}s server={self.server}>")


StatusError = errors.StatusError
