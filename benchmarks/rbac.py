"""RBAC authorizer cost: requests of a user bound by RoleBindings, against an admin's.

The RBAC authorizer runs on every request of a user who is not in
system:masters.  This prints, for a cluster with N namespaces each holding a
RoleBinding (so the bindings index is not trivial), the median time of an
in-process LIST by the admin and by ``alice``, and the time of one
``authorize()`` call with the rule cache warm and cold.  Prints figures only.

    python benchmarks/rbac.py [namespaces]
"""

import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
os.environ.setdefault("KERNELSIM_SHARE", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402
from kernelsim.api import resources  # noqa: E402
from kernelsim.apiserver import RequestContext, rbac  # noqa: E402


def median_us(fn, n=2000) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def main(namespaces: int) -> None:
    with kernelsim.Cluster(seed=0, controllers=("namespace", "serviceaccount", "clusterrole-aggregation"),
                           scheduler=False, nodes=False, addons=False) as c:
        for i in range(namespaces):
            ns = f"team-{i}"
            c.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
            c.api.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
                          "metadata": {"name": "edit", "namespace": ns},
                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "edit"},
                          "subjects": [{"kind": "User", "name": f"user-{i}"}]})
        c.settle()
        api = c.apiserver
        pods = resources.by_plural("", "pods")
        admin = RequestContext()
        alice = RequestContext(user="user-0", groups=("system:authenticated",))
        list_admin = median_us(lambda: api.list(pods, "team-0", admin, copy=False))
        list_alice = median_us(lambda: api.list(pods, "team-0", alice, copy=False))
        attrs = rbac.Attributes("user-0", ("system:authenticated",), "list", "team-0", "", "pods")
        warm = median_us(lambda: api.authorizer.authorize(attrs))
        cold = median_us(lambda: (api.authorizer._invalidate(), api.authorizer.authorize(attrs)), n=200)
        print(f"namespaces with a RoleBinding: {namespaces}")
        print(f"LIST pods, admin (system:masters): {list_admin:8.1f} us median")
        print(f"LIST pods, RBAC user:              {list_alice:8.1f} us median "
              f"({list_alice / list_admin:.2f}x the admin's)")
        print(f"authorize(), rule cache warm:      {warm:8.1f} us median")
        print(f"authorize(), after a RBAC change:  {cold:8.1f} us median (index and rules rebuilt)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
