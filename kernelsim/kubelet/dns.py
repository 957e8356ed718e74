"""A pod's DNS files: what the kubelet's DNS configurer (pkg/kubelet/network/dns) puts into
the sandbox config, and the /etc/hosts file the kubelet writes for every container
(pkg/kubelet/kubelet_pods.go: GeneratePodHostNameAndDomain, managedHostsFileContent).

``pod_dns_config`` follows ``Configurer.GetPodDNS``: the pod's ``dnsPolicy`` picks a base
(``ClusterFirst``: the cluster DNS Service and the ``<ns>.svc.<domain> svc.<domain> <domain>``
search list with ``ndots:5``; a ``hostNetwork`` pod with ``ClusterFirst`` falls back to
``Default``; ``Default``: the node's resolv.conf; ``None``: nothing), then ``spec.dnsConfig``
is merged in and the result is cut to the resolver's limits.  ``resolv_conf`` writes the
file as containerd does for the sandbox (``search``, ``nameserver`` and ``options`` lines).
Everything here is a pure function of plain dicts and strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The kubelet configuration kubeadm writes (KubeletConfiguration clusterDNS / clusterDomain).
CLUSTER_DNS = ("10.96.0.10",)
CLUSTER_DOMAIN = "cluster.local"
#: kubeadm points the kubelet's ``resolvConf`` at systemd-resolved's upstream file.
NODE_RESOLV_CONF_PATH = "/run/systemd/resolve/resolv.conf"
#: What that file holds on a simulated machine: the LAN router of 192.168.0.0/24 is its resolver.
NODE_RESOLV_CONF = ("# This is /run/systemd/resolve/resolv.conf managed by man:systemd-resolved(8).\n"
                    "# Do not edit.\n"
                    "#\n"
                    "# This file might be symlinked as /etc/resolv.conf. If you're looking at\n"
                    "# /etc/resolv.conf and seeing this text, you have followed the symlink.\n"
                    "#\n"
                    "# This is a dynamic resolv.conf file for connecting local clients directly to\n"
                    "# all known uplink DNS servers. This file lists all configured search domains.\n"
                    "#\n"
                    "# Third party programs should typically not access this file directly, but only\n"
                    "# through the symlink at /etc/resolv.conf. To manage man:resolv.conf(5) in a\n"
                    "# different way, replace this symlink by a static file or a different symlink.\n"
                    "#\n"
                    "# See man:systemd-resolved.service(8) for details about the supported modes of\n"
                    "# operation for /etc/resolv.conf.\n"
                    "\n"
                    "nameserver 192.168.0.1\n")
NODE_HOSTS_PATH = "/etc/hosts"


def node_hosts(node_name: str) -> str:
    """The node's own /etc/hosts (an Ubuntu machine's), which hostNetwork pods see."""
    return (f"127.0.0.1 localhost\n127.0.1.1 {node_name}\n\n"
            "# The following lines are desirable for IPv6 capable hosts\n"
            "::1     ip6-localhost ip6-loopback\nfe00::0 ip6-localnet\nff00::0 ip6-mcastprefix\n"
            "ff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n")


# Resolver limits (pkg/apis/core/validation; ExpandedDNSConfig is GA, so the expanded ones).
MAX_DNS_NAMESERVERS = 3
MAX_DNS_SEARCH_PATHS = 32
MAX_DNS_SEARCH_LIST_CHARS = 2048
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
HOSTNAME_MAX_LEN = 63
DEFAULT_DNS_OPTIONS = ("ndots:5",)

MANAGED_HOSTS_HEADER = "# Kubernetes-managed hosts file.\n"
MANAGED_HOSTS_HEADER_WITH_HOST_NETWORK = "# Kubernetes-managed hosts file (host network).\n"


@dataclass
class DNSConfig:
    """CRI runtime.v1 DNSConfig: what the sandbox's resolv.conf is made from."""

    servers: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)
    options: list[str] = field(default_factory=list)


def parse_resolv_conf(text: str) -> DNSConfig:
    """parseResolvConf: ``nameserver`` lines add up; the last ``search`` and the last
    ``options`` line win; comments are skipped; a trailing dot on a search domain is dropped."""
    conf = DNSConfig()
    for line in (text or "").split("\n"):
        trimmed = line.strip()
        if trimmed.startswith("#"):
            continue
        fields = trimmed.split()
        if not fields:
            continue
        if fields[0] == "nameserver" and len(fields) >= 2:
            conf.servers.append(fields[1])
        elif fields[0] == "search":
            conf.searches = [s.removesuffix(".") for s in fields[1:]]
        elif fields[0] == "options":
            conf.options = fields[1:]
    return conf


def _omit_duplicates(items) -> list[str]:
    seen: set[str] = set()
    return [x for x in items if not (x in seen or seen.add(x))]


def dns_type(pod: dict) -> str:
    """getPodDNSType: "cluster", "host" or "none"."""
    spec = pod.get("spec") or {}
    policy = spec.get("dnsPolicy") or "ClusterFirst"
    if policy == "None":
        return "none"
    if policy == "ClusterFirstWithHostNet":
        return "cluster"
    if policy == "ClusterFirst" and not spec.get("hostNetwork"):
        return "cluster"
    return "host"  # Default, and ClusterFirst on the host network


def merge_dns_options(existing: list[str], pod_options: list[dict]) -> list[str]:
    """mergeDNSOptions: ``spec.dnsConfig.options`` override options of the same name.

    (The kubelet rebuilds the list from a Go map, so a real node orders the options at
    random; here an option keeps its first place and new ones follow, deterministically.)
    """
    merged: dict[str, str] = {}
    for op in existing:
        name, _, value = op.partition(":")
        merged[name] = value
    for op in pod_options or []:
        merged[op.get("name", "")] = op.get("value") or ""
    return [f"{name}:{value}" if value else name for name, value in merged.items()]


def _fit_searches(searches: list[str]) -> tuple[list[str], str]:
    """formDNSSearchFitsLimits: at most 32 paths, none longer than 253 characters, 2048 in all."""
    exceeded = False
    if len(searches) > MAX_DNS_SEARCH_PATHS:
        searches, exceeded = searches[:MAX_DNS_SEARCH_PATHS], True
    kept = [s for s in searches if len(s) <= DNS1123_SUBDOMAIN_MAX_LENGTH]
    exceeded = exceeded or len(kept) != len(searches)
    searches = kept
    while searches and len(" ".join(searches)) > MAX_DNS_SEARCH_LIST_CHARS:
        searches, exceeded = searches[:-1], True
    if not exceeded:
        return searches, ""
    return searches, ("Search Line limits were exceeded, some search paths have been omitted, "
                      f"the applied search line is: {' '.join(searches)}")


def pod_dns_config(pod: dict, cluster_dns=CLUSTER_DNS, cluster_domain: str = CLUSTER_DOMAIN,
                   host_resolv_conf: str | None = NODE_RESOLV_CONF) -> tuple[DNSConfig, list[tuple[str, str]]]:
    """GetPodDNS: the pod's DNS config and the Warning events (reason, message) it causes.

    ``host_resolv_conf`` is the text of the kubelet's ``resolvConf`` file; None stands for
    ``--resolv-conf=""`` (no host resolver: 127.0.0.1 and ``search .``).
    """
    namespace = (pod.get("metadata") or {}).get("namespace") or "default"
    spec = pod.get("spec") or {}
    warnings: list[tuple[str, str]] = []
    host = parse_resolv_conf(host_resolv_conf) if host_resolv_conf is not None else DNSConfig()
    kind = dns_type(pod)
    if kind == "cluster" and not cluster_dns:
        meta = pod.get("metadata") or {}
        pod_ref = f"{meta.get('name', '')}_{namespace}({meta.get('uid', '')})"  # format.Pod
        warnings.append(("MissingClusterDNS", f"pod: \"{pod_ref}\". kubelet does not have ClusterDNS IP configured "
                                              "and cannot create Pod using \"ClusterFirst\" policy. Falling back to "
                                              "\"Default\" policy."))
        kind = "host"
    if kind == "none":
        config = DNSConfig()
    elif kind == "cluster":
        cluster_search = [f"{namespace}.svc.{cluster_domain}", f"svc.{cluster_domain}", cluster_domain] \
            if cluster_domain else []
        config = DNSConfig(list(cluster_dns), _omit_duplicates(cluster_search + host.searches),
                           list(DEFAULT_DNS_OPTIONS))
    else:
        config = host
        if host_resolv_conf is None:
            config = DNSConfig(["127.0.0.1"], ["."], [])
    extra = spec.get("dnsConfig")
    if extra is not None:
        config = DNSConfig(_omit_duplicates(config.servers + list(extra.get("nameservers") or [])),
                           _omit_duplicates(config.searches + list(extra.get("searches") or [])),
                           merge_dns_options(config.options, extra.get("options") or []))
    if len(config.servers) > MAX_DNS_NAMESERVERS:
        config.servers = config.servers[:MAX_DNS_NAMESERVERS]
        warnings.append(("DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted, "
                                             f"the applied nameserver line is: {' '.join(config.servers)}"))
    config.searches, message = _fit_searches(config.searches)
    if message:
        warnings.append(("DNSConfigForming", message))
    return config, warnings


def resolv_conf(config: DNSConfig, host_resolv_conf: str = "") -> str:
    """The sandbox's /etc/resolv.conf as containerd writes it from the CRI DNSConfig; an
    empty config leaves the node's own resolv.conf (``host_resolv_conf``) in place."""
    text = ""
    if config.searches:
        text += f"search {' '.join(config.searches)}\n"
    if config.servers:
        text += "".join(f"nameserver {s}\n" for s in config.servers)
    if config.options:
        text += f"options {' '.join(config.options)}\n"
    return text or host_resolv_conf


def pod_hostname_and_domain(pod: dict, cluster_domain: str = CLUSTER_DOMAIN) -> tuple[str, str]:
    """GeneratePodHostNameAndDomain: ``spec.hostname`` or the pod name (cut to 63 characters,
    without a trailing ``-`` or ``.``), and ``<subdomain>.<ns>.svc.<domain>`` when
    ``spec.subdomain`` is set."""
    meta = pod.get("metadata") or {}
    spec = pod.get("spec") or {}
    hostname = spec.get("hostname") or meta.get("name", "")
    if len(hostname) > HOSTNAME_MAX_LEN:
        hostname = hostname[:HOSTNAME_MAX_LEN].rstrip("-.")
    domain = ""
    if spec.get("subdomain"):
        domain = f"{spec['subdomain']}.{meta.get('namespace') or 'default'}.svc.{cluster_domain}"
    return hostname, domain


def kernel_hostname(hostname: str, domain: str, set_hostname_as_fqdn: bool | None) -> str:
    """GetNodenameForKernel: the name ``hostname`` prints (the FQDN with ``setHostnameAsFQDN``)."""
    if set_hostname_as_fqdn and domain:
        return f"{hostname}.{domain}"
    return hostname


def _host_aliases(aliases: list[dict] | None) -> str:
    """hostsEntriesFromHostAliases: one line per alias IP, its hostnames tab-separated."""
    if not aliases:
        return ""
    lines = [a.get("ip", "") + "\t" + "\t".join(a.get("hostnames") or []) + "\n" for a in aliases]
    return "\n# Entries added by HostAliases.\n" + "".join(lines)


def managed_hosts(pod_ips: list[str], hostname: str, domain: str = "", host_aliases: list[dict] | None = None) -> str:
    """managedHostsFileContent: the /etc/hosts of a pod on the pod network."""
    text = (MANAGED_HOSTS_HEADER + "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
            "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")
    for ip in pod_ips:
        text += f"{ip}\t{hostname}.{domain}\t{hostname}\n" if domain else f"{ip}\t{hostname}\n"
    return text + _host_aliases(host_aliases)


def node_hosts_file(node_hosts_text: str, host_aliases: list[dict] | None = None) -> str:
    """nodeHostsFileContent: a hostNetwork pod gets the node's /etc/hosts under its own header."""
    return MANAGED_HOSTS_HEADER_WITH_HOST_NETWORK + node_hosts_text + _host_aliases(host_aliases)


def pod_hosts_file(pod: dict, pod_ips: list[str], cluster_domain: str = CLUSTER_DOMAIN,
                   node_hosts_text: str = "") -> str:
    """The /etc/hosts the kubelet mounts into every container of ``pod`` (ensureHostsFile)."""
    spec = pod.get("spec") or {}
    if spec.get("hostNetwork"):
        return node_hosts_file(node_hosts_text, spec.get("hostAliases"))
    hostname, domain = pod_hostname_and_domain(pod, cluster_domain)
    return managed_hosts(pod_ips, hostname, domain, spec.get("hostAliases"))
