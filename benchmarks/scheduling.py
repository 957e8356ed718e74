"""Scheduler and kubelet throughput at 100, 1,000 and 5,000 nodes (prints figures only).

For each size: a cluster with that many workers (addons off, so only our pods
run), then N bare pods created at once.  Prints the wall time the scheduler
needed to bind them all (pods scheduled per second of wall time) and the wall
time until all were Running (pods started per second), plus the simulated time.
"""

import os
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402

# Note: kube-controller-manager's --cluster-cidr=10.244.0.0/16 with /24 node masks (kubeadm's and kind's
# defaults, simulated here) has room for 256 nodes; on bigger clusters the other nodes get no pod CIDR,
# as on a real cluster, so their pods are scheduled but never get an IP.


def pod(i):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{i:05d}", "namespace": "default"},
            "spec": {"containers": [{"name": "c", "image": "nginx",
                                     "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}


def run(nodes: int, pods: int) -> None:
    t = time.perf_counter()
    c = kernelsim.Cluster(workers=nodes, addons=False, seed=0)
    boot = time.perf_counter() - t
    try:
        with c.lock:
            for i in range(pods):
                c.api.create(pod(i))
        # Count bound and Running pods from a watch, so that measuring costs O(1) per event.
        bound_names, running_names = set(), set()

        def seen(_type, obj):
            name = obj["metadata"]["name"]
            if (obj.get("spec") or {}).get("nodeName"):
                bound_names.add(name)
            if (obj.get("status") or {}).get("phase") == "Running":
                running_names.add(name)

        c.api.watch("pods", seen, namespace="default")
        sim0, t0 = c.now, time.perf_counter()
        bound = running = None
        while c.now - sim0 < 600:  # pods on nodes without a pod CIDR never run (see below)
            with c.lock:
                if not c.loop.step():
                    break
            if bound is None and len(bound_names) == pods:
                bound = (time.perf_counter() - t0, c.now - sim0)
            if running is None and len(running_names) == pods:
                running = (time.perf_counter() - t0, c.now - sim0)
                break
        print(f"{nodes:>5} nodes (cluster up in {boot:6.1f} s wall), {pods} pods:")
        if bound:
            print(f"      scheduled: {pods / bound[0]:8.1f} pods/s of wall time  "
                  f"({bound[0]:.2f} s wall, {bound[1]:.1f} s simulated)")
        if running:
            print(f"      running:   {pods / running[0]:8.1f} pods/s of wall time  "
                  f"({running[0]:.2f} s wall, {running[1]:.1f} s simulated)")
        else:
            print(f"      running:   {len(running_names)} of {pods} after 600 s simulated: the cluster CIDR "
                  "10.244.0.0/16 gives a /24 to 256 nodes only (the others report CIDRNotAvailable)")
    finally:
        c.close()


def main():
    sizes = [int(s) for s in sys.argv[1:]] or [100, 1000, 5000]
    for n in sizes:
        run(n, pods=min(1000, 2 * n))


if __name__ == "__main__":
    main()
