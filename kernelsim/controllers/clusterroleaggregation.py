"""The ClusterRole aggregation controller (pkg/controller/clusterroleaggregation).

A ClusterRole with an ``aggregationRule`` owns no rules of its own: this
controller sets its ``rules`` to the union, in name order and without
duplicates, of the rules of every ClusterRole that one of its
``clusterRoleSelectors`` selects.  That is how ``admin``, ``edit`` and
``view`` are filled from ``system:aggregate-to-*``, and how a ClusterRole
labelled ``rbac.authorization.k8s.io/aggregate-to-view: "true"`` extends
``view`` for every user bound to it.
"""

from __future__ import annotations

import copy

from ..api import errors
from ..api.selectors import label_selector_from_api
from .base import Controller


class ClusterRoleAggregationController(Controller):
    name = "clusterrole-aggregation-controller"
    watches = ("clusterroles",)

    def register_handlers(self, resource, informer):
        # Any change to any ClusterRole may change what an aggregated role selects.
        def changed(*_):
            for role in self.cache().list():
                if role.get("aggregationRule"):
                    self.enqueue(role)

        informer.add_handlers(changed, changed, changed)

    def sync(self, key: str) -> None:
        role = self.cache().get(key)
        if role is None or not role.get("aggregationRule"):
            return
        selectors = [label_selector_from_api(s) for s in role["aggregationRule"].get("clusterRoleSelectors") or []
                     if isinstance(s, dict)]
        rules: list = []
        for other in sorted(self.cache().list(), key=lambda r: r["metadata"]["name"]):
            if other["metadata"]["name"] == role["metadata"]["name"]:
                continue
            labels = other["metadata"].get("labels") or {}
            if not any(s.matches(labels) for s in selectors):
                continue
            for rule in other.get("rules") or []:
                if rule not in rules:
                    rules.append(rule)
        if (role.get("rules") or []) == rules:
            return
        new = copy.deepcopy(role)
        new["rules"] = rules
        try:
            self.client.update(new)
        except errors.StatusError as e:
            if e.code == 409:
                self.queue.add_rate_limited(key)
            elif e.code != 404:
                raise
