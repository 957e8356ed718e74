"""DefaultPreemption (pkg/scheduler/framework/plugins/defaultpreemption), the PostFilter.

When no node fits, the real scheduler looks for nodes where evicting pods
of lower priority would make room.  This simulation reports what that
search finds, with the real wording, but does not evict anyone:

- a node rejected for a reason preemption cannot change ("Unresolvable":
  a taint, a selector, a cordon): "Preemption is not helpful for scheduling";
- a node with no pod of lower priority: "No preemption victims found for incoming pod";
- a node that would still not fit without those pods: the Filter's reason again.
"""

from __future__ import annotations

from ..framework import (UNSCHEDULABLE, NodeInfo, Plugin, Snapshot, Status, fit_error_message,
                         pod_priority)

NAME = "DefaultPreemption"
NOT_HELPFUL = "Preemption is not helpful for scheduling"
NO_VICTIMS = "No preemption victims found for incoming pod"


class DefaultPreemption(Plugin):
    name = NAME

    def post_filter(self, pod: dict, snapshot: Snapshot, statuses: dict[str, Status], run_filters) -> str:
        if (pod.get("spec") or {}).get("preemptionPolicy") == "Never":
            return "preemption: not eligible due to preemptionPolicy=Never."
        node_statuses: dict[str, Status] = {}
        candidates = []
        for node_info in snapshot:
            status = statuses.get(node_info.name)
            if status is None or status.code != UNSCHEDULABLE:
                continue    # absent: "Preemption is not helpful for scheduling"
            verdict = self.select_victims(pod, node_info, run_filters)
            if verdict is None:
                candidates.append(node_info.name)
            else:
                node_statuses[node_info.name] = verdict
        if candidates:
            # The real scheduler would nominate one of these nodes and evict
            # the victims; the simulation stops here and reports the Filter text.
            return ""
        return "preemption: " + fit_error_message(len(snapshot), node_statuses, absent_reasons=(NOT_HELPFUL,))

    @staticmethod
    def select_victims(pod: dict, node_info: NodeInfo, run_filters) -> Status | None:
        """None if removing every lower-priority pod would let ``pod`` fit, else why not."""
        victims = [p for p in node_info.pods if pod_priority(p) < pod_priority(pod)]
        if not victims:
            return Status.unresolvable(NO_VICTIMS)
        without = node_info.clone()
        for victim in victims:
            without.remove_pod(victim)
        return run_filters(pod, without)
