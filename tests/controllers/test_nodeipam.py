"""Node IPAM: each Node gets a /24 of 10.244.0.0/16 in the order Nodes register."""

import pytest

from kernelsim.controllers.nodeipam import NodeIpamController
from tests.addons.fixtures import make_node, start


def cidrs(api):
    return {n["metadata"]["name"]: (n.get("spec", {}).get("podCIDR"), n.get("spec", {}).get("podCIDRs"))
            for n in api.list("nodes")}


def test_nodes_get_pod_cidrs_in_creation_order(cluster):
    api = cluster._internal
    start(cluster, NodeIpamController)
    for i, name in enumerate(["master-1", "worker-2", "worker-1"]):  # creation order, not name order
        make_node(api, name, f"172.18.0.{i + 2}")
        cluster.settle()
    assert cidrs(api) == {
        "master-1": ("10.244.0.0/24", ["10.244.0.0/24"]),
        "worker-2": ("10.244.1.0/24", ["10.244.1.0/24"]),
        "worker-1": ("10.244.2.0/24", ["10.244.2.0/24"]),
    }
    out = cluster.kubectl(["get", "nodes", "-o", "custom-columns=NAME:.metadata.name,CIDR:.spec.podCIDR"]).stdout
    assert out.splitlines()[1:] == ["master-1   10.244.0.0/24", "worker-1   10.244.2.0/24",
                                    "worker-2   10.244.1.0/24"]


def test_nodes_created_together_get_distinct_blocks_and_keep_them(cluster):
    api = cluster._internal
    for i in range(3):
        make_node(api, f"worker-{i + 1}", f"172.18.0.{i + 2}")
    start(cluster, NodeIpamController)  # nodes that existed before the controller started
    cluster.settle()
    first = cidrs(api)
    assert sorted(c for c, _ in first.values()) == ["10.244.0.0/24", "10.244.1.0/24", "10.244.2.0/24"]
    # A node that leaves releases its block; the allocator moves on round-robin, like cidrset.
    api.delete("nodes", "worker-2", None)
    make_node(api, "worker-4", "172.18.0.9")
    cluster.settle()
    after = cidrs(api)
    assert after["worker-4"][0] == "10.244.3.0/24"
    assert after["worker-1"] == first["worker-1"] and after["worker-3"] == first["worker-3"]


def test_cluster_cidr_and_node_cidr_mask_size(cluster):
    api = cluster._internal
    (ipam,) = start_with(cluster, cluster_cidr="10.128.0.0/9", node_cidr_mask=26)
    assert ipam.blocks == 2 ** 17  # room for 131,072 nodes of 62 pods
    for i in range(3):
        make_node(api, f"worker-{i + 1}", f"172.18.0.{i + 2}")
    cluster.settle()
    assert cidrs(api) == {
        "worker-1": ("10.128.0.0/26", ["10.128.0.0/26"]),
        "worker-2": ("10.128.0.64/26", ["10.128.0.64/26"]),
        "worker-3": ("10.128.0.128/26", ["10.128.0.128/26"]),
    }


def test_a_full_cluster_cidr_leaves_the_next_node_without_one(cluster):
    api = cluster._internal
    start_with(cluster, cluster_cidr="10.244.0.0/23", node_cidr_mask=24)  # two blocks
    for i in range(3):
        make_node(api, f"worker-{i + 1}", f"172.18.0.{i + 2}")
        cluster.settle()
    assert [c for c, _ in cidrs(api).values()] == ["10.244.0.0/24", "10.244.1.0/24", None]
    events = [e for e in api.list("events", "default") if e["reason"] == "CIDRNotAvailable"]
    assert events and events[0]["involvedObject"]["name"] == "worker-3"
    api.delete("nodes", "worker-1", None)   # its block is released...
    api.patch("nodes", "worker-3", {"metadata": {"labels": {"retry": "1"}}}, None)  # ...and a resync takes it
    cluster.settle()
    assert cidrs(api)["worker-3"][0] == "10.244.0.0/24"


def start_with(cluster, **flags):
    client = cluster._internal.with_source("kube-controller-manager")
    c = NodeIpamController(client, cluster.loop, **flags)
    c.start()
    return [c]


@pytest.mark.parametrize("flags, message", [
    ({"cluster_cidr": "10.244.0.0/33"}, "invalid CIDR address: 10.244.0.0/33"),
    ({"cluster_cidr": "10.244.0.0"}, "invalid CIDR address: 10.244.0.0"),
    ({"cluster_cidr": "banana"}, "invalid CIDR address: banana"),
    ({"cluster_cidr": "fd00::/48"}, "single-stack IPv4"),
    ({"cluster_cidr": "10.244.0.0/16", "node_cidr_mask": 12},
     "mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size"),
    ({"node_cidr_mask": 33}, "must be between 1 and 32"),
    ({"node_cidr_mask": "24"}, 'invalid argument \'24\' for "--node-cidr-mask-size" flag'),
])
def test_bad_cluster_cidr_flags_are_refused_before_anything_starts(flags, message):
    import kernelsim

    with pytest.raises(ValueError) as err:
        kernelsim.Cluster(**flags)
    assert message in str(err.value)


def test_a_cluster_of_more_than_256_nodes_gives_every_node_a_block():
    import kernelsim

    with kernelsim.Cluster(workers=0, nodes=False, scheduler=False, addons=False, cluster_cidr="10.128.0.0/9",
                           epoch="2026-11-26T09:00:00Z") as c:
        api = c._internal
        for i in range(300):
            make_node(api, f"worker-{i + 1}", f"172.18.{i // 250}.{i % 250 + 2}")
        c.settle()
        got = cidrs(api)
        assert got["worker-300"][0] == "10.129.43.0/24"   # block 299 (a /16 in /24s has only 256)
        assert len({v[0] for v in got.values()}) == 300


def test_the_flags_show_in_the_manifests():
    from kernelsim.addons.manifests import addon_objects
    from kernelsim.kubeadm import control_plane_manifests

    kcm = control_plane_manifests("master-1", "192.168.0.10", pod_subnet="10.128.0.0/9", node_cidr_mask=25)[2]
    command = kcm["spec"]["containers"][0]["command"]
    assert "--cluster-cidr=10.128.0.0/9" in command and "--node-cidr-mask-size=25" in command
    default = control_plane_manifests("master-1", "192.168.0.10")[2]["spec"]["containers"][0]["command"]
    assert "--cluster-cidr=10.244.0.0/16" in default and not any("mask" in a for a in default)
    objs = {(o["kind"], o["metadata"]["name"]): o for o in addon_objects(pod_subnet="10.128.0.0/9")}
    assert "clusterCIDR: 10.128.0.0/9\n" in objs[("ConfigMap", "kube-proxy")]["data"]["config.conf"]
    env = objs[("DaemonSet", "kindnet")]["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "POD_SUBNET", "value": "10.128.0.0/9"} in env
