"""The DaemonSet controller: one pod per eligible node (the test creates the Node objects).

Real Kubernetes: a DaemonSet without tolerations runs on every worker and not on
the control-plane node (taint node-role.kubernetes.io/control-plane:NoSchedule);
each pod is pinned with a required node affinity on metadata.name and then bound
by the scheduler.
"""

from kernelsim.controllers.daemonset import DaemonSetController, node_should_run_daemon_pod

DS = """
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: fluentd, namespace: kube-system}
spec:
  selector: {matchLabels: {name: fluentd}}
  template:
    metadata: {labels: {name: fluentd}}
    spec:
      containers: [{name: fluentd, image: "fluent/fluentd:v1.16"}]
"""


def start(cluster):
    running = {type(c) for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        if DaemonSetController not in running:
            DaemonSetController(cluster._internal, cluster.loop).start()
    for name in ("master-1", "worker-1", "worker-2"):
        add_node(cluster, name)
    cluster.settle()


def add_node(cluster, name):
    if cluster.api.exists("nodes", name, None):
        return
    node = {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "kubernetes.io/os": "linux"}}}
    if name.startswith("master"):
        node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = ""
        node["spec"] = {"taints": [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]}
    cluster.api.create(node)


def daemon_pods(cluster, name="fluentd"):
    """node -> pod, by the node each pod is pinned to."""
    out = {}
    for p in cluster.api.list("pods", "kube-system"):
        if p["metadata"]["name"].startswith(name + "-") and not p["metadata"].get("deletionTimestamp"):
            terms = p["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            out[terms["nodeSelectorTerms"][0]["matchFields"][0]["values"][0]] = p
    return out


def run_all(cluster, name="fluentd"):
    """The scheduler binds each pod to its node, the kubelet reports it Ready."""
    for node, p in daemon_pods(cluster, name).items():
        if not p["spec"].get("nodeName"):
            cluster.api.bind(p, node)
            p = cluster.api.get("pods", p["metadata"]["name"], "kube-system")
        if p["status"].get("phase") != "Running":
            p["status"].update(phase="Running", conditions=[
                {"type": "Ready", "status": "True", "lastTransitionTime": cluster.apiserver.timestamp()}])
            cluster.api.update_status(p)
    cluster.settle()


def test_one_pod_per_worker_and_none_on_the_master(cluster):
    start(cluster)
    cluster.api.apply(DS)
    cluster.settle()
    placed = daemon_pods(cluster)
    assert sorted(placed) == ["worker-1", "worker-2"]
    pod = placed["worker-1"]
    assert pod["spec"].get("nodeName") is None  # the scheduler binds it, not the controller
    assert pod["metadata"]["labels"]["pod-template-generation"] == "1"
    tolerated = {(t["key"], t["effect"]) for t in pod["spec"]["tolerations"]}
    assert {("node.kubernetes.io/not-ready", "NoExecute"), ("node.kubernetes.io/unreachable", "NoExecute"),
            ("node.kubernetes.io/disk-pressure", "NoSchedule"), ("node.kubernetes.io/memory-pressure", "NoSchedule"),
            ("node.kubernetes.io/pid-pressure", "NoSchedule"),
            ("node.kubernetes.io/unschedulable", "NoSchedule")} <= tolerated
    assert ("node.kubernetes.io/network-unavailable", "NoSchedule") not in tolerated

    st = cluster.api.get("daemonsets", "fluentd", "kube-system")["status"]
    assert (st["desiredNumberScheduled"], st["currentNumberScheduled"], st["numberReady"],
            st["numberMisscheduled"], st["numberUnavailable"]) == (2, 2, 0, 0, 2)
    run_all(cluster)
    st = cluster.api.get("daemonsets", "fluentd", "kube-system")["status"]
    assert (st["numberReady"], st["numberAvailable"], st["updatedNumberScheduled"]) == (2, 2, 2)
    assert "numberUnavailable" not in st

    out = cluster.kubectl("get ds -n kube-system fluentd")
    assert out.stdout.split("\n")[1].split()[:6] == ["fluentd", "2", "2", "2", "2", "2"], out.stdout


def test_node_added_later_gets_a_pod_and_a_removed_node_loses_it(cluster):
    start(cluster)
    cluster.api.apply(DS)
    cluster.settle()
    add_node(cluster, "worker-3")
    cluster.settle()
    assert sorted(daemon_pods(cluster)) == ["worker-1", "worker-2", "worker-3"]
    cluster.api.delete("nodes", "worker-3", None)
    cluster.settle()
    assert sorted(daemon_pods(cluster)) == ["worker-1", "worker-2"]
    assert cluster.api.get("daemonsets", "fluentd", "kube-system")["status"]["desiredNumberScheduled"] == 2


def test_tolerating_the_control_plane_taint_runs_on_the_master_too(cluster):
    start(cluster)
    cluster.api.apply(DS.replace("      containers:", "      tolerations: [{operator: Exists}]\n      containers:"))
    cluster.settle()
    assert sorted(daemon_pods(cluster)) == ["master-1", "worker-1", "worker-2"]


def test_node_selector_and_no_execute_taint(cluster):
    start(cluster)
    cluster.api.patch("nodes", "worker-2", {"metadata": {"labels": {"disk": "ssd"}}}, None)
    cluster.api.apply(DS.replace("      containers:", "      nodeSelector: {disk: ssd}\n      containers:"))
    cluster.settle()
    assert sorted(daemon_pods(cluster)) == ["worker-2"]
    # A NoSchedule taint leaves a running daemon pod alone; a NoExecute one evicts it.
    node = cluster.api.get("nodes", "worker-2", None)
    assert node_should_run_daemon_pod(node, cluster.api.get("daemonsets", "fluentd", "kube-system")) == (True, True)
    cluster.api.patch("nodes", "worker-2", {"spec": {"taints": [{"key": "gpu", "effect": "NoSchedule"}]}}, None)
    cluster.settle()
    assert sorted(daemon_pods(cluster)) == ["worker-2"]
    cluster.api.patch("nodes", "worker-2", {"spec": {"taints": [{"key": "gpu", "effect": "NoExecute"}]}}, None)
    cluster.settle()
    assert daemon_pods(cluster) == {}


def test_rolling_update_replaces_one_node_at_a_time(cluster):
    start(cluster)
    cluster.api.apply(DS)
    cluster.settle()
    run_all(cluster)
    cluster.api.patch("daemonsets", "fluentd", {"spec": {"template": {"spec": {
        "containers": [{"name": "fluentd", "image": "fluent/fluentd:v1.17"}]}}}}, "kube-system")
    cluster.settle()
    # maxUnavailable 1: one old pod is deleted; the other node keeps its old pod for now.
    old = [p for p in cluster.api.list("pods", "kube-system") if p["spec"]["containers"][0]["image"].endswith("v1.16")]
    assert sorted(bool(p["metadata"].get("deletionTimestamp")) for p in old) == [False, True]
    for p in old:
        if p["metadata"].get("deletionTimestamp"):
            cluster.api.delete("pods", p["metadata"]["name"], "kube-system", grace_period_seconds=0)
    cluster.settle()
    run_all(cluster)  # the new pod becomes available, so the second node is updated
    for p in cluster.api.list("pods", "kube-system"):
        if p["metadata"].get("deletionTimestamp"):
            cluster.api.delete("pods", p["metadata"]["name"], "kube-system", grace_period_seconds=0)
    cluster.settle()
    run_all(cluster)
    images = {n: p["spec"]["containers"][0]["image"] for n, p in daemon_pods(cluster).items()}
    assert images == {"worker-1": "fluent/fluentd:v1.17", "worker-2": "fluent/fluentd:v1.17"}
    st = cluster.api.get("daemonsets", "fluentd", "kube-system")["status"]
    assert (st["updatedNumberScheduled"], st["numberAvailable"], st["observedGeneration"]) == (2, 2, 2)
