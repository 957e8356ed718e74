"""The learner's first five minutes, in a real browser: the course index opens,
the getting-started notebook runs in JupyterLab with a real kernel, kubectl's
output and the live architecture diagram show, and a scale-up redraws it.

Screenshots go to artifacts/ (``scripts/screenshots`` regenerates them).
Every wait is on a real condition (the kernel's status, a cell's execution
count, the diagram's content), never on a fixed sleep, and nothing is retried.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import urllib.parse

import nbformat
import pytest

from .conftest import ARTIFACTS, REPO

INSTRUCTOR_PLUGINS = ("@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                      "@jupyter/nbgrader:course-list")
GETTING_STARTED = "en/01_getting_started.ipynb"
KERNEL_START = 120_000   # ms: a kernel on a busy 2-core machine
RUN_TIMEOUT = 300_000    # ms: all the cells of a notebook, in real time
POD_NODE = re.compile(r'class="node pod\b')


@contextlib.contextmanager
def screenshot_on_failure(page, name: str):
    try:
        yield
    except BaseException:
        with contextlib.suppress(Exception):
            page.screenshot(path=str(ARTIFACTS / f"failure-{name}.png"), full_page=True)
        raise


def open_notebook(page, lab, path: str, workspace: str):
    """Open ``path`` in a workspace of its own and wait until its kernel is idle."""
    from playwright.sync_api import expect

    page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{path}?token={lab.token}"))
    panel = page.locator(".jp-NotebookPanel:not(.lm-mod-hidden)")
    expect(panel).to_have_count(1, timeout=KERNEL_START)
    expect(panel.locator(".jp-Toolbar-kernelName")).to_contain_text("Python 3", timeout=KERNEL_START)
    expect(panel.locator(".jp-Notebook-ExecutionIndicator")).to_have_attribute("data-status", "idle",
                                                                              timeout=KERNEL_START)
    return panel


def run_menu(page, item: str) -> None:
    """The main menu's Run > ``item``, clicked as a learner would."""
    page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
    page.locator(".lm-Menu-itemLabel", has_text=re.compile(f"^{re.escape(item)}$")).click()


def select_cell(cell) -> None:
    cell.scroll_into_view_if_needed()
    cell.locator(".jp-InputPrompt").click()


def wait_executed(cell, timeout: int = RUN_TIMEOUT) -> None:
    from playwright.sync_api import expect

    cell.scroll_into_view_if_needed()
    expect(cell.locator(".jp-InputArea .jp-InputPrompt")).to_have_text(re.compile(r"^\[\d+\]:$"), timeout=timeout)


def svg_of(img_src: str) -> str:
    """The SVG text of an ``<img src="data:image/svg+xml...">`` (JupyterLab's SVG renderer)."""
    header, _, data = img_src.partition(",")
    return base64.b64decode(data).decode() if header.endswith(";base64") else urllib.parse.unquote(data)


def find_cells(nb) -> dict[str, int]:
    """Indices of the cells this test needs in the getting-started notebook."""
    def first(pred, start=0, what=""):
        for i, c in enumerate(nb.cells[start:], start):
            if c.cell_type == "code" and pred(c.source):
                return i
        pytest.fail(f"course/{GETTING_STARTED} has no code cell {what}")

    pods = first(lambda s: re.search(r"^%kubectl get pods (-A|--all-namespaces)\s*$", s, re.M), what="%kubectl get pods -A")
    diagram = first(lambda s: ".diagram(" in s, what="showing cluster.diagram()")
    scale = first(lambda s: re.search(r"\bscale\b|replicas", s), diagram + 1,
                  "after the diagram that scales up a workload (kubectl scale ... --replicas=N)")
    # Cells whose input shows its execution count (a quiz cell hides its input).
    shown = [i for i, c in enumerate(nb.cells)
             if c.cell_type == "code" and not c.metadata.get("jupyter", {}).get("source_hidden")]
    last = shown[-1]
    before_scale = max(i for i in shown if i < scale)
    return {"pods": pods, "diagram": diagram, "scale": scale, "before_scale": before_scale, "last": last}


def test_course_index_opens_with_the_students_settings(lab, page):
    from playwright.sync_api import expect

    with screenshot_on_failure(page, "course-index"):
        panel = open_notebook(page, lab, "en/00_index.ipynb", "index")
        expect(panel.locator(".jp-RenderedMarkdown h1").first).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "course-index.png"))
        # binder/configure-lab: no instructor plugins, no news or update pop-ups.
        config = json.loads(page.locator("#jupyter-config-data").text_content())
        assert set(INSTRUCTOR_PLUGINS) <= set(config["disabledExtensions"])
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Nbgrader$")).click()
        # The menu lists formgrader and course-list commands too; with their plugins off, they are hidden.
        expect(page.locator(".lm-Menu-content .lm-Menu-item:visible")).to_have_text(["Assignment List"])
        page.keyboard.press("Escape")
        notification = json.loads(lab.api("lab/api/settings/@jupyterlab/apputils-extension:notification"))
        defaults = notification["schema"]["properties"]  # overrides.json becomes the schema's defaults
        assert defaults["fetchNews"]["default"] == "false" and defaults["checkForUpdates"]["default"] is False
        expect(page.locator(".Toastify__toast")).to_have_count(0)


def test_getting_started_shows_kubectl_and_a_live_diagram_that_follows_a_scale_up(lab, page):
    from playwright.sync_api import expect

    nb = nbformat.read(REPO / "course" / GETTING_STARTED, as_version=4)
    at = find_cells(nb)
    with screenshot_on_failure(page, "getting-started"):
        panel = open_notebook(page, lab, GETTING_STARTED, "getting-started")
        cells = panel.locator(".jp-Notebook .jp-Cell")
        expect(cells).to_have_count(len(nb.cells))

        # Everything up to the scale-up runs first.
        select_cell(cells.nth(at["scale"]))
        run_menu(page, "Run All Above Selected Cell")
        wait_executed(cells.nth(at["before_scale"]))

        pods = cells.nth(at["pods"]).locator(".jp-OutputArea-output")
        pods.first.scroll_into_view_if_needed()
        expect(pods.first).to_be_visible()
        expect(pods.first).to_contain_text("NAMESPACE")
        expect(pods.first).to_contain_text("kube-system")

        diagram_cell = cells.nth(at["diagram"])
        img = diagram_cell.locator(".jp-OutputArea-output img[src^='data:image/svg+xml']").first
        # The widget swaps its <img> whenever the cluster changes, so scroll to the cell, which stays put.
        diagram_cell.scroll_into_view_if_needed()
        expect(img).to_be_visible()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), "the diagram's SVG did not load"
        before = len(POD_NODE.findall(svg_of(img.get_attribute("src"))))

        # The scale-up, then the diagram redraws itself with more pods.
        select_cell(cells.nth(at["scale"]))
        run_menu(page, "Run Selected Cell and All Below")
        wait_executed(cells.nth(at["last"]))
        diagram_cell.scroll_into_view_if_needed()
        # More pods than before, and at least the replicas asked for when the cell says how many.
        replicas = re.search(r"--replicas[= ](\d+)", nb.cells[at["scale"]].source)
        want = max(before + 1, int(replicas.group(1)) if replicas else 0)
        page.wait_for_function(
            """([img, want]) => {
                 const [head, data] = img.getAttribute('src').split(',');
                 const svg = head.endsWith(';base64') ? atob(data) : decodeURIComponent(data);
                 return (svg.match(/class="node pod\\b/g) || []).length >= want;
               }""", arg=[img.element_handle(), want], timeout=120_000)
        expect(img).to_be_visible()
        svg = svg_of(img.get_attribute("src"))
        assert len(POD_NODE.findall(svg)) >= want > before
        (ARTIFACTS / "live-diagram.svg").write_text(svg, encoding="utf-8")
        # A viewport tall enough for the whole widget, so the screenshot shows all of it.
        page.set_viewport_size({"width": 1600, "height": 1600})
        widget = diagram_cell.locator(".jp-OutputArea-output").first
        widget.scroll_into_view_if_needed()
        widget.screenshot(path=str(ARTIFACTS / "live-diagram.png"))


def test_a_jupyterlab_terminal_has_kubectl_on_a_serving_cluster(lab):
    """A terminal of this JupyterLab server, over terminado's websocket as the page uses it."""
    import websocket  # websocket-client, a dependency of jupyter_server

    name = json.loads(lab.api("api/terminals", method="POST"))["name"]
    ws = websocket.create_connection(f"ws://127.0.0.1:{lab.port}/terminals/websocket/{name}",
                                     header=[f"Authorization: token {lab.token}"], timeout=180)
    ws.send(json.dumps(["stdin", "kubectl get nodes -o name; echo END-OF-$((6*7))\r"]))
    out = ""
    while "END-OF-42\r\n" not in out:
        kind, *data = json.loads(ws.recv())  # raises after 180 s of silence
        if kind == "stdout":
            out += data[0]
    ws.close()
    lab.api(f"api/terminals/{name}", method="DELETE")
    out = out.replace("\r\n", "\n")
    assert "node/master-1\nnode/worker-1\nnode/worker-2\n" in out, out
    # Whoever serves (the notebook's kernel, or a cluster the terminal started), the terminal said so,
    # and it is the server of the shared kubeconfig.
    kubeconfig = (lab.home / ".kernelsim" / "kubeconfig").read_text()
    server = re.search(r"server: (https://127\.0\.0\.1:\d+)", kubeconfig).group(1)
    assert re.search(rf"kernelsim: (kubectl talks to the simulated cluster|a simulated cluster is serving) "
                     rf"at {re.escape(server)}\b", out), out
