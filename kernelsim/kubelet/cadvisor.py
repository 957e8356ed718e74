"""cAdvisor inside the kubelet (google/cadvisor, as vendored in pkg/kubelet/cadvisor).

cAdvisor reads each container's cgroup: the cumulative CPU time it used
(``cpuacct.usage``, nanoseconds) and its memory working set.  A CPU *rate*
(``usageNanoCores``) is the difference of two cumulative readings divided by the
time between them, which is why metrics-server needs two scrapes before it can
show a new pod.  cAdvisor also counts the kernel's OOM kills per container
(``container_oom_events_total``).

Here a container's cgroup is its simulated program's usage profile
(``Program.usage(now)`` in ``runtime/images.py``): the instantaneous CPU rate is
integrated between readings into a cumulative CPU time, and the working set is
the program's memory.  Readings are taken when the kubelet's Summary API is
asked (metrics-server does so every 15 s), so an idle cluster costs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..runtime.cri import CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL


@dataclass
class ContainerCgroup:
    """What cAdvisor knows about one container (one cgroup)."""

    container_id: str
    cpu_total_ns: float = 0.0        # cumulative CPU time (cpuacct.usage)
    last_rate: float = 0.0           # millicores at the last reading
    last_time: float | None = None   # simulated time of the last reading
    memory: int = 0                  # working set bytes at the last reading
    readings: int = 0


@dataclass(frozen=True)
class OOMEvent:
    """The kernel's OOM killer ended a container (``container_oom_events_total`` +1)."""

    time: float
    namespace: str
    pod: str
    container: str
    memory: int      # bytes the container wanted when it was killed
    limit: int       # its memory limit


@dataclass
class CAdvisor:
    """The container monitor of one node; ``runtime`` is the node's container runtime."""

    runtime: object
    cgroups: dict = field(default_factory=dict)      # container id -> ContainerCgroup
    oom_events: list = field(default_factory=list)   # OOMEvent, oldest first
    max_oom_events: int = 1000

    def __post_init__(self):
        self.runtime.add_listener(self._on_container)

    @property
    def now(self) -> float:
        return self.runtime.loop.now

    def _on_container(self, event: str, c) -> None:
        if event != "exited":
            return
        if c.reason == "OOMKilled" and c.labels.get(POD_NAME_LABEL):
            used = int(getattr(c.program, "memory", 0) or 0)
            self.oom_events.append(OOMEvent(self.now, c.labels.get(POD_NAMESPACE_LABEL, ""), c.labels[POD_NAME_LABEL],
                                            c.labels.get(CONTAINER_NAME_LABEL, c.name), used,
                                            int(c.config.memory_limit or 0)))
            del self.oom_events[:-self.max_oom_events]
        self.cgroups.pop(c.id, None)  # the cgroup goes with the process

    def read(self, container) -> ContainerCgroup:
        """Read a running container's cgroup now: integrate its CPU since the last reading."""
        cg = self.cgroups.get(container.id)
        if cg is None:
            cg = self.cgroups[container.id] = ContainerCgroup(container.id)
        now = self.now
        rate, memory = self.runtime.container_stats(container.id)
        if cg.last_time is None:
            started = container.started_at if container.started_at is not None else now
            cg.cpu_total_ns = rate * 1e6 * max(0.0, now - started)
        elif now > cg.last_time:
            # trapezoid rule between two readings: millicores * seconds * 1e6 = nanoseconds of CPU
            cg.cpu_total_ns += (cg.last_rate + rate) / 2 * 1e6 * (now - cg.last_time)
        cg.last_rate, cg.last_time, cg.memory = rate, now, memory
        cg.readings += 1
        return cg

    def oom_count(self, namespace: str, pod: str, container: str | None = None) -> int:
        return sum(1 for e in self.oom_events if e.namespace == namespace and e.pod == pod
                   and (container is None or e.container == container))
