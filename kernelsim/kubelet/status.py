"""Pod status: what the kubelet reports (pkg/kubelet/kubelet_pods.go generateAPIPodStatus,
pkg/kubelet/status/status_manager.go and generate.go).

The phase comes from the containers' states (getPhase), the conditions
PodReadyToStartContainers, Initialized, Ready and ContainersReady from the sandbox,
the init containers and the readiness probes; PodScheduled is kept as the scheduler
wrote it.  The status manager writes the status through ``pods/<name>/status`` only
when it changed (a static pod's status goes to its mirror pod).
"""

from __future__ import annotations

from ..api import errors

KUBELET_CONDITIONS = ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady")


def _terminated(kubelet, c) -> dict:
    if c.reason == "OOMKilled":
        reason = "OOMKilled"
    else:
        reason = "Completed" if c.exit_code == 0 else "Error"
    return {"containerID": f"containerd://{c.id}", "exitCode": c.exit_code,
            "finishedAt": kubelet.timestamp(c.finished_at), "reason": reason,
            "startedAt": kubelet.timestamp(c.started_at if c.started_at is not None else c.created_at)}


def container_status(worker, rec, default_waiting: str) -> dict:
    k = worker.kubelet
    c = worker.container(rec)
    prev = worker.container(rec, previous=True)
    st = {"name": rec.name, "image": rec.spec.get("image", ""), "imageID": "", "lastState": {},
          "ready": False, "restartCount": rec.restart_count, "started": False}
    if c is None:
        reason, message = rec.waiting or (default_waiting, "")
        st["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
    else:
        st["containerID"] = f"containerd://{c.id}"
        st["image"] = c.image.name
        st["imageID"] = c.image.repo_digest
        if c.state == "CONTAINER_RUNNING":
            st["state"] = {"running": {"startedAt": k.timestamp(c.started_at)}}
            st["ready"] = rec.ready
            st["started"] = rec.started
            if prev is not None and prev.state == "CONTAINER_EXITED":
                st["lastState"] = {"terminated": _terminated(k, prev)}
        elif c.state == "CONTAINER_EXITED":
            if rec.waiting is not None and not worker.terminating and not worker.finished:
                reason, message = rec.waiting
                st["state"] = {"waiting": {"reason": reason, **({"message": message} if message else {})}}
                st["lastState"] = {"terminated": _terminated(k, c)}
            else:
                st["state"] = {"terminated": _terminated(k, c)}
                if prev is not None and prev.state == "CONTAINER_EXITED":
                    st["lastState"] = {"terminated": _terminated(k, prev)}
        else:
            st["state"] = {"waiting": {"reason": "ContainerCreating"}}
    resources = rec.spec.get("resources") or {}
    if resources.get("requests") or resources.get("limits"):
        st["resources"] = {key: dict(resources[key]) for key in ("limits", "requests") if resources.get(key)}
        if resources.get("requests"):
            st["allocatedResources"] = dict(resources["requests"])
    mounts = []
    for vm in rec.spec.get("volumeMounts") or []:
        m = {"mountPath": vm.get("mountPath"), "name": vm.get("name")}
        if vm.get("readOnly"):
            m["readOnly"] = True
            m["recursiveReadOnly"] = "Disabled"
        mounts.append(m)
    if mounts:
        st["volumeMounts"] = mounts
    return st


def init_done(worker) -> bool:
    for rec in worker.init_records():
        c = worker.container(rec)
        if rec.kind == "sidecar":
            if c is None or not rec.started:
                return False
            continue
        if c is None or c.state != "CONTAINER_EXITED" or c.exit_code != 0:
            return False
    return True


def pod_phase(worker) -> str:
    """getPhase: Pending, Running, Succeeded or Failed from the containers' states."""
    policy = worker.spec.get("restartPolicy", "Always")
    if worker.init_failed:
        return "Failed"
    pending_init = not init_done(worker)
    running = waiting = stopped = succeeded = 0
    for rec in worker.regular_records():
        c = worker.container(rec)
        if c is None:
            if rec.instances:
                stopped += 1
            else:
                waiting += 1
            continue
        if c.state == "CONTAINER_RUNNING":
            running += 1
        elif c.state == "CONTAINER_EXITED":
            stopped += 1
            if c.exit_code == 0:
                succeeded += 1
        else:
            waiting += 1
    total = len(worker.regular_records())
    terminal = worker.terminating and worker.cleaned
    if pending_init and not terminal:
        return "Pending"
    if waiting and not terminal:
        return "Pending"
    if running and not terminal:
        return "Running"
    if stopped == total and total:
        if terminal:
            return "Succeeded" if succeeded == stopped else "Failed"
        if policy == "Always":
            return "Running"
        if succeeded == stopped:
            return "Succeeded"
        return "Running" if policy == "OnFailure" else "Failed"
    if terminal:
        return "Failed"
    return "Pending"


def _condition(ctype: str, ok: bool, old: dict, now: str, generation, reason: str = "", message: str = "") -> dict:
    status = "True" if ok else "False"
    prev = old.get(ctype)
    since = prev["lastTransitionTime"] if prev and prev.get("status") == status and prev.get(
        "lastTransitionTime") else now
    cond = {"lastProbeTime": None, "lastTransitionTime": since, "status": status, "type": ctype}
    if generation is not None:
        cond["observedGeneration"] = generation
    if reason:
        cond["reason"] = reason
    if message:
        cond["message"] = message
    return cond


def generate(worker, previous: dict | None) -> dict:
    """The pod's status, computed from the worker and the runtime."""
    k = worker.kubelet
    now = k.timestamp()
    pod = worker.pod
    old_status = pod.get("status") or {}
    old = {c.get("type"): c for c in (previous or old_status).get("conditions") or []}
    generation = pod["metadata"].get("generation")
    phase = pod_phase(worker)
    init_statuses = [container_status(worker, r, "PodInitializing") for r in worker.init_records()]
    default_waiting = "ContainerCreating" if init_done(worker) else "PodInitializing"
    statuses = sorted((container_status(worker, r, default_waiting) for r in worker.regular_records()),
                      key=lambda s: s["name"])
    completed = phase in ("Succeeded", "Failed")
    sandbox_ready = worker.sandbox_id is not None and not worker.cleaned
    conditions = [_condition("PodReadyToStartContainers", sandbox_ready, old, now, generation)]
    if init_done(worker) or completed:
        conditions.append(_condition("Initialized", True, old, now, generation,
                                     "PodCompleted" if completed else ""))
    else:
        waiting = [r.name for r in worker.init_records()
                   if not ((c := worker.container(r)) and c.state == "CONTAINER_EXITED" and c.exit_code == 0)]
        conditions.append(_condition("Initialized", False, old, now, generation, "ContainersNotInitialized",
                                     f"containers with incomplete status: [{' '.join(waiting)}]"))
    unready = [s["name"] for s in init_statuses
               if any(r.name == s["name"] and r.kind == "sidecar" for r in worker.init_records()) and not s["ready"]]
    unready += [s["name"] for s in statuses if not s["ready"]]
    if phase == "Succeeded":
        ready = _condition("Ready", False, old, now, generation, "PodCompleted")
        containers_ready = _condition("ContainersReady", False, old, now, generation, "PodCompleted")
    elif unready or phase != "Running":
        message = f"containers with unready status: [{' '.join(unready)}]"
        ready = _condition("Ready", False, old, now, generation, "ContainersNotReady", message)
        containers_ready = _condition("ContainersReady", False, old, now, generation, "ContainersNotReady", message)
    else:
        ready = _condition("Ready", True, old, now, generation)
        containers_ready = _condition("ContainersReady", True, old, now, generation)
    gates = [g.get("conditionType") for g in (worker.spec.get("readinessGates") or [])]
    if ready["status"] == "True" and gates:
        current = {c.get("type"): c.get("status") for c in old_status.get("conditions") or []}
        missing = [g for g in gates if current.get(g) != "True"]
        if missing:
            ready = _condition("Ready", False, old, now, generation, "ReadinessGatesNotReady",
                               f"corresponding condition of pod readiness gate \"{missing[0]}\" does not exist.")
    conditions += [ready, containers_ready]
    conditions += [c for c in old_status.get("conditions") or [] if c.get("type") not in KUBELET_CONDITIONS]
    status = {"conditions": conditions, "hostIP": k.node_ip, "hostIPs": [{"ip": k.node_ip}], "phase": phase}
    if worker.pod_ip:
        status["podIP"] = worker.pod_ip
        status["podIPs"] = [{"ip": worker.pod_ip}]
    if generation is not None:
        status["observedGeneration"] = generation
    if worker.start_time is not None:
        status["startTime"] = k.timestamp(worker.start_time)
    if init_statuses:
        status["initContainerStatuses"] = init_statuses
    status["containerStatuses"] = statuses
    if old_status.get("qosClass"):
        status["qosClass"] = old_status["qosClass"]
    if old_status.get("nominatedNodeName"):
        status["nominatedNodeName"] = old_status["nominatedNodeName"]
    return status


SYNC_PERIOD = 10.0  # pkg/kubelet/status/status_manager.go: syncPeriod


class StatusManager:
    """Writes pod statuses when they change, one write per pod per moment of simulated time."""

    def __init__(self, kubelet):
        self.kubelet = kubelet
        self.dirty: dict[str, object] = {}
        self.last: dict[str, dict] = {}
        self._queued = False

    def mark(self, worker) -> None:
        self.dirty[worker.uid] = worker
        if not self._queued:
            self._queued = True
            self.kubelet.loop.call_soon(self.flush, f"{self.kubelet.source} status")

    def forget(self, uid: str) -> None:
        self.dirty.pop(uid, None)
        self.last.pop(uid, None)

    def flush(self) -> None:
        self._queued = False
        k = self.kubelet
        if not k.running:
            return
        dirty, self.dirty = self.dirty, {}
        failed = []
        for worker in dirty.values():
            if worker.removed or (worker.deleted_from_api and not worker.static):
                continue
            try:
                self.write(worker)
            except errors.StatusError:
                failed.append(worker)
        if failed:
            # The status manager's sync loop (every 10 s, syncBatch) writes again the statuses
            # the API does not have yet: a write that failed (etcd without a leader) is not lost.
            k.loop.call_later(SYNC_PERIOD, lambda: [self.mark(w) for w in failed if not w.removed],
                              f"{k.source} status sync", background=True)

    def write(self, worker) -> None:
        k = self.kubelet
        target = worker.pod
        if worker.static:
            target = k.static_pods.mirror_of(worker)
            if target is None:
                return
        status = generate(worker, self.last.get(worker.uid))
        if status == self.last.get(worker.uid):
            return
        body = dict(target)
        body["metadata"] = {k2: v for k2, v in target["metadata"].items() if k2 != "resourceVersion"}
        body["status"] = status
        out = k.client.update_status(body)
        self.last[worker.uid] = status
        if not worker.static and out["metadata"].get("uid") == worker.uid:
            worker.pod = out
