"""Tests for kernelsim.api.defaults: what `kubectl get -o yaml` shows after a create.

Each expected object is what a real v1.37 cluster returns for the same input,
minus the fields that other parts of the apiserver own (uid, resourceVersion,
creationTimestamp, managedFields, the service-account token volume, the
allocated clusterIP).
"""

import copy

import pytest

from kernelsim.api.defaults import apply_defaults, canonical_quantity, image_tag, pod_qos_class
from kernelsim.api.resources import by_api_version_kind

UID = "0d3c8a52-7d1e-4b1e-9a7e-3f2f9b6d9c11"


def info_for(obj):
    return by_api_version_kind(obj["apiVersion"], obj["kind"])


def defaulted(obj, create=True):
    out = copy.deepcopy(obj)
    apply_defaults(out, info_for(out), create=create)
    return out


def kubectl_run_nginx():
    """The body `kubectl run nginx --image=nginx` sends."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "nginx", "namespace": "default", "labels": {"run": "nginx"}},
        "spec": {"containers": [{"name": "nginx", "image": "nginx", "resources": {}}],
                 "dnsPolicy": "ClusterFirst", "restartPolicy": "Always"},
        "status": {},
    }


# --- Pod ---------------------------------------------------------------------

def test_kubectl_run_nginx_pod_matches_real_cluster():
    pod = defaulted(kubectl_run_nginx())
    assert pod["spec"] == {
        "containers": [{
            "image": "nginx",
            "imagePullPolicy": "Always",
            "name": "nginx",
            "resources": {},
            "terminationMessagePath": "/dev/termination-log",
            "terminationMessagePolicy": "File",
        }],
        "dnsPolicy": "ClusterFirst",
        "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "priority": 0,
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "serviceAccount": "default",
        "serviceAccountName": "default",
        "terminationGracePeriodSeconds": 30,
        "tolerations": [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists",
             "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists",
             "tolerationSeconds": 300},
        ],
    }
    assert pod["status"] == {"phase": "Pending", "qosClass": "BestEffort"}
    assert pod["metadata"] == {"name": "nginx", "namespace": "default", "labels": {"run": "nginx"}}


@pytest.mark.parametrize("image, policy", [
    ("nginx", "Always"),
    ("nginx:latest", "Always"),
    ("nginx:1.27", "IfNotPresent"),
    ("registry.k8s.io/pause:3.10", "IfNotPresent"),
    ("localhost:5000/app", "Always"),
    ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
    ("nginx:1.27@sha256:" + "a" * 64, "IfNotPresent"),
])
def test_image_pull_policy_follows_the_tag(image, policy):
    pod = kubectl_run_nginx()
    pod["spec"]["containers"][0]["image"] = image
    assert defaulted(pod)["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_image_tag_parsing():
    assert image_tag("busybox") == "latest"
    assert image_tag("docker.io/library/busybox:1.36") == "1.36"
    assert image_tag("Not/Valid") == ""


def test_container_ports_probes_env_and_lifecycle():
    pod = kubectl_run_nginx()
    pod["spec"]["containers"][0].update({
        "ports": [{"containerPort": 80}, {"containerPort": 53, "protocol": "UDP"}],
        "livenessProbe": {"httpGet": {"port": 80}},
        "readinessProbe": {"tcpSocket": {"port": 80}, "periodSeconds": 5},
        "startupProbe": {"grpc": {"port": 9090}},
        "env": [{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
                {"name": "PLAIN", "value": "x"}],
        "lifecycle": {"preStop": {"httpGet": {"port": 8080, "path": "/quit"}}},
    })
    pod["spec"]["initContainers"] = [{"name": "init", "image": "busybox:1.36", "ports": [{"containerPort": 1}]}]
    c = defaulted(pod)["spec"]["containers"][0]
    assert c["ports"] == [{"containerPort": 80, "protocol": "TCP"}, {"containerPort": 53, "protocol": "UDP"}]
    assert c["livenessProbe"] == {"httpGet": {"port": 80, "path": "/", "scheme": "HTTP"}, "timeoutSeconds": 1,
                                  "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}
    assert c["readinessProbe"]["periodSeconds"] == 5
    assert c["startupProbe"]["grpc"] == {"port": 9090, "service": ""}
    assert c["env"][0]["valueFrom"]["fieldRef"] == {"fieldPath": "spec.nodeName", "apiVersion": "v1"}
    assert c["env"][1] == {"name": "PLAIN", "value": "x"}
    assert c["lifecycle"]["preStop"]["httpGet"] == {"port": 8080, "path": "/quit", "scheme": "HTTP"}
    init = defaulted(pod)["spec"]["initContainers"][0]
    assert init["imagePullPolicy"] == "IfNotPresent"
    assert init["terminationMessagePath"] == "/dev/termination-log"
    assert init["ports"][0]["protocol"] == "TCP"


def test_requests_default_to_limits_and_quantities_are_canonical():
    pod = kubectl_run_nginx()
    pod["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "0.5", "memory": "1.5Gi"}}
    out = defaulted(pod)
    assert out["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "1536Mi"},
        "requests": {"cpu": "500m", "memory": "1536Mi"},
    }
    assert out["status"]["qosClass"] == "Guaranteed"


def test_explicit_requests_are_kept_when_limits_are_set():
    pod = kubectl_run_nginx()
    pod["spec"]["containers"][0]["resources"] = {"limits": {"cpu": "1", "memory": "256Mi"},
                                                 "requests": {"cpu": "100m"}}
    out = defaulted(pod)
    assert out["spec"]["containers"][0]["resources"]["requests"] == {"cpu": "100m", "memory": "256Mi"}
    assert out["status"]["qosClass"] == "Burstable"


@pytest.mark.parametrize("text, expected", [
    ("1000m", "1"), ("0.1", "100m"), ("2048Mi", "2Gi"), ("1000", "1k"), ("1e3", "1e3"),
    ("0.0001", "1m"), ("512Mi", "512Mi"), (2, "2"), ("bogus", "bogus"),
])
def test_canonical_quantity(text, expected):
    assert canonical_quantity(text, round_to_milli=True) == expected


def test_volume_defaults():
    pod = kubectl_run_nginx()
    pod["spec"]["volumes"] = [
        {"name": "scratch"},
        {"name": "cfg", "configMap": {"name": "app"}},
        {"name": "creds", "secret": {"secretName": "app", "defaultMode": 256}},
        {"name": "host", "hostPath": {"path": "/var/log"}},
        {"name": "info", "downwardAPI": {"items": [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}}]}},
        {"name": "token", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}},
        {"name": "claim", "ephemeral": {"volumeClaimTemplate": {"spec": {"accessModes": ["ReadWriteOnce"]}}}},
    ]
    volumes = {v["name"]: v for v in defaulted(pod)["spec"]["volumes"]}
    assert volumes["scratch"] == {"name": "scratch", "emptyDir": {}}
    assert volumes["cfg"]["configMap"] == {"name": "app", "defaultMode": 420}
    assert volumes["creds"]["secret"]["defaultMode"] == 256
    assert volumes["host"]["hostPath"] == {"path": "/var/log", "type": ""}
    assert volumes["info"]["downwardAPI"]["defaultMode"] == 420
    assert volumes["info"]["downwardAPI"]["items"][0]["fieldRef"]["apiVersion"] == "v1"
    assert volumes["token"]["projected"] == {
        "defaultMode": 420, "sources": [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]}
    assert volumes["claim"]["ephemeral"]["volumeClaimTemplate"]["spec"]["volumeMode"] == "Filesystem"


def test_pod_user_values_are_never_overwritten():
    pod = kubectl_run_nginx()
    pod["spec"].update({
        "restartPolicy": "Never", "dnsPolicy": "Default", "schedulerName": "my-scheduler",
        "terminationGracePeriodSeconds": 0, "enableServiceLinks": False,
        "securityContext": {"runAsUser": 1000}, "serviceAccountName": "builder",
        "tolerations": [{"operator": "Exists"}], "priorityClassName": "system-node-critical",
    })
    pod["spec"]["containers"][0].update({
        "imagePullPolicy": "Never", "terminationMessagePath": "/tmp/log",
        "terminationMessagePolicy": "FallbackToLogsOnError"})
    pod["status"] = {"phase": "Running", "qosClass": "Burstable"}
    out = defaulted(pod)
    spec = out["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["schedulerName"]) == ("Never", "Default", "my-scheduler")
    assert spec["terminationGracePeriodSeconds"] == 0
    assert spec["enableServiceLinks"] is False
    assert spec["securityContext"] == {"runAsUser": 1000}
    assert (spec["serviceAccountName"], spec["serviceAccount"]) == ("builder", "builder")
    assert spec["tolerations"] == [{"operator": "Exists"}]  # already tolerates every taint
    assert spec["priority"] == 2000001000
    container = spec["containers"][0]
    assert container["imagePullPolicy"] == "Never"
    assert container["terminationMessagePath"] == "/tmp/log"
    assert container["terminationMessagePolicy"] == "FallbackToLogsOnError"
    assert out["status"] == {"phase": "Running", "qosClass": "Burstable"}


def test_custom_priority_class_is_left_to_the_apiserver_lookup():
    pod = kubectl_run_nginx()
    pod["spec"]["priorityClassName"] = "high"
    spec = defaulted(pod)["spec"]
    assert "priority" not in spec and "preemptionPolicy" not in spec


def test_host_network_defaults_host_ports():
    pod = kubectl_run_nginx()
    pod["spec"]["hostNetwork"] = True
    pod["spec"]["containers"][0]["ports"] = [{"containerPort": 8080}]
    assert defaulted(pod)["spec"]["containers"][0]["ports"] == [
        {"containerPort": 8080, "hostPort": 8080, "protocol": "TCP"}]


# --- QoS ---------------------------------------------------------------------

def container(requests=None, limits=None):
    resources = {}
    if requests:
        resources["requests"] = requests
    if limits:
        resources["limits"] = limits
    return {"name": "c", "image": "x", "resources": resources}


@pytest.mark.parametrize("containers, expected", [
    ([container()], "BestEffort"),
    ([container({"cpu": "100m"})], "Burstable"),
    ([container({"cpu": "1", "memory": "1Gi"}, {"cpu": "1000m", "memory": "1024Mi"})], "Guaranteed"),
    ([container({"cpu": "1"}, {"cpu": "1"})], "Burstable"),  # memory not set
    ([container({"cpu": "1", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"}), container()], "Burstable"),
    ([container({"ephemeral-storage": "1Gi"})], "BestEffort"),  # only cpu and memory count
])
def test_pod_qos_class(containers, expected):
    assert pod_qos_class({"containers": containers}) == expected


def test_pod_qos_class_counts_init_containers_and_pod_level_resources():
    guaranteed = container({"cpu": "1", "memory": "1Gi"}, {"cpu": "1", "memory": "1Gi"})
    assert pod_qos_class({"containers": [guaranteed], "initContainers": [container()]}) == "Burstable"
    pod_level = {"resources": {"requests": {"cpu": "1", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
                 "containers": [container()]}
    assert pod_qos_class(pod_level) == "Guaranteed"


# --- Service -----------------------------------------------------------------

def kubectl_expose_service(**spec):
    body = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "default"},
            "spec": {"ports": [{"port": 80}], "selector": {"app": "web"}}}
    body["spec"].update(spec)
    return body


def test_cluster_ip_service():
    svc = defaulted(kubectl_expose_service())
    assert svc["spec"] == {
        "internalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
        "ports": [{"port": 80, "protocol": "TCP", "targetPort": 80}],
        "selector": {"app": "web"},
        "sessionAffinity": "None",
        "type": "ClusterIP",
    }
    assert svc["status"] == {"loadBalancer": {}}


def test_node_port_and_load_balancer_services():
    node_port = defaulted(kubectl_expose_service(type="NodePort"))["spec"]
    assert node_port["externalTrafficPolicy"] == "Cluster"
    assert "allocateLoadBalancerNodePorts" not in node_port
    lb = defaulted(kubectl_expose_service(type="LoadBalancer"))
    assert lb["spec"]["externalTrafficPolicy"] == "Cluster"
    assert lb["spec"]["allocateLoadBalancerNodePorts"] is True
    lb["status"] = {"loadBalancer": {"ingress": [{"ip": "203.0.113.10"}]}}
    apply_defaults(lb, info_for(lb), create=False)
    assert lb["status"]["loadBalancer"]["ingress"] == [{"ip": "203.0.113.10", "ipMode": "VIP"}]


def test_service_named_target_port_client_ip_affinity_and_user_values():
    svc = defaulted(kubectl_expose_service(
        ports=[{"port": 80, "targetPort": "http", "protocol": "UDP"}], sessionAffinity="ClientIP",
        internalTrafficPolicy="Local"))["spec"]
    assert svc["ports"] == [{"port": 80, "targetPort": "http", "protocol": "UDP"}]
    assert svc["sessionAffinityConfig"] == {"clientIP": {"timeoutSeconds": 10800}}
    assert svc["internalTrafficPolicy"] == "Local"


def test_headless_and_external_name_services():
    headless = defaulted(kubectl_expose_service(clusterIP="None"))["spec"]
    assert headless["clusterIPs"] == ["None"]
    assert (headless["ipFamilyPolicy"], headless["ipFamilies"]) == ("SingleStack", ["IPv4"])
    selectorless = kubectl_expose_service(clusterIP="None")
    del selectorless["spec"]["selector"]
    spec = defaulted(selectorless)["spec"]
    assert (spec["ipFamilyPolicy"], spec["ipFamilies"]) == ("RequireDualStack", ["IPv4", "IPv6"])
    external = defaulted(kubectl_expose_service(type="ExternalName", externalName="example.com"))["spec"]
    for key in ("ipFamilies", "ipFamilyPolicy", "internalTrafficPolicy", "externalTrafficPolicy"):
        assert key not in external


# --- Other core kinds ---------------------------------------------------------

def test_namespace():
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    assert ns == {"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": "dev", "labels": {"kubernetes.io/metadata.name": "dev"}},
                  "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}


def test_namespace_finalizer_is_not_added_back_on_update():
    ns = defaulted({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}})
    ns["metadata"]["resourceVersion"] = "42"
    ns["spec"]["finalizers"] = []
    ns["status"]["phase"] = "Terminating"
    apply_defaults(ns, info_for(ns))  # inferred: an update, because it has a resourceVersion
    assert ns["spec"]["finalizers"] == []
    assert ns["status"]["phase"] == "Terminating"


def test_secret_service_account_config_map():
    assert defaulted({"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}})["type"] == "Opaque"
    tls = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls"}
    assert defaulted(tls)["type"] == "kubernetes.io/tls"
    sa = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder", "namespace": "default"}}
    assert defaulted(sa) == sa
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
    assert defaulted(cm) == cm


def test_persistent_volume_claim_and_volume():
    pvc = defaulted({"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": "data"},
                     "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1024Mi"}}}})
    assert pvc["spec"]["volumeMode"] == "Filesystem"
    assert pvc["spec"]["resources"]["requests"] == {"storage": "1Gi"}
    assert pvc["status"] == {"phase": "Pending"}
    pv = defaulted({"apiVersion": "v1", "kind": "PersistentVolume", "metadata": {"name": "pv1"},
                    "spec": {"capacity": {"storage": "5Gi"}, "accessModes": ["ReadWriteOnce"],
                             "hostPath": {"path": "/data"}}})
    assert pv["spec"]["persistentVolumeReclaimPolicy"] == "Retain"
    assert pv["spec"]["volumeMode"] == "Filesystem"
    assert pv["spec"]["hostPath"] == {"path": "/data", "type": ""}
    assert pv["status"] == {"phase": "Pending"}


def test_endpoints_endpoint_slice_and_node():
    ep = defaulted({"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
                    "subsets": [{"addresses": [{"ip": "10.244.1.5"}], "ports": [{"port": 80}]}]})
    assert ep["subsets"][0]["ports"] == [{"port": 80, "protocol": "TCP"}]
    eps = defaulted({"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "web-x"},
                     "addressType": "IPv4", "endpoints": [], "ports": [{"port": 80}]})
    assert eps["ports"] == [{"port": 80, "name": "", "protocol": "TCP"}]
    node = defaulted({"apiVersion": "v1", "kind": "Node", "metadata": {"name": "worker-1"},
                      "status": {"capacity": {"cpu": "2", "memory": "4096Mi", "pods": "110"}}})
    assert node["status"]["allocatable"] == {"cpu": "2", "memory": "4Gi", "pods": "110"}


# --- apps/v1 -----------------------------------------------------------------

def pod_template(labels):
    return {"metadata": {"labels": labels}, "spec": {"containers": [{"name": "nginx", "image": "nginx:1.27"}]}}


def expected_template_spec():
    return {
        "containers": [{"name": "nginx", "image": "nginx:1.27", "imagePullPolicy": "IfNotPresent",
                        "resources": {}, "terminationMessagePath": "/dev/termination-log",
                        "terminationMessagePolicy": "File"}],
        "dnsPolicy": "ClusterFirst", "restartPolicy": "Always", "schedulerName": "default-scheduler",
        "securityContext": {}, "terminationGracePeriodSeconds": 30,
    }


def test_deployment_kubectl_create_deployment():
    deploy = defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                        "spec": {"selector": {"matchLabels": {"app": "web"}},
                                 "template": pod_template({"app": "web"})}})
    spec = deploy["spec"]
    assert spec["replicas"] == 1
    assert spec["strategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["progressDeadlineSeconds"] == 600
    # Templates get the PodSpec defaults but not the Pod-only ones (enableServiceLinks, admission).
    assert spec["template"]["spec"] == expected_template_spec()
    assert deploy["status"] == {}


def test_deployment_recreate_and_user_values():
    deploy = defaulted({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
                        "spec": {"replicas": 0, "strategy": {"type": "Recreate"}, "revisionHistoryLimit": 2,
                                 "selector": {"matchLabels": {"app": "web"}},
                                 "template": pod_template({"app": "web"})}})
    assert deploy["spec"]["replicas"] == 0
    assert deploy["spec"]["strategy"] == {"type": "Recreate"}
    assert deploy["spec"]["revisionHistoryLimit"] == 2


def test_replica_set_daemon_set_stateful_set():
    rs = defaulted({"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                    "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": pod_template({"app": "web"})}})
    assert rs["spec"]["replicas"] == 1
    assert rs["status"] == {"replicas": 0}
    ds = defaulted({"apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": {"name": "agent"},
                    "spec": {"selector": {"matchLabels": {"app": "a"}}, "template": pod_template({"app": "a"})}})
    assert ds["spec"]["updateStrategy"] == {"type": "RollingUpdate",
                                            "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert ds["spec"]["revisionHistoryLimit"] == 10
    assert ds["spec"]["template"]["spec"] == expected_template_spec()
    sts = defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                     "spec": {"serviceName": "db", "selector": {"matchLabels": {"app": "db"}},
                              "template": pod_template({"app": "db"}),
                              "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {
                                  "accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}}]}})
    spec = sts["spec"]
    assert spec["replicas"] == 1
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert spec["revisionHistoryLimit"] == 10
    assert spec["persistentVolumeClaimRetentionPolicy"] == {"whenDeleted": "Retain", "whenScaled": "Retain"}
    claim = spec["volumeClaimTemplates"][0]
    assert claim["spec"]["volumeMode"] == "Filesystem"
    assert claim["status"] == {"phase": "Pending"}
    on_delete = defaulted({"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
                           "spec": {"updateStrategy": {"type": "OnDelete"}, "template": pod_template({})}})
    assert on_delete["spec"]["updateStrategy"] == {"type": "OnDelete"}


# --- batch/v1 ----------------------------------------------------------------

def kubectl_create_job():
    """The body `kubectl create job pi --image=perl:5.34` sends (command left out)."""
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": "pi", "namespace": "default", "uid": UID},
            "spec": {"template": {"metadata": {}, "spec": {
                "containers": [{"name": "pi", "image": "perl:5.34", "resources": {}}],
                "restartPolicy": "Never"}}}}


def test_job_defaults_and_generated_selector():
    job = defaulted(kubectl_create_job())
    generated = {"batch.kubernetes.io/controller-uid": UID, "batch.kubernetes.io/job-name": "pi",
                 "controller-uid": UID, "job-name": "pi"}
    spec = job["spec"]
    assert {k: spec[k] for k in ("backoffLimit", "completionMode", "completions", "manualSelector",
                                  "parallelism", "podReplacementPolicy", "suspend")} == {
        "backoffLimit": 6, "completionMode": "NonIndexed", "completions": 1, "manualSelector": False,
        "parallelism": 1, "podReplacementPolicy": "TerminatingOrFailed", "suspend": False}
    assert spec["selector"] == {"matchLabels": {"batch.kubernetes.io/controller-uid": UID}}
    assert spec["template"]["metadata"]["labels"] == generated
    assert job["metadata"]["labels"] == generated
    assert spec["template"]["spec"]["restartPolicy"] == "Never"
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] == 30


def test_job_parallelism_completions_rules_and_failure_policy():
    job = kubectl_create_job()
    job["spec"]["parallelism"] = 3
    assert "completions" not in defaulted(job)["spec"]
    job = kubectl_create_job()
    job["spec"]["completions"] = 5
    assert defaulted(job)["spec"]["parallelism"] == 1
    job = kubectl_create_job()
    ignore_disruptions = {"action": "Ignore", "onPodConditions": [{"type": "DisruptionTarget"}]}
    job["spec"].update(backoffLimitPerIndex=1, completionMode="Indexed", completions=3,
                       podFailurePolicy={"rules": [ignore_disruptions]})
    spec = defaulted(job)["spec"]
    assert spec["backoffLimit"] == 2**31 - 1
    assert spec["podReplacementPolicy"] == "Failed"
    assert spec["podFailurePolicy"]["rules"][0]["onPodConditions"] == [{"type": "DisruptionTarget", "status": "True"}]


def test_job_manual_selector_and_own_labels_are_kept():
    job = kubectl_create_job()
    job["metadata"]["labels"] = {"team": "a"}
    job["spec"]["manualSelector"] = True
    job["spec"]["selector"] = {"matchLabels": {"app": "pi"}}
    job["spec"]["template"]["metadata"] = {"labels": {"app": "pi"}}
    out = defaulted(job)
    assert out["spec"]["selector"] == {"matchLabels": {"app": "pi"}}
    assert out["spec"]["template"]["metadata"]["labels"] == {"app": "pi"}
    assert out["metadata"]["labels"] == {"team": "a"}


def test_cron_job():
    cj = defaulted({"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "tick"},
                    "spec": {"schedule": "*/1 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                        "containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "OnFailure"}}}}}})
    spec = cj["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    job_spec = spec["jobTemplate"]["spec"]
    assert "backoffLimit" not in job_spec  # SetDefaults_Job applies to Jobs, not to job templates
    pod_spec = job_spec["template"]["spec"]
    assert pod_spec["restartPolicy"] == "OnFailure"
    assert pod_spec["containers"][0]["imagePullPolicy"] == "Always"


# --- Idempotence ---------------------------------------------------------------

EXAMPLES = [
    kubectl_run_nginx(),
    kubectl_expose_service(type="LoadBalancer"),
    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "dev"}},
    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"},
     "spec": {"selector": {"matchLabels": {"app": "web"}}, "template": pod_template({"app": "web"})}},
    {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "db"},
     "spec": {"template": pod_template({"app": "db"}), "volumeClaimTemplates": [{"metadata": {"name": "d"}}]}},
    kubectl_create_job(),
    {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
     "spec": {"template": pod_template({"app": "rc"})}},
]


@pytest.mark.parametrize("obj", EXAMPLES, ids=lambda o: o["kind"])
def test_defaulting_twice_equals_once(obj):
    once = defaulted(obj)
    twice = copy.deepcopy(once)
    apply_defaults(twice, info_for(twice), create=True)
    assert twice == once
    apply_defaults(twice, info_for(twice), create=False)
    assert twice == once


def test_unknown_kinds_are_left_alone():
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "n1"},
             "spec": {"holderIdentity": "n1"}}
    assert defaulted(lease) == lease
