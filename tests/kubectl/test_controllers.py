"""Controllers keep the current state equal to the desired state, seen through the real
kubectl on the whole default cluster (controllers issue, acceptance)."""

import json
import re

from kernelsim.testing import check_invariants

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 3
  strategy: {type: RollingUpdate, rollingUpdate: {maxSurge: 1, maxUnavailable: 1}}
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: nginx, image: "nginx:1.25"}]
"""


def rows(out):
    return [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]


def web_pods(cluster):
    return [p for p in cluster.api.list("pods", "default", label_selector="app=web")]


def available(pods):
    return [p for p in pods if not p["metadata"].get("deletionTimestamp") and any(
        c["type"] == "Ready" and c["status"] == "True" for c in (p.get("status") or {}).get("conditions", []))]


def test_deployment_scale_roll_and_undo(cluster, kubectl):
    assert kubectl("apply -f -", input=DEPLOYMENT).stdout == "deployment.apps/web created\n"
    assert kubectl("rollout status deployment/web --timeout=60s").stdout.endswith(
        'deployment "web" successfully rolled out\n')
    assert rows(kubectl("get deploy web").stdout)[1][1:4] == ["3/3", "3", "3"]
    kubectl("scale deployment web --replicas=5")
    cluster.settle()
    assert len(available(web_pods(cluster))) == 5
    # Scaling down deletes first the pods whose node holds more of their replicas
    # (ReplicaSet's ranking by co-located pods), then the younger ones.
    before = web_pods(cluster)
    crowd = {}
    for p in before:
        crowd[p["spec"]["nodeName"]] = crowd.get(p["spec"]["nodeName"], 0) + 1
    kubectl("scale deployment web --replicas=2")
    cluster.settle()
    kept = {p["metadata"]["name"] for p in web_pods(cluster)}
    assert len(kept) == 2
    rank = {p["metadata"]["name"]: (crowd[p["spec"]["nodeName"]], p["metadata"]["creationTimestamp"])
            for p in before}
    assert max(rank[n] for n in kept) <= min(rank[p["metadata"]["name"]] for p in before
                                            if p["metadata"]["name"] not in kept)
    kubectl("scale deployment web --replicas=3")
    cluster.settle()
    old_rs = rows(kubectl("get rs -o name").stdout)
    # A rolling update never goes beyond replicas+maxSurge pods nor below replicas-maxUnavailable available.
    assert kubectl("set image deployment/web nginx=nginx:1.26").returncode == 0
    for _ in range(5000):
        pods = [p for p in web_pods(cluster) if not p["metadata"].get("deletionTimestamp")]
        assert len(pods) <= 3 + 1
        assert len(available(pods)) >= 3 - 1
        with cluster.lock:
            if not cluster.loop.step():
                break
        if all(c["spec"]["containers"][0]["image"] == "nginx:1.26" for c in available(pods)) and \
                len(available(pods)) == 3 and len(pods) == 3:
            break
    out = kubectl("rollout status deployment/web --timeout=60s").stdout
    assert out.endswith('deployment "web" successfully rolled out\n')
    history = kubectl("rollout history deployment/web").stdout
    assert re.search(r"^1\s+<none>$", history, re.M) and re.search(r"^2\s+<none>$", history, re.M)
    assert kubectl("rollout undo deployment/web").stdout == "deployment.apps/web rolled back\n"
    kubectl("rollout status deployment/web --timeout=60s")
    images = {p["spec"]["containers"][0]["image"] for p in available(web_pods(cluster))}
    assert images == {"nginx:1.25"}
    assert len(old_rs) >= 1
    check_invariants(cluster)


def test_self_healing_and_cascading_deletion(cluster, kubectl):
    kubectl("apply -f -", input=DEPLOYMENT)
    cluster.settle()
    victim = web_pods(cluster)[0]["metadata"]["name"]
    kubectl(f"delete pod {victim} --wait=false")
    cluster.settle()
    names = {p["metadata"]["name"] for p in available(web_pods(cluster))}
    assert len(names) == 3 and victim not in names
    kubectl("delete deployment web")
    cluster.settle()
    assert cluster.api.list("replicasets", "default") == [] and web_pods(cluster) == []
    kubectl("apply -f -", input=DEPLOYMENT)
    cluster.settle()
    kubectl("delete deployment web --cascade=orphan")
    cluster.settle()
    assert len(cluster.api.list("replicasets", "default")) == 1 and len(web_pods(cluster)) == 3
    check_invariants(cluster)


STATEFULSET = """apiVersion: v1
kind: Service
metadata: {name: nginx}
spec: {clusterIP: None, selector: {app: db}, ports: [{port: 80}]}
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: db}}
  template:
    metadata: {labels: {app: db}}
    spec:
      containers:
      - name: nginx
        image: nginx
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
"""


def test_statefulset_order_storage_and_dns(cluster, kubectl):
    kubectl("apply -f -", input=STATEFULSET)
    cluster.settle()
    pods = {p["metadata"]["name"]: p for p in cluster.api.list("pods", "default", label_selector="app=db")}
    assert sorted(pods) == ["web-0", "web-1", "web-2"]
    started = [pods[n]["status"]["startTime"] for n in ("web-0", "web-1", "web-2")]
    assert started == sorted(started)
    pvcs = rows(kubectl("get pvc").stdout)
    assert sorted(r[0] for r in pvcs[1:]) == ["www-web-0", "www-web-1", "www-web-2"]
    assert {r[1] for r in pvcs[1:]} == {"Bound"}
    kubectl("run client --image=busybox -- sleep 3600")
    cluster.settle()
    assert cluster.resolve("web-0.nginx.default.svc.cluster.local") == [pods["web-0"]["status"]["podIP"]]
    kubectl("scale statefulset web --replicas=2")
    cluster.settle()
    assert sorted(p["metadata"]["name"] for p in cluster.api.list("pods", "default", label_selector="app=db")) \
        == ["web-0", "web-1"]
    assert "www-web-2" in kubectl("get pvc -o name").stdout  # the claim survives its pod
    check_invariants(cluster)


DAEMONSET = """apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      containers: [{name: agent, image: busybox, command: [sh, -c, "sleep 3600"]}]
"""


def test_daemonset_one_pod_per_worker_and_new_nodes(cluster, kubectl):
    kubectl("apply -f -", input=DAEMONSET)
    cluster.settle()
    nodes = sorted(p["spec"]["nodeName"] for p in cluster.api.list("pods", "default", label_selector="app=agent"))
    assert nodes == ["worker-1", "worker-2"]
    name = cluster.add_node()
    cluster.settle()
    nodes = sorted(p["spec"]["nodeName"] for p in cluster.api.list("pods", "default", label_selector="app=agent"))
    assert nodes == ["worker-1", "worker-2", name]


JOB = """apiVersion: batch/v1
kind: Job
metadata: {name: batch}
spec:
  completions: 5
  parallelism: 2
  template:
    spec:
      restartPolicy: Never
      containers: [{name: work, image: kernelsim/job, args: ["3"]}]
"""


def test_job_runs_two_at_a_time_to_five_completions(cluster, kubectl):
    kubectl("apply -f -", input=JOB)
    most = 0
    for _ in range(20000):
        running = [p for p in cluster.api.list("pods", "default", label_selector="job-name=batch")
                   if (p.get("status") or {}).get("phase") in ("Pending", "Running")
                   and not p["metadata"].get("deletionTimestamp")]
        most = max(most, len(running))
        with cluster.lock:
            if not cluster.loop.step():
                break
        if cluster.api.get("jobs", "batch").get("status", {}).get("succeeded") == 5:
            break
    cluster.settle()
    assert most == 2
    job = cluster.api.get("jobs", "batch")
    assert job["status"]["succeeded"] == 5
    assert any(c["type"] == "Complete" and c["status"] == "True" for c in job["status"]["conditions"])
    assert rows(kubectl("get jobs").stdout)[0] == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    assert rows(kubectl("get jobs").stdout)[1][1:3] == ["Complete", "5/5"]


def test_failing_job_stops_at_backoff_limit(cluster, kubectl):
    kubectl("create job fail --image=busybox -- sh -c 'exit 1'")
    assert kubectl(["patch", "job", "fail", "--type=merge", "-p", '{"spec":{"backoffLimit":2}}']).returncode == 0
    cluster.advance(600)
    job = cluster.api.get("jobs", "fail")
    failed = [c for c in job["status"]["conditions"] if c["type"] == "Failed"]
    assert failed and failed[0]["reason"] == "BackoffLimitExceeded"
    assert failed[0]["message"] == "Job has reached the specified backoff limit"


def test_node_failure_moves_pods_elsewhere(cluster, kubectl):
    kubectl("apply -f -", input=DEPLOYMENT.replace("replicas: 3", "replicas: 4"))
    cluster.settle()
    on_w1 = [p["metadata"]["name"] for p in web_pods(cluster) if p["spec"]["nodeName"] == "worker-1"]
    assert on_w1
    cluster.stop_kubelet("worker-1")
    cluster.advance(60)  # node-monitor-grace-period (50 s) goes by
    assert rows(kubectl("get node worker-1").stdout)[1][1] == "NotReady"
    taints = json.loads(kubectl("get node worker-1 -o jsonpath={.spec.taints}").stdout)
    assert {(t["key"], t["effect"]) for t in taints} == {("node.kubernetes.io/unreachable", "NoSchedule"),
                                                        ("node.kubernetes.io/unreachable", "NoExecute")}
    cluster.advance(310)  # the default tolerationSeconds (300 s)
    cluster.settle()
    events = kubectl("get events --field-selector reason=TaintManagerEviction").stdout
    assert all(name in events for name in on_w1)
    live = available(web_pods(cluster))
    assert len(live) == 4 and all(p["spec"]["nodeName"] != "worker-1" for p in live)


def test_namespace_deletion_leaves_nothing(cluster, kubectl):
    kubectl("create namespace shop")
    kubectl("apply -n shop -f -", input=DEPLOYMENT)
    kubectl("create service clusterip web -n shop --tcp=80:80")
    kubectl("apply -n shop -f -", input="apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: data}\n"
                                        "spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n")
    cluster.settle()
    kubectl("delete namespace shop --wait=false")
    cluster.advance(120)
    cluster.settle()
    assert kubectl("get namespace shop").returncode == 1
    for res in ("pods", "replicasets", "deployments", "services", "persistentvolumeclaims", "endpointslices"):
        assert cluster.api.list(res, "shop") == [], res
    check_invariants(cluster)
