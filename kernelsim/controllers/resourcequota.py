"""The resource quota controller (pkg/controller/resourcequota) and its usage evaluators.

A ResourceQuota caps what one namespace may hold: object counts (``pods``,
``services``, ``count/deployments.apps``, ...) and compute resources
(``requests.cpu``, ``limits.memory``, ...).  This controller recalculates
``status.used`` whenever something in the namespace changes; the
ResourceQuota admission plugin (in the apiserver) refuses a create that would
go over ``status.hard``, with kube-apiserver's "exceeded quota" message.
"""

from __future__ import annotations

import copy

from ..api import errors
from ..api.quota import WATCHED, usage
from .base import Controller

class ResourceQuotaController(Controller):
    name = "resourcequota-controller"
    watches = ("resourcequotas",) + WATCHED

    def register_handlers(self, resource, informer):
        if resource == "resourcequotas":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new))
            return

        def changed(obj, *_):
            ns = obj["metadata"].get("namespace")
            for q in self.cache().list(ns):
                self.enqueue(q)

        informer.add_handlers(changed, lambda old, new: changed(new), changed)

    def sync(self, key: str) -> None:
        quota = self.cache().get(key)
        if quota is None:
            return
        ns = quota["metadata"]["namespace"]
        hard = (quota.get("spec") or {}).get("hard") or {}
        status = {"hard": dict(hard), "used": usage(self.client, ns, hard)}
        if (quota.get("status") or {}) == status:
            return
        new = copy.deepcopy(quota)
        new["status"] = status
        try:
            self.client.update_status(new)
        except errors.StatusError as e:
            if e.code == 409:
                self.queue.add_rate_limited(key)
            elif e.code != 404:
                raise
