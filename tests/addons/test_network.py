"""The CNI view of the pod network: addresses from each node's pod CIDR."""

import random

import pytest

from kernelsim.addons.network import PodNetwork


def pod(name, ns="default"):
    return {"metadata": {"name": name, "namespace": ns}}


def test_addresses_come_from_the_node_range_and_are_released():
    net = PodNetwork(random.Random(0))
    a = net.setup_pod("worker-1", "10.244.1.0/24", pod("a"))
    b = net.setup_pod("worker-1", "10.244.1.0/24", pod("b"))
    c = net.setup_pod("worker-2", "10.244.2.0/24", pod("c"))
    assert (a, b, c) == ("10.244.1.2", "10.244.1.3", "10.244.2.2")
    assert net.setup_pod("worker-1", "10.244.1.0/24", pod("a")) == a  # CNI ADD is idempotent
    assert net.pod_at(b) == ("worker-1", "default", "b")
    net.teardown_pod("worker-1", pod("a"))
    assert net.pod_at(a) is None
    # host-local continues after the last address it handed out instead of reusing at once
    assert net.setup_pod("worker-1", "10.244.1.0/24", pod("d")) == "10.244.1.4"
    assert net.node_for_ip("10.244.2.77") == "worker-2"


def test_a_full_range_fails_like_host_local():
    net = PodNetwork(random.Random(0))
    for i in range(13):  # a /28 has 13 usable pod addresses (.2 - .14)
        net.setup_pod("n", "10.244.9.0/28", pod(f"p{i}"))
    with pytest.raises(RuntimeError, match="no IP addresses available in range set: 10.244.9.2-10.244.9.14"):
        net.setup_pod("n", "10.244.9.0/28", pod("extra"))
