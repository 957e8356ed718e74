"""NodeUnschedulable (pkg/scheduler/framework/plugins/nodeunschedulable): a
cordoned node (``spec.unschedulable: true``, what ``kubectl cordon`` sets)
takes no new pods, unless the pod tolerates the
``node.kubernetes.io/unschedulable:NoSchedule`` taint (DaemonSet pods do)."""

from __future__ import annotations

from ..framework import NodeInfo, Plugin, Status
from .taint_toleration import tolerates

NAME = "NodeUnschedulable"
ERR_REASON_UNSCHEDULABLE = "node(s) were unschedulable"
UNSCHEDULABLE_TAINT = {"key": "node.kubernetes.io/unschedulable", "effect": "NoSchedule"}


class NodeUnschedulable(Plugin):
    name = NAME
    events = ("NodeAdd", "NodeUpdate")

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        if not (node_info.node.get("spec") or {}).get("unschedulable"):
            return None
        if tolerates((pod.get("spec") or {}).get("tolerations") or [], UNSCHEDULABLE_TAINT):
            return None
        return Status.unresolvable(ERR_REASON_UNSCHEDULABLE)
