"""Shared fixtures.

``cluster`` is an API server with its etcd and the namespace and
service-account controllers only: component tests start the component they
test themselves, so nothing else acts behind their back.  ``full_cluster`` is
the whole default cluster (1 master, 2 workers, every controller, scheduler,
kubelets and addons).  Both have a fixed epoch; time moves only through
``settle()`` and ``advance()``.
"""

import os

import pytest

os.environ.setdefault("KERNELSIM_REALTIME", "0")  # tests move time with settle()/advance()
os.environ.setdefault("KERNELSIM_SHARE", "0")     # never publish a kubeconfig from tests

EPOCH = "2026-11-26T09:00:00Z"
# An API server with its etcd and two controllers, and nothing else acting.
BARE = dict(controllers=("namespace", "serviceaccount"), scheduler=False, nodes=False, addons=False)


@pytest.fixture
def cluster():
    import kernelsim

    c = kernelsim.Cluster(seed=0, epoch=EPOCH, **BARE)
    yield c
    c.close()


@pytest.fixture
def full_cluster():
    import kernelsim

    c = kernelsim.Cluster(seed=0, epoch=EPOCH)
    yield c
    c.close()


@pytest.fixture
def kubectl(cluster):
    """Run the real kubectl against the test's cluster; returns the KubectlResult."""
    return cluster.kubectl
