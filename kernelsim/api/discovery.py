"""API discovery documents, built from the resource registry.

Mirrors what kube-apiserver serves at ``/api`` and ``/apis``: the aggregated
``apidiscovery.k8s.io/v2`` ``APIGroupDiscoveryList`` that kubectl asks for
(``k8s.io/apiserver/pkg/endpoints/discovery/aggregated``), and the legacy
``APIVersions``, ``APIGroupList``, ``APIGroup`` and ``APIResourceList``
documents that older clients and the Python DynamicClient read
(``k8s.io/apiserver/pkg/endpoints/discovery``).
"""

from __future__ import annotations

from .resources import REGISTRY, ResourceInfo, groups

AGGREGATED_CONTENT_TYPE = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"

# The order of the named groups in /apis: kube-apiserver sorts them by the
# priority of their APIService (the built-in priorities of kube-aggregator).
_GROUP_ORDER = (
    "apiregistration.k8s.io", "apps", "events.k8s.io", "authentication.k8s.io", "authorization.k8s.io",
    "autoscaling", "batch", "certificates.k8s.io", "networking.k8s.io", "policy", "rbac.authorization.k8s.io",
    "storage.k8s.io", "admissionregistration.k8s.io", "apiextensions.k8s.io", "scheduling.k8s.io",
    "coordination.k8s.io", "node.k8s.io", "discovery.k8s.io", "flowcontrol.apiserver.k8s.io", "resource.k8s.io",
    "storagemigration.k8s.io",
)

# subresource -> (verbs, response kind as (group, version, kind) or None for the parent's kind)
_SUBRESOURCES = {
    "approval": (("get", "patch", "update"), None),
    "attach": (("create", "get"), ("", "v1", "PodAttachOptions")),
    "binding": (("create",), ("", "v1", "Binding")),
    "ephemeralcontainers": (("get", "patch", "update"), None),
    "eviction": (("create",), ("policy", "v1", "Eviction")),
    "exec": (("create", "get"), ("", "v1", "PodExecOptions")),
    "finalize": (("update",), None),
    "log": (("get",), None),
    "portforward": (("create", "get"), ("", "v1", "PodPortForwardOptions")),
    "resize": (("get", "patch", "update"), None),
    "scale": (("get", "patch", "update"), ("autoscaling", "v1", "Scale")),
    "status": (("get", "patch", "update"), None),
    "token": (("create",), ("authentication.k8s.io", "v1", "TokenRequest")),
}
_PROXY_VERBS = ("create", "delete", "get", "patch", "update")
_PROXY_KINDS = {"pods": "PodProxyOptions", "nodes": "NodeProxyOptions", "services": "ServiceProxyOptions"}


def subresource_info(info: ResourceInfo, sub: str) -> tuple[tuple, tuple]:
    """(verbs, (group, version, kind) of the response) of one subresource."""
    if sub == "proxy":
        return _PROXY_VERBS, ("", "v1", _PROXY_KINDS.get(info.plural, info.kind))
    verbs, gvk = _SUBRESOURCES.get(sub, (("get", "patch", "update"), None))
    return verbs, gvk or (info.group, info.version, info.kind)


# ``extra`` everywhere below: the resources of aggregated APIs that are available now
# (an APIService whose service answers, e.g. metrics.k8s.io from metrics-server).

def _resources(group: str, version: str, extra=()) -> list[ResourceInfo]:
    return sorted((r for r in (*REGISTRY, *extra) if r.group == group and r.version == version),
                  key=lambda r: r.plural)


def _all_group_versions(extra=()) -> list[tuple[str, str]]:
    out = list(groups())
    for r in extra:
        if (r.group, r.version) not in out:
            out.append((r.group, r.version))
    return out


def _named_groups(extra=()) -> list[str]:
    names = []
    for g, _ in _all_group_versions(extra):
        if g and g not in names:
            names.append(g)
    rank = {g: i for i, g in enumerate(_GROUP_ORDER)}
    return sorted(names, key=lambda g: (rank.get(g, len(rank)), g))


def _versions(group: str, extra=()) -> list[str]:
    return [v for g, v in _all_group_versions(extra) if g == group]


def _gvk(group: str, version: str, kind: str) -> dict:
    return {"group": group, "version": version, "kind": kind}


# --- aggregated discovery (apidiscovery.k8s.io/v2) ---

def _resource_discovery(r: ResourceInfo) -> dict:
    out = {
        "resource": r.plural,
        "responseKind": _gvk(r.group, r.version, r.kind),
        "scope": "Namespaced" if r.namespaced else "Cluster",
        "singularResource": r.singular_name,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    if r.subresources:
        subs = []
        for sub in sorted(r.subresources):
            verbs, gvk = subresource_info(r, sub)
            subs.append({"subresource": sub, "responseKind": _gvk(*gvk), "verbs": list(verbs)})
        out["subresources"] = subs
    return out


def _group_discovery(group: str, extra=()) -> dict:
    meta = {"name": group, "creationTimestamp": None} if group else {"creationTimestamp": None}
    return {
        "metadata": meta,
        "versions": [
            {"version": v, "resources": [_resource_discovery(r) for r in _resources(group, v, extra)],
             "freshness": "Current"}
            for v in _versions(group, extra)
        ],
    }


def aggregated_discovery(legacy: bool, extra=()) -> dict:
    """The ``APIGroupDiscoveryList`` for ``GET /api`` (legacy=True) or ``GET /apis``."""
    group_names = [""] if legacy else _named_groups(extra)
    return {
        "kind": "APIGroupDiscoveryList",
        "apiVersion": "apidiscovery.k8s.io/v2",
        "metadata": {},
        "items": [_group_discovery(g, extra) for g in group_names],
    }


# --- legacy discovery ---

def api_versions(server_address: str = "127.0.0.1:6443") -> dict:
    """``GET /api``: the ``APIVersions`` of the core group."""
    return {
        "kind": "APIVersions",
        "versions": _versions(""),
        "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}],
    }


def _group_versions(group: str, extra=()) -> list[dict]:
    return [{"groupVersion": f"{group}/{v}", "version": v} for v in _versions(group, extra)]


def _api_group_body(group: str, extra=()) -> dict:
    versions = _group_versions(group, extra)
    return {"name": group, "versions": versions, "preferredVersion": versions[0]}


def api_group_list(extra=()) -> dict:
    """``GET /apis``: the ``APIGroupList`` of every named group."""
    return {"kind": "APIGroupList", "apiVersion": "v1",
            "groups": [_api_group_body(g, extra) for g in _named_groups(extra)]}


def api_group(group: str, extra=()) -> dict | None:
    """``GET /apis/<group>``: one ``APIGroup``, or None when the group is unknown."""
    if not group or not _versions(group, extra):
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_api_group_body(group, extra)}


def _api_resource(r: ResourceInfo) -> dict:
    out = {
        "name": r.plural,
        "singularName": r.singular_name,
        "namespaced": r.namespaced,
        "kind": r.kind,
        "verbs": list(r.verbs),
    }
    if r.short_names:
        out["shortNames"] = list(r.short_names)
    if r.categories:
        out["categories"] = list(r.categories)
    return out


def _api_subresource(r: ResourceInfo, sub: str) -> dict:
    verbs, (group, version, kind) = subresource_info(r, sub)
    out = {"name": f"{r.plural}/{sub}", "singularName": "", "namespaced": r.namespaced}
    if (group, version) != (r.group, r.version):
        out["group"] = group
        out["version"] = version
    out["kind"] = kind
    out["verbs"] = list(verbs)
    return out


def api_resource_list(group: str, version: str, extra=()) -> dict | None:
    """``GET /api/v1`` or ``GET /apis/<group>/<version>``: the ``APIResourceList``."""
    resources = _resources(group, version, extra)
    if not resources:
        return None
    entries = []
    for r in resources:
        entries.append(_api_resource(r))
        entries += [_api_subresource(r, sub) for sub in sorted(r.subresources)]
    out = {"kind": "APIResourceList"}
    if group:
        out["apiVersion"] = "v1"
    out["groupVersion"] = f"{group}/{version}" if group else version
    out["resources"] = entries
    return out
