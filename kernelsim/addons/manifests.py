"""The kube-system add-ons, as plain API objects (what ``kubeadm init`` and the
add-on YAML files create).

* CoreDNS: kubeadm's ``coredns`` Deployment, ConfigMap (Corefile) and the
  ``kube-dns`` Service at 10.96.0.10 (cmd/kubeadm/app/phases/addons/dns);
* kube-proxy: kubeadm's DaemonSet and its ConfigMap (phases/addons/proxy);
* kindnet: the pod network DaemonSet from kind;
* metrics-server: its Deployment and Service (components.yaml);
* kubernetes-dashboard: Deployment and Service in its own namespace
  (recommended.yaml);
* fluent-bit: the node logging agent DaemonSet (as its Helm chart installs it);
* the ``system-cluster-critical`` and ``system-node-critical`` PriorityClasses
  (kube-apiserver creates these two itself at start-up).

``addon_objects()`` returns everything in an order ``client.apply`` accepts.
"""

from __future__ import annotations

KUBERNETES_VERSION = "v1.37.0"
COREDNS_IMAGE = "registry.k8s.io/coredns/coredns:v1.13.1"  # kubeadm's pinned CoreDNS (constants.CoreDNSVersion)
KUBE_PROXY_IMAGE = f"registry.k8s.io/kube-proxy:{KUBERNETES_VERSION}"
KINDNET_IMAGE = "docker.io/kindest/kindnetd:v20250512-df8de77b"
METRICS_SERVER_IMAGE = "registry.k8s.io/metrics-server/metrics-server:v0.8.0"
DASHBOARD_IMAGE = "kubernetesui/dashboard:v2.7.0"
FLUENT_BIT_IMAGE = "cr.fluentbit.io/fluent/fluent-bit:4.0.3"
DNS_SERVICE_IP = "10.96.0.10"
POD_SUBNET = "10.244.0.0/16"
CONTROL_PLANE_TAINT = "node-role.kubernetes.io/control-plane"

COREFILE = """.:53 {
    errors
    health {
       lameduck 5s
    }
    ready
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
       ttl 30
    }
    prometheus :9153
    forward . /etc/resolv.conf {
       max_concurrent 1000
    }
    cache 30 {
       disable success cluster.local
       disable denial cluster.local
    }
    loop
    reload
    loadbalance
}
"""

KUBE_PROXY_CONFIG = f"""apiVersion: kubeproxy.config.k8s.io/v1alpha1
bindAddress: 0.0.0.0
bindAddressHardFail: false
clientConnection:
  acceptContentTypes: ""
  burst: 0
  contentType: ""
  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf
  qps: 0
clusterCIDR: {POD_SUBNET}
configSyncPeriod: 0s
conntrack:
  maxPerCore: null
  min: null
  tcpCloseWaitTimeout: null
  tcpEstablishedTimeout: null
enableProfiling: false
healthzBindAddress: ""
hostnameOverride: ""
iptables:
  localhostNodePorts: null
  masqueradeAll: false
  masqueradeBit: null
  minSyncPeriod: 0s
  syncPeriod: 0s
kind: KubeProxyConfiguration
metricsBindAddress: ""
mode: iptables
nodePortAddresses: null
oomScoreAdj: null
portRange: ""
"""

KUBE_PROXY_KUBECONFIG = """apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt
    server: https://master-1:6443
  name: default
contexts:
- context:
    cluster: default
    namespace: default
    user: default
  name: default
current-context: default
users:
- name: default
  user:
    tokenFile: /var/run/secrets/kubernetes.io/serviceaccount/token
"""

# The pipeline of fluent-bit's Helm chart (values.yaml), with the central store as its output.
FLUENT_BIT_CONFIG = """[SERVICE]
    Daemon Off
    Flush 1
    Log_Level info
    Parsers_File /fluent-bit/etc/parsers.conf
    HTTP_Server On
    HTTP_Listen 0.0.0.0
    HTTP_Port 2020
    Health_Check On

[INPUT]
    Name tail
    Path /var/log/containers/*.log
    multiline.parser docker, cri
    Tag kube.*
    Mem_Buf_Limit 5MB
    Skip_Long_Lines On

[INPUT]
    Name systemd
    Tag host.*
    Systemd_Filter _SYSTEMD_UNIT=kubelet.service
    Read_From_Tail On

[FILTER]
    Name kubernetes
    Match kube.*
    Merge_Log On
    Keep_Log Off
    K8S-Logging.Parser On
    K8S-Logging.Exclude On

[OUTPUT]
    Name forward
    Match *
    Host log-store.kube-system.svc
    Port 24224
"""

LINUX = {"kubernetes.io/os": "linux"}


def _meta(name: str, namespace: str | None = "kube-system", labels: dict | None = None, **extra) -> dict:
    meta = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    meta.update(extra)
    return meta


def _service_account(name: str, namespace: str = "kube-system", labels: dict | None = None) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": _meta(name, namespace, labels)}


def priority_classes() -> list[dict]:
    return [
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "system-node-critical"}, "value": 2000001000, "globalDefault": False,
         "description": "Used for system critical pods that must not be moved from their current node.",
         "preemptionPolicy": "PreemptLowerPriority"},
        {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
         "metadata": {"name": "system-cluster-critical"}, "value": 2000000000, "globalDefault": False,
         "description": "Used for system critical pods that must run in the cluster, but can be moved to "
                        "another node if necessary.",
         "preemptionPolicy": "PreemptLowerPriority"},
    ]


def coredns(replicas: int = 2) -> list[dict]:
    labels = {"k8s-app": "kube-dns"}
    container = {
        "name": "coredns", "image": COREDNS_IMAGE, "imagePullPolicy": "IfNotPresent",
        "resources": {"limits": {"memory": "170Mi"}, "requests": {"cpu": "100m", "memory": "70Mi"}},
        "args": ["-conf", "/etc/coredns/Corefile"],
        "volumeMounts": [{"name": "config-volume", "mountPath": "/etc/coredns", "readOnly": True}],
        "ports": [{"containerPort": 53, "name": "dns", "protocol": "UDP"},
                  {"containerPort": 53, "name": "dns-tcp", "protocol": "TCP"},
                  {"containerPort": 9153, "name": "metrics", "protocol": "TCP"}],
        "securityContext": {"allowPrivilegeEscalation": False,
                            "capabilities": {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]},
                            "readOnlyRootFilesystem": True},
        "livenessProbe": {"httpGet": {"path": "/health", "port": 8080, "scheme": "HTTP"},
                          "initialDelaySeconds": 60, "timeoutSeconds": 5, "successThreshold": 1,
                          "failureThreshold": 5},
        "readinessProbe": {"httpGet": {"path": "/ready", "port": 8181, "scheme": "HTTP"}},
    }
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("coredns", labels=labels),
        "spec": {
            "replicas": replicas,
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}},
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "coredns",
                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{
                        "weight": 100, "podAffinityTerm": {
                            "labelSelector": {"matchExpressions": [
                                {"key": "k8s-app", "operator": "In", "values": ["kube-dns"]}]},
                            "topologyKey": "kubernetes.io/hostname"}}]}},
                    "tolerations": [{"key": "CriticalAddonsOnly", "operator": "Exists"},
                                    {"key": CONTROL_PLANE_TAINT, "effect": "NoSchedule"}],
                    "nodeSelector": dict(LINUX),
                    "containers": [container],
                    "dnsPolicy": "Default",
                    "volumes": [{"name": "config-volume", "configMap": {
                        "name": "coredns", "items": [{"key": "Corefile", "path": "Corefile"}]}}],
                },
            },
        },
    }
    service = {
        "apiVersion": "v1", "kind": "Service",
        "metadata": _meta("kube-dns", labels={"k8s-app": "kube-dns", "kubernetes.io/cluster-service": "true",
                                              "kubernetes.io/name": "CoreDNS"},
                          annotations={"prometheus.io/port": "9153", "prometheus.io/scrape": "true"}),
        "spec": {"clusterIP": DNS_SERVICE_IP, "selector": dict(labels),
                 "ports": [{"name": "dns", "port": 53, "protocol": "UDP", "targetPort": 53},
                           {"name": "dns-tcp", "port": 53, "protocol": "TCP", "targetPort": 53},
                           {"name": "metrics", "port": 9153, "protocol": "TCP", "targetPort": 9153}]},
    }
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("coredns"), "data": {"Corefile": COREFILE}}
    return [_service_account("coredns"), config, deployment, service]


def kube_proxy(pod_subnet: str = POD_SUBNET) -> list[dict]:
    labels = {"k8s-app": "kube-proxy"}
    proxy_config = KUBE_PROXY_CONFIG.replace(f"clusterCIDR: {POD_SUBNET}\n", f"clusterCIDR: {pod_subnet}\n")
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("kube-proxy", labels={"app": "kube-proxy"}),
              "data": {"config.conf": proxy_config, "kubeconfig.conf": KUBE_PROXY_KUBECONFIG}}
    daemonset = {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("kube-proxy", labels=labels),
        "spec": {
            "selector": {"matchLabels": labels},
            "updateStrategy": {"type": "RollingUpdate"},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{
                        "name": "kube-proxy", "image": KUBE_PROXY_IMAGE, "imagePullPolicy": "IfNotPresent",
                        "command": ["/usr/local/bin/kube-proxy", "--config=/var/lib/kube-proxy/config.conf",
                                    "--hostname-override=$(NODE_NAME)"],
                        "securityContext": {"privileged": True},
                        "volumeMounts": [{"mountPath": "/var/lib/kube-proxy", "name": "kube-proxy"},
                                         {"mountPath": "/run/xtables.lock", "name": "xtables-lock"},
                                         {"mountPath": "/lib/modules", "name": "lib-modules", "readOnly": True}],
                        "env": [{"name": "NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
                    }],
                    "hostNetwork": True,
                    "serviceAccountName": "kube-proxy",
                    "volumes": [{"name": "kube-proxy", "configMap": {"name": "kube-proxy"}},
                                {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock",
                                                                      "type": "FileOrCreate"}},
                                {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                    "tolerations": [{"operator": "Exists"}],
                    "nodeSelector": dict(LINUX),
                    "priorityClassName": "system-node-critical",
                },
            },
        },
    }
    return [_service_account("kube-proxy"), config, daemonset]


def kindnet(pod_subnet: str = POD_SUBNET) -> list[dict]:
    labels = {"app": "kindnet", "k8s-app": "kindnet", "tier": "node"}
    daemonset = {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("kindnet", labels=labels),
        "spec": {
            "selector": {"matchLabels": {"app": "kindnet"}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "hostNetwork": True,
                    "tolerations": [{"operator": "Exists"}],
                    "serviceAccountName": "kindnet",
                    "priorityClassName": "system-node-critical",
                    "containers": [{
                        "name": "kindnet-cni", "image": KINDNET_IMAGE,
                        "env": [{"name": "HOST_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.hostIP"}}},
                                {"name": "POD_IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
                                {"name": "POD_SUBNET", "value": pod_subnet},
                                {"name": "CONTROL_PLANE_ENDPOINT", "value": "master-1:6443"}],
                        "volumeMounts": [{"name": "cni-cfg", "mountPath": "/etc/cni/net.d"},
                                         {"name": "xtables-lock", "mountPath": "/run/xtables.lock"},
                                         {"name": "lib-modules", "mountPath": "/lib/modules", "readOnly": True}],
                        "resources": {"requests": {"cpu": "100m", "memory": "50Mi"},
                                      "limits": {"cpu": "100m", "memory": "50Mi"}},
                        "securityContext": {"privileged": False,
                                            "capabilities": {"add": ["NET_RAW", "NET_ADMIN"]}},
                    }],
                    "volumes": [{"name": "cni-cfg", "hostPath": {"path": "/etc/cni/net.d",
                                                                 "type": "DirectoryOrCreate"}},
                                {"name": "xtables-lock", "hostPath": {"path": "/run/xtables.lock",
                                                                      "type": "FileOrCreate"}},
                                {"name": "lib-modules", "hostPath": {"path": "/lib/modules"}}],
                },
            },
        },
    }
    return [_service_account("kindnet"), daemonset]


def metrics_server() -> list[dict]:
    labels = {"k8s-app": "metrics-server"}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("metrics-server", labels=labels),
        "spec": {
            "selector": {"matchLabels": labels},
            "strategy": {"rollingUpdate": {"maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "containers": [{
                        "name": "metrics-server", "image": METRICS_SERVER_IMAGE, "imagePullPolicy": "IfNotPresent",
                        "args": ["--cert-dir=/tmp", "--secure-port=10250",
                                 "--kubelet-preferred-address-types=InternalIP,ExternalIP,Hostname",
                                 "--kubelet-use-node-status-port", "--metric-resolution=15s"],
                        "ports": [{"containerPort": 10250, "name": "https", "protocol": "TCP"}],
                        "livenessProbe": {"failureThreshold": 3, "periodSeconds": 10,
                                          "httpGet": {"path": "/livez", "port": "https", "scheme": "HTTPS"}},
                        "readinessProbe": {"failureThreshold": 3, "initialDelaySeconds": 20, "periodSeconds": 10,
                                           "httpGet": {"path": "/readyz", "port": "https", "scheme": "HTTPS"}},
                        "resources": {"requests": {"cpu": "100m", "memory": "200Mi"}},
                        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "runAsNonRoot": True, "runAsUser": 1000,
                                            "capabilities": {"drop": ["ALL"]},
                                            "seccompProfile": {"type": "RuntimeDefault"}},
                        "volumeMounts": [{"mountPath": "/tmp", "name": "tmp-dir"}],
                    }],
                    "nodeSelector": dict(LINUX),
                    "priorityClassName": "system-cluster-critical",
                    "serviceAccountName": "metrics-server",
                    "volumes": [{"name": "tmp-dir", "emptyDir": {}}],
                },
            },
        },
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": _meta("metrics-server", labels=labels),
               "spec": {"ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": "https"}],
                        "selector": dict(labels)}}
    apiservice = {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
                  "metadata": {"name": "v1beta1.metrics.k8s.io", "labels": dict(labels)},
                  "spec": {"group": "metrics.k8s.io", "version": "v1beta1", "groupPriorityMinimum": 100,
                           "versionPriority": 100, "insecureSkipTLSVerify": True,
                           "service": {"name": "metrics-server", "namespace": "kube-system"}}}
    # components.yaml's aggregated reader: view, edit and admin may read metrics (kubectl top).
    reader = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
              "metadata": _meta("system:aggregated-metrics-reader", None, {
                  **labels, "rbac.authorization.k8s.io/aggregate-to-admin": "true",
                  "rbac.authorization.k8s.io/aggregate-to-edit": "true",
                  "rbac.authorization.k8s.io/aggregate-to-view": "true"}),
              "rules": [{"apiGroups": ["metrics.k8s.io"], "resources": ["pods", "nodes"],
                         "verbs": ["get", "list", "watch"]}]}
    return [_service_account("metrics-server", labels=labels), reader, deployment, service, apiservice]


def dashboard() -> list[dict]:
    ns = "kubernetes-dashboard"
    labels = {"k8s-app": "kubernetes-dashboard"}
    deployment = {
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": _meta("kubernetes-dashboard", ns, labels),
        "spec": {
            "replicas": 1, "revisionHistoryLimit": 10,
            "selector": {"matchLabels": labels},
            "template": {
                "metadata": {"labels": labels},
                "spec": {
                    "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
                    "containers": [{
                        "name": "kubernetes-dashboard", "image": DASHBOARD_IMAGE, "imagePullPolicy": "Always",
                        "ports": [{"containerPort": 8443, "protocol": "TCP"}],
                        "args": ["--auto-generate-certificates", f"--namespace={ns}"],
                        "volumeMounts": [{"name": "kubernetes-dashboard-certs", "mountPath": "/certs"},
                                         {"mountPath": "/tmp", "name": "tmp-volume"}],
                        "livenessProbe": {"httpGet": {"scheme": "HTTPS", "path": "/", "port": 8443},
                                          "initialDelaySeconds": 30, "timeoutSeconds": 30},
                        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                                            "runAsUser": 1001, "runAsGroup": 2001},
                    }],
                    "volumes": [{"name": "kubernetes-dashboard-certs",
                                 "secret": {"secretName": "kubernetes-dashboard-certs"}},
                                {"name": "tmp-volume", "emptyDir": {}}],
                    "serviceAccountName": "kubernetes-dashboard",
                    "nodeSelector": dict(LINUX),
                    "tolerations": [{"key": "node-role.kubernetes.io/master", "effect": "NoSchedule"}],
                },
            },
        },
    }
    service = {"apiVersion": "v1", "kind": "Service", "metadata": _meta("kubernetes-dashboard", ns, labels),
               "spec": {"ports": [{"port": 443, "targetPort": 8443}], "selector": dict(labels)}}
    certs = {"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
             "metadata": _meta("kubernetes-dashboard-certs", ns, labels)}
    namespace = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}
    return [namespace, _service_account("kubernetes-dashboard", ns, labels), certs, service, deployment]


def fluent_bit() -> list[dict]:
    labels = {"app.kubernetes.io/name": "fluent-bit", "app.kubernetes.io/instance": "fluent-bit"}
    config = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _meta("fluent-bit", labels=labels),
              "data": {"fluent-bit.conf": FLUENT_BIT_CONFIG}}
    daemonset = {
        "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": _meta("fluent-bit", labels=labels),
        "spec": {
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "serviceAccountName": "fluent-bit",
                    "tolerations": [{"key": CONTROL_PLANE_TAINT, "operator": "Exists", "effect": "NoSchedule"}],
                    "priorityClassName": "system-node-critical",
                    "containers": [{
                        "name": "fluent-bit", "image": FLUENT_BIT_IMAGE, "imagePullPolicy": "IfNotPresent",
                        "args": ["--workdir=/fluent-bit/etc", "--config=/fluent-bit/etc/conf/fluent-bit.conf"],
                        "ports": [{"name": "http", "containerPort": 2020, "protocol": "TCP"}],
                        "livenessProbe": {"httpGet": {"path": "/", "port": "http"}},
                        "readinessProbe": {"httpGet": {"path": "/api/v1/health", "port": "http"}},
                        "resources": {"limits": {"memory": "200Mi"}, "requests": {"cpu": "100m", "memory": "200Mi"}},
                        "volumeMounts": [{"name": "config", "mountPath": "/fluent-bit/etc/conf"},
                                         {"name": "varlog", "mountPath": "/var/log"}],
                    }],
                    "terminationGracePeriodSeconds": 30,
                    "volumes": [{"name": "config", "configMap": {"name": "fluent-bit"}},
                                {"name": "varlog", "hostPath": {"path": "/var/log"}}],
                },
            },
        },
    }
    return [_service_account("fluent-bit", labels=labels), config, daemonset]


def addon_objects(pod_subnet: str = POD_SUBNET) -> list[dict]:
    """Every add-on object, in an order that can be applied as is (``pod_subnet``: the cluster CIDR)."""
    return (priority_classes() + kube_proxy(pod_subnet) + kindnet(pod_subnet) + coredns() + metrics_server()
            + fluent_bit() + dashboard())
