"""Assembly of a simulated cluster (the role of ``cmd/``): no behaviour lives here.

``Cluster()`` wires the clock, etcd, kube-apiserver and its HTTP front end,
kube-controller-manager, the kubeconfig for the real kubectl, and the
real-time driver for notebooks.
"""

from __future__ import annotations

import atexit
import datetime as _dt
import os
import secrets
import tempfile
import threading
import weakref
from pathlib import Path

from .api import errors
from .apiserver.bootstrap import bootstrap_cluster, new_apiserver
from .apiserver.http import APIHTTPServer
from .client.client import Client
from .controllers.manager import ControllerManager
from .kubectl.runner import KubectlResult, run_kubectl, write_kubeconfig
from .sim import EventLoop, RealtimeDriver
from .sim.trace import Tracer

_current: "weakref.ref[Cluster] | None" = None


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


class Cluster:
    """A whole simulated Kubernetes cluster in this Python process.

    ``masters`` and ``workers`` size the cluster, ``seed`` fixes every random
    choice.  ``realtime`` lets simulated time follow the wall clock (the
    default inside a notebook kernel; tests and graders use ``settle()`` and
    ``advance()`` instead).  ``epoch`` is the wall-clock moment that simulated
    time 0 stands for (default: now, so that ages look right to kubectl).
    """

    def __init__(self, masters: int = 1, workers: int = 2, seed: int = 0, *, realtime: bool | None = None,
                 speed: float = 1.0, epoch: _dt.datetime | str | None = None):
        global _current
        if masters < 1:
            raise ValueError("a cluster needs at least one master")
        if workers < 0:
            raise ValueError("workers must be 0 or more")
        self.masters, self.workers, self.seed = masters, workers, seed
        self.loop = EventLoop(seed)
        self.lock = threading.RLock()
        self.tracer = Tracer(self.loop)
        if isinstance(epoch, str):
            epoch = _dt.datetime.fromisoformat(epoch.replace("Z", "+00:00"))
        if epoch is None:
            epoch = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0)
        self.apiserver = new_apiserver(self.loop, self.tracer, epoch)
        with self.lock:
            bootstrap_cluster(self.apiserver)
        self.apiserver.schedule_compaction(self.loop)
        self._internal = Client(self.apiserver, self.lock, self.loop, source="python")
        self.api = self._internal
        self.controller_manager = ControllerManager(self._internal.with_source("kube-controller-manager"), self.loop)
        with self.lock:
            self.controller_manager.start()
        self._token = secrets.token_hex(16)
        self._http = APIHTTPServer(self.apiserver, self.lock, self._token, idle_hook=self._waiting_request).start()
        self._tmp = tempfile.TemporaryDirectory(prefix="kernelsim-")
        self.home = Path(self._tmp.name) / "home"
        self.home.mkdir()
        self._kubeconfig = write_kubeconfig(self.home / ".kube" / "config", self._http.url, self._token,
                                            ca_pem=self._http.certs.ca_pem)
        self.clock = RealtimeDriver(self.loop, self.lock, speed)
        self.settle()
        if realtime if realtime is not None else _realtime_default():
            self.clock.start()
        _current = weakref.ref(self)
        self._shared_path: Path | None = None
        self._finalizer = weakref.finalize(self, Cluster._shutdown, self._http, self.clock, self._tmp)
        if os.environ.get("KERNELSIM_SHARE", "1" if _in_kernel() else "0") not in ("0", "false", "no", ""):
            self.share()

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

    def _waiting_request(self) -> None:
        """A request (a watch) is waiting for something to happen: without the
        real-time driver, move simulated time to the next piece of work."""
        if self.clock.running:
            return
        nxt = self.loop.next_work()
        if nxt is not None:
            self.loop.run_until(nxt)

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
        result = run_kubectl(args, self._kubeconfig, self.home, input=input, timeout=timeout)
        if not self.clock.running:
            # What kubectl started (a pod, a rollout) happens in the background of
            # a real cluster; here it happens at the next settle()/advance().
            pass
        return result

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
        self._finalizer()

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
