"""The Deployment controller, driven by the real kubectl (kubelet played by KubeletStandIn).

The expectations are those of a real cluster, e.g. for a 3-replica nginx Deployment:

    $ kubectl get deploy
    NAME   READY   UP-TO-DATE   AVAILABLE   AGE
    web    3/3     3            3           1s
    $ kubectl rollout status deployment/web
    Waiting for deployment "web" rollout to finish: 1 of 3 updated replicas are available...
    deployment "web" successfully rolled out
"""

import re

import pytest

from kernelsim.controllers import deployment_util as du

from . import KubeletStandIn, deployment_yaml, pods_of, start_controllers

RECREATE = "  strategy:\n    type: Recreate\n"
HASH = re.compile(r"^[bcdfghjklmnpqrstvwxz2456789]{6,10}$")


@pytest.fixture
def web(cluster):
    """Controllers, a stand-in kubelet, and a settled 3-replica nginx Deployment "web"."""
    cluster.apiserver.gc_finalizers_enabled = True
    start_controllers(cluster, "replicaset", "deployment", "garbagecollector")
    KubeletStandIn(cluster)
    assert cluster.kubectl("apply -f -", input=deployment_yaml()).returncode == 0
    cluster.settle()
    return cluster


def replica_sets(cluster):
    return sorted(cluster.api.list("replicasets", "default"), key=du.revision_of)


def events(cluster, reason="ScalingReplicaSet"):
    evs = [e for e in cluster.api.list("events", "default") if e["reason"] == reason]
    return [e["message"] for e in sorted(evs, key=lambda e: int(e["metadata"]["resourceVersion"]))]


def live(pods):
    return [p for p in pods if not p["metadata"].get("deletionTimestamp")]


def images(cluster):
    return sorted({p["spec"]["containers"][0]["image"] for p in live(pods_of(cluster))})


def test_a_three_replica_deployment(web):
    d = web.api.get("deployments", "web")
    [rs] = replica_sets(web)
    pod_template_hash = rs["metadata"]["labels"]["pod-template-hash"]
    assert HASH.match(pod_template_hash)
    assert rs["metadata"]["name"] == f"web-{pod_template_hash}"
    assert rs["spec"]["selector"]["matchLabels"] == {"app": "web", "pod-template-hash": pod_template_hash}
    assert rs["metadata"]["ownerReferences"][0] == {
        "apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": d["metadata"]["uid"],
        "controller": True, "blockOwnerDeletion": True}
    ann = rs["metadata"]["annotations"]
    assert (ann[du.REVISION_ANNOTATION], ann[du.DESIRED_REPLICAS_ANNOTATION], ann[du.MAX_REPLICAS_ANNOTATION]) \
        == ("1", "3", "4")  # maxSurge 25% of 3 rounds up to 1
    assert d["metadata"]["annotations"][du.REVISION_ANNOTATION] == "1"
    assert all(p["metadata"]["name"].startswith(f"web-{pod_template_hash}-") for p in pods_of(web))
    status = d["status"]
    assert {k: status.get(k) for k in ("observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
                                        "availableReplicas", "terminatingReplicas")} == {
        "observedGeneration": 1, "replicas": 3, "updatedReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
        "terminatingReplicas": 0}
    conds = {c["type"]: (c["status"], c["reason"], c["message"]) for c in status["conditions"]}
    assert conds == {
        "Available": ("True", "MinimumReplicasAvailable", "Deployment has minimum availability."),
        "Progressing": ("True", "NewReplicaSetAvailable",
                        f'ReplicaSet "web-{pod_template_hash}" has successfully progressed.')}
    assert events(web) == [f"Scaled up replica set web-{pod_template_hash} from 0 to 3"]
    out = web.kubectl("get deploy").stdout.splitlines()
    assert out[0].split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert out[1].split()[:4] == ["web", "3/3", "3", "3"]
    out = web.kubectl("get rs").stdout.splitlines()
    assert out[1].split()[:4] == [f"web-{pod_template_hash}", "3", "3", "3"]


def test_the_hash_is_stable_and_changes_with_the_template_or_collisions():
    t = {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "nginx", "image": "nginx"}]}}
    h = du.compute_hash(t)
    assert h == du.compute_hash({"spec": t["spec"], "metadata": t["metadata"]})
    assert h != du.compute_hash(t, 1) and du.compute_hash(t, 1) != du.compute_hash(t, 2)
    assert h != du.compute_hash({**t, "spec": {"containers": [{"name": "nginx", "image": "nginx:2"}]}})
    assert du.safe_encode_string("0123456789") == "456789bcdf"  # bytes 48..57 modulo 27


def test_surge_rounds_up_and_unavailable_rounds_down():
    def d(replicas, surge, unavailable):
        return {"spec": {"replicas": replicas, "strategy": {"type": "RollingUpdate", "rollingUpdate": {
            "maxSurge": surge, "maxUnavailable": unavailable}}}}
    assert (du.max_surge(d(10, "25%", "25%")), du.max_unavailable(d(10, "25%", "25%"))) == (3, 2)
    assert (du.max_surge(d(3, "25%", "25%")), du.max_unavailable(d(3, "25%", "25%"))) == (1, 0)
    assert du.max_unavailable(d(3, 0, 0)) == 1  # both zero: one may be unavailable
    assert du.max_unavailable(d(2, 0, 5)) == 2


def test_scale_up_then_down_removes_the_newest_pods_first(cluster):
    web = cluster
    start_controllers(web, "replicaset", "deployment")
    KubeletStandIn(web, nodes=("worker-1",))  # one node: no pod is "doubled up" more than another
    web.kubectl("apply -f -", input=deployment_yaml())
    web.settle()
    before = {p["metadata"]["name"] for p in pods_of(web)}
    assert web.kubectl("scale deployment/web --replicas=5").stdout == "deployment.apps/web scaled\n"
    web.settle()
    assert len(pods_of(web)) == 5
    added = {p["metadata"]["name"] for p in pods_of(web)} - before
    # The added pods have been ready for less time, so they go first.  (Readiness age is
    # compared in log2 buckets: pods ready 120s and 122s ago would tie, as in Kubernetes.)
    web.kubectl("scale deployment/web --replicas=2")
    web.settle()
    left = {p["metadata"]["name"] for p in pods_of(web)}
    assert len(left) == 2 and left <= before and not (left & added)
    [rs] = replica_sets(web)
    name = rs["metadata"]["name"]
    assert events(web)[-2:] == [f"Scaled up replica set {name} from 3 to 5",
                                f"Scaled down replica set {name} from 5 to 2"]
    assert rs["metadata"]["annotations"][du.DESIRED_REPLICAS_ANNOTATION] == "2"
    assert web.api.get("deployments", "web")["status"]["availableReplicas"] == 2


def test_rolling_update_stays_within_max_surge_and_max_unavailable(cluster):
    start_controllers(cluster, "replicaset", "deployment")
    KubeletStandIn(cluster, ready_after=2.0, kill_after=3.0)
    cluster.kubectl("apply -f -", input=deployment_yaml(replicas=4))  # 25%: surge 1, unavailable 1
    cluster.settle()
    assert cluster.kubectl("set image deployment/web nginx=nginx:1.28").returncode == 0
    seen = set()
    steps = 0
    with cluster.lock:
        while cluster.loop.next_work() is not None:
            cluster.loop.step()
            steps += 1
            pods = live(pods_of(cluster))
            ready = [p for p in pods if any(c["type"] == "Ready" and c["status"] == "True"
                                            for c in p.get("status", {}).get("conditions", []))]
            assert len(pods) <= 4 + 1, f"step {steps}: {len(pods)} pods"
            assert len(ready) >= 4 - 1, f"step {steps}: only {len(ready)} available"
            seen.add(tuple(sorted(p["spec"]["containers"][0]["image"] for p in pods)))
    assert images(cluster) == ["nginx:1.28"] and len(pods_of(cluster)) == 4
    assert any(len(set(s)) == 2 for s in seen)  # old and new ran side by side
    old, new = replica_sets(cluster)
    assert (old["spec"]["replicas"], new["spec"]["replicas"]) == (0, 4)
    assert new["metadata"]["annotations"][du.REVISION_ANNOTATION] == "2"
    msgs = events(cluster)
    assert msgs[1] == f"Scaled up replica set {new['metadata']['name']} from 0 to 1"
    assert msgs[-1].startswith(f"Scaled down replica set {old['metadata']['name']} from ")
    assert msgs[-1].endswith(" to 0")
    conds = {c["type"]: c["reason"] for c in cluster.api.get("deployments", "web")["status"]["conditions"]}
    assert conds == {"Available": "MinimumReplicasAvailable", "Progressing": "NewReplicaSetAvailable"}


def test_recreate_never_runs_old_and_new_pods_together(cluster):
    start_controllers(cluster, "replicaset", "deployment")
    KubeletStandIn(cluster, ready_after=2.0, kill_after=3.0)
    cluster.kubectl("apply -f -", input=deployment_yaml(strategy=RECREATE))
    cluster.settle()
    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    both = new_seen = 0
    with cluster.lock:
        while cluster.loop.next_work() is not None:
            cluster.loop.step()
            tags = {p["spec"]["containers"][0]["image"] for p in pods_of(cluster)}  # terminating ones too
            both += tags == {"nginx:1.27", "nginx:1.28"}
            new_seen += tags == {"nginx:1.28"}
    assert both == 0 and new_seen > 0
    assert images(cluster) == ["nginx:1.28"]
    old, new = replica_sets(cluster)
    assert events(cluster)[1:] == [f"Scaled down replica set {old['metadata']['name']} from 3 to 0",
                                   f"Scaled up replica set {new['metadata']['name']} from 0 to 3"]


STATUS_LINES = [r'Waiting for deployment spec update to be observed\.\.\.',
                r'Waiting for deployment "web" rollout to finish: \d+ out of 3 new replicas have been updated\.\.\.',
                r'Waiting for deployment "web" rollout to finish: \d+ old replicas are pending termination\.\.\.',
                r'Waiting for deployment "web" rollout to finish: \d+ of 3 updated replicas are available\.\.\.']


def test_rollout_status_prints_the_real_messages(cluster):
    start_controllers(cluster, "replicaset", "deployment")
    KubeletStandIn(cluster, ready_after=2.0)
    cluster.kubectl("apply -f -", input=deployment_yaml())
    # kubectl watches the Deployment; while it waits, simulated time moves on
    r = cluster.kubectl("rollout status deployment/web", timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert 'Waiting for deployment "web" rollout to finish: 0 of 3 updated replicas are available...' in lines
    for line in lines[:-1]:
        assert any(re.fullmatch(p, line) for p in STATUS_LINES), line

    cluster.kubectl("set image deployment/web nginx=nginx:1.28")
    r = cluster.kubectl("rollout status deployment/web", timeout=60)
    lines = r.stdout.splitlines()
    assert lines[-1] == 'deployment "web" successfully rolled out'
    assert 'Waiting for deployment "web" rollout to finish: 1 out of 3 new replicas have been updated...' in lines
    for line in lines[:-1]:
        assert any(re.fullmatch(p, line) for p in STATUS_LINES), line
    assert images(cluster) == ["nginx:1.28"]


def test_rollout_history_undo_and_restart(web):
    web.kubectl("set image deployment/web nginx=nginx:1.28")
    web.settle()
    first, second = replica_sets(web)
    assert web.kubectl("rollout history deployment/web").stdout == (
        "deployment.apps/web \nREVISION  CHANGE-CAUSE\n1         <none>\n2         <none>\n\n")
    r = web.kubectl("rollout undo deployment/web")
    assert r.stdout == "deployment.apps/web rolled back\n"
    web.settle()
    assert images(web) == ["nginx:1.27"]
    assert len(replica_sets(web)) == 2  # the old ReplicaSet came back; nothing new was made
    back = web.api.get("replicasets", first["metadata"]["name"])
    assert back["spec"]["replicas"] == 3
    assert back["metadata"]["annotations"][du.REVISION_ANNOTATION] == "3"
    assert back["metadata"]["annotations"][du.REVISION_HISTORY_ANNOTATION] == "1"
    assert web.api.get("deployments", "web")["metadata"]["annotations"][du.REVISION_ANNOTATION] == "3"
    assert "\n2         <none>\n3         <none>\n" in web.kubectl("rollout history deployment/web").stdout
    # rollout restart only changes the template (an annotation): a new ReplicaSet rolls out
    assert web.kubectl("rollout restart deployment/web").stdout == "deployment.apps/web restarted\n"
    web.settle()
    newest = replica_sets(web)[-1]
    assert "kubectl.kubernetes.io/restartedAt" in newest["spec"]["template"]["metadata"]["annotations"]
    assert newest["metadata"]["annotations"][du.REVISION_ANNOTATION] == "4"
    assert all(p["metadata"]["labels"]["pod-template-hash"] == newest["metadata"]["labels"]["pod-template-hash"]
               for p in pods_of(web))


def test_paused_deployment_does_not_roll_out(web):
    assert web.kubectl("rollout pause deployment/web").returncode == 0
    web.kubectl("set image deployment/web nginx=nginx:1.28")
    web.settle()
    assert len(replica_sets(web)) == 1 and images(web) == ["nginx:1.27"]
    progressing = [c for c in web.api.get("deployments", "web")["status"]["conditions"] if c["type"] == "Progressing"]
    assert (progressing[0]["status"], progressing[0]["reason"]) == ("Unknown", "DeploymentPaused")
    web.kubectl("scale deployment/web --replicas=4")  # scaling still works while paused
    web.settle()
    assert len(pods_of(web)) == 4
    web.kubectl("rollout resume deployment/web")
    web.settle()
    assert images(web) == ["nginx:1.28"] and len(replica_sets(web)) == 2


def test_progress_deadline_exceeded(cluster):
    start_controllers(cluster, "replicaset", "deployment")
    KubeletStandIn(cluster, ready_after=None)  # pods never become ready
    cluster.kubectl("apply -f -", input=deployment_yaml(extra_spec="  progressDeadlineSeconds: 30\n"))
    cluster.settle()
    cluster.advance(40)
    d = cluster.api.get("deployments", "web")
    [rs] = replica_sets(cluster)
    progressing = [c for c in d["status"]["conditions"] if c["type"] == "Progressing"][0]
    assert (progressing["status"], progressing["reason"], progressing["message"]) == (
        "False", "ProgressDeadlineExceeded", f'ReplicaSet "{rs["metadata"]["name"]}" has timed out progressing.')
    available = [c for c in d["status"]["conditions"] if c["type"] == "Available"][0]
    assert (available["status"], available["reason"]) == ("False", "MinimumReplicasUnavailable")
    assert d["status"]["unavailableReplicas"] == 3
    r = cluster.kubectl("rollout status deployment/web", timeout=60)
    assert r.returncode == 1
    assert r.stderr == 'error: deployment "web" exceeded its progress deadline\n'


def test_revision_history_limit_removes_the_oldest_replica_sets(cluster):
    start_controllers(cluster, "replicaset", "deployment")
    KubeletStandIn(cluster)
    cluster.kubectl("apply -f -", input=deployment_yaml(extra_spec="  revisionHistoryLimit: 1\n"))
    cluster.settle()
    for tag in ("1.28", "1.29", "1.30"):
        cluster.kubectl(f"set image deployment/web nginx=nginx:{tag}")
        cluster.settle()
    rss = replica_sets(cluster)
    assert [du.revision_of(rs) for rs in rss] == [3, 4]
    assert images(cluster) == ["nginx:1.30"]


def test_deleting_the_deployment_deletes_its_replica_sets_and_pods(web):
    assert web.kubectl("delete deployment web").stdout == 'deployment.apps "web" deleted from default namespace\n'
    web.settle()
    assert replica_sets(web) == [] and pods_of(web) == []
