"""The Job controller and the TTL-after-finished controller (the test plays scheduler and kubelet).

Real Kubernetes::

    $ kubectl get jobs
    NAME   STATUS     COMPLETIONS   DURATION   AGE
    pi     Complete   5/5           2m         3m
"""

from kernelsim.controllers.job import JobController, format_indexes, parse_indexes
from kernelsim.controllers.ttlafterfinished import TTLAfterFinishedController

JOB = """
apiVersion: batch/v1
kind: Job
metadata: {name: pi}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: pi, image: "perl:5.34", command: [perl, -e, print 1]}]
"""


def start(cluster, *classes):
    running = {type(c) for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        for cls in classes or (JobController,):
            if cls not in running:
                cls(cluster._internal, cluster.loop).start()
    cluster.settle()


def job_pods(cluster, job="pi"):
    return [p for p in cluster.api.list("pods", "default", label_selector=f"batch.kubernetes.io/job-name={job}")]


def running(cluster, job="pi"):
    return [p for p in job_pods(cluster, job)
            if p["status"].get("phase") in ("Pending", "Running") and not p["metadata"].get("deletionTimestamp")]


def finish(cluster, pod, exit_code=0):
    """The kubelet: the container ran and exited."""
    api = cluster.api
    if not pod["spec"].get("nodeName"):
        api.bind(pod, "worker-1")
    pod = api.get("pods", pod["metadata"]["name"])
    now = cluster.apiserver.timestamp()
    pod["status"].update(phase="Succeeded" if exit_code == 0 else "Failed", containerStatuses=[{
        "name": pod["spec"]["containers"][0]["name"], "image": pod["spec"]["containers"][0]["image"],
        "imageID": "", "ready": False, "restartCount": 0, "started": False,
        "state": {"terminated": {"exitCode": exit_code, "reason": "Completed" if exit_code == 0 else "Error",
                                 "startedAt": now, "finishedAt": now}}}])
    api.update_status(pod)
    cluster.settle()


def events(cluster, kind="Job"):
    return [(e["reason"], e["message"]) for e in cluster.api.list("events", "default")
            if e["involvedObject"]["kind"] == kind]


def test_completions_with_parallelism_never_runs_more_than_two(cluster):
    start(cluster)
    out = cluster.kubectl("apply -f -", input=JOB)
    assert out.stdout == "job.batch/pi created\n", out.stderr
    cluster.settle()
    for _ in range(5):
        now_running = running(cluster)
        assert 1 <= len(now_running) <= 2
        pod = now_running[0]
        assert pod["metadata"]["finalizers"] == ["batch.kubernetes.io/job-tracking"]
        assert pod["metadata"]["generateName"] == "pi-"
        job_uid = cluster.api.get("jobs", "pi")["metadata"]["uid"]
        assert pod["metadata"]["labels"]["batch.kubernetes.io/controller-uid"] == job_uid
        assert pod["metadata"]["ownerReferences"][0]["uid"] == job_uid
        finish(cluster, pod)
        assert len(running(cluster)) <= 2
        counted = cluster.api.get("pods", pod["metadata"]["name"])
        assert "finalizers" not in counted["metadata"]  # counted, then released
    assert running(cluster) == []
    job = cluster.api.get("jobs", "pi")
    st = job["status"]
    assert st["succeeded"] == 5 and "failed" not in st and "active" not in st
    assert [c["type"] for c in st["conditions"]] == ["SuccessCriteriaMet", "Complete"]
    assert st["conditions"][1]["reason"] == "CompletionsReached"
    assert st["completionTime"] and st["startTime"] and st["uncountedTerminatedPods"] == {}
    assert ("Completed", "Job completed") in events(cluster)
    assert sum(1 for r, m in events(cluster) if r == "SuccessfulCreate" and m.startswith("Created pod: pi-")) == 5

    out = cluster.kubectl("get jobs")
    assert out.returncode == 0, out.stderr
    header, row = out.stdout.splitlines()
    assert header.split() == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert row.split()[:3] == ["pi", "Complete", "5/5"]


def test_failing_job_backs_off_and_stops_at_the_backoff_limit(cluster):
    start(cluster)
    cluster.api.apply(JOB.replace("completions: 5\n  parallelism: 2", "backoffLimit: 2"))
    cluster.settle()
    start_time = cluster.now
    created_at = []
    for _ in range(3):
        pods = running(cluster)
        assert len(pods) == 1
        created_at.append(cluster.now)
        finish(cluster, pods[0], exit_code=1)
        cluster.advance(0)
    # back-off before each replacement: 10s, then 20s
    assert [round(b - a) for a, b in zip(created_at, created_at[1:])] == [10, 20]
    assert created_at[0] == start_time
    st = cluster.api.get("jobs", "pi")["status"]
    assert st["failed"] == 3
    failed = [c for c in st["conditions"] if c["type"] == "Failed"][0]
    assert (failed["reason"], failed["message"]) == ("BackoffLimitExceeded", "Job has reached the specified backoff limit")
    assert [c["type"] for c in st["conditions"]] == ["FailureTarget", "Failed"]
    assert ("BackoffLimitExceeded", "Job has reached the specified backoff limit") in events(cluster)
    assert running(cluster) == []
    out = cluster.kubectl("get job pi")
    assert out.stdout.splitlines()[1].split()[:3] == ["pi", "Failed", "0/1"]


def test_indexed_job(cluster):
    start(cluster)
    cluster.api.apply(JOB.replace("parallelism: 2", "parallelism: 3\n  completionMode: Indexed")
                      .replace("completions: 5", "completions: 3"))
    cluster.settle()
    pods = sorted(running(cluster), key=lambda p: p["metadata"]["name"])
    indexes = [p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] for p in pods]
    assert indexes == ["0", "1", "2"]
    for i, p in enumerate(pods):
        assert p["metadata"]["name"].startswith(f"pi-{i}-")
        assert p["metadata"]["labels"]["batch.kubernetes.io/job-completion-index"] == str(i)
        assert p["spec"]["hostname"] == f"pi-{i}"
        env = {e["name"]: e for e in p["spec"]["containers"][0]["env"]}
        assert env["JOB_COMPLETION_INDEX"]["valueFrom"]["fieldRef"]["fieldPath"] == \
            "metadata.labels['batch.kubernetes.io/job-completion-index']"
    finish(cluster, pods[1])
    assert cluster.api.get("jobs", "pi")["status"]["completedIndexes"] == "1"
    finish(cluster, pods[0], exit_code=1)  # index 0 fails: a new pod takes index 0 after the back-off
    cluster.advance(10)
    cluster.settle()
    again = [p for p in running(cluster) if p["metadata"]["annotations"]["batch.kubernetes.io/job-completion-index"] == "0"]
    assert len(again) == 1 and again[0]["metadata"]["name"] != pods[0]["metadata"]["name"]
    finish(cluster, again[0])
    finish(cluster, pods[2])
    st = cluster.api.get("jobs", "pi")["status"]
    assert (st["completedIndexes"], st["succeeded"], st["failed"]) == ("0-2", 3, 1)
    assert any(c["type"] == "Complete" for c in st["conditions"])


def test_active_deadline_and_ttl_after_finished(cluster):
    start(cluster, JobController, TTLAfterFinishedController)
    cluster.api.apply(JOB.replace("completions: 5\n  parallelism: 2",
                                  "activeDeadlineSeconds: 30\n  ttlSecondsAfterFinished: 60"))
    cluster.settle()
    pod = running(cluster)[0]
    cluster.api.bind(pod, "worker-1")
    cluster.advance(31)
    cluster.settle()
    st = cluster.api.get("jobs", "pi")["status"]
    assert [c["type"] for c in st["conditions"]] == ["FailureTarget"]  # its pod is still terminating
    assert cluster.api.get("pods", pod["metadata"]["name"])["metadata"]["deletionTimestamp"]
    cluster.api.delete("pods", pod["metadata"]["name"], grace_period_seconds=0)  # the kubelet is done
    cluster.settle()
    st = cluster.api.get("jobs", "pi")["status"]
    failed = [c for c in st["conditions"] if c["type"] == "Failed"][0]
    assert (failed["reason"], failed["message"]) == ("DeadlineExceeded", "Job was active longer than specified deadline")
    assert ("DeadlineExceeded", "Job was active longer than specified deadline") in events(cluster)
    cluster.advance(59)
    assert cluster.api.exists("jobs", "pi")
    cluster.advance(2)
    # deleted with foreground propagation: gone, or going once the garbage collector has its pods
    assert not cluster.api.exists("jobs", "pi") or cluster.api.get("jobs", "pi")["metadata"]["deletionTimestamp"]


def test_suspend_and_pod_failure_policy(cluster):
    start(cluster)
    cluster.api.apply(JOB.replace("completions: 5\n  parallelism: 2", "suspend: true\n  podFailurePolicy:\n"
                                  "    rules:\n    - action: FailJob\n      onExitCodes: {operator: In, values: [42]}"))
    cluster.settle()
    assert running(cluster) == []
    st = cluster.api.get("jobs", "pi")["status"]
    assert [(c["type"], c["status"], c["reason"]) for c in st["conditions"]] == [("Suspended", "True", "JobSuspended")]
    cluster.api.patch("jobs", "pi", {"spec": {"suspend": False}})
    cluster.settle()
    assert ("Resumed", "Job resumed") in events(cluster)
    pod = running(cluster)[0]
    finish(cluster, pod, exit_code=42)
    st = cluster.api.get("jobs", "pi")["status"]
    failed = [c for c in st["conditions"] if c["type"] == "Failed"][0]
    assert failed["reason"] == "PodFailurePolicy"
    assert failed["message"] == (f"Container pi for pod default/{pod['metadata']['name']} failed with exit code 42 "
                                 "matching FailJob rule at index 0")


def test_completed_indexes_format():
    assert format_indexes({0, 1, 2, 4, 6, 7}) == "0-2,4,6-7"
    assert parse_indexes("0-2,4,6-7") == {0, 1, 2, 4, 6, 7}
    assert format_indexes(set()) == ""
