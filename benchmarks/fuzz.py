"""A longer fuzz run than CI's: mutated manifests through both doors of kube-apiserver, several seeds.

``tests/apiserver/test_fuzz.py`` sends a fixed ~12,000 inputs per CI run; this
sends ``--inputs`` per seed (default 20,000) for each of ``--seeds`` seeds and
prints the counts (by status code, server errors, crashes, invariant
violations), the throughput, and the first problems found.  Prints figures only.

    .venv/bin/python benchmarks/fuzz.py --seeds 1 2 3 --inputs 20000
"""

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("KERNELSIM_REALTIME", "0")
os.environ.setdefault("KERNELSIM_SHARE", "0")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import kernelsim  # noqa: E402
from kernelsim.testing import fuzz  # noqa: E402
from kernelsim.testing.invariants import violations  # noqa: E402


def run(seed: int, n: int, https_share: float) -> tuple[fuzz.Tally, float]:
    tally = fuzz.Tally()
    c = kernelsim.Cluster(seed=seed, epoch="2026-11-26T09:00:00Z",
                          controllers=("namespace", "serviceaccount", "garbagecollector"),
                          scheduler=False, nodes=False, addons=False)
    inproc, https = fuzz.InProcess(c, tally), fuzz.HTTPS(c.kubeconfig, tally)
    m = fuzz.Mutator(seed)
    started = time.perf_counter()
    for i in range(n):
        base = m.rng.choice(fuzz.seed_manifests(i))
        obj = m.mutate(base)
        r = m.rng.random()
        if i % 500 == 0:
            text = fuzz.nasty_yaml(m.rng)
            inproc.apply(text)
            https.request("POST", "/api/v1/namespaces/default/configmaps",
                          text if isinstance(text, bytes) else text.encode(), "application/yaml")
        if r < https_share:
            path, body = fuzz.PATHS[base["kind"]], json.dumps(obj).encode()
            method = m.rng.choice(["POST", "PUT", "PATCH"])
            ct = {"POST": "application/json", "PUT": "application/yaml",
                  "PATCH": m.rng.choice(["application/merge-patch+json", "application/strategic-merge-patch+json",
                                         "application/json-patch+json"])}[method]
            https.request(method, path if method == "POST" else f"{path}/fz-{i % 7}", body, ct)
        elif r < https_share + (1 - https_share) / 2:
            inproc.create(obj)
        else:
            inproc.apply(json.dumps(obj))
        if i % 2000 == 1999:
            c.settle()
    elapsed = time.perf_counter() - started
    c.settle()
    tally.invariant_violations += violations(c.api)
    https.close()
    c.close()
    return tally, elapsed


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--inputs", type=int, default=20000)
    ap.add_argument("--https-share", type=float, default=0.3)
    args = ap.parse_args()
    total, rates = fuzz.Tally(), []
    for seed in args.seeds:
        tally, elapsed = run(seed, args.inputs, args.https_share)
        rates.append(tally.inputs / elapsed)
        print(f"seed {seed}: {tally.summary()}  ({tally.inputs / elapsed:,.0f} inputs/s)")
        if tally.problems():
            print(tally.problems())
        total.merge(tally)
    print(f"all seeds: {total.summary()}")
    print(f"inputs/s, median over {len(rates)} seeds: {statistics.median(rates):,.0f}")


if __name__ == "__main__":
    main()
