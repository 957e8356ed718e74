"""Refresh time of the dashboard after one event, on a cluster of 50 nodes and 1,000 pods.

The cluster's objects are written straight through the API (no kubelets, no
scheduler), then the dashboard's backend starts its informers and the widget
draws once.  Each round changes one pod (its status, as a kubelet would), lets
the watch event through and redraws: the backend rebuilds one row, the widget
redraws only the parts that changed.  Prints medians in milliseconds, and the
cost of the first full draw for comparison.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402
from kernelsim.addons.dashboard import Dashboard  # noqa: E402
from kernelsim.widgets.dashboard import DashboardWidget  # noqa: E402

NODES, PODS, ROUNDS = 50, 1000, 30


def _ready_pod(api, name, namespace, node, labels, ready=True):
    pod = api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": namespace,
                                                                      "labels": labels},
                      "spec": {"nodeName": node, "containers": [{"name": "app", "image": "nginx:1.27"}]}})
    pod["status"] = {"phase": "Running", "podIP": "10.244.0.9",
                     "conditions": [{"type": "Ready", "status": "True" if ready else "False"}],
                     "containerStatuses": [{"name": "app", "image": "nginx:1.27", "imageID": "", "restartCount": 0,
                                            "ready": ready, "started": True,
                                            "state": {"running": {"startedAt": "2026-01-01T00:00:00Z"}}}]}
    return api.update_status(pod)


def build():
    c = kernelsim.Cluster(controllers=(), scheduler=False, nodes=False, addons=False, realtime=False)
    api = c.api
    for i in range(NODES):
        node = api.create({"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"worker-{i + 1}"}})
        node["status"] = {"conditions": [{"type": "Ready", "status": "True"}]}
        api.update_status(node)
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kubernetes-dashboard"}})
    _ready_pod(api, "kubernetes-dashboard-0", "kubernetes-dashboard", "worker-1", {"k8s-app": "kubernetes-dashboard"})
    for i in range(PODS):
        _ready_pod(api, f"web-{i:04d}", "default", f"worker-{i % NODES + 1}", {"app": "web"})
    c.settle()
    return c


def main():
    t = time.perf_counter()
    c = build()
    print(f"cluster of {NODES} nodes and {PODS + 1} pods written in {time.perf_counter() - t:.1f} s")
    t = time.perf_counter()
    backend = Dashboard(c.api, c.apiserver.pod_log).start()
    widget = DashboardWidget(c, backend, live=False)
    print(f"first full draw (informers list, every row, every part): {1000 * (time.perf_counter() - t):.0f} ms")
    event_ms, draw_ms = [], []
    changes = backend.changes
    for r in range(ROUNDS):
        pod = c.api.get("pods", f"web-{r * 7 % PODS:04d}")
        ready = not pod["status"]["containerStatuses"][0]["ready"]  # the kubelet saw a probe fail (or pass)
        pod["status"]["containerStatuses"][0]["ready"] = ready
        pod["status"]["conditions"][0]["status"] = "True" if ready else "False"
        c.api.update_status(pod)
        t = time.perf_counter()
        c.loop.run_until(c.loop.now)  # the watch event reaches the informer: one row is rebuilt
        t2 = time.perf_counter()
        widget.refresh()
        t3 = time.perf_counter()
        event_ms.append(1000 * (t2 - t))
        draw_ms.append(1000 * (t3 - t2))
    total = [a + b for a, b in zip(event_ms, draw_ms)]
    print(f"{backend.changes - changes} watch events handled in {ROUNDS} rounds; the pod list shows "
          f"{widget.sections['pods'].value.count('<tr>') - 1} of {len(backend.rows['pods'])} rows (paginated)")
    print(f"after one pod event: backend {statistics.median(event_ms):.2f} ms, widget redraw "
          f"{statistics.median(draw_ms):.1f} ms, total {statistics.median(total):.1f} ms (median of {ROUNDS})")
    c.close()


if __name__ == "__main__":
    main()
