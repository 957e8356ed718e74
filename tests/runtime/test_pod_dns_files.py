"""What a pod's containers see of DNS: /etc/resolv.conf, /etc/hosts and busybox nslookup,
read with the real kubectl from a running cluster (the kubelet's DNS configurer, the
runtime's sandbox files and CoreDNS together)."""

import pytest

import kernelsim

EPOCH = "2026-11-26T09:00:00Z"

PODS = """
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: cart, namespace: shop}
spec:
  selector: {app: cart}
  ports: [{port: 80}]
---
apiVersion: v1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  clusterIP: None
  selector: {app: db}
  ports: [{port: 5432}]
---
apiVersion: v1
kind: Pod
metadata: {name: db-0, namespace: shop, labels: {app: db}}
spec:
  hostname: db-0
  subdomain: db
  hostAliases:
  - {ip: 127.0.0.1, hostnames: [foo.local, bar.local]}
  - {ip: 10.1.2.3, hostnames: [foo.remote]}
  containers:
  - {name: db, image: busybox, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: custom, namespace: default}
spec:
  dnsPolicy: None
  dnsConfig:
    nameservers: [1.2.3.4]
    searches: [ns1.svc.cluster-domain.example, my.dns.search.suffix]
    options:
    - {name: ndots, value: "2"}
    - {name: edns0}
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
---
apiVersion: v1
kind: Pod
metadata: {name: hostnet, namespace: default}
spec:
  hostNetwork: true
  nodeName: worker-1
  containers:
  - {name: c, image: busybox, command: [sleep, "3600"]}
"""

LOCALHOST = ("# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
             "fe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n")


@pytest.fixture(scope="module")
def cluster():
    c = kernelsim.Cluster(seed=0, epoch=EPOCH, realtime=False)
    c.kubectl("run client --image=busybox -- sleep 3600")
    c.kubectl("create deployment web --image=nginx")
    c.kubectl("expose deployment web --port=80")
    r = c.kubectl("apply -f -", input=PODS)
    assert r.returncode == 0, r.stderr
    c.advance(20)
    yield c
    c.close()


def exec_(cluster, target, command):
    return cluster.kubectl(f"exec {target} -- {command}")


def pod_ip(cluster, name, namespace="default"):
    return cluster.api.get("pods", name, namespace)["status"]["podIP"]


def test_cluster_first_resolv_conf(cluster):
    r = exec_(cluster, "client", "cat /etc/resolv.conf")
    assert (r.returncode, r.stdout) == (0, "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                           "nameserver 10.96.0.10\noptions ndots:5\n")
    r = exec_(cluster, "-n shop db-0", "cat /etc/resolv.conf")
    assert r.stdout.startswith("search shop.svc.cluster.local svc.cluster.local cluster.local\n")


def test_hosts_file_names_the_pod(cluster):
    r = exec_(cluster, "client", "cat /etc/hosts")
    assert (r.returncode, r.stdout) == (0, LOCALHOST + f"{pod_ip(cluster, 'client')}\tclient\n")


def test_hosts_file_with_subdomain_and_host_aliases(cluster):
    r = exec_(cluster, "-n shop db-0", "cat /etc/hosts")
    assert r.stdout == (LOCALHOST + f"{pod_ip(cluster, 'db-0', 'shop')}\tdb-0.db.shop.svc.cluster.local\tdb-0\n"
                        "\n# Entries added by HostAliases.\n127.0.0.1\tfoo.local\tbar.local\n10.1.2.3\tfoo.remote\n")


def test_dns_policy_none_uses_only_the_dns_config(cluster):
    r = exec_(cluster, "custom", "cat /etc/resolv.conf")
    assert r.stdout == ("search ns1.svc.cluster-domain.example my.dns.search.suffix\n"
                        "nameserver 1.2.3.4\noptions ndots:2 edns0\n")


def test_host_network_pod_gets_the_nodes_files(cluster):
    resolv = exec_(cluster, "hostnet", "cat /etc/resolv.conf").stdout
    assert resolv.endswith("nameserver 192.168.0.1\n") and "10.96.0.10" not in resolv
    hosts = exec_(cluster, "hostnet", "cat /etc/hosts").stdout
    assert hosts.startswith("# Kubernetes-managed hosts file (host network).\n127.0.0.1 localhost\n"
                            "127.0.1.1 worker-1\n")
    # the node's resolver knows nothing of cluster.local
    r = exec_(cluster, "hostnet", "nslookup web.default.svc.cluster.local")
    assert r.returncode == 1 and "** server can't find web.default.svc.cluster.local: NXDOMAIN" in r.stdout


def test_nslookup_follows_the_search_list(cluster):
    web_ip = cluster.api.get("services", "web", "default")["spec"]["clusterIP"]
    r = exec_(cluster, "client", "nslookup web")
    assert (r.returncode, r.stdout) == (0, "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n"
                                           f"Name:\tweb.default.svc.cluster.local\nAddress: {web_ip}\n\n")
    cart_ip = cluster.api.get("services", "cart", "shop")["spec"]["clusterIP"]
    r = exec_(cluster, "client", "nslookup cart.shop")
    assert f"Name:\tcart.shop.svc.cluster.local\nAddress: {cart_ip}\n" in r.stdout
    r = exec_(cluster, "-n shop db-0", "nslookup cart")  # the pod's own namespace comes first
    assert f"Name:\tcart.shop.svc.cluster.local\nAddress: {cart_ip}\n" in r.stdout
    r = exec_(cluster, "client", "nslookup db-0.db.shop")  # a headless Service's pod by hostname
    assert f"Name:\tdb-0.db.shop.svc.cluster.local\nAddress: {pod_ip(cluster, 'db-0', 'shop')}\n" in r.stdout


def test_nslookup_of_an_unknown_name_is_nxdomain(cluster):
    r = exec_(cluster, "client", "nslookup cart")  # cart lives in shop, not in default
    assert r.returncode == 1
    assert r.stdout == "Server:\t\t10.96.0.10\nAddress:\t10.96.0.10:53\n\n** server can't find cart: NXDOMAIN\n\n"
