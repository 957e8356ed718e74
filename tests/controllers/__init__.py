"""Helpers for the controller tests.

There is no kubelet or scheduler in these tests: ``KubeletStandIn`` plays both
parts through the API, as little as possible.  It binds each new pod to a
node, reports it Running and Ready after ``ready_after`` simulated seconds,
and finishes a graceful deletion after ``kill_after`` seconds, the way a
kubelet does (a delete with gracePeriodSeconds=0).
"""

from __future__ import annotations

import importlib

from kernelsim.api import errors


def start_controllers(cluster, *names: str) -> dict:
    """Start controllers by module name (``replicaset``, ``deployment``, ``garbagecollector``)."""
    classes = {"replicaset": "ReplicaSetController", "deployment": "DeploymentController",
               "garbagecollector": "GarbageCollectorController"}
    started = {}
    running = {type(c).__name__: c for c in getattr(cluster.controller_manager, "controllers", {}).values()}
    with cluster.lock:
        for name in names:
            if classes[name] in running:  # kube-controller-manager already runs it
                started[name] = running[classes[name]]
                continue
            module = importlib.import_module(f"kernelsim.controllers.{name}")
            controller = getattr(module, classes[name])(cluster._internal, cluster.loop)
            controller.start()
            started[name] = controller
    return started


class KubeletStandIn:
    def __init__(self, cluster, nodes=("worker-1", "worker-2"), ready_after: float | None = 1.0,
                 kill_after: float = 1.0):
        self.cluster = cluster
        self.client = cluster._internal.with_source("kubelet(stand-in)")
        self.nodes = list(nodes)
        self.ready_after = ready_after
        self.kill_after = kill_after
        self._next = 0
        self._killing: set[str] = set()
        with cluster.lock:
            self._watch = self.client.watch("pods", self._on_event)

    def _on_event(self, etype: str, pod: dict) -> None:
        meta = pod["metadata"]
        if etype == "DELETED":
            return
        if meta.get("deletionTimestamp"):
            if meta["uid"] not in self._killing:
                self._killing.add(meta["uid"])
                self.cluster.loop.call_later(self.kill_after, lambda: self._finish_deletion(pod),
                                             "stand-in kill pod")
            return
        if not (pod.get("spec") or {}).get("nodeName") and self.nodes:
            node = self.nodes[self._next % len(self.nodes)]
            self._next += 1
            try:
                self.client.bind(pod, node)
            except errors.StatusError:
                return
            if self.ready_after is not None:
                self.cluster.loop.call_later(self.ready_after, lambda: self.make_ready(meta["namespace"], meta["name"]),
                                             "stand-in start pod")

    def _finish_deletion(self, pod: dict) -> None:
        try:
            self.client.delete("pods", pod["metadata"]["name"], pod["metadata"]["namespace"], grace_period_seconds=0)
        except errors.StatusError:
            pass

    def make_ready(self, namespace: str, name: str) -> None:
        """Report the pod Running with every container ready, as the kubelet would."""
        try:
            pod = self.client.get("pods", name, namespace)
        except errors.StatusError:
            return
        if pod["metadata"].get("deletionTimestamp"):
            return
        now = self.client.apiserver.timestamp()
        conditions = [{"type": t, "status": "True", "lastProbeTime": None, "lastTransitionTime": now}
                      for t in ("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady",
                                "PodScheduled")]
        pod["status"] = {
            "phase": "Running", "conditions": conditions, "hostIP": "10.0.0.2", "podIP": "10.244.1.2",
            "startTime": now,
            "containerStatuses": [{"name": c["name"], "image": c.get("image", ""), "imageID": "", "ready": True,
                                   "restartCount": 0, "started": True,
                                   "state": {"running": {"startedAt": now}}}
                                  for c in pod["spec"].get("containers", [])],
        }
        try:
            self.client.update_status(pod)
        except errors.StatusError:
            pass

    def stop(self) -> None:
        self._watch.stop()


def pods_of(cluster, selector: str = "app=web", namespace: str = "default") -> list[dict]:
    return cluster._internal.list("pods", namespace, label_selector=selector)


def deployment_yaml(name: str = "web", replicas: int = 3, image: str = "nginx:1.27", strategy: str = "",
                    extra_spec: str = "") -> str:
    return f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {name}
spec:
  replicas: {replicas}
  selector:
    matchLabels:
      app: {name}
{strategy}{extra_spec}  template:
    metadata:
      labels:
        app: {name}
    spec:
      containers:
      - name: nginx
        image: {image}
"""
