"""The machines of a served cluster: a node's ``systemctl stop kubelet``, from another process.

On kind a node is a Docker container (``docker exec kind-worker2 systemctl stop
kubelet``); on minikube it is a VM or container (``minikube ssh -n <node> --
sudo systemctl stop kubelet``).  A cluster served by ``kernelsim serve`` lives
inside that process, so its machines are reached over a Unix socket that
``serve`` opens next to the kubeconfig it writes (``<kubeconfig>.machines.sock``,
mode 0600, like Docker's socket).  :class:`kernelsim.remote.RemoteCluster` uses
it for ``stop_kubelet()`` and ``start_kubelet()``: nothing else goes through it,
and Kubernetes objects still go through the API server only.

One request per connection: a JSON line ``{"op": "stop_kubelet", "node":
"worker-2"}``; the answer is ``{"ok": true}`` or ``{"error": "..."}``.  ``hello``
answers with the API server's URL, so a client can tell a stale socket from
the cluster its kubeconfig names.
"""

from __future__ import annotations

import json
import os
import socket
import socketserver
import threading
from pathlib import Path

OPERATIONS = ("stop_kubelet", "start_kubelet")
MAX_PATH = 100  # a Unix socket's path must fit in sockaddr_un (108 bytes on Linux)


def socket_path(kubeconfig: str | os.PathLike) -> Path:
    """Where ``kernelsim serve`` opens the machines socket for ``kubeconfig``."""
    p = Path(kubeconfig).expanduser()
    return p.with_name(p.name + ".machines.sock")


class MachinesServer:
    """Serves ``cluster``'s kubelet switches on a Unix socket, in a background thread."""

    def __init__(self, cluster, path: str | os.PathLike):
        self.path = Path(path)
        if len(str(self.path)) > MAX_PATH:
            raise ValueError(f"the path {self.path} is too long for a Unix socket")
        cluster_ref = cluster

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                try:
                    request = json.loads(self.rfile.readline(65536) or b"{}")
                    answer = _answer(cluster_ref, request)
                except Exception as e:  # bad input gets a clear error; the cluster goes on
                    answer = {"error": f"{type(e).__name__}: {e}"}
                self.wfile.write(json.dumps(answer).encode() + b"\n")

        if self.path.is_socket():
            self.path.unlink()  # left by a serve that was killed
        self._server = socketserver.ThreadingUnixStreamServer(str(self.path), Handler)
        self._server.daemon_threads = True
        os.chmod(self.path, 0o600)
        self._thread = threading.Thread(target=self._server.serve_forever, name="kernelsim-machines", daemon=True)
        self._thread.start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        try:
            self.path.unlink()
        except OSError:
            pass


def _answer(cluster, request: dict) -> dict:
    op = request.get("op") if isinstance(request, dict) else None
    if op == "hello":
        return {"ok": True, "server": cluster.server}
    if op not in OPERATIONS:
        return {"error": f"unknown operation {op!r} (known: hello, {', '.join(OPERATIONS)})"}
    node = request.get("node")
    if not isinstance(node, str) or node not in cluster.machines:
        return {"error": f"no machine named {node!r}; machines: {', '.join(cluster.machines)}"}
    getattr(cluster, op)(node)
    return {"ok": True}


def call(path: str | os.PathLike, op: str, node: str | None = None, timeout: float = 10.0) -> dict:
    """Send one request to a machines socket; the decoded answer (OSError if nobody listens)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(str(path))
        s.sendall(json.dumps({"op": op, "node": node}).encode() + b"\n")
        data = b""
        while not data.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
    return json.loads(data or b"{}")
