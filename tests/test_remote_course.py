"""The course and the exercises on a real cluster: ``kernelsim.start()`` with ``KERNELSIM_KUBECONFIG`` set.

The cluster is served by ``kernelsim serve`` in another process: to the notebooks' kernels
it is nothing but an HTTPS API server behind a kubeconfig, as kind or minikube would be,
and they reach it only through ``kernelsim.connect()``.  Its clock follows the wall clock
(50 times faster, so that the controllers exercise's six minutes take 7 s).  The
getting-started, namespaces and templates notebooks run unchanged, then the three
solution notebooks are autograded by nbgrader's own command line and get full marks.

Like a learner on one kind cluster, the test cleans up between two notebooks what the
previous one made (each notebook expects a fresh cluster; docs/real-cluster.md).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest

from tests.course.notebooks import ERROR, output_text, path
from tests.exercises import harness

SPEED = 50
NOTEBOOKS = ("01_getting_started", "07_namespaces", "08_templates")
SYSTEM_NAMESPACES = {"default", "kube-system", "kube-public", "kube-node-lease"}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """``kernelsim serve`` in a subprocess; yields the kubeconfig it wrote."""
    home = tmp_path_factory.mktemp("serve")
    kubeconfig = home / "kubeconfig"
    env = {k: v for k, v in os.environ.items() if not k.startswith("KERNELSIM_")}
    env["KERNELSIM_HOME"] = str(home)
    log = home / "serve.log"
    with open(log, "w", encoding="utf-8") as out:
        proc = subprocess.Popen([sys.executable, "-m", "kernelsim.cli", "serve", "--speed", str(SPEED),
                                 "--kubeconfig", str(kubeconfig)], stdout=out, stderr=subprocess.STDOUT,
                                env=env, stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while "export KUBECONFIG=" not in log.read_text(encoding="utf-8"):
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            assert time.monotonic() < deadline, "kernelsim serve did not start"
            time.sleep(0.2)
        yield kubeconfig
    finally:
        proc.terminate()
        proc.wait(30)


def _kubectl(kubeconfig, *args) -> subprocess.CompletedProcess:
    from kernelsim.kubectl.runner import kubectl_binary

    return subprocess.run([kubectl_binary(), f"--kubeconfig={kubeconfig}", *args], capture_output=True, text=True,
                          timeout=120)


def _clean(kubeconfig) -> None:
    """Remove what a notebook made: its namespaces, and its objects in ``default``."""
    names = _kubectl(kubeconfig, "get", "namespaces", "-o", "name").stdout.split()
    extra = [n for n in names if n.split("/", 1)[1] not in SYSTEM_NAMESPACES]
    if extra:
        assert _kubectl(kubeconfig, "delete", "--wait=false", *extra).returncode == 0
    r = _kubectl(kubeconfig, "delete", "-n", "default", "--ignore-not-found", "--wait=false",
                 "deployments,statefulsets,daemonsets,jobs,replicasets,pods,persistentvolumeclaims", "--all")
    assert r.returncode == 0, r.stderr
    r = _kubectl(kubeconfig, "delete", "-n", "default", "configmaps,services", "--wait=false",
                 "--field-selector=metadata.name!=kube-root-ca.crt,metadata.name!=kubernetes")
    assert r.returncode == 0, r.stderr
    for what in [*extra, "pods"]:
        args = ["wait", "--for=delete", "--timeout=60s"] + ([what] if what != "pods" else ["pods", "--all", "-n",
                                                                                           "default"])
        _kubectl(kubeconfig, *args)


def _environment(kubeconfig) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "KERNELSIM_"))}
    env.update(KERNELSIM_KUBECONFIG=str(kubeconfig), KERNELSIM_SHARE="0", PYTHONWARNINGS="ignore")
    return env


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_course_notebook_runs_unchanged_on_a_real_cluster(served, stem, monkeypatch):
    import nbformat
    from nbclient import NotebookClient

    _clean(served)
    for k in [k for k in os.environ if k.startswith("KERNELSIM_")]:
        monkeypatch.delenv(k)
    monkeypatch.setenv("KERNELSIM_KUBECONFIG", str(served))  # the kernel inherits it
    nb_path = path(stem, "en")
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(nb_path.parent)}})
    started = time.monotonic()
    client.execute()
    seconds = time.monotonic() - started
    assert seconds < 60, f"{stem} took {seconds:.0f} s"
    code = [c for c in nb.cells if c.cell_type == "code"]
    first = next(c for c in code if "kernelsim.start()" in c.source)
    for cell in code:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:80]!r} raised {errors[0].ename}: {errors[0].evalue}"
        text = output_text(cell)
        tags = cell.metadata.get("tags", [])
        if "expect-error" in tags:
            assert ERROR.search(text), f"this cell should show an error:\n{cell.source}\n---\n{text}"
        elif "quiz" not in tags:
            assert not ERROR.search(text), f"unexpected error in:\n{cell.source}\n---\n{text}"
    if stem == "01_getting_started":  # the cluster it worked on was the served one
        assert "<kernelsim.RemoteCluster context='kernelsim'" in output_text(first)


@pytest.fixture(scope="module", autouse=True)
def exercises(tmp_path_factory):
    """A course copy with the English solution notebooks, and ``nbgrader generate_assignment``
    running on it in the background while the course notebooks run (it needs no cluster)."""
    course = harness.make_course(tmp_path_factory.mktemp("exercises") / "course")
    for notebook in course.glob("solutions/*/*.ko.ipynb"):
        notebook.unlink()
    log = course / "generate.log"
    with open(log, "w", encoding="utf-8") as out:  # a file, not a pipe that could fill up and stall nbgrader
        proc = subprocess.Popen(harness.nbgrader(course, "generate_assignment", "*", "--force"), cwd=course,
                                env=harness.environment(), stdout=out, stderr=subprocess.STDOUT)
    yield course, proc, log
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_solutions_get_full_marks_on_a_real_cluster(served, exercises):
    course, generating, log = exercises
    assert generating.wait(300) == 0, f"generate_assignment: {log.read_text(encoding='utf-8')[-3000:]}"
    env = _environment(served)
    points, graded = {}, {}
    for assignment in harness.ASSIGNMENTS:
        _clean(served)
        notebook_id = f"{assignment}.en"
        harness.submit(course, assignment, "solutions", {notebook_id: harness.read_solution(assignment, "en")})
        argv = harness.nbgrader(course, "autograde", assignment, "--force")
        started = time.monotonic()
        p = subprocess.run(argv, cwd=course, env=env, capture_output=True, text=True, timeout=600)
        assert p.returncode == 0, p.stdout[-3000:] + p.stderr[-3000:]
        print(f"{assignment}: autograded in {time.monotonic() - started:.0f} s")
        points[assignment] = harness.test_points(harness.read_solution(assignment, "en"))
        graded[assignment] = harness.scores(course, assignment)["solutions"][notebook_id]
        # The learner's work is in the served cluster (not in a simulated one of the kernel's own).
        marker = {"namespaces": ["get", "namespace", "lab"], "templates": ["get", "configmap", "app-config"],
                  "controllers": ["get", "deployment", "web", "-o", "jsonpath={.spec.replicas}"]}[assignment]
        r = _kubectl(served, *marker)
        assert r.returncode == 0 and (assignment != "controllers" or r.stdout == "5"), r.stderr
    assert graded == points
    ready = _kubectl(served, "get", "node", "worker-2", "-o",
                     "jsonpath={.status.conditions[?(@.type=='Ready')].status}").stdout
    assert ready == "Unknown"  # the controllers exercise stopped worker-2's kubelet, through kernelsim serve
