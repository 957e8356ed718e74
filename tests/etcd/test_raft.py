"""etcd's raft model: elections, quorum, pre-vote, check-quorum and catching up.

The model runs on the simulation's event loop alone, with no cluster around it.
"""

import pytest

from kernelsim.etcd.raft import ELECTION_TIMEOUT, NoQuorumError, Raft
from kernelsim.sim import EventLoop


def make(n: int, seed: int = 0) -> tuple[EventLoop, Raft]:
    loop = EventLoop(seed)
    raft = Raft(loop, [(f"m{i + 1}", f"192.168.0.{10 + i}") for i in range(n)])
    return loop, raft


def run(loop: EventLoop, seconds: float) -> None:
    loop.run_until(loop.now + seconds)


def test_the_first_member_leads_at_boot_and_every_member_follows_it():
    _, raft = make(3)
    assert raft.leader_name == "m1"
    assert raft.quorum == 2
    assert {m.leader for m in raft.members.values()} == {"m1"}
    assert {m.term for m in raft.members.values()} == {2}


@pytest.mark.parametrize("n,quorum", [(1, 1), (2, 2), (3, 2), (4, 3), (5, 3), (7, 4)])
def test_quorum_is_a_majority(n, quorum):
    assert make(n)[1].quorum == quorum


def test_a_write_reaches_every_member_it_can_talk_to():
    _, raft = make(3)
    before = raft.members["m1"].index
    assert raft.propose() == before + 1
    assert {m.index for m in raft.members.values()} == {before + 1}


def test_losing_the_leader_elects_a_new_one_within_two_election_timeouts():
    loop, raft = make(3)
    raft.stop("m1")
    assert raft.leader is None
    with pytest.raises(NoQuorumError, match="etcdserver: request timed out"):
        raft.propose()
    loop.settle()  # the election timers are foreground work: settle waits for them
    assert raft.leader_name in ("m2", "m3")
    assert loop.now <= 2 * ELECTION_TIMEOUT + 0.01
    assert raft.term == 3
    raft.propose()


def test_without_a_majority_there_is_no_leader_and_no_write():
    loop, raft = make(3)
    raft.stop("m1")
    loop.settle()
    raft.stop(raft.leader_name)
    run(loop, 30)
    assert raft.leader is None and not raft.has_quorum()
    with pytest.raises(NoQuorumError):
        raft.propose()
    with pytest.raises(NoQuorumError):
        raft.read_index()


def test_pre_vote_keeps_an_isolated_member_from_raising_the_term():
    loop, raft = make(3)
    raft.partition(["m3"])
    run(loop, 30)  # m3 times out again and again, but cannot win a pre-vote
    assert raft.leader_name == "m1"
    assert raft.members["m3"].term == 2
    raft.heal()
    assert raft.members["m3"].leader == "m1"
    assert raft.term == 2


def test_a_leader_cut_off_from_the_majority_steps_down_and_the_majority_elects_another():
    loop, raft = make(5)
    raft.partition(["m1", "m2"])  # the leader is on the minority side
    run(loop, 3)
    m1 = raft.members["m1"]
    assert m1.state == "follower"  # check-quorum
    assert raft.leader_name in ("m3", "m4", "m5")
    index = raft.propose()
    assert m1.index < index  # the minority missed the write
    raft.heal()
    run(loop, 1)
    assert m1.index == index and m1.leader == raft.leader_name  # and caught up


def test_a_member_that_missed_writes_cannot_become_leader():
    loop, raft = make(3)
    raft.stop("m3")
    for _ in range(5):
        raft.propose()
    raft.stop("m1")  # m2 has the writes; m3 does not
    raft.start("m3")
    run(loop, 5)
    assert raft.leader_name == "m2"
    assert raft.members["m3"].index == raft.members["m2"].index


def test_a_restarted_member_rejoins_as_a_follower_and_catches_up():
    loop, raft = make(3)
    raft.stop("m2")
    for _ in range(3):
        raft.propose()
    raft.start("m2")
    m2 = raft.members["m2"]
    assert m2.state == "follower" and m2.leader == "m1"
    assert m2.index == raft.members["m1"].index


def test_the_same_seed_elects_the_same_leader_at_the_same_time():
    outcomes = []
    for _ in range(2):
        loop, raft = make(5, seed=11)
        raft.stop("m1")
        loop.settle()
        outcomes.append((raft.leader_name, loop.now, raft.term))
    assert outcomes[0] == outcomes[1]


def test_elections_are_logged_as_etcd_does():
    lines = []
    loop = EventLoop(0)
    raft = Raft(loop, [("a", "10.0.0.1"), ("b", "10.0.0.2"), ("c", "10.0.0.3")],
                log=lambda member, line: lines.append((member, line)))
    raft.stop("a")
    loop.settle()
    new = raft.leader
    text = "\n".join(line for _, line in lines)
    assert f"{new.id} became candidate at term 3" in text
    assert f"{new.id} became leader at term 3" in text
    assert '"logger":"raft"' in text
    assert any(m != new.name and f"elected leader {new.id} at term 3" in line for m, line in lines)


def test_more_members_cost_more_messages_per_write():
    costs = {}
    for n in (1, 3, 5):
        _, raft = make(n)
        raft.propose()
        costs[n] = raft.messages
    assert costs == {1: 0, 3: 4, 5: 8}


def test_unknown_members_are_refused():
    _, raft = make(3)
    with pytest.raises(KeyError, match="no etcd member named 'm9'"):
        raft.partition(["m9"])


def test_every_member_keeps_the_leaders_log_and_its_commit_index():
    loop, raft = make(3)
    for i in range(3):
        raft.propose(("update", f"/registry/configmaps/default/c{i}"))
    logs = {name: list(m.log) for name, m in raft.members.items()}
    assert len({tuple(log) for log in logs.values()}) == 1
    assert logs["m1"][-1] == (2, ("update", "/registry/configmaps/default/c2"))
    assert {m.commit for m in raft.members.values()} == {raft.members["m1"].index}


def test_a_write_the_leader_cannot_commit_is_overwritten_by_the_next_leader():
    loop, raft = make(3)
    raft.partition(["m1"])            # m1 still thinks it leads, for one election timeout
    old = raft.members["m1"]
    with pytest.raises(NoQuorumError):
        raft.propose()                # the leader property refuses: m1 cannot reach a majority
    old.log.append((old.term, "uncommitted"))  # what a stale leader would append before it steps down
    run(loop, 3)
    index = raft.propose("after")
    raft.heal()
    assert old.log == raft.leader.log and old.commit == index
    assert (2, "uncommitted") not in old.log


def test_a_slow_or_lossy_link_makes_writes_wait_longer_but_they_commit():
    loop, raft = make(3)
    raft.propose()
    base = raft.commit_latencies[-1]
    raft.set_link("m1", "m2", delay=0.2, loss=0.5)
    raft.set_link("m1", "m3", delay=0.2, loss=0.5)
    for _ in range(20):
        raft.propose()
    slow = list(raft.commit_latencies)[-20:]
    assert min(slow) > 0.4 > base       # a round trip over the slow link, at least
    assert max(slow) >= 0.4 + 0.1       # some appends to both were lost and sent again with a heartbeat
    assert raft.leader_name == "m1"     # slow is not cut: nobody starts an election
    raft.heal()
    raft.propose()
    assert raft.commit_latencies[-1] < 0.05


def test_a_delay_of_an_election_timeout_cuts_the_link_like_a_partition():
    loop, raft = make(3)
    raft.set_link("m1", "m2", delay=ELECTION_TIMEOUT)
    raft.set_link("m1", "m3", delay=ELECTION_TIMEOUT)
    run(loop, 5)
    assert raft.leader_name in ("m2", "m3") and raft.members["m1"].state == "follower"


def test_bad_link_settings_are_refused():
    _, raft = make(3)
    with pytest.raises(ValueError, match="below 1"):
        raft.set_link("m1", "m2", loss=1.0)
    with pytest.raises(ValueError, match="negative"):
        raft.set_link("m1", "m2", delay=-1)
    with pytest.raises(KeyError, match="no etcd member named 'm9'"):
        raft.set_link("m1", "m9", delay=0.1)
    assert raft.delays == {} and raft.losses == {}


def test_observers_hear_of_every_new_leader():
    loop, raft = make(3)
    seen = []
    raft.on_leader.append(lambda m, term: seen.append((m.name, term)))
    raft.stop("m1")
    loop.settle()
    assert seen == [(raft.leader_name, 3)]
