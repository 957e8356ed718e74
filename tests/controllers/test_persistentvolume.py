"""The PV controller and the simulated hostpath provisioner.

Real Kubernetes (minikube, whose default class binds immediately)::

    $ kubectl get pvc
    NAME   STATUS   VOLUME                                     CAPACITY   ACCESS MODES   STORAGECLASS   ...
    data   Bound    pvc-3b5c1f7e-...                           1Gi        RWO            standard       ...
    $ kubectl describe pvc data
    Events:
      Normal  ExternalProvisioning   persistentvolume-controller  Waiting for a volume to be created either by ...
      Normal  Provisioning           k8s.io/minikube-hostpath_... External provisioner is provisioning volume for claim "default/data"
      Normal  ProvisioningSucceeded  k8s.io/minikube-hostpath_... Successfully provisioned volume pvc-3b5c1f7e-...
"""

from kernelsim.controllers.persistentvolume import PersistentVolumeController, find_best_match
from kernelsim.controllers.provisioner import ProvisionerController
from kernelsim.controllers.storage_objects import default_storage_class


def start(cluster, with_default_class=True):
    running = {type(c) for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        for cls in (PersistentVolumeController, ProvisionerController):
            if cls not in running:
                cls(cluster._internal, cluster.loop).start()
        if with_default_class and not cluster.api.exists("storageclasses", "standard", None):
            cluster.api.create(default_storage_class())
    cluster.settle()


def pv(name, size, modes=("ReadWriteOnce",), policy="Retain", cls=None):
    obj = {"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": name},
           "spec": {"capacity": {"storage": size}, "accessModes": list(modes),
                    "persistentVolumeReclaimPolicy": policy, "hostPath": {"path": f"/mnt/{name}"}}}
    if cls is not None:
        obj["spec"]["storageClassName"] = cls
    return obj


def pvc(name, size="1Gi", modes=("ReadWriteOnce",), cls=None):
    obj = {"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": name},
           "spec": {"accessModes": list(modes), "resources": {"requests": {"storage": size}}}}
    if cls is not None:
        obj["spec"]["storageClassName"] = cls
    return obj


def get(cluster, kind, name):
    return cluster.api.get(kind, name, "default" if kind == "pvc" else None)


def claim_events(cluster, name):
    found = sorted(cluster.api.list("events", "default"), key=lambda e: int(e["metadata"]["resourceVersion"]))
    return [(e["reason"], e["message"], e["source"]["component"]) for e in found
            if e["involvedObject"]["kind"] == "PersistentVolumeClaim" and e["involvedObject"]["name"] == name]


def test_static_binding_picks_the_smallest_volume_that_fits(cluster):
    start(cluster, with_default_class=False)
    for obj in (pv("big", "5Gi"), pv("small", "2Gi"), pv("tiny", "500Mi"), pv("rwx", "1Gi", ("ReadWriteMany",))):
        cluster.api.create(obj)
    cluster.settle()
    assert get(cluster, "pv", "small")["status"]["phase"] == "Available"
    cluster.api.create(pvc("data", "1Gi", cls=""))
    cluster.settle()
    claim, volume = get(cluster, "pvc", "data"), get(cluster, "pv", "small")
    assert claim["spec"]["volumeName"] == "small"
    assert claim["status"] == {"phase": "Bound", "accessModes": ["ReadWriteOnce"], "capacity": {"storage": "2Gi"}}
    assert claim["metadata"]["annotations"]["pv.kubernetes.io/bind-completed"] == "yes"
    assert volume["status"]["phase"] == "Bound"
    assert volume["spec"]["claimRef"]["uid"] == claim["metadata"]["uid"]
    out = cluster.kubectl("get pv small")
    assert out.stdout.splitlines()[1].split()[:6] == ["small", "2Gi", "RWO", "Retain", "Bound", "default/data"]


def test_no_volume_is_bound_twice(cluster):
    start(cluster, with_default_class=False)
    cluster.api.create(pv("only", "1Gi"))
    cluster.api.create(pvc("first", cls=""))
    cluster.api.create(pvc("second", cls=""))
    cluster.settle()
    phases = {n: get(cluster, "pvc", n)["status"]["phase"] for n in ("first", "second")}
    assert sorted(phases.values()) == ["Bound", "Pending"]
    loser = [n for n, p in phases.items() if p == "Pending"][0]
    assert ("FailedBinding", "no persistent volumes available for this claim and no storage class is set",
            "persistentvolume-controller") in claim_events(cluster, loser)
    # a claim that insists on the taken volume is not bound either
    cluster.api.create({**pvc("third", cls=""), "spec": {**pvc("third", cls="")["spec"], "volumeName": "only"}})
    cluster.settle()
    assert get(cluster, "pvc", "third")["status"]["phase"] == "Pending"
    assert get(cluster, "pv", "only")["spec"]["claimRef"]["name"] in ("first", "second")


def test_default_class_and_dynamic_provisioning(cluster):
    start(cluster)
    cluster.api.create(pvc("data"))  # no storageClassName: the default class is assigned
    cluster.advance(1)
    claim = get(cluster, "pvc", "data")
    assert claim["spec"]["storageClassName"] == "standard"
    assert claim["status"]["phase"] == "Pending"  # the provisioner takes a few seconds
    assert claim["metadata"]["annotations"]["volume.kubernetes.io/storage-provisioner"] == "kernelsim.io/hostpath"
    cluster.settle()
    claim = get(cluster, "pvc", "data")
    name = f"pvc-{claim['metadata']['uid']}"
    assert claim["status"]["phase"] == "Bound" and claim["spec"]["volumeName"] == name
    volume = get(cluster, "pv", name)
    assert volume["metadata"]["annotations"]["pv.kubernetes.io/provisioned-by"] == "kernelsim.io/hostpath"
    assert volume["spec"]["persistentVolumeReclaimPolicy"] == "Delete"
    assert volume["spec"]["hostPath"]["path"] == "/tmp/hostpath-provisioner/default/data"
    reasons = [(r, m) for r, m, _ in claim_events(cluster, "data")]
    assert reasons == [
        ("ExternalProvisioning", "Waiting for a volume to be created either by the external provisioner "
         "'kernelsim.io/hostpath' or manually by the system administrator. If volume creation is delayed, please "
         "verify that the provisioner is running and correctly registered."),
        ("Provisioning", 'External provisioner is provisioning volume for claim "default/data"'),
        ("ProvisioningSucceeded", f"Successfully provisioned volume {name}")]

    out = cluster.kubectl("get pvc data")
    assert out.stdout.splitlines()[1].split()[:6] == ["data", "Bound", name, "1Gi", "RWO", "standard"]

    # reclaimPolicy Delete: the claim goes, the volume is Released, then deleted by its provisioner
    cluster.api.delete("pvc", "data")
    cluster.settle()
    assert not cluster.api.exists("pv", name, None)


def test_retain_keeps_a_released_volume(cluster):
    start(cluster, with_default_class=False)
    cluster.api.create(pv("keep", "1Gi", policy="Retain"))
    cluster.api.create(pv("gone", "1Gi", policy="Delete", cls="manual"))
    cluster.api.create(pvc("a", cls=""))
    cluster.api.create(pvc("b", cls="manual"))
    cluster.settle()
    cluster.api.delete("pvc", "a")
    cluster.api.delete("pvc", "b")
    cluster.settle()
    keep = get(cluster, "pv", "keep")
    assert keep["status"]["phase"] == "Released" and keep["spec"]["claimRef"]["name"] == "a"
    # A Released volume is not bound again until an administrator clears its claimRef.
    cluster.api.create(pvc("c", cls=""))
    cluster.settle()
    assert get(cluster, "pvc", "c")["status"]["phase"] == "Pending"
    # Delete without a provisioner that made it: no plugin can delete it.
    gone = get(cluster, "pv", "gone")
    assert gone["status"]["phase"] == "Failed"
    assert "no deletable volume plugin matched" in gone["status"]["message"]


def test_wait_for_first_consumer(cluster):
    start(cluster)
    cluster.api.create({"apiVersion": "storage.k8s.io/v1", "kind": "StorageClass", "metadata": {"name": "local"},
                        "provisioner": "kernelsim.io/hostpath", "volumeBindingMode": "WaitForFirstConsumer"})
    cluster.api.create(pvc("data", cls="local"))
    cluster.settle()
    assert get(cluster, "pvc", "data")["status"]["phase"] == "Pending"
    assert ("WaitForFirstConsumer", "waiting for first consumer to be created before binding",
            "persistentvolume-controller") in claim_events(cluster, "data")
    # the scheduler's choice of node for the pod that uses it
    cluster.api.patch("pvc", "data", {"metadata": {"annotations": {"volume.kubernetes.io/selected-node": "worker-1"}}})
    cluster.settle()
    claim = get(cluster, "pvc", "data")
    assert claim["status"]["phase"] == "Bound"
    affinity = get(cluster, "pv", claim["spec"]["volumeName"])["spec"]["nodeAffinity"]
    assert affinity["required"]["nodeSelectorTerms"][0]["matchExpressions"][0]["values"] == ["worker-1"]


def test_find_best_match_checks_class_mode_and_selector():
    vols = [pv("a", "1Gi", cls="fast"), {**pv("b", "1Gi"), "metadata": {"name": "b", "labels": {"tier": "db"}}}]
    claim = {**pvc("x", cls=""), "metadata": {"name": "x", "namespace": "default", "uid": "u1"}}
    assert find_best_match(vols, claim)["metadata"]["name"] == "b"
    claim["spec"]["selector"] = {"matchLabels": {"tier": "web"}}
    assert find_best_match(vols, claim) is None
    claim["spec"].pop("selector")
    claim["spec"]["volumeMode"] = "Block"
    assert find_best_match(vols, claim) is None
