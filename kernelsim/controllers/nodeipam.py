"""The node IPAM controller (pkg/controller/nodeipam, the RangeAllocator).

kube-controller-manager runs with ``--allocate-node-cidrs=true
--cluster-cidr=10.244.0.0/16`` (as kubeadm and kind set it up): every Node
gets one /24 from the cluster CIDR in ``spec.podCIDR`` and ``spec.podCIDRs``.
Like the real cidrset, the next free block is chosen round-robin after the
last one handed out, so nodes get 10.244.0.0/24, 10.244.1.0/24, ... in the
order they register.  A deleted node's block is released.
"""

from __future__ import annotations

import ipaddress

from ..client.events import EventRecorder
from .base import Controller

CLUSTER_CIDR = "10.244.0.0/16"
NODE_CIDR_MASK_SIZE = 24


class NodeIpamController(Controller):
    name = "node-ipam-controller"
    watches = ("nodes",)

    def __init__(self, client, loop, cluster_cidr: str = CLUSTER_CIDR, node_mask: int = NODE_CIDR_MASK_SIZE):
        super().__init__(client, loop)
        self.cluster_cidr = ipaddress.ip_network(cluster_cidr)
        self.subnets = list(self.cluster_cidr.subnets(new_prefix=node_mask))
        self.next_candidate = 0
        self.recorder = EventRecorder(self.client, "cidrAllocator")
        self.assigned: dict[str, int] = {}  # node -> block index (the cidrset's occupied bits)

    def register_handlers(self, resource, informer):
        informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self._release)

    def _release(self, node: dict) -> None:
        self.assigned.pop(node["metadata"]["name"], None)

    def _used(self) -> set[int]:
        used = set(self.assigned.values())
        for node in self.cache().list():
            for cidr in (node.get("spec") or {}).get("podCIDRs") or []:
                index = self._index(cidr)
                if index is not None:
                    used.add(index)
                    self.assigned[node["metadata"]["name"]] = index
        return used

    def _index(self, cidr: str) -> int | None:
        try:
            net = ipaddress.ip_network(cidr)
        except ValueError:
            return None
        if net.prefixlen != self.subnets[0].prefixlen or not net.subnet_of(self.cluster_cidr):
            return None
        return (int(net.network_address) - int(self.cluster_cidr.network_address)) >> (32 - net.prefixlen)

    def allocate_next(self, used: set[int]) -> str | None:
        """cidrset.AllocateNext: the first free block at or after the next candidate."""
        n = len(self.subnets)
        for step in range(n):
            index = (self.next_candidate + step) % n
            if index not in used:
                self.next_candidate = (index + 1) % n
                return str(self.subnets[index])
        return None

    def sync(self, key: str) -> None:
        node = self.cache().get(key)
        if node is None or node["metadata"].get("deletionTimestamp"):
            return
        if (node.get("spec") or {}).get("podCIDR"):
            return
        cidr = self.allocate_next(self._used())
        if cidr is None:
            self.recorder.event(node, "Normal", "CIDRNotAvailable", f"Node {key} status is now: CIDRNotAvailable")
            return
        self.assigned[key] = self._index(cidr)
        try:
            self.client.patch("nodes", key, {"spec": {"podCIDR": cidr, "podCIDRs": [cidr]}}, None)
        except Exception:
            self.assigned.pop(key, None)  # ReleaseCIDR: give the block back, retry later
            raise
