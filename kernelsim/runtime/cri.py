"""The container runtime of a node: a containerd-flavoured CRI (k8s.io/cri-api runtime/v1).

The kubelet talks to it with the CRI verbs: ImageService (PullImage, ImageStatus,
ListImages, RemoveImage) and RuntimeService (RunPodSandbox, StopPodSandbox,
RemovePodSandbox, CreateContainer, StartContainer, StopContainer, RemoveContainer,
ContainerStatus, ListContainers, ExecSync, ReadLogs).  Containers run simulated
programs (``images.py``) in simulated time; the runtime enforces memory limits
(OOMKilled, exit code 137) and keeps each container's stdout/stderr log.

Containers that Kubernetes did not create (``run_unmanaged``, like ``ctr run`` or
``nerdctl run`` on the node) carry no ``io.kubernetes.*`` labels; the kubelet ignores them.
"""

from __future__ import annotations

import datetime as _dt
import ipaddress
import posixpath
import random
from dataclasses import dataclass, field
from typing import Callable

from . import images as _images
from .images import HTTPRequest, HTTPResponse, Image, ImageNotFound

CONTAINERD_VERSION = "2.1.4"
RUNTIME_NAME = "containerd"

# CRI label keys the kubelet puts on sandboxes and containers (pkg/kubelet/types/labels.go)
POD_NAME_LABEL = "io.kubernetes.pod.name"
POD_NAMESPACE_LABEL = "io.kubernetes.pod.namespace"
POD_UID_LABEL = "io.kubernetes.pod.uid"
CONTAINER_NAME_LABEL = "io.kubernetes.container.name"

SIGKILL_EXIT = 137
MAX_LOG_LINES = 20000


# ---------------------------------------------------------------------------
# Files: node directories, volumes and a container's view of them.

class FileStore:
    """A directory tree (a node's disk, an emptyDir, a persistent volume): path -> text."""

    def __init__(self, files: dict[str, str] | None = None):
        self.files: dict[str, str] = {}
        self.dirs: set[str] = {""}
        for k, v in (files or {}).items():
            self.write(k, v)

    @staticmethod
    def norm(path: str) -> str:
        p = posixpath.normpath("/" + (path or "")).lstrip("/")
        return "" if p == "." else p

    def _parents(self, rel: str):
        parts = rel.split("/")
        for i in range(1, len(parts)):
            yield "/".join(parts[:i])

    def read(self, path: str) -> str | None:
        return self.files.get(self.norm(path))

    def write(self, path: str, data: str, append: bool = False) -> None:
        rel = self.norm(path)
        self.dirs.update(self._parents(rel))
        self.files[rel] = (self.files.get(rel, "") if append else "") + data

    def remove(self, path: str) -> bool:
        rel = self.norm(path)
        if rel in self.files:
            del self.files[rel]
            return True
        if rel in self.dirs and rel:
            prefix = rel + "/"
            for k in [k for k in self.files if k.startswith(prefix)]:
                del self.files[k]
            self.dirs = {d for d in self.dirs if d != rel and not d.startswith(prefix)}
            return True
        return False

    def mkdir(self, path: str) -> None:
        rel = self.norm(path)
        self.dirs.update(self._parents(rel + "/x"))

    def is_dir(self, path: str) -> bool:
        return self.norm(path) in self.dirs

    def exists(self, path: str) -> bool:
        rel = self.norm(path)
        return rel in self.files or rel in self.dirs

    def listdir(self, path: str) -> list[str] | None:
        rel = self.norm(path)
        if rel not in self.dirs:
            return None
        prefix = rel + "/" if rel else ""
        names = {k[len(prefix):].split("/", 1)[0] for k in list(self.files) + list(self.dirs)
                 if k.startswith(prefix) and k != rel}
        return sorted(n for n in names if n)

    def view(self, sub_path: str) -> "FileStore":
        """The subdirectory ``sub_path`` of this store (hostPath on a node disk, subPath mounts)."""
        return SubStore(self, sub_path)


class SubStore(FileStore):
    def __init__(self, parent: FileStore, prefix: str):
        self.parent = parent
        self.prefix = FileStore.norm(prefix)
        parent.mkdir(self.prefix)

    def _p(self, path: str) -> str:
        rel = self.norm(path)
        return f"{self.prefix}/{rel}" if rel else self.prefix

    def read(self, path):
        return self.parent.read(self._p(path))

    def write(self, path, data, append=False):
        self.parent.write(self._p(path), data, append)

    def remove(self, path):
        return self.parent.remove(self._p(path))

    def mkdir(self, path):
        self.parent.mkdir(self._p(path))

    def is_dir(self, path):
        return self.parent.is_dir(self._p(path))

    def exists(self, path):
        return self.parent.exists(self._p(path))

    def listdir(self, path):
        return self.parent.listdir(self._p(path))

    @property
    def files(self):  # what the store holds, relative to the view
        pre = self.prefix + "/"
        return {k[len(pre):]: v for k, v in self.parent.files.items() if k.startswith(pre)}


@dataclass
class Mount:
    container_path: str
    store: FileStore
    read_only: bool = False


class ContainerFS:
    """A container's filesystem: its own writable layer with volumes mounted over it."""

    def __init__(self, rootfs: FileStore, mounts: list[Mount]):
        self.rootfs = rootfs
        self.mounts = sorted(mounts, key=lambda m: -len(FileStore.norm(m.container_path)))

    def _resolve(self, path: str):
        rel = FileStore.norm(path)
        for m in self.mounts:
            mp = FileStore.norm(m.container_path)
            if rel == mp or rel.startswith(mp + "/"):
                return m.store, rel[len(mp):].lstrip("/"), m
        return self.rootfs, rel, None

    def mounted_at(self, path: str) -> Mount | None:
        return self._resolve(path)[2]

    def read(self, path):
        store, rel, _ = self._resolve(path)
        return store.read(rel)

    def check_writable(self, path) -> str | None:
        """Why ``path`` cannot be written (busybox's wording), or None."""
        store, rel, m = self._resolve(path)
        if m is not None and m.read_only:
            return "Read-only file system"
        parent = posixpath.dirname("/" + rel).lstrip("/")
        if parent and not store.is_dir(parent):
            return "nonexistent directory"
        return None

    def write(self, path, data, append=False):
        store, rel, m = self._resolve(path)
        if m is not None and m.read_only:
            return
        store.write(rel, data, append)

    def remove(self, path):
        store, rel, m = self._resolve(path)
        if m is not None and m.read_only:
            return False
        return store.remove(rel)

    def mkdir(self, path):
        store, rel, _ = self._resolve(path)
        store.mkdir(rel)

    def is_dir(self, path, own_only=True):
        store, rel, _ = self._resolve(path)
        return store.is_dir(rel) or any(FileStore.norm(m.container_path) == FileStore.norm(path) for m in self.mounts)

    def exists(self, path):
        store, rel, _ = self._resolve(path)
        return store.exists(rel) or self.is_dir(path)

    def listdir(self, path):
        store, rel, _ = self._resolve(path)
        names = store.listdir(rel)
        here = FileStore.norm(path)
        extra = {FileStore.norm(m.container_path)[len(here):].lstrip("/").split("/", 1)[0] for m in self.mounts
                 if FileStore.norm(m.container_path).startswith(here + "/" if here else "")}
        if names is None and not extra:
            return None
        return sorted(set(names or []) | {e for e in extra if e})


# ---------------------------------------------------------------------------
# Sandboxes and containers.

@dataclass
class ContainerConfig:
    """CRI ContainerConfig: what CreateContainer needs."""

    name: str
    image: Image
    command: list[str] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    mounts: list[Mount] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    annotations: dict[str, str] = field(default_factory=dict)
    memory_limit: int | None = None
    cpu_limit_millicores: float | None = None
    working_dir: str = ""
    restart_count: int = 0


@dataclass
class Sandbox:
    id: str
    name: str
    namespace: str
    uid: str
    ip: str
    hostname: str
    host_network: bool = False
    labels: dict = field(default_factory=dict)
    state: str = "SANDBOX_READY"
    created_at: float = 0.0
    resolv_conf: str = ""  # formed from the CRI DNSConfig; bind-mounted into every container
    hosts: str = ""        # the kubelet's managed /etc/hosts for the pod's containers


@dataclass
class Container:
    id: str
    sandbox_id: str
    config: ContainerConfig
    state: str = "CONTAINER_CREATED"  # CONTAINER_RUNNING, CONTAINER_EXITED
    created_at: float = 0.0
    started_at: float | None = None
    finished_at: float | None = None
    exit_code: int = 0
    reason: str = ""  # "OOMKilled" when the memory limit killed it
    message: str = ""
    logs: list = field(default_factory=list)  # (time, stream, line)
    program: object = None
    timers: list = field(default_factory=list)
    stop_timer: object = None
    rootfs: FileStore = field(default_factory=FileStore)
    fs: ContainerFS | None = None
    phase: float = 0.0
    rng: random.Random | None = None

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def labels(self) -> dict:
        return self.config.labels

    @property
    def running(self) -> bool:
        return self.state == "CONTAINER_RUNNING"

    @property
    def image(self) -> Image:
        return self.config.image


class ProcessContext:
    """What a program sees of the world: its files, environment, clock, logs and network."""

    def __init__(self, runtime: "ContainerRuntime", container: Container, sandbox: Sandbox | None):
        self.runtime = runtime
        self.container = container
        self.sandbox = sandbox
        cfg = container.config
        self.env = dict(cfg.env)
        self.command = list(cfg.command)
        self.args = list(cfg.args)
        self.fs = container.fs
        self.rng = container.rng
        self.phase = container.phase

    @property
    def hostname(self) -> str:
        return self.sandbox.hostname if self.sandbox else self.runtime.node_name

    @property
    def pod_ip(self) -> str:
        return self.sandbox.ip if self.sandbox else self.runtime.node_ip

    @property
    def node_name(self) -> str:
        return self.runtime.node_name

    def now(self) -> float:
        return self.runtime.loop.now

    def wall(self) -> _dt.datetime:
        return self.runtime.wall(self.runtime.loop.now)

    def log(self, line: str, stream: str = "stdout") -> None:
        if self.container.state == "CONTAINER_RUNNING":
            logs = self.container.logs
            logs.append((self.runtime.loop.now, stream, line))
            if len(logs) > MAX_LOG_LINES:  # log rotation (containerLogMaxSize): the oldest lines go
                del logs[:len(logs) - MAX_LOG_LINES]

    def exit(self, code: int, reason: str = "") -> None:
        self.runtime._exited(self.container, code, reason)

    def call_later(self, delay: float, fn: Callable[[], None], background: bool = False):
        c = self.container

        def fire():
            if c.state == "CONTAINER_RUNNING":
                fn()
        t = self.runtime.loop.call_later(delay, fire, f"container {c.name} program", background=background)
        c.timers.append(t)
        return t

    def set_memory(self, used: int) -> None:
        self.runtime._memory_changed(self.container, used)

    def fetch(self, url: str, timeout: float = 10.0) -> tuple[int, str, str]:
        """An HTTP GET from this container: (status, body, error text)."""
        return self.runtime.fetch(self.pod_ip, url, timeout)

    def resolve(self, name: str) -> list[str]:
        hook = self.runtime.dns_hook
        ns = self.sandbox.namespace if self.sandbox else "default"
        return list(hook(name, ns) or []) if hook else []


class ContainerRuntime:
    """containerd on one node, reached through CRI verbs."""

    runtime_name = RUNTIME_NAME
    version = CONTAINERD_VERSION
    runtime_version = f"containerd://{CONTAINERD_VERSION}"
    cri_api_version = "v1"

    def __init__(self, loop, node_name: str, tracer=None):
        self.loop = loop
        self.node_name = node_name
        self.tracer = tracer
        self.node_ip = ""
        self.epoch = _dt.datetime(2026, 1, 1, tzinfo=_dt.timezone.utc)
        self.images: dict[str, Image] = {}  # reference name -> image
        self.sandboxes: dict[str, Sandbox] = {}
        self.containers: dict[str, Container] = {}
        self._pulls: dict[str, list] = {}
        self._listeners: list[Callable[[str, Container], None]] = []
        #: fetch(from_ip, url, timeout) -> (status, body, error); the cluster network (set by the lead)
        self.network_hook: Callable | None = None
        #: dns(name, namespace) -> [ips]; cluster DNS (set by the lead)
        self.dns_hook: Callable | None = None
        self.etcd_hook: Callable | None = None  # (node, etcdctl args) -> (exit code, output)
        #: the node's disk (hostPath volumes live here)
        self.host_fs = FileStore()

    # -- helpers ---------------------------------------------------------------------------
    def wall(self, t: float) -> _dt.datetime:
        return self.epoch + _dt.timedelta(seconds=t)

    def _trace(self, verb: str, obj: str, detail: str = "") -> None:
        if self.tracer is not None:
            self.tracer.record(f"containerd({self.node_name})", "registry" if verb == "PullImage" else "runc",
                               verb, obj, detail)

    def _new_id(self) -> str:
        return f"{self.loop.rng.getrandbits(256):064x}"

    def add_listener(self, fn: Callable[[str, Container], None]) -> None:
        """``fn(event, container)`` for "started" and "exited" (the kubelet's PLEG)."""
        self._listeners.append(fn)

    def _notify(self, event: str, c: Container) -> None:
        for fn in list(self._listeners):
            fn(event, c)

    def version_info(self) -> dict:
        return {"version": "0.1.0", "runtimeName": self.runtime_name, "runtimeVersion": f"v{self.version}",
                "runtimeApiVersion": self.cri_api_version}

    # -- ImageService ----------------------------------------------------------------------
    def image_status(self, image: str) -> Image | None:
        """The image if it is present on this node."""
        try:
            name = _images.parse_reference(image).name
        except Exception:
            return None
        return self.images.get(name)

    def list_images(self) -> list[Image]:
        return sorted(self.images.values(), key=lambda i: i.name)

    def remove_image(self, image: str) -> bool:
        name = _images.parse_reference(image).name
        return self.images.pop(name, None) is not None

    def pull_seconds(self, image: Image | None, present: bool) -> float:
        jitter = 0.85 + 0.3 * self.loop.rng.random()
        if image is None:
            return round(0.4 + 0.6 * jitter, 3)  # resolving the reference fails
        if present:
            return round(0.35 * jitter + 0.1, 3)  # only the manifest is checked
        return round((0.4 + image.size / 38_000_000) * jitter, 3)

    def pull_image(self, image: str, callback: Callable[[Image | None, str, float], None]) -> None:
        """Start a pull; ``callback(image, error, seconds)`` runs when it finishes.

        Two pulls of one reference at the same time share the download.
        """
        name = _images.parse_reference(image).name
        waiting = self._pulls.get(name)
        if waiting is not None:
            waiting.append(callback)
            return
        self._pulls[name] = [callback]
        try:
            found: Image | None = _images.lookup(image)
            error = ""
        except ImageNotFound as e:
            found, error = None, f"rpc error: code = {_images.not_found_code(image)} desc = {e.message}"
        seconds = self.pull_seconds(found, name in self.images)
        self._trace("PullImage", name)
        start = self.loop.now

        def done():
            if found is not None:
                self.images[name] = found
            for cb in self._pulls.pop(name, []):
                cb(found, error, self.loop.now - start)
        self.loop.call_later(seconds, done, f"pull {name} on {self.node_name}")

    # -- sandboxes -----------------------------------------------------------------------------
    def run_pod_sandbox(self, name: str, namespace: str, uid: str, ip: str, *, hostname: str = "",
                        host_network: bool = False, labels: dict | None = None, resolv_conf: str = "",
                        hosts: str = "") -> str:
        """RunPodSandbox.  ``resolv_conf`` is the sandbox's /etc/resolv.conf (from the pod's DNS
        config) and ``hosts`` the kubelet's /etc/hosts; both appear in each of its containers."""
        sid = self._new_id()
        self.sandboxes[sid] = Sandbox(sid, name, namespace, uid, ip if not host_network else self.node_ip,
                                      hostname or name, host_network, dict(labels or {}), created_at=self.loop.now,
                                      resolv_conf=resolv_conf, hosts=hosts)
        self._trace("RunPodSandbox", f"{namespace}/{name}", sid[:13])
        return sid

    def stop_pod_sandbox(self, sandbox_id: str) -> None:
        sb = self.sandboxes.get(sandbox_id)
        if sb is None:
            return
        for c in self.list_containers(sandbox_id=sandbox_id):
            if c.state != "CONTAINER_EXITED":
                self._exited(c, SIGKILL_EXIT, "")
        sb.state = "SANDBOX_NOTREADY"

    def remove_pod_sandbox(self, sandbox_id: str) -> None:
        self.stop_pod_sandbox(sandbox_id)
        for c in self.list_containers(sandbox_id=sandbox_id):
            self.containers.pop(c.id, None)
        self.sandboxes.pop(sandbox_id, None)

    def list_pod_sandboxes(self) -> list[Sandbox]:
        return list(self.sandboxes.values())

    def sandbox_by_ip(self, ip: str) -> Sandbox | None:
        for sb in self.sandboxes.values():
            if sb.ip == ip and sb.state == "SANDBOX_READY" and not sb.host_network:
                return sb
        return None

    # -- containers ----------------------------------------------------------------------------
    def create_container(self, sandbox_id: str, config: ContainerConfig) -> str:
        cid = self._new_id()
        rng = random.Random(self.loop.rng.getrandbits(64))
        c = Container(cid, sandbox_id, config, created_at=self.loop.now, rng=rng, phase=rng.random() * 6.283)
        c.fs = ContainerFS(c.rootfs, config.mounts)
        self.containers[cid] = c
        return cid

    def start_container(self, container_id: str) -> None:
        c = self.containers[container_id]
        if c.state != "CONTAINER_CREATED":
            raise RuntimeError(f"container {container_id} is not in created state")
        sb = self.sandboxes.get(c.sandbox_id)
        c.state = "CONTAINER_RUNNING"
        c.started_at = self.loop.now
        ctx = ProcessContext(self, c, sb)
        program = c.image.program(ctx)
        c.program = program
        _seed_files(c, sb, self, program)
        self._trace("StartContainer", f"{sb.namespace}/{sb.name}/{c.name}" if sb else c.name, c.id[:13])
        self._notify("started", c)
        program.start()
        if c.state == "CONTAINER_RUNNING":
            self._memory_changed(c, int(program.memory))

    def stop_container(self, container_id: str, timeout: float) -> None:
        """StopContainer: the stop signal now, SIGKILL after ``timeout`` seconds."""
        c = self.containers.get(container_id)
        if c is None or c.state != "CONTAINER_RUNNING":
            if c is not None and c.state == "CONTAINER_CREATED":
                self._exited(c, 0, "")
            return
        if c.stop_timer is None:
            signal = c.program.stop_signal if c.program else "SIGTERM"
            c.stop_timer = self.loop.call_later(max(0.0, timeout), lambda: self._kill(c),
                                                f"SIGKILL {c.name} on {self.node_name}")
            if c.program is not None and timeout > 0:
                c.program.stop(signal)
            elif timeout <= 0:
                self._kill(c)

    def _kill(self, c: Container) -> None:
        if c.state == "CONTAINER_RUNNING":
            self._exited(c, SIGKILL_EXIT, "")

    def remove_container(self, container_id: str) -> None:
        c = self.containers.get(container_id)
        if c is None:
            return
        if c.state == "CONTAINER_RUNNING":
            self._exited(c, SIGKILL_EXIT, "")
        del self.containers[container_id]

    def container_status(self, container_id: str) -> Container | None:
        return self.containers.get(container_id)

    def list_containers(self, *, sandbox_id: str | None = None, labels: dict | None = None,
                        state: str | None = None) -> list[Container]:
        out = []
        for c in self.containers.values():
            if sandbox_id is not None and c.sandbox_id != sandbox_id:
                continue
            if state is not None and c.state != state:
                continue
            if labels and any(c.labels.get(k) != v for k, v in labels.items()):
                continue
            out.append(c)
        return sorted(out, key=lambda c: (c.created_at, c.id))

    def _exited(self, c: Container, code: int, reason: str) -> None:
        if c.state == "CONTAINER_EXITED":
            return
        was_running = c.state == "CONTAINER_RUNNING"
        c.state = "CONTAINER_EXITED"
        c.finished_at = self.loop.now
        c.exit_code = code
        c.reason = reason
        for t in c.timers:
            t.cancel()
        c.timers.clear()
        if c.stop_timer is not None:
            c.stop_timer.cancel()
        if was_running:
            self._notify("exited", c)

    def _memory_changed(self, c: Container, used: int) -> None:
        if c.program is not None:
            c.program.memory = used
        limit = c.config.memory_limit
        if limit and used > limit and c.state == "CONTAINER_RUNNING":
            # the cgroup's OOM killer: SIGKILL, exit code 137, reason OOMKilled
            self._trace("OOMKill", c.name, f"{used} > {limit} bytes")
            self._exited(c, SIGKILL_EXIT, "OOMKilled")

    # -- exec, logs and stats --------------------------------------------------------------------
    def exec_sync(self, container_id: str, argv: list[str], timeout: float = 0) -> tuple[int, str]:
        c = self.containers.get(container_id)
        if c is None or c.state != "CONTAINER_RUNNING":
            raise RuntimeError(f"container {container_id} is not running")
        return c.program.exec(list(argv))

    def read_logs(self, container_id: str) -> list[tuple[float, str, str]]:
        c = self.containers.get(container_id)
        return list(c.logs) if c else []

    def container_stats(self, container_id: str) -> tuple[float, int]:
        """(CPU millicores, memory working set bytes) of a running container."""
        c = self.containers.get(container_id)
        if c is None or c.state != "CONTAINER_RUNNING" or c.program is None:
            return 0.0, 0
        cpu, mem = c.program.usage(self.loop.now)
        limit = c.config.cpu_limit_millicores
        if limit:
            cpu = min(cpu, limit)
        return cpu, mem

    # -- the pod network namespace: who listens where ---------------------------------------------
    def _listener(self, sandbox: Sandbox, port: int, protocol: str = "TCP") -> Container | None:
        for c in self.list_containers(sandbox_id=sandbox.id, state="CONTAINER_RUNNING"):
            if c.program is not None and c.program.listening(port, protocol):
                return c
        return None

    def tcp_open(self, sandbox_id: str, port: int, protocol: str = "TCP") -> bool:
        sb = self.sandboxes.get(sandbox_id)
        return sb is not None and sb.state == "SANDBOX_READY" and self._listener(sb, port, protocol) is not None

    def http_request(self, sandbox_id: str, port: int, method: str = "GET", path: str = "/",
                     client_ip: str = "", user_agent: str = "kube-probe/1.37") -> HTTPResponse | None:
        """An HTTP request into a pod; None when nothing listens (connection refused)."""
        sb = self.sandboxes.get(sandbox_id)
        if sb is None or sb.state != "SANDBOX_READY":
            return None
        c = self._listener(sb, port)
        if c is None:
            return None
        resp = c.program.http(HTTPRequest(method, path, port, client_ip, user_agent))
        if resp is None:  # a TCP server that does not speak HTTP
            return HTTPResponse(0, "", delay=0)
        return resp

    def handle(self, pod_ip: str, port: int, request) -> HTTPResponse | None:
        """Traffic from the cluster network to ``pod_ip:port`` (``request`` has method, path,
        source_ip and headers); None when nothing listens there (connection refused).
        The answer has ``status``, ``body`` and ``headers``; status 0 means the program is
        not an HTTP server (curl: empty reply)."""
        sb = self.sandbox_by_ip(pod_ip)
        if sb is None:
            for cand in self.sandboxes.values():  # host-network pods answer on the node's address
                if cand.host_network and cand.ip == pod_ip and cand.state == "SANDBOX_READY" and \
                        self._listener(cand, port) is not None:
                    sb = cand
                    break
        if sb is None:
            return None
        headers = getattr(request, "headers", None) or {}
        agent = headers.get("User-Agent") or headers.get("user-agent") or "curl/8.14.1"
        return self.http_request(sb.id, port, getattr(request, "method", "GET"), getattr(request, "path", "/") or "/",
                                 getattr(request, "source_ip", ""), agent)

    def grpc_health(self, sandbox_id: str, port: int, service: str = "") -> str | None:
        sb = self.sandboxes.get(sandbox_id)
        if sb is None:
            return None
        c = self._listener(sb, port)
        return None if c is None else c.program.grpc_health(port, service)

    def fetch(self, from_ip: str, url: str, timeout: float = 10.0) -> tuple[int, str, str]:
        """An HTTP GET from a container: through the cluster network hook when there is one,
        else only to pods on this node."""
        if self.network_hook is not None:
            return self.network_hook(from_ip, url, timeout)
        rest = url.split("://", 1)[-1]
        hostport, _, path = rest.partition("/")
        host, _, port = hostport.partition(":")
        port_n = int(port) if port.isdigit() else 80
        try:
            ipaddress.ip_address(host)
        except ValueError:
            return 0, "", f"bad address '{host}'"
        sb = self.sandbox_by_ip(host)
        if sb is None:
            return 0, "", f"can't connect to remote host ({host}): No route to host"
        resp = self.http_request(sb.id, port_n, "GET", "/" + path, from_ip, "Wget")
        if resp is None:
            return 0, "", f"can't connect to remote host ({host}): Connection refused"
        return resp.status, resp.body, ""

    # -- containers Kubernetes did not create -----------------------------------------------------
    def run_unmanaged(self, name: str, image: str, command: list[str] | None = None) -> str:
        """Run a container outside Kubernetes (``nerdctl run -d --name <name> <image>``)."""
        img = self.image_status(image)
        if img is None:
            img = _images.lookup(image)
            self.images[img.name] = img
        sid = self._new_id()
        self.sandboxes[sid] = Sandbox(sid, name, "", "", self.node_ip, self.node_name, True,
                                      {"nerdctl/name": name}, created_at=self.loop.now)
        cid = self.create_container(sid, ContainerConfig(name=name, image=img, command=list(command or []),
                                                         labels={"nerdctl/name": name}))
        self.start_container(cid)
        return cid


def _seed_files(c: Container, sb: Sandbox | None, runtime: ContainerRuntime, program) -> None:
    """The image's files, then the ones bind-mounted over them: /etc/hostname, /etc/hosts
    (the kubelet's, when the sandbox has one) and the sandbox's /etc/resolv.conf.  A volume
    the container mounts at one of these paths wins, as with the kubelet's mounts."""
    hostname = sb.hostname if sb else runtime.node_name
    ip = sb.ip if sb else runtime.node_ip
    files = {"etc/hostname": hostname + "\n",
             "etc/hosts": (sb.hosts if sb and sb.hosts else
                           f"# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost "
                           f"ip6-loopback\n{ip}\t{hostname}\n")}
    if sb and sb.resolv_conf:
        files["etc/resolv.conf"] = sb.resolv_conf
    for d in ("tmp", "var/log", "root", "bin", "usr/bin", "dev", "proc"):
        c.rootfs.mkdir(d)
    c.rootfs.write("dev/null", "")
    for path, content in {**program.image_files(), **files}.items():
        if c.fs.mounted_at(path) is None:
            c.rootfs.write(path, content)
