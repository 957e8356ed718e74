"""Redraw time of the live architecture diagram: snapshot, DOT generation and SVG rendering.

Two clusters: the default one (1 master + 2 workers, a Deployment of 3 pods)
and a large one (50 workers, 500 pods).  Each renderer this machine has
(Graphviz's ``dot``, the pip-installed ``graphviz-pure``) is timed on the
same DOT text.  Prints medians in milliseconds; the goal is a redraw (DOT +
render) under 100 ms for the default cluster.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402
from kernelsim.widgets import dot, render  # noqa: E402
from kernelsim.widgets.snapshot import take_snapshot  # noqa: E402

STATUSES = ("Running", "Running", "Running", "Running", "Running", "Running", "Pending", "ContainerCreating",
            "CrashLoopBackOff", "Succeeded")


def _node(api, name, control_plane=False):
    labels = {"node-role.kubernetes.io/control-plane": ""} if control_plane else {}
    if not api.exists("nodes", name, None):
        api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": name, "labels": labels}})
    node = api.get("nodes", name, None)
    node["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
    api.update_status(node)


def _pod(api, name, node, status):
    pod = api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"},
                      "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.27"}]}})
    if status == "Pending":
        return
    cs = {"name": "app", "image": "nginx:1.27", "imageID": "", "restartCount": 0, "ready": status == "Running"}
    if status == "Running":
        cs["state"] = {"running": {"startedAt": "2026-11-26T09:00:01Z"}}
    elif status == "Succeeded":
        cs["state"] = {"terminated": {"exitCode": 0, "reason": "Completed"}}
    else:
        cs["state"] = {"waiting": {"reason": status}}
    pod["status"] = {"phase": "Succeeded" if status == "Succeeded" else "Running", "containerStatuses": [cs]}
    api.update_status(pod)


def build(workers: int, pods: int):
    c = kernelsim.Cluster(masters=1, workers=workers, seed=0, epoch="2026-11-26T09:00:00Z")
    _node(c._internal, "master-1", control_plane=True)
    for i in range(1, workers + 1):
        _node(c._internal, f"worker-{i}")
    for i in range(pods):
        _pod(c._internal, f"web-{i}", f"worker-{i % workers + 1}", STATUSES[i % len(STATUSES)])
    return c


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def measure(label: str, workers: int, pods: int, repeats: int) -> None:
    c = build(workers, pods)
    try:
        snap = take_snapshot(c)
        source = dot.architecture_dot(snap)
        t_snap = median_ms(lambda: take_snapshot(c), repeats)
        t_dot = median_ms(lambda: dot.architecture_dot(snap), repeats)
        print(f"{label}: {len(snap['machines'])} machines, {len(snap['pods'])} pods, DOT {len(source):,} chars")
        print(f"  snapshot (API lists)      {t_snap:8.1f} ms")
        print(f"  DOT generation            {t_dot:8.1f} ms")
        for name in render.available_renderers():
            t_render = median_ms(lambda: render.render_svg(source, name), repeats)
            print(f"  render with {name:<14}{t_render:8.1f} ms   redraw (DOT + render) {t_dot + t_render:8.1f} ms")
    finally:
        c.close()


def main():
    print(f"renderer used by the widget: {render.renderer_name()} (available: {render.available_renderers()})")
    measure("default cluster", workers=2, pods=3, repeats=15)
    measure("large cluster", workers=50, pods=500, repeats=3)


if __name__ == "__main__":
    main()
