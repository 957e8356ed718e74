"""The Job controller (pkg/controller/job).

A Job runs pods until ``completions`` of them succeed, at most
``parallelism`` at a time.  Pods carry the ``batch.kubernetes.io/job-tracking``
finalizer, so a finished pod cannot disappear before the controller has
counted it: the pod's uid goes to ``status.uncountedTerminatedPods``, the
finalizer is removed, then the uid moves into ``succeeded``/``failed``.

Failed pods are replaced after an exponential back-off (10s, 20s, 40s...
at most 6 minutes).  The Job fails when more pods failed than
``backoffLimit`` (BackoffLimitExceeded), when it has been active longer
than ``activeDeadlineSeconds`` (DeadlineExceeded), or when a
``podFailurePolicy`` rule says FailJob.  It first gets a FailureTarget
(or, on success, SuccessCriteriaMet) condition; once none of its pods is
still terminating it gets the final Failed (or Complete) condition.
``completionMode: Indexed`` gives each pod an index 0..completions-1 (the
``batch.kubernetes.io/job-completion-index`` annotation and label, the
``JOB_COMPLETION_INDEX`` variable, pod names ``<job>-<index>-<random>``).
"""

from __future__ import annotations

import datetime as _dt

from ..api import errors
from ..api.objects import clone
from ..client.events import EventRecorder
from .base import Controller
from .history import controlled_by, controller_ref
from .statefulset import is_terminating, owner_key, parse_time, pod_ready_since

JOB_TRACKING_FINALIZER = "batch.kubernetes.io/job-tracking"
COMPLETION_INDEX = "batch.kubernetes.io/job-completion-index"
DEFAULT_BACKOFF, MAX_BACKOFF = 10.0, 360.0

COMPLETED_MESSAGE = "Reached expected number of succeeded pods"
FAILURES = {
    "BackoffLimitExceeded": "Job has reached the specified backoff limit",
    "DeadlineExceeded": "Job was active longer than specified deadline",
}


def format_time(t: _dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def condition(job: dict, type_: str) -> dict | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") == type_ and c.get("status") == "True":
            return c
    return None


def is_finished(job: dict) -> bool:
    return condition(job, "Complete") is not None or condition(job, "Failed") is not None


def phase(pod: dict) -> str:
    return (pod.get("status") or {}).get("phase") or ""


def pod_index(pod: dict) -> int | None:
    meta = pod["metadata"]
    value = (meta.get("annotations") or {}).get(COMPLETION_INDEX) or (meta.get("labels") or {}).get(COMPLETION_INDEX)
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def parse_indexes(text: str | None) -> set[int]:
    out: set[int] = set()
    for part in (text or "").split(","):
        if not part:
            continue
        lo, _, hi = part.partition("-")
        out.update(range(int(lo), int(hi or lo) + 1))
    return out


def format_indexes(indexes: set[int]) -> str:
    """``0-2,4``: the format of status.completedIndexes."""
    parts, run = [], []
    for i in sorted(indexes):
        if run and i == run[-1] + 1:
            run.append(i)
            continue
        if run:
            parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
        run = [i]
    if run:
        parts.append(f"{run[0]}-{run[-1]}" if len(run) > 1 else str(run[0]))
    return ",".join(parts)


def finished_at(pod: dict) -> _dt.datetime | None:
    times = []
    status = pod.get("status") or {}
    for cs in (status.get("containerStatuses") or []) + (status.get("initContainerStatuses") or []):
        t = parse_time(((cs.get("state") or {}).get("terminated") or {}).get("finishedAt"))
        if t:
            times.append(t)
    return max(times) if times else None


def match_pod_failure_policy(job: dict, pod: dict) -> tuple[str, str] | None:
    """The first podFailurePolicy rule that matches a failed pod: (action, message)."""
    rules = ((job["spec"].get("podFailurePolicy") or {}).get("rules")) or []
    meta, status = pod["metadata"], pod.get("status") or {}
    for i, rule in enumerate(rules):
        action = rule.get("action")
        on_exit = rule.get("onExitCodes")
        if on_exit:
            statuses = (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or [])
            for cs in statuses:
                if on_exit.get("containerName") and cs.get("name") != on_exit["containerName"]:
                    continue
                terminated = (cs.get("state") or {}).get("terminated")
                if not terminated or not terminated.get("exitCode"):
                    continue
                code = terminated["exitCode"]
                inside = code in (on_exit.get("values") or [])
                if inside == (on_exit.get("operator") == "In"):
                    return action, (f"Container {cs.get('name')} for pod {meta['namespace']}/{meta['name']} "
                                    f"failed with exit code {code} matching {action} rule at index {i}")
        for pattern in rule.get("onPodConditions") or []:
            for c in status.get("conditions") or []:
                if c.get("type") == pattern.get("type") and c.get("status") == pattern.get("status", "True"):
                    return action, (f"Pod {meta['namespace']}/{meta['name']} has condition {c['type']} "
                                    f"matching {action} rule at index {i}")
    return None


class JobController(Controller):
    name = "job-controller"
    watches = ("jobs", "pods")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "job-controller")
        # job uid -> (failures after the last success, time of the last failure): the backoffRecordStore
        self.backoff: dict[str, tuple[int, _dt.datetime]] = {}
        self._deadlines: dict[str, object] = {}  # job key -> timer for activeDeadlineSeconds

    def register_handlers(self, resource, informer):
        if resource == "jobs":
            super().register_handlers(resource, informer)
        else:
            handler = self.enqueue_owner_of("Job")
            informer.add_handlers(handler, handler, handler)

    # -- syncJob ----------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        ns, _, name = key.partition("/")
        job = self.cache().get(key)
        if job is None:
            self.release_orphans(ns, name)
            return
        job = clone(job)
        pods = [p for p in self.cache("pods").list(ns) if controlled_by(p, job)]
        if is_finished(job) or job["metadata"].get("deletionTimestamp"):
            self.remove_finalizers(p for p in pods if JOB_TRACKING_FINALIZER in (p["metadata"].get("finalizers") or []))
            return
        now = self.now()
        status = clone(job.get("status") or {})
        status.setdefault("uncountedTerminatedPods", {})
        spec = job["spec"]
        suspended = bool(spec.get("suspend"))
        if not suspended and not status.get("startTime"):
            status["startTime"] = format_time(now)

        failure = self.track_finished_pods(job, pods, status)
        active = [p for p in pods if not is_terminating(p) and phase(p) not in ("Succeeded", "Failed")]
        terminating = [p for p in pods if is_terminating(p) and phase(p) not in ("Succeeded", "Failed")]

        if not failure and not condition(job, "FailureTarget"):
            failure = self.past_backoff_limit(job, status, active) or self.past_deadline(job, status, now)
        if failure:
            self.set_condition(status, "FailureTarget", failure[0], failure[1], now)
        success = False
        if not condition({"status": status}, "FailureTarget"):
            success = self.succeeded_enough(job, status, active)
            if success:
                self.set_condition(status, "SuccessCriteriaMet", "CompletionsReached", COMPLETED_MESSAGE, now)

        target = condition({"status": status}, "FailureTarget") or condition({"status": status}, "SuccessCriteriaMet")
        if target:
            active, terminating = self.delete_pods(job, active, active, terminating)
            if not terminating:
                self.finish(job, status, target, now)
        elif suspended:
            active, terminating = self.delete_pods(job, active, active, terminating)
            if not condition({"status": status}, "Suspended"):
                self.set_condition(status, "Suspended", "JobSuspended", "Job suspended", now)
                self.recorder.event(job, "Normal", "Suspended", "Job suspended")
        else:
            if condition({"status": status}, "Suspended"):
                self.set_condition(status, "Suspended", "JobResumed", "Job resumed", now, value="False")
                status["startTime"] = format_time(now)
                self.recorder.event(job, "Normal", "Resumed", "Job resumed")
            active, terminating = self.manage_pods(job, status, active, terminating, now)
            self.requeue_for_deadline(job, status, now)

        status["active"] = len(active)
        status["ready"] = sum(1 for p in active if pod_ready_since(p) is not None)
        status["terminating"] = len(terminating)
        if not status["active"]:
            del status["active"]  # omitempty
        self.write_status(job, status)

    # -- counting finished pods (trackJobStatusAndRemoveFinalizers) ---------------------------------
    def is_pod_failed(self, job: dict, pod: dict) -> bool:
        if phase(pod) == "Failed":
            return True
        if job["spec"].get("podReplacementPolicy") == "Failed" or job["spec"].get("podFailurePolicy"):
            return False
        # A deleted pod counts as failed: it may never reach the Failed phase.
        return is_terminating(pod) and phase(pod) != "Succeeded"

    def track_finished_pods(self, job: dict, pods: list[dict], status: dict) -> tuple[str, str] | None:
        """Count pods that finished since the last sync; returns a FailJob verdict if a rule says so."""
        uid = job["metadata"]["uid"]
        succeeded, failed, ignored, verdict = [], [], [], None
        for p in pods:
            if JOB_TRACKING_FINALIZER not in (p["metadata"].get("finalizers") or []):
                continue  # already counted (or never tracked)
            if phase(p) == "Succeeded":
                succeeded.append(p)
            elif self.is_pod_failed(job, p):
                match = match_pod_failure_policy(job, p) if phase(p) == "Failed" else None
                if match and match[0] == "Ignore":
                    ignored.append(p)
                    continue
                if match and match[0] == "FailJob" and verdict is None:
                    verdict = ("PodFailurePolicy", match[1])
                failed.append(p)
        if not (succeeded or failed or ignored):
            return verdict
        uncounted = status.setdefault("uncountedTerminatedPods", {})
        for field, pods in (("succeeded", succeeded), ("failed", failed)):
            uids = sorted(set(uncounted.get(field) or []) | {p["metadata"]["uid"] for p in pods})
            if uids:
                uncounted[field] = uids
        self.write_status(job, status)
        self.remove_finalizers(succeeded + failed + ignored)
        for field, pods in (("succeeded", succeeded), ("failed", failed)):
            if pods:  # omitempty: a zero count is not written
                status[field] = status.get(field, 0) + len(pods)
        if job["spec"].get("completionMode") == "Indexed":
            completions = job["spec"].get("completions") or 0
            done = parse_indexes(status.get("completedIndexes"))
            done |= {i for i in map(pod_index, succeeded) if i is not None and 0 <= i < completions}
            status["completedIndexes"] = format_indexes(done)
        status["uncountedTerminatedPods"] = {}
        count, last = self.backoff.get(uid, (0, None))
        if succeeded:
            count = 0
        if failed:
            count += len(failed)
            times = [finished_at(p) or self.now() for p in failed]
            last = max(times + ([last] if last else []))
        self.backoff[uid] = (count, last)
        return verdict

    def remove_finalizers(self, pods) -> None:
        for p in pods:
            rest = [f for f in p["metadata"].get("finalizers") or [] if f != JOB_TRACKING_FINALIZER]
            try:
                self.client.patch("pods", p["metadata"]["name"], {"metadata": {"finalizers": rest or None}},
                                  p["metadata"]["namespace"], type="merge")
            except errors.StatusError as e:
                if e.code != 404:
                    raise

    def release_orphans(self, ns: str, name: str) -> None:
        """The Job is gone: its pods must not keep the tracking finalizer."""
        for p in self.cache("pods").list(ns):
            tracked = JOB_TRACKING_FINALIZER in (p["metadata"].get("finalizers") or [])
            if tracked and owner_key(p, "Job") == f"{ns}/{name}":
                self.remove_finalizers([p])

    # -- verdicts ---------------------------------------------------------------------------------
    @staticmethod
    def past_backoff_limit(job: dict, status: dict, active: list[dict]) -> tuple[str, str] | None:
        limit = job["spec"].get("backoffLimit", 6)
        if status.get("failed", 0) > limit:
            return "BackoffLimitExceeded", FAILURES["BackoffLimitExceeded"]
        if (job["spec"].get("template") or {}).get("spec", {}).get("restartPolicy") == "OnFailure":
            restarts = sum(cs.get("restartCount", 0) for p in active
                           for cs in ((p.get("status") or {}).get("containerStatuses") or [])
                           + ((p.get("status") or {}).get("initContainerStatuses") or []))
            if (restarts > 0 if limit == 0 else restarts >= limit):
                return "BackoffLimitExceeded", FAILURES["BackoffLimitExceeded"]
        return None

    @staticmethod
    def past_deadline(job: dict, status: dict, now: _dt.datetime) -> tuple[str, str] | None:
        deadline = job["spec"].get("activeDeadlineSeconds")
        start = parse_time(status.get("startTime"))
        if deadline is None or start is None or job["spec"].get("suspend"):
            return None
        if now - start >= _dt.timedelta(seconds=deadline):
            return "DeadlineExceeded", FAILURES["DeadlineExceeded"]
        return None

    def requeue_for_deadline(self, job: dict, status: dict, now: _dt.datetime) -> None:
        deadline = job["spec"].get("activeDeadlineSeconds")
        start = parse_time(status.get("startTime"))
        if deadline is not None and start is not None:
            left = (start + _dt.timedelta(seconds=deadline) - now).total_seconds()
            key = f"{job['metadata']['namespace']}/{job['metadata']['name']}"
            # A deadline is a timeout, not expected work: settle() does not wait for it.
            old = self._deadlines.pop(key, None)
            if old is not None:
                old.cancel()
            self._deadlines[key] = self.loop.call_later(max(0.0, left), lambda: self.queue.add(key),
                                                        label=f"{self.name} deadline {key}", background=True)

    @staticmethod
    def succeeded_enough(job: dict, status: dict, active: list[dict]) -> bool:
        spec = job["spec"]
        completions = spec.get("completions")
        if spec.get("completionMode") == "Indexed":
            return len(parse_indexes(status.get("completedIndexes"))) >= (completions or 0)
        if completions is None:
            return status.get("succeeded", 0) > 0 and not active
        return status.get("succeeded", 0) >= completions

    @staticmethod
    def set_condition(status: dict, type_: str, reason: str, message: str, now: _dt.datetime,
                      value: str = "True") -> None:
        conds = status.setdefault("conditions", [])
        for c in conds:
            if c.get("type") == type_:
                if c.get("status") != value:
                    c.update(status=value, lastProbeTime=format_time(now), lastTransitionTime=format_time(now),
                             reason=reason, message=message)
                return
        conds.append({"type": type_, "status": value, "lastProbeTime": format_time(now),
                      "lastTransitionTime": format_time(now), "reason": reason, "message": message})

    def finish(self, job: dict, status: dict, target: dict, now: _dt.datetime) -> None:
        if target["type"] == "SuccessCriteriaMet":
            self.set_condition(status, "Complete", target["reason"], target["message"], now)
            status["completionTime"] = format_time(now)
            self.recorder.event(job, "Normal", "Completed", "Job completed")
        else:
            self.set_condition(status, "Failed", target["reason"], target["message"], now)
            self.recorder.event(job, "Warning", target["reason"], target["message"])
        self.backoff.pop(job["metadata"]["uid"], None)

    # -- manageJob ----------------------------------------------------------------------------------
    def manage_pods(self, job: dict, status: dict, active: list[dict], terminating: list[dict],
                    now: _dt.datetime) -> tuple[list[dict], list[dict]]:
        """Create or delete pods so that the right number runs; returns (active, terminating)."""
        spec = job["spec"]
        parallelism = spec.get("parallelism", 1)
        completions = spec.get("completions")
        succeeded = status.get("succeeded", 0)
        busy = len(active) + (len(terminating) if spec.get("podReplacementPolicy") == "Failed" else 0)
        indexed = spec.get("completionMode") == "Indexed"
        if indexed:
            done = parse_indexes(status.get("completedIndexes"))
            running = {pod_index(p) for p in active}
            if spec.get("podReplacementPolicy") == "Failed":
                running |= {pod_index(p) for p in terminating}
            # duplicates and indexes out of range or already done are removed
            seen, extra = set(), []
            for p in sorted(active, key=lambda p: p["metadata"].get("creationTimestamp", "")):
                i = pod_index(p)
                if i is None or i in seen or i in done or not 0 <= i < (completions or 0):
                    extra.append(p)
                seen.add(i)
            pending = [i for i in range(completions or 0) if i not in done and i not in running]
            want = min(parallelism, busy - len(extra) + len(pending))
        else:
            extra, pending = [], []
            if completions is None:
                want = 0 if succeeded > 0 else parallelism
            else:
                want = max(0, min(parallelism, completions - succeeded))
        diff = want - busy
        if diff < 0 or extra:
            rest = sorted((p for p in active if p not in extra),
                          key=lambda p: (pod_ready_since(p) is not None, bool(p.get("spec", {}).get("nodeName")),
                                         p["metadata"].get("creationTimestamp", "")))
            return self.delete_pods(job, extra + rest[:max(0, -diff - len(extra))], active, terminating)
        if diff == 0:
            return active, terminating
        wait = self.backoff_remaining(job, now)
        if wait > 0:
            self.queue.add_after(f"{job['metadata']['namespace']}/{job['metadata']['name']}", wait)
            return active, terminating
        active = list(active)
        for n in range(diff):
            if indexed and n >= len(pending):
                break
            active.append(self.create_pod(job, pending[n] if indexed else None))
        return active, terminating

    def backoff_remaining(self, job: dict, now: _dt.datetime) -> float:
        count, last = self.backoff.get(job["metadata"]["uid"], (0, None))
        if not count or last is None:
            return 0.0
        delay = min(MAX_BACKOFF, DEFAULT_BACKOFF * 2 ** (count - 1))
        return (last + _dt.timedelta(seconds=delay) - now).total_seconds()

    def new_pod(self, job: dict, index: int | None) -> dict:
        template = clone(job["spec"].get("template") or {})
        meta = template.get("metadata") or {}
        name = job["metadata"]["name"]
        labels = dict(meta.get("labels") or {})
        annotations = dict(meta.get("annotations") or {})
        spec = template.get("spec") or {}
        pod_meta = {"generateName": f"{name}-", "namespace": job["metadata"]["namespace"],
                    "ownerReferences": [controller_ref(job)], "finalizers": [JOB_TRACKING_FINALIZER]}
        if index is not None:
            pod_meta["generateName"] = f"{name}-{index}-"
            labels[COMPLETION_INDEX] = str(index)
            annotations[COMPLETION_INDEX] = str(index)
            if not spec.get("hostname"):
                spec["hostname"] = f"{name}-{index}"
            env = {"name": "JOB_COMPLETION_INDEX", "valueFrom": {"fieldRef": {
                "apiVersion": "v1", "fieldPath": f"metadata.labels['{COMPLETION_INDEX}']"}}}
            for c in (spec.get("initContainers") or []) + (spec.get("containers") or []):
                if not any(e.get("name") == "JOB_COMPLETION_INDEX" for e in c.get("env") or []):
                    c["env"] = list(c.get("env") or []) + [clone(env)]
        pod_meta["labels"] = labels
        if annotations:
            pod_meta["annotations"] = annotations
        return {"apiVersion": "v1", "kind": "Pod", "metadata": pod_meta, "spec": spec}

    def create_pod(self, job: dict, index: int | None) -> dict:
        try:
            pod = self.client.create(self.new_pod(job, index))
        except errors.StatusError as e:
            self.recorder.event(job, "Warning", "FailedCreate", f"Error creating: {e}")
            raise
        self.recorder.event(job, "Normal", "SuccessfulCreate", f"Created pod: {pod['metadata']['name']}")
        return pod

    def delete_pods(self, job: dict, victims: list[dict], active: list[dict],
                    terminating: list[dict]) -> tuple[list[dict], list[dict]]:
        """Delete pods; returns the new (active, terminating) lists."""
        gone = set()
        terminating = list(terminating)
        for pod in victims:
            try:
                result = self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"])
            except errors.StatusError as e:
                if e.code != 404:
                    self.recorder.event(job, "Warning", "FailedDelete", f"Error deleting: {e}")
                    raise
                result = None
            else:
                self.recorder.event(job, "Normal", "SuccessfulDelete", f"Deleted pod: {pod['metadata']['name']}")
            gone.add(pod["metadata"]["uid"])
            if result and result.get("kind") == "Pod" and is_terminating(result) and phase(result) not in (
                    "Succeeded", "Failed"):
                terminating.append(result)
        return [p for p in active if p["metadata"]["uid"] not in gone], terminating

    # -- status -------------------------------------------------------------------------------------
    def write_status(self, job: dict, status: dict) -> None:
        """Write status (job is this sync's own copy; it follows what was written)."""
        if (job.get("status") or {}) == status:
            return
        fresh = clone(job)
        fresh["status"] = clone(status)
        written = self.client.update_status(fresh)
        job["metadata"]["resourceVersion"] = written["metadata"]["resourceVersion"]
        job["status"] = clone(status)
