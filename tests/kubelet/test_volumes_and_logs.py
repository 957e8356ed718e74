"""Volumes (emptyDir, hostPath, configMap, PVC) and container logs, also through the real kubectl."""

import re

import pytest

from kernelsim.api.errors import StatusError

WRITER = """
apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  nodeName: worker-1
  restartPolicy: Never
  containers:
  - name: bb
    image: busybox:1.36
    command: [sh, -c, "cat /scratch/f /host/f; echo NAME > /scratch/f; echo NAME >> /host/f; cat /scratch/f /host/f"]
    volumeMounts: [{name: scratch, mountPath: /scratch}, {name: host, mountPath: /host}]
  volumes:
  - {name: scratch, emptyDir: {}}
  - {name: host, hostPath: {path: /var/data, type: DirectoryOrCreate}}
"""


def test_empty_dir_lives_with_the_pod_and_host_path_with_the_node(node):
    node.run(WRITER.replace("NAME", "first"))
    node.cluster.settle()
    assert node.kubelet.logs("default", "first") == (
        "cat: can't open '/scratch/f': No such file or directory\n"
        "cat: can't open '/host/f': No such file or directory\n"
        "first\nfirst\n")
    node.run(WRITER.replace("NAME", "second"))
    node.cluster.settle()
    assert node.kubelet.logs("default", "second") == (
        "cat: can't open '/scratch/f': No such file or directory\n"
        "first\n"
        "second\nfirst\nsecond\n")
    assert node.runtime.host_fs.read("/var/data/f") == "first\nsecond\n"


def test_config_map_files_are_read_only(node):
    node.cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "web-config"},
                             "data": {"index.html": "<h1>hello from a ConfigMap</h1>\n"}})
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: web}
spec:
  nodeName: worker-1
  containers:
  - name: nginx
    image: nginx:1.27
    volumeMounts: [{name: html, mountPath: /usr/share/nginx/html}]
  volumes: [{name: html, configMap: {name: web-config}}]
""")
    node.cluster.settle()
    pod = node.pod("web")
    sandbox = node.kubelet.workers[pod["metadata"]["uid"]].sandbox_id
    resp = node.runtime.http_request(sandbox, 80, "GET", "/", client_ip="10.244.1.9", user_agent="curl/8.14.1")
    assert resp.status == 200 and resp.body == "<h1>hello from a ConfigMap</h1>\n"
    code, out = node.kubelet.exec("default", "web", None, ["sh", "-c", "echo x > /usr/share/nginx/html/x"])
    assert code == 1 and "Read-only file system" in out
    mounts = node.status("web")["volumeMounts"]
    token = next(v["name"] for v in node.pod("web")["spec"]["volumes"] if v["name"].startswith("kube-api-access-"))
    assert mounts == [{"mountPath": "/usr/share/nginx/html", "name": "html"},
                      {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": token, "readOnly": True,
                       "recursiveReadOnly": "Disabled"}]


def test_a_persistent_volume_keeps_its_files_across_pods(node):
    node.cluster.api.create({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv-data"},
                             "spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"],
                                      "hostPath": {"path": "/mnt/pv"}, "claimRef": {"name": "data",
                                                                                   "namespace": "default"}}})
    node.cluster.api.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                             "spec": {"accessModes": ["ReadWriteOnce"], "volumeName": "pv-data",
                                      "resources": {"requests": {"storage": "1Gi"}}}})
    pod = """
apiVersion: v1
kind: Pod
metadata: {name: NAME}
spec:
  nodeName: worker-1
  restartPolicy: Never
  containers:
  - {name: bb, image: "busybox:1.36", command: [sh, -c, "echo NAME >> /data/log; cat /data/log"],
     volumeMounts: [{name: data, mountPath: /data}]}
  volumes: [{name: data, persistentVolumeClaim: {claimName: data}}]
"""
    node.run(pod.replace("NAME", "one"))
    node.cluster.settle()
    node.cluster.api.delete("pods", "one")
    node.run(pod.replace("NAME", "two"))
    node.cluster.settle()
    assert node.kubelet.logs("default", "two") == "one\ntwo\n"
    assert node.kubelet.volume_store.get("pv-data").read("log") == "one\ntwo\n"


def test_logs_of_a_busybox_echo_with_tail_and_timestamps(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: counter}
spec:
  nodeName: worker-1
  containers:
  - {name: count, image: "busybox:1.36",
     command: [sh, -c, "i=0; while true; do echo \\"$i: $(date)\\"; i=$((i+1)); sleep 1; done"]}
""")
    node.cluster.settle()
    node.cluster.advance(5)
    lines = node.kubelet.logs("default", "counter").splitlines()
    assert len(lines) == 5 and lines[0].startswith("0: Thu Nov 26 09:00:")
    assert node.kubelet.logs("default", "counter", tail_lines=2).splitlines() == lines[-2:]
    stamped = node.kubelet.logs("default", "counter", tail_lines=1, timestamps=True)
    assert stamped.startswith("2026-11-26T09:00:") and stamped.split(" ", 1)[1] == lines[-1] + "\n"


def test_log_errors_read_like_the_apiserver(node):
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: bad}
spec:
  nodeName: worker-1
  containers: [{name: app, image: "nginx:doesnotexist"}, {name: side, image: "busybox:1.36", command: [sleep, "3600"]}]
""")
    node.cluster.settle()
    with pytest.raises(StatusError) as e:
        node.kubelet.logs("default", "bad", "app")
    assert e.value.code == 400
    assert e.value.message == 'container "app" in pod "bad" is waiting to start: trying and failing to pull image'
    with pytest.raises(StatusError) as e:
        node.kubelet.logs("default", "bad")
    assert e.value.message == "a container name must be specified for pod bad, choose one of: [app side]"
    with pytest.raises(StatusError) as e:
        node.kubelet.logs("default", "bad", "side", previous=True)
    assert e.value.message == 'previous terminated container "side" in pod "bad" not found'


def test_kubectl_describe_and_logs(node):
    cluster = node.cluster
    cluster.apiserver.pod_log = node.kubelet.pod_log  # what the cluster wires for every node
    node.run("""
apiVersion: v1
kind: Pod
metadata: {name: hello}
spec:
  nodeName: worker-1
  containers: [{name: bb, image: "busybox:1.36", command: [sh, -c, "echo hello from the pod; sleep 3600"]}]
""")
    cluster.settle()
    out = cluster.kubectl("describe pod hello").stdout
    events = out.split("Events:", 1)[1]
    order = [events.index(f"  {reason} ") for reason in ("Pulling", "Pulled", "Created", "Started")]
    assert order == sorted(order)
    assert 'spec.containers{bb}: Pulling image "busybox:1.36"' in events
    assert "spec.containers{bb}: Container started" in events
    assert re.search(r"Container ID:\s+containerd://[0-9a-f]{64}", out) and re.search(r"State:\s+Running", out)
    assert "Node:             worker-1/" + node.kubelet.node_ip in out
    logs = cluster.kubectl("logs hello")
    assert logs.returncode == 0 and logs.stdout == "hello from the pod\n"
    prev = cluster.kubectl("logs hello --previous")
    assert prev.returncode == 1
    assert 'previous terminated container "bb" in pod "hello" not found' in prev.stderr
