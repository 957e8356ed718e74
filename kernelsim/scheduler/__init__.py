"""kube-scheduler: the scheduling framework, its default plugins and the scheduler itself.

``Scheduler(client, loop, tracer=None).start()`` watches pods and nodes and
binds every pending pod to a node; ``scheduler.decisions[pod key]`` tells why.
"""

from .framework import (Decision, FilterResult, FitError, Framework, NodeInfo, Plugin, Snapshot, Status,
                        fit_error_message)
from .plugins import DEFAULT_PLUGINS, REGISTRY, new_default_plugins
from .scheduler import Scheduler

__all__ = ["Decision", "FilterResult", "FitError", "Framework", "NodeInfo", "Plugin", "Snapshot", "Status",
           "fit_error_message", "DEFAULT_PLUGINS", "REGISTRY", "new_default_plugins", "Scheduler"]
