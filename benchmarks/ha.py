"""Why 3 or 5 masters: etcd failover, failures survived and the cost of a write (prints figures only).

For 1 to 5 masters and several seeds, ``kernelsim.course.ha.measure`` powers off the
master that leads etcd and then more masters, on the simulated clock (see its
docstring).  Printed per size: the failures survived, the median (and range) of
the simulated seconds until etcd has a new leader and until the controllers work
again, the median commit wait of a write and the raft messages per write, and the
wall time to build and measure such a cluster as a ratio to one master.

    python benchmarks/ha.py [--seeds 5] [--lang ko]
"""

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from kernelsim.course import ha  # noqa: E402


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return None, "-"
    return statistics.median(values), f"{min(values):.2f}-{max(values):.2f}"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--lang", default="en")
    args = ap.parse_args()
    rows, walls = [], {}
    for masters in (1, 2, 3, 4, 5):
        runs, wall = [], []
        for seed in range(args.seeds):
            t = time.perf_counter()
            runs.append(ha.measure(masters, seed))
            wall.append(time.perf_counter() - t)
        walls[masters] = statistics.median(wall)
        failover, failover_range = summary(r["etcd_failover_s"] for r in runs)
        back, back_range = summary(r["controllers_back_s"] for r in runs)
        rows.append({"masters": masters, "quorum": runs[0]["quorum"],
                     "tolerated": min(r["tolerated"] for r in runs),
                     "etcd_failover_s": failover, "controllers_back_s": back,
                     "commit_ms": statistics.median(r["commit_ms"] for r in runs),
                     "messages_per_write": statistics.median(r["messages_per_write"] for r in runs)})
        print(f"{masters} master(s): new etcd leader after {failover_range} s, controllers back after "
              f"{back_range} s (range over {args.seeds} seeds)", flush=True)
    print()
    print(ha.table(rows, args.lang))
    print()
    print("wall time to build and measure one cluster, as a ratio to one master (median of the seeds):")
    print("  " + ", ".join(f"{m} masters x{walls[m] / walls[1]:.2f}" for m in walls))


if __name__ == "__main__":
    main()
