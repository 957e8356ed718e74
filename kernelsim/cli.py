"""``kernelsim serve`` and ``kernelsim ensure-server``: a simulated cluster for a terminal.

``serve`` starts a cluster with its API server on 127.0.0.1, writes a
kubeconfig and prints the ``export KUBECONFIG=...`` line; the real
``kubectl`` and ``kubens`` then work from any shell until it is stopped.

``ensure-server`` is what a JupyterLab terminal runs when it starts (see
docs/terminal.md): if the kubeconfig at ``~/.kernelsim/kubeconfig`` (shared by
the newest notebook cluster, or by an earlier terminal) answers ``/healthz``
the way kube-apiserver does, nothing happens; otherwise it starts ``kernelsim
serve`` in the background (its log in ``~/.kernelsim/serve.log``, its process
id in ``serve.pid``) and waits until that cluster is ready.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path


def kernelsim_home() -> Path:
    return Path(os.environ.get("KERNELSIM_HOME") or Path.home() / ".kernelsim")


def default_kubeconfig_path() -> Path:
    return kernelsim_home() / "kubeconfig"


# -- kernelsim serve ------------------------------------------------------------------

def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def serve(args) -> int:
    from .cluster import Cluster

    cluster = Cluster(masters=args.masters, workers=args.workers, seed=args.seed, realtime=True,
                      speed=args.speed)
    path = Path(args.kubeconfig).expanduser() if args.kubeconfig else default_kubeconfig_path()
    cluster.share(path)  # atomic write; withdrawn on exit unless kubens or a newer cluster changed it
    print(f"kernelsim: a simulated Kubernetes v1.37 cluster is serving at {cluster.server}", flush=True)
    print(f"export KUBECONFIG={path}", flush=True)
    from .machines import MachinesServer, socket_path

    try:  # its nodes' kubelets, for kernelsim.connect(): stop_kubelet() and start_kubelet()
        machines = MachinesServer(cluster, socket_path(path))
    except (OSError, ValueError) as e:
        machines = None
        print(f"kernelsim: no machines socket ({e}); stop_kubelet() will not work through connect()", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            if args.parent_pid and not _process_alive(args.parent_pid):
                print(f"kernelsim: process {args.parent_pid} has exited", flush=True)
                break
    finally:
        if machines is not None:
            machines.close()
        cluster.close()
    print("kernelsim: stopped", flush=True)
    return 0


# -- kernelsim ensure-server ----------------------------------------------------------

def kubeconfig_server(path: Path) -> tuple[str, bytes | None]:
    """The current context's server URL and CA certificate (PEM) in a kubeconfig."""
    import base64

    import yaml

    config = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    contexts = {c["name"]: c.get("context") or {} for c in config.get("contexts") or []}
    clusters = {c["name"]: c.get("cluster") or {} for c in config.get("clusters") or []}
    cluster = clusters.get(contexts.get(config.get("current-context"), {}).get("cluster"), {})
    ca = cluster.get("certificate-authority-data")
    return cluster.get("server", ""), base64.b64decode(ca) if ca else None


def server_is_up(path: Path, timeout: float = 2.0) -> bool:
    """Whether the kubeconfig's server answers ``GET /healthz`` with ``ok``,
    over TLS verified with the kubeconfig's own CA (so a stale kubeconfig whose
    port now belongs to another server does not count)."""
    import ssl
    import urllib.request

    try:
        server, ca_pem = kubeconfig_server(path)
        if not server.startswith("https://"):
            return False
        context = ssl.create_default_context(cadata=ca_pem.decode()) if ca_pem else ssl.create_default_context()
        with urllib.request.urlopen(server.rstrip("/") + "/healthz", timeout=timeout, context=context) as r:
            return r.status == 200 and r.read().strip() == b"ok"
    except Exception:  # missing or broken file, refused connection, wrong CA: not up
        return False


def start_background_server(path: Path, log: Path, parent_pid: int | None = None) -> subprocess.Popen:
    """``kernelsim serve`` detached from this terminal (its own session), logging to ``log``."""
    argv = [sys.executable, "-m", "kernelsim.cli", "serve", "--kubeconfig", str(path)]
    if parent_pid:
        argv += ["--parent-pid", str(parent_pid)]
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True, close_fds=True)


def _log_tail(log: Path, lines: int = 15) -> str:
    try:
        return "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def ensure_server(args) -> int:
    import fcntl

    path = Path(args.kubeconfig).expanduser() if args.kubeconfig else default_kubeconfig_path()
    log = path.parent / "serve.log"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Two terminals opened together must not start two clusters.
    with open(path.parent / "ensure.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if server_is_up(path):
            if not args.quiet:
                print(f"kernelsim: kubectl talks to the simulated cluster at {kubeconfig_server(path)[0]}",
                      flush=True)
            return 0
        print("kernelsim: no simulated cluster is serving; starting one (about 10 s) ...", flush=True)
        proc = start_background_server(path, log, args.parent_pid)
        (path.parent / "serve.pid").write_text(f"{proc.pid}\n", encoding="utf-8")
        deadline = time.monotonic() + args.timeout
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                print(f"kernelsim: the cluster did not start (exit code {proc.returncode}); {log}:\n"
                      f"{_log_tail(log)}", file=sys.stderr, flush=True)
                return 1
            if server_is_up(path, timeout=1.0):
                print(f"kernelsim: a simulated cluster is serving at {kubeconfig_server(path)[0]} "
                      f"(log: {log})", flush=True)
                return 0
            time.sleep(0.2)
    print(f"kernelsim: the cluster was not ready after {args.timeout:g} s; see {log}", file=sys.stderr, flush=True)
    return 1


# -- the command line -----------------------------------------------------------------

def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="kernelsim", description="A simulated Kubernetes cluster for learning.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="start a cluster and serve its API for kubectl")
    s.add_argument("--masters", type=int, default=1)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall-clock second")
    s.add_argument("--kubeconfig", help="where to write the kubeconfig (default ~/.kernelsim/kubeconfig)")
    s.add_argument("--parent-pid", type=int, help="stop when the process with this id exits")
    e = sub.add_parser("ensure-server", help="make sure the shared kubeconfig points at a serving cluster, "
                                             "starting one in the background if needed")
    e.add_argument("--kubeconfig", help="the shared kubeconfig (default ~/.kernelsim/kubeconfig)")
    e.add_argument("--timeout", type=float, default=120.0, help="seconds to wait for a new cluster")
    e.add_argument("--parent-pid", type=int, help="a new cluster stops when the process with this id exits")
    e.add_argument("--quiet", action="store_true", help="print nothing when a cluster is already serving")
    args = p.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    if args.command == "ensure-server":
        return ensure_server(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
