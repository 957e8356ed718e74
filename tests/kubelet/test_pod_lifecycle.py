"""A pod through the kubelet: sandbox and IP, image pull, containers, status, restarts, deletion."""

import ipaddress
import re

NGINX = """
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers: [{name: nginx, image: nginx, ports: [{containerPort: 80}]}]
"""


def test_nginx_runs_with_the_real_events_in_order(node):
    node.run(NGINX)
    node.cluster.advance(10)
    pod = node.pod("web")
    st = pod["status"]
    assert st["phase"] == "Running"
    assert ipaddress.ip_address(st["podIP"]) in ipaddress.ip_network("10.244.1.0/24")
    assert st["podIPs"] == [{"ip": st["podIP"]}]
    assert st["hostIP"] == node.kubelet.node_ip and st["hostIPs"] == [{"ip": node.kubelet.node_ip}]
    assert st["startTime"] == pod["metadata"]["creationTimestamp"]
    conds = {c["type"]: c["status"] for c in st["conditions"]}
    assert conds == {"PodReadyToStartContainers": "True", "Initialized": "True", "Ready": "True",
                     "ContainersReady": "True"}
    cs = node.status("web")
    assert re.fullmatch(r"containerd://[0-9a-f]{64}", cs["containerID"])
    assert cs["image"] == "docker.io/library/nginx:latest"
    assert re.fullmatch(r"docker\.io/library/nginx@sha256:[0-9a-f]{64}", cs["imageID"])
    assert cs["ready"] and cs["started"] and cs["restartCount"] == 0 and "running" in cs["state"]

    events = node.events("web")
    assert [e["reason"] for e in events] == ["Pulling", "Pulled", "Created", "Started"]
    messages = [e["message"] for e in events]
    assert messages[0] == 'Pulling image "nginx"'
    assert re.fullmatch(r'Successfully pulled image "nginx" in [\d.]+m?s \([\d.]+m?s including waiting\)\. '
                        r'Image size: 72218532 bytes\.', messages[1])
    assert messages[2:] == ["Container created", "Container started"]
    assert all(e["involvedObject"]["fieldPath"] == "spec.containers{nginx}" for e in events)
    assert all(e["source"] == {"component": "kubelet", "host": "worker-1"} for e in events)
    assert ("ADD", "worker-1", "10.244.1.0/24", "web") in node.network.calls


def test_a_second_pull_of_the_same_image_is_already_present(node):
    node.run(NGINX.replace("image: nginx", "image: nginx:1.27"))
    node.cluster.settle()
    node.run(NGINX.replace("name: web", "name: web2").replace("image: nginx", "image: nginx:1.27"))
    start = node.cluster.now
    node.cluster.settle()
    assert node.pod("web2")["status"]["phase"] == "Running"
    assert node.cluster.now - start < 0.5
    pulled = [e["message"] for e in node.events("web2") if e["reason"] == "Pulled"]
    assert pulled == ['Container image "nginx:1.27" already present on machine and can be accessed by the pod']
    assert "Pulling" not in node.reasons("web2")


def test_an_image_that_does_not_exist_goes_to_image_pull_backoff(node):
    node.run(NGINX.replace("image: nginx", "image: nginx:doesnotexist"))
    node.cluster.settle()
    waiting = node.status("web")["state"]["waiting"]
    assert waiting["reason"] == "ErrImagePull"
    not_found = ('failed to pull and unpack image "docker.io/library/nginx:doesnotexist": failed to resolve '
                 'reference "docker.io/library/nginx:doesnotexist": docker.io/library/nginx:doesnotexist: not found')
    assert waiting["message"] == "rpc error: code = NotFound desc = " + not_found
    seen = set()
    for _ in range(12):
        node.cluster.advance(5)
        seen.add(node.status("web")["state"]["waiting"]["reason"])
    assert seen == {"ErrImagePull", "ImagePullBackOff"}
    assert node.pod("web")["status"]["phase"] == "Pending"
    messages = {(e["reason"], e["message"]) for e in node.events("web")}
    assert ("Failed", f'Failed to pull image "nginx:doesnotexist": rpc error: code = NotFound desc = {not_found}') \
        in messages
    assert ("Failed", "Error: ErrImagePull") in messages
    assert ("BackOff", 'Back-off pulling image "nginx:doesnotexist"') in messages
    assert ("Failed", "Error: ImagePullBackOff") in messages
    pulls = next(e for e in node.events("web") if e["reason"] == "Pulling")["count"]
    assert 2 <= pulls <= 4  # back-off 10s, 20s, 40s within a minute


def test_crash_loop_back_off_counts_restarts(node):
    node.run(NGINX.replace("image: nginx", "image: kernelsim/crash:1.0").replace("name: nginx", "name: app"))
    node.cluster.settle()
    node.cluster.advance(5)
    cs = node.status("web")
    assert cs["state"]["waiting"]["reason"] == "CrashLoopBackOff"
    assert cs["state"]["waiting"]["message"].startswith("back-off 10s restarting failed container=app pod=web_default(")
    assert cs["lastState"]["terminated"]["exitCode"] == 1
    assert cs["lastState"]["terminated"]["reason"] == "Error"
    first = cs["restartCount"]
    node.cluster.advance(120)
    cs = node.status("web")
    assert cs["restartCount"] > first >= 1
    assert node.pod("web")["status"]["phase"] == "Running"
    backoff = [e for e in node.events("web") if e["reason"] == "BackOff"]
    uid = node.pod("web")["metadata"]["uid"]
    assert backoff[0]["message"] == f"Back-off restarting failed container app in pod web_default({uid})"
    assert backoff[0]["type"] == "Warning" and backoff[0]["count"] >= 2
    out = node.cluster.kubectl("get pod web")
    assert re.search(r"web\s+0/1\s+(CrashLoopBackOff|Error)\s+\d+ \(\d+s ago\)", out.stdout)
    previous = node.kubelet.logs("default", "web", previous=True)
    assert "panic: runtime error" in previous


def test_a_memory_hog_over_its_limit_is_oom_killed(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: hog}
spec:
  nodeName: worker-1
  containers:
  - name: hog
    image: kernelsim/memhog:1.0
    args: [--vm-bytes, 250Mi]
    resources: {limits: {memory: 100Mi}}
""")
    node.cluster.settle()
    node.cluster.advance(3)
    term = node.status("hog")["lastState"].get("terminated") or node.status("hog")["state"].get("terminated")
    assert term["reason"] == "OOMKilled" and term["exitCode"] == 137


def test_restart_policy_never_completes(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: once}
spec:
  nodeName: worker-1
  restartPolicy: Never
  containers: [{name: bb, image: "busybox:1.36", command: [sh, -c, "echo hi; sleep 3; echo bye"]}]
""")
    node.cluster.settle()
    pod = node.pod("once")
    assert pod["status"]["phase"] == "Succeeded"
    term = node.status("once")["state"]["terminated"]
    assert term["reason"] == "Completed" and term["exitCode"] == 0
    ready = next(c for c in pod["status"]["conditions"] if c["type"] == "Ready")
    assert ready["status"] == "False" and ready["reason"] == "PodCompleted"
    assert node.kubelet.logs("default", "once") == "hi\nbye\n"
    assert "Completed" in node.cluster.kubectl("get pod once").stdout


def test_init_containers_run_in_order_before_the_app(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: init}
spec:
  nodeName: worker-1
  initContainers:
  - {name: first, image: "busybox:1.36", command: [sh, -c, "sleep 2; echo one > /work/log"],
     volumeMounts: [{name: work, mountPath: /work}]}
  - {name: second, image: "busybox:1.36", command: [sh, -c, "sleep 2; echo two >> /work/log"],
     volumeMounts: [{name: work, mountPath: /work}]}
  containers:
  - {name: app, image: "busybox:1.36", command: [sh, -c, "cat /work/log; sleep 3600"],
     volumeMounts: [{name: work, mountPath: /work}]}
  volumes: [{name: work, emptyDir: {}}]
""")
    node.cluster.advance(1)
    assert "Init:0/2" in node.cluster.kubectl("get pod init").stdout
    node.cluster.settle()
    pod = node.pod("init")
    assert pod["status"]["phase"] == "Running"
    assert [s["state"]["terminated"]["reason"] for s in pod["status"]["initContainerStatuses"]] == ["Completed"] * 2
    assert node.kubelet.logs("default", "init", "app") == "one\ntwo\n"
    started = [e["involvedObject"]["fieldPath"] for e in node.events("init") if e["reason"] == "Started"]
    assert started == ["spec.initContainers{first}", "spec.initContainers{second}", "spec.containers{app}"]


def test_a_missing_config_map_is_a_create_container_config_error(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: cfg}
spec:
  nodeName: worker-1
  containers:
  - name: app
    image: busybox:1.36
    command: [sh, -c, "echo $MODE; sleep 3600"]
    env: [{name: MODE, valueFrom: {configMapKeyRef: {name: app-config, key: mode}}}]
""")
    node.cluster.settle()
    waiting = node.status("cfg")["state"]["waiting"]
    assert waiting == {"reason": "CreateContainerConfigError", "message": 'configmap "app-config" not found'}
    node.cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "app-config"},
                             "data": {"mode": "fast"}})
    node.cluster.advance(15)
    assert node.pod("cfg")["status"]["phase"] == "Running"
    assert node.kubelet.logs("default", "cfg") == "fast\n"


def test_graceful_deletion_stops_containers_then_removes_the_pod(node):
    node.run(NGINX + """---
apiVersion: v1
kind: Pod
metadata: {name: sleeper}
spec:
  nodeName: worker-1
  containers: [{name: bb, image: "busybox:1.36", command: [sleep, "3600"]}]
""")
    node.cluster.settle()
    node.cluster.api.delete("pods", "web")
    node.cluster.api.delete("pods", "sleeper")
    node.cluster.advance(1)
    assert not node.cluster.api.exists("pods", "web")  # nginx exits on SIGQUIT at once
    assert node.pod("sleeper")["metadata"]["deletionTimestamp"]  # sleep ignores SIGTERM as PID 1
    node.cluster.advance(30)
    assert not node.cluster.api.exists("pods", "sleeper")  # killed after terminationGracePeriodSeconds
    killing = [e["message"] for e in node.events("sleeper") if e["reason"] == "Killing"]
    assert killing == ["Stopping container bb"]
    assert node.runtime.list_pod_sandboxes() == []
    assert ("DEL", "worker-1", "sleeper") in node.network.calls


def test_a_new_image_restarts_the_container(node):
    node.run(NGINX.replace("image: nginx", "image: nginx:1.27"))
    node.cluster.settle()
    node.cluster.api.patch("pods", "web", {"spec": {"containers": [{"name": "nginx", "image": "nginx:1.28"}]}})
    node.cluster.settle()
    cs = node.status("web")
    assert cs["image"] == "docker.io/library/nginx:1.28" and cs["restartCount"] == 1 and "running" in cs["state"]
    killing = [e["message"] for e in node.events("web") if e["reason"] == "Killing"]
    assert killing == ["Container nginx definition changed, will be restarted"]
