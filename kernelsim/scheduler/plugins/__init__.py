"""The in-tree plugins and the default profile (pkg/scheduler/framework/plugins/registry.go
and pkg/scheduler/apis/config/v1/default_plugins.go).

``REGISTRY`` maps a plugin name to its factory; ``DEFAULT_PLUGINS`` lists the
default profile in the real order, with the score weights.
"""

from __future__ import annotations

from .default_preemption import DefaultPreemption
from .inter_pod_affinity import InterPodAffinity
from .node_affinity import NodeAffinity
from .node_name import NodeName
from .node_ports import NodePorts
from .node_resources_fit import BalancedAllocation, NodeResourcesFit
from .node_unschedulable import NodeUnschedulable
from .taint_toleration import TaintToleration

REGISTRY = {
    NodeUnschedulable.name: NodeUnschedulable,
    NodeName.name: NodeName,
    TaintToleration.name: TaintToleration,
    NodeAffinity.name: NodeAffinity,
    NodePorts.name: NodePorts,
    NodeResourcesFit.name: NodeResourcesFit,
    InterPodAffinity.name: InterPodAffinity,
    DefaultPreemption.name: DefaultPreemption,
    BalancedAllocation.name: BalancedAllocation,
}

#: (plugin name, score weight) in the order of the default profile's MultiPoint list
DEFAULT_PLUGINS = (
    ("NodeUnschedulable", None),
    ("NodeName", None),
    ("TaintToleration", 3),
    ("NodeAffinity", 2),
    ("NodePorts", None),
    ("NodeResourcesFit", 1),
    ("InterPodAffinity", 2),
    ("DefaultPreemption", None),
    ("NodeResourcesBalancedAllocation", 1),
)


def new_default_plugins() -> tuple[list, dict[str, int]]:
    """Fresh plugin instances of the default profile and their score weights."""
    plugins = [REGISTRY[name]() for name, _ in DEFAULT_PLUGINS]
    weights = {name: weight for name, weight in DEFAULT_PLUGINS if weight is not None}
    return plugins, weights
