"""kube-proxy in iptables mode (pkg/proxy/iptables/proxier.go).

Each node runs one.  It watches Services, EndpointSlices and Nodes and, on
every change, rewrites the node's NAT table in one go (``syncProxyRules``):

* ``KUBE-SERVICES`` matches a Service's ClusterIP, external IPs and
  load-balancer IPs and jumps to the Service's chains; its last rule sends
  traffic addressed to the node itself to ``KUBE-NODEPORTS``;
* ``KUBE-SVC-<hash>`` picks one endpoint at random with ``-m statistic
  --mode random --probability 1/n, 1/(n-1), ...`` (or by ``-m recent`` for
  ``sessionAffinity: ClientIP``), ``KUBE-SVL-<hash>`` does the same with the
  node-local endpoints only (``trafficPolicy: Local``);
* ``KUBE-EXT-<hash>`` is the entry for external traffic (NodePort, LoadBalancer,
  external IPs);
* ``KUBE-SEP-<hash>`` DNATs to one endpoint ``ip:port``.

Chain names are ``KUBE-SVC-`` + the first 16 characters of
base32(sha256(``ns/svc:port`` + protocol)), as in the real proxier, so they
match what ``iptables-save`` shows on a real node.  Only ready endpoints are
used (serving-but-terminating ones only when nothing is ready); a Service
without endpoints gets a REJECT rule in the filter table instead.

:meth:`KubeProxy.route` follows the rules that were last programmed (not the
API objects), so a change reaches traffic only after the proxy has synced.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field

from ..client.informer import Informer

CLUSTER_CIDR = "10.244.0.0/16"
MASQ_MARK = "0x4000"
SERVICE_NAME_LABEL = "kubernetes.io/service-name"
NODEPORTS_COMMENT = "kubernetes service nodeports; NOTE: this must be the last rule in this chain"


def _hash(text: str) -> str:
    return base64.b32encode(hashlib.sha256(text.encode()).digest()).decode()[:16]


def service_port_chain_name(service_port_name: str, protocol: str) -> str:
    """servicePortChainName: ``KUBE-SVC-`` + portProtoHash(``ns/svc:port``, ``tcp``)."""
    return "KUBE-SVC-" + _hash(service_port_name + protocol.lower())


def service_local_chain_name(service_port_name: str, protocol: str) -> str:
    return "KUBE-SVL-" + _hash(service_port_name + protocol.lower())


def service_external_chain_name(service_port_name: str, protocol: str) -> str:
    return "KUBE-EXT-" + _hash(service_port_name + protocol.lower())


def service_port_endpoint_chain_name(service_port_name: str, protocol: str, endpoint: str) -> str:
    """servicePortEndpointChainName: ``KUBE-SEP-`` + hash of name, protocol and ``ip:port``."""
    return "KUBE-SEP-" + _hash(service_port_name + protocol.lower() + endpoint)


def _comment(text: str) -> str:
    return f'"{text}"' if " " in text else text


@dataclass
class Endpoint:
    ip: str
    port: int
    node_name: str | None
    ready: bool
    serving: bool
    terminating: bool

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


@dataclass
class ServicePort:
    """One port of one Service, as the proxier's ServicePort interface sees it."""

    namespace: str
    service: str
    port_name: str
    protocol: str
    cluster_ip: str | None
    port: int
    node_port: int | None = None
    external_ips: list[str] = field(default_factory=list)
    lb_ips: list[str] = field(default_factory=list)
    affinity_seconds: int | None = None  # sessionAffinity ClientIP timeout
    external_local: bool = False
    internal_local: bool = False
    endpoints: list[Endpoint] = field(default_factory=list)

    @property
    def name(self) -> str:
        """ServicePortName.String(): ``ns/svc`` plus ``:port`` when the port is named."""
        return f"{self.namespace}/{self.service}" + (f":{self.port_name}" if self.port_name else "")

    @property
    def svc_chain(self) -> str:
        return service_port_chain_name(self.name, self.protocol)

    @property
    def svl_chain(self) -> str:
        return service_local_chain_name(self.name, self.protocol)

    @property
    def ext_chain(self) -> str:
        return service_external_chain_name(self.name, self.protocol)

    def sep_chain(self, ep: Endpoint) -> str:
        return service_port_endpoint_chain_name(self.name, self.protocol, ep.address)

    @property
    def has_external(self) -> bool:
        return bool(self.node_port or self.external_ips or self.lb_ips)


def usable(endpoints: list[Endpoint]) -> list[Endpoint]:
    """CategorizeEndpoints: ready endpoints, or serving terminating ones when none is ready."""
    ready = [e for e in endpoints if e.ready]
    return ready or [e for e in endpoints if e.serving and e.terminating]


@dataclass
class Verdict:
    """What the node's rules do with a packet: DNAT (to ``destination``), REJECT or DROP."""

    action: str
    destination: tuple[str, int] | None = None
    service: str = ""
    chain: str = ""


def _addresses_changed(old: dict, new: dict) -> bool:
    return ((old.get("status") or {}).get("addresses") != (new.get("status") or {}).get("addresses"))


class KubeProxy:
    """The kube-proxy of one node."""

    def __init__(self, client, loop, node_name: str, tracer=None, cluster_cidr: str = CLUSTER_CIDR):
        self.node_name = node_name
        self.source = f"kube-proxy({node_name})"
        self.client = client.with_source(self.source)
        self.loop = loop
        self.tracer = tracer
        self.cluster_cidr = cluster_cidr
        self.informers: dict[str, Informer] = {}
        self.running = False
        self._sync_pending = False
        # The programmed state: what the kernel would do now.
        self.service_ports: list[ServicePort] = []
        self.node_ips: dict[str, str] = {}  # address -> node name
        self._rules_text = ""
        self._affinity: dict[tuple[str, str], tuple[str, float]] = {}  # (chain, client ip) -> (sep, expiry)
        self.syncs = 0

    # -- life cycle ------------------------------------------------------------------
    def start(self) -> None:
        if self.running:
            return
        self.running = True
        self.informers = {r: Informer(self.client, r) for r in ("services", "endpointslices")}
        # Only its own Node (NodeManager: fieldSelector metadata.name=<node>): the node's addresses
        # are where NodePorts listen (iptables' --dst-type LOCAL).
        self.informers["nodes"] = Informer(self.client, "nodes", field_selector=f"metadata.name={self.node_name}")
        for name, inf in self.informers.items():
            # A Node's status changes every 10 s (the kubelet's heartbeat); only its addresses matter here.
            changed = _addresses_changed if name == "nodes" else (lambda old, new: True)
            inf.add_handlers(lambda obj: self._request_sync(),
                             lambda old, new, changed=changed: changed(old, new) and self._request_sync(),
                             lambda obj: self._request_sync())
            inf.start()
        self._request_sync()

    def stop(self) -> None:
        """Stop watching; the rules already programmed stay in the kernel, as on a real node."""
        self.running = False
        for inf in self.informers.values():
            inf.stop()

    def _request_sync(self) -> None:
        if self._sync_pending or not self.running:
            return
        self._sync_pending = True
        self.loop.call_soon(self.sync_proxy_rules, label=f"{self.source} syncProxyRules")

    # -- building the service map --------------------------------------------------------
    def _endpoints_by_service(self) -> dict[tuple[str, str], list[dict]]:
        out: dict[tuple[str, str], list[dict]] = {}
        for es in self.informers["endpointslices"].list():
            svc = (es["metadata"].get("labels") or {}).get(SERVICE_NAME_LABEL)
            if svc:
                out.setdefault((es["metadata"]["namespace"], svc), []).append(es)
        return out

    def build_service_ports(self) -> list[ServicePort]:
        slices = self._endpoints_by_service()
        ports: list[ServicePort] = []
        for svc in self.informers["services"].list():
            spec = svc.get("spec") or {}
            cluster_ip = spec.get("clusterIP")
            if spec.get("type") == "ExternalName" or not cluster_ip or cluster_ip == "None":
                continue  # kube-proxy skips headless and ExternalName Services
            ns, name = svc["metadata"]["namespace"], svc["metadata"]["name"]
            affinity = None
            if spec.get("sessionAffinity") == "ClientIP":
                affinity = ((spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}).get(
                    "timeoutSeconds", 10800)
            lb_ips = [i["ip"] for i in ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress") or []
                      if i.get("ip")] if spec.get("type") == "LoadBalancer" else []
            for sp in spec.get("ports") or []:
                port = ServicePort(
                    namespace=ns, service=name, port_name=sp.get("name") or "",
                    protocol=sp.get("protocol", "TCP"), cluster_ip=cluster_ip, port=sp["port"],
                    node_port=sp.get("nodePort") if spec.get("type") in ("NodePort", "LoadBalancer") else None,
                    external_ips=list(spec.get("externalIPs") or []), lb_ips=lb_ips, affinity_seconds=affinity,
                    external_local=spec.get("externalTrafficPolicy") == "Local",
                    internal_local=spec.get("internalTrafficPolicy") == "Local")
                port.endpoints = self._endpoints_for(port, slices.get((ns, name), []))
                ports.append(port)
        ports.sort(key=lambda p: (p.name, p.protocol))
        return ports

    @staticmethod
    def _endpoints_for(port: ServicePort, slices: list[dict]) -> list[Endpoint]:
        seen, out = set(), []
        for es in sorted(slices, key=lambda s: s["metadata"]["name"]):
            for ep_port in es.get("ports") or []:
                if (ep_port.get("name") or "") != port.port_name or ep_port.get("protocol", "TCP") != port.protocol:
                    continue
                for ep in es.get("endpoints") or []:
                    cond = ep.get("conditions") or {}
                    ready = cond.get("ready") is not False  # nil means ready
                    for ip in ep.get("addresses") or []:
                        if (ip, ep_port["port"]) in seen:
                            continue
                        seen.add((ip, ep_port["port"]))
                        out.append(Endpoint(ip, ep_port["port"], ep.get("nodeName"), ready,
                                            cond.get("serving", ready) is not False,
                                            bool(cond.get("terminating"))))
        out.sort(key=lambda e: (tuple(int(x) for x in e.ip.split(".")), e.port))
        return out

    def sync_proxy_rules(self) -> None:
        """Rebuild every rule from the informer caches, like one iptables-restore."""
        self._sync_pending = False
        self.service_ports = self.build_service_ports()
        self.node_ips = {}
        for node in self.informers["nodes"].list():
            for addr in (node.get("status") or {}).get("addresses") or []:
                if addr.get("type") in ("InternalIP", "ExternalIP") and addr.get("address"):
                    self.node_ips[addr["address"]] = node["metadata"]["name"]
        self._rules_text = self._render()
        self.syncs += 1
        if self.tracer is not None:
            self.tracer.record(self.source, "iptables", "iptables-restore", "nat,filter",
                               f"{len(self.service_ports)} service ports")

    # -- the rules as text ---------------------------------------------------------------
    def _local(self, endpoints: list[Endpoint], node: str | None = None) -> list[Endpoint]:
        return [e for e in endpoints if e.node_name == (node or self.node_name)]

    def _render(self) -> str:
        nat: dict[str, list[str]] = {"KUBE-MARK-MASQ": [], "KUBE-NODEPORTS": [], "KUBE-POSTROUTING": [],
                                     "KUBE-SERVICES": []}
        flt: dict[str, list[str]] = {"KUBE-EXTERNAL-SERVICES": [], "KUBE-FORWARD": [], "KUBE-NODEPORTS": [],
                                     "KUBE-PROXY-FIREWALL": [], "KUBE-SERVICES": []}
        for sp in self.service_ports:
            self._render_service_port(sp, nat, flt)
        nat["KUBE-SERVICES"].append(f"-A KUBE-SERVICES -m comment --comment \"{NODEPORTS_COMMENT}\" "
                                    f"-m addrtype --dst-type LOCAL -j KUBE-NODEPORTS")
        nat["KUBE-MARK-MASQ"].append(f"-A KUBE-MARK-MASQ -j MARK --or-mark {MASQ_MARK}")
        nat["KUBE-POSTROUTING"] += [
            f"-A KUBE-POSTROUTING -m mark ! --mark {MASQ_MARK}/{MASQ_MARK} -j RETURN",
            f"-A KUBE-POSTROUTING -j MARK --xor-mark {MASQ_MARK}",
            "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" "
            "-j MASQUERADE --random-fully"]
        flt["KUBE-FORWARD"] += [
            "-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP",
            f"-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding rules\" -m mark --mark "
            f"{MASQ_MARK}/{MASQ_MARK} -j ACCEPT",
            "-A KUBE-FORWARD -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack "
            "--ctstate RELATED,ESTABLISHED -j ACCEPT"]
        lines = ["*filter"]
        lines += [f":{c} - [0:0]" for c in sorted(flt)]
        for chain in ("KUBE-NODEPORTS", "KUBE-SERVICES", "KUBE-EXTERNAL-SERVICES", "KUBE-FORWARD",
                      "KUBE-PROXY-FIREWALL"):
            lines += flt[chain]
        lines.append("COMMIT")
        lines.append("*nat")
        lines += [f":{c} ACCEPT [0:0]" for c in ("PREROUTING", "INPUT", "OUTPUT", "POSTROUTING")]
        lines += [f":{c} - [0:0]" for c in sorted(nat)]
        lines += ['-A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                  '-A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
                  '-A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING']
        order = ["KUBE-NODEPORTS", "KUBE-SERVICES"] + sorted(c for c in nat if c not in ("KUBE-NODEPORTS",
                                                                                          "KUBE-SERVICES"))
        for chain in order:
            lines += nat[chain]
        lines.append("COMMIT")
        return "\n".join(lines) + "\n"

    def _render_service_port(self, sp: ServicePort, nat: dict, flt: dict) -> None:
        proto = sp.protocol.lower()
        match = f"-m {proto} -p {proto}"
        endpoints = usable(sp.endpoints)
        local = self._local(endpoints)
        internal = local if sp.internal_local else endpoints
        external = local if sp.external_local else endpoints
        internal_chain = sp.svl_chain if sp.internal_local else sp.svc_chain
        external_chain = sp.svl_chain if sp.external_local else sp.svc_chain
        name = sp.name

        # Entry points in KUBE-SERVICES / KUBE-NODEPORTS, or REJECT/DROP in the filter table.
        if internal:
            nat["KUBE-SERVICES"].append(f"-A KUBE-SERVICES -m comment --comment {_comment(name + ' cluster IP')} "
                                        f"{match} -d {sp.cluster_ip} --dport {sp.port} -j {internal_chain}")
        else:
            why = "has no local endpoints" if endpoints else "has no endpoints"
            action = "DROP" if endpoints else "REJECT"
            flt["KUBE-SERVICES"].append(f"-A KUBE-SERVICES -m comment --comment {_comment(f'{name} {why}')} "
                                        f"{match} -d {sp.cluster_ip} --dport {sp.port} -j {action}")
        if sp.has_external:
            if external:
                for ip in sp.external_ips:
                    nat["KUBE-SERVICES"].append(
                        f"-A KUBE-SERVICES -m comment --comment {_comment(name + ' external IP')} {match} "
                        f"-d {ip} --dport {sp.port} -j {sp.ext_chain}")
                for ip in sp.lb_ips:
                    nat["KUBE-SERVICES"].append(
                        f"-A KUBE-SERVICES -m comment --comment {_comment(name + ' loadbalancer IP')} {match} "
                        f"-d {ip} --dport {sp.port} -j {sp.ext_chain}")
                if sp.node_port:
                    nat["KUBE-NODEPORTS"].append(f"-A KUBE-NODEPORTS -m comment --comment {_comment(name)} {match} "
                                                 f"--dport {sp.node_port} -j {sp.ext_chain}")
                self._render_ext_chain(sp, external_chain, nat)
            else:
                why = "has no local endpoints" if endpoints else "has no endpoints"
                action = "DROP" if endpoints else "REJECT"
                c = _comment(f"{name} {why}")
                for ip in sp.external_ips + sp.lb_ips:
                    flt["KUBE-EXTERNAL-SERVICES"].append(f"-A KUBE-EXTERNAL-SERVICES -m comment --comment {c} "
                                                         f"{match} -d {ip} --dport {sp.port} -j {action}")
                if sp.node_port:
                    flt["KUBE-EXTERNAL-SERVICES"].append(
                        f"-A KUBE-EXTERNAL-SERVICES -m comment --comment {c} -m addrtype --dst-type LOCAL "
                        f"{match} --dport {sp.node_port} -j {action}")

        # KUBE-SVC (all endpoints) and KUBE-SVL (this node's endpoints).
        used_svc = (internal and not sp.internal_local) or (sp.has_external and external and not sp.external_local)
        used_svc = used_svc or (sp.external_local and sp.has_external and endpoints)  # pod/LOCAL traffic
        if used_svc and endpoints:
            rules = [f"-A {sp.svc_chain} -m comment --comment {_comment(name + ' cluster IP')} {match} "
                     f"-d {sp.cluster_ip} --dport {sp.port} ! -s {self.cluster_cidr} -j KUBE-MARK-MASQ"]
            nat[sp.svc_chain] = rules + self._balance(sp, sp.svc_chain, endpoints)
        if (sp.internal_local or sp.external_local) and local:
            nat[sp.svl_chain] = self._balance(sp, sp.svl_chain, local)
        for ep in endpoints:
            sep = sp.sep_chain(ep)
            recent = f"-m recent --name {sep} --set " if sp.affinity_seconds else ""
            nat[sep] = [f"-A {sep} -m comment --comment {_comment(name)} -s {ep.ip} -j KUBE-MARK-MASQ",
                        f"-A {sep} -m comment --comment {_comment(name)} {recent}{match} -j DNAT "
                        f"--to-destination {ep.address}"]

    def _render_ext_chain(self, sp: ServicePort, target: str, nat: dict) -> None:
        ext, name = sp.ext_chain, sp.name
        if not sp.external_local:
            nat[ext] = [f"-A {ext} -m comment --comment "
                        f"{_comment(f'masquerade traffic for {name} external destinations')} -j KUBE-MARK-MASQ",
                        f"-A {ext} -j {target}"]
            return
        nat[ext] = [
            f"-A {ext} -m comment --comment {_comment(f'pod traffic for {name} external destinations')} "
            f"-s {self.cluster_cidr} -j {sp.svc_chain}",
            f"-A {ext} -m comment --comment {_comment(f'masquerade LOCAL traffic for {name} external destinations')}"
            f" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
            f"-A {ext} -m comment --comment {_comment(f'route LOCAL traffic for {name} external destinations')}"
            f" -m addrtype --src-type LOCAL -j {sp.svc_chain}",
            f"-A {ext} -j {target}"]

    @staticmethod
    def _balance(sp: ServicePort, chain: str, endpoints: list[Endpoint]) -> list[str]:
        rules = []
        if sp.affinity_seconds:
            for ep in endpoints:
                sep = sp.sep_chain(ep)
                rules.append(f"-A {chain} -m comment --comment {_comment(f'{sp.name} -> {ep.address}')} "
                             f"-m recent --name {sep} --rcheck --seconds {sp.affinity_seconds} --reap -j {sep}")
        n = len(endpoints)
        for i, ep in enumerate(endpoints):
            stat = f"-m statistic --mode random --probability {1.0 / (n - i):0.10f} " if i < n - 1 else ""
            rules.append(f"-A {chain} -m comment --comment {_comment(f'{sp.name} -> {ep.address}')} "
                         f"{stat}-j {sp.sep_chain(ep)}")
        return rules

    def rules(self) -> str:
        """The node's kube-proxy rules, ``iptables-save`` style (filter and nat tables)."""
        return self._rules_text

    # -- following the rules -------------------------------------------------------------
    def match(self, dest_ip: str, port: int, protocol: str = "TCP", source_ip: str | None = None) -> Verdict | None:
        """Walk the programmed rules for a new connection; None when no rule matches."""
        protocol = protocol.upper()
        for sp in self.service_ports:
            if sp.protocol != protocol:
                continue
            endpoints = usable(sp.endpoints)
            if dest_ip == sp.cluster_ip and port == sp.port:
                pool = self._local(endpoints) if sp.internal_local else endpoints
                return self._pick(sp, pool, endpoints, source_ip)
            external = (dest_ip in sp.external_ips or dest_ip in sp.lb_ips) and port == sp.port
            node_port = sp.node_port is not None and port == sp.node_port and dest_ip in self.node_ips
            if external or node_port:
                if sp.external_local and not (source_ip and self._from_pod(source_ip)):
                    node = self.node_ips.get(dest_ip, self.node_name)
                    return self._pick(sp, self._local(endpoints, node), endpoints, source_ip)
                return self._pick(sp, endpoints, endpoints, source_ip)
        return None

    def _from_pod(self, ip: str) -> bool:
        import ipaddress
        return ipaddress.ip_address(ip) in ipaddress.ip_network(self.cluster_cidr)

    def _pick(self, sp: ServicePort, pool: list[Endpoint], all_usable: list[Endpoint],
              source_ip: str | None) -> Verdict:
        if not pool:
            action = "DROP" if all_usable else "REJECT"
            return Verdict(action, None, sp.name)
        chain = sp.svc_chain
        if sp.affinity_seconds and source_ip:
            remembered = self._affinity.get((chain, source_ip))
            if remembered and remembered[1] > self.loop.now:
                for ep in pool:
                    if sp.sep_chain(ep) == remembered[0]:
                        self._affinity[(chain, source_ip)] = (remembered[0], self.loop.now + sp.affinity_seconds)
                        return Verdict("DNAT", (ep.ip, ep.port), sp.name, remembered[0])
        chosen = pool[-1]
        n = len(pool)
        for i, ep in enumerate(pool[:-1]):
            if self.loop.rng.random() < 1.0 / (n - i):  # -m statistic --mode random --probability 1/(n-i)
                chosen = ep
                break
        sep = sp.sep_chain(chosen)
        if sp.affinity_seconds and source_ip:
            self._affinity[(chain, source_ip)] = (sep, self.loop.now + sp.affinity_seconds)
        return Verdict("DNAT", (chosen.ip, chosen.port), sp.name, sep)

    def route(self, dest_ip: str, port: int, protocol: str = "TCP",
              source_ip: str | None = None) -> tuple[str, int] | None:
        """``(pod_ip, target_port)`` a new connection to ``dest_ip:port`` is DNATed to, or None."""
        verdict = self.match(dest_ip, port, protocol, source_ip)
        return verdict.destination if verdict is not None and verdict.action == "DNAT" else None
