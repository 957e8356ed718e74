"""The CronJob controller (pkg/controller/cronjob, the "v2" controller) and its cron parser.

A CronJob creates a Job at each time its ``schedule`` names, on the
simulated clock, in ``timeZone`` (default UTC here, the controller
manager's zone).  The Job is named ``<cronjob>-<scheduled time in minutes
since the Unix epoch>``, so one scheduled time can only ever make one Job.
``concurrencyPolicy`` says what to do when the previous Job still runs
(Allow, Forbid, Replace); ``startingDeadlineSeconds`` skips a start that is
too late; the history limits delete the oldest finished Jobs.

The schedule syntax is the standard 5-field one that robfig/cron's
ParseStandard reads: minute hour day-of-month month day-of-week, with
``*``, ``?``, ranges ``a-b``, steps ``*/n`` and ``a-b/n``, lists ``a,b``,
month and weekday names, and the descriptors @yearly/@annually, @monthly,
@weekly, @daily/@midnight, @hourly and ``@every <duration>``.
"""

from __future__ import annotations

import datetime as _dt
import re
import zoneinfo

from ..api import errors
from ..api.objects import clone
from ..client.events import EventRecorder
from .base import Controller
from .history import controlled_by, controller_ref
from .job import format_time
from .statefulset import parse_time

SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp"
UTC = _dt.timezone.utc

# -- the cron expression parser --------------------------------------------------------------------
MONTHS = {m: i + 1 for i, m in enumerate("jan feb mar apr may jun jul aug sep oct nov dec".split())}
WEEKDAYS = {d: i for i, d in enumerate("sun mon tue wed thu fri sat".split())}
FIELDS = (("minute", 0, 59, {}), ("hour", 0, 23, {}), ("day of month", 1, 31, {}), ("month", 1, 12, MONTHS),
          ("day of week", 0, 6, WEEKDAYS))
DESCRIPTORS = {"@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *", "@monthly": "0 0 1 * *",
               "@weekly": "0 0 * * 0", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@hourly": "0 * * * *"}


class CronError(ValueError):
    pass


def _value(text: str, names: dict, low: int, high: int) -> int:
    if text.lower() in names:
        return names[text.lower()]
    if not text.isdigit():
        raise CronError(f"failed to parse int from {text}: strconv.Atoi: parsing {text!r}: invalid syntax")
    return int(text)


def _parse_field(expr: str, low: int, high: int, names: dict) -> tuple[set[int], bool]:
    """The values a field allows, and whether it was a bare ``*``/``?`` (robfig's starBit)."""
    values, star = set(), False
    for part in expr.split(","):
        range_, _, step_text = part.partition("/")
        if range_ in ("*", "?"):
            start, end, star_here = low, high, True
        else:
            a, dash, b = range_.partition("-")
            start = _value(a, names, low, high)
            end = _value(b, names, low, high) if dash else (high if step_text else start)
            star_here = False
        step = 1
        if step_text:
            if not step_text.isdigit() or int(step_text) == 0:
                raise CronError(f"step of range should be a positive number: {part}")
            step = int(step_text)
            if step > 1:
                star_here = False
        if start < low:
            raise CronError(f"beginning of range ({start}) below minimum ({low}): {part}")
        if end > high:
            raise CronError(f"end of range ({end}) above maximum ({high}): {part}")
        if start > end:
            raise CronError(f"beginning of range ({start}) beyond end of range ({end}): {part}")
        values.update(range(start, end + 1, step))
        star = star or star_here
    return values, star


class Schedule:
    """A parsed cron schedule; ``next(t)`` is the first matching minute strictly after ``t``."""

    def __init__(self, minutes, hours, days, months, weekdays, day_star, weekday_star, every=None):
        self.minutes, self.hours, self.days, self.months, self.weekdays = minutes, hours, days, months, weekdays
        self.day_star, self.weekday_star = day_star, weekday_star
        self.every = every

    def _day_matches(self, d: _dt.datetime) -> bool:
        dom = d.day in self.days
        dow = (d.isoweekday() % 7) in self.weekdays
        if self.day_star or self.weekday_star:
            return dom and dow
        return dom or dow

    def next(self, t: _dt.datetime, tz: _dt.tzinfo = UTC) -> _dt.datetime:
        if self.every is not None:
            return t.replace(microsecond=0) + self.every
        local = t.astimezone(tz).replace(tzinfo=None, second=0, microsecond=0) + _dt.timedelta(minutes=1)
        limit = local + _dt.timedelta(days=366 * 5)
        while local < limit:
            if local.month not in self.months:
                local = (local.replace(day=1, hour=0, minute=0) + _dt.timedelta(days=32)).replace(day=1)
            elif not self._day_matches(local):
                local = local.replace(hour=0, minute=0) + _dt.timedelta(days=1)
            elif local.hour not in self.hours:
                local = local.replace(minute=0) + _dt.timedelta(hours=1)
            elif local.minute not in self.minutes:
                local += _dt.timedelta(minutes=1)
            else:
                return local.replace(tzinfo=tz).astimezone(UTC)
        raise CronError("no time matches this schedule")


def parse_schedule(text: str) -> Schedule:
    """robfig/cron ParseStandard."""
    spec = (text or "").strip()
    if not spec:
        raise CronError("empty spec string")
    if spec.startswith("@every "):
        m = re.fullmatch(r"@every\s+((?:\d+h)?(?:\d+m)?(?:\d+s)?)", spec)
        if not m or not m.group(1):
            raise CronError(f"failed to parse duration {spec}")
        h, mi, s = (re.search(r"(\d+)" + u, m.group(1)) for u in "hms")
        every = _dt.timedelta(hours=int(h.group(1)) if h else 0, minutes=int(mi.group(1)) if mi else 0,
                              seconds=int(s.group(1)) if s else 0)
        if every < _dt.timedelta(seconds=1):
            every = _dt.timedelta(seconds=1)
        return Schedule(set(), set(), set(), set(), set(), True, True, every)
    if spec.startswith("@"):
        if spec not in DESCRIPTORS:
            raise CronError(f"unrecognized descriptor: {spec}")
        spec = DESCRIPTORS[spec]
    parts = spec.split()
    if len(parts) != 5:
        raise CronError(f"expected exactly 5 fields, found {len(parts)}: {spec}")
    parsed = [_parse_field(p, low, high, names) for p, (_, low, high, names) in zip(parts, FIELDS)]
    (mins, _), (hours, _), (days, day_star), (months, _), (weekdays, weekday_star) = parsed
    return Schedule(mins, hours, days, months, weekdays, day_star, weekday_star)


# -- the controller -------------------------------------------------------------------------------------
def job_finished(job: dict) -> str | None:
    for c in (job.get("status") or {}).get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return c["type"]
    return None


def job_ref(job: dict) -> dict:
    meta = job["metadata"]
    return {"kind": "Job", "namespace": meta["namespace"], "name": meta["name"], "uid": meta["uid"],
            "apiVersion": "batch/v1", "resourceVersion": meta.get("resourceVersion")}


class CronJobController(Controller):
    name = "cronjob-controller"
    watches = ("cronjobs", "jobs")
    missed_limit = 100

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self.recorder = EventRecorder(self.client, "cronjob-controller")
        self._wakeups: dict[str, object] = {}

    def register_handlers(self, resource, informer):
        if resource == "cronjobs":
            super().register_handlers(resource, informer)
        else:
            handler = self.enqueue_owner_of("CronJob")
            informer.add_handlers(handler, handler, handler)

    def wake_at(self, key: str, when: _dt.datetime) -> None:
        """Come back at the next scheduled time.  Waiting for a schedule is
        background work: settle() does not wait for it, advance() reaches it."""
        old = self._wakeups.pop(key, None)
        if old is not None:
            old.cancel()
        delay = (when - self.now()).total_seconds()  # no clock skew to allow for: no extra 100ms
        self._wakeups[key] = self.loop.call_later(delay, lambda: self.queue.add(key),
                                                  label=f"{self.name} schedule {key}", background=True)

    # -- syncCronJob ---------------------------------------------------------------------------------
    def sync(self, key: str) -> None:
        cj = self.cache().get(key)
        if cj is None:
            old = self._wakeups.pop(key, None)
            if old is not None:
                old.cancel()
            return
        cj = clone(cj)
        status = cj.setdefault("status", {})
        before = clone(status)
        ns = cj["metadata"]["namespace"]
        jobs = [j for j in self.cache("jobs").list(ns) if controlled_by(j, cj)]
        self.reconcile_active(cj, jobs)
        if not cj["metadata"].get("deletionTimestamp"):
            self.schedule(cj, key)
        if status != before:
            self.client.update_status(cj)
        self.cleanup_finished_jobs(cj, jobs)

    def reconcile_active(self, cj: dict, jobs: list[dict]) -> None:
        status = cj["status"]
        active = status.get("active") or []
        active_uids = {r.get("uid") for r in active}
        for j in jobs:
            finished = job_finished(j)
            if j["metadata"]["uid"] not in active_uids and not finished:
                self.recorder.event(cj, "Warning", "UnexpectedJob",
                                    f"Saw a job that the controller did not create or forgot: {j['metadata']['name']}")
            elif j["metadata"]["uid"] in active_uids and finished:
                active = [r for r in active if r.get("uid") != j["metadata"]["uid"]]
                self.recorder.event(cj, "Normal", "SawCompletedJob",
                                    f"Saw completed job: {j['metadata']['name']}, condition: {finished}")
            if finished == "Complete" and j["status"].get("completionTime"):
                done = j["status"]["completionTime"]
                last = status.get("lastSuccessfulTime")
                if last is None or parse_time(last) < parse_time(done):
                    status["lastSuccessfulTime"] = done
        present = {j["metadata"]["uid"] for j in jobs}
        for ref in list(active):
            if ref.get("uid") in present:
                continue
            if not self.client.exists("jobs", ref["name"], ref.get("namespace")):
                self.recorder.event(cj, "Normal", "MissingJob", f"Active job went missing: {ref['name']}")
                active.remove(ref)
        if active:
            status["active"] = active
        else:
            status.pop("active", None)

    def schedule(self, cj: dict, key: str) -> None:
        spec, status = cj["spec"], cj["status"]
        tz = UTC
        if spec.get("timeZone"):
            try:
                tz = zoneinfo.ZoneInfo(spec["timeZone"])
            except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
                self.recorder.event(cj, "Warning", "UnknownTimeZone", f"invalid timeZone: {spec['timeZone']!r}: {e}")
                return
        try:
            sched = parse_schedule(spec.get("schedule", ""))
        except CronError as e:
            self.recorder.event(cj, "Warning", "UnparseableSchedule",
                                f"unparseable schedule: {spec.get('schedule')!r} : {e}")
            return
        if spec.get("suspend"):
            return
        now = self.now()
        scheduled = self.most_recent_schedule_time(cj, sched, tz, now)
        self.wake_at(key, sched.next(now, tz))
        if scheduled is None:
            return
        deadline = spec.get("startingDeadlineSeconds")
        if deadline is not None and scheduled + _dt.timedelta(seconds=deadline) < now:
            self.recorder.event(cj, "Warning", "MissSchedule", "Missed scheduled time to start a job: "
                                + scheduled.strftime("%a, %d %b %Y %H:%M:%S +0000"))
            return
        name = f"{cj['metadata']['name']}-{int(scheduled.timestamp()) // 60}"
        if any(r.get("name") == name for r in status.get("active") or []):
            return
        if spec.get("concurrencyPolicy") == "Forbid" and status.get("active"):
            self.recorder.event(cj, "Normal", "JobAlreadyActive",
                                "Not starting job because prior execution is running and concurrency policy is Forbid")
            return
        if spec.get("concurrencyPolicy") == "Replace":
            for ref in list(status.get("active") or []):
                self.delete_job(cj, ref["name"])
                status["active"].remove(ref)
            if not status.get("active"):
                status.pop("active", None)
        try:
            job = self.client.create(self.job_from_template(cj, name, scheduled, tz))
        except errors.StatusError as e:
            if e.code == 409:
                return  # made by an earlier sync: its watch event brings it into the active list
            self.recorder.event(cj, "Warning", "FailedCreate", f"Error creating job: {e}")
            raise
        self.recorder.event(cj, "Normal", "SuccessfulCreate", f"Created job {name}")
        status.setdefault("active", []).append(job_ref(job))
        status["lastScheduleTime"] = format_time(scheduled)

    def most_recent_schedule_time(self, cj: dict, sched: Schedule, tz, now: _dt.datetime) -> _dt.datetime | None:
        """The latest scheduled time not yet started (mostRecentScheduleTime), or None."""
        earliest = parse_time((cj.get("status") or {}).get("lastScheduleTime")) or parse_time(
            cj["metadata"]["creationTimestamp"])
        deadline = cj["spec"].get("startingDeadlineSeconds")
        if deadline is not None:
            earliest = max(earliest, now - _dt.timedelta(seconds=deadline))
        latest, missed, t = None, 0, sched.next(earliest, tz)
        while t <= now:
            latest, missed = t, missed + 1
            if missed > self.missed_limit * 10:  # a very long gap: jump close to now
                t = sched.next(now - _dt.timedelta(days=1), tz)
                continue
            t = sched.next(t, tz)
        if missed > self.missed_limit:
            self.recorder.event(cj, "Warning", "TooManyMissedTimes",
                                f"too many missed start times: {missed}. Set or decrease .spec.startingDeadlineSeconds "
                                "or check clock skew")
        return latest

    def job_from_template(self, cj: dict, name: str, scheduled: _dt.datetime, tz) -> dict:
        template = clone(cj["spec"].get("jobTemplate") or {})
        meta = template.get("metadata") or {}
        annotations = dict(meta.get("annotations") or {})
        annotations[SCHEDULED_TIMESTAMP] = scheduled.astimezone(tz).isoformat().replace("+00:00", "Z")
        job_meta = {"name": name, "namespace": cj["metadata"]["namespace"], "annotations": annotations,
                    "ownerReferences": [controller_ref(cj)]}
        if meta.get("labels"):
            job_meta["labels"] = dict(meta["labels"])
        return {"apiVersion": "batch/v1", "kind": "Job", "metadata": job_meta, "spec": template.get("spec") or {}}

    def delete_job(self, cj: dict, name: str) -> None:
        try:
            self.client.delete("jobs", name, cj["metadata"]["namespace"], propagation_policy="Background")
        except errors.StatusError as e:
            if e.code != 404:
                self.recorder.event(cj, "Warning", "FailedDelete", f"Deleted job: {e}")
                raise
            return
        self.recorder.event(cj, "Normal", "SuccessfulDelete", f"Deleted job {name}")

    def cleanup_finished_jobs(self, cj: dict, jobs: list[dict]) -> None:
        """Keep only successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs."""
        spec = cj["spec"]
        for kind, limit in (("Complete", spec.get("successfulJobsHistoryLimit")),
                            ("Failed", spec.get("failedJobsHistoryLimit"))):
            if limit is None:
                continue
            done = [j for j in jobs if job_finished(j) == kind and not j["metadata"].get("deletionTimestamp")]
            done.sort(key=lambda j: ((j.get("status") or {}).get("startTime") is None,
                                     (j.get("status") or {}).get("startTime") or "", j["metadata"]["name"]))
            for j in done[:max(0, len(done) - limit)]:
                self.delete_job(cj, j["metadata"]["name"])
