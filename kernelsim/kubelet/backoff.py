"""Per-item exponential back-off on the simulated clock (client-go util/flowcontrol.Backoff).

The kubelet keeps two: one for restarting crashed containers (CrashLoopBackOff) and one
for image pulls (ImagePullBackOff); both start at 10s and double up to 300s.  An entry
that has not been touched for twice the maximum (10 minutes) starts again from 10s.
"""

from __future__ import annotations

INITIAL = 10.0
MAXIMUM = 300.0
EPSILON = 1e-6  # simulated times are floats: a timer set for the expiry must find it expired


class Backoff:
    def __init__(self, initial: float = INITIAL, maximum: float = MAXIMUM):
        self.initial = initial
        self.maximum = maximum
        self._items: dict[str, tuple[float, float]] = {}  # key -> (delay, last update)

    def get(self, key: str) -> float:
        return self._items.get(key, (0.0, 0.0))[0]

    def _expired(self, key: str, now: float) -> bool:
        delay, last = self._items[key]
        return now - last > 2 * self.maximum

    def next(self, key: str, now: float) -> float:
        """Move ``key`` to its next delay (10s, 20s, 40s, ... 300s) and return it."""
        if key not in self._items or self._expired(key, now):
            delay = self.initial
        else:
            delay = min(self._items[key][0] * 2, self.maximum)
        self._items[key] = (delay, now)
        return delay

    def in_backoff_since(self, key: str, event_time: float, now: float) -> bool:
        """IsInBackOffSince: is ``now`` still within the delay counted from ``event_time``?"""
        if key not in self._items:
            return False
        delay, last = self._items[key]
        if event_time - last > 2 * self.maximum:
            return False
        return now - event_time < delay - EPSILON

    def in_backoff_since_update(self, key: str, now: float) -> bool:
        """IsInBackOffSinceUpdate: is ``now`` within the delay counted from the last next()?"""
        if key not in self._items:
            return False
        delay, last = self._items[key]
        if now - last > 2 * self.maximum:
            return False
        return now - last < delay - EPSILON

    def reset(self, key: str) -> None:
        self._items.pop(key, None)
