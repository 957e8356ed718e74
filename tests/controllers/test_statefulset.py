"""The StatefulSet controller, with the test standing in for the scheduler and the kubelets.

Real Kubernetes, for the manifest below::

    $ kubectl get pods -w          # web-0 Running and Ready before web-1 is created, and so on
    $ kubectl get pvc
    NAME        STATUS   VOLUME        CAPACITY   ACCESS MODES   STORAGECLASS   ...
    www-web-0   Bound    pvc-...       1Gi        RWO            standard       ...
"""

from kernelsim.controllers.persistentvolume import PersistentVolumeController
from kernelsim.controllers.provisioner import ProvisionerController
from kernelsim.controllers.statefulset import StatefulSetController
from kernelsim.controllers.storage_objects import default_storage_class

WEB = """
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: web}
spec:
  serviceName: nginx
  replicas: 3
  selector: {matchLabels: {app: nginx}}
  template:
    metadata: {labels: {app: nginx}}
    spec:
      containers:
      - name: nginx
        image: registry.k8s.io/nginx-slim:0.24
        volumeMounts: [{name: www, mountPath: /usr/share/nginx/html}]
  volumeClaimTemplates:
  - metadata: {name: www}
    spec:
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
"""


def start(cluster, *classes):
    """Start the controllers under test (unless kube-controller-manager already runs them)
    and the default StorageClass (unless the cluster already made it)."""
    running = {type(c) for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        for cls in classes:
            if cls not in running:
                cls(cluster._internal, cluster.loop).start()
        if not cluster.api.exists("storageclasses", "standard", None):
            cluster.api.create(default_storage_class())
    cluster.settle()


def pods(cluster):
    return {p["metadata"]["name"]: p for p in cluster.api.list("pods", "default")}


def run(cluster, name, node="worker-1"):
    """What the scheduler and the kubelet would do: bind, then report Running and Ready."""
    api = cluster.api
    pod = api.get("pods", name)
    if not pod["spec"].get("nodeName"):
        api.bind(pod, node)
        pod = api.get("pods", name)
    pod["status"].update(phase="Running", conditions=[
        {"type": "Ready", "status": "True", "lastTransitionTime": cluster.apiserver.timestamp()}])
    api.update_status(pod)
    cluster.settle()


def finish_deletions(cluster):
    """The kubelet's last step for every terminating pod."""
    for p in cluster.api.list("pods", "default"):
        if p["metadata"].get("deletionTimestamp"):
            cluster.api.delete("pods", p["metadata"]["name"], grace_period_seconds=0)
    cluster.settle()


def test_ordered_start_identity_and_storage(cluster):
    start(cluster, StatefulSetController, PersistentVolumeController, ProvisionerController)
    cluster.api.apply(WEB)
    cluster.settle()
    assert list(pods(cluster)) == ["web-0"]  # web-1 waits for web-0 to be Running and Ready
    run(cluster, "web-0")
    assert sorted(pods(cluster)) == ["web-0", "web-1"]
    run(cluster, "web-1")
    run(cluster, "web-2")
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]

    web1 = pods(cluster)["web-1"]
    labels = web1["metadata"]["labels"]
    assert labels["statefulset.kubernetes.io/pod-name"] == "web-1"
    assert labels["apps.kubernetes.io/pod-index"] == "1"
    assert labels["controller-revision-hash"].startswith("web-")
    assert (web1["spec"]["hostname"], web1["spec"]["subdomain"]) == ("web-1", "nginx")
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-1"}} in web1["spec"]["volumes"]

    claims = {c["metadata"]["name"]: c for c in cluster.api.list("pvc", "default")}
    assert sorted(claims) == ["www-web-0", "www-web-1", "www-web-2"]
    for c in claims.values():
        assert c["status"]["phase"] == "Bound"
        assert c["spec"]["storageClassName"] == "standard"
        assert c["spec"]["volumeName"] == f"pvc-{c['metadata']['uid']}"
        assert c["status"]["capacity"] == {"storage": "1Gi"}

    sts = cluster.api.get("statefulsets", "web")
    st = sts["status"]
    assert (st["replicas"], st["readyReplicas"], st["currentReplicas"], st["updatedReplicas"],
            st["availableReplicas"]) == (3, 3, 3, 3, 3)
    assert st["currentRevision"] == st["updateRevision"] == labels["controller-revision-hash"]
    assert cluster.api.exists("controllerrevisions", st["currentRevision"])

    messages = [e["message"] for e in cluster.api.list("events", "default")
                if e["involvedObject"]["kind"] == "StatefulSet"]
    assert "create Pod web-0 in StatefulSet web successful" in messages
    assert "create Claim www-web-0 Pod web-0 in StatefulSet web success" in messages

    out = cluster.kubectl("get pvc www-web-0")
    assert out.returncode == 0, out.stderr
    row = out.stdout.splitlines()[1].split()
    assert row[:4] == ["www-web-0", "Bound", claims["www-web-0"]["spec"]["volumeName"], "1Gi"]


def test_scale_down_from_highest_ordinal_keeps_claims(cluster):
    start(cluster, StatefulSetController, PersistentVolumeController, ProvisionerController)
    cluster.api.apply(WEB)
    cluster.settle()
    for name in ("web-0", "web-1", "web-2"):
        run(cluster, name)
    cluster.api.patch("statefulsets", "web", {"spec": {"replicas": 1}})
    cluster.settle()
    terminating = [n for n, p in pods(cluster).items() if p["metadata"].get("deletionTimestamp")]
    assert terminating == ["web-2"]  # one at a time, highest first
    finish_deletions(cluster)
    terminating = [n for n, p in pods(cluster).items() if p["metadata"].get("deletionTimestamp")]
    assert terminating == ["web-1"]
    finish_deletions(cluster)
    assert list(pods(cluster)) == ["web-0"]
    # Retain (the default): the claims of web-1 and web-2 stay, still Bound.
    phases = {c["metadata"]["name"]: c["status"]["phase"] for c in cluster.api.list("pvc", "default")}
    assert phases == {"www-web-0": "Bound", "www-web-1": "Bound", "www-web-2": "Bound"}

    # A deleted pod comes back with the same name and the same claim.
    cluster.api.delete("pods", "web-0")
    finish_deletions(cluster)
    web0 = pods(cluster)["web-0"]
    assert {"name": "www", "persistentVolumeClaim": {"claimName": "www-web-0"}} in web0["spec"]["volumes"]


def test_parallel_and_claim_deletion_when_scaled(cluster):
    start(cluster, StatefulSetController, PersistentVolumeController, ProvisionerController)
    manifest = WEB.replace("  serviceName: nginx", "  serviceName: nginx\n  podManagementPolicy: Parallel\n"
                           "  persistentVolumeClaimRetentionPolicy: {whenScaled: Delete}")
    cluster.api.apply(manifest)
    cluster.settle()
    assert sorted(pods(cluster)) == ["web-0", "web-1", "web-2"]  # all at once
    cluster.api.patch("statefulsets", "web", {"spec": {"replicas": 2}})
    cluster.settle()
    assert sorted(pods(cluster)) == ["web-0", "web-1"]  # unbound pods go at once
    assert sorted(c["metadata"]["name"] for c in cluster.api.list("pvc", "default")) == ["www-web-0", "www-web-1"]


def test_rolling_update_with_partition_goes_down_from_the_top(cluster):
    start(cluster, StatefulSetController)
    cluster.api.apply(WEB.split("        volumeMounts")[0])  # no storage this time
    cluster.settle()
    for name in ("web-0", "web-1", "web-2"):
        run(cluster, name)
    old = cluster.api.get("statefulsets", "web")["status"]["currentRevision"]
    cluster.api.patch("statefulsets", "web", {"spec": {
        "updateStrategy": {"rollingUpdate": {"partition": 1}},
        "template": {"spec": {"containers": [{"name": "nginx", "image": "registry.k8s.io/nginx-slim:0.27"}]}}}})
    cluster.settle()
    assert [n for n, p in pods(cluster).items() if p["metadata"].get("deletionTimestamp")] == ["web-2"]
    finish_deletions(cluster)
    run(cluster, "web-2")
    finish_deletions(cluster)
    run(cluster, "web-1")
    finish_deletions(cluster)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in pods(cluster).items()}
    assert images == {"web-0": "registry.k8s.io/nginx-slim:0.24", "web-1": "registry.k8s.io/nginx-slim:0.27",
                      "web-2": "registry.k8s.io/nginx-slim:0.27"}
    st = cluster.api.get("statefulsets", "web")["status"]
    assert st["currentRevision"] == old and st["updateRevision"] != old
    assert (st["currentReplicas"], st["updatedReplicas"]) == (1, 2)
    assert len(cluster.api.list("controllerrevisions", "default")) == 2
