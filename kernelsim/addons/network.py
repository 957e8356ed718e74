"""The pod network as a CNI plugin sees it (kindnet with the host-local IPAM plugin).

Each node owns a pod CIDR (``Node.spec.podCIDR``, 10.244.<n>.0/24, set by the
node IPAM controller).  On CNI ADD the plugin hands the pod the next free
address of its node's range, like host-local: it remembers the last address it
gave out and continues after it, wrapping around, skipping ``.0``, the gateway
``.1`` and the broadcast address.  CNI DEL gives the address back.
"""

from __future__ import annotations

import ipaddress


class PodNetwork:
    """Pod IP addresses of every node, and which pod holds which address."""

    def __init__(self, rng):
        self.rng = rng
        self._by_ip: dict[str, tuple[str, str, str]] = {}      # ip -> (node, namespace, pod)
        self._by_pod: dict[tuple[str, str, str], str] = {}     # (node, namespace, pod) -> ip
        self._last: dict[str, int] = {}                         # node -> last reserved host offset
        self._cidrs: dict[str, str] = {}                        # node -> pod CIDR

    @staticmethod
    def _pod_ref(pod: dict) -> tuple[str, str]:
        meta = pod.get("metadata", {})
        return meta.get("namespace") or "default", meta["name"]

    def setup_pod(self, node_name: str, pod_cidr: str, pod: dict) -> str:
        """CNI ADD: an IP for ``pod`` from ``pod_cidr`` (the same one again if it already has one)."""
        if not pod_cidr:
            raise RuntimeError(f'node "{node_name}" has no pod CIDR assigned yet')
        ns, name = self._pod_ref(pod)
        key = (node_name, ns, name)
        if key in self._by_pod:
            return self._by_pod[key]
        net = ipaddress.ip_network(pod_cidr, strict=False)
        self._cidrs[node_name] = str(net)
        first, last = 2, net.num_addresses - 2  # .1 is the bridge/gateway, the top one is broadcast
        span = last - first + 1
        start = self._last.get(node_name, first - 1)
        for step in range(1, span + 1):
            offset = first + (start - first + step) % span
            ip = str(net.network_address + offset)
            if ip not in self._by_ip:
                self._by_ip[ip] = key
                self._by_pod[key] = ip
                self._last[node_name] = offset
                return ip
        raise RuntimeError(f"failed to allocate for range 0: no IP addresses available in range set: "
                           f"{net.network_address + first}-{net.network_address + last}")

    def teardown_pod(self, node_name: str, pod: dict) -> None:
        """CNI DEL: release the pod's address (nothing happens if it has none)."""
        ns, name = self._pod_ref(pod)
        ip = self._by_pod.pop((node_name, ns, name), None)
        if ip is not None:
            self._by_ip.pop(ip, None)

    def pod_at(self, ip: str) -> tuple[str, str, str] | None:
        """``(node_name, namespace, pod_name)`` of the pod holding ``ip``, or None."""
        return self._by_ip.get(ip)

    def ip_of(self, node_name: str, namespace: str, name: str) -> str | None:
        return self._by_pod.get((node_name, namespace, name))

    def pods_on(self, node_name: str) -> dict[str, tuple[str, str]]:
        """ip -> (namespace, pod) for the pods wired up on ``node_name``."""
        return {ip: (ns, name) for ip, (node, ns, name) in sorted(self._by_ip.items()) if node == node_name}

    def node_for_ip(self, ip: str) -> str | None:
        """The node whose pod CIDR contains ``ip`` (where a packet for it is routed)."""
        addr = ipaddress.ip_address(ip)
        for node, cidr in self._cidrs.items():
            if addr in ipaddress.ip_network(cidr):
                return node
        return None
