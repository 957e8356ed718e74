"""Node IPAM: each Node gets a /24 of 10.244.0.0/16 in the order Nodes register."""

from kernelsim.controllers.nodeipam import NodeIpamController
from tests.addons.fixtures import make_node, start


def cidrs(api):
    return {n["metadata"]["name"]: (n["spec"].get("podCIDR"), n["spec"].get("podCIDRs"))
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
