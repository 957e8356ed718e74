"""Resource monitoring over time: a time-series store of CPU and memory (the role of Prometheus).

metrics-server keeps only the latest value of each pod and node: enough for
``kubectl top`` and the autoscalers.  The history is the job of a monitoring
system: Prometheus scrapes the same kubelet numbers (cAdvisor's) at a fixed
interval and keeps every sample for its retention time, so that Grafana can
plot them.  Here each scrape of metrics-server also writes its samples into
this store (one sample per container, pod and node every 15 s), with the
cAdvisor OOM events of the nodes, so that no extra pod is needed.

``pod()``, ``node()`` and ``namespace()`` return a :class:`Usage`: times in
simulated seconds, CPU in millicores, memory in bytes, and the OOM kills in the
range.  Samples older than ``retention`` seconds are dropped.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field

from .query import QueryError, check_range

RETENTION = 6 * 3600.0  # Prometheus' default is 15 days; six simulated hours are plenty here


@dataclass
class Series:
    """One time series: parallel lists of times, CPU (millicores) and memory (bytes)."""

    times: list = field(default_factory=list)
    cpu: list = field(default_factory=list)
    memory: list = field(default_factory=list)

    def add(self, t: float, cpu: float, memory: int) -> None:
        self.times.append(t)
        self.cpu.append(cpu)
        self.memory.append(memory)

    def drop_before(self, t: float) -> None:
        i = bisect_left(self.times, t)
        if i:
            del self.times[:i], self.cpu[:i], self.memory[:i]

    def window(self, start: float | None, end: float | None) -> "Series":
        lo = 0 if start is None else bisect_left(self.times, start)
        hi = len(self.times) if end is None else bisect_right(self.times, end)
        return Series(self.times[lo:hi], self.cpu[lo:hi], self.memory[lo:hi])


@dataclass
class Usage:
    """The answer to a query: the series of one pod, node or namespace."""

    kind: str                 # "pod", "node" or "namespace"
    name: str                 # "default/web-1", "worker-1", "default"
    times: list               # simulated seconds
    cpu: list                 # millicores
    memory: list              # bytes
    containers: dict = field(default_factory=dict)   # container name -> Series (pods only)
    oom_kills: list = field(default_factory=list)    # OOMEvent in the range
    memory_limit: int | None = None                  # the pod's memory limit, when every container has one

    def __len__(self) -> int:
        return len(self.times)

    def rows(self) -> list[tuple[float, float, int]]:
        return list(zip(self.times, self.cpu, self.memory))


class TimeSeriesStore:
    """Samples per container, pod and node, kept for ``retention`` simulated seconds."""

    name = "the monitoring store"

    def __init__(self, retention: float = RETENTION):
        self.retention = retention
        self.pods: dict[tuple[str, str], Series] = {}
        self.containers: dict[tuple[str, str], dict[str, Series]] = defaultdict(dict)
        self.nodes: dict[str, Series] = {}
        self.pod_nodes: dict[tuple[str, str], str] = {}
        self.limits: dict[tuple[str, str], int | None] = {}
        self.oom_kills: list = []
        self._seen_oom: set = set()
        self.scrapes = 0

    # -- writing ------------------------------------------------------------------------
    def record(self, t: float, node: str, summary: dict, limits: dict | None = None) -> None:
        """One kubelet's Summary API answer (``Kubelet.stats()``) at time ``t``."""
        n = summary["node"]
        self.nodes.setdefault(node, Series()).add(t, n["cpu"]["usageNanoCores"] / 1e6,
                                                   n["memory"]["workingSetBytes"])
        for pod in summary["pods"]:
            key = (pod["podRef"]["namespace"], pod["podRef"]["name"])
            self.pods.setdefault(key, Series()).add(t, pod["cpu"]["usageNanoCores"] / 1e6,
                                                    pod["memory"]["workingSetBytes"])
            self.pod_nodes[key] = node
            if limits and key in limits:
                self.limits[key] = limits[key]
            per = self.containers[key]
            for c in pod["containers"]:
                per.setdefault(c["name"], Series()).add(t, c["cpu"]["usageNanoCores"] / 1e6,
                                                        c["memory"]["workingSetBytes"])

    def record_oom(self, event) -> None:
        ident = (event.time, event.namespace, event.pod, event.container)
        if ident not in self._seen_oom:
            self._seen_oom.add(ident)
            self.oom_kills.append(event)
            self.oom_kills.sort(key=lambda e: e.time)
            self.pod_nodes.setdefault((event.namespace, event.pod), "")

    def expire(self, now: float) -> None:
        """Retention: samples older than ``now - retention`` go."""
        cutoff = now - self.retention
        for s in self.nodes.values():
            s.drop_before(cutoff)
        for key in list(self.pods):
            self.pods[key].drop_before(cutoff)
            for s in self.containers[key].values():
                s.drop_before(cutoff)
            if not self.pods[key].times:
                del self.pods[key]
                self.containers.pop(key, None)
        self.oom_kills = [e for e in self.oom_kills if e.time >= cutoff]
        self._seen_oom = {(e.time, e.namespace, e.pod, e.container) for e in self.oom_kills}

    # -- queries --------------------------------------------------------------------------
    def namespaces(self) -> set[str]:
        return {ns for ns, _ in self.pods} | {e.namespace for e in self.oom_kills}

    def pod(self, name: str, namespace: str = "default", start=None, end=None) -> Usage:
        """CPU and memory of pod ``namespace/name`` (and of each of its containers)."""
        start, end = check_range(start, end)
        key = (namespace, name)
        if key not in self.pods and not any((e.namespace, e.pod) == key for e in self.oom_kills):
            if namespace not in self.namespaces():
                raise QueryError("unknown_namespace", namespace=namespace, store=self.name)
            raise QueryError("unknown_pod", namespace=namespace, pod=name, store=self.name)
        s = self.pods.get(key, Series()).window(start, end)
        return Usage("pod", f"{namespace}/{name}", s.times, s.cpu, s.memory,
                     {c: cs.window(start, end) for c, cs in sorted(self.containers.get(key, {}).items())},
                     self._ooms(start, end, lambda e: (e.namespace, e.pod) == key), self.limits.get(key))

    def node(self, name: str, start=None, end=None) -> Usage:
        start, end = check_range(start, end)
        if name not in self.nodes:
            raise QueryError("unknown_node", node=name, store=self.name)
        s = self.nodes[name].window(start, end)
        pods = {k for k, n in self.pod_nodes.items() if n == name}
        return Usage("node", name, s.times, s.cpu, s.memory,
                     oom_kills=self._ooms(start, end, lambda e: (e.namespace, e.pod) in pods))

    def namespace(self, namespace: str, start=None, end=None) -> Usage:
        """The sum over the namespace's pods at each scrape."""
        start, end = check_range(start, end)
        if namespace not in self.namespaces():
            raise QueryError("unknown_namespace", namespace=namespace, store=self.name)
        cpu: dict[float, float] = defaultdict(float)
        mem: dict[float, int] = defaultdict(int)
        for (ns, _), s in self.pods.items():
            if ns != namespace:
                continue
            w = s.window(start, end)
            for t, c, m in zip(w.times, w.cpu, w.memory):
                cpu[t] += c
                mem[t] += m
        times = sorted(cpu)
        return Usage("namespace", namespace, times, [cpu[t] for t in times], [mem[t] for t in times],
                     oom_kills=self._ooms(start, end, lambda e: e.namespace == namespace))

    def _ooms(self, start, end, keep) -> list:
        return [e for e in self.oom_kills if keep(e) and (start is None or e.time >= start)
                and (end is None or e.time <= end)]
