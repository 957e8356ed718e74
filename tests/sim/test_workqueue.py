"""The controllers' work queue: de-duplication, rate-limited retries, and pausing while
the process is not the leader (kernelsim.client.workqueue)."""

from kernelsim.client.workqueue import WorkQueue
from kernelsim.sim import EventLoop


def test_a_key_waiting_is_not_added_twice():
    loop = EventLoop(0)
    seen = []
    q = WorkQueue(loop, seen.append, "test")
    q.add("a")
    q.add("a")
    q.add("b")
    loop.settle()
    assert seen == ["a", "b"]


def test_rate_limited_retries_back_off_exponentially_on_the_simulated_clock():
    loop = EventLoop(0)
    times = []
    q = WorkQueue(loop, lambda key: times.append(loop.now), "test", base_delay=1.0)
    for _ in range(3):
        q.add_rate_limited("k")
        loop.settle()
    assert times == [1.0, 3.0, 7.0]
    q.forget("k")
    q.add_rate_limited("k")
    loop.settle()
    assert times[-1] == 8.0


def test_a_paused_queue_holds_its_keys_and_processes_them_once_resumed():
    loop = EventLoop(0)
    seen = []
    q = WorkQueue(loop, seen.append, "test")
    q.pause()
    q.add("b")
    q.add("a")
    loop.settle()
    assert seen == []
    q.add("a")  # still one key
    loop.settle()
    q.resume()
    loop.settle()
    assert seen == ["a", "b"]
