"""Seeded fault schedules over etcd's raft, checked (prints figures only).

Runs ``kernelsim.testing.faults`` over many schedules on 3 and 5 masters: each schedule
stops and starts masters, partitions subsets of the machines, slows and drops raft
messages, while clients write and read through kube-apiserver; after each one heals,
the checker looks for a lost acknowledged write, two leaders in one term, committed logs
that disagree, a read that missed the latest acknowledged write, and a Deployment that
does not get back to its replicas.  Printed: schedules, operations (by outcome), faults
(by kind), violations (which must be 0) and the wall time per schedule; a
violation prints its seed and the shortest schedule that still fails.

    python benchmarks/raft_faults.py [--schedules 1000] [--per-cluster 25]
"""

import argparse
import collections
import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kernelsim.testing import faults  # noqa: E402


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--schedules", type=int, default=1000, help="schedules in all, half on 3 masters, half on 5")
    p.add_argument("--per-cluster", type=int, default=25, help="schedules run one after another on one cluster")
    args = p.parse_args()
    results, walls = [], []
    batches = max(1, args.schedules // args.per_cluster)
    for b in range(batches):
        masters = 3 if b % 2 == 0 else 5
        n = min(args.per_cluster, args.schedules - len(results))
        if n <= 0:
            break
        t = time.perf_counter()
        out = faults.run(100 + b, masters, n)
        walls.append((time.perf_counter() - t) / n)
        results += out
        for r in out:
            if not r.ok:
                print(r.report())
    ops = [o for r in results for o in r.operations]
    statuses = collections.Counter(o.status for o in ops)
    kinds = collections.Counter(f.kind for r in results for f in r.schedule)
    print(f"schedules:  {len(results)} ({sum(r.masters == 3 for r in results)} on 3 masters, "
          f"{sum(r.masters == 5 for r in results)} on 5)")
    print(f"operations: {len(ops)} ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}; "
          f"{sum(o.kind == 'write' for o in ops)} writes, {sum(o.kind == 'read' for o in ops)} reads)")
    print(f"faults:     {sum(kinds.values())} ({', '.join(f'{k} {v}' for k, v in sorted(kinds.items()))})")
    print(f"violations: {sum(len(r.violations) for r in results)} in {sum(not r.ok for r in results)} schedules")
    print(f"wall time per schedule: median {statistics.median(walls):.2f} s")


if __name__ == "__main__":
    main()
