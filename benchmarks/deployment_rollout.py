"""A 1,000-replica Deployment on 50 nodes: time to Available, then a rolling update.

Prints the simulated time and the wall time of each phase (figures only).
"""

import os
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402

DEPLOYMENT = {
    "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": "default"},
    "spec": {"replicas": 1000, "selector": {"matchLabels": {"app": "web"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "nginx", "image": "nginx:1.25",
                                                   "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}},
}


def wait_for(c, done, limit=7200.0):
    """Step the simulation until ``done()`` holds; returns (wall seconds, simulated seconds)."""
    t0, s0 = time.perf_counter(), c.now
    while not done():
        with c.lock:
            if not c.loop.step() or c.now - s0 > limit:
                break
    return time.perf_counter() - t0, c.now - s0


def rolled_out(c, image):
    d = c.api.get("deployments", "web")
    st = d.get("status") or {}
    return (st.get("observedGeneration") == d["metadata"]["generation"] and st.get("updatedReplicas") == 1000
            and st.get("availableReplicas") == 1000 and st.get("replicas") == 1000
            and d["spec"]["template"]["spec"]["containers"][0]["image"] == image)


def main(nodes: int = 50):
    t = time.perf_counter()
    c = kernelsim.Cluster(workers=nodes, addons=False, seed=0)
    print(f"cluster of {nodes} workers up in {time.perf_counter() - t:.1f} s wall")
    try:
        c.api.create(DEPLOYMENT)
        wall, sim = wait_for(c, lambda: rolled_out(c, "nginx:1.25"))
        print(f"1,000 replicas Available: {sim:7.1f} s simulated, {wall:7.1f} s wall")
        c.api.patch("deployments", "web", {"spec": {"template": {"spec": {"containers": [
            {"name": "nginx", "image": "nginx:1.26"}]}}}})
        wall, sim = wait_for(c, lambda: rolled_out(c, "nginx:1.26"))
        print(f"rolling update to 1.26:   {sim:7.1f} s simulated, {wall:7.1f} s wall")
    finally:
        c.close()


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:]))
