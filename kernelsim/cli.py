"""``kernelsim serve``: a simulated cluster for a terminal.

Starts a cluster with its API server on 127.0.0.1, writes a kubeconfig,
and prints the ``export KUBECONFIG=...`` line; the real ``kubectl`` and
``kubens`` then work from any shell until the server is stopped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sys
import threading
from pathlib import Path


def default_kubeconfig_path() -> Path:
    return Path(os.environ.get("KERNELSIM_HOME") or Path.home() / ".kernelsim") / "kubeconfig"


def serve(args) -> int:
    from .cluster import Cluster

    cluster = Cluster(masters=args.masters, workers=args.workers, seed=args.seed, realtime=True,
                      speed=args.speed)
    path = Path(args.kubeconfig).expanduser() if args.kubeconfig else default_kubeconfig_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(cluster.kubeconfig, path)
    os.chmod(path, 0o600)
    print(f"kernelsim: a simulated Kubernetes v1.37 cluster is serving at {cluster.server}", flush=True)
    print(f"export KUBECONFIG={path}", flush=True)
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.wait(0.5):
            pass
    finally:
        cluster.close()
    print("kernelsim: stopped", flush=True)
    return 0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="kernelsim", description="A simulated Kubernetes cluster for learning.")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("serve", help="start a cluster and serve its API for kubectl")
    s.add_argument("--masters", type=int, default=1)
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--seed", type=int, default=0)
    s.add_argument("--speed", type=float, default=1.0, help="simulated seconds per wall-clock second")
    s.add_argument("--kubeconfig", help="where to write the kubeconfig (default ~/.kernelsim/kubeconfig)")
    args = p.parse_args(argv)
    if args.command == "serve":
        return serve(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
