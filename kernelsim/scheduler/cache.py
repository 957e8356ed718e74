"""The scheduler's cache (pkg/scheduler/backend/cache).

It knows every Node and every pod assigned to a node, so each cycle can
take a :class:`Snapshot` of what every node already runs.  A pod the
scheduler has just placed is "assumed" on its node at once -- before the
binding reaches the apiserver and comes back through the watch -- so the
next pod does not land on resources already promised.
"""

from __future__ import annotations

from .framework import NodeInfo, Snapshot, pod_key, resource_list


def is_terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


class SchedulerCache:
    """Nodes, assigned pods and one :class:`NodeInfo` per node, kept up to date event by event
    (as the real cache's nodeInfo list with its generations), so a cycle's snapshot costs
    nothing to take: not a rebuild of every node from every pod."""

    def __init__(self):
        self.nodes: dict[str, dict] = {}
        self.pods: dict[str, dict] = {}      # pod key -> pod with spec.nodeName
        self.assumed: set[str] = set()
        self.infos: dict[str, NodeInfo] = {}               # node name -> NodeInfo (known nodes only)
        self._pods_on: dict[str, dict[str, dict]] = {}     # node name -> pod key -> pod (any node name)
        self._sorted: list[NodeInfo] | None = None
        self._anti_affinity_nodes: set[str] = set()

    # -- nodes -----------------------------------------------------------------
    def add_node(self, node: dict) -> None:
        name = node["metadata"]["name"]
        self.nodes[name] = node
        info = self.infos.get(name)
        if info is None:
            self.infos[name] = NodeInfo(node, self._pods_on.get(name, {}).values())
            self._sorted = None
            self._track_anti_affinity(name)
        else:
            info.node = node
            info.allocatable = resource_list((node.get("status") or {}).get("allocatable"))

    update_node = add_node

    def remove_node(self, node: dict) -> None:
        name = node["metadata"]["name"]
        self.nodes.pop(name, None)
        if self.infos.pop(name, None) is not None:
            self._sorted = None
        self._anti_affinity_nodes.discard(name)

    # -- pods ------------------------------------------------------------------
    def _place(self, key: str, pod: dict) -> None:
        """Put ``pod`` (in place of an older version of it) on its node's NodeInfo."""
        self._unplace(key)
        self.pods[key] = pod
        node = pod["spec"].get("nodeName")
        self._pods_on.setdefault(node, {})[key] = pod
        info = self.infos.get(node)
        if info is not None:
            info.add_pod(pod)
            self._track_anti_affinity(node)

    def _unplace(self, key: str) -> None:
        old = self.pods.pop(key, None)
        if old is None:
            return
        node = old["spec"].get("nodeName")
        on = self._pods_on.get(node)
        if on is not None:
            on.pop(key, None)
            if not on:
                del self._pods_on[node]
        info = self.infos.get(node)
        if info is not None:
            info.remove_pod(old)
            self._track_anti_affinity(node)

    def _track_anti_affinity(self, node: str) -> None:
        info = self.infos.get(node)
        if info is not None and info.pods_with_required_anti_affinity:
            self._anti_affinity_nodes.add(node)
        else:
            self._anti_affinity_nodes.discard(node)

    def add_pod(self, pod: dict) -> None:
        """An assigned pod seen through the watch (confirms an assumed one)."""
        key = pod_key(pod)
        self.assumed.discard(key)
        self._place(key, pod)

    update_pod = add_pod

    def remove_pod(self, pod: dict) -> None:
        key = pod_key(pod)
        self.assumed.discard(key)
        self._unplace(key)

    def assume(self, pod: dict, node_name: str) -> dict:
        """Reserve: count the pod on ``node_name`` before the binding is confirmed."""
        assumed = dict(pod)
        assumed["spec"] = dict(pod["spec"], nodeName=node_name)  # the rest is shared, read-only
        key = pod_key(pod)
        self._place(key, assumed)
        self.assumed.add(key)
        return assumed

    def forget(self, pod: dict) -> None:
        """Unreserve: the binding failed."""
        key = pod_key(pod)
        if key in self.assumed:
            self.assumed.discard(key)
            self._unplace(key)

    def is_assumed(self, pod: dict) -> bool:
        return pod_key(pod) in self.assumed

    # -- the snapshot a cycle works on ---------------------------------------------
    def snapshot(self, namespace_labels=None) -> Snapshot:
        """The nodes by name, with the pods on them (the cache's own NodeInfos: a cycle only reads them)."""
        if self._sorted is None:
            self._sorted = [self.infos[name] for name in sorted(self.infos)]
        anti = [self.infos[name] for name in sorted(self._anti_affinity_nodes)]
        return Snapshot((), namespace_labels, by_name=self.infos, sorted_infos=self._sorted,
                        with_anti_affinity=anti)
