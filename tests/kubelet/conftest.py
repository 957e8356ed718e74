"""A node for kubelet tests: the ``cluster`` fixture (API server, no nodes) plus one
kubelet ``worker-1`` with its own containerd and a fake CNI plugin (10.244.1.0/24)."""

import pytest

from kernelsim.kubelet import Kubelet
from kernelsim.runtime import ContainerRuntime


class FakeNetwork:
    """CNI ADD/DEL: addresses from the node's pod CIDR, in order."""

    def __init__(self):
        self.next = 2
        self.calls = []

    def setup_pod(self, node_name, pod_cidr, pod):
        self.calls.append(("ADD", node_name, pod_cidr, pod["metadata"]["name"]))
        ip = f"10.244.1.{self.next}"
        self.next += 1
        return ip

    def teardown_pod(self, node_name, pod):
        self.calls.append(("DEL", node_name, pod["metadata"]["name"]))


class Node:
    def __init__(self, cluster, name="worker-1", role="worker", static_pods=()):
        self.cluster = cluster
        self.network = FakeNetwork()
        self.runtime = ContainerRuntime(cluster.loop, name, tracer=cluster.tracer)
        self.kubelet = Kubelet(cluster._internal.with_source(f"kubelet({name})"), cluster.loop, name, self.runtime,
                               self.network, role=role, static_pods=static_pods, tracer=cluster.tracer)
        with cluster.lock:
            self.kubelet.start()
            # the node IPAM controller's part: a pod CIDR for the node
            cluster.api.patch("nodes", name, {"spec": {"podCIDR": "10.244.1.0/24", "podCIDRs": ["10.244.1.0/24"]}},
                              None)
        cluster.settle()

    def run(self, manifest: str):
        """Create pods bound to this node (no scheduler here)."""
        objs = self.cluster.api.apply(manifest)
        return objs

    def pod(self, name, namespace="default"):
        return self.cluster.api.get("pods", name, namespace)

    def status(self, name, container=None):
        pod = self.pod(name)
        statuses = pod["status"].get("containerStatuses") or []
        if container is None:
            return statuses[0]
        return next(s for s in statuses if s["name"] == container)

    def events(self, name, namespace="default"):
        evs = [e for e in self.cluster.api.list("events", namespace)
               if e["involvedObject"].get("name") == name]
        evs.sort(key=lambda e: e["metadata"]["name"])  # <pod>.<UnixNano hex>: creation order
        return evs

    def reasons(self, name):
        return [e["reason"] for e in self.events(name)]


@pytest.fixture
def node(cluster):
    return Node(cluster)
