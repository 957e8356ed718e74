"""Tests for kernelsim.api.printers: the Table columns and cells of ``kubectl get``.

Each expectation is what a real v1.37 cluster shows for the same object, e.g.

    $ kubectl get pods
    NAME    READY   STATUS             RESTARTS      AGE
    web-1   0/1     CrashLoopBackOff   3 (25s ago)   5m
"""

import datetime
import json
import os
import subprocess
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from kernelsim.api import printers, resources
from kernelsim.api.printers import human_duration, to_table, translate_timestamp_since

NOW = datetime.datetime(2026, 3, 1, 12, 0, 0, tzinfo=datetime.timezone.utc)


def ago(seconds: float) -> str:
    t = NOW - datetime.timedelta(seconds=seconds)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def info(plural: str, group: str = ""):
    r = resources.by_plural(group, plural)
    assert r is not None, plural
    return r


def table(plural, objs, group="", **kw):
    return to_table(info(plural, group), objs, NOW, **kw)


def names(t):
    return [c["name"] for c in t["columnDefinitions"]]


def header(t, wide=False):
    return [c["name"].upper() for c in t["columnDefinitions"] if wide or c["priority"] == 0]


def cells(plural, obj, group=""):
    return table(plural, [obj], group)["rows"][0]["cells"]


def meta(name, age=300, namespace="default", **extra):
    m = {"name": name, "creationTimestamp": ago(age), "uid": f"uid-{name}"}
    if namespace:
        m["namespace"] = namespace
    m.update(extra)
    return m


def pod(name="web-1", phase="Running", statuses=None, init=None, init_statuses=None, conditions=None,
        **meta_extra):
    p = {"apiVersion": "v1", "kind": "Pod", "metadata": meta(name, **meta_extra),
         "spec": {"containers": [{"name": s.get("name", "c"), "image": "nginx"} for s in (statuses or [{}])],
                  "nodeName": "node-1"},
         "status": {"phase": phase, "podIP": "10.244.1.5", "podIPs": [{"ip": "10.244.1.5"}],
                    "conditions": conditions or [], "containerStatuses": statuses or []}}
    if init is not None:
        p["spec"]["initContainers"] = init
        p["status"]["initContainerStatuses"] = init_statuses or []
    return p


RUNNING = {"name": "c", "ready": True, "restartCount": 0, "started": True,
           "state": {"running": {"startedAt": ago(290)}}}


# --- human durations --------------------------------------------------------


@pytest.mark.parametrize("seconds, text", [
    (-5, "<invalid>"), (-1.5, "0s"), (0, "0s"), (59, "59s"), (90, "90s"), (119.9, "119s"), (120, "2m"),
    (125, "2m5s"), (599, "9m59s"), (600, "10m"), (3 * 3600 - 1, "179m"), (3 * 3600, "3h"),
    (3 * 3600 + 240, "3h4m"), (8 * 3600 + 59, "8h"), (47 * 3600, "47h"), (48 * 3600, "2d"),
    (51 * 3600, "2d3h"), (8 * 86400, "8d"), (400 * 86400, "400d"), (731 * 86400, "2y1d"),
    (730 * 86400, "2y"), (9 * 365 * 86400, "9y"),
])
def test_human_duration(seconds, text):
    assert human_duration(seconds) == text


def test_translate_timestamp_since():
    assert translate_timestamp_since(None, NOW) == "<unknown>"
    assert translate_timestamp_since("", NOW) == "<unknown>"
    assert translate_timestamp_since(ago(300), NOW) == "5m"
    assert translate_timestamp_since("2026-03-01T11:59:30.123456Z", NOW) == "29s"  # a MicroTime
    assert translate_timestamp_since(ago(30), NOW.replace(tzinfo=None)) == "30s"  # naive means UTC


# --- the Table envelope -----------------------------------------------------


def test_table_envelope_and_partial_object_metadata():
    p = pod()
    t = table("pods", [p])
    assert t["kind"] == "Table" and t["apiVersion"] == "meta.k8s.io/v1"
    assert t["metadata"] == {"resourceVersion": ""}
    assert t["rows"][0]["object"] == {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                      "metadata": p["metadata"]}
    assert table("pods", [p], include_object="None")["rows"][0]["object"] is None
    full = table("pods", [p], include_object="Object")["rows"][0]["object"]
    assert full["kind"] == "Pod" and full["spec"] == p["spec"]
    json.dumps(t)  # the whole Table is plain JSON


def test_column_definitions_have_all_fields():
    t = table("pods", [])
    assert t["rows"] == []
    first = t["columnDefinitions"][0]
    assert set(first) == {"name", "type", "format", "description", "priority"}
    assert first["format"] == "name" and first["description"].startswith("Name must be unique within a namespace")


def test_every_printer_has_one_cell_per_column():
    empty = {"metadata": {"name": "x"}}
    for (group, plural), (columns, row_fn) in printers._PRINTERS.items():
        assert len(row_fn(empty, NOW)) == len(columns), (group, plural)
        for c in columns:
            # upstream documents RuntimeClass's Handler with ObjectMeta's (missing) "handler" doc
            assert c.definition()["description"] or (plural, c.name) == ("runtimeclasses", "Handler")


# --- pods -------------------------------------------------------------------


def test_pod_columns():
    t = table("pods", [])
    assert header(t) == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert header(t, wide=True)[5:] == ["IP", "NODE", "NOMINATED NODE", "READINESS GATES"]
    assert [c["type"] for c in t["columnDefinitions"]] == ["string"] * 9
    assert [c["priority"] for c in t["columnDefinitions"]] == [0, 0, 0, 0, 0, 1, 1, 1, 1]


def test_running_pod():
    p = pod(statuses=[RUNNING], conditions=[{"type": "Ready", "status": "True"}])
    assert cells("pods", p) == ["web-1", "1/1", "Running", "0", "5m", "10.244.1.5", "node-1", "<none>", "<none>"]
    assert "conditions" not in table("pods", [p])["rows"][0]


def test_crash_loop_back_off_with_restarts():
    status = {"name": "c", "ready": False, "restartCount": 3,
              "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 40s"}},
              "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(25)}}}
    assert cells("pods", pod(statuses=[status]))[:5] == ["web-1", "0/1", "CrashLoopBackOff", "3 (25s ago)", "5m"]


def test_restart_age_uses_the_latest_termination():
    a = dict(RUNNING, name="a", restartCount=1, lastState={"terminated": {"exitCode": 1, "finishedAt": ago(600)}})
    b = dict(RUNNING, name="b", restartCount=2, lastState={"terminated": {"exitCode": 1, "finishedAt": ago(70)}})
    assert cells("pods", pod(statuses=[a, b]))[1:4] == ["2/2", "Running", "3 (70s ago)"]


def test_pending_and_container_creating_and_image_pull_back_off():
    bare = pod(phase="Pending")
    bare["status"] = {"phase": "Pending"}
    bare["spec"].pop("nodeName")
    assert cells("pods", bare) == ["web-1", "0/1", "Pending", "0", "5m", "<none>", "<none>", "<none>", "<none>"]
    creating = {"name": "c", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "ContainerCreating"}}}
    assert cells("pods", pod(phase="Pending", statuses=[creating]))[2] == "ContainerCreating"
    pulling = dict(creating, state={"waiting": {"reason": "ImagePullBackOff"}})
    assert cells("pods", pod(phase="Pending", statuses=[pulling]))[2] == "ImagePullBackOff"


def test_first_container_decides_the_status():
    waiting = {"name": "a", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "ErrImagePull"}}}
    assert cells("pods", pod(statuses=[waiting, dict(RUNNING, name="b")]))[1:3] == ["1/2", "ErrImagePull"]


def test_completed_and_error_pods_carry_a_row_condition():
    done = {"name": "c", "ready": False, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed", "finishedAt": ago(10)}}}
    t = table("pods", [pod(phase="Succeeded", statuses=[done])])
    assert t["rows"][0]["cells"][1:3] == ["0/1", "Completed"]
    assert t["rows"][0]["conditions"] == [{"type": "Completed", "status": "True", "reason": "Succeeded",
                                           "message": "The pod has completed successfully."}]
    failed = dict(done, state={"terminated": {"exitCode": 2, "reason": "Error"}})
    t = table("pods", [pod(phase="Failed", statuses=[failed])])
    assert t["rows"][0]["cells"][2] == "Error" and t["rows"][0]["conditions"][0]["reason"] == "Failed"
    no_reason = dict(done, state={"terminated": {"exitCode": 137}})
    assert cells("pods", pod(phase="Failed", statuses=[no_reason]))[2] == "ExitCode:137"


def test_completed_container_with_a_running_one_is_running_or_not_ready():
    done = {"name": "a", "ready": False, "restartCount": 0,
            "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
    both = [done, dict(RUNNING, name="b")]
    assert cells("pods", pod(statuses=both, conditions=[{"type": "Ready", "status": "True"}]))[2] == "Running"
    assert cells("pods", pod(statuses=both))[2] == "NotReady"


def test_terminating_pod():
    p = pod(statuses=[RUNNING], deletionTimestamp=ago(3))
    assert cells("pods", p)[2] == "Terminating"
    p = pod(phase="Succeeded", deletionTimestamp=ago(3))
    p["status"]["reason"] = ""
    assert cells("pods", p)[2] == "Succeeded"
    lost = pod(statuses=[RUNNING], deletionTimestamp=ago(3))
    lost["status"]["reason"] = "NodeLost"
    assert cells("pods", lost)[2] == "Unknown"


def test_init_containers():
    init = [{"name": "i1", "image": "busybox"}, {"name": "i2", "image": "busybox"}]
    waiting = {"name": "c", "ready": False, "restartCount": 0, "state": {"waiting": {"reason": "PodInitializing"}}}
    running_init = {"name": "i1", "ready": False, "restartCount": 0, "state": {"running": {}}}
    p = pod(phase="Pending", statuses=[waiting], init=init, init_statuses=[running_init, {"name": "i2"}])
    assert cells("pods", p)[1:4] == ["0/1", "Init:0/2", "0"]
    done = {"name": "i1", "restartCount": 0, "state": {"terminated": {"exitCode": 0, "reason": "Completed"}}}
    p = pod(phase="Pending", statuses=[waiting], init=init, init_statuses=[done, dict(running_init, name="i2")])
    assert cells("pods", p)[2] == "Init:1/2"
    crash = {"name": "i1", "restartCount": 4, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(12)}}}
    p = pod(phase="Pending", statuses=[waiting], init=init, init_statuses=[crash, {"name": "i2"}])
    assert cells("pods", p)[1:4] == ["0/1", "Init:CrashLoopBackOff", "4 (12s ago)"]
    failed = {"name": "i1", "restartCount": 0, "state": {"terminated": {"exitCode": 3}}}
    p = pod(phase="Failed", statuses=[waiting], init=init, init_statuses=[failed, {"name": "i2"}])
    assert cells("pods", p)[2] == "Init:ExitCode:3"


def test_sidecar_init_container_counts_as_a_container():
    init = [{"name": "proxy", "image": "envoy", "restartPolicy": "Always"}]
    sidecar = {"name": "proxy", "ready": True, "started": True, "restartCount": 1,
               "state": {"running": {}}, "lastState": {"terminated": {"exitCode": 1, "finishedAt": ago(200)}}}
    p = pod(statuses=[RUNNING], init=init, init_statuses=[sidecar],
            conditions=[{"type": "Initialized", "status": "True"}, {"type": "Ready", "status": "True"}])
    assert cells("pods", p)[1:4] == ["2/2", "Running", "1 (3m20s ago)"]


def test_scheduling_gated_and_readiness_gates_and_nominated_node():
    p = pod(phase="Pending", conditions=[{"type": "PodScheduled", "status": "False", "reason": "SchedulingGated"}])
    p["status"]["containerStatuses"] = []
    assert cells("pods", p)[2] == "SchedulingGated"
    p = pod(statuses=[RUNNING], conditions=[{"type": "example.com/lb", "status": "True"}])
    p["spec"]["readinessGates"] = [{"conditionType": "example.com/lb"}, {"conditionType": "example.com/x"}]
    p["status"]["nominatedNodeName"] = "node-2"
    assert cells("pods", p)[7:] == ["node-2", "1/2"]


# --- services ---------------------------------------------------------------


def svc(svc_type="ClusterIP", ports=None, **spec):
    s = {"metadata": meta("web", age=3600), "spec": {"type": svc_type, "clusterIP": "10.96.0.10",
                                                     "clusterIPs": ["10.96.0.10"], "ports": ports or []}}
    s["spec"].update(spec)
    return s


def test_service_columns():
    t = table("services", [])
    assert header(t) == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert header(t, wide=True)[-1] == "SELECTOR"


def test_cluster_ip_and_node_port_services():
    s = svc(ports=[{"port": 80, "protocol": "TCP", "targetPort": 8080}], selector={"app": "web", "tier": "fe"})
    assert cells("services", s) == ["web", "ClusterIP", "10.96.0.10", "<none>", "80/TCP", "60m", "app=web,tier=fe"]
    s = svc("NodePort", ports=[{"port": 80, "nodePort": 30080, "protocol": "TCP"},
                               {"port": 53, "protocol": "UDP", "nodePort": 30053}])
    assert cells("services", s)[1:5] == ["NodePort", "10.96.0.10", "<none>", "80:30080/TCP,53:30053/UDP"]
    headless = svc(clusterIP="None", clusterIPs=["None"])
    assert cells("services", headless)[2:5] == ["None", "<none>", "<none>"]
    assert cells("services", headless)[6] == "<none>"


def test_load_balancer_and_external_name_services():
    s = svc("LoadBalancer", ports=[{"port": 443, "nodePort": 31443, "protocol": "TCP"}])
    assert cells("services", s)[3] == "<pending>"
    s["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.9"}, {"hostname": "lb.example.com"}]}}
    assert cells("services", s)[3] == "203.0.113.9,lb.example.com"
    s["spec"]["externalIPs"] = ["198.51.100.1"]
    assert cells("services", s)[3] == "203.0.113.9,lb.example.com,198.51.100.1"
    ext = {"metadata": meta("db"), "spec": {"type": "ExternalName", "externalName": "db.example.com"}}
    assert cells("services", ext)[:5] == ["db", "ExternalName", "<none>", "db.example.com", "<none>"]


# --- nodes ------------------------------------------------------------------


def node(name="cp-1", ready="True", labels=None, unschedulable=False):
    return {"metadata": meta(name, age=86400 * 3, namespace=None, labels=labels or {}),
            "spec": {"unschedulable": unschedulable} if unschedulable else {},
            "status": {"conditions": [{"type": "MemoryPressure", "status": "False"},
                                      {"type": "Ready", "status": ready}],
                       "addresses": [{"type": "InternalIP", "address": "172.18.0.2"},
                                     {"type": "Hostname", "address": name}],
                       "nodeInfo": {"kubeletVersion": "v1.37.0", "osImage": "Debian GNU/Linux 12 (bookworm)",
                                    "kernelVersion": "6.8.0", "containerRuntimeVersion": "containerd://2.1.0"}}}


def test_node_columns_and_cells():
    t = table("nodes", [])
    assert header(t) == ["NAME", "STATUS", "ROLES", "AGE", "VERSION"]
    assert header(t, wide=True)[5:] == ["INTERNAL-IP", "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION",
                                        "CONTAINER-RUNTIME"]
    cp = node(labels={"node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "cp-1"})
    assert cells("nodes", cp) == ["cp-1", "Ready", "control-plane", "3d", "v1.37.0", "172.18.0.2", "<none>",
                                  "Debian GNU/Linux 12 (bookworm)", "6.8.0", "containerd://2.1.0"]


def test_node_status_and_roles():
    assert cells("nodes", node("w1", unschedulable=True))[1:3] == ["Ready,SchedulingDisabled", "<none>"]
    assert cells("nodes", node("w1", ready="Unknown"))[1] == "NotReady"
    bare = node("w1", labels={"kubernetes.io/role": "worker", "node-role.kubernetes.io/infra": "",
                              "node-role.kubernetes.io/": ""})
    bare["status"] = {}
    assert cells("nodes", bare)[1:3] == ["Unknown", "infra,worker"]
    assert cells("nodes", bare)[5:] == ["<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"]


# --- simple core kinds ------------------------------------------------------


def test_namespaces_configmaps_secrets_serviceaccounts():
    ns = {"metadata": meta("default", age=86400 * 10, namespace=None), "status": {"phase": "Active"}}
    t = table("namespaces", [ns])
    assert header(t) == ["NAME", "STATUS", "AGE"] and t["rows"][0]["cells"] == ["default", "Active", "10d"]
    cm = {"metadata": meta("cfg"), "data": {"a": "1", "b": "2"}, "binaryData": {"c": "AA=="}}
    t = table("configmaps", [cm])
    assert header(t) == ["NAME", "DATA", "AGE"] and t["rows"][0]["cells"] == ["cfg", 3, "5m"]
    sec = {"metadata": meta("tls"), "type": "kubernetes.io/tls", "data": {"tls.crt": "", "tls.key": ""}}
    t = table("secrets", [sec])
    assert header(t) == ["NAME", "TYPE", "DATA", "AGE"] and t["rows"][0]["cells"] == ["tls", "kubernetes.io/tls", 2,
                                                                                       "5m"]
    sa = {"metadata": meta("default")}
    t = table("serviceaccounts", [sa])
    assert header(t) == ["NAME", "SECRETS", "AGE"] and t["rows"][0]["cells"] == ["default", 0, "5m"]


def test_events():
    ev = {"metadata": meta("web-1.17f0", age=100), "involvedObject": {"kind": "Pod", "name": "web-1",
                                                                       "fieldPath": "spec.containers{c}"},
          "reason": "Pulled", "message": "Successfully pulled image \"nginx\"\n", "type": "Normal",
          "source": {"component": "kubelet", "host": "node-1"}, "firstTimestamp": ago(100),
          "lastTimestamp": ago(40), "count": 2}
    t = table("events", [ev])
    assert header(t) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"]
    assert header(t, wide=True) == ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE", "MESSAGE",
                                    "FIRST SEEN", "COUNT", "NAME"]
    assert t["rows"][0]["cells"] == ["40s", "Normal", "Pulled", "pod/web-1", "spec.containers{c}",
                                     "kubelet, node-1", 'Successfully pulled image "nginx"', "100s", 2, "web-1.17f0"]
    new_style = {"metadata": meta("x", age=5), "eventTime": "2026-03-01T11:59:55.000000Z", "type": "Normal",
                 "reason": "Scheduled", "message": "assigned", "reportingComponent": "default-scheduler",
                 "involvedObject": {"kind": "Pod", "name": "web-1"}}
    assert cells("events", new_style)[:9] == ["5s", "Normal", "Scheduled", "pod/web-1", "", "default-scheduler",
                                              "assigned", "5s", 1]


def test_events_k8s_io_events_print_like_core_events():
    ev = {"metadata": meta("x", age=5), "eventTime": "2026-03-01T11:59:55.000000Z", "type": "Warning",
          "reason": "BackOff", "note": "Back-off restarting", "reportingController": "kubelet",
          "reportingInstance": "node-1", "regarding": {"kind": "Pod", "name": "web-1"},
          "series": {"count": 7, "lastObservedTime": "2026-03-01T11:59:58.000000Z"}}
    assert cells("events", ev, "events.k8s.io") == ["2s", "Warning", "BackOff", "pod/web-1", "", "kubelet, node-1",
                                                    "Back-off restarting", "5s", 7, "x"]


def test_endpoints_and_endpoint_slices():
    ep = {"metadata": meta("web"), "subsets": [{"addresses": [{"ip": f"10.0.0.{i}"} for i in range(1, 5)],
                                                "ports": [{"port": 80}]}]}
    t = table("endpoints", [ep])
    assert header(t) == ["NAME", "ENDPOINTS", "AGE"]
    assert t["rows"][0]["cells"][1] == "10.0.0.1:80,10.0.0.2:80,10.0.0.3:80 + 1 more..."
    assert cells("endpoints", {"metadata": meta("none")})[1] == "<none>"
    sl = {"metadata": meta("web-abc"), "addressType": "IPv4", "ports": [{"port": 80, "name": "http"}],
          "endpoints": [{"addresses": ["10.0.0.1"]}, {"addresses": ["10.0.0.2"]}]}
    t = table("endpointslices", [sl], "discovery.k8s.io")
    assert header(t) == ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"]
    assert t["rows"][0]["cells"] == ["web-abc", "IPv4", "80", "10.0.0.1,10.0.0.2", "5m"]
    assert cells("endpointslices", {"metadata": meta("e"), "addressType": "IPv4"}, "discovery.k8s.io")[2:4] == [
        "<unset>", "<unset>"]


def test_leases():
    lease = {"metadata": meta("node-1", namespace="kube-node-lease"), "spec": {"holderIdentity": "node-1"}}
    t = table("leases", [lease], "coordination.k8s.io")
    assert header(t) == ["NAME", "HOLDER", "AGE"] and t["rows"][0]["cells"] == ["node-1", "node-1", "5m"]


# --- workloads --------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "web"}},
            "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}, {"name": "log", "image": "busybox"}]}}


def test_deployments():
    d = {"metadata": meta("web", age=600), "spec": {"replicas": 3, "selector": {"matchLabels": {"app": "web"}},
                                                    "template": TEMPLATE},
         "status": {"replicas": 3, "readyReplicas": 2, "updatedReplicas": 3, "availableReplicas": 2}}
    t = table("deployments", [d], "apps")
    assert header(t) == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    assert header(t, wide=True)[5:] == ["CONTAINERS", "IMAGES", "SELECTOR"]
    assert t["rows"][0]["cells"] == ["web", "2/3", 3, 2, "10m", "nginx,log", "nginx:1.27,busybox", "app=web"]
    fresh = {"metadata": meta("new", age=1), "spec": {"replicas": 1, "template": TEMPLATE}}
    assert cells("deployments", fresh, "apps")[1:4] == ["0/1", 0, 0]


def test_replicasets_statefulsets_daemonsets():
    rs = {"metadata": meta("web-5d4f"), "spec": {"replicas": 2, "template": TEMPLATE, "selector": {
        "matchLabels": {"app": "web"}, "matchExpressions": [{"key": "tier", "operator": "In",
                                                             "values": ["fe", "be"]}]}},
          "status": {"replicas": 2, "readyReplicas": 1}}
    t = table("replicasets", [rs], "apps")
    assert header(t) == ["NAME", "DESIRED", "CURRENT", "READY", "AGE"]
    assert t["rows"][0]["cells"] == ["web-5d4f", 2, 2, 1, "5m", "nginx,log", "nginx:1.27,busybox",
                                     "app=web,tier in (be,fe)"]
    sts = {"metadata": meta("db"), "spec": {"replicas": 3, "template": TEMPLATE}, "status": {"readyReplicas": 3}}
    t = table("statefulsets", [sts], "apps")
    assert header(t) == ["NAME", "READY", "AGE"] and t["rows"][0]["cells"][:3] == ["db", "3/3", "5m"]
    ds = {"metadata": meta("fluentd"), "spec": {"selector": {"matchLabels": {"app": "fluentd"}}, "template": {
        "spec": {"nodeSelector": {"kubernetes.io/os": "linux"}, "containers": [{"name": "f", "image": "fluentd"}]}}},
          "status": {"desiredNumberScheduled": 2, "currentNumberScheduled": 2, "numberReady": 1,
                     "updatedNumberScheduled": 2, "numberAvailable": 1}}
    t = table("daemonsets", [ds], "apps")
    assert header(t) == ["NAME", "DESIRED", "CURRENT", "READY", "UP-TO-DATE", "AVAILABLE", "NODE SELECTOR", "AGE"]
    assert t["rows"][0]["cells"] == ["fluentd", 2, 2, 1, 2, 1, "kubernetes.io/os=linux", "5m", "f", "fluentd",
                                     "app=fluentd"]


def test_jobs_and_cronjobs():
    t = table("jobs", [], "batch")
    assert header(t) == ["NAME", "STATUS", "COMPLETIONS", "DURATION", "AGE"]
    done = {"metadata": meta("pi", age=400), "spec": {"completions": 1, "template": TEMPLATE,
                                                      "selector": {"matchLabels": {"job": "pi"}}},
            "status": {"succeeded": 1, "startTime": ago(400), "completionTime": ago(355),
                       "conditions": [{"type": "SuccessCriteriaMet", "status": "True"},
                                      {"type": "Complete", "status": "True"}]}}
    assert cells("jobs", done, "batch")[:5] == ["pi", "Complete", "1/1", "45s", "6m40s"]
    running = {"metadata": meta("w", age=200), "spec": {"parallelism": 3}, "status": {"startTime": ago(130)}}
    assert cells("jobs", running, "batch")[:5] == ["w", "Running", "0/1 of 3", "2m10s", "3m20s"]
    failed = {"metadata": meta("f"), "spec": {"completions": 2},
              "status": {"failed": 1, "conditions": [{"type": "Failed", "status": "True"}]}}
    assert cells("jobs", failed, "batch")[1:4] == ["Failed", "0/2", ""]
    cj = {"metadata": meta("nightly", age=86400), "spec": {"schedule": "0 1 * * *", "suspend": False,
                                                           "jobTemplate": {"spec": {"template": TEMPLATE}}},
          "status": {"active": [{"name": "nightly-1"}], "lastScheduleTime": ago(3600)}}
    t = table("cronjobs", [cj], "batch")
    assert header(t) == ["NAME", "SCHEDULE", "TIMEZONE", "SUSPEND", "ACTIVE", "LAST SCHEDULE", "AGE"]
    assert t["rows"][0]["cells"][:7] == ["nightly", "0 1 * * *", "<none>", "False", 1, "60m", "24h"]


def test_controller_revisions_and_hpas_and_pdbs():
    cr = {"metadata": meta("fluentd-7b9", ownerReferences=[{"apiVersion": "apps/v1", "kind": "DaemonSet",
                                                            "name": "fluentd", "controller": True}]),
          "revision": 2}
    t = table("controllerrevisions", [cr], "apps")
    assert header(t) == ["NAME", "CONTROLLER", "REVISION", "AGE"]
    assert t["rows"][0]["cells"] == ["fluentd-7b9", "daemonset.apps/fluentd", 2, "5m"]
    hpa = {"metadata": meta("web"), "spec": {
        "scaleTargetRef": {"kind": "Deployment", "name": "web"}, "minReplicas": 1, "maxReplicas": 10,
        "metrics": [{"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization",
                                                                                "averageUtilization": 50}}}]},
           "status": {"currentReplicas": 2}}
    t = table("horizontalpodautoscalers", [hpa], "autoscaling")
    assert header(t) == ["NAME", "REFERENCE", "TARGETS", "MINPODS", "MAXPODS", "REPLICAS", "AGE"]
    assert t["rows"][0]["cells"] == ["web", "Deployment/web", "cpu: <unknown>/50%", "1", 10, 2, "5m"]
    hpa["status"]["currentMetrics"] = [{"type": "Resource", "resource": {"name": "cpu", "current": {
        "averageUtilization": 23, "averageValue": "115m"}}}]
    assert cells("horizontalpodautoscalers", hpa, "autoscaling")[2] == "cpu: 23%/50%"
    pdb = {"metadata": meta("web"), "spec": {"minAvailable": "50%"}, "status": {"disruptionsAllowed": 1}}
    t = table("poddisruptionbudgets", [pdb], "policy")
    assert header(t) == ["NAME", "MIN AVAILABLE", "MAX UNAVAILABLE", "ALLOWED DISRUPTIONS", "AGE"]
    assert t["rows"][0]["cells"] == ["web", "50%", "N/A", 1, "5m"]


# --- storage, policy, RBAC, networking --------------------------------------


def test_storage():
    sc = {"metadata": meta("standard", namespace=None, annotations={
        "storageclass.kubernetes.io/is-default-class": "true"}), "provisioner": "rancher.io/local-path",
          "volumeBindingMode": "WaitForFirstConsumer"}
    t = table("storageclasses", [sc], "storage.k8s.io")
    assert header(t) == ["NAME", "PROVISIONER", "RECLAIMPOLICY", "VOLUMEBINDINGMODE", "ALLOWVOLUMEEXPANSION", "AGE"]
    assert t["rows"][0]["cells"] == ["standard (default)", "rancher.io/local-path", "Delete",
                                     "WaitForFirstConsumer", False, "5m"]
    pv = {"metadata": meta("pv-1", namespace=None), "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteMany", "ReadWriteOnce"],
        "persistentVolumeReclaimPolicy": "Retain", "storageClassName": "standard",
        "claimRef": {"namespace": "default", "name": "data"}, "volumeMode": "Filesystem"},
          "status": {"phase": "Bound"}}
    t = table("persistentvolumes", [pv])
    assert header(t) == ["NAME", "CAPACITY", "ACCESS MODES", "RECLAIM POLICY", "STATUS", "CLAIM", "STORAGECLASS",
                         "VOLUMEATTRIBUTESCLASS", "REASON", "AGE"]
    assert t["rows"][0]["cells"] == ["pv-1", "1Gi", "RWO,RWX", "Retain", "Bound", "default/data", "standard",
                                     "<unset>", "", "5m", "Filesystem"]
    pvc = {"metadata": meta("data"), "spec": {"storageClassName": "standard", "volumeName": "pv-1",
                                              "resources": {"requests": {"storage": "500Mi"}}},
           "status": {"phase": "Bound", "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"]}}
    t = table("persistentvolumeclaims", [pvc])
    assert header(t) == ["NAME", "STATUS", "VOLUME", "CAPACITY", "ACCESS MODES", "STORAGECLASS",
                         "VOLUMEATTRIBUTESCLASS", "AGE"]
    assert t["rows"][0]["cells"] == ["data", "Bound", "pv-1", "1Gi", "RWO", "standard", "<unset>", "5m", "<unset>"]
    pending = {"metadata": meta("new"), "spec": {"storageClassName": "standard"}, "status": {"phase": "Pending"}}
    assert cells("persistentvolumeclaims", pending)[:6] == ["new", "Pending", "", "", "", "standard"]


def test_quota_priorityclass_bindings_ingress_networkpolicy():
    quota = {"metadata": meta("compute"), "status": {
        "hard": {"requests.cpu": "1", "limits.memory": "2Gi", "pods": "10", "limits.cpu": "2"},
        "used": {"requests.cpu": "250m", "pods": "3"}}}
    t = table("resourcequotas", [quota])
    assert header(t) == ["NAME", "REQUEST", "LIMIT", "AGE"]
    assert t["rows"][0]["cells"] == ["compute", "pods: 3/10, requests.cpu: 250m/1",
                                     "limits.cpu: 0/2, limits.memory: 0/2Gi", "5m"]
    pc = {"metadata": meta("high", namespace=None), "value": 1000000, "globalDefault": False,
          "preemptionPolicy": "PreemptLowerPriority"}
    t = table("priorityclasses", [pc], "scheduling.k8s.io")
    assert header(t) == ["NAME", "VALUE", "GLOBAL-DEFAULT", "AGE", "PREEMPTIONPOLICY"]  # not a wide column
    assert t["rows"][0]["cells"] == ["high", 1000000, False, "5m", "PreemptLowerPriority"]
    rb = {"metadata": meta("read"), "roleRef": {"kind": "ClusterRole", "name": "view"},
          "subjects": [{"kind": "User", "name": "jane"}, {"kind": "ServiceAccount", "name": "ci", "namespace": "ci"},
                       {"kind": "Group", "name": "devs"}, {"kind": "User", "name": "bob"}]}
    t = table("rolebindings", [rb], "rbac.authorization.k8s.io")
    assert header(t, wide=True) == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert t["rows"][0]["cells"] == ["read", "ClusterRole/view", "5m", "jane, bob", "devs", "ci/ci"]
    ing = {"metadata": meta("web"), "spec": {"ingressClassName": "nginx", "rules": [{"host": "a.example.com"},
                                                                                  {"host": "b.example.com"}],
                                             "tls": [{"hosts": ["a.example.com"]}]},
           "status": {"loadBalancer": {"ingress": [{"ip": "172.18.0.5"}]}}}
    t = table("ingresses", [ing], "networking.k8s.io")
    assert header(t) == ["NAME", "CLASS", "HOSTS", "ADDRESS", "PORTS", "AGE"]
    assert t["rows"][0]["cells"] == ["web", "nginx", "a.example.com,b.example.com", "172.18.0.5", "80, 443", "5m"]
    assert cells("ingresses", {"metadata": meta("x"), "spec": {"rules": [{}]}}, "networking.k8s.io")[1:5] == [
        "<none>", "*", "", "80"]
    np = {"metadata": meta("deny"), "spec": {"podSelector": {}}}
    t = table("networkpolicies", [np], "networking.k8s.io")
    assert header(t) == ["NAME", "POD-SELECTOR", "AGE"] and t["rows"][0]["cells"] == ["deny", "<none>", "5m"]


def test_default_table_convertor_for_roles_and_limitranges():
    role = {"metadata": meta("reader", namespace="default"), "rules": []}
    for plural, group in (("roles", "rbac.authorization.k8s.io"), ("clusterroles", "rbac.authorization.k8s.io"),
                          ("limitranges", "")):
        t = table(plural, [role], group)
        assert [(c["name"], c["type"], c["format"]) for c in t["columnDefinitions"]] == [
            ("Name", "string", "name"), ("Created At", "date", "")]
        assert t["rows"][0]["cells"] == ["reader", "2026-03-01T11:55:00Z"]


# --- the real kubectl prints our Tables -------------------------------------


KUBECTL = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                       ".venv", "bin", "kubectl")

API_RESOURCES = {
    "kind": "APIResourceList", "groupVersion": "v1",
    "resources": [
        {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
         "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"], "shortNames": ["ns"]},
        {"name": "pods", "singularName": "pod", "namespaced": True, "kind": "Pod",
         "verbs": ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
         "shortNames": ["po"], "categories": ["all"]},
    ],
}


class _TableServer(BaseHTTPRequestHandler):
    pods: list = []

    def log_message(self, *args):
        pass

    def _send(self, body: dict, content_type: str = "application/json"):
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        path = self.path.split("?")[0]
        if path == "/api":
            return self._send({"kind": "APIVersions", "versions": ["v1"]})
        if path == "/apis":
            return self._send({"kind": "APIGroupList", "apiVersion": "v1", "groups": []})
        if path == "/api/v1":
            return self._send(API_RESOURCES)
        if path == "/api/v1/namespaces/default/pods" and "as=Table" in self.headers.get("Accept", ""):
            t = to_table(info("pods"), self.pods, NOW)
            t["metadata"]["resourceVersion"] = "42"
            return self._send(t, "application/json;as=Table;v=v1;g=meta.k8s.io")
        self.send_response(404)
        self.end_headers()


@pytest.fixture()
def kubectl():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _TableServer)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with tempfile.TemporaryDirectory() as home:
        config = os.path.join(home, "kubeconfig")
        with open(config, "w") as f:
            f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: sim
  cluster: {{server: "http://127.0.0.1:{server.server_address[1]}"}}
contexts:
- name: sim
  context: {{cluster: sim, user: learner, namespace: default}}
current-context: sim
users:
- name: learner
  user: {{token: x}}
""")

        def run(*args):
            env = {"HOME": home, "PATH": os.environ.get("PATH", "")}
            return subprocess.run([KUBECTL, "--kubeconfig", config, *args], capture_output=True, text=True,
                                  env=env, timeout=30)
        yield run
    server.shutdown()
    server.server_close()


def test_real_kubectl_prints_our_columns(kubectl):
    crash = {"name": "c", "ready": False, "restartCount": 3, "state": {"waiting": {"reason": "CrashLoopBackOff"}},
             "lastState": {"terminated": {"exitCode": 1, "reason": "Error", "finishedAt": ago(25)}}}
    _TableServer.pods = [pod("web-1", statuses=[RUNNING], conditions=[{"type": "Ready", "status": "True"}]),
                         pod("api-7", statuses=[crash], age=7200)]
    r = kubectl("get", "pods")
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "NAME    READY   STATUS             RESTARTS      AGE\n"
        "web-1   1/1     Running            0             5m\n"
        "api-7   0/1     CrashLoopBackOff   3 (25s ago)   120m\n")
    r = kubectl("get", "pods", "-o", "wide")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == ("NAME    READY   STATUS             RESTARTS      AGE    IP           NODE     "
                                        "NOMINATED NODE   READINESS GATES")
    assert r.stdout.splitlines()[1] == ("web-1   1/1     Running            0             5m     10.244.1.5   node-1   "
                                        "<none>           <none>")
