"""Cluster DNS: service, headless, StatefulSet pod, pod and ExternalName names, search paths."""

import pytest

from kernelsim.addons.dns import ClusterDNS, DNSError
from kernelsim.controllers.endpointslice import EndpointSliceController
from tests.addons.fixtures import make_pod, set_ready, start


@pytest.fixture
def dns(cluster):
    api = cluster._internal
    start(cluster, EndpointSliceController)
    api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "my-ns"}})
    make_pod(api, "coredns-1", "10.244.0.2", namespace="kube-system", labels={"k8s-app": "kube-dns"},
             node="master-1")
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "my-svc", "namespace": "my-ns"},
                "spec": {"selector": {"app": "web"}, "ports": [{"port": 80}]}})
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "db", "namespace": "my-ns"},
                "spec": {"clusterIP": "None", "selector": {"app": "db"}, "ports": [{"port": 5432}]}})
    api.create({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "search", "namespace": "my-ns"},
                "spec": {"type": "ExternalName", "externalName": "search.example.com"}})
    for i in range(2):
        make_pod(api, f"db-{i}", f"10.244.1.{10 + i}", namespace="my-ns", labels={"app": "db"},
                 hostname=f"db-{i}", subdomain="db")
    make_pod(api, "db-2", "10.244.1.12", namespace="my-ns", labels={"app": "db"}, hostname="db-2", subdomain="db",
             ready=False)
    cluster.settle()
    return ClusterDNS(api, external={"search.example.com": ["198.51.100.80"]})


def test_service_names_with_every_search_path_form(cluster, dns):
    ip = cluster._internal.get("services", "my-svc", "my-ns")["spec"]["clusterIP"]
    assert dns.resolv_conf("my-ns") == ("search my-ns.svc.cluster.local svc.cluster.local cluster.local\n"
                                        "nameserver 10.96.0.10\noptions ndots:5\n")
    for name in ("my-svc", "my-svc.my-ns", "my-svc.my-ns.svc", "my-svc.my-ns.svc.cluster.local",
                 "my-svc.my-ns.svc.cluster.local."):
        assert dns.resolve(name, "my-ns") == [ip], name
    # From another namespace the short name is not found, the qualified ones are.
    with pytest.raises(DNSError) as e:
        dns.resolve("my-svc", "default")
    assert e.value.kind == "NXDOMAIN"
    assert dns.resolve("my-svc.my-ns", "default") == [ip]
    assert dns.lookup("my-svc.my-ns", "default")[0] == "my-svc.my-ns.svc.cluster.local"
    assert dns.resolve("kubernetes.default") == ["10.96.0.1"]


def test_headless_service_and_statefulset_pod_names(cluster, dns):
    assert dns.resolve("db.my-ns.svc.cluster.local") == ["10.244.1.10", "10.244.1.11"]  # ready pods only
    assert dns.resolve("db-0.db", "my-ns") == ["10.244.1.10"]
    assert dns.resolve("db-1.db.my-ns.svc.cluster.local") == ["10.244.1.11"]
    with pytest.raises(DNSError):
        dns.resolve("db-2.db.my-ns.svc.cluster.local")  # not ready: not published
    set_ready(cluster._internal, "db-2", True, "my-ns")
    cluster.settle()
    assert dns.resolve("db-2.db.my-ns.svc.cluster.local") == ["10.244.1.12"]


def test_pod_names_external_names_and_nxdomain(cluster, dns):
    assert dns.resolve("10-244-1-10.my-ns.pod.cluster.local") == ["10.244.1.10"]
    answer = dns.query("search.my-ns.svc.cluster.local")
    assert answer.records == [("search.my-ns.svc.cluster.local", "CNAME", "search.example.com")]
    assert dns.resolve("search", "my-ns") == ["198.51.100.80"]
    for missing in ("nope.my-ns.svc.cluster.local", "my-svc.other-ns", "example.org"):
        with pytest.raises(DNSError) as e:
            dns.resolve(missing, "my-ns")
        assert e.value.kind == "NXDOMAIN"


def test_no_ready_coredns_pod_means_no_dns(cluster, dns):
    set_ready(cluster._internal, "coredns-1", False, "kube-system")
    with pytest.raises(DNSError) as e:
        dns.resolve("my-svc.my-ns")
    assert e.value.kind == "TIMEOUT" and "no servers could be reached" in str(e.value)
