"""The scheduler's cache (pkg/scheduler/backend/cache).

It knows every Node and every pod assigned to a node, so each cycle can
take a :class:`Snapshot` of what every node already runs.  A pod the
scheduler has just placed is "assumed" on its node at once -- before the
binding reaches the apiserver and comes back through the watch -- so the
next pod does not land on resources already promised.
"""

from __future__ import annotations

import copy

from .framework import NodeInfo, Snapshot, pod_key


def is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class SchedulerCache:
    def __init__(self):
        self.nodes: dict[str, dict] = {}
        self.pods: dict[str, dict] = {}      # pod key -> pod with spec.nodeName
        self.assumed: set[str] = set()

    # -- nodes -----------------------------------------------------------------
    def add_node(self, node: dict) -> None:
        self.nodes[node["metadata"]["name"]] = node

    update_node = add_node

    def remove_node(self, node: dict) -> None:
        self.nodes.pop(node["metadata"]["name"], None)

    # -- pods ------------------------------------------------------------------
    def add_pod(self, pod: dict) -> None:
        """An assigned pod seen through the watch (confirms an assumed one)."""
        key = pod_key(pod)
        self.assumed.discard(key)
        self.pods[key] = pod

    update_pod = add_pod

    def remove_pod(self, pod: dict) -> None:
        key = pod_key(pod)
        self.assumed.discard(key)
        self.pods.pop(key, None)

    def assume(self, pod: dict, node_name: str) -> dict:
        """Reserve: count the pod on ``node_name`` before the binding is confirmed."""
        assumed = copy.deepcopy(pod)
        assumed["spec"]["nodeName"] = node_name
        key = pod_key(pod)
        self.pods[key] = assumed
        self.assumed.add(key)
        return assumed

    def forget(self, pod: dict) -> None:
        """Unreserve: the binding failed."""
        key = pod_key(pod)
        if key in self.assumed:
            self.assumed.discard(key)
            self.pods.pop(key, None)

    def is_assumed(self, pod: dict) -> bool:
        return pod_key(pod) in self.assumed

    # -- the snapshot a cycle works on ---------------------------------------------
    def snapshot(self, namespace_labels=None) -> Snapshot:
        infos = {name: NodeInfo(node) for name, node in self.nodes.items()}
        for key in sorted(self.pods):
            pod = self.pods[key]
            info = infos.get(pod["spec"].get("nodeName"))
            if info is not None:
                info.add_pod(pod)
        return Snapshot(infos.values(), namespace_labels)
