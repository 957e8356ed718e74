"""Stand-ins for the kubelet in network tests: Nodes and Pods written through the API.

There is no kubelet or scheduler in these tests: a Node is created through the
API, a Pod is created already bound (``spec.nodeName``) and its status
(phase, podIP, Ready condition) is written with ``update_status``, as the
kubelet would.
"""

from __future__ import annotations


def make_node(api, name: str, ip: str, ready: bool = True, labels: dict | None = None) -> dict:
    node = api.create({"apiVersion": "v1", "kind": "Node",
                       "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}}})
    node["status"] = {"addresses": [{"type": "InternalIP", "address": ip}, {"type": "Hostname", "address": name}],
                      "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    return api.update_status(node)


def make_pod(api, name: str, ip: str, *, namespace: str = "default", labels: dict | None = None,
             node: str = "worker-1", ready: bool = True, ports: list | None = None, hostname: str | None = None,
             subdomain: str | None = None) -> dict:
    spec = {"nodeName": node, "containers": [{"name": "app", "image": "nginx",
                                               "ports": ports if ports is not None else
                                               [{"name": "http", "containerPort": 8080}]}]}
    if hostname:
        spec["hostname"] = hostname
    if subdomain:
        spec["subdomain"] = subdomain
    pod = api.create({"apiVersion": "v1", "kind": "Pod",
                      "metadata": {"name": name, "namespace": namespace, "labels": labels or {"app": "web"}},
                      "spec": spec})
    pod["status"].update({"phase": "Running", "podIP": ip, "podIPs": [{"ip": ip}],
                          "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]})
    return api.update_status(pod)


def set_ready(api, name: str, ready: bool, namespace: str = "default") -> dict:
    pod = api.get("pods", name, namespace)
    pod["status"]["conditions"] = [{"type": "Ready", "status": "True" if ready else "False"}]
    return api.update_status(pod)


def start(cluster, *components) -> list:
    """Start controllers (classes taking ``(client, loop)``) as kube-controller-manager would."""
    client = cluster._internal.with_source("kube-controller-manager")
    started = []
    for cls in components:
        c = cls(client, cluster.loop)
        c.start()
        started.append(c)
    return started
