"""The namespace controller (pkg/controller/namespace).

When a namespace is deleted it becomes Terminating; this controller deletes
every object inside it and, once nothing is left, removes the ``kubernetes``
finalizer through the ``finalize`` subresource so that the apiserver can
remove the namespace itself.
"""

from __future__ import annotations

import copy

from ..api import errors, resources
from .base import Controller


class NamespaceController(Controller):
    name = "namespace-controller"
    watches = ("namespaces",)
    recheck_after = 1.0  # seconds of simulated time between passes while content remains

    def sync(self, key: str) -> None:
        ns = self.cache().get(key)
        if ns is None or not ns["metadata"].get("deletionTimestamp"):
            return
        api, ctx = self.client.apiserver, self.client._ctx()
        remaining = 0
        for info in resources.REGISTRY:
            if not info.namespaced or "list" not in info.verbs or "delete" not in info.verbs:
                continue
            for obj in api.list(info, key, ctx)["items"]:
                remaining += 1
                if obj["metadata"].get("deletionTimestamp"):
                    continue
                try:
                    api.delete(info, key, obj["metadata"]["name"], ctx, {"propagationPolicy": "Background"})
                except errors.StatusError as e:
                    if e.code != 404:
                        raise
        if remaining:
            # Check again soon: terminating pods take their grace period.
            still = sum(len(api.list(info, key, ctx)["items"]) for info in resources.REGISTRY
                        if info.namespaced and "list" in info.verbs and "delete" in info.verbs)
            if still:
                self.queue.add_after(key, self.recheck_after)
                return
        fresh = api.get(resources.by_plural("", "namespaces"), None, key, ctx)
        fin = copy.deepcopy(fresh)
        fin.setdefault("spec", {})["finalizers"] = [f for f in fin["spec"].get("finalizers", [])
                                                    if f != "kubernetes"]
        api.update(resources.by_plural("", "namespaces"), None, key, fin, ctx, subresource="finalize")
