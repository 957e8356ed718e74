"""Simulated API writes per second through the in-process client (create, then update).

Each write takes the whole kube-apiserver path: decoding and schema checks,
admission, defaulting, validation and an etcd transaction.  Prints figures only.
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402


def run(n: int) -> tuple[float, float]:
    with kernelsim.Cluster(seed=0) as c:
        t = time.perf_counter()
        for i in range(n):
            c.api.create({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": f"cm{i}", "namespace": "default"}, "data": {"i": str(i)}})
        creates = n / (time.perf_counter() - t)
        t = time.perf_counter()
        for i in range(n):
            c.api.patch("configmaps", f"cm{i}", {"data": {"i": str(i + 1)}})
        patches = n / (time.perf_counter() - t)
        return creates, patches


def main(n: int = 2000, repeats: int = 3):
    results = [run(n) for _ in range(repeats)]
    print(f"creates/s (median of {repeats} runs of {n}): {statistics.median(r[0] for r in results):,.0f}")
    print(f"patches/s (median of {repeats} runs of {n}): {statistics.median(r[1] for r in results):,.0f}")


if __name__ == "__main__":
    main()
