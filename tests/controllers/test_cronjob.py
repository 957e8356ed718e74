"""The CronJob controller on the simulated clock, and its cron parser.

The cluster's clock starts at 2026-11-26T09:00:00Z (a Thursday).  Real Kubernetes
names each Job after its scheduled time in minutes since the Unix epoch:
09:01 UTC that day is 1795683660 s, so ``hello-29928061``.
"""

import datetime as dt

import pytest

from kernelsim.controllers.cronjob import CronError, CronJobController, parse_schedule
from kernelsim.controllers.job import JobController

UTC = dt.timezone.utc
CRON = """
apiVersion: batch/v1
kind: CronJob
metadata: {name: hello}
spec:
  schedule: "* * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          restartPolicy: OnFailure
          containers: [{name: hello, image: busybox, command: [date]}]
"""


def start(cluster, *classes):
    running = {type(c) for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        for cls in classes or (CronJobController,):
            if cls not in running:
                cls(cluster._internal, cluster.loop).start()
    cluster.settle()


def jobs(cluster):
    return sorted(j["metadata"]["name"] for j in cluster.api.list("jobs", "default")
                  if not j["metadata"].get("deletionTimestamp"))


def complete(cluster, name):
    """Stand in for the Job controller: mark a Job Complete."""
    job = cluster.api.get("jobs", name)
    now = cluster.apiserver.timestamp()
    job["status"] = {"startTime": now, "completionTime": now, "succeeded": 1, "conditions": [
        {"type": "SuccessCriteriaMet", "status": "True", "lastTransitionTime": now, "reason": "CompletionsReached"},
        {"type": "Complete", "status": "True", "lastTransitionTime": now, "reason": "CompletionsReached"}]}
    cluster.api.update_status(job)
    cluster.settle()


def minutes(text):
    return int(dt.datetime.fromisoformat(text).timestamp()) // 60


def test_creates_jobs_on_schedule(cluster):
    start(cluster)
    cluster.api.apply(CRON)
    cluster.settle()
    assert jobs(cluster) == []  # settle() does not wait for the next minute
    cluster.advance(60)
    first = f"hello-{minutes('2026-11-26T09:01:00+00:00')}"
    assert jobs(cluster) == [first] == ["hello-29928061"]
    job = cluster.api.get("jobs", first)
    assert job["metadata"]["annotations"]["batch.kubernetes.io/cronjob-scheduled-timestamp"] == "2026-11-26T09:01:00Z"
    assert job["metadata"]["ownerReferences"][0]["kind"] == "CronJob"
    cj = cluster.api.get("cronjobs", "hello")
    assert cj["status"]["lastScheduleTime"] == "2026-11-26T09:01:00Z"
    assert [r["name"] for r in cj["status"]["active"]] == [first]
    complete(cluster, first)
    cj = cluster.api.get("cronjobs", "hello")
    assert "active" not in cj["status"] and cj["status"]["lastSuccessfulTime"]
    cluster.advance(60)
    assert len(jobs(cluster)) == 2
    messages = [e["message"] for e in cluster.api.list("events", "default") if e["involvedObject"]["kind"] == "CronJob"]
    assert f"Created job {first}" in messages
    assert f"Saw completed job: {first}, condition: Complete" in messages
    out = cluster.kubectl("get cronjobs")
    assert out.stdout.splitlines()[1].split()[:6] == ["hello", "*", "*", "*", "*", "*"]


def test_forbid_replace_and_history_limit(cluster):
    start(cluster)
    cluster.api.apply(CRON.replace('schedule: "* * * * *"', 'schedule: "*/2 * * * *"\n  concurrencyPolicy: Forbid\n'
                                   '  successfulJobsHistoryLimit: 1'))
    cluster.advance(120)
    a = f"hello-{minutes('2026-11-26T09:02:00+00:00')}"
    assert jobs(cluster) == [a]
    cluster.advance(120)
    assert jobs(cluster) == [a]  # 09:04: the 09:02 Job still runs
    reasons = [e["reason"] for e in cluster.api.list("events", "default") if e["involvedObject"]["kind"] == "CronJob"]
    assert "JobAlreadyActive" in reasons
    complete(cluster, a)
    # With no startingDeadlineSeconds the skipped 09:04 run starts as soon as it may.
    b = f"hello-{minutes('2026-11-26T09:04:00+00:00')}"
    assert jobs(cluster) == [a, b]
    complete(cluster, b)
    assert jobs(cluster) == [b]  # successfulJobsHistoryLimit 1: the oldest finished Job is deleted

    cluster.api.patch("cronjobs", "hello", {"spec": {"concurrencyPolicy": "Replace"}})
    cluster.advance(120)
    c = f"hello-{minutes('2026-11-26T09:06:00+00:00')}"
    assert jobs(cluster) == [b, c]
    cluster.advance(120)
    d = f"hello-{minutes('2026-11-26T09:08:00+00:00')}"
    assert jobs(cluster) == [b, d]  # c still ran at 09:08: replaced
    assert [r["name"] for r in cluster.api.get("cronjobs", "hello")["status"]["active"]] == [d]


def test_suspend_and_starting_deadline(cluster):
    start(cluster)
    cluster.api.apply(CRON.replace('schedule: "* * * * *"', 'schedule: "* * * * *"\n  suspend: true\n'
                                   '  startingDeadlineSeconds: 10'))
    cluster.advance(200)
    assert jobs(cluster) == []
    cluster.api.patch("cronjobs", "hello", {"spec": {"suspend": False}})
    cluster.settle()
    assert jobs(cluster) == []  # 09:03:20 now: 09:03 passed more than 10s ago, too late to start it
    cluster.advance(40)
    assert jobs(cluster) == [f"hello-{minutes('2026-11-26T09:04:00+00:00')}"]


def test_jobs_run_pods_through_the_job_controller(cluster):
    start(cluster, CronJobController, JobController)
    cluster.api.apply(CRON.replace('"* * * * *"', '"@hourly"'))
    cluster.advance(3600)
    [name] = jobs(cluster)
    assert name == f"hello-{minutes('2026-11-26T10:00:00+00:00')}"
    pods = cluster.api.list("pods", "default", label_selector=f"batch.kubernetes.io/job-name={name}")
    assert len(pods) == 1


def t(text):
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.mark.parametrize("schedule, after, expected", [
    ("*/15 * * * *", "2026-11-26T09:07:00", "2026-11-26T09:15:00"),
    ("0 9-17/4 * * MON-FRI", "2026-11-26T09:00:00", "2026-11-26T13:00:00"),
    ("30 2 1,15 * *", "2026-11-26T09:00:00", "2026-12-01T02:30:00"),
    ("0 0 * FEB SUN", "2026-11-26T09:00:00", "2027-02-07T00:00:00"),
    ("0 0 13 * FRI", "2026-11-26T09:00:00", "2026-11-27T00:00:00"),  # day-of-month OR day-of-week
    ("@weekly", "2026-11-26T09:00:00", "2026-11-29T00:00:00"),
    ("@yearly", "2026-11-26T09:00:00", "2027-01-01T00:00:00"),
    ("@every 90s", "2026-11-26T09:00:00", "2026-11-26T09:01:30"),
])
def test_cron_parser(schedule, after, expected):
    assert parse_schedule(schedule).next(t(after)) == t(expected)


def test_cron_parser_time_zone_and_errors():
    seoul = __import__("zoneinfo").ZoneInfo("Asia/Seoul")
    assert parse_schedule("0 9 * * *").next(t("2026-11-26T09:00:00"), seoul) == t("2026-11-27T00:00:00")
    for bad in ("* * * *", "61 * * * *", "* * * * MOO", "@fortnightly", "*/0 * * * *"):
        with pytest.raises(CronError):
            parse_schedule(bad)
