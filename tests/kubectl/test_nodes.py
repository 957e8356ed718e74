"""From a Pod to a running container, seen through the real kubectl (nodes issue, acceptance)."""

import ipaddress
import re

import pytest

from kernelsim.testing import check_invariants


def rows(out: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]


def pod_row(kubectl, name, ns="default"):
    table = rows(kubectl(f"get pod {name} -n {ns} -o wide").stdout)
    return dict(zip(table[0], table[1]))


def test_get_nodes_columns(kubectl):
    table = rows(kubectl("get nodes").stdout)
    assert table[0] == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert [(r[0], r[1], r[2], r[4]) for r in table[1:]] == [
        ("master-1", "Ready", "control-plane", "v1.37.0"), ("worker-1", "Ready", "<none>", "v1.37.0"),
        ("worker-2", "Ready", "<none>", "v1.37.0")]
    wide = rows(kubectl("get nodes -o wide").stdout)
    assert wide[0][5:] == ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"]
    assert wide[1][-1].startswith("containerd://2.")


def test_run_reaches_running_with_events_in_order(cluster, kubectl):
    start = cluster.now
    kubectl("run web --image=nginx")
    cluster.advance(10)
    row = pod_row(kubectl, "web")
    assert row["STATUS"] == "Running" and row["READY"] == "1/1", row
    node = cluster.api.get("nodes", row["NODE"], None)
    assert ipaddress.ip_address(row["IP"]) in ipaddress.ip_network(node["spec"]["podCIDR"])
    out = kubectl("describe pod web").stdout
    reasons = re.findall(r"^\s+Normal\s+(\w+)\s", out.split("Events:")[1], re.M)
    assert reasons == ["Scheduled", "Pulling", "Pulled", "Created", "Started"]
    assert cluster.now - start <= 10


def test_image_pull_back_off_and_crash_loop(cluster, kubectl):
    kubectl("run bad --image=nginx:doesnotexist")
    kubectl("run crash --image=kernelsim/crash")
    cluster.advance(60)
    assert pod_row(kubectl, "bad")["STATUS"] in ("ImagePullBackOff", "ErrImagePull")
    first = pod_row(kubectl, "crash")
    cluster.advance(120)
    later = pod_row(kubectl, "crash")
    assert later["STATUS"] == "CrashLoopBackOff"
    assert int(later["RESTARTS"].split()[0]) > int(first["RESTARTS"].split()[0]) >= 1


BIG = """apiVersion: v1
kind: Pod
metadata: {name: big}
spec:
  containers:
  - name: big
    image: nginx
    resources: {requests: {cpu: "3"}}
"""


def test_unschedulable_until_a_node_is_added(cluster, kubectl):
    kubectl("apply -f -", input=BIG)
    cluster.advance(5)
    assert pod_row(kubectl, "big")["STATUS"] == "Pending"
    events = kubectl("get events --field-selector involvedObject.name=big,reason=FailedScheduling").stdout
    assert ("0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, "
            "2 Insufficient cpu.") in events
    name = cluster.add_node(cpu="4")
    cluster.advance(30)
    row = pod_row(kubectl, "big")
    assert (row["STATUS"], row["NODE"]) == ("Running", name)


def test_kube_system_looks_like_kubeadm(kubectl):
    names = [r[0] for r in rows(kubectl("get pods -n kube-system").stdout)[1:]]
    for static in ("etcd-master-1", "kube-apiserver-master-1", "kube-controller-manager-master-1",
                   "kube-scheduler-master-1"):
        assert static in names
    assert sum(n.startswith("coredns-") for n in names) == 2
    assert sum(n.startswith("kube-proxy-") for n in names) == 3
    statuses = {r[2] for r in rows(kubectl("get pods -n kube-system").stdout)[1:]}
    assert statuses == {"Running"}


SERVICES = """apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: nginx
        image: nginx
        readinessProbe: {httpGet: {path: /, port: 80}, periodSeconds: 2}
---
apiVersion: v1
kind: Service
metadata: {name: web-cip}
spec: {selector: {app: web}, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-np}
spec: {type: NodePort, selector: {app: web}, ports: [{port: 80, nodePort: 30080}]}
---
apiVersion: v1
kind: Service
metadata: {name: web-lb}
spec: {type: LoadBalancer, selector: {app: web}, ports: [{port: 80}]}
"""


def test_service_types_get_addresses_and_traffic_reaches_ready_pods(cluster, kubectl):
    kubectl("apply -f -", input=SERVICES)
    kubectl("run client --image=busybox -- sleep 3600")
    svc = {r[0]: r for r in rows(kubectl("get svc").stdout)[1:]}
    assert svc["web-lb"][3] == "<pending>"
    assert svc["web-np"][4] == "80:30080/TCP"
    cluster.advance(20)
    svc = {r[0]: r for r in rows(kubectl("get svc").stdout)[1:]}
    assert ipaddress.ip_address(svc["web-cip"][2]) in ipaddress.ip_network("10.96.0.0/12")
    assert ipaddress.ip_address(svc["web-lb"][3])  # an external address now
    r = cluster.request("http://web-cip.default.svc.cluster.local", from_pod="default/client")
    assert r.status == 200 and "Welcome to nginx!" in r.body
    assert cluster.request(f"http://{svc['web-lb'][3]}").status == 200  # from outside, through the LB
    # Make one backend fail its readiness probe: traffic never reaches it again.
    pods = [p["metadata"]["name"] for p in cluster.api.list("pods", "default", label_selector="app=web")]
    sick = pods[0]
    assert kubectl(f"exec {sick} -- rm /usr/share/nginx/html/index.html").returncode == 0
    cluster.advance(10)
    assert pod_row(kubectl, sick)["READY"] == "0/1"
    answered = {cluster.request("http://web-cip", from_pod="default/client").pod for _ in range(20)}
    assert answered == {f"default/{pods[1]}"}
    check_invariants(cluster)


def test_stopped_kubelet_stops_renewing_its_lease(cluster):
    def renew(node):
        return cluster.api.get("leases", node, "kube-node-lease")["spec"]["renewTime"]

    before = renew("worker-1")
    cluster.advance(11)
    assert renew("worker-1") != before
    cluster.stop_kubelet("worker-1")
    stopped_at = renew("worker-1")
    cluster.advance(30)
    assert renew("worker-1") == stopped_at
    assert renew("worker-2") != stopped_at


def test_logs_and_exec(cluster, kubectl):
    kubectl("run hello --image=busybox -- sh -c 'echo hi; sleep 3600'")
    cluster.advance(10)
    assert kubectl("logs hello").stdout == "hi\n"
    r = kubectl("exec hello -- sh -c 'echo from exec; exit 3'")
    assert (r.stdout, r.returncode) == ("from exec\n", 3)
    assert "command terminated with exit code 3" in r.stderr


def test_logs_follow_previous_and_tail(cluster, kubectl):
    kubectl("run counter --image=busybox --restart=Never -- sh -c 'for i in 1 2 3; do echo tick $i; sleep 2; done'")
    cluster.advance(1)
    r = kubectl("logs -f counter", timeout=60)
    assert (r.returncode, r.stdout) == (0, "tick 1\ntick 2\ntick 3\n")
    assert kubectl("logs counter --tail=1").stdout == "tick 3\n"
    kubectl("run crash --image=kernelsim/crash")
    cluster.advance(60)
    previous = kubectl("logs crash --previous")
    assert previous.returncode == 0 and previous.stdout.strip()
