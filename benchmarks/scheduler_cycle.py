"""One scheduling cycle at 1,000 and 5,000 nodes, without the rest of the cluster (prints figures only).

The default plugins and weights, a snapshot of N empty workers, and pods like the scale benchmark's
(10m CPU, 16Mi); prints the CPU time per cycle (filtering until percentageOfNodesToScore are
feasible, then scoring them) as a median of repeated runs.

    python benchmarks/scheduler_cycle.py            # 1,000 and 5,000 nodes
    python benchmarks/scheduler_cycle.py 500 2000
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kernelsim.scheduler.framework import Framework, NodeInfo, Snapshot  # noqa: E402
from kernelsim.scheduler.plugins import new_default_plugins  # noqa: E402


def node(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": f"worker-{i}", "labels": {"kubernetes.io/hostname": f"worker-{i}"}},
            "spec": {}, "status": {"allocatable": {"cpu": "4", "memory": "16Gi", "pods": "110"}}}


def pod(i: int) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"web-{i}", "namespace": "default", "uid": f"uid-{i}", "resourceVersion": str(i + 1),
                         "labels": {"app": "web"}},
            "spec": {"containers": [{"name": "web", "image": "nginx",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def main(argv: list[str]) -> int:
    sizes = [int(a) for a in argv] or [1000, 5000]
    for n in sizes:
        plugins, weights = new_default_plugins()
        framework = Framework(plugins, weights, random.Random(0))
        snapshot = Snapshot([NodeInfo(node(i)) for i in range(1, n + 1)])
        per_cycle = []
        for k in range(7):
            t = time.process_time()
            for j in range(20):
                framework.schedule(pod(k * 20 + j), snapshot)
            per_cycle.append((time.process_time() - t) / 20)
        print(f"{n:>6,} nodes: {statistics.median(per_cycle) * 1000:7.2f} ms CPU per scheduling cycle (median of 7 x 20)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
