"""How much time does the simulated API server add to kubectl?

Median wall time of `kubectl get pods -A` against a cluster holding 1,000 pods,
side by side in one run with `kubectl version --client` (kubectl's own start-up).
Goal: the server adds at most 20% to kubectl's own start-up time.  Prints figures only.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402


def timed(cluster, cmd, runs):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        r = cluster.kubectl(cmd)
        times.append(time.perf_counter() - t)
        assert r.returncode == 0, r.stderr
    return times


def main(pods: int = 1000, runs: int = 15):
    with kernelsim.Cluster(seed=0) as c:
        t = time.perf_counter()
        for i in range(pods):
            c.api.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i:04d}", "namespace": "default"},
                          "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
        fill = time.perf_counter() - t
        c.kubectl("get pods -A")  # warm kubectl's discovery cache
        base, get, served = [], [], []
        for _ in range(runs):  # interleaved, so machine noise hits both alike
            base += timed(c, "version --client", 1)
            busy = c._http.busy_seconds
            get += timed(c, "get pods -A", 1)
            served.append(c._http.busy_seconds - busy)
        mb, mg, ms = statistics.median(base), statistics.median(get), statistics.median(served)
        print(f"pods in cluster:                 {pods} (created in process in {fill:.2f} s)")
        print(f"kubectl version --client median: {mb * 1000:.0f} ms over {runs} runs")
        print(f"kubectl get pods -A median:      {mg * 1000:.0f} ms over {runs} runs")
        print(f"  of which the server served:    {ms * 1000:.0f} ms (2 pages of 500 rows)")
        print(f"  of which kubectl itself:       {(mg - ms) * 1000:.0f} ms (start-up, TLS, decoding, printing)")
        print(f"server's share:                  +{ms / mb * 100:.0f}% over kubectl's own start-up "
              f"(goal: at most +20%); whole command: +{(mg / mb - 1) * 100:.0f}%")


if __name__ == "__main__":
    main()
