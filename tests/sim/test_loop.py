"""The event loop: one clock, ties in insertion order, seeded randomness."""

import threading
import time

from kernelsim.sim import EventLoop, RealtimeDriver


def test_timers_run_in_time_then_insertion_order():
    loop = EventLoop()
    seen = []
    loop.call_at(5, lambda: seen.append("b"))
    loop.call_at(1, lambda: seen.append("a"))
    loop.call_at(5, lambda: seen.append("c"))  # same time as "b": runs after it
    loop.run_until(10)
    assert seen == ["a", "b", "c"]
    assert loop.now == 10


def test_time_moves_only_when_stepped():
    loop = EventLoop()
    loop.call_later(3, lambda: None)
    assert loop.now == 0
    loop.step()
    assert loop.now == 3


def test_cancelled_timer_never_runs():
    loop = EventLoop()
    seen = []
    t = loop.call_later(1, lambda: seen.append(1))
    t.cancel()
    loop.run_until(5)
    assert seen == []


def test_settle_ignores_background_heartbeats_but_fires_them():
    loop = EventLoop()
    beats = []

    def heartbeat():
        beats.append(loop.now)
        loop.call_later(10, heartbeat, background=True)

    loop.call_later(10, heartbeat, background=True)
    loop.call_later(25, lambda: None)  # foreground work at t=25
    advanced = loop.settle()
    assert advanced == 25
    assert beats == [10, 20]


def test_settle_stops_at_max_seconds_for_endless_work():
    loop = EventLoop()

    def again():
        loop.call_later(1, again)

    loop.call_later(1, again)
    assert loop.settle(max_seconds=30) == 30


def test_same_seed_same_random_choices():
    a, b = EventLoop(seed=7), EventLoop(seed=7)
    assert [a.rng.random() for _ in range(5)] == [b.rng.random() for _ in range(5)]
    assert EventLoop(seed=8).rng.random() != EventLoop(seed=7).rng.random()


def test_realtime_driver_follows_wall_clock_and_pauses():
    loop = EventLoop()
    lock = threading.RLock()
    fired = threading.Event()
    loop.call_later(0.2, fired.set)
    drv = RealtimeDriver(loop, lock, speed=10.0, tick=0.01)
    drv.start()
    try:
        assert fired.wait(2.0), "a timer 0.2 simulated seconds ahead fires within 0.02 s of wall time at 10x"
        drv.pause()
        t0 = loop.now
        time.sleep(0.1)
        assert loop.now == t0, "a paused clock does not move"
    finally:
        drv.stop()


def test_fired_timers_keep_nothing_alive():
    """advance() never asks next_work(), so the loop itself must let go of what fired:
    a callback's closure (a watch event, a pod) is freed once the timer has run."""
    import gc
    import weakref

    class Payload:
        pass

    loop = EventLoop()
    refs = []
    for i in range(1000):
        p = Payload()
        refs.append(weakref.ref(p))
        loop.call_later(i * 0.001, lambda p=p: p)
    del p
    loop.call_later(100, lambda: None, background=True)
    loop.run_until(10)
    gc.collect()
    assert all(r() is None for r in refs)
    assert loop._foreground == []
