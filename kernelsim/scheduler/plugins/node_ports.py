"""NodePorts (pkg/scheduler/framework/plugins/nodeports): a pod that asks for
a ``hostPort`` needs a node where no other pod holds the same port and protocol."""

from __future__ import annotations

from ..framework import NodeInfo, Plugin, Status, host_ports

NAME = "NodePorts"
ERR_REASON = "node(s) didn't have free ports for the requested pod ports"
_ANY = "0.0.0.0"


def conflicts(wanted: tuple, used: tuple) -> bool:
    (ip, protocol, port), (used_ip, used_protocol, used_port) = wanted, used
    return port == used_port and protocol == used_protocol and (ip == used_ip or _ANY in (ip, used_ip))


def fits(pod: dict, node_info: NodeInfo) -> bool:
    wanted = host_ports(pod)
    if not wanted:
        return True
    used = node_info.used_ports()
    return not any(conflicts(w, u) for w in wanted for u in used)


class NodePorts(Plugin):
    name = NAME
    events = ("NodeAdd", "AssignedPodDelete")

    def pre_filter(self, pod: dict, snapshot) -> Status | None:
        """Skip when the pod claims no host port (as the real PreFilter does)."""
        return None if host_ports(pod) else Status.skip()

    def filter(self, pod: dict, node_info: NodeInfo) -> Status | None:
        return None if fits(pod, node_info) else Status.unschedulable(ERR_REASON)
