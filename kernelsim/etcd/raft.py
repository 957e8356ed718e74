"""etcd's raft: the members elect a leader, and a write counts only once a majority has it.

A small, event-driven model of the parts of raft that a learner can observe
(etcd's ``raft`` package, with the defaults of etcd 3.6 as kubeadm runs it):

- every member is a *follower*, a *candidate* or the *leader* of a *term*;
- the leader sends a heartbeat every ``HEARTBEAT_INTERVAL``; a follower that hears
  nothing for its *election timeout* (randomized in [``ELECTION_TIMEOUT``,
  2 x ``ELECTION_TIMEOUT``), so that two followers rarely time out together)
  asks the others for their votes;
- *pre-vote* (on by default in etcd): a follower first asks whether it could win,
  so an isolated member does not raise the term and disturb the others;
- a candidate wins with the votes of a majority (a *quorum*) whose logs are no
  newer than its own, so a member that missed writes cannot become leader;
- *check-quorum*: a leader that cannot reach a majority for an election timeout
  steps down;
- a write (a proposal) is an entry appended to the leader's log; it is committed
  when a majority of members has appended it, and a follower's log is made to
  match the leader's (raft's AppendEntries consistency check: a follower drops
  entries that conflict with the leader's, which can only be uncommitted ones);
- without a leader that can reach a majority, a write cannot commit: the
  request waits up to etcd's request timeout (``REQUEST_TIMEOUT_SECONDS``, 7 s:
  5 s plus two election timeouts) for a leader, then fails with
  ``etcdserver: request timed out``, as kube-apiserver then reports (the waiting
  is done by the callers, on the simulated clock: see ``kernelsim/apiserver``);
- the transport between two members can be slowed (a delay per message) and can
  lose messages (a loss rate): a lost append is sent again with the next
  heartbeat, so both make writes slower; a delay of a whole election timeout or
  more cuts the link for elections as a partition does.

The heartbeats themselves are not scheduled while nothing fails (they would only
reset timers); the model computes when followers notice a fault instead, which
gives the same elections at a fraction of the cost.  The key-value data stays in
one :class:`~kernelsim.etcd.mvcc.MVCCStore`, the state machine that every
member applies the committed entries to.
"""

from __future__ import annotations

import collections
import datetime as _dt
import hashlib
import json
import math
import random
from dataclasses import dataclass, field
from typing import Callable

ELECTION_TIMEOUT = 1.0      # etcd --election-timeout=1000 (ms)
HEARTBEAT_INTERVAL = 0.1    # etcd --heartbeat-interval=100 (ms)
MESSAGE_DELAY = 0.002       # one message between two masters
FSYNC_MEDIAN = 0.002        # one write to the member's disk (fsync of its write-ahead log)
REQUEST_TIMEOUT = "etcdserver: request timed out"
# etcd's ReqTimeout(): 5 s plus two election timeouts (server/config/config.go).
REQUEST_TIMEOUT_SECONDS = 5.0 + 2 * ELECTION_TIMEOUT
ETCD_VERSION = "3.6.5"


class NoQuorumError(Exception):
    """A proposal or a linearizable read that no leader with a quorum can serve."""

    def __init__(self, message: str = REQUEST_TIMEOUT):
        super().__init__(message)


@dataclass
class Member:
    """One etcd member (one per master, named after its machine as kubeadm does)."""

    name: str
    id: str
    ip: str
    state: str = "follower"      # follower, candidate (after a pre-vote) or leader
    term: int = 1
    voted_for: str | None = None
    # The member's log: one (term, payload) per entry; entry i (from 1) is log[i - 1].
    log: list = field(default_factory=list)
    commit: int = 0              # the entries up to here are committed (the commit index)
    alive: bool = True
    side: int = 0                # members on different sides of a partition cannot talk
    leader: str | None = None    # the leader this member follows
    timer: object = None
    applied: int = 0

    @property
    def index(self) -> int:
        """The last entry of its log."""
        return len(self.log)

    @property
    def log_term(self) -> int:
        """The term of that entry."""
        return self.log[-1][0] if self.log else 0

    @property
    def peer_url(self) -> str:
        return f"https://{self.ip}:2380"

    @property
    def client_url(self) -> str:
        return f"https://{self.ip}:2379"


class Raft:
    """The etcd cluster's members and their raft state, on the simulation's clock."""

    def __init__(self, loop, members: list[tuple[str, str]], *, log: Callable[[str, str], None] | None = None,
                 wall: Callable[[], _dt.datetime] | None = None):
        if not members:
            raise ValueError("an etcd cluster needs at least one member")
        self.loop = loop
        # Its own stream, derived from the cluster's seed: the same seed gives the same
        # elections, and faults do not shift the names drawn from the cluster's stream.
        self.rng = random.Random(f"etcd-raft-{getattr(loop, 'seed', 0)}")
        self.log_sink = log
        self.wall = wall
        self.members: dict[str, Member] = {}
        for name, ip in members:
            # etcd derives a member's ID from a hash of its peer URLs and the cluster's name.
            digest = hashlib.sha1(f"https://{ip}:2380etcd-cluster".encode()).digest()
            self.members[name] = Member(name, digest[:8].hex(), ip)
        self.commit_latencies: collections.deque[float] = collections.deque(maxlen=5000)
        self.messages = 0           # raft messages between members for the writes so far
        self.listeners: list[Callable[[], None]] = []
        # Observers of elections: fn(member, term) whenever a member becomes leader.
        self.on_leader: list[Callable[[Member, int], None]] = []
        # The transport between members: (a, b) -> seconds added to each message, and
        # (a, b) -> the fraction of messages lost (both directions; see set_link()).
        self.delays: dict[frozenset, float] = {}
        self.losses: dict[frozenset, float] = {}
        # Bootstrap: the members start together and elect the first leader at once.
        first = next(iter(self.members.values()))
        self._become_leader(first, term=2)

    # -- views ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def quorum(self) -> int:
        return self.size // 2 + 1

    @property
    def leader(self) -> Member | None:
        """The leader that can commit: alive and able to reach a majority."""
        need = self._commit_quorum()
        leaders = [m for m in self.members.values()
                   if m.state == "leader" and m.alive and self._reachable_count(m) >= need]
        return max(leaders, key=lambda m: m.term, default=None)

    @property
    def leader_name(self) -> str | None:
        m = self.leader
        return m.name if m else None

    @property
    def term(self) -> int:
        return max(m.term for m in self.members.values())

    def serves(self, name: str) -> bool:
        """The member runs and can reach a leader that leads a majority."""
        m, lead = self.members.get(name), self.leader
        return m is not None and lead is not None and self._can_talk(m, lead)

    def has_quorum(self) -> bool:
        return self.leader is not None

    def _commit_quorum(self) -> int:
        """How many members must have an entry before it counts as committed: a majority.
        (A test breaks raft on purpose by making this smaller, to show the fault-schedule
        checker catches it.)"""
        return self.quorum

    def _can_talk(self, a: Member, b: Member) -> bool:
        return a.alive and b.alive and a.side == b.side and (
            not self.delays or a is b or self.delays.get(frozenset((a.name, b.name)), 0.0) < ELECTION_TIMEOUT)

    def _reachable(self, m: Member) -> list[Member]:
        return [o for o in self.members.values() if self._can_talk(m, o)]

    def _reachable_count(self, m: Member) -> int:
        return len(self._reachable(m))

    def _follows_live_leader(self, m: Member) -> bool:
        lead = self.members.get(m.leader or "")
        return lead is not None and lead.state == "leader" and self._can_talk(m, lead)

    # -- logging ----------------------------------------------------------------------
    def _log(self, m: Member, msg: str, level: str = "info", logger: str = "raft") -> None:
        if self.log_sink is None:
            return
        ts = (self.wall() if self.wall else _dt.datetime.now(_dt.timezone.utc))
        line = json.dumps({"level": level, "ts": ts.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "logger": logger,
                           "caller": "etcdserver/zap_raft.go:77", "msg": msg}, separators=(",", ":"))
        self.log_sink(m.name, line)

    def _changed(self) -> None:
        for fn in list(self.listeners):
            fn()

    # -- the write path ---------------------------------------------------------------
    def propose(self, payload=None) -> int:
        """Append one entry to the leader's log and replicate it; returns its index once
        a majority has it (its commit latency is then ``commit_latencies[-1]``)."""
        lead = self.leader
        if lead is None:
            raise NoQuorumError()
        lead.log.append((lead.term, payload))
        peers = self._reachable(lead)
        for o in peers:
            if o is not lead:
                self._replicate(lead, o)
        if len(peers) < self._commit_quorum():
            raise NoQuorumError()
        self._commit(lead, peers)
        self.commit_latencies.append(self._commit_latency(lead, peers))
        self.messages += 2 * (len(peers) - 1)  # an append to each follower, and its answer
        return lead.index

    def _replicate(self, lead: Member, o: Member) -> None:
        """AppendEntries: the follower keeps the longest prefix of its log that agrees with
        the leader's (same term at the same index) and takes the leader's entries after it."""
        n = min(len(o.log), len(lead.log))
        while n > 0 and o.log[n - 1][0] != lead.log[n - 1][0]:
            n -= 1
        if n < len(o.log):
            del o.log[n:]
            o.commit = min(o.commit, n)
        o.log.extend(lead.log[n:])

    def _commit(self, lead: Member, peers: list[Member]) -> None:
        lead.commit = lead.applied = lead.index
        for o in peers:
            o.commit = o.applied = min(lead.commit, o.index)

    def _commit_latency(self, lead: Member, peers: list[Member]) -> float:
        """How long the write waits: the leader's disk write, and the quorum-th fastest
        of the followers' (a round trip plus their own disk write).  Disk writes (fsync)
        take about 2 ms, with a long tail; a slow link adds its delay each way, and a lost
        append is sent again with the next heartbeat."""
        times = [self.rng.lognormvariate(math.log(FSYNC_MEDIAN), 0.5)]
        for o in peers:
            if o is lead:
                continue
            times.append(self._round_trip(lead, o) + self.rng.lognormvariate(math.log(FSYNC_MEDIAN), 0.5))
        times.sort()
        return times[min(self.quorum, len(times)) - 1]

    def _round_trip(self, a: Member, b: Member) -> float:
        link = frozenset((a.name, b.name))
        rtt = 2 * (MESSAGE_DELAY + self.delays.get(link, 0.0))
        loss = self.losses.get(link, 0.0)
        if loss > 0:
            while self.rng.random() < loss:  # lost: the next heartbeat carries it again
                rtt += HEARTBEAT_INTERVAL
        return rtt

    def read_index(self) -> int:
        """A linearizable read: the leader confirms it still leads a majority."""
        lead = self.leader
        if lead is None:
            raise NoQuorumError()
        return lead.commit

    def read_latency(self) -> float:
        """How long a linearizable read waits: one heartbeat round to a majority."""
        lead = self.leader
        if lead is None:
            return 0.0
        rtts = sorted([0.0] + [self._round_trip(lead, o) for o in self._reachable(lead) if o is not lead])
        return rtts[min(self.quorum, len(rtts)) - 1]

    # -- the transport ------------------------------------------------------------------
    def set_link(self, a: str, b: str, *, delay: float | None = None, loss: float | None = None) -> None:
        """Slow the messages between members ``a`` and ``b`` by ``delay`` seconds each, or lose
        a fraction ``loss`` (0 to < 1) of them.  ``delay=0, loss=0`` mends the link."""
        for n in (a, b):
            if n not in self.members:
                raise KeyError(f"no etcd member named {n!r}; members: {', '.join(self.members)}")
        link = frozenset((a, b))
        if delay is not None:
            if delay < 0:
                raise ValueError("a delay cannot be negative")
            self.delays[link] = float(delay)
            if not delay:
                del self.delays[link]
        if loss is not None:
            if not 0 <= loss < 1:
                raise ValueError("a loss rate is at least 0 and below 1 (a partition cuts a link)")
            self.losses[link] = float(loss)
            if not loss:
                del self.losses[link]
        self._after_fault()

    # -- faults -----------------------------------------------------------------------
    def stop(self, name: str) -> None:
        """The member's machine stops (or its etcd container dies)."""
        m = self.members[name]
        if not m.alive:
            return
        self._cancel(m)
        m.alive = False
        m.state, m.leader = "follower", None
        self._after_fault()

    def start(self, name: str) -> None:
        """The member comes back: it rejoins as a follower and catches up with the leader."""
        m = self.members[name]
        if m.alive:
            return
        m.alive = True
        m.state = "follower"
        self._log(m, f"{m.id} became follower at term {m.term}")
        self._after_fault()

    def partition(self, *groups: list[str]) -> None:
        """Cut the network: members in different ``groups`` cannot talk (the rest is one more group)."""
        named = [n for g in groups for n in g]
        unknown = [n for n in named if n not in self.members]
        if unknown:
            raise KeyError(f"no etcd member named {unknown[0]!r}; members: {', '.join(self.members)}")
        for m in self.members.values():
            m.side = 0
        for i, g in enumerate(groups, start=1):
            for n in g:
                self.members[n].side = i
        self._after_fault()

    def heal(self) -> None:
        """The network is whole again (slow and lossy links too)."""
        for m in self.members.values():
            m.side = 0
        self.delays.clear()
        self.losses.clear()
        self._after_fault()

    def _after_fault(self) -> None:
        now = self.loop.now
        # The last heartbeat that reached the followers was sent at the last tick.
        last_beat = (now // HEARTBEAT_INTERVAL) * HEARTBEAT_INTERVAL
        for m in self.members.values():
            # A leader that hears of a newer term (a partition healed) steps down.
            newer = max((o.term for o in self._reachable(m)), default=m.term)
            if m.alive and m.state == "leader" and newer > m.term:
                self._cancel(m)
                m.state, m.term, m.voted_for, m.leader = "follower", newer, None, None
                self._log(m, f"{m.id} became follower at term {newer}")
        for m in self.members.values():
            if not m.alive:
                continue
            if m.state == "leader":
                if self._reachable_count(m) < self.quorum and m.timer is None:
                    # check-quorum: no majority answered for a whole election timeout.
                    m.timer = self.loop.call_at(now + ELECTION_TIMEOUT, lambda m=m: self._step_down(m),
                                                f"etcd {m.name} check quorum")
                continue
            lead = self._live_leader_for(m)
            if lead is not None:
                self._follow(m, lead)
                continue
            if m.timer is None:
                self._arm(m, last_beat, background=False)
        self._changed()

    def _live_leader_for(self, m: Member) -> Member | None:
        """A leader this member can hear, in a term at least its own."""
        for o in self.members.values():
            if o.state == "leader" and o.alive and self._can_talk(m, o) and o.term >= m.term:
                return o
        return None

    def _cancel(self, m: Member) -> None:
        if m.timer is not None:
            m.timer.cancel()
            m.timer = None

    def _arm(self, m: Member, since: float, background: bool) -> None:
        timeout = ELECTION_TIMEOUT * (1 + self.rng.random())
        m.timer = self.loop.call_at(max(self.loop.now, since + timeout), lambda: self._timeout(m),
                                    f"etcd {m.name} election timeout", background=background)

    def _step_down(self, m: Member) -> None:
        m.timer = None
        if m.state != "leader" or not m.alive:
            return
        if self._reachable_count(m) >= self.quorum:
            return
        m.state, m.leader = "follower", None
        self._log(m, f"{m.id} stepped down to follower since quorum is not active", level="warn")
        self._log(m, f"{m.id} became follower at term {m.term}")
        self._arm(m, self.loop.now, background=True)
        self._changed()

    def _follow(self, m: Member, lead: Member) -> None:
        self._cancel(m)
        if m.term < lead.term:
            m.term, m.voted_for = lead.term, None
            self._log(m, f"{m.id} became follower at term {lead.term}")
        if m.state != "follower":
            m.state = "follower"
        if m.leader != lead.name:
            m.leader = lead.name
            self._log(m, f"raft.node: {m.id} elected leader {lead.id} at term {lead.term}")
        if m.log != lead.log:  # the leader sends the entries it missed
            self._replicate(lead, m)
        m.commit = m.applied = min(lead.commit, m.index)

    def _log_ok(self, candidate: Member, voter: Member) -> bool:
        return (candidate.log_term, candidate.index) >= (voter.log_term, voter.index)

    def _timeout(self, m: Member) -> None:
        """An election timeout fired: pre-vote, then an election if a majority would vote."""
        m.timer = None
        if not m.alive or m.state == "leader":
            return
        lead = self._live_leader_for(m)
        if lead is not None:
            self._follow(m, lead)
            return
        m.leader = None
        self._log(m, f"{m.id} is starting a new election at term {m.term}")
        peers = self._reachable(m)
        pre = [v for v in peers if v is m or (not self._follows_live_leader(v) and self._log_ok(m, v))]
        if len(pre) < self.quorum:
            # Pre-vote failed: the term stays, the member keeps trying quietly.
            self._log(m, f"{m.id} became pre-candidate at term {m.term}")
            self._arm(m, self.loop.now, background=True)
            self._changed()
            return
        m.term += 1
        m.state, m.voted_for = "candidate", m.name
        self._log(m, f"{m.id} became candidate at term {m.term}")
        votes = [m]
        for v in peers:
            if v is m:
                continue
            if v.term < m.term:
                v.term, v.voted_for = m.term, None
                if v.state == "leader":  # an old leader that could not lead a majority anyway
                    v.state = "follower"
            if v.voted_for in (None, m.name) and self._log_ok(m, v):
                v.voted_for = m.name
                self._cancel(v)
                votes.append(v)
                self._log(v, f"{v.id} [logterm: {v.log_term}, index: {v.index}, vote: {m.id}] cast MsgVote "
                             f"for {m.id} [logterm: {m.log_term}, index: {m.index}] at term {m.term}")
        if len(votes) >= self.quorum:
            self.loop.call_later(2 * MESSAGE_DELAY, lambda: self._won(m, m.term), f"etcd {m.name} wins election")
        else:
            m.state = "follower"
            self._arm(m, self.loop.now, background=True)
        self._changed()

    def _won(self, m: Member, term: int) -> None:
        if not m.alive or m.term != term or m.state != "candidate":
            return
        self._log(m, f"{m.id} received MsgVoteResp from a quorum at term {term}")
        self._become_leader(m, term)

    def _become_leader(self, m: Member, term: int) -> None:
        self._cancel(m)
        m.term, m.state, m.leader, m.voted_for = term, "leader", m.name, m.name
        # A new leader appends an empty entry of its own term, which commits its predecessors'.
        m.log.append((term, None))
        self._log(m, f"{m.id} became leader at term {term}")
        self._log(m, f"raft.node: {m.id} elected leader {m.id} at term {term}")
        for fn in list(self.on_leader):
            fn(m, term)
        peers = self._reachable(m)
        for o in peers:
            if o is not m:
                self._replicate(m, o)
        if len(peers) >= self._commit_quorum():
            self._commit(m, peers)
        for o in peers:
            if o is not m:
                self._follow(o, m)
        self._after_fault()

    # -- etcdctl ----------------------------------------------------------------------
    def status_rows(self, db_size: int = 0) -> list[dict]:
        """``etcdctl endpoint status --cluster``: one row per member."""
        rows = []
        for m in self.members.values():
            rows.append({"endpoint": m.client_url, "id": m.id, "name": m.name, "version": ETCD_VERSION,
                         "db_size": db_size, "is_leader": m.state == "leader" and m.alive,
                         "raft_term": m.term, "raft_index": m.index, "applied_index": m.applied,
                         "alive": m.alive, "side": m.side})
        return rows
