"""Cluster DNS as CoreDNS's ``kubernetes`` plugin answers it (coredns/plugin/kubernetes).

Names in the cluster domain (``cluster.local``):

* ``<svc>.<ns>.svc.cluster.local``: a Service's ClusterIP; for a headless
  Service (``clusterIP: None``) the IPs of its ready endpoints; for an
  ExternalName Service a CNAME to ``spec.externalName``;
* ``<hostname>.<svc>.<ns>.svc.cluster.local``: one endpoint of a headless
  Service, by the pod's ``hostname`` (a StatefulSet pod ``web-0`` with
  ``subdomain: web`` is ``web-0.web.<ns>.svc.cluster.local``) or by its dashed IP;
* ``<a-b-c-d>.<ns>.pod.cluster.local``: the pod address itself (``pods insecure``).

Anything else is NXDOMAIN (the simulated cluster has no upstream resolver
unless ``external`` names are given).  A pod's resolver (``/etc/resolv.conf``
with ``search <ns>.svc.cluster.local svc.cluster.local cluster.local`` and
``options ndots:5``) expands short names.  DNS works only while at least one
CoreDNS pod (``k8s-app=kube-dns`` in kube-system) is Ready: CoreDNS's state is
read through the API, as its informers would.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

from ..api import errors

CLUSTER_DOMAIN = "cluster.local"
DNS_SERVICE_IP = "10.96.0.10"
NDOTS = 5
SERVICE_NAME_LABEL = "kubernetes.io/service-name"


class DNSError(Exception):
    """A failed lookup: ``kind`` is NXDOMAIN or TIMEOUT."""

    def __init__(self, kind: str, name: str, message: str):
        super().__init__(message)
        self.kind = kind
        self.name = name


@dataclass
class Answer:
    rcode: str                      # NOERROR or NXDOMAIN
    records: list[tuple[str, str, str]] = field(default_factory=list)  # (name, type, value)

    @property
    def addresses(self) -> list[str]:
        return [value for _, rtype, value in self.records if rtype == "A"]


class ClusterDNS:
    """What CoreDNS (the Service kube-dns, 10.96.0.10) answers."""

    def __init__(self, client, cluster_domain: str = CLUSTER_DOMAIN, external: dict[str, list[str]] | None = None,
                 tracer=None):
        self.client = client.with_source("coredns")
        self.domain = cluster_domain
        self.external = dict(external or {})
        self.tracer = tracer

    # -- the server --------------------------------------------------------------
    def ready(self) -> bool:
        """Is at least one CoreDNS pod Ready (so that kube-dns has an endpoint)?"""
        for pod in self.client.list("pods", "kube-system", label_selector="k8s-app=kube-dns"):
            if pod["metadata"].get("deletionTimestamp"):
                continue
            for cond in (pod.get("status") or {}).get("conditions") or []:
                if cond.get("type") == "Ready" and cond.get("status") == "True":
                    return True
        return False

    def query(self, name: str, qtype: str = "A") -> Answer:
        """Answer one fully qualified question, as CoreDNS would."""
        fqdn = name.rstrip(".").lower()
        if fqdn in self.external:
            return Answer("NOERROR", [(fqdn, "A", ip) for ip in self.external[fqdn]])
        if not (fqdn == self.domain or fqdn.endswith("." + self.domain)):
            return Answer("NXDOMAIN")
        labels = fqdn[: -len(self.domain)].rstrip(".").split(".") if fqdn != self.domain else []
        if len(labels) == 3 and labels[2] == "svc":
            return self._service(fqdn, labels[0], labels[1])
        if len(labels) == 4 and labels[3] == "svc":
            return self._endpoint(fqdn, labels[0], labels[1], labels[2])
        if len(labels) == 3 and labels[2] == "pod":
            return self._pod(fqdn, labels[0], labels[1])
        return Answer("NXDOMAIN")

    def _get_service(self, name: str, namespace: str) -> dict | None:
        try:
            return self.client.get("services", name, namespace)
        except errors.StatusError as e:
            if e.code == 404:
                return None
            raise

    def _ready_endpoints(self, service: str, namespace: str) -> list[dict]:
        out, seen = [], set()
        for es in self.client.list("endpointslices", namespace, label_selector=f"{SERVICE_NAME_LABEL}={service}"):
            for ep in es.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready") is False:
                    continue
                for ip in ep.get("addresses") or []:
                    if ip not in seen:
                        seen.add(ip)
                        out.append({"ip": ip, "hostname": ep.get("hostname")})
        out.sort(key=lambda e: ipaddress.ip_address(e["ip"]))
        return out

    def _service(self, fqdn: str, name: str, namespace: str) -> Answer:
        svc = self._get_service(name, namespace)
        if svc is None:
            return Answer("NXDOMAIN")
        spec = svc.get("spec") or {}
        if spec.get("type") == "ExternalName":
            return Answer("NOERROR", [(fqdn, "CNAME", spec.get("externalName", "").rstrip("."))])
        if spec.get("clusterIP") == "None":
            eps = self._ready_endpoints(name, namespace)
            if not eps:
                return Answer("NXDOMAIN")
            return Answer("NOERROR", [(fqdn, "A", e["ip"]) for e in eps])
        return Answer("NOERROR", [(fqdn, "A", ip) for ip in spec.get("clusterIPs") or [spec.get("clusterIP")]])

    def _endpoint(self, fqdn: str, endpoint: str, service: str, namespace: str) -> Answer:
        svc = self._get_service(service, namespace)
        if svc is None or (svc.get("spec") or {}).get("clusterIP") != "None":
            return Answer("NXDOMAIN")
        for e in self._ready_endpoints(service, namespace):
            if endpoint == (e["hostname"] or e["ip"].replace(".", "-")):
                return Answer("NOERROR", [(fqdn, "A", e["ip"])])
        return Answer("NXDOMAIN")

    def _pod(self, fqdn: str, dashed: str, namespace: str) -> Answer:
        try:
            ip = ipaddress.IPv4Address(dashed.replace("-", "."))
        except ValueError:
            return Answer("NXDOMAIN")
        return Answer("NOERROR", [(fqdn, "A", str(ip))])

    # -- the client side (a pod's stub resolver) ------------------------------------
    def search_path(self, namespace: str) -> list[str]:
        return [f"{namespace}.svc.{self.domain}", f"svc.{self.domain}", self.domain]

    def resolv_conf(self, namespace: str) -> str:
        """The /etc/resolv.conf the kubelet writes for a ``dnsPolicy: ClusterFirst`` pod."""
        return (f"search {' '.join(self.search_path(namespace))}\nnameserver {DNS_SERVICE_IP}\n"
                f"options ndots:{NDOTS}\n")

    def candidates(self, name: str, namespace: str) -> list[str]:
        """The names a glibc/musl resolver tries, in order (search list and ndots)."""
        if name.endswith("."):
            return [name.rstrip(".")]
        searched = [f"{name}.{suffix}" for suffix in self.search_path(namespace)]
        return [name] + searched if name.count(".") >= NDOTS else searched + [name]

    def lookup(self, name: str, namespace: str = "default") -> tuple[str, Answer]:
        """Resolve ``name`` as a pod in ``namespace`` would; returns the name that answered and the answer."""
        if not self.ready():
            raise DNSError("TIMEOUT", name, ";; connection timed out; no servers could be reached")
        for candidate in self.candidates(name.lower(), namespace):
            answer = self.query(candidate)
            if self.tracer is not None:
                self.tracer.record("coredns", "kube-dns", "query", candidate, answer.rcode)
            if answer.rcode == "NOERROR":
                return candidate, answer
        raise DNSError("NXDOMAIN", name, f"** server can't find {name}: NXDOMAIN")

    def resolve(self, name: str, namespace: str = "default") -> list[str]:
        """The IPv4 addresses ``name`` resolves to (CNAMEs followed); raises :class:`DNSError`."""
        for _ in range(8):
            fqdn, answer = self.lookup(name, namespace)
            if answer.addresses:
                return answer.addresses
            cname = next((v for _, t, v in answer.records if t == "CNAME"), None)
            if cname is None:
                break
            name = cname + "."
        raise DNSError("NXDOMAIN", name.rstrip("."), f"** server can't find {name.rstrip('.')}: NXDOMAIN")
