"""What kubeadm writes for a control-plane node: the static pod manifests.

``kubeadm init`` puts one manifest per control-plane component in
``/etc/kubernetes/manifests``; the kubelet on the master runs them as static
pods and mirrors them into kube-system (kube-apiserver-<node>, etcd-<node>,
...).  The commands and flags follow kubeadm's defaults for v1.37, so
``kubectl describe pod -n kube-system kube-apiserver-master-1`` reads like a
real cluster's.  (The simulation's own apiserver, etcd, scheduler and
controller manager are the Python objects these pods stand for.)
"""

from __future__ import annotations

KUBERNETES_VERSION = "v1.37.0"
ETCD_IMAGE = "registry.k8s.io/etcd:3.6.5-0"
POD_SUBNET = "10.244.0.0/16"
SERVICE_SUBNET = "10.96.0.0/12"


def _probe(path: str, port: int, host: str, scheme: str = "HTTPS", initial: int = 10, period: int = 10,
           failure: int = 8) -> dict:
    return {"httpGet": {"host": host, "path": path, "port": port, "scheme": scheme},
            "initialDelaySeconds": initial, "periodSeconds": period, "timeoutSeconds": 15,
            "failureThreshold": failure}


def _pod(component: str, image: str, command: list[str], node_ip: str, *, port: int, liveness: dict,
         readiness: dict | None = None, startup: dict | None = None, cpu: str = "250m",
         annotations: dict | None = None) -> dict:
    container = {
        "name": component, "image": image, "imagePullPolicy": "IfNotPresent", "command": command,
        "resources": {"requests": {"cpu": cpu}},
        "livenessProbe": liveness,
        "startupProbe": startup or dict(liveness, failureThreshold=24),
    }
    if readiness:
        container["readinessProbe"] = readiness
    return {
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": component, "namespace": "kube-system",
                     "labels": {"component": component, "tier": "control-plane"},
                     "annotations": annotations or {}},
        "spec": {"containers": [container], "hostNetwork": True, "priority": 2000001000,
                 "priorityClassName": "system-node-critical",
                 "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
    }


def control_plane_manifests(node_name: str, node_ip: str, *, cloud_provider: str = "kernelsim",
                            pod_subnet: str = POD_SUBNET, node_cidr_mask: int = 24) -> list[dict]:
    """The static pods of one master, in the order kubeadm writes them."""
    version = KUBERNETES_VERSION
    etcd = _pod("etcd", ETCD_IMAGE, [
        "etcd", f"--advertise-client-urls=https://{node_ip}:2379", "--cert-file=/etc/kubernetes/pki/etcd/server.crt",
        "--client-cert-auth=true", "--data-dir=/var/lib/etcd", "--feature-gates=InitialCorruptCheck=true",
        f"--initial-advertise-peer-urls=https://{node_ip}:2380",
        f"--initial-cluster={node_name}=https://{node_ip}:2380", "--key-file=/etc/kubernetes/pki/etcd/server.key",
        f"--listen-client-urls=https://127.0.0.1:2379,https://{node_ip}:2379",
        "--listen-metrics-urls=http://127.0.0.1:2381", f"--listen-peer-urls=https://{node_ip}:2380",
        f"--name={node_name}", "--peer-cert-file=/etc/kubernetes/pki/etcd/peer.crt", "--peer-client-cert-auth=true",
        "--peer-key-file=/etc/kubernetes/pki/etcd/peer.key", "--peer-trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
        "--snapshot-count=10000", "--trusted-ca-file=/etc/kubernetes/pki/etcd/ca.crt",
    ], node_ip, port=2381, cpu="100m",
        liveness=_probe("/livez", 2381, "127.0.0.1", "HTTP", failure=8),
        readiness=_probe("/readyz", 2381, "127.0.0.1", "HTTP", initial=0, period=1, failure=3),
        annotations={"kubeadm.kubernetes.io/etcd.advertise-client-urls": f"https://{node_ip}:2379"})
    apiserver = _pod("kube-apiserver", f"registry.k8s.io/kube-apiserver:{version}", [
        "kube-apiserver", f"--advertise-address={node_ip}", "--allow-privileged=true",
        "--authorization-mode=Node,RBAC", "--client-ca-file=/etc/kubernetes/pki/ca.crt",
        "--enable-admission-plugins=NodeRestriction", "--enable-bootstrap-token-auth=true",
        "--etcd-servers=https://127.0.0.1:2379", "--secure-port=6443",
        "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
        f"--service-cluster-ip-range={SERVICE_SUBNET}", "--tls-cert-file=/etc/kubernetes/pki/apiserver.crt",
        "--tls-private-key-file=/etc/kubernetes/pki/apiserver.key",
    ], node_ip, port=6443,
        liveness=_probe("/livez", 6443, node_ip),
        readiness=_probe("/readyz", 6443, node_ip, initial=0, period=1, failure=3),
        annotations={"kubeadm.kubernetes.io/kube-apiserver.advertise-address.endpoint": f"{node_ip}:6443"})
    controller_manager = _pod("kube-controller-manager", f"registry.k8s.io/kube-controller-manager:{version}", [
        "kube-controller-manager", "--allocate-node-cidrs=true",
        "--authentication-kubeconfig=/etc/kubernetes/controller-manager.conf",
        "--authorization-kubeconfig=/etc/kubernetes/controller-manager.conf", "--bind-address=127.0.0.1",
        "--client-ca-file=/etc/kubernetes/pki/ca.crt", f"--cluster-cidr={pod_subnet}",
        "--cluster-name=kubernetes", "--controllers=*,bootstrapsigner,tokencleaner",
        "--kubeconfig=/etc/kubernetes/controller-manager.conf", "--leader-elect=true",
        *([f"--node-cidr-mask-size={node_cidr_mask}"] if node_cidr_mask != 24 else []),
        f"--service-cluster-ip-range={SERVICE_SUBNET}", "--use-service-account-credentials=true",
    ], node_ip, port=10257, cpu="200m", liveness=_probe("/healthz", 10257, "127.0.0.1"))
    scheduler = _pod("kube-scheduler", f"registry.k8s.io/kube-scheduler:{version}", [
        "kube-scheduler", "--authentication-kubeconfig=/etc/kubernetes/scheduler.conf",
        "--authorization-kubeconfig=/etc/kubernetes/scheduler.conf", "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/scheduler.conf", "--leader-elect=true",
    ], node_ip, port=10259, cpu="100m", liveness=_probe("/livez", 10259, "127.0.0.1"),
        readiness=_probe("/readyz", 10259, "127.0.0.1", initial=0, period=1, failure=3))
    ccm = _pod("cloud-controller-manager", f"registry.k8s.io/cloud-controller-manager:{version}", [
        "cloud-controller-manager", f"--cloud-provider={cloud_provider}", "--bind-address=127.0.0.1",
        "--kubeconfig=/etc/kubernetes/cloud-controller-manager.conf", "--leader-elect=true",
        "--use-service-account-credentials=true", "--controllers=*,-route",
    ], node_ip, port=10258, cpu="100m", liveness=_probe("/healthz", 10258, "127.0.0.1"))
    return [etcd, apiserver, controller_manager, scheduler, ccm]
