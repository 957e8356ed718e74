"""Seeded fault schedules over etcd's raft, and a checker of what the clients saw.

The idea is Jepsen's (jepsen.etcd, Knossos): clients write and read keys while faults hit
the masters, every operation is recorded with the simulated times it started and ended,
and afterwards the history is checked.  Here the faults come from a seed, on the one
simulated clock, so a failing schedule replays exactly and can be shrunk.

- A **fault schedule** is plain data: a list of :class:`Fault` (``at`` seconds after the
  start, a ``kind``, the ``members`` it hits, a ``value``), printable as JSON.  Kinds:
  ``stop`` and ``start`` a master (``Cluster.stop_master``/``start_master``),
  ``partition`` a subset of the machines from the rest (``Cluster.partition``; a worker
  in the subset takes its kubelet and kube-proxy with it), ``heal`` every partition and
  link, ``delay`` (seconds per message) and ``loss`` (a fraction of messages) on the
  raft link between two members.  When the schedule ends, every fault heals.
- A **client** is a program like kubectl: it sends one request at a time through
  kube-apiserver's request path (:class:`kernelsim.client.Client`: authentication,
  authorization, admission, validation, then etcd through raft) and waits for the
  answer.  A write is a merge patch of one key of a ConfigMap (a *register*), or of a
  Deployment's ``spec.replicas``; a read is a consistent GET (a quorum read, like
  kubectl's GET without a resourceVersion).  A request etcd cannot serve waits up to
  etcd's request timeout (7 s) and then fails: its outcome is then unknown to the client.
  An answered request ends once raft's commit (or read-index) latency has passed.
- The **checks**, once every fault has healed: no write that was acknowledged is lost
  (its raft entry is in the committed log, and the register's history stays
  linearizable); no two leaders in one term; the committed logs of all members agree on
  every index they share (sampled throughout, so a committed entry that is later
  overwritten is caught); every read saw the latest acknowledged write (the history of
  each register is checked against the register model, Wing and Gong's search with
  Lowe's memoization, given the operations' start and end times); and every
  Deployment reaches its desired replicas.

``run(seed, masters)`` generates a schedule and checks it; a violation comes back with
the seed and the shortest schedule that still fails (``shrink``: faults are removed
one at a time while the failure remains, in the manner of delta debugging).
"""

from __future__ import annotations

import collections
import json
import math
import random
from dataclasses import asdict, dataclass, field

from ..api import errors

EPOCH = "2026-01-01T00:00:00Z"   # a fixed wall clock: the same seed gives the same output
DURATION = 10.0                  # seconds of simulated time the faults span
HEAL_WAIT = 60.0                 # then every fault heals, and the Deployment has this long to recover
KEYS = ("reg-0", "reg-1", "reg-2")
CLIENTS = 3
DEPLOYMENT = "web"
POLL = 0.1                       # a waiting request looks for a leader every heartbeat


@dataclass(frozen=True)
class Fault:
    """One timed fault: ``at`` seconds after the schedule starts."""

    at: float
    kind: str                    # stop, start, partition, heal, delay, loss
    members: tuple = ()
    value: float = 0.0

    def to_dict(self) -> dict:
        d = asdict(self)
        d["members"] = list(self.members)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Fault":
        return cls(float(d["at"]), d["kind"], tuple(d.get("members", ())), float(d.get("value", 0.0)))


def dumps(schedule: list[Fault]) -> str:
    return json.dumps([f.to_dict() for f in schedule])


def loads(text: str) -> list[Fault]:
    return [Fault.from_dict(d) for d in json.loads(text)]


@dataclass
class Operation:
    """One request of one client, with the simulated times it started and ended."""

    client: int
    key: str
    kind: str                    # write or read
    value: object = None         # what was written, or what the read returned
    start: float = 0.0
    end: float = math.inf        # inf while unknown (a timed-out write may still have happened)
    status: str = "pending"      # ok, timeout (outcome unknown), error
    entry: tuple | None = None   # a write's raft entry: (index, term, payload)
    error: str = ""


@dataclass
class Result:
    seed: int
    masters: int
    schedule: list[Fault]
    operations: list[Operation] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    leaders: dict = field(default_factory=dict)      # term -> the members that led it
    shrunk_from: list | None = None                  # the generated schedule, when this one is shrunk
    position: int = 0                                # its place among the schedules run on one cluster
    fails_alone: bool | None = None                  # replayed on a fresh cluster, it fails too

    @property
    def ok(self) -> bool:
        return not self.violations

    def report(self) -> str:
        lines = [f"seed {self.seed}, {self.masters} masters: {len(self.violations)} violation(s)"]
        lines += [f"  - {v}" for v in self.violations[:10]]
        lines.append(f"  {'shortest failing ' if self.shrunk_from is not None else ''}schedule: {dumps(self.schedule)}")
        if self.fails_alone is False:
            lines.append(f"  (it fails only after the {self.position} schedules before it on the same cluster: "
                         f"faults.run({self.seed}, {self.masters}, {self.position + 1}) replays it)")
        return "\n".join(lines)


# -- schedules -----------------------------------------------------------------------
def masters_of(n: int) -> list[str]:
    return [f"master-{i + 1}" for i in range(n)]


def generate(seed: int, masters: int, *, duration: float = DURATION, faults: int | None = None,
             workers: tuple = ("worker-1",)) -> list[Fault]:
    """A schedule of faults from ``seed``: the same seed gives the same schedule."""
    rng = random.Random(f"fault-schedule-{seed}-{masters}")
    names = masters_of(masters)
    count = faults if faults is not None else rng.randint(2, 6)
    times = sorted(round(rng.uniform(0.5, duration - 1.0), 3) for _ in range(count))
    stopped: set[str] = set()
    out = []
    for t in times:
        kinds = ["partition", "heal", "delay", "loss", "stop"]
        if stopped:
            kinds.append("start")
        kind = rng.choice(kinds)
        if kind == "stop":
            running = [n for n in names if n not in stopped]
            if len(running) < 2:
                kind = "start"
            else:
                victim = rng.choice(running)
                stopped.add(victim)
                out.append(Fault(t, "stop", (victim,)))
                continue
        if kind == "start":
            back = rng.choice(sorted(stopped))
            stopped.discard(back)
            out.append(Fault(t, "start", (back,)))
        elif kind == "partition":
            machines = names + list(workers)
            size = rng.randint(1, len(machines) - 1)
            group = set(rng.sample(machines, size))
            if set(names) <= group:  # every master on one side: cut one of them off instead
                group.discard(rng.choice(names))
            out.append(Fault(t, "partition", tuple(sorted(group))))
        elif kind == "heal":
            out.append(Fault(t, "heal"))
        elif kind == "delay":
            a, b = sorted(rng.sample(names, 2))
            out.append(Fault(t, "delay", (a, b), rng.choice((0.02, 0.2, 0.6, 1.5))))
        else:
            a, b = sorted(rng.sample(names, 2))
            out.append(Fault(t, "loss", (a, b), rng.choice((0.1, 0.3, 0.6))))
    return out


# -- the register model ----------------------------------------------------------------
def linearizable(ops: list[Operation], initial) -> str | None:
    """None if the history of one register is linearizable, else why not.

    Every acknowledged operation must take effect at one instant between its start and
    its end; a write whose outcome is unknown (it timed out) may take effect at any time
    after its start, or never; failed reads say nothing.  The search tries, in turn,
    every operation that may come next (one that started before every pending
    acknowledged operation ended), and remembers the (done, value) states it has seen.
    """
    cands = [o for o in ops if o.status == "ok" or (o.kind == "write" and o.status == "timeout")]
    cands.sort(key=lambda o: (o.start, o.end))
    n = len(cands)
    required = 0
    for i, o in enumerate(cands):
        if o.status == "ok":
            required |= 1 << i
    seen: set[tuple[int, object]] = set()
    stack = [(0, initial)]
    while stack:
        done, value = stack.pop()
        if done & required == required:
            return None
        if (done, value) in seen:
            continue
        seen.add((done, value))
        horizon = min(cands[i].end for i in range(n) if required >> i & 1 and not done >> i & 1)
        for i in range(n):
            o = cands[i]
            if o.start > horizon:
                break
            if done >> i & 1:
                continue
            if o.kind == "read":
                if o.value == value:
                    stack.append((done | 1 << i, value))
            else:
                stack.append((done | 1 << i, o.value))
    reads = [o for o in cands if o.kind == "read"]
    bad = next((r for r in reads if not any(w.value == r.value for w in cands if w.kind == "write")
                and r.value != initial), None)
    if bad is not None:
        return f"a read at t={bad.start:.3f}s returned {bad.value!r}, which no client wrote"
    return "no order of the operations explains every read (a stale read or a lost write)"


# -- running schedules ------------------------------------------------------------------
class Runner:
    """A fresh cluster (``masters`` masters, one worker, no addons) that runs schedules one
    after another: each one starts once the previous one has healed and been checked, with
    registers of its own, so that one cluster (booting one costs more than a schedule)
    serves many schedules.  Everything is seeded: the same seed and the same schedules
    replay exactly."""

    def __init__(self, seed: int, masters: int, workers: int = 1):
        import kernelsim

        self.seed, self.masters = seed, masters
        self.cluster = kernelsim.Cluster(masters=masters, workers=workers, seed=seed, realtime=False,
                                         addons=False, epoch=EPOCH)
        self.api = self.cluster.api.with_source("fault-checker")
        self.loop = self.cluster.loop
        self.raft = self.cluster.apiserver.etcd
        self.storage = self.cluster.apiserver.storage
        self.rng = random.Random(f"fault-clients-{seed}-{masters}")
        self.leaders: dict[int, set[str]] = collections.defaultdict(set)
        for m in self.raft.members.values():
            if m.state == "leader":
                self.leaders[m.term].add(m.name)
        self.raft.on_leader.append(self._elected)
        self.committed: list = []            # the committed log, as far as any member has shown it
        self._checked: dict[str, int] = {}   # member -> how much of its log _sample compared
        self.rounds = 0
        self.result: Result | None = None
        self.stop_at = 0.0
        self.api.create({"apiVersion": "apps/v1", "kind": "Deployment",
                         "metadata": {"name": DEPLOYMENT, "namespace": "default"},
                         "spec": {"replicas": 2, "selector": {"matchLabels": {"app": DEPLOYMENT}},
                                  "template": {"metadata": {"labels": {"app": DEPLOYMENT}},
                                               "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
        self.cluster.settle()

    def close(self) -> None:
        self.cluster.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _elected(self, m, term: int) -> None:
        self.leaders[term].add(m.name)
        if len(self.leaders[term]) > 1 and self.result is not None:
            self._violation(f"two leaders in term {term}: {', '.join(sorted(self.leaders[term]))}")

    # -- the workload -------------------------------------------------------------
    def _do(self, op: Operation):
        if op.key.startswith("deployment/"):
            name = op.key.split("/", 1)[1]
            if op.kind == "write":
                self.api.patch("deployments", name, {"spec": {"replicas": op.value}}, type="merge")
                return op.value
            return self.api.get("deployments", name, consistent=True)["spec"]["replicas"]
        if op.kind == "write":
            self.api.patch("configmaps", op.key, {"data": {"v": op.value}}, type="merge")
            return op.value
        return self.api.get("configmaps", op.key, consistent=True)["data"]["v"]

    def _attempt(self, op: Operation, done) -> None:
        before = self._last_entry()
        try:
            value = self._do(op)
        except errors.StatusError as e:
            if not self.storage.timed_out(e):
                op.status, op.error, op.end = "error", str(e), self.loop.now
                done(op)
                return
            deadline = op.start + self.storage.request_timeout
            if self.loop.now + POLL <= deadline + 1e-9:
                self.loop.call_later(POLL, lambda: self._attempt(op, done), "fault-checker request waits for etcd")
            else:
                self.loop.call_at(deadline, lambda: self._timed_out(op, done), "fault-checker request times out")
            return
        op.status, op.value = "ok", value
        after = self._last_entry()
        if op.kind == "write" and after != before:
            if after is not None and after[2] == ("update", self._etcd_key(op.key)):
                op.entry = after
            latency = self.raft.commit_latencies[-1]
        else:
            latency = self.raft.read_latency()
        op.end = self.loop.now + latency
        self.loop.call_at(op.end, lambda: done(op), "fault-checker answer")

    def _timed_out(self, op: Operation, done) -> None:
        op.status, op.end, op.error = "timeout", math.inf if op.kind == "write" else self.loop.now, "timed out"
        done(op)

    def _last_entry(self):
        lead = self.raft.leader
        if lead is None or not lead.log:
            return None
        term, payload = lead.log[-1]
        return (lead.index, term, payload)

    @staticmethod
    def _etcd_key(key: str) -> str:
        if key.startswith("deployment/"):
            return "/registry/deployments/default/" + key.split("/", 1)[1]
        return "/registry/configmaps/default/" + key

    def _client(self, i: int, keys: list[str]) -> None:
        counter = [0]
        result = self.result

        def issue():
            if self.loop.now >= self.stop_at:
                return
            counter[0] += 1
            r = self.rng.random()
            if r < 0.05:
                op = Operation(i, "deployment/" + DEPLOYMENT, "write", self.rng.randint(1, 3))
            elif r < 0.1:
                op = Operation(i, "deployment/" + DEPLOYMENT, "read")
            else:
                key = self.rng.choice(keys)
                op = Operation(i, key, "write", f"c{i}-{counter[0]}") if r < 0.55 else Operation(i, key, "read")
            op.start = self.loop.now
            result.operations.append(op)
            self._attempt(op, finished)

        def finished(op):
            self._sample(full=False)
            self.loop.call_later(self.rng.uniform(0.1, 0.6), issue, "fault-checker client thinks")

        self.loop.call_later(self.rng.uniform(0.0, 0.3), issue, "fault-checker client starts")

    # -- faults -------------------------------------------------------------------
    def _apply(self, f: Fault) -> None:
        c = self.cluster
        try:
            if f.kind == "stop":
                c.stop_master(f.members[0])
            elif f.kind == "start":
                c.start_master(f.members[0])
            elif f.kind == "partition":
                c.partition(*f.members)
            elif f.kind == "heal":
                c.heal()
            elif f.kind == "delay":
                self.raft.set_link(*f.members, delay=f.value)
            elif f.kind == "loss":
                self.raft.set_link(*f.members, loss=f.value)
            else:
                raise ValueError(f"unknown fault kind {f.kind!r}")
        except ValueError as e:
            if "unknown fault" in str(e):
                raise
            # Not possible now (the last running master cannot be stopped): the fault is skipped,
            # the same way on every replay.
        self._sample()

    def _heal_everything(self) -> None:
        self.cluster.heal()
        for name in masters_of(self.masters):
            self.cluster.start_master(name)
        self._sample()

    # -- checks -------------------------------------------------------------------
    def _sample(self, full: bool = True) -> None:
        """Every member's committed entries must agree with what any member ever committed.
        ``full=False`` compares only the entries after those it compared last time (after
        every answer); the full comparison runs at every fault and after every schedule."""
        ref = self.committed
        for m in self.raft.members.values():
            n = min(m.commit, len(m.log))
            k = min(n, len(ref))
            lo = 0 if full else min(self._checked.get(m.name, 0), k)
            self._checked[m.name] = n
            if m.log[lo:k] != ref[lo:k]:
                i = next(j for j in range(lo, k) if m.log[j] != ref[j])
                self._violation(f"at t={self.loop.now:.3f}s {m.name}'s committed entry {i + 1} is {m.log[i]}, "
                                f"but {ref[i]} was committed at that index")
                del ref[i:]  # reported once: go on from this member's log
                k = i
            if n > len(ref):
                ref.extend(m.log[len(ref):n])

    def _violation(self, text: str) -> None:
        if self.result is not None and text not in self.result.violations and len(self.result.violations) < 50:
            self.result.violations.append(text)

    def _deployment_converged(self) -> bool:
        dep = self.api.get("deployments", DEPLOYMENT)
        want, status = dep["spec"]["replicas"], dep.get("status") or {}
        return (status.get("observedGeneration") == dep["metadata"].get("generation")
                and status.get("readyReplicas", 0) == want == status.get("updatedReplicas", 0)
                and status.get("replicas", 0) == want)

    def _check(self, initial: dict) -> None:
        res = self.result
        lead = self.raft.leader
        if lead is None:
            self._violation("no etcd leader after every fault healed")
            return
        for op in res.operations:
            if op.kind == "write" and op.status == "ok" and op.entry is not None:
                index, term, payload = op.entry
                if index > lead.commit or lead.log[index - 1] != (term, payload):
                    self._violation(f"the write of {op.value!r} to {op.key} acknowledged at t={op.end:.3f}s "
                                    f"(raft entry {index}, term {term}) is not in the committed log")
        for m in self.raft.members.values():
            if m.commit != lead.commit or m.log != lead.log:
                self._violation(f"{m.name} did not catch up with the leader after the faults healed "
                                f"(commit {m.commit} of {lead.commit})")
        by_key = collections.defaultdict(list)
        for op in res.operations:
            by_key[op.key].append(op)
        for key, ops in sorted(by_key.items()):
            why = linearizable(ops, initial[key])
            if why:
                self._violation(f"{key}: {why}")
        dep = self.api.get("deployments", DEPLOYMENT)
        want = dep["spec"]["replicas"]
        status = dep.get("status") or {}
        pods = [p for p in self.api.list("pods", "default", label_selector=f"app={DEPLOYMENT}")
                if (p.get("status") or {}).get("phase") == "Running" and not p["metadata"].get("deletionTimestamp")]
        if status.get("readyReplicas", 0) != want or status.get("updatedReplicas", 0) != want or len(pods) != want:
            self._violation(f"Deployment {DEPLOYMENT} wants {want} replicas after the faults healed, but has "
                            f"{status.get('readyReplicas', 0)} ready and {len(pods)} running pods")

    def _final_reads(self, keys: list[str]) -> None:
        """After the heal, one more consistent read of every register (it must be answered)."""
        for key in keys:
            op = Operation(-1, key, "read", start=self.loop.now)
            self.result.operations.append(op)
            try:
                op.value = self._do(op)
                op.status, op.end = "ok", self.loop.now
            except errors.StatusError as e:
                op.status, op.error, op.end = "error", str(e), self.loop.now
                self._violation(f"the read of {key} after every fault healed failed: {e}")

    def run(self, schedule: list[Fault]) -> Result:
        """Run one schedule from now on, heal everything, and check what the clients saw."""
        self.result = res = Result(self.seed, self.masters, list(schedule))
        self.rounds += 1
        keys = [f"s{self.rounds}-{k}" for k in KEYS]
        initial = {}
        for k in keys:
            self.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": k, "namespace": "default"},
                             "data": {"v": "init"}})
            initial[k] = "init"
        initial["deployment/" + DEPLOYMENT] = self.api.get("deployments", DEPLOYMENT)["spec"]["replicas"]
        start = self.loop.now
        self.stop_at = start + DURATION
        for i in range(CLIENTS):
            self._client(i, keys)
        for f in schedule:
            self.loop.call_at(start + f.at, lambda f=f: self._apply(f), f"fault {f.kind}")
        self.loop.call_at(self.stop_at, self._heal_everything, "every fault heals")
        self.cluster.advance(DURATION)
        waited = 0.0
        while any(o.status == "pending" for o in res.operations) and waited < self.storage.request_timeout + 1:
            self.cluster.advance(0.5)  # the last requests are answered or time out
            waited += 0.5
        # The Leases of the controllers may have to expire and move (15 s); then the controllers
        # catch up.  The Deployment has HEAL_WAIT seconds to get there.
        waited = 0.0
        while not self._deployment_converged() and waited < HEAL_WAIT:
            self.cluster.advance(1.0)
            waited += 1.0
        self.cluster.settle()
        self._sample()
        self._final_reads(keys + ["deployment/" + DEPLOYMENT])
        self._check(initial)
        res.leaders = {t: sorted(n) for t, n in self.leaders.items()}
        self.result = None
        return res


def run_schedule(seed: int, masters: int, schedule: list[Fault]) -> Result:
    """Run ``schedule`` alone on a fresh cluster and check it (what a replay does)."""
    with Runner(seed, masters) as r:
        return r.run(schedule)


def shrink(seed: int, masters: int, schedule: list[Fault]) -> list[Fault]:
    """The shortest schedule found that still fails on a fresh cluster: drop faults one at a
    time (delta debugging with chunks of one) as long as the run still has a violation."""
    current = list(schedule)
    changed = True
    while changed and current:
        changed = False
        for i in range(len(current)):
            trial = current[:i] + current[i + 1:]
            if not run_schedule(seed, masters, trial).ok:
                current, changed = trial, True
                break
    return current


def run(seed: int, masters: int, schedules: int = 1, *, shrink_failures: bool = True) -> list[Result]:
    """Run ``schedules`` schedules generated from ``seed`` (schedule i from seed ``seed * 1000
    + i``) one after another on one cluster.  A failed one is replayed alone and, if it
    still fails, shrunk: its result then holds the shortest schedule that still fails."""
    results = []
    with Runner(seed, masters) as r:
        for i in range(schedules):
            results.append(r.run(generate(seed * 1000 + i, masters)))
            results[-1].position = i
    if shrink_failures:
        for i, res in enumerate(results):
            if res.ok:
                continue
            alone = run_schedule(seed, masters, res.schedule)
            res.fails_alone = not alone.ok
            if not alone.ok:
                shortest = shrink(seed, masters, res.schedule)
                results[i] = run_schedule(seed, masters, shortest)
                results[i].shrunk_from, results[i].position, results[i].fails_alone = res.schedule, i, True
    return results
