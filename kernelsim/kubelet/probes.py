"""Container probes (pkg/kubelet/prober): liveness, readiness and startup.

One worker per probe and container ticks every ``periodSeconds`` from the container's
start, skipping ticks before ``initialDelaySeconds``.  A result flips only after
``failureThreshold`` failures or ``successThreshold`` successes in a row.  Readiness
starts as failure (the container is not Ready until a probe passes), liveness as
success, and while a startup probe has not passed the other two wait.  Each failed
probe is an ``Unhealthy`` event; a liveness (or startup) failure kills the container,
which the pod worker then restarts.

The first tick of a probe is work the cluster expects (``settle()`` waits for it);
later ticks are periodic housekeeping, like heartbeats.
"""

from __future__ import annotations

import math

PROBE_USER_AGENT = "kube-probe/1.37"


class ProbeWorker:
    def __init__(self, manager: "ProbeManager", worker, rec, container_id: str, kind: str, spec: dict):
        self.manager = manager
        self.worker = worker
        self.rec = rec
        self.container_id = container_id
        self.kind = kind  # "liveness", "readiness" or "startup"
        self.spec = spec
        self.period = float(spec.get("periodSeconds") or 10)
        self.initial_delay = float(spec.get("initialDelaySeconds") or 0)
        self.timeout = float(spec.get("timeoutSeconds") or 1)
        self.success_threshold = int(spec.get("successThreshold") or 1)
        self.failure_threshold = int(spec.get("failureThreshold") or 3)
        self.result = {"liveness": True, "readiness": False, "startup": False}[kind]
        self.run_length = 0
        self.last_ok: bool | None = None
        self.stopped = False
        self.ticks = 0
        self.timer = None
        self.started_at = manager.kubelet.loop.now

    def start(self) -> None:
        first = math.ceil(self.initial_delay / self.period) * self.period if self.initial_delay else 0.0
        # a passing liveness probe changes nothing: only readiness and startup results are awaited
        self._schedule(first, background=self.kind == "liveness")

    def stop(self) -> None:
        self.stopped = True
        if self.timer is not None:
            self.timer.cancel()

    def _schedule(self, delay: float, background: bool) -> None:
        k = self.manager.kubelet
        self.timer = k.loop.call_later(delay, self.tick, f"{k.source} {self.kind} probe {self.rec.name}",
                                       background=background)

    def tick(self) -> None:
        k = self.manager.kubelet
        if self.stopped or not k.running:
            return
        c = k.runtime.container_status(self.container_id)
        if c is None or not c.running:
            self.stop()
            return
        waiting_for_startup = self.kind != "startup" and self.rec.spec.get("startupProbe") and not self.rec.started
        if not waiting_for_startup:
            self.ticks += 1
            ok, output = self.manager.run_probe(self.worker, self.rec, self.container_id, self.spec, self.timeout)
            self.record(ok, output)
            if self.stopped:
                return
            if self.kind == "startup" and self.result:
                self.stop()  # a startup probe stops once it has passed
                return
        self._schedule(self.period, background=not waiting_for_startup and self.ticks > 0)

    def record(self, ok: bool, output: str) -> None:
        k = self.manager.kubelet
        if not ok:
            title = self.kind.capitalize()
            k.recorder.event(self.worker.pod, "Warning", "Unhealthy", f"{title} probe failed: {output}",
                             self.rec.field_path)
        if ok == self.last_ok:
            self.run_length += 1
        else:
            self.last_ok, self.run_length = ok, 1
        threshold = self.success_threshold if ok else self.failure_threshold
        if ok != self.result and self.run_length >= threshold:
            self.result = ok
            k.trace("runtime", "Probe", f"{self.worker.namespace}/{self.worker.name}/{self.rec.name}",
                    f"{self.kind} {_kind(self.spec)}: {'success' if ok else 'failure'}")
            self.manager.result_changed(self, ok)


class ProbeManager:
    def __init__(self, kubelet):
        self.kubelet = kubelet
        self.workers: dict[str, list[ProbeWorker]] = {}  # container ID -> probe workers

    def add_container(self, worker, rec, container_id: str) -> None:
        spec = rec.spec
        rec.ready = not spec.get("readinessProbe")
        rec.started = not spec.get("startupProbe")
        if rec.kind == "init":
            rec.ready = False  # init containers are never "ready"
            return
        probes = []
        for kind in ("startup", "liveness", "readiness"):
            probe = spec.get(f"{kind}Probe")
            if probe:
                probes.append(ProbeWorker(self, worker, rec, container_id, kind, probe))
        self.workers[container_id] = probes
        for p in probes:
            p.start()
        if not spec.get("readinessProbe") and rec.started:
            rec.ready = True

    def remove_container(self, container_id: str) -> None:
        for p in self.workers.pop(container_id, []):
            p.stop()

    def remove_pod(self, worker) -> None:
        for rec in worker.records.values():
            for cid in (rec.current, rec.previous):
                if cid:
                    self.remove_container(cid)

    def stop_all(self) -> None:
        for cid in list(self.workers):
            self.remove_container(cid)

    def result_changed(self, probe: ProbeWorker, ok: bool) -> None:
        worker, rec = probe.worker, probe.rec
        if probe.kind == "readiness":
            rec.ready = ok
            self.kubelet.status_manager.mark(worker)
        elif probe.kind == "startup":
            if ok:
                rec.started = True
                rec.ready = not rec.spec.get("readinessProbe")
                self.kubelet.status_manager.mark(worker)
                worker.queue_sync()
            else:
                worker.kill_container(rec, f"Container {rec.name} failed startup probe, will be restarted",
                                      self._grace(worker, probe))
        elif probe.kind == "liveness" and not ok:
            worker.kill_container(rec, f"Container {rec.name} failed liveness probe, will be restarted",
                                  self._grace(worker, probe))

    @staticmethod
    def _grace(worker, probe: ProbeWorker) -> float:
        g = probe.spec.get("terminationGracePeriodSeconds")
        if g is None:
            g = worker.spec.get("terminationGracePeriodSeconds", 30)
        return float(max(2, g))

    # -- running one probe ------------------------------------------------------------------------
    def run_probe(self, worker, rec, container_id: str, spec: dict, timeout: float) -> tuple[bool, str]:
        k = self.kubelet
        rt = k.runtime
        host = worker.pod_ip or k.node_ip
        if "exec" in spec:
            try:
                code, output = rt.exec_sync(container_id, list((spec["exec"] or {}).get("command") or []), timeout)
            except RuntimeError as e:
                return False, str(e)
            return code == 0, output.strip()
        if "httpGet" in spec:
            g = spec["httpGet"] or {}
            port = resolve_port(g.get("port"), rec.spec)
            target = g.get("host") or host
            path = g.get("path") or "/"
            url = f"{(g.get('scheme') or 'HTTP').lower()}://{target}:{port}{path}"
            resp = rt.http_request(worker.sandbox_id, port, "GET", path, client_ip=_gateway(host),
                                   user_agent=PROBE_USER_AGENT)
            if resp is None:
                return False, f'Get "{url}": dial tcp {target}:{port}: connect: connection refused'
            if resp.status == 0:
                return False, f'Get "{url}": net/http: HTTP/1.x transport connection broken: malformed HTTP response'
            if resp.delay > timeout:
                return False, f'Get "{url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)'
            if 200 <= resp.status < 400:
                return True, ""
            return False, f"HTTP probe failed with statuscode: {resp.status}"
        if "tcpSocket" in spec:
            t = spec["tcpSocket"] or {}
            port = resolve_port(t.get("port"), rec.spec)
            target = t.get("host") or host
            if rt.tcp_open(worker.sandbox_id, port):
                return True, ""
            return False, f"dial tcp {target}:{port}: connect: connection refused"
        if "grpc" in spec:
            g = spec["grpc"] or {}
            port = int(g.get("port") or 0)
            answer = rt.grpc_health(worker.sandbox_id, port, g.get("service") or "")
            if not answer:
                return False, f'timeout: failed to connect service "{host}:{port}" within {timeout:g}s: ' \
                              f'context deadline exceeded'
            if answer != "SERVING":
                return False, f'service unhealthy (responded with "{answer}")'
            return True, ""
        return True, ""


def _kind(spec: dict) -> str:
    return next((k for k in ("exec", "httpGet", "tcpSocket", "grpc") if k in spec), "")


def _gateway(ip: str) -> str:
    """Probes come from the node, through the pod network's gateway (x.y.z.1)."""
    parts = ip.split(".")
    return ".".join(parts[:3] + ["1"]) if len(parts) == 4 else ip


def resolve_port(port, container: dict) -> int:
    """A probe port: a number, or the name of one of the container's ports."""
    if isinstance(port, int):
        return port
    if isinstance(port, str) and port.isdigit():
        return int(port)
    for p in container.get("ports") or []:
        if p.get("name") == port:
            return int(p.get("containerPort") or 0)
    return 0
