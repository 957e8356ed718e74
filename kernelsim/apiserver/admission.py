"""Admission control: the plugins kube-apiserver runs between authorization and storage.

Mirrors ``plugin/pkg/admission``: NamespaceLifecycle refuses content in a
namespace that is missing or terminating and protects the system
namespaces; LimitRanger (``limitranger.py``) defaults and bounds container
resources; ResourceQuota refuses what would exceed a quota.
"""

from __future__ import annotations

from ..api import errors

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

# Each plugin: (name, function(request) -> None), run in this order.
# The mutating plugins ServiceAccount (the account's name), Priority and
# DefaultTolerationSeconds live with defaulting in kernelsim.api.defaults.
DEFAULT_PLUGINS = ("NamespaceLifecycle", "LimitRanger", "ServiceAccount", "ResourceQuota")


class AdmissionRequest:
    """What an admission plugin sees: the operation, the resource and the objects."""

    def __init__(self, operation: str, info, namespace: str | None, name: str, obj: dict | None,
                 old: dict | None, get_namespace, list_objects=None):
        self.operation = operation  # CREATE, UPDATE, DELETE
        self.info = info
        self.namespace = namespace
        self.name = name
        self.object = obj
        self.old = old
        self.get_namespace = get_namespace  # name -> Namespace object or None
        self.list_objects = list_objects    # (resource, namespace) -> objects


def namespace_lifecycle(req: AdmissionRequest) -> None:
    info = req.info
    if info.group == "" and info.plural == "namespaces":
        if req.operation == "DELETE" and req.name in SYSTEM_NAMESPACES:
            raise errors.forbidden("namespaces", req.name, "this namespace may not be deleted")
        return
    if not info.namespaced or req.operation != "CREATE":
        return
    ns = req.get_namespace(req.namespace)
    if ns is None:
        raise errors.not_found("namespaces", req.namespace)
    if ns.get("status", {}).get("phase") == "Terminating" or ns["metadata"].get("deletionTimestamp"):
        # Events may still be written into a terminating namespace.
        if info.plural == "events":
            return
        raise errors.forbidden(
            info.plural, req.name,
            f"unable to create new content in namespace {req.namespace} because it is being terminated",
            info.group)


class _Lister:
    """What the quota evaluators need from the API: list(resource, namespace)."""

    def __init__(self, list_fn):
        self._list = list_fn

    def list(self, resource: str, namespace: str | None = None) -> list[dict]:
        return self._list(resource, namespace)


def resource_quota(req: AdmissionRequest) -> None:
    """ResourceQuota: refuse a create that would take a namespace over one of its quotas."""
    from ..api import quota

    if req.operation != "CREATE" or not req.info.namespaced or req.info.plural == "events" \
            or req.list_objects is None:
        return
    quotas = req.list_objects("resourcequotas", req.namespace)
    if not quotas:
        return
    requested = quota.object_usage(req.info, req.object or {})
    lister = _Lister(req.list_objects)
    compute = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "cpu", "memory")
    for q in quotas:
        hard = (q.get("spec") or {}).get("hard") or {}
        if req.info.group == "" and req.info.plural == "pods":
            # A quota on compute resources makes them mandatory for every container.
            spec = (req.object or {}).get("spec") or {}
            for name in sorted(k for k in hard if k in compute):
                kind, _, res = name.rpartition(".")
                kind = kind or "requests"
                missing = [c.get("name", "") for c in spec.get("containers") or []
                           if res not in ((c.get("resources") or {}).get(kind) or {})]
                if missing:
                    raise errors.forbidden(req.info.plural, req.name,
                                           f"failed quota: {q['metadata']['name']}: must specify {name} for: "
                                           f"{','.join(missing)}")
        relevant = {k: v for k, v in requested.items() if k in hard}
        if not relevant:
            continue
        used = quota.usage(lister, req.namespace, {k: hard[k] for k in relevant})
        over = quota.exceeded(hard, used, relevant)
        if over:
            fmt = lambda d: ",".join(f"{k}={quota.format_value(k, d[k])}" for k in over)  # noqa: E731
            raise errors.forbidden(
                req.info.plural, req.name,
                f"exceeded quota: {q['metadata']['name']}, requested: {fmt(relevant)}, used: {fmt(used)}, "
                f"limited: {fmt(hard)}", req.info.group)


def limit_ranger(req: AdmissionRequest) -> None:
    from .limitranger import limit_ranger as admit_limits

    admit_limits(req)


TOKEN_PATH = "/var/run/secrets/kubernetes.io/serviceaccount"


def service_account(req: AdmissionRequest) -> None:
    """ServiceAccount (plugin/pkg/admission/serviceaccount): mount the account's token, the cluster CA and
    the namespace at /var/run/secrets/kubernetes.io/serviceaccount in every container, through a projected
    ``kube-api-access-*`` volume, unless the pod or its account turns automounting off."""
    import hashlib

    if req.operation != "CREATE" or req.info.group != "" or req.info.plural != "pods" \
            or not isinstance(req.object, dict):
        return
    meta, spec = req.object.get("metadata"), req.object.get("spec")
    if not isinstance(meta, dict) or not isinstance(spec, dict):
        return
    if "kubernetes.io/config.mirror" in (meta.get("annotations") or {}):
        return  # mirror pods of static pods have no service account
    sa_name = spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"
    automount = spec.get("automountServiceAccountToken")
    if automount is None and req.list_objects is not None:
        account = next((a for a in req.list_objects("serviceaccounts", req.namespace)
                        if a["metadata"]["name"] == sa_name), None)
        automount = (account or {}).get("automountServiceAccountToken")
    if automount is False:
        return
    containers = [c for key in ("initContainers", "containers") for c in spec.get(key) or [] if isinstance(c, dict)]
    volumes = spec.get("volumes") if isinstance(spec.get("volumes"), list) else []
    if any(isinstance(v, dict) and str(v.get("name", "")).startswith("kube-api-access-") for v in volumes):
        return
    # The real plugin draws 5 random characters; a digest of the pod's name keeps the simulation's RNG untouched.
    digest = hashlib.sha256(f"{req.namespace}/{meta.get('name') or meta.get('generateName')}".encode()).digest()
    name = "kube-api-access-" + "".join("bcdfghjklmnpqrstvwxz2456789"[b % 27] for b in digest[:5])
    mounted = False
    for c in containers:
        mounts = c.get("volumeMounts") if isinstance(c.get("volumeMounts"), list) else None
        if any(isinstance(m, dict) and m.get("mountPath") == TOKEN_PATH for m in mounts or []):
            continue
        c["volumeMounts"] = (mounts or []) + [{"name": name, "readOnly": True, "mountPath": TOKEN_PATH}]
        mounted = True
    if not mounted:
        return
    spec["volumes"] = volumes + [{"name": name, "projected": {"sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                      "fieldPath": "metadata.namespace"}}]}}],
        "defaultMode": 420}}]


PLUGINS = {
    "NamespaceLifecycle": namespace_lifecycle,
    "LimitRanger": limit_ranger,
    "ServiceAccount": service_account,
    "ResourceQuota": resource_quota,
}


def admit(req: AdmissionRequest, plugins=DEFAULT_PLUGINS) -> None:
    for name in plugins:
        PLUGINS[name](req)
