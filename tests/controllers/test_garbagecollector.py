"""The garbage collector: Background, Foreground and Orphan cascading deletion.

    $ kubectl delete deployment web                      # Background: RS and pods follow
    $ kubectl delete deployment web --cascade=orphan     # RS and pods stay, without their owner
    $ kubectl delete deployment web --cascade=foreground # pods, then RS, then the Deployment
"""

import pytest

from . import KubeletStandIn, deployment_yaml, pods_of, start_controllers


@pytest.fixture
def web(cluster):
    cluster.apiserver.gc_finalizers_enabled = True  # the apiserver adds orphan/foregroundDeletion finalizers
    controllers = start_controllers(cluster, "replicaset", "deployment", "garbagecollector")
    KubeletStandIn(cluster, kill_after=2.0)
    cluster.kubectl("apply -f -", input=deployment_yaml(replicas=2))
    cluster.settle()
    cluster.gc = controllers["garbagecollector"]
    return cluster


def replica_sets(cluster):
    return cluster.api.list("replicasets", "default")


def record_deletions(cluster):
    """(kind, name) in the order the apiserver reports them gone."""
    gone = []
    for resource in ("pods", "replicasets", "deployments"):
        cluster.api.watch(resource, lambda t, o: gone.append((o["kind"], o["metadata"]["name"])) if t == "DELETED"
                          else None, "default")
    return gone


def test_the_graph_follows_owner_references(web):
    d = web.api.get("deployments", "web")
    [rs] = replica_sets(web)
    assert web.gc.dependents_of(d["metadata"]["uid"]) == [rs["metadata"]["uid"]]
    assert sorted(web.gc.dependents_of(rs["metadata"]["uid"])) == sorted(p["metadata"]["uid"] for p in pods_of(web))
    assert web.gc.owners_of(rs["metadata"]["uid"]) == [d["metadata"]["uid"]]


def test_background_deletion_removes_dependents(web):
    r = web.kubectl("delete deployment web")
    assert r.stdout == 'deployment.apps "web" deleted from default namespace\n'
    web.settle()
    assert replica_sets(web) == [] and pods_of(web) == []


def test_orphan_leaves_dependents_without_their_owner(web):
    [rs] = replica_sets(web)
    pods = {p["metadata"]["name"] for p in pods_of(web)}
    r = web.kubectl("delete deployment web --cascade=orphan")
    assert r.returncode == 0, r.stderr
    web.settle()
    assert not web.api.exists("deployments", "web")
    [kept] = replica_sets(web)
    assert kept["metadata"]["uid"] == rs["metadata"]["uid"]
    assert not kept["metadata"].get("ownerReferences")
    assert {p["metadata"]["name"] for p in pods_of(web)} == pods  # still owned by the ReplicaSet
    assert all(p["metadata"]["ownerReferences"][0]["kind"] == "ReplicaSet" for p in pods_of(web))


def test_foreground_deletes_pods_then_replica_set_then_deployment(web):
    gone = record_deletions(web)
    web.api.delete("deployments", "web", propagation_policy="Foreground")
    d = web.api.get("deployments", "web")  # still there, waiting for its dependents
    assert d["metadata"]["finalizers"] == ["foregroundDeletion"] and d["metadata"]["deletionTimestamp"]
    web.advance(1)
    [rs] = replica_sets(web)
    assert rs["metadata"]["finalizers"] == ["foregroundDeletion"]
    assert all(p["metadata"].get("deletionTimestamp") for p in pods_of(web))  # terminating, gracefully
    assert web.api.exists("deployments", "web")
    web.settle()
    assert [kind for kind, _ in gone] == ["Pod", "Pod", "ReplicaSet", "Deployment"]
    assert replica_sets(web) == [] and pods_of(web) == []


def test_kubectl_cascade_foreground_waits_for_the_deployment_to_go(web):
    r = web.kubectl("delete deployment web --cascade=foreground")
    assert r.returncode == 0, r.stderr
    web.settle()
    assert not web.api.exists("deployments", "web") and replica_sets(web) == [] and pods_of(web) == []


def test_objects_whose_owner_never_existed_are_collected(web):
    web.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {
        "name": "leftover", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "ghost",
                                                 "uid": "00000000-0000-4000-8000-000000000000"}]}})
    web.settle()
    assert not web.api.exists("configmaps", "leftover")


def test_a_dangling_reference_is_removed_while_a_live_owner_keeps_the_object(web):
    owner = web.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "owner"}})
    web.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "shared", "ownerReferences": [
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": owner["metadata"]["uid"]},
        {"apiVersion": "v1", "kind": "ConfigMap", "name": "gone", "uid": "00000000-0000-4000-8000-000000000001"}]}})
    web.settle()
    shared = web.api.get("configmaps", "shared")
    assert [r["name"] for r in shared["metadata"]["ownerReferences"]] == ["owner"]
    web.api.delete("configmaps", "owner")
    web.settle()
    assert not web.api.exists("configmaps", "shared")
