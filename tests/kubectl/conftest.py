"""The kubectl acceptance tests run against the whole default cluster."""

import pytest


@pytest.fixture
def cluster(full_cluster):
    return full_cluster
