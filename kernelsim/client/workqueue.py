"""A de-duplicating work queue whose delays run on the simulated clock.

Mirrors client-go's ``util/workqueue``: a key that is already waiting is
not added twice, a key being processed is re-queued once it is done, and
``add_after`` / rate-limited retries use simulated time.
"""

from __future__ import annotations

from typing import Callable


class WorkQueue:
    def __init__(self, loop, process: Callable[[str], None], name: str = "", base_delay: float = 0.005,
                 max_delay: float = 1000.0):
        self.loop = loop
        self.process = process
        self.name = name
        self._queued: set[str] = set()
        self._failures: dict[str, int] = {}
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.paused = False
        self._held: set[str] = set()

    def add(self, key: str) -> None:
        if key in self._queued:
            return
        self._queued.add(key)
        self.loop.call_soon(lambda: self._run(key), label=f"{self.name} sync {key}")

    def add_after(self, key: str, delay: float) -> None:
        self.loop.call_later(delay, lambda: self.add(key), label=f"{self.name} requeue {key}")

    def add_rate_limited(self, key: str) -> None:
        n = self._failures.get(key, 0)
        self._failures[key] = n + 1
        self.add_after(key, min(self.max_delay, self.base_delay * (2 ** n)))

    def forget(self, key: str) -> None:
        self._failures.pop(key, None)

    def pause(self) -> None:
        """Keys keep arriving but nothing is processed (the process lost its leadership)."""
        self.paused = True

    def resume(self) -> None:
        self.paused = False
        held, self._held = self._held, set()
        for key in sorted(held):
            self.add(key)

    def _run(self, key: str) -> None:
        self._queued.discard(key)
        if self.paused:
            self._held.add(key)
            return
        self.process(key)

    def __len__(self) -> int:
        return len(self._queued)
