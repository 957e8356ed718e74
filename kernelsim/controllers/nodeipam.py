"""The node IPAM controller (pkg/controller/nodeipam, the RangeAllocator).

kube-controller-manager runs with ``--allocate-node-cidrs=true
--cluster-cidr=10.244.0.0/16`` (as kubeadm and kind set it up): every Node
gets one /24 from the cluster CIDR in ``spec.podCIDR`` and ``spec.podCIDRs``.
Like the real cidrset, the next free block is chosen round-robin after the
last one handed out, so nodes get 10.244.0.0/24, 10.244.1.0/24, ... in the
order they register.  A deleted node's block is released.

``Cluster(cluster_cidr=..., node_cidr_mask=...)`` sets ``--cluster-cidr`` and
``--node-cidr-mask-size``, as a large cluster is configured (10.244.0.0/16 in
/24s has room for 256 nodes only).  The occupied blocks are a set kept up to
date from the Node informer, so handing out a block costs O(1), not a walk
over every Node.
"""

from __future__ import annotations

import ipaddress

from ..client.events import EventRecorder
from .base import Controller

CLUSTER_CIDR = "10.244.0.0/16"
NODE_CIDR_MASK_SIZE = 24


def validate_cluster_cidr(cluster_cidr, node_cidr_mask) -> tuple[ipaddress.IPv4Network, int]:
    """Check ``--cluster-cidr`` and ``--node-cidr-mask-size`` as kube-controller-manager does at
    start-up; raises ValueError with its message (and nothing has been built yet)."""
    if not isinstance(cluster_cidr, str):
        raise ValueError(f"invalid CIDR address: {cluster_cidr!r}")
    try:
        net = ipaddress.ip_network(cluster_cidr.strip(), strict=False)  # Go's ParseCIDR masks host bits
    except ValueError:
        raise ValueError(f"invalid CIDR address: {cluster_cidr}") from None
    if "/" not in cluster_cidr:
        raise ValueError(f"invalid CIDR address: {cluster_cidr}")
    if net.version != 4:
        raise ValueError(f"kernelsim simulates a single-stack IPv4 cluster; --cluster-cidr={cluster_cidr} is IPv6")
    if isinstance(node_cidr_mask, bool) or not isinstance(node_cidr_mask, int):
        raise ValueError(f'invalid argument {node_cidr_mask!r} for "--node-cidr-mask-size" flag: '
                         "parse error")
    if not 0 < node_cidr_mask <= 32:
        raise ValueError(f"--node-cidr-mask-size={node_cidr_mask}: must be between 1 and 32 for IPv4")
    if net.prefixlen > node_cidr_mask:
        raise ValueError("Controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or "
                         "equal to --node-cidr-mask-size configured for CIDR family")
    return net, node_cidr_mask


class NodeIpamController(Controller):
    name = "node-ipam-controller"
    watches = ("nodes",)

    needs = ("cluster_cidr", "node_cidr_mask")

    def __init__(self, client, loop, cluster_cidr: str = CLUSTER_CIDR, node_cidr_mask: int = NODE_CIDR_MASK_SIZE):
        super().__init__(client, loop)
        self.cluster_cidr, self.node_mask = validate_cluster_cidr(cluster_cidr, node_cidr_mask)
        self.blocks = 1 << (self.node_mask - self.cluster_cidr.prefixlen)
        self.next_candidate = 0
        self.recorder = EventRecorder(self.client, "cidrAllocator")
        self.assigned: dict[str, int] = {}  # node -> block index
        self.occupied: dict[int, int] = {}  # block index -> how many nodes claim it (the cidrset's bits)

    def register_handlers(self, resource, informer):
        informer.add_handlers(self._on_node, lambda old, new: self._on_node(new), self._release)

    def _on_node(self, node: dict) -> None:
        """Mark the blocks a Node already holds as occupied (on start-up, as the allocator
        does for existing Nodes, and whenever a Node shows a CIDR), then reconcile it."""
        name = node["metadata"]["name"]
        for cidr in (node.get("spec") or {}).get("podCIDRs") or []:
            index = self._index(cidr)
            if index is not None and self.assigned.get(name) != index:
                self._claim(name, index)
        self.enqueue(node)

    def _claim(self, name: str, index: int) -> None:
        self._release_name(name)
        self.assigned[name] = index
        self.occupied[index] = self.occupied.get(index, 0) + 1

    def _release_name(self, name: str) -> None:
        index = self.assigned.pop(name, None)
        if index is not None:
            left = self.occupied.get(index, 0) - 1
            if left > 0:
                self.occupied[index] = left
            else:
                self.occupied.pop(index, None)

    def _release(self, node: dict) -> None:
        self._release_name(node["metadata"]["name"])

    def _used(self) -> set[int] | dict[int, int]:
        return self.occupied

    def subnet(self, index: int) -> ipaddress.IPv4Network:
        base = int(self.cluster_cidr.network_address) + (index << (32 - self.node_mask))
        return ipaddress.IPv4Network((base, self.node_mask))

    def _index(self, cidr: str) -> int | None:
        try:
            net = ipaddress.ip_network(cidr)
        except ValueError:
            return None
        if net.version != 4 or net.prefixlen != self.node_mask or not net.subnet_of(self.cluster_cidr):
            return None
        return (int(net.network_address) - int(self.cluster_cidr.network_address)) >> (32 - net.prefixlen)

    def allocate_next(self, used) -> str | None:
        """cidrset.AllocateNext: the first free block at or after the next candidate."""
        n = self.blocks
        if len(used) >= n:
            return None
        for step in range(n):
            index = (self.next_candidate + step) % n
            if index not in used:
                self.next_candidate = (index + 1) % n
                return str(self.subnet(index))
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
        self._claim(key, self._index(cidr))
        try:
            self.client.patch("nodes", key, {"spec": {"podCIDR": cidr, "podCIDRs": [cidr]}}, None)
        except Exception:
            self._release_name(key)  # ReleaseCIDR: give the block back, retry later
            raise
