"""Snapshot -> DOT, without Jupyter: the architecture, objects and namespaces views."""

from tests.conftest import BARE
import json
import re
from types import SimpleNamespace

import kernelsim
from kernelsim.widgets import dot
from kernelsim.widgets.snapshot import take_snapshot

from .conftest import ensure_node, make_pod

CONTROL_PLANE = ("kube-apiserver", "etcd", "kube-scheduler", "kube-controller-manager", "cloud-controller-manager")
EDGE = re.compile(r'^\s*"([^"]+)" -> "([^"]+)"(?: \[(.*)\])?$', re.M)
NODE = re.compile(r'^\s*"([^"]+)" \[(.*?)\]$', re.M | re.S)


def edges(source):
    """The arrows as the reader sees them: (from, to, attributes); ``dir=back`` arrows point the other way."""
    out = []
    for a, b, attrs in EDGE.findall(source):
        attrs = attrs or ""
        if "style=invis" in attrs:
            continue
        out.append((b, a, attrs) if "dir=back" in attrs else (a, b, attrs))
    return out


def cluster_body(source, name):
    """The statements inside ``subgraph <name> { ... }`` (nested boxes included)."""
    start = source.index(f"subgraph {name} {{")
    depth, i = 0, start
    while True:
        if source[i] == "{":
            depth += 1
        elif source[i] == "}":
            depth -= 1
            if depth == 0:
                return source[start:i]
        i += 1


def box_attrs(source, name):
    """The attributes of a cluster box itself (before its first node or inner box)."""
    body = cluster_body(source, name).split("\n", 1)[1]
    return re.split(r'^\s*("|subgraph )', body, maxsplit=1, flags=re.M)[0]


def node_attrs(source, node_id):
    m = re.search(r'^\s*"' + re.escape(node_id) + r'" \[(.*?)\]$', source, re.M | re.S)
    assert m, f"no node {node_id}"
    return m.group(1)


def pod_nodes(source):
    return sorted(re.findall(r'^\s*"pod/([^"]+)" \[', source, re.M))


def test_default_cluster_architecture(default_nodes):
    snap = take_snapshot(default_nodes)
    assert [(m["name"], m["role"]) for m in snap["machines"]] == [
        ("master-1", "control-plane"), ("worker-1", "worker"), ("worker-2", "worker")]
    src = dot.architecture_dot(snap)
    master = cluster_body(src, "cluster_machine_master_1")
    for c in CONTROL_PLANE + ("kubelet", "kube-proxy", "containerd"):
        assert f'"master-1/{c}"' in master
    for w in ("worker-1", "worker-2"):
        box = cluster_body(src, f"cluster_machine_{w.replace('-', '_')}")
        for c in ("kubelet", "kube-proxy", "containerd"):
            assert f'"{w}/{c}"' in box
        assert "kube-apiserver" not in box and "etcd" not in box
    arrows = {(a, b) for a, b, _ in edges(src)}
    assert ("user/kubectl", "master-1/kube-apiserver") in arrows
    components = [f"master-1/{c}" for c in CONTROL_PLANE if c not in ("kube-apiserver", "etcd")]
    components += [f"{n}/{c}" for n in ("master-1", "worker-1", "worker-2") for c in ("kubelet", "kube-proxy")]
    for c in components:
        assert (c, "master-1/kube-apiserver") in arrows, c
    # Only kube-apiserver talks to etcd.
    assert [a for a, b in arrows if b.endswith("/etcd") or a.endswith("/etcd")] == ["master-1/kube-apiserver"]
    # With no Nodes at all, the machines still come from the cluster's size.
    empty = take_snapshot(SimpleNamespace(api=default_nodes.api, masters=1, workers=2, now=0.0))
    assert [m["name"] for m in empty["machines"]] == ["master-1", "worker-1", "worker-2"]


def test_three_masters_mark_leaders_and_etcd_leader():
    c = kernelsim.Cluster(masters=3, workers=1, seed=0, epoch="2026-11-26T09:00:00Z")
    try:
        api = c._internal
        for lease, holder in (("kube-scheduler", "master-2"), ("kube-controller-manager", "master-3")):
            if api.exists("leases", lease, "kube-system"):
                api.delete("leases", lease, "kube-system")
            api.create({"apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                        "metadata": {"name": lease, "namespace": "kube-system"},
                        "spec": {"holderIdentity": f"{holder}_7d6a1f0e", "leaseDurationSeconds": 15}})
        snap = take_snapshot(c)
        assert [m["name"] for m in snap["machines"] if m["role"] == "control-plane"] == [
            "master-1", "master-2", "master-3"]
        assert snap["leaders"] == {"kube-controller-manager": "master-3", "kube-scheduler": "master-2",
                                   "cloud-controller-manager": "master-1"}
        snap["faults"]["etcd_leader"] = "master-1"
        src = dot.architecture_dot(snap)
        assert "leader" in node_attrs(src, "master-2/kube-scheduler")
        assert "standby" in node_attrs(src, "master-1/kube-scheduler")
        assert "leader" in node_attrs(src, "master-3/kube-controller-manager")
        assert "raft leader" in node_attrs(src, "master-1/etcd")
        assert "follower" in node_attrs(src, "master-2/etcd")
        arrows = {(a, b) for a, b, _ in edges(src)}
        for m in ("master-1", "master-2", "master-3"):
            assert (f"{m}/kube-apiserver", f"{m}/etcd") in arrows
        # Only the kube-apiservers talk to etcd; the etcd members talk raft among themselves.
        assert {a for a, b in arrows if b.endswith("/etcd") and not a.endswith("/etcd")} == {
            f"master-{i}/kube-apiserver" for i in (1, 2, 3)}
        assert {(a, b) for a, b in arrows if a.endswith("/etcd")} == {
            ("master-1/etcd", "master-2/etcd"), ("master-1/etcd", "master-3/etcd"), ("master-2/etcd", "master-3/etcd")}
        # The trace's "kube-scheduler" is the Lease holder's.
        assert dot.component_id("kube-scheduler", snap) == "master-2/kube-scheduler"
        assert dot.component_id("replicaset-controller", snap) == "master-3/kube-controller-manager"
    finally:
        c.close()


def test_stopped_master_is_grey_and_partitioned_member_dashed(cluster):
    machine = lambda name, role, stopped=False: SimpleNamespace(  # noqa: E731
        name=name, role=role, stopped=stopped, kubelet=SimpleNamespace(running=not stopped), runtime=None, proxy=None)
    fake = SimpleNamespace(api=cluster.api, now=0.0, faults={"partitioned": ["master-3"], "etcd_leader": "master-1"},
                           machines={"master-1": machine("master-1", "control-plane"),
                                     "master-2": machine("master-2", "control-plane", stopped=True),
                                     "master-3": machine("master-3", "control-plane"),
                                     "worker-1": machine("worker-1", "worker")})
    snap = take_snapshot(fake)
    stopped = next(m for m in snap["machines"] if m["name"] == "master-2")
    assert stopped["stopped"] and stopped["kubelet_running"] is False
    src = dot.architecture_dot(snap)
    box2 = cluster_body(src, "cluster_machine_master_2")
    assert "stopped" in box2 and dot.STOPPED_FILL in box2
    assert f'fillcolor="{dot.STOPPED_FILL}"' in node_attrs(src, "master-2/kube-apiserver")
    box3 = cluster_body(src, "cluster_machine_master_3")
    assert "dashed" in box_attrs(src, "cluster_machine_master_3") and "partitioned" in box3
    assert "dashed" not in box_attrs(src, "cluster_machine_master_1")
    # The user and the nodes talk to the first master that is up.
    assert ("user/kubectl", "master-1/kube-apiserver") in {(a, b) for a, b, _ in edges(src)}


def test_partition_through_the_snapshot_faults_field(default_nodes):
    snap = take_snapshot(default_nodes)
    before = dot.architecture_dot(snap)
    snap["faults"]["partitioned"] = ["worker-2"]
    after = dot.architecture_dot(snap)
    assert "partitioned" not in cluster_body(before, "cluster_machine_worker_2")
    head = box_attrs(after, "cluster_machine_worker_2")
    assert "dashed" in head and "partitioned" in head


def test_not_ready_node_is_red(default_nodes):
    ensure_node(default_nodes, "worker-2", ready=False)
    snap = take_snapshot(default_nodes)
    assert [m["ready"] for m in snap["machines"]] == [True, True, False]
    src = dot.architecture_dot(snap)
    box = box_attrs(src, "cluster_machine_worker_2")
    assert "NotReady" in box and 'color="#cc0000"' in box
    assert "NotReady" not in cluster_body(src, "cluster_machine_worker_1")


def _deployment_with_pods(cluster, statuses=("Running", "ContainerCreating", "CrashLoopBackOff")):
    """A Deployment, its ReplicaSet and pods, as the controllers and kubelets would leave them."""
    api = cluster._internal
    template = {"metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "app", "image": "nginx:1.27"}]}}
    deploy = api.create({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                         "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template}})
    rs = api.create({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {
        "name": "web-7c5ddbdf54", "labels": {"app": "web"},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web",
                             "uid": deploy["metadata"]["uid"], "controller": True}]},
        "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}}, "template": template}})
    pods = [make_pod(cluster, f"web-7c5ddbdf54-{s}", node=("worker-1", "worker-2")[i % 2], status=status,
                     owner=rs, labels={"app": "web"})
            for i, (s, status) in enumerate(zip(("abcde", "fghij", "klmno"), statuses))]
    return deploy, rs, pods


def test_deployment_with_three_pods(default_nodes):
    _deployment_with_pods(default_nodes)
    snap = take_snapshot(default_nodes)
    src = dot.architecture_dot(snap)
    assert pod_nodes(src) == ["default/web-7c5ddbdf54-abcde", "default/web-7c5ddbdf54-fghij",
                              "default/web-7c5ddbdf54-klmno"]
    w1 = cluster_body(src, "cluster_machine_worker_1")
    w2 = cluster_body(src, "cluster_machine_worker_2")
    assert "web-7c5ddbdf54-abcde" in w1 and "web-7c5ddbdf54-klmno" in w1 and "web-7c5ddbdf54-fghij" in w2
    running = node_attrs(src, "pod/default/web-7c5ddbdf54-abcde")
    assert f'fillcolor="{dot.GREEN}"' in running and "Running 1/1" in running
    assert f'fillcolor="{dot.YELLOW}"' in node_attrs(src, "pod/default/web-7c5ddbdf54-fghij")
    assert "ContainerCreating 0/1" in node_attrs(src, "pod/default/web-7c5ddbdf54-fghij")
    assert f'fillcolor="{dot.RED}"' in node_attrs(src, "pod/default/web-7c5ddbdf54-klmno")

    objects = dot.objects_dot(snap)
    arrows = {(a, b) for a, b, _ in edges(objects)}
    assert ("Deployment/default/web", "ReplicaSet/default/web-7c5ddbdf54") in arrows
    for s in ("abcde", "fghij", "klmno"):
        assert ("ReplicaSet/default/web-7c5ddbdf54", f"pod/default/web-7c5ddbdf54-{s}") in arrows
    assert "kube-system" not in objects  # system namespaces only on request


def test_terminating_and_succeeded_pods(default_nodes):
    make_pod(default_nodes, "job-pod", node="worker-1", status="Succeeded")
    make_pod(default_nodes, "going", node="worker-1", status="Running")
    default_nodes._internal.delete("pods", "going")
    src = dot.architecture_dot(take_snapshot(default_nodes))
    assert f'fillcolor="{dot.GREY}"' in node_attrs(src, "pod/default/job-pod")
    assert "Terminating" in node_attrs(src, "pod/default/going")
    assert f'fillcolor="{dot.ORANGE}"' in node_attrs(src, "pod/default/going")
    assert dot.status_colour("ImagePullBackOff") == dot.status_colour("Error") == dot.RED
    assert dot.status_colour("Pending") == dot.YELLOW


def test_unscheduled_pods_wait_near_the_scheduler(default_nodes):
    make_pod(default_nodes, "waiting", status="Pending")
    src = dot.architecture_dot(take_snapshot(default_nodes))
    assert '"pod/default/waiting"' in cluster_body(src, "cluster_unscheduled")


def test_objects_view_services_statefulsets_and_claims(default_nodes):
    api = default_nodes._internal
    sts = api.create({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                      "spec": {"serviceName": "db", "replicas": 1, "selector": {"matchLabels": {"app": "db"}},
                               "template": {"metadata": {"labels": {"app": "db"}},
                                            "spec": {"containers": [{"name": "db", "image": "postgres:17"}]}}}})
    api.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data-db-0"},
                "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})
    make_pod(default_nodes, "db-0", node="worker-1", owner=sts, labels={"app": "db"}, claims=["data-db-0"])
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db"},
                "spec": {"selector": {"app": "db"}, "ports": [{"port": 5432}]}})
    api.create({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": "db-x7k2p", "labels": {"kubernetes.io/service-name": "db"}},
                "addressType": "IPv4",
                "endpoints": [{"addresses": ["10.244.1.5"], "conditions": {"ready": True},
                               "targetRef": {"kind": "Pod", "name": "db-0", "namespace": "default"}}]})
    arrows = {(a, b) for a, b, _ in edges(dot.objects_dot(take_snapshot(default_nodes)))}
    assert {("StatefulSet/default/db", "pod/default/db-0"),
            ("pod/default/db-0", "PersistentVolumeClaim/default/data-db-0"),
            ("Service/default/db", "EndpointSlice/default/db-x7k2p"),
            ("EndpointSlice/default/db-x7k2p", "pod/default/db-0")} <= arrows


def test_addons_are_grouped(default_nodes):
    api = default_nodes._internal
    if not api.exists("daemonsets", "kube-proxy", "kube-system"):
        api.create({"apiVersion": "apps/v1", "kind": "DaemonSet",
                    "metadata": {"name": "kube-proxy", "namespace": "kube-system"},
                    "spec": {"selector": {"matchLabels": {"k8s-app": "kube-proxy"}},
                             "template": {"metadata": {"labels": {"k8s-app": "kube-proxy"}},
                                          "spec": {"containers": [{"name": "kube-proxy",
                                                                   "image": "registry.k8s.io/kube-proxy:v1.37.0"}]}}}})
    ds = api.get("daemonsets", "kube-proxy", "kube-system")
    make_pod(default_nodes, "kube-proxy-zx8vq", namespace="kube-system", node="worker-1", owner=ds,
             labels={"k8s-app": "kube-proxy"})
    make_pod(default_nodes, "mine", node="worker-1")
    src = dot.architecture_dot(take_snapshot(default_nodes))
    addons = cluster_body(src, "cluster_addons")
    assert '"addon/kube-proxy"' in addons and "pods Running" in addons
    worker = cluster_body(src, "cluster_machine_worker_1")
    assert "kube-proxy-zx8vq" not in worker and '"pod/default/mine"' in worker


def test_namespace_filter(default_nodes):
    api = default_nodes._internal
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    make_pod(default_nodes, "a1", namespace="team-a", node="worker-1")
    make_pod(default_nodes, "d1", node="worker-2")
    snap = take_snapshot(default_nodes, namespace="team-a")
    assert [(p["namespace"], p["name"]) for p in snap["pods"]] == [("team-a", "a1")]
    assert pod_nodes(dot.architecture_dot(snap)) == ["team-a/a1"]
    assert snap["namespaces"] == ["team-a"]
    ns_src = dot.namespaces_dot(snap)
    assert "cluster_ns_team_a" in ns_src and "cluster_ns_default" not in ns_src
    everything = dot.namespaces_dot(take_snapshot(default_nodes))
    for ns in ("default", "kube-system", "team-a"):
        assert f"cluster_ns_{ns.replace('-', '_')}" in everything


def test_same_snapshot_same_dot(default_nodes):
    _deployment_with_pods(default_nodes)
    a, b = take_snapshot(default_nodes), take_snapshot(default_nodes)
    assert a == b and json.loads(json.dumps(a)) == a
    for view in ("architecture", "objects", "namespaces"):
        assert dot.view_dot(view, a) == dot.view_dot(view, b)
    # The same seed and the same actions give the same picture in another cluster.
    other = kernelsim.Cluster(seed=0, epoch="2026-11-26T09:00:00Z", **BARE)
    try:
        for name, role in (("master-1", "control-plane"), ("worker-1", "worker"), ("worker-2", "worker")):
            ensure_node(other, name, role)
        _deployment_with_pods(other)
        assert dot.objects_dot(take_snapshot(other)) == dot.objects_dot(a)
        assert dot.architecture_dot(take_snapshot(other)) == dot.architecture_dot(a)
    finally:
        other.close()


def test_highlight_lights_up_the_arrow_in_use(default_nodes):
    snap = take_snapshot(default_nodes)
    src = dot.architecture_dot(snap, highlight=("kubectl", "kube-apiserver"), caption="kubectl asks")
    lit = [(a, b) for a, b, attrs in edges(src) if dot.HIGHLIGHT in attrs]
    assert lit == [("user/kubectl", "master-1/kube-apiserver")]
    assert 'label="kubectl asks"' in src
    src = dot.architecture_dot(snap, highlight=("kubelet(worker-2)", "runtime"))
    assert [(a, b) for a, b, attrs in edges(src) if dot.HIGHLIGHT in attrs] == [
        ("worker-2/kubelet", "worker-2/containerd")]
    src = dot.architecture_dot(snap, highlight=("kube-scheduler", "kube-apiserver"))
    assert [(a, b) for a, b, attrs in edges(src) if dot.HIGHLIGHT in attrs] == [
        ("master-1/kube-scheduler", "master-1/kube-apiserver")]
    src = dot.architecture_dot(snap, highlight=("kube-apiserver", "etcd"))
    assert [(a, b) for a, b, attrs in edges(src) if dot.HIGHLIGHT in attrs] == [
        ("master-1/kube-apiserver", "master-1/etcd")]
