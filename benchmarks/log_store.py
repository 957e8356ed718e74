"""Query time of the central log store over 1,000,000 lines.

The lines come from 2,000 containers (1,000 pods of 20 namespaces on 50 nodes)
and the control plane, one second apart per container, in time order as the
agents ship them.  Each query is timed as a median of several runs: by pod, by
namespace and time range, by component, by text (a regular expression) over the
whole store with and without a namespace, and a text that matches nothing (the
worst case: every line is read).  Prints milliseconds, the ingest rate and the
store's size.
"""

import os
import statistics
import sys
import time
import resource

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kernelsim.addons.logstore import LogStore, Source  # noqa: E402

LINES, PODS, NODES = 1_000_000, 1000, 50


def build() -> LogStore:
    store = LogStore(max_lines=LINES)
    sources = [Source(f"team-{p % 20}", f"web-{p:04d}", c, "", f"worker-{p % NODES + 1}")
               for p in range(PODS) for c in ("nginx", "sidecar")]
    sources += [Source("kube-system", f"{c}-master-1", c, c, "master-1")
                for c in ("kube-apiserver", "kube-scheduler", "kube-controller-manager", "etcd")]
    sources += [Source("", "", "", "kubelet", f"worker-{n + 1}") for n in range(NODES)]
    n, t = 0, 0.0
    while n < LINES:
        batch = []
        for i, s in enumerate(sources):
            if n >= LINES:
                break
            line = (f"10.244.{i % 250}.{n % 250} - - \"GET /orders/{n} HTTP/1.1\" 200 {n % 9000}"
                    if s.container == "nginx" else f"I1207 worker {s.node} handled request id={n} in {n % 97}ms")
            if n % 50_000 == 7:
                line += " ERROR payment declined"
            batch.append((t + i * 1e-4, s, "stdout", line))
            n += 1
        store.ingest(batch)
        t += 1.0
    store.commit()
    return store


def timed(fn, runs=5):
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        result = fn()
        times.append(1000 * (time.perf_counter() - t))
    return statistics.median(times), result


def main():
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    store = build()
    took = time.perf_counter() - t
    size = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss) * 1024  # peak resident growth (Linux: KiB)
    end = store.query(limit=1)[0].time
    print(f"{len(store):,} lines from {len(store.sources):,} sources over {end:.0f} simulated s: ingested in "
          f"{took:.1f} s ({len(store) / took:,.0f} lines/s), {size / 2**20:.0f} MiB more peak memory")
    queries = [
        ("one pod, last 1000 lines", lambda: store.query(pod="web-0420")),
        ("one pod, all its lines", lambda: store.query(pod="web-0420", namespace="team-0", limit=None)),
        ("namespace + 60 s range", lambda: store.query(namespace="team-3", start=end / 2, end=end / 2 + 60,
                                                       limit=None)),
        ("component kube-apiserver", lambda: store.query(component="kube-apiserver")),
        ("text 'ERROR' (all 1M lines)", lambda: store.query(text="ERROR", limit=None)),
        ("text 'id=4243\\b', last 10", lambda: store.query(text=r"id=4243\b", limit=10)),
        ("text + namespace", lambda: store.query(text="ERROR", namespace="team-7", limit=None)),
        ("text matching nothing", lambda: store.query(text="no such words", limit=None)),
    ]
    for name, q in queries:
        ms, result = timed(q)
        print(f"  {name:32} {ms:8.1f} ms   {len(result):6,} lines")


if __name__ == "__main__":
    main()
