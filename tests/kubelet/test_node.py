"""Node registration, status, the Lease heartbeat, stop/start, static pods and unmanaged containers."""

from tests.kubelet.conftest import Node


def test_the_kubelet_registers_its_node(node):
    n = node.cluster.api.get("nodes", "worker-1", None)
    labels = n["metadata"]["labels"]
    assert labels["kubernetes.io/hostname"] == "worker-1"
    assert labels["kubernetes.io/os"] == "linux" and labels["kubernetes.io/arch"] == "amd64"
    assert labels["beta.kubernetes.io/os"] == "linux" and "node-role.kubernetes.io/control-plane" not in labels
    st = n["status"]
    assert st["capacity"]["cpu"] == "2" and st["capacity"]["pods"] == "110"
    assert st["capacity"]["memory"].endswith("Ki") and st["allocatable"]["memory"].endswith("Ki")
    conds = {c["type"]: c for c in st["conditions"]}
    assert conds["Ready"]["status"] == "True" and conds["Ready"]["reason"] == "KubeletReady"
    assert conds["Ready"]["message"] == "kubelet is posting ready status"
    assert conds["MemoryPressure"]["reason"] == "KubeletHasSufficientMemory"
    assert {a["type"] for a in st["addresses"]} == {"InternalIP", "Hostname"}
    info = st["nodeInfo"]
    assert info["kubeletVersion"] == "v1.37.0" and info["containerRuntimeVersion"].startswith("containerd://2.")
    assert info["osImage"] == "Ubuntu 24.04.2 LTS" and info["architecture"] == "amd64"
    out = node.cluster.kubectl("get nodes").stdout
    assert "worker-1   Ready    <none>" in out and "v1.37.0" in out
    starting = [e for e in node.cluster.api.list("events", "default") if e["reason"] == "Starting"]
    assert starting and starting[0]["message"] == "Starting kubelet."


def test_a_master_is_tainted_and_labelled(cluster):
    Node(cluster, "master-1", role="control-plane")
    n = cluster.api.get("nodes", "master-1", None)
    assert n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] == ""
    assert n["spec"]["taints"] == [{"key": "node-role.kubernetes.io/control-plane", "effect": "NoSchedule"}]


def test_the_lease_is_renewed_every_10s_until_the_kubelet_stops(node):
    lease = node.cluster.api.get("leases", "worker-1", "kube-node-lease")
    assert lease["spec"]["holderIdentity"] == "worker-1"
    assert lease["spec"]["leaseDurationSeconds"] == 40
    assert lease["metadata"]["ownerReferences"][0]["kind"] == "Node"
    before = len(node.kubelet.lease.renewals)
    node.cluster.advance(30)
    times = node.kubelet.lease.renewals[before - 1:]
    assert [round(b - a, 3) for a, b in zip(times, times[1:])] == [10.0, 10.0, 10.0]
    renewed = node.cluster.api.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"]
    assert renewed.endswith("Z") and "." in renewed  # a MicroTime
    node.kubelet.stop()
    node.cluster.advance(60)
    assert node.cluster.api.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"] == renewed
    node.kubelet.start()
    node.cluster.advance(1)
    assert node.cluster.api.get("leases", "worker-1", "kube-node-lease")["spec"]["renewTime"] != renewed


def test_a_stopped_kubelet_leaves_its_containers_running(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers: [{name: nginx, image: "nginx:1.27"}]
""")
    node.cluster.settle()
    node.kubelet.stop()
    node.cluster.api.delete("pods", "web")
    node.cluster.advance(60)
    assert node.cluster.api.get("pods", "web")["metadata"]["deletionTimestamp"]  # nobody finishes it
    assert [c.state for c in node.runtime.list_containers()] == ["CONTAINER_RUNNING"]
    node.kubelet.start()
    node.cluster.advance(5)
    assert not node.cluster.api.exists("pods", "web")


STATIC_ETCD = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": "etcd", "namespace": "kube-system", "labels": {"component": "etcd"}},
               "spec": {"hostNetwork": True, "priorityClassName": "system-node-critical",
                        "containers": [{"name": "etcd", "image": "registry.k8s.io/etcd:3.6.5-0",
                                        "command": ["etcd", "--name=master-1"]}]}}


def test_static_pods_run_with_mirror_pods(cluster):
    master = Node(cluster, "master-1", role="control-plane", static_pods=[STATIC_ETCD])
    mirror = cluster.api.get("pods", "etcd-master-1", "kube-system")
    ann = mirror["metadata"]["annotations"]
    assert ann["kubernetes.io/config.source"] == "file"
    assert ann["kubernetes.io/config.mirror"] == ann["kubernetes.io/config.hash"]
    owner = mirror["metadata"]["ownerReferences"][0]
    assert (owner["kind"], owner["name"], owner["controller"]) == ("Node", "master-1", True)
    assert mirror["status"]["phase"] == "Running"
    assert mirror["status"]["podIP"] == master.kubelet.node_ip  # hostNetwork
    # deleting the mirror pod does not stop the static pod; the kubelet creates the mirror again
    old_uid = mirror["metadata"]["uid"]
    cluster.api.delete("pods", "etcd-master-1", "kube-system")
    cluster.settle()
    again = cluster.api.get("pods", "etcd-master-1", "kube-system")
    assert again["metadata"]["uid"] != old_uid and again["status"]["phase"] == "Running"
    assert len(master.runtime.list_containers(state="CONTAINER_RUNNING")) == 1
    assert "Serving" in master.kubelet.logs("kube-system", "etcd-master-1") or \
        "serving client traffic" in master.kubelet.logs("kube-system", "etcd-master-1")


def test_containers_kubernetes_did_not_create_are_ignored(node):
    cid = node.runtime.run_unmanaged("debug", "busybox:1.36", ["sleep", "3600"])
    node.cluster.advance(20)
    assert node.runtime.container_status(cid).running
    assert node.cluster.api.list("pods", None) == []
    assert node.kubelet.workers == {}
    assert node.kubelet.stats()["pods"] == []


def test_stats_report_usage_per_container(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers: [{name: nginx, image: "nginx:1.27"}]
""")
    node.cluster.settle()
    pod = node.kubelet.stats()["pods"][0]
    assert pod["podRef"]["name"] == "web"
    c = pod["containers"][0]
    assert 2_000_000 < c["cpu"]["usageNanoCores"] < 10_000_000  # about 5m
    assert 8 * 2**20 < c["memory"]["workingSetBytes"] < 12 * 2**20  # about 10Mi
