"""The kubelet's DNS configurer and hosts file (pkg/kubelet/network/dns, kubelet_pods.go),
checked against what a real kubelet and containerd write into a pod."""

from kernelsim.kubelet import dns

NODE_RESOLV = "# managed by systemd-resolved\nnameserver 192.168.0.1\nsearch lan.\noptions edns0 trust-ad\n"


def pod(name="web", namespace="default", **spec):
    return {"metadata": {"name": name, "namespace": namespace, "uid": "u-1"},
            "spec": {"dnsPolicy": "ClusterFirst", **spec}}


def test_parse_resolv_conf_keeps_servers_and_the_last_search_and_options():
    text = "nameserver 1.1.1.1\n# comment\nsearch a.example b.example.\nnameserver 8.8.8.8\nsearch c.\noptions x y:2\n"
    conf = dns.parse_resolv_conf(text)
    assert (conf.servers, conf.searches, conf.options) == (["1.1.1.1", "8.8.8.8"], ["c"], ["x", "y:2"])


def test_cluster_first_is_the_cluster_dns_with_the_namespace_search_path():
    config, warnings = dns.pod_dns_config(pod(namespace="shop"), host_resolv_conf=NODE_RESOLV)
    assert warnings == []
    # the node's search domains follow the cluster's; the node's options are replaced by ndots:5
    assert dns.resolv_conf(config) == ("search shop.svc.cluster.local svc.cluster.local cluster.local lan\n"
                                       "nameserver 10.96.0.10\noptions ndots:5\n")


def test_the_default_node_resolver_gives_the_well_known_resolv_conf():
    config, _ = dns.pod_dns_config(pod())
    assert dns.resolv_conf(config) == ("search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                       "nameserver 10.96.0.10\noptions ndots:5\n")


def test_host_network_falls_back_to_default_unless_cluster_first_with_host_net():
    host_net, _ = dns.pod_dns_config(pod(hostNetwork=True), host_resolv_conf=NODE_RESOLV)
    assert dns.resolv_conf(host_net) == "search lan\nnameserver 192.168.0.1\noptions edns0 trust-ad\n"
    with_host_net, _ = dns.pod_dns_config(pod(hostNetwork=True, dnsPolicy="ClusterFirstWithHostNet"),
                                          host_resolv_conf=NODE_RESOLV)
    assert with_host_net.servers == ["10.96.0.10"]
    assert with_host_net.searches[:3] == ["default.svc.cluster.local", "svc.cluster.local", "cluster.local"]


def test_default_policy_is_the_nodes_resolver():
    config, _ = dns.pod_dns_config(pod(dnsPolicy="Default"), host_resolv_conf=NODE_RESOLV)
    assert (config.servers, config.searches, config.options) == (["192.168.0.1"], ["lan"], ["edns0", "trust-ad"])
    # kubelet --resolv-conf="": the local machine's resolver and no search
    config, _ = dns.pod_dns_config(pod(dnsPolicy="Default"), host_resolv_conf=None)
    assert dns.resolv_conf(config) == "search .\nnameserver 127.0.0.1\n"


def test_none_policy_takes_only_the_pods_dns_config():
    spec = {"dnsPolicy": "None",
            "dnsConfig": {"nameservers": ["1.2.3.4"],
                          "searches": ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
                          "options": [{"name": "ndots", "value": "2"}, {"name": "edns0"}]}}
    config, _ = dns.pod_dns_config(pod(**spec), host_resolv_conf=NODE_RESOLV)
    # the example of the Kubernetes docs ("Pod's DNS Config")
    assert dns.resolv_conf(config) == ("search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
                                       "nameserver 1.2.3.4\noptions ndots:2 edns0\n")


def test_dns_config_is_merged_without_duplicates_and_overrides_options():
    spec = {"dnsConfig": {"nameservers": ["10.96.0.10", "9.9.9.9"], "searches": ["cluster.local", "corp.example"],
                          "options": [{"name": "ndots", "value": "1"}, {"name": "single-request-reopen"}]}}
    config, _ = dns.pod_dns_config(pod(**spec))
    assert config.servers == ["10.96.0.10", "9.9.9.9"]
    assert config.searches == ["default.svc.cluster.local", "svc.cluster.local", "cluster.local", "corp.example"]
    assert config.options == ["ndots:1", "single-request-reopen"]


def test_limits_cut_the_config_and_warn():
    spec = {"dnsConfig": {"nameservers": ["1.1.1.1", "2.2.2.2", "3.3.3.3"],
                          "searches": [f"d{i}.example" for i in range(40)]}}
    config, warnings = dns.pod_dns_config(pod(**spec))
    assert config.servers == ["10.96.0.10", "1.1.1.1", "2.2.2.2"]
    assert len(config.searches) == 32
    assert warnings[0] == ("DNSConfigForming", "Nameserver limits were exceeded, some nameservers have been omitted, "
                                               "the applied nameserver line is: 10.96.0.10 1.1.1.1 2.2.2.2")
    reason, message = warnings[1]
    assert reason == "DNSConfigForming" and message.startswith("Search Line limits were exceeded")


def test_missing_cluster_dns_falls_back_to_default():
    config, warnings = dns.pod_dns_config(pod(), cluster_dns=(), host_resolv_conf=NODE_RESOLV)
    assert config.servers == ["192.168.0.1"]
    assert warnings == [("MissingClusterDNS", 'pod: "web_default(u-1)". kubelet does not have ClusterDNS IP '
                                              'configured and cannot create Pod using "ClusterFirst" policy. '
                                              'Falling back to "Default" policy.')]


def test_an_empty_config_leaves_the_nodes_file():
    assert dns.resolv_conf(dns.DNSConfig(), NODE_RESOLV) == NODE_RESOLV


def test_hostname_and_domain():
    assert dns.pod_hostname_and_domain(pod()) == ("web", "")
    assert dns.pod_hostname_and_domain(pod(hostname="web-0", subdomain="web", namespace="shop")) == \
        ("web-0", "web.shop.svc.cluster.local")
    long_name = "a" * 62 + "-bcd"
    assert dns.pod_hostname_and_domain(pod(name=long_name)) == ("a" * 62, "")  # 63 chars, trailing '-' cut
    assert dns.kernel_hostname("web-0", "web.shop.svc.cluster.local", True) == "web-0.web.shop.svc.cluster.local"
    assert dns.kernel_hostname("web-0", "", True) == "web-0"


HEADER = ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
          "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")


def test_managed_hosts_file():
    assert dns.pod_hosts_file(pod(), ["10.244.1.5"]) == HEADER + "10.244.1.5\tweb\n"
    sts = pod(name="web-0", hostname="web-0", subdomain="web", hostAliases=[
        {"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]}, {"ip": "10.1.2.3", "hostnames": ["foo.remote"]}])
    assert dns.pod_hosts_file(sts, ["10.244.1.5"]) == (
        HEADER + "10.244.1.5\tweb-0.web.default.svc.cluster.local\tweb-0\n"
        "\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n")


def test_host_network_pods_get_the_nodes_hosts_file():
    node = dns.node_hosts("worker-1")
    text = dns.pod_hosts_file(pod(hostNetwork=True, hostAliases=[{"ip": "1.2.3.4", "hostnames": ["x"]}]),
                              ["192.168.0.101"], node_hosts_text=node)
    assert text == ("# Kubernetes-managed hosts file (host network).\n" + node +
                    "\n# Entries added by HostAliases.\n1.2.3.4\tx\n")
