"""The simulation's one clock: a discrete-event loop in simulated time.

Like SimPy's ``Environment``: a heap of ``(time, seq, callback)`` entries,
ties broken by insertion order, and time that moves only inside ``step()``.
All randomness comes from one seeded ``random.Random`` so that the same seed
and the same commands give the same cluster.
"""

from __future__ import annotations

import heapq
import itertools
import random
import threading
from dataclasses import dataclass, field
from typing import Callable


@dataclass(order=True)
class Timer:
    """A scheduled callback; ``cancel()`` makes the loop skip it."""

    when: float
    seq: int
    callback: Callable[[], None] = field(compare=False)
    label: str = field(default="", compare=False)
    # Background timers (heartbeats, resyncs) repeat forever; settle() does
    # not wait for them, but fires them when their time comes.
    background: bool = field(default=False, compare=False)
    cancelled: bool = field(default=False, compare=False)
    fired: bool = field(default=False, compare=False)

    def cancel(self) -> None:
        self.cancelled = True


def _spent() -> None:
    """The callback of a timer that has fired."""


class EventLoop:
    """Simulated time, a timer heap and the seeded RNG."""

    def __init__(self, seed: int = 0):
        self._now = 0.0
        # (when, seq, timer): tuples compare in C, much faster than the dataclass's __lt__.
        self._heap: list[tuple[float, int, Timer]] = []
        # The foreground timers again, so that next_work() does not walk every heartbeat
        # of every node (entries that fired or were cancelled are dropped lazily).
        self._foreground: list[tuple[float, int, Timer]] = []
        self._seq = itertools.count()
        self.rng = random.Random(seed)
        self.seed = seed
        # Callbacks run with no simulated delay are queued as timers at `now`;
        # `_busy` protects against re-entrant stepping from inside a callback.
        self._busy = False
        self._stepping: int | None = None  # the thread running a callback right now

    @property
    def now(self) -> float:
        """Seconds of simulated time since the cluster started."""
        return self._now

    def call_at(self, when: float, callback: Callable[[], None], label: str = "",
                background: bool = False) -> Timer:
        if when < self._now:
            when = self._now
        t = Timer(when, next(self._seq), callback, label, background)
        entry = (t.when, t.seq, t)
        heapq.heappush(self._heap, entry)
        if not background:
            heapq.heappush(self._foreground, entry)
        return t

    def call_later(self, delay: float, callback: Callable[[], None], label: str = "",
                   background: bool = False) -> Timer:
        return self.call_at(self._now + max(0.0, delay), callback, label, background)

    def call_soon(self, callback: Callable[[], None], label: str = "") -> Timer:
        return self.call_at(self._now, callback, label)

    def _drop_cancelled(self) -> None:
        while self._heap and self._heap[0][2].cancelled:
            heapq.heappop(self._heap)

    def peek(self) -> float | None:
        """Time of the next live timer, or None when nothing is scheduled."""
        self._drop_cancelled()
        return self._heap[0][0] if self._heap else None

    def step(self) -> bool:
        """Run the next timer; returns False when the heap is empty."""
        self._drop_cancelled()
        if not self._heap:
            return False
        t = heapq.heappop(self._heap)[2]
        t.fired = True
        self._now = max(self._now, t.when)
        if not t.background:
            # Both heaps order by (when, seq), so a fired foreground timer is at the top of
            # the foreground heap too, after any cancelled ones: drop them now, or advance()
            # (which never asks next_work()) would keep every fired callback alive.
            self._drop_spent_foreground()
        callback, t.callback = t.callback, _spent  # a fired timer keeps nothing alive
        outer, self._stepping = self._stepping, threading.get_ident()
        try:
            callback()
        finally:
            self._stepping = outer
        return True

    def in_callback(self) -> bool:
        """The calling thread is inside a timer's callback (a component at work), where a
        request cannot wait for simulated time to pass."""
        return self._stepping == threading.get_ident()

    def run_until(self, when: float, max_steps: int | None = None) -> int:
        """Run every timer due at or before ``when``, then set the clock to ``when``."""
        steps = 0
        while True:
            nxt = self.peek()
            if nxt is None or nxt > when:
                break
            self.step()
            steps += 1
            if max_steps is not None and steps >= max_steps:
                return steps
        self._now = max(self._now, when)
        return steps

    def pending(self) -> int:
        return sum(1 for _, _, t in self._heap if not t.cancelled)

    def next_work(self) -> float | None:
        """Time of the next timer that is not background work, or None."""
        self._drop_spent_foreground()
        return self._foreground[0][0] if self._foreground else None

    def _drop_spent_foreground(self) -> None:
        """Pop the fired and cancelled timers off the top of the foreground heap."""
        fg = self._foreground
        while fg and (fg[0][2].fired or fg[0][2].cancelled):
            heapq.heappop(fg)

    def settle(self, max_seconds: float = 600.0) -> float:
        """Run until no foreground work is pending (or ``max_seconds`` pass).

        Returns the simulated seconds that went by.
        """
        start = self._now
        limit = start + max_seconds
        while True:
            nxt = self.next_work()
            if nxt is None or nxt > limit:
                break
            self.run_until(nxt)
        return self._now - start
