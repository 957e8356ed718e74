"""Readiness, liveness and startup probes against the simulated programs."""


def test_a_failing_readiness_probe_keeps_the_pod_unready(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe: {httpGet: {path: /healthz, port: 80}, periodSeconds: 5}
""")
    node.cluster.settle()
    node.cluster.advance(20)
    pod = node.pod("web")
    assert pod["status"]["phase"] == "Running"
    conds = {c["type"]: c for c in pod["status"]["conditions"]}
    assert conds["Ready"]["status"] == "False" and conds["Ready"]["reason"] == "ContainersNotReady"
    assert conds["Ready"]["message"] == "containers with unready status: [nginx]"
    cs = node.status("web")
    assert cs["started"] and not cs["ready"]
    unhealthy = [e for e in node.events("web") if e["reason"] == "Unhealthy"]
    assert unhealthy[0]["message"] == "Readiness probe failed: HTTP probe failed with statuscode: 404"
    assert unhealthy[0]["type"] == "Warning" and unhealthy[0]["count"] >= 3
    # the probes are in nginx's access log, from the node (the pod network's gateway)
    assert '"GET /healthz HTTP/1.1" 404 153 "-" "kube-probe/1.37"' in node.kubelet.logs("default", "web")


def test_a_passing_readiness_probe_makes_the_pod_ready_after_its_initial_delay(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers:
  - name: nginx
    image: nginx:1.27
    readinessProbe: {httpGet: {path: /, port: 80}, initialDelaySeconds: 5, periodSeconds: 5}
""")
    node.cluster.advance(4)
    assert not node.status("web")["ready"]
    node.cluster.settle()
    assert node.status("web")["ready"]
    assert "Unhealthy" not in node.reasons("web")


def test_a_failing_liveness_probe_restarts_the_container(node):
    # the liveness example of the Kubernetes documentation
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: liveness-exec}
spec:
  nodeName: worker-1
  containers:
  - name: liveness
    image: registry.k8s.io/busybox:1.27.2
    args: [/bin/sh, -c, "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600"]
    livenessProbe: {exec: {command: [cat, /tmp/healthy]}, initialDelaySeconds: 5, periodSeconds: 5}
""")
    node.cluster.advance(30)
    assert node.status("liveness-exec")["restartCount"] == 0
    node.cluster.advance(60)
    cs = node.status("liveness-exec")
    assert cs["restartCount"] == 1
    assert cs["lastState"]["terminated"]["exitCode"] == 137  # sh ignored SIGTERM: killed after the grace period
    events = {(e["reason"], e["message"]) for e in node.events("liveness-exec")}
    assert ("Unhealthy", "Liveness probe failed: cat: can't open '/tmp/healthy': No such file or directory") in events
    assert ("Killing", "Container liveness failed liveness probe, will be restarted") in events


def test_tcp_and_startup_probes(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: cache}
spec:
  nodeName: worker-1
  containers:
  - name: redis
    image: redis:8
    startupProbe: {tcpSocket: {port: 6379}, periodSeconds: 2}
    readinessProbe: {exec: {command: [redis-cli, ping]}, periodSeconds: 5}
    livenessProbe: {tcpSocket: {port: 6380}, periodSeconds: 5, failureThreshold: 2}
""")
    node.cluster.settle()
    cs = node.status("cache")
    assert cs["started"] and cs["ready"]
    node.cluster.advance(12)
    events = [e["message"] for e in node.events("cache") if e["reason"] == "Unhealthy"]
    ip = node.pod("cache")["status"]["podIP"]
    assert events == [f"Liveness probe failed: dial tcp {ip}:6380: connect: connection refused"]
    assert "Killing" in node.reasons("cache")
