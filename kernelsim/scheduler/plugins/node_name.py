"""NodeName (pkg/scheduler/framework/plugins/nodename): a pod that names its
node in ``spec.nodeName`` fits only that node."""

from __future__ import annotations

from ..framework import NodeInfo, Plugin, Status

NAME = "NodeName"
ERR_REASON = "node(s) didn't match the requested node name"


def fits(pod: dict, node_info: NodeInfo) -> bool:
    wanted = (pod.get("spec") or {}).get("nodeName")
    return not wanted or wanted == node_info.name


class NodeName(Plugin):
    name = NAME
    events = ("NodeAdd",)

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        return None if fits(pod, node_info) else Status.unresolvable(ERR_REASON)
