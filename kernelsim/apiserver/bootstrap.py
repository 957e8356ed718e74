"""Start-up of kube-apiserver: its etcd, and the objects it creates for itself.

Like kube-apiserver's bootstrap controllers, it makes the system namespaces
(default, kube-system, kube-public, kube-node-lease), the ``kubernetes``
Service in ``default`` and the default RBAC ClusterRoles and bindings.  Only the apiserver package creates the etcd store.
"""

from __future__ import annotations

import hashlib

from ..api import errors, resources
from ..etcd.mvcc import MVCCStore
from .admission import SYSTEM_NAMESPACES
from .server import APIServer, RequestContext
from .storage import Storage


def new_apiserver(loop, tracer=None, epoch=None, etcd_snapshot: bytes | None = None) -> APIServer:
    """A kube-apiserver with a fresh etcd member behind it, or one restored from ``etcd_snapshot``
    (``etcdctl snapshot restore``): its watch cache starts from the restored revision."""
    etcd = MVCCStore() if etcd_snapshot is None else MVCCStore.restore(etcd_snapshot)
    return APIServer(Storage(etcd, tracer), loop, loop.rng, tracer, epoch)


def etcd_snapshot(api: APIServer) -> bytes:
    """``etcdctl snapshot save``: the whole etcd state (keys, values, revisions, history)."""
    return api.storage.etcd.snapshot()


def bootstrap_cluster(api: APIServer) -> None:
    ctx = RequestContext(user="system:apiserver", source="kube-apiserver")
    ns = resources.by_plural("", "namespaces")
    for name in SYSTEM_NAMESPACES:
        try:
            api.create(ns, None, {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}, ctx)
        except errors.StatusError as e:
            if e.code != 409:
                raise
    svc = resources.by_plural("", "services")
    try:
        api.create(svc, "default", {
            "apiVersion": "v1", "kind": "Service",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"component": "apiserver", "provider": "kubernetes"}},
            "spec": {"clusterIP": "10.96.0.1", "ports": [{"name": "https", "port": 443, "protocol": "TCP",
                                                           "targetPort": 6443}]},
        }, ctx)
    except errors.StatusError as e:
        if e.code != 409:
            raise
    bootstrap_rbac(api)


class _NameDigest:
    """What ``APIServer.new_uid`` asks of the RNG, answered by a digest of a name."""

    def __init__(self, name: str):
        self.name = name

    def getrandbits(self, k: int) -> int:
        return int.from_bytes(hashlib.sha256(self.name.encode()).digest(), "big") >> (256 - k)


def bootstrap_rbac(api: APIServer) -> None:
    """The RBAC bootstrap policy (the ``rbac/bootstrap-roles`` post-start hook): default
    ClusterRoles and ClusterRoleBindings, created when missing."""
    from . import rbac

    ctx = RequestContext(user="system:apiserver", source="kube-apiserver")
    roles = resources.by_plural(rbac.RBAC_GROUP, "clusterroles")
    bindings = resources.by_plural(rbac.RBAC_GROUP, "clusterrolebindings")
    # Each object's uid is a digest of its kind and name, not a draw from the cluster's one RNG: the
    # policy then leaves pod names, addresses and jitter where they were, and a seed gives the same cluster.
    rng = api.rng
    try:
        for info, objs in ((roles, rbac.bootstrap_cluster_roles()),
                           (bindings, rbac.bootstrap_cluster_role_bindings())):
            for obj in objs:
                api.rng = _NameDigest(f"{obj['kind']}/{obj['metadata']['name']}")
                try:
                    api.create(info, None, obj, ctx)
                except errors.StatusError as e:
                    if e.code != 409:
                        raise
    finally:
        api.rng = rng


def reconcile_master_endpoints(api: APIServer, master_ips: list[str]) -> None:
    """The ``kubernetes`` Service's Endpoints and EndpointSlice: the apiservers themselves
    (kube-apiserver's master endpoint reconciler), so kube-proxy can route 10.96.0.1:443."""
    ctx = RequestContext(user="system:apiserver", source="kube-apiserver")
    ports = [{"name": "https", "port": 6443, "protocol": "TCP"}]
    objects = [
        (resources.by_plural("", "endpoints"), {
            "apiVersion": "v1", "kind": "Endpoints",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"endpointslice.kubernetes.io/skip-mirror": "true"}},
            "subsets": [{"addresses": [{"ip": ip} for ip in master_ips], "ports": ports}]}),
        (resources.by_plural("discovery.k8s.io", "endpointslices"), {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {"name": "kubernetes", "namespace": "default",
                         "labels": {"kubernetes.io/service-name": "kubernetes"}},
            "addressType": "IPv4",
            "endpoints": [{"addresses": [ip], "conditions": {"ready": True}} for ip in master_ips],
            "ports": ports}),
    ]
    for info, obj in objects:
        try:
            current = api.get(info, "default", "kubernetes", ctx)
        except errors.StatusError as e:
            if e.code != 404:
                raise
            api.create(info, "default", obj, ctx)
            continue
        obj["metadata"]["resourceVersion"] = current["metadata"]["resourceVersion"]
        api.update(info, "default", "kubernetes", obj, ctx)
