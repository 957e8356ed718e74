"""The fault-schedule checker (kernelsim/testing/faults.py): seeded schedules of faults over
etcd's raft under kube-apiserver, and the checks of what the clients saw.

CI runs 100 schedules (50 on 3 masters, 50 on 5); ``benchmarks/raft_faults.py`` runs 1,000.
A raft broken on purpose (committing on a minority) is caught, which shows the checker can fail.
"""

import collections
import json
import math

import pytest

from kernelsim.etcd.raft import Raft
from kernelsim.testing import faults
from kernelsim.testing.faults import Fault, Operation, linearizable


def test_a_schedule_is_plain_data_from_its_seed():
    s = faults.generate(7, 5)
    assert s == faults.generate(7, 5) and s != faults.generate(8, 5)
    assert faults.loads(faults.dumps(s)) == s
    assert all(isinstance(d, dict) for d in json.loads(faults.dumps(s)))
    assert all(0 < f.at < faults.DURATION for f in s)
    assert [f.at for f in s] == sorted(f.at for f in s)


def test_schedules_cover_every_kind_of_fault_and_never_put_every_master_on_one_side():
    kinds = collections.Counter()
    for seed in range(100):
        for f in faults.generate(seed, 3):
            kinds[f.kind] += 1
            if f.kind == "partition":
                assert not {"master-1", "master-2", "master-3"} <= set(f.members)
    assert set(kinds) == {"stop", "start", "partition", "heal", "delay", "loss"}
    assert any("worker-1" in f.members for s in range(100) for f in faults.generate(s, 3) if f.kind == "partition")


def test_the_same_schedule_replays_exactly():
    schedule = [Fault(1.0, "partition", ("master-1", "worker-1")), Fault(2.5, "loss", ("master-2", "master-3"), 0.3),
                Fault(4.0, "stop", ("master-2",)), Fault(6.0, "heal")]
    runs = [faults.run_schedule(3, 3, schedule) for _ in range(2)]
    histories = [[(o.client, o.key, o.kind, o.value, o.start, o.end, o.status) for o in r.operations] for r in runs]
    assert histories[0] == histories[1] and len(histories[0]) > 30
    assert runs[0].leaders == runs[1].leaders
    assert runs[0].ok, runs[0].report()


def test_without_a_quorum_requests_wait_etcds_seven_seconds_then_time_out():
    schedule = [Fault(1.0, "stop", ("master-1",)), Fault(3.0, "stop", ("master-2",))]
    r = faults.run_schedule(0, 3, schedule)
    assert r.ok, r.report()
    timed_out = [o for o in r.operations if o.status == "timeout"]
    assert timed_out
    for o in timed_out:
        if o.kind == "read":
            assert o.end - o.start == pytest.approx(7.0)
        else:
            assert o.end == math.inf  # a write that timed out may still have happened
    # The requests made while the first election ran waited for it and were answered.
    waited = [o for o in r.operations if o.status == "ok" and o.end - o.start > 0.5]
    assert waited and all(o.end - o.start < 7.1 for o in waited)


def test_a_hundred_schedules_on_three_and_five_masters_lose_nothing():
    results = faults.run(0, 3, 50) + faults.run(1, 5, 50)
    assert len(results) == 100
    failed = [r.report() for r in results if not r.ok]
    assert not failed, "\n".join(failed)
    ops = [o for r in results for o in r.operations]
    statuses = collections.Counter(o.status for o in ops)
    assert len(ops) > 5000 and statuses["ok"] > 0.9 * len(ops)
    # Every checked property had something to check.
    assert any(o.kind == "write" and o.entry for o in ops)
    assert sum(len(r.leaders) for r in results) > 100  # many elections happened


def broken_commit_quorum(self):
    return 1  # a leader counts a write as committed once it alone has it


def test_a_raft_that_commits_on_a_minority_is_caught_within_a_hundred_schedules(monkeypatch):
    monkeypatch.setattr(Raft, "_commit_quorum", broken_commit_quorum)
    caught = None
    with faults.Runner(0, 3) as runner:
        for i in range(100):
            r = runner.run(faults.generate(i, 3))
            if not r.ok:
                caught = (i, r)
                break
    assert caught is not None, "the checker missed a raft that commits on a minority"
    i, r = caught
    assert any("committed" in v for v in r.violations), r.report()
    shortest = faults.shrink(0, 3, r.schedule)
    again = faults.run_schedule(0, 3, shortest)
    assert not again.ok and len(shortest) <= len(r.schedule)
    # Remove any one more fault and it passes: the schedule is as short as the search gets.
    for j in range(len(shortest)):
        assert faults.run_schedule(0, 3, shortest[:j] + shortest[j + 1:]).ok
    text = again.report()
    assert text.startswith("seed 0, 3 masters:") and faults.dumps(shortest) in text


# -- the register model on its own -------------------------------------------------------
def op(kind, value, start, end, status="ok"):
    return Operation(0, "k", kind, value, start, end, status)


def test_a_sequential_history_is_linearizable():
    h = [op("write", "a", 0, 1), op("read", "a", 2, 3), op("write", "b", 4, 5), op("read", "b", 6, 7)]
    assert linearizable(h, "init") is None


def test_a_stale_read_after_an_acknowledged_write_is_caught():
    h = [op("write", "a", 0, 1), op("read", "init", 2, 3)]
    assert "stale read" in linearizable(h, "init")


def test_a_read_concurrent_with_a_write_may_see_either_value():
    assert linearizable([op("write", "a", 0, 5), op("read", "init", 1, 2)], "init") is None
    assert linearizable([op("write", "a", 0, 5), op("read", "a", 1, 2)], "init") is None
    # but once one read saw the new value, a later read cannot see the old one
    h = [op("write", "a", 0, 10), op("read", "a", 1, 2), op("read", "init", 3, 4)]
    assert linearizable(h, "init") is not None


def test_a_timed_out_write_may_or_may_not_have_happened():
    timed_out = op("write", "a", 0, math.inf, "timeout")
    assert linearizable([timed_out, op("read", "init", 8, 9)], "init") is None
    assert linearizable([timed_out, op("read", "a", 8, 9)], "init") is None
    assert "no client wrote" in linearizable([timed_out, op("read", "zzz", 8, 9)], "init")


def test_a_kube_apiserver_that_serves_stale_reads_is_caught(monkeypatch):
    from kernelsim.apiserver.server import APIServer

    real_get, first = APIServer.get, {}

    def stale_get(self, info, namespace, name, *args, **kwargs):
        obj = real_get(self, info, namespace, name, *args, **kwargs)
        if info.plural == "configmaps" and name.startswith("s1-"):
            return first.setdefault(name, obj)  # the first answer, forever: a cache that never catches up
        return obj

    monkeypatch.setattr(APIServer, "get", stale_get)
    r = faults.run_schedule(0, 3, [])
    assert not r.ok and any("stale read" in v for v in r.violations), r.report()
