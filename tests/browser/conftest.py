"""A real browser on the learner's JupyterLab: Debian's Chromium driven by Playwright.

The fixtures start JupyterLab the way ``make lab`` does (binder/configure-lab
applied to this environment, the course folder as root, 127.0.0.1), on a
random free port with a token and a HOME of its own, in real time
(``KERNELSIM_REALTIME`` unset, as for a learner).  Chromium comes from
Debian's package, installed here when missing; Playwright never downloads a
browser of its own.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def ensure_chromium() -> Path:
    """Debian's chromium package, installed with apt-get when missing (as root)."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium package "
                    "(apt-get install chromium) as root, then run the browser tests again")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    for argv in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
        p = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=900)
        if p.returncode != 0:
            pytest.fail(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stdout[-2000:]}\n{p.stderr[-2000:]}")
    assert CHROMIUM.exists(), "apt-get installed chromium, but /usr/bin/chromium is not there"
    return CHROMIUM


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Lab:
    """A running JupyterLab server."""

    def __init__(self, port: int, token: str, home: Path, proc: subprocess.Popen, log: Path):
        self.port, self.token, self.home, self.proc, self.log = port, token, home, proc, log

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}/{path.lstrip('/')}"

    def api(self, path: str, method: str = "GET") -> bytes:
        req = urllib.request.Request(self.url(path), method=method, headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.read()

    def log_tail(self) -> str:
        return self.log.read_text(errors="replace")[-5000:]


def start_lab(home: Path, log: Path) -> Lab:
    prefix = Path(sys.prefix)
    subprocess.run([str(REPO / "binder" / "configure-lab"), str(prefix)], check=True, capture_output=True,
                   timeout=300)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KUBE", "KERNELSIM", "JUPYTER"))}
    env.update(HOME=str(home), KUBECONFIG=str(home / ".kernelsim" / "kubeconfig"))
    port, token = free_port(), secrets.token_hex(16)
    argv = [str(prefix / "bin" / "jupyter"), "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
            f"--ServerApp.root_dir={REPO / 'course'}"]
    if os.geteuid() == 0:  # CI runs as root, as `make lab` may
        argv.append("--ServerApp.allow_root=True")
    out = open(log, "wb")
    proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO / "course",
                            start_new_session=True)
    lab = Lab(port, token, home, proc, log)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"jupyter lab exited with {proc.returncode}:\n{lab.log_tail()}")
        try:
            lab.api("api/status")
            return lab
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"jupyter lab did not answer within 120 s:\n{lab.log_tail()}")


def stop_lab(lab: Lab) -> None:
    try:
        os.killpg(lab.proc.pid, signal.SIGTERM)
        lab.proc.wait(timeout=30)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        os.killpg(lab.proc.pid, signal.SIGKILL)
    pid_file = lab.home / ".kernelsim" / "serve.pid"  # a cluster a terminal may have started
    if pid_file.exists():
        try:
            os.kill(int(pid_file.read_text()), signal.SIGTERM)
        except ProcessLookupError:
            pass


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    root = tmp_path_factory.mktemp("lab")
    (root / "home").mkdir()
    lab = start_lab(root / "home", root / "jupyter-lab.log")
    yield lab
    stop_lab(lab)


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    chromium = ensure_chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")), executable_path=str(chromium), headless=True,
            args=CHROMIUM_FLAGS, viewport={"width": 1400, "height": 1000})
        yield context
        context.close()


@pytest.fixture
def page(browser_context):
    page = browser_context.new_page()
    yield page
    page.close()
