"""Simulated requests through the cluster network, the way ``curl`` inside a pod sees it.

One request follows the real path:

1. name resolution with the caller's resolver (``/etc/resolv.conf`` search
   path, cluster DNS; see :mod:`kernelsim.addons.dns`);
2. the caller's node's kube-proxy rules: a ClusterIP, NodePort or
   load-balancer address is DNATed to one ready endpoint, a Service without
   endpoints is REJECTed (connection refused);
3. the pod network delivers the packet to the pod that owns the address;
4. that node's container runtime hands the request to the program listening
   in the pod (``runtime.handle(pod_ip, port, request)``; None means nothing
   listens there: connection refused).

Failures read like curl's: ``curl: (6) Could not resolve host: ...``,
``curl: (7) Failed to connect to ... Connection refused`` and ``curl: (28) ...
Timeout was reached``.  Callers outside the cluster (``from_pod=None``) can only
reach node addresses (NodePorts) and load-balancer IPs.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from ..api import errors
from .dns import DNSError

OUTSIDE_CLIENT_IP = "192.0.2.10"  # the learner's machine, outside the cluster (TEST-NET-1)
CONNECT_TIMEOUT_MS = 10002


@dataclass
class Request:
    """What the program in the target pod receives."""

    method: str
    url: str
    host: str
    port: int
    path: str
    headers: dict = field(default_factory=dict)
    body: str = ""
    source_ip: str = ""
    from_pod: str | None = None


@dataclass
class Response:
    """``status`` 0 means the connection failed; ``error`` then holds curl's message."""

    status: int
    body: str
    pod: str | None = None          # "namespace/name" of the pod that answered
    headers: dict = field(default_factory=dict)
    error: str | None = None
    error_kind: str | None = None   # dns, refused, timeout
    path: list[str] = field(default_factory=list)  # the hops, for the course

    @property
    def ok(self) -> bool:
        return self.error is None and 200 <= self.status < 400

    def __str__(self) -> str:
        return self.error if self.error else self.body


def _is_ip(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
        return True
    except ValueError:
        return False


class Traffic:
    def __init__(self, client, network, proxies: dict, runtimes: dict, resolver, tracer=None):
        self.client = client
        self.network = network
        self.proxies = proxies
        self.runtimes = runtimes
        self.resolver = resolver
        self.tracer = tracer

    def _trace(self, source: str, target: str, verb: str, obj: str, detail: str = "") -> None:
        if self.tracer is not None:
            self.tracer.record(source, target, verb, obj, detail)

    # -- who is asking -----------------------------------------------------------------
    def _caller(self, from_pod: str | None, from_node: str | None):
        """(label, node, source ip, namespace, uses cluster DNS)."""
        if from_pod:
            ns, _, name = from_pod.rpartition("/")
            ns = ns or "default"
            pod = self.client.get("pods", name, ns)
            ip = (pod.get("status") or {}).get("podIP")
            if not ip:
                raise errors.bad_request(f'pod "{name}" has no IP address yet (phase '
                                         f'{(pod.get("status") or {}).get("phase", "Pending")})')
            spec = pod.get("spec") or {}
            cluster_dns = spec.get("dnsPolicy", "ClusterFirst") in ("ClusterFirst", "ClusterFirstWithHostNet") and \
                not (spec.get("hostNetwork") and spec.get("dnsPolicy", "ClusterFirst") == "ClusterFirst")
            return f"{ns}/{name}", spec.get("nodeName"), ip, ns, cluster_dns
        if from_node:
            node = self.client.get("nodes", from_node, None)
            ip = next((a["address"] for a in (node.get("status") or {}).get("addresses") or []
                       if a.get("type") == "InternalIP"), from_node)
            return f"node/{from_node}", from_node, ip, "default", False
        return "outside", None, OUTSIDE_CLIENT_IP, "default", False

    # -- the request ---------------------------------------------------------------------
    def request(self, from_pod: str | None, url: str, method: str = "GET", *, from_node: str | None = None,
                headers: dict | None = None, body: str = "") -> Response:
        if "://" not in url:
            url = "http://" + url
        parts = urlsplit(url)
        host = parts.hostname or ""
        port = parts.port or (443 if parts.scheme == "https" else 80)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        label, node, source_ip, namespace, cluster_dns = self._caller(from_pod, from_node)
        hops = [label]

        # 1. DNS
        if _is_ip(host):
            dest = host
        else:
            try:
                if cluster_dns:
                    addresses = self.resolver.resolve(host, namespace)
                else:
                    addresses = self.resolver.query(host).addresses if host.rstrip(".") in self.resolver.external \
                        else []
                    if not addresses:
                        raise DNSError("NXDOMAIN", host, "")
            except DNSError:
                self._trace(label, "kube-dns", "resolve", host, "failed")
                return Response(0, "", None, error=f"curl: (6) Could not resolve host: {host}", error_kind="dns",
                                path=hops)
            dest = addresses[0]
            self._trace(label, "kube-dns", "resolve", host, dest)
            hops.append(f"dns {host} -> {dest}")

        # 2. kube-proxy on the node the packet enters
        target = (dest, port)
        entry_node = node if node is not None else self._entry_node(dest)
        if entry_node is None:
            return self._timeout(dest, port, hops)  # from outside only node and balancer addresses answer
        proxy = self.proxies.get(entry_node)
        if proxy is not None:
            verdict = proxy.match(dest, port, "TCP", source_ip)
            if verdict is not None:
                self._trace(f"kube-proxy({entry_node})", "iptables", verdict.action, verdict.service,
                            f"{dest}:{port}" + (f" -> {verdict.destination[0]}:{verdict.destination[1]}"
                                                if verdict.destination else ""))
                if verdict.action == "REJECT":
                    return self._refused(host, dest, port, hops)
                if verdict.action == "DROP":
                    return self._timeout(dest, port, hops)
                target = verdict.destination
                hops.append(f"kube-proxy({entry_node}) {verdict.service} -> {target[0]}:{target[1]}")

        # 3. the pod network
        where = self.network.pod_at(target[0])
        if where is None:
            if proxy is not None and target[0] in proxy.node_ips:
                return self._refused(host, dest, port, hops)  # a node address, nothing listening
            return self._timeout(dest, port, hops)
        pod_node, pod_ns, pod_name = where
        hops.append(f"pod {pod_ns}/{pod_name} on {pod_node}")

        # 4. the program in the pod
        runtime = self.runtimes.get(pod_node)
        if runtime is None:
            return self._timeout(dest, port, hops)
        req = Request(method.upper(), url, host, port, path, dict(headers or {}), body, source_ip,
                      label if from_pod else None)
        self._trace(label, f"{pod_ns}/{pod_name}", method.upper(), f"{target[0]}:{target[1]}{path}")
        answer = runtime.handle(target[0], target[1], req)
        if answer is None:
            return self._refused(host, dest, port, hops)
        status, text, resp_headers = self._unpack(answer)
        return Response(status, text, f"{pod_ns}/{pod_name}", resp_headers, path=hops)

    def _entry_node(self, dest: str) -> str | None:
        """Where traffic from outside enters: the node owning the address, or (for a
        load-balancer IP) a node the cloud balancer picks."""
        for name in sorted(self.proxies):
            owner = self.proxies[name].node_ips.get(dest)
            if owner is not None:
                return owner
        candidates = [name for name in sorted(self.proxies)
                      if any(dest in sp.lb_ips or dest in sp.external_ips for sp in self.proxies[name].service_ports)]
        if not candidates:
            return None
        return candidates[self.client.loop.rng.randrange(len(candidates))] if self.client.loop else candidates[0]

    @staticmethod
    def _unpack(answer):
        if isinstance(answer, Response):
            return answer.status, answer.body, answer.headers
        if isinstance(answer, dict):
            return answer.get("status", 200), answer.get("body", ""), answer.get("headers", {})
        if isinstance(answer, tuple):
            return answer[0], answer[1], (answer[2] if len(answer) > 2 else {})
        return getattr(answer, "status", 200), getattr(answer, "body", str(answer)), getattr(answer, "headers", {})

    @staticmethod
    def _refused(host: str, dest: str, port: int, hops: list[str]) -> Response:
        return Response(0, "", None, error=f"curl: (7) Failed to connect to {host} port {port} after 0 ms: "
                                           f"Connection refused", error_kind="refused", path=hops)

    @staticmethod
    def _timeout(dest: str, port: int, hops: list[str]) -> Response:
        return Response(0, "", None, error=f"curl: (28) Failed to connect to {dest} port {port} after "
                                           f"{CONNECT_TIMEOUT_MS} ms: Timeout was reached", error_kind="timeout",
                        path=hops)
