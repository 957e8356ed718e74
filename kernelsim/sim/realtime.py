"""The real-time driver: lets simulated time follow the wall clock.

Kept out of the core loop, as SimPy keeps ``rt.py`` apart from ``core.py``.
In a notebook a background thread advances the loop so that pods go from
Pending to Running while the learner watches; ``speed`` scales the clock and
``pause()`` stops it.  Tests and graders never start it.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from .loop import EventLoop


class RealtimeDriver:
    """Advance ``loop`` to match wall-clock time, under ``lock``."""

    def __init__(self, loop: EventLoop, lock: threading.RLock, speed: float = 1.0,
                 tick: float = 0.05, on_tick: Callable[[], None] | None = None):
        self.loop = loop
        self.lock = lock
        self.tick = tick
        self.on_tick = on_tick
        self._speed = float(speed)
        self._running = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._wall0 = 0.0
        self._sim0 = 0.0

    @property
    def speed(self) -> float:
        return self._speed

    @speed.setter
    def speed(self, value: float) -> None:
        with self.lock:
            self._rebase()
            self._speed = max(0.0, float(value))

    @property
    def running(self) -> bool:
        return self._running

    def _rebase(self) -> None:
        self._wall0 = time.monotonic()
        self._sim0 = self.loop.now

    def target(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self._speed

    def start(self) -> None:
        """Start (or resume) following the wall clock."""
        with self.lock:
            if self._running:
                return
            self._rebase()
            self._running = True
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="kernelsim-realtime", daemon=True)
            self._thread.start()

    def pause(self) -> None:
        with self.lock:
            self._running = False

    resume = start

    def stop(self) -> None:
        self.pause()
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        self._thread = None

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            if not self._running:
                continue
            with self.lock:
                if not self._running:
                    continue
                target = self.target()
                if target > self.loop.now:
                    self.loop.run_until(target)
                else:
                    # settle()/advance() moved the clock ahead of the wall: follow it.
                    self._rebase()
            if self.on_tick is not None:
                try:
                    self.on_tick()
                except Exception:  # a broken observer must not stop the clock
                    pass
