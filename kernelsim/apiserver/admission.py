"""Admission control: the plugins kube-apiserver runs between authorization and storage.

Mirrors ``plugin/pkg/admission``: NamespaceLifecycle refuses content in a
namespace that is missing or terminating and protects the system
namespaces.
"""

from __future__ import annotations

from ..api import errors

SYSTEM_NAMESPACES = ("default", "kube-system", "kube-public", "kube-node-lease")

# Each plugin: (name, function(request) -> None), run in this order.
# The mutating plugins ServiceAccount (the account's name), Priority and
# DefaultTolerationSeconds live with defaulting in kernelsim.api.defaults.
DEFAULT_PLUGINS = ("NamespaceLifecycle",)


class AdmissionRequest:
    """What an admission plugin sees: the operation, the resource and the objects."""

    def __init__(self, operation: str, info, namespace: str | None, name: str, obj: dict | None,
                 old: dict | None, get_namespace):
        self.operation = operation  # CREATE, UPDATE, DELETE
        self.info = info
        self.namespace = namespace
        self.name = name
        self.object = obj
        self.old = old
        self.get_namespace = get_namespace  # name -> Namespace object or None


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


PLUGINS = {
    "NamespaceLifecycle": namespace_lifecycle,
}


def admit(req: AdmissionRequest, plugins=DEFAULT_PLUGINS) -> None:
    for name in plugins:
        PLUGINS[name](req)
