"""Shared fixtures: a fresh simulated cluster per test, with a fixed epoch."""

import os

import pytest

os.environ.setdefault("KERNELSIM_REALTIME", "0")  # tests move time with settle()/advance()


@pytest.fixture
def cluster():
    import kernelsim

    c = kernelsim.Cluster(seed=0, epoch="2026-11-26T09:00:00Z")
    yield c
    c.close()


@pytest.fixture
def kubectl(cluster):
    """Run the real kubectl against the test's cluster; returns the KubectlResult."""
    return cluster.kubectl
