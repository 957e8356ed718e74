"""The ReplicaSet controller against a simulated cluster (kubelet played by KubeletStandIn)."""

import re

import pytest

from kernelsim.api import errors
from kernelsim.controllers import podutil
from kernelsim.controllers.replicaset import ReplicaSetController

from . import KubeletStandIn, pods_of, start_controllers

RS_YAML = """apiVersion: apps/v1
kind: ReplicaSet
metadata:
  name: web
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
        tier: front
    spec:
      containers:
      - name: nginx
        image: nginx:1.27
"""

POD_NAME = re.compile(r"^web-[bcdfghjklmnpqrstvwxz2456789]{5}$")


@pytest.fixture
def rsc(cluster):
    return start_controllers(cluster, "replicaset")["replicaset"]


def events(cluster, reason):
    return [e["message"] for e in cluster.api.list("events", "default") if e["reason"] == reason]


def test_creates_owned_pods_with_generated_names_events_and_status(cluster, rsc):
    KubeletStandIn(cluster)
    assert cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=3)).returncode == 0
    cluster.settle()
    rs = cluster.api.get("replicasets", "web")
    pods = pods_of(cluster)
    assert len(pods) == 3
    for pod in pods:
        assert POD_NAME.match(pod["metadata"]["name"])
        assert pod["metadata"]["generateName"] == "web-"
        assert pod["metadata"]["labels"] == {"app": "web", "tier": "front"}
        assert pod["metadata"]["ownerReferences"] == [{
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web", "uid": rs["metadata"]["uid"],
            "controller": True, "blockOwnerDeletion": True}]
    assert sorted(events(cluster, "SuccessfulCreate")) == sorted(f"Created pod: {p['metadata']['name']}" for p in pods)
    assert rs["status"] == {"replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 3, "availableReplicas": 3,
                            "terminatingReplicas": 0, "observedGeneration": 1}
    out = cluster.kubectl("get rs").stdout.splitlines()
    assert out[0].split() == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert out[1].split()[:4] == ["web", "3", "3", "3"]


def test_slow_start_batches_stop_after_a_failing_batch():
    calls = []

    def create():
        calls.append(1)
        if len(calls) == 4:
            raise errors.forbidden("pods", "", "exceeded quota")

    created, err = podutil.slow_start_batch(10, 1, create)
    # batches of 1, 2, then 4 (one of which fails): the batch of 8 never starts
    assert (len(calls), created) == (7, 6)
    assert err is not None


def test_expectations_prevent_double_creation(cluster, rsc):
    cluster.api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                 "template": {"metadata": {"labels": {"app": "web"}},
                                              "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}})
    cluster.settle()
    assert len(pods_of(cluster)) == 3
    cluster.api.patch("replicasets", "web", {"spec": {"replicas": 5}})
    with cluster.lock:
        rs_key = "default/web"
        while rsc.cache().get(rs_key)["spec"]["replicas"] != 5:
            cluster.loop.step()
        rsc.sync(rs_key)  # creates 2; their watch events have not arrived yet
        rsc.sync(rs_key)  # expectations not met: must not create again
    assert len(pods_of(cluster)) == 5
    cluster.settle()
    assert len(pods_of(cluster)) == 5


def test_adopts_matching_orphans_and_releases_pods_that_stop_matching(cluster, rsc):
    orphan = cluster.api.create({"apiVersion": "v1", "kind": "Pod",
                                 "metadata": {"name": "stray", "labels": {"app": "web"}},
                                 "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=2))
    cluster.settle()
    rs = cluster.api.get("replicasets", "web")
    stray = cluster.api.get("pods", "stray")
    assert podutil.get_controller_of(stray)["uid"] == rs["metadata"]["uid"]
    assert stray["metadata"]["uid"] == orphan["metadata"]["uid"]
    assert len(pods_of(cluster)) == 2  # the orphan counts: only one pod was created
    assert len(events(cluster, "SuccessfulCreate")) == 1
    # Relabel it: the ReplicaSet lets go and makes a replacement.
    cluster.api.patch("pods", "stray", {"metadata": {"labels": {"app": "debug"}}})
    cluster.settle()
    assert not cluster.api.get("pods", "stray")["metadata"].get("ownerReferences")
    assert len(pods_of(cluster)) == 2
    assert all(p["metadata"]["name"] != "stray" for p in pods_of(cluster))


def test_a_deleted_pod_is_replaced(cluster, rsc):
    KubeletStandIn(cluster)
    cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=2))
    cluster.settle()
    victim = pods_of(cluster)[0]["metadata"]["name"]
    assert cluster.kubectl(f"delete pod {victim}").returncode == 0
    cluster.settle()
    names = [p["metadata"]["name"] for p in pods_of(cluster)]
    assert len(names) == 2 and victim not in names
    assert cluster.api.get("replicasets", "web")["status"]["readyReplicas"] == 2


def test_scale_down_deletes_pods_in_active_pods_order(cluster, rsc):
    kubelet = KubeletStandIn(cluster, nodes=())  # nothing happens to pods unless the test says so
    cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=5))
    cluster.settle()
    p = [x["metadata"]["name"] for x in pods_of(cluster)]
    client = cluster.api
    # p[0] stays unassigned and Pending; p[1] is assigned but Pending; p[2] runs, not ready;
    # p[3] has been ready longest; p[4] became ready later.
    for name in p[1:]:
        client.bind(client.get("pods", name), "worker-1")
    kubelet.make_ready("default", p[3])
    cluster.advance(100)
    kubelet.make_ready("default", p[4])
    pod2 = client.get("pods", p[2])
    pod2["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "False"}]}
    client.update_status(pod2)
    cluster.advance(100)
    # the order, as controller.ActivePods ranks them
    ordered = podutil.sort_pods_for_deletion([client.get("pods", n) for n in reversed(p)],
                                             now=podutil.now_of(client))
    assert [x["metadata"]["name"] for x in ordered] == [p[0], p[1], p[2], p[4], p[3]]

    cluster.kubectl("scale rs web --replicas=2")
    cluster.settle()
    assert sorted(x["metadata"]["name"] for x in pods_of(cluster) if not x["metadata"].get("deletionTimestamp")) \
        == sorted([p[3], p[4]])
    cluster.kubectl("scale rs web --replicas=1")
    cluster.settle()
    remaining = [x for x in pods_of(cluster) if not x["metadata"].get("deletionTimestamp")]
    assert [x["metadata"]["name"] for x in remaining] == [p[3]]
    assert f"Deleted pod: {p[4]}" in events(cluster, "SuccessfulDelete")


def test_pod_deletion_cost_goes_before_readiness_age(cluster, rsc):
    kubelet = KubeletStandIn(cluster)
    cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=2))
    cluster.settle()
    older = pods_of(cluster)[0]["metadata"]["name"]
    cluster.api.patch("pods", older, {"metadata": {"annotations": {podutil.POD_DELETION_COST: "-10"}}})
    cluster.settle()
    cluster.kubectl("scale rs web --replicas=1")
    cluster.settle()
    assert older not in [x["metadata"]["name"] for x in pods_of(cluster)]
    assert kubelet  # the stand-in finished the graceful deletion


def test_terminating_replicas_and_min_ready_seconds(cluster, rsc):
    KubeletStandIn(cluster, kill_after=20)
    cluster.kubectl("apply -f -", input=RS_YAML.format(replicas=2).replace("spec:\n  replicas",
                                                                             "spec:\n  minReadySeconds: 10\n  replicas"))
    cluster.advance(5)
    status = cluster.api.get("replicasets", "web")["status"]
    assert status["readyReplicas"] == 2 and "availableReplicas" not in status  # ready, not yet for 10s
    cluster.advance(10)
    assert cluster.api.get("replicasets", "web")["status"]["availableReplicas"] == 2
    cluster.kubectl("scale rs web --replicas=1")
    cluster.advance(5)
    status = cluster.api.get("replicasets", "web")["status"]
    assert (status["replicas"], status["terminatingReplicas"]) == (1, 1)
    cluster.settle()
    assert cluster.api.get("replicasets", "web")["status"]["terminatingReplicas"] == 0


def test_controller_identity():
    assert ReplicaSetController.name == "replicaset-controller"
    assert ReplicaSetController.watches == ("replicasets", "pods")
