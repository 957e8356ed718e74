"""The pod garbage collector (pkg/controller/podgc).

Pods bound to a node that no longer exists (its cloud instance was removed,
so the cloud-controller-manager deleted the Node) can never be finished by a
kubelet.  After the node has been missing for ``quarantine`` seconds, this
controller deletes such pods at once (grace period 0), so that their
controllers see them gone and the cluster's picture is true again.
"""

from __future__ import annotations

from ..api import errors
from .base import Controller

GC_CHECK_PERIOD = 20.0  # the real controller's gcCheckPeriod
QUARANTINE = 40.0       # how long a node must be missing before its pods are collected


class PodGCController(Controller):
    name = "pod-garbage-collector"
    watches = ("nodes", "pods")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self._missing_since: dict[str, float] = {}

    def register_handlers(self, resource, informer):
        pass  # a periodic sweep, as the real controller does

    def start(self) -> None:
        super().start()
        self.loop.call_later(GC_CHECK_PERIOD, self._sweep, "podgc sweep", background=True)

    def _sweep(self) -> None:
        try:
            self.queue.add("orphaned")
        finally:
            self.loop.call_later(GC_CHECK_PERIOD, self._sweep, "podgc sweep", background=True)

    def sync(self, key: str) -> None:
        nodes = {n["metadata"]["name"] for n in self.cache("nodes").list()}
        now = self.loop.now
        for pod in self.cache("pods").list():
            node = (pod.get("spec") or {}).get("nodeName")
            if not node or node in nodes:
                self._missing_since.pop(node or "", None)
                continue
            since = self._missing_since.setdefault(node, now)
            if now - since < QUARANTINE:
                continue
            meta = pod["metadata"]
            try:
                self.client.delete("pods", meta["name"], meta["namespace"], grace_period_seconds=0)
            except errors.StatusError as e:
                if e.code != 404:
                    raise
