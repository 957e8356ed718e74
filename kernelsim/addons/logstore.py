"""The central log store of cluster logging (the role of Elasticsearch in EFK, or of Loki).

The node agents (``fluentbit.py``) ship records; each record is one log line
with the metadata the agent's Kubernetes filter added: namespace, pod,
container, node and, for the control plane, the component (kube-apiserver,
kube-scheduler, kube-controller-manager, etcd, kubelet).  The store keeps them
after the pod is gone: that is the point of central logging.

Like Loki, it indexes the *labels* and not the words: records are kept in time
order in columns (time, source, stream, line), and every distinct source (one
container of one pod on one node) has the list of its record numbers.  A query
first picks the matching sources from that small table, then cuts each list to
the time range with a binary search, and only then looks at the text, newest
first, until ``limit`` lines match.  ``max_lines`` bounds the memory: the oldest
records go first (retention).
"""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left, bisect_right
from itertools import compress
from typing import NamedTuple

from .query import QueryError, check_range, compile_pattern

MAX_LINES = 500_000
STREAMS = ("stdout", "stderr")


class Source(NamedTuple):
    namespace: str
    pod: str
    container: str
    component: str   # "" for a workload; kube-apiserver, kubelet, ... for the control plane
    node: str


class LogRecord(NamedTuple):
    time: float      # simulated seconds
    namespace: str
    pod: str
    container: str
    component: str
    node: str
    stream: str
    line: str

    def format(self) -> str:
        where = self.component if self.component and not self.pod else f"{self.namespace}/{self.pod}/{self.container}"
        return f"[{self.time:9.1f}s] {self.node:<10} {where}: {self.line}"


class LogStore:
    """Log records in time order, indexed by source (namespace, pod, container, component, node)."""

    name = "the central log store"

    def __init__(self, max_lines: int = MAX_LINES):
        if max_lines < 1:
            raise ValueError("max_lines must be at least 1")
        self.max_lines = max_lines
        self._times = array("d")
        self._src = array("I")
        self._stream = bytearray()
        self._lines: list[str] = []
        self.sources: list[Source] = []
        self._source_ids: dict[Source, int] = {}
        self._by_source: list[array] = []       # source id -> record numbers, in time order
        self._pending: list[tuple] = []
        self.dropped = 0                         # records removed by retention
        self.ingested = 0

    # -- writing --------------------------------------------------------------------------
    def source_id(self, source: Source) -> int:
        sid = self._source_ids.get(source)
        if sid is None:
            sid = self._source_ids[source] = len(self.sources)
            self.sources.append(source)
            self._by_source.append(array("I"))
        return sid

    def ingest(self, records) -> None:
        """``records``: (time, Source or source id, stream, line) tuples, in any order."""
        for t, src, stream, line in records:
            sid = src if isinstance(src, int) else self.source_id(src)
            self._pending.append((t, sid, 1 if stream == "stderr" else 0, line))
        if len(self._pending) > 50_000:
            self.commit()

    def commit(self) -> None:
        """Merge the pending records into the store (each query does this first)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        pending.sort(key=lambda r: r[0])
        if self._times and pending[0][0] < self._times[-1]:
            self._rebuild(pending)  # late records (an agent catching up): restore the time order
        else:
            base = len(self._lines)
            for i, (t, sid, stream, line) in enumerate(pending):
                self._times.append(t)
                self._src.append(sid)
                self._stream.append(stream)
                self._lines.append(line)
                self._by_source[sid].append(base + i)
        self.ingested += len(pending)
        if len(self._lines) > self.max_lines * 1.1:
            self._expire(len(self._lines) - self.max_lines)

    def _rebuild(self, pending: list) -> None:
        old = zip(self._times, self._src, self._stream, self._lines)
        merged = list(heapq.merge(old, pending, key=lambda r: r[0]))
        self._times, self._src = array("d"), array("I")
        self._stream, self._lines = bytearray(), []
        self._by_source = [array("I") for _ in self.sources]
        for i, (t, sid, stream, line) in enumerate(merged):
            self._times.append(t)
            self._src.append(sid)
            self._stream.append(stream)
            self._lines.append(line)
            self._by_source[sid].append(i)

    def _expire(self, n: int) -> None:
        """Retention: drop the ``n`` oldest records."""
        del self._times[:n], self._src[:n], self._stream[:n], self._lines[:n]
        for sid, ids in enumerate(self._by_source):
            cut = bisect_left(ids, n)
            self._by_source[sid] = array("I", (i - n for i in ids[cut:]))
        self.dropped += n

    def __len__(self) -> int:
        self.commit()
        return len(self._lines)

    # -- what is known ----------------------------------------------------------------------
    def namespaces(self) -> set[str]:
        return {s.namespace for s in self.sources if s.namespace}

    def pods(self, namespace: str | None = None) -> set[tuple[str, str]]:
        return {(s.namespace, s.pod) for s in self.sources if s.pod and (namespace is None or s.namespace == namespace)}

    def components(self) -> set[str]:
        return {s.component for s in self.sources if s.component}

    # -- queries --------------------------------------------------------------------------
    def query(self, *, namespace: str | None = None, pod: str | None = None, container: str | None = None,
              component: str | None = None, node: str | None = None, start=None, end=None, text=None,
              limit: int | None = 1000) -> list[LogRecord]:
        """The matching records, oldest first; ``limit`` keeps the newest ones (None: all).

        ``start``/``end`` are simulated seconds (inclusive), ``text`` a regular expression
        searched in each line.
        """
        start, end = check_range(start, end)
        pattern = compile_pattern(text)
        if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
            raise QueryError("bad_limit", value=limit)
        self.commit()
        want = {"namespace": namespace, "pod": pod, "container": container, "component": component, "node": node}
        want = {k: v for k, v in want.items() if v is not None}
        times = self._times
        lo = 0 if start is None else bisect_left(times, start)
        hi = len(times) if end is None else bisect_right(times, end)
        if lo >= hi:
            return []
        if want:
            sids = [i for i, s in enumerate(self.sources) if all(getattr(s, k) == v for k, v in want.items())]
            slices = []
            for sid in sids:
                ids = self._by_source[sid]
                a, b = bisect_left(ids, lo), bisect_left(ids, hi)
                if a < b:
                    slices.append(ids[a:b])
            if sum(len(s) for s in slices) > (hi - lo) // 4:
                keep = set(sids)
                candidates = (i for i in range(hi - 1, lo - 1, -1) if self._src[i] in keep)
            else:
                candidates = heapq.merge(*(reversed(s) for s in slices), reverse=True)
        else:
            if pattern is not None:
                return [self._record(i) for i in self._scan(lo, hi, pattern, limit)]
            candidates = range(hi - 1, lo - 1, -1)
        out = []
        lines = self._lines
        for i in candidates:
            if pattern is None or pattern.search(lines[i]):
                out.append(i)
                if limit is not None and len(out) >= limit:
                    break
        out.reverse()
        return [self._record(i) for i in out]

    def _scan(self, lo: int, hi: int, pattern, limit: int | None) -> list[int]:
        """Record numbers in [lo, hi) whose line matches, newest chunk first, until ``limit`` match."""
        found: list[int] = []
        end = hi
        while end > lo and (limit is None or len(found) < limit):
            start = max(lo, end - 65536)
            hits = list(compress(range(start, end), map(pattern.search, self._lines[start:end])))
            found = hits + found
            end = start
        return found if limit is None else found[-limit:]

    def _record(self, i: int) -> LogRecord:
        s = self.sources[self._src[i]]
        return LogRecord(self._times[i], s.namespace, s.pod, s.container, s.component, s.node,
                         STREAMS[self._stream[i]], self._lines[i])
