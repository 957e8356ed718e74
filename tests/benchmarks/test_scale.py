"""benchmarks/scale.py runs to the end at 100 nodes and prints every figure (no timing is asserted:
speed targets live in the benchmark, not in tests)."""

import os
import re
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "scale.py"


def test_the_100_node_step_runs_every_pod_to_running_and_prints_every_figure():
    env = dict(os.environ, KERNELSIM_REALTIME="0", KERNELSIM_SHARE="0")
    proc = subprocess.run([sys.executable, str(SCRIPT), "100", "--pods-per-node", "1"], capture_output=True,
                          text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = proc.stdout
    assert "100 nodes, 100 pods in 1 Deployments" in out
    number = r"[\d,.]+"
    assert re.search(rf"boot: +{number} s wall, +{number} s simulated, +{number} API writes/s, peak RSS {number} MiB",
                     out), out
    assert re.search(rf"idle: +{number} s wall for 30 s simulated: {number} ms wall per simulated second, "
                     rf"{number} µs per node", out), out
    assert re.search(r"100 nodes: ratio 1\.00", out), out
    for phase, what in (("scheduled", "pods scheduled/s"), ("running", "pods Running/s"),
                        ("available", "pods Available/s")):
        assert re.search(rf"{phase}: +{number} s wall, +{number} s simulated: +{number} {what}, +{number} "
                         rf"API writes/s", out), out
    assert "did not finish" not in out
    total = re.search(rf"total: +{number} s wall \({number} s CPU\), +{number} s simulated, peak RSS {number} MiB, {number} ms wall "
                      rf"per node; pods per node (\d+)\.\.(\d+)", out)
    assert total, out
    assert 0 <= int(total.group(1)) <= 1 <= int(total.group(2)) <= 110  # spread, within kubelet's --max-pods
    assert re.search(rf"100 nodes: +{number} ms per node, ratio 1\.00", out), out
    assert re.search(rf"gc: +{number} s in the cyclic collector \(\d+ full collections, {number} s\), "
                     r"tenuring policy", out), out


def test_bad_arguments_are_refused():
    proc = subprocess.run([sys.executable, str(SCRIPT), "100", "--pods-per-node", "111"], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 2 and "kubelet's --max-pods" in proc.stderr
