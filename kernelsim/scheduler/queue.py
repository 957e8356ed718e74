"""The scheduling queue (pkg/scheduler/backend/queue: PriorityQueue).

Three places a pending pod can wait:

- activeQ: ready to be scheduled; the highest priority first, then the oldest
  (the PrioritySort plugin);
- backoffQ: it failed recently and waits out its back-off (1s, 2s, 4s ...
  at most 10s) before going back to activeQ;
- unschedulable pods: no node fitted; it waits for a cluster event that
  may change that (a node added or changed, a pod deleted), or for five
  minutes, whichever comes first.

All waiting happens on the simulated clock.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field

from .framework import pod_key, pod_priority

INITIAL_BACKOFF = 1.0
MAX_BACKOFF = 10.0
MAX_IN_UNSCHEDULABLE = 300.0       # podMaxInUnschedulablePodsDuration
FLUSH_BACKOFF_EVERY = 1.0
FLUSH_UNSCHEDULABLE_EVERY = 30.0


@dataclass
class QueuedPodInfo:
    pod: dict
    timestamp: float                  # when it last entered the queue
    attempts: int = 0
    unschedulable_plugins: set = field(default_factory=set)
    backoff_expires: float = 0.0

    @property
    def key(self) -> str:
        return pod_key(self.pod)


class SchedulingQueue:
    def __init__(self, loop, on_ready):
        """``on_ready()`` is called whenever activeQ gets a pod."""
        self.loop = loop
        self.on_ready = on_ready
        self.active: dict[str, QueuedPodInfo] = {}
        # activeQ's heap: (-priority, timestamp, key, seq, info); entries of pods that left activeQ
        # are skipped when they come up, so pop() costs O(log n), not a scan of every pod.
        self._active_heap: list[tuple] = []
        self._pushed = 0
        self.backoff: dict[str, QueuedPodInfo] = {}
        self.unschedulable: dict[str, QueuedPodInfo] = {}
        self.in_flight: dict[str, QueuedPodInfo] = {}

    def start(self) -> None:
        self.loop.call_later(FLUSH_BACKOFF_EVERY, self._flush_backoff_tick, "scheduler flush backoffQ", background=True)
        self.loop.call_later(FLUSH_UNSCHEDULABLE_EVERY, self._flush_unschedulable_tick,
                             "scheduler flush unschedulable pods", background=True)

    # -- pods coming and going -------------------------------------------------
    def add(self, pod: dict) -> None:
        """A new pending pod."""
        key = pod_key(pod)
        if key in self.in_flight or self._find(key):
            self.update(pod, changed=False)
            return
        self._to_active(QueuedPodInfo(pod, self.loop.now))

    def update(self, pod: dict, changed: bool = True) -> None:
        """A pending pod changed: keep the newest object.  If its spec or
        labels changed (``changed``; a status write does not count), an
        unschedulable pod gets another try."""
        key = pod_key(pod)
        if key in self.in_flight:
            self.in_flight[key].pod = pod
            return
        info = self._find(key)
        if info is None:
            self._to_active(QueuedPodInfo(pod, self.loop.now))
            return
        info.pod = pod
        if changed and key in self.unschedulable:
            del self.unschedulable[key]
            self._requeue(info, foreground=True)

    def delete(self, pod: dict) -> None:
        key = pod_key(pod)
        for q in (self.active, self.backoff, self.unschedulable, self.in_flight):
            q.pop(key, None)

    def pop(self) -> QueuedPodInfo | None:
        """The next pod to schedule: highest priority, then longest waiting."""
        while self.active and self._active_heap:
            _, timestamp, key, _, info = heapq.heappop(self._active_heap)
            if self.active.get(key) is info and info.timestamp == timestamp:
                break
        else:
            return None
        del self.active[key]
        info.attempts += 1
        self.in_flight[key] = info
        return info

    def done(self, key: str) -> None:
        """The pod was bound (or dropped): forget it."""
        self.in_flight.pop(key, None)

    # -- after a failed attempt ------------------------------------------------
    def add_unschedulable(self, info: QueuedPodInfo, plugins: set[str]) -> None:
        """No node fitted: wait for an event that one of ``plugins`` cares about."""
        if self.in_flight.pop(info.key, None) is None:
            return  # deleted meanwhile
        info.unschedulable_plugins = set(plugins)
        info.timestamp = self.loop.now
        info.backoff_expires = self.loop.now + self.backoff_duration(info)
        self.unschedulable[info.key] = info

    def add_backoff(self, info: QueuedPodInfo) -> None:
        """An error (not a plain misfit): try again after the back-off."""
        if self.in_flight.pop(info.key, None) is None:
            return
        info.timestamp = self.loop.now
        info.backoff_expires = self.loop.now + self.backoff_duration(info)
        self.backoff[info.key] = info

    @staticmethod
    def backoff_duration(info: QueuedPodInfo) -> float:
        duration = INITIAL_BACKOFF
        for _ in range(1, info.attempts):
            if duration > MAX_BACKOFF - duration:
                return MAX_BACKOFF
            duration += duration
        return duration

    # -- cluster events --------------------------------------------------------
    def move_for_event(self, event: str, interested: dict[str, tuple]) -> None:
        """MoveAllToActiveOrBackoffQueue: pods rejected by a plugin that
        registered ``event`` go back to activeQ (or backoffQ if still backing off)."""
        for key, info in sorted(self.unschedulable.items()):
            plugins = info.unschedulable_plugins
            if not plugins or any(event in interested.get(p, ()) for p in plugins):
                del self.unschedulable[key]
                self._requeue(info, foreground=True)
        for info in self.backoff.values():
            # Pods backing off after an error go back when their time is up
            # anyway; the event makes that retry expected work for settle().
            self._expect_retry(info)

    # -- internals -------------------------------------------------------------
    def _find(self, key: str) -> QueuedPodInfo | None:
        return self.active.get(key) or self.backoff.get(key) or self.unschedulable.get(key)

    def _to_active(self, info: QueuedPodInfo) -> None:
        key = info.key
        self.active[key] = info
        self._pushed += 1
        heapq.heappush(self._active_heap, (-pod_priority(info.pod), info.timestamp, key, self._pushed, info))
        self.on_ready()

    def _requeue(self, info: QueuedPodInfo, foreground: bool) -> None:
        if info.backoff_expires <= self.loop.now:
            self._to_active(info)
            return
        self.backoff[info.key] = info
        if foreground:
            self._expect_retry(info)

    def _expect_retry(self, info: QueuedPodInfo) -> None:
        """A foreground timer at the end of the back-off, so that settle() waits for the retry."""
        if info.backoff_expires > self.loop.now:
            self.loop.call_at(info.backoff_expires, self._flush_backoff, f"scheduler backoff {info.key}")

    def _flush_backoff(self) -> None:
        for key, info in sorted(self.backoff.items(), key=lambda kv: kv[1].backoff_expires):
            if info.backoff_expires <= self.loop.now:
                del self.backoff[key]
                self._to_active(info)

    def _flush_backoff_tick(self) -> None:
        self._flush_backoff()
        self.loop.call_later(FLUSH_BACKOFF_EVERY, self._flush_backoff_tick, "scheduler flush backoffQ", background=True)

    def _flush_unschedulable_tick(self) -> None:
        """flushUnschedulablePodsLeftover: pods stuck for 5 minutes get another try."""
        for key, info in sorted(self.unschedulable.items()):
            if self.loop.now - info.timestamp >= MAX_IN_UNSCHEDULABLE:
                del self.unschedulable[key]
                self._requeue(info, foreground=False)
        self.loop.call_later(FLUSH_UNSCHEDULABLE_EVERY, self._flush_unschedulable_tick,
                             "scheduler flush unschedulable pods", background=True)

    def pending(self) -> dict[str, list[str]]:
        """What waits where (for the course and the widget)."""
        return {"active": sorted(self.active), "backoff": sorted(self.backoff),
                "unschedulable": sorted(self.unschedulable)}
