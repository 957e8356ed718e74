"""Helpers for the api tests: a tiny HTTP server that serves fixed documents,
so the real kubectl can be pointed at what kernelsim.api builds."""

from __future__ import annotations

import json
import os
import subprocess
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

KUBECTL = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "kubectl"

KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster:
    server: http://127.0.0.1:{port}
    insecure-skip-tls-verify: true
users:
- name: sim
  user: {{}}
contexts:
- name: sim
  context: {{cluster: sim, user: sim, namespace: default}}
current-context: sim
"""


@contextmanager
def document_server(routes):
    """Serve ``routes(path) -> (content_type, bytes) | None`` on 127.0.0.1."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            answer = routes(self.path.split("?", 1)[0])
            if answer is None:
                body = json.dumps({"kind": "Status", "apiVersion": "v1", "status": "Failure",
                                   "message": "the server could not find the requested resource",
                                   "reason": "NotFound", "code": 404}).encode()
                self.send_response(404)
                self.send_header("Content-Type", "application/json")
            else:
                content_type, body = answer
                self.send_response(200)
                self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()


def run_kubectl(port: int, home: Path, *args: str) -> subprocess.CompletedProcess:
    """Run the real kubectl against the document server, with its own HOME."""
    home.mkdir(parents=True, exist_ok=True)
    config = home / "kubeconfig"
    config.write_text(KUBECONFIG.format(port=port))
    env = {"HOME": str(home), "KUBECONFIG": str(config), "PATH": os.environ.get("PATH", "")}
    return subprocess.run([str(KUBECTL), *args], capture_output=True, text=True, env=env, timeout=60)
