"""The Kubernetes scalability envelope in one process (prints figures only).

Kubernetes' documented limits are 5,000 nodes, 150,000 pods and at most 110
pods per node.  For each step (100, 1,000 and 5,000 nodes by default; give
other node counts as arguments) this script, in a fresh child process so that
peak memory is the step's own:

1. boots ``Cluster(workers=N, addons=False, cluster_cidr="10.128.0.0/9")``:
   every node has its kubelet (Node status, Lease), its kube-proxy and its
   container runtime; the add-ons are off so that only the benchmark's pods
   run (kube-proxy and the CNI plugin still run on every node, as Python
   objects, not as DaemonSet pods).  ``--cluster-cidr=10.128.0.0/9`` with /24
   node masks has room for 32,768 nodes (the default 10.244.0.0/16 for 256);
   then keeps the idle cluster running for 30 simulated seconds (the cost of
   heartbeats, Leases and informers per simulated second, which must be O(N));
2. creates Deployments of ``--deployment-size`` (100) replicas totalling
   ``--pods-per-node`` (30) pods per node: 150,000 pods in 1,500 Deployments at
   5,000 nodes (clusterloader2's load test mixes Deployments of 5, 30 and 250);
   a ReplicaSet's sync looks at all of its pods, once per pod event, so the
   size of a Deployment sets the cost of every pod event;
3. runs the simulation until every pod is Running and every Deployment is
   Available, through the whole pod lifecycle: the ReplicaSet controller
   creates the pods, kube-scheduler binds them, each kubelet starts the
   containers, the CNI plugin gives each an IP, and the kubelet reports it Ready.

It prints, per step: the wall time, the peak RSS, the simulated time, and per
phase (boot, scheduling, running, available) the wall time and the throughput:
pods scheduled per second, pods Running per second and API writes (etcd
revisions) per second, all per second of wall time.  At the end: the wall time
per node at each step relative to the smallest step (near 1.0 means linear).
A step that runs longer than a minute prints its progress (pods bound and
Running, memory) on stderr once a minute.  Each step runs inside
``kernelsim.sim.gcpolicy.tenuring_gc()`` (``--gc default`` for CPython's
collector as it is) and prints the seconds spent in the cyclic collector.

    python benchmarks/scale.py              # 100, 1,000 and 5,000 nodes
    python benchmarks/scale.py 100 500      # other steps
    python benchmarks/scale.py 100 --pods-per-node 3 --max-sim 900
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import resource
import subprocess
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

MAX_PODS_PER_NODE = 110
DEPLOYMENT_SIZE = 100
IDLE_SECONDS = 30.0
PROGRESS_EVERY = 60.0  # seconds of wall time between progress lines (on stderr)
CLUSTER_CIDR = "10.128.0.0/9"
GC_MODES = ("tenuring", "default")


class GCTimer:
    """Seconds spent in the cyclic garbage collector, per generation (via gc.callbacks)."""

    def __init__(self):
        self.seconds, self.collections, self._start = [0.0, 0.0, 0.0], [0, 0, 0], 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.seconds[info["generation"]] += time.perf_counter() - self._start
            self.collections[info["generation"]] += 1


def deployment(name: str, replicas: int) -> dict:
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": "default"},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels},
                                  "spec": {"containers": [{
                                      "name": "web", "image": "nginx",
                                      "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}}}


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def current_rss_mib() -> float:
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return peak_rss_mib()


def run_step(nodes: int, pods_per_node: int, max_sim: float, deployment_size: int = DEPLOYMENT_SIZE,
             gc_mode: str = "tenuring") -> dict:
    """One step in this process; returns its figures."""
    from kernelsim.sim.gcpolicy import tenuring_gc

    timer = GCTimer()
    gc.callbacks.append(timer)
    policy = tenuring_gc() if gc_mode == "tenuring" else contextlib.nullcontext()
    try:
        with policy:
            out = _run_step(nodes, pods_per_node, max_sim, deployment_size)
    finally:
        gc.callbacks.remove(timer)
    out["gc"] = {"mode": gc_mode, "seconds": sum(timer.seconds), "full": timer.collections[2],
                 "full_seconds": timer.seconds[2]}
    return out


def _run_step(nodes: int, pods_per_node: int, max_sim: float, deployment_size: int) -> dict:
    import kernelsim

    total = nodes * pods_per_node
    out = {"nodes": nodes, "pods": total}
    t0, cpu0 = time.perf_counter(), time.process_time()
    c = kernelsim.Cluster(workers=nodes, addons=False, seed=0, cluster_cidr=CLUSTER_CIDR)
    out["boot_wall"] = time.perf_counter() - t0
    out["boot_sim"] = c.now
    out["boot_writes"] = c.apiserver.storage.revision
    out["boot_rss"] = peak_rss_mib()
    try:
        # Keeping the idle nodes alive (heartbeats, Leases, Node status, informers, kube-proxy):
        # the cost per simulated second must grow as O(N).
        t_idle, sim_idle = time.perf_counter(), c.now
        c.advance(IDLE_SECONDS)
        out["idle_wall"], out["idle_sim"] = time.perf_counter() - t_idle, c.now - sim_idle
        # Count bound and Running pods from a watch, so that measuring costs O(1) per event.
        bound, running = set(), set()

        def seen(_type, obj):
            name = obj["metadata"]["name"]
            if (obj.get("spec") or {}).get("nodeName"):
                bound.add(name)
            if (obj.get("status") or {}).get("phase") == "Running":
                running.add(name)

        c.api.watch("pods", seen, namespace="default")
        sim0, rev0, t1 = c.now, c.apiserver.storage.revision, time.perf_counter()
        with c.lock:
            left, i = total, 0
            while left:
                n = min(deployment_size, left)
                c.api.create(deployment(f"web-{i:03d}", n))
                left, i = left - n, i + 1
        out["deployments"] = i
        phases = {}
        available_check = 0.0
        steps, next_progress = 0, time.perf_counter() + PROGRESS_EVERY
        while c.now - sim0 < max_sim:
            with c.lock:
                if not c.loop.step():
                    break
            steps += 1
            if steps % 1000 == 0 and time.perf_counter() >= next_progress:
                next_progress += PROGRESS_EVERY
                print(f"[{nodes:,} nodes] {time.perf_counter() - t1:6.0f} s: {len(bound):,} of {total:,} pods bound, "
                      f"{len(running):,} Running, RSS {current_rss_mib():,.0f} MiB", file=sys.stderr, flush=True)
            if "scheduled" not in phases and len(bound) == total:
                phases["scheduled"] = (time.perf_counter() - t1, c.now - sim0, c.apiserver.storage.revision - rev0)
            if "running" not in phases and len(running) == total:
                phases["running"] = (time.perf_counter() - t1, c.now - sim0, c.apiserver.storage.revision - rev0)
            if "running" in phases and c.now >= available_check:
                available_check = c.now + 1.0
                deps = c.apiserver.storage.list("/registry/deployments/default/")
                if all(((d.get("status") or {}).get("availableReplicas") or 0) == d["spec"]["replicas"]
                       for d in deps):
                    phases["available"] = (time.perf_counter() - t1, c.now - sim0,
                                           c.apiserver.storage.revision - rev0)
                    break
        out["phases"] = phases
        out["bound"], out["running"] = len(bound), len(running)
        out["wall"] = time.perf_counter() - t0
        out["cpu"] = time.process_time() - cpu0  # on a shared machine, CPU time is the steadier figure
        out["sim"] = c.now
        out["rss"] = peak_rss_mib()
        pods_on = {}
        for p in c.apiserver.storage.list("/registry/pods/default/"):
            node = (p.get("spec") or {}).get("nodeName")
            pods_on[node] = pods_on.get(node, 0) + 1
        counts = [pods_on.get(f"worker-{k + 1}", 0) for k in range(nodes)]
        out["pods_per_node"] = (min(counts), max(counts)) if counts else (0, 0)
    finally:
        c.close()
    return out


def report(r: dict) -> None:
    n, pods = r["nodes"], r["pods"]
    print(f"{n:,} nodes, {pods:,} pods in {r.get('deployments', 0)} Deployments")
    print(f"  boot:      {r['boot_wall']:8.1f} s wall, {r['boot_sim']:6.1f} s simulated, "
          f"{r['boot_writes'] / r['boot_wall']:8.0f} API writes/s, peak RSS {r['boot_rss']:,.0f} MiB")
    if "idle_wall" in r:
        per_sim = r["idle_wall"] / r["idle_sim"]
        print(f"  idle:      {r['idle_wall']:8.1f} s wall for {r['idle_sim']:.0f} s simulated: "
              f"{per_sim * 1000:.1f} ms wall per simulated second, {per_sim / n * 1e6:.1f} µs per node")
    previous = (0.0, 0.0, 0)
    for phase, what in (("scheduled", "pods scheduled/s"), ("running", "pods Running/s"),
                        ("available", "pods Available/s")):
        if phase not in r["phases"]:
            got = {"scheduled": r["bound"], "running": r["running"]}.get(phase, 0)
            print(f"  {phase + ':':10} did not finish ({got:,} of {pods:,} pods; stopped at "
                  f"{r['sim'] - r['boot_sim']:.0f} s simulated)")
            continue
        wall, sim, writes = r["phases"][phase]
        dw, dwrites = wall - previous[0], writes - previous[2]
        print(f"  {phase + ':':10} {wall:8.1f} s wall, {sim:6.1f} s simulated: "
              f"{pods / wall:8.1f} {what}, {writes / wall:8.0f} API writes/s "
              f"(this phase: {dw:.1f} s wall, {dwrites / dw if dw > 0 else 0:,.0f} API writes/s)")
        previous = (wall, sim, writes)
    low, high = r["pods_per_node"]
    print(f"  total:     {r['wall']:8.1f} s wall ({r['cpu']:.1f} s CPU), {r['sim']:6.1f} s simulated, peak RSS {r['rss']:,.0f} MiB, "
          f"{r['wall'] / n * 1000:.1f} ms wall per node; pods per node {low}..{high}")
    if "gc" in r:
        g = r["gc"]
        print(f"  gc:        {g['seconds']:8.1f} s in the cyclic collector ({g['full']} full collections, "
              f"{g['full_seconds']:.1f} s), {g['mode']} policy")
    sys.stdout.flush()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("nodes", nargs="*", type=int, help="node counts (default: 100 1000 5000)")
    ap.add_argument("--pods-per-node", type=int, default=30)
    ap.add_argument("--deployment-size", type=int, default=DEPLOYMENT_SIZE, help="replicas per Deployment")
    ap.add_argument("--max-sim", type=float, default=3600.0, help="simulated seconds to give up after")
    ap.add_argument("--gc", choices=GC_MODES, default="tenuring",
                    help="tenuring: survivors of a full collection are not traversed again "
                         "(kernelsim.sim.gcpolicy); default: CPython's collector as it is")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if not 0 < args.pods_per_node <= MAX_PODS_PER_NODE:
        ap.error(f"--pods-per-node must be between 1 and {MAX_PODS_PER_NODE} (kubelet's --max-pods)")
    sizes = args.nodes or [100, 1000, 5000]
    if any(n < 1 for n in sizes):
        ap.error("node counts must be 1 or more")
    if args.deployment_size < 1:
        ap.error("--deployment-size must be 1 or more")
    if args.child:
        print("RESULT " + json.dumps(run_step(sizes[0], args.pods_per_node, args.max_sim, args.deployment_size,
                                              args.gc)))
        return 0
    results = []
    for n in sizes:
        proc = subprocess.run([sys.executable, os.path.abspath(__file__), str(n), "--child",
                               "--pods-per-node", str(args.pods_per_node), "--max-sim", str(args.max_sim),
                               "--deployment-size", str(args.deployment_size), "--gc", args.gc],
                              stdout=subprocess.PIPE, text=True)  # progress lines go straight to stderr
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")), None)
        if proc.returncode != 0 or line is None:
            print(f"{n:,} nodes: the step failed (exit {proc.returncode}; its error is above)")
            return 1
        r = json.loads(line[len("RESULT "):])
        report(r)
        results.append(r)
    base = results[0]
    print("wall time per node, relative to the first step (1.0 = linear):")
    for r in results:
        ratio = (r["wall"] / r["nodes"]) / (base["wall"] / base["nodes"])
        print(f"  {r['nodes']:>6,} nodes: {r['wall'] / r['nodes'] * 1000:8.1f} ms per node, ratio {ratio:.2f}")
    print("idle cost per node and simulated second, relative to the first step (1.0 = O(N)):")
    for r in results:
        ratio = (r["idle_wall"] / r["idle_sim"] / r["nodes"]) / (base["idle_wall"] / base["idle_sim"] / base["nodes"])
        print(f"  {r['nodes']:>6,} nodes: ratio {ratio:.2f}")
    by = {r["nodes"]: r for r in results}
    if 1000 in by and 5000 in by:
        ratio = (by[5000]["wall"] / 5000) / (by[1000]["wall"] / 1000)
        print(f"wall time per node at 5,000 nodes / at 1,000 nodes: {ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
