"""Request-flow tracing: who talked to whom, when, about what.

Every API request and every component action is recorded with its simulated
time, so the course can replay "kubectl -> kube-apiserver -> etcd ->
scheduler -> kubelet" step by step.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True)
class TraceRecord:
    time: float
    source: str
    target: str
    verb: str
    object: str
    detail: str = ""

    def __str__(self) -> str:
        s = f"T={self.time:8.3f}  {self.source} -> {self.target} {self.verb} {self.object}"
        return s + (f" ({self.detail})" if self.detail else "")


class Tracer:
    """A bounded log of :class:`TraceRecord` entries."""

    def __init__(self, clock, maxlen: int = 20000):
        self._clock = clock
        self.records: deque[TraceRecord] = deque(maxlen=maxlen)
        self.enabled = True
        self._seq = 0

    def record(self, source: str, target: str, verb: str, obj: str, detail: str = "") -> None:
        if self.enabled:
            self.records.append(TraceRecord(self._clock.now, source, target, verb, obj, detail))
            self._seq += 1

    @property
    def count(self) -> int:
        """How many records were ever made (a cursor for "since" queries)."""
        return self._seq

    def last(self, n: int | None = None) -> list[TraceRecord]:
        items = list(self.records)
        return items if n is None else items[-n:]

    def since(self, cursor: int) -> list[TraceRecord]:
        missing = self._seq - cursor
        if missing <= 0:
            return []
        items = list(self.records)
        return items[-missing:] if missing < len(items) else items
