"""cloud-controller-manager (k8s.io/cloud-provider, cmd/cloud-controller-manager).

Three of its controllers run here, each in the usual controller shape:

* the **service controller** (``controllers/service``): for a Service of type
  LoadBalancer it adds the ``service.kubernetes.io/load-balancer-cleanup``
  finalizer, records ``EnsuringLoadBalancer``, asks the cloud for a load
  balancer (which takes a few simulated seconds, EXTERNAL-IP shows
  ``<pending>`` meanwhile), writes ``status.loadBalancer.ingress`` and records
  ``EnsuredLoadBalancer``; when the Service stops being a LoadBalancer or is
  deleted it removes the balancer (``DeletingLoadBalancer`` /
  ``DeletedLoadBalancer``) and the finalizer;
* the **cloud node controller** (``controllers/node``): fills in
  ``spec.providerID``, the topology and instance-type labels and the
  ExternalIP address of each new Node, and removes the
  ``node.cloudprovider.kubernetes.io/uninitialized`` taint;
* the **cloud node lifecycle controller** (``controllers/nodelifecycle``):
  every 5 seconds it deletes Nodes that are not Ready and whose machine is
  gone from the cloud, and taints shut-down machines' Nodes.
"""

from __future__ import annotations

import copy

from ..api import errors
from ..client.events import EventRecorder
from ..controllers.base import Controller

LB_CLEANUP_FINALIZER = "service.kubernetes.io/load-balancer-cleanup"
UNINITIALIZED_TAINT = "node.cloudprovider.kubernetes.io/uninitialized"
SHUTDOWN_TAINT = "node.cloudprovider.kubernetes.io/shutdown"


def _ready(node: dict) -> bool:
    for cond in (node.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


class ServiceController(Controller):
    name = "service-controller"
    watches = ("services", "nodes")

    def __init__(self, client, loop, cloud, tracer=None):
        super().__init__(client, loop)
        self.cloud = cloud
        self.tracer = tracer
        self.recorder = EventRecorder(self.client, "service-controller")
        self.provisioning: set[str] = set()

    def register_handlers(self, resource, informer):
        if resource == "services":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new))
        else:
            # Node changes change the balancers' backends.
            def nodes_changed(*_):
                for svc in self.cache("services").list():
                    if (svc.get("spec") or {}).get("type") == "LoadBalancer":
                        self.enqueue(svc)
            informer.add_handlers(nodes_changed, None, nodes_changed)

    def _nodes(self) -> list[str]:
        return [n["metadata"]["name"] for n in self.cache("nodes").list()
                if "node.kubernetes.io/exclude-from-external-load-balancers" not in (n["metadata"].get("labels") or {})]

    def _trace(self, verb: str, key: str, detail: str = "") -> None:
        if self.tracer is not None:
            self.tracer.record("cloud-controller-manager", "cloud", verb, key, detail)

    def sync(self, key: str) -> None:
        svc = self.cache("services").get(key)
        if svc is None:
            return
        wants_lb = (svc.get("spec") or {}).get("type") == "LoadBalancer" and not svc["metadata"].get(
            "deletionTimestamp")
        finalizers = svc["metadata"].get("finalizers") or []
        ingress = ((svc.get("status") or {}).get("loadBalancer") or {}).get("ingress")
        if not wants_lb:
            if LB_CLEANUP_FINALIZER in finalizers or ingress:
                self._delete_load_balancer(key, svc)
            return
        if LB_CLEANUP_FINALIZER not in finalizers:
            fresh = self.client.get("services", svc["metadata"]["name"], svc["metadata"]["namespace"])
            fresh["metadata"]["finalizers"] = (fresh["metadata"].get("finalizers") or []) + [LB_CLEANUP_FINALIZER]
            self.client.update(fresh)
            return  # the update comes back through the informer
        lb = self.cloud.get_load_balancer(svc)
        if lb is not None and ingress and ingress[0].get("ip") == lb.ip:
            if lb.nodes != sorted(self._nodes()):
                self.cloud.ensure_load_balancer(svc, self._nodes())
                self._trace("UpdateLoadBalancer", key)
                self.recorder.event(svc, "Normal", "UpdatedLoadBalancer", "Updated load balancer with new hosts")
            return
        if key in self.provisioning:
            return
        self.provisioning.add(key)
        self.recorder.event(svc, "Normal", "EnsuringLoadBalancer", "Ensuring load balancer")
        delay = self.cloud.lb_provision_delay()
        self._trace("EnsureLoadBalancer", key, f"ready in {delay:g}s")
        self.loop.call_later(delay, lambda: self._load_balancer_ready(key), label=f"cloud: load balancer for {key}")

    def _load_balancer_ready(self, key: str) -> None:
        self.provisioning.discard(key)
        namespace, name = key.split("/", 1)
        try:
            svc = self.client.get("services", name, namespace)
        except errors.StatusError:
            return
        if (svc.get("spec") or {}).get("type") != "LoadBalancer" or svc["metadata"].get("deletionTimestamp"):
            self.queue.add(key)
            return
        lb = self.cloud.ensure_load_balancer(svc, self._nodes())
        svc.setdefault("status", {})["loadBalancer"] = {"ingress": [{"ip": lb.ip, "ipMode": "VIP"}]}
        try:
            svc = self.client.update_status(svc)
        except errors.StatusError:
            self.queue.add_rate_limited(key)
            return
        self.recorder.event(svc, "Normal", "EnsuredLoadBalancer", "Ensured load balancer")

    def _delete_load_balancer(self, key: str, svc: dict) -> None:
        self.recorder.event(svc, "Normal", "DeletingLoadBalancer", "Deleting load balancer")
        self.cloud.delete_load_balancer(svc)
        self._trace("EnsureLoadBalancerDeleted", key)
        namespace, name = key.split("/", 1)
        fresh = self.client.get("services", name, namespace)
        if ((fresh.get("status") or {}).get("loadBalancer") or {}).get("ingress"):
            fresh["status"]["loadBalancer"] = {}
            fresh = self.client.update_status(fresh)
        if LB_CLEANUP_FINALIZER in (fresh["metadata"].get("finalizers") or []):
            fresh = copy.deepcopy(fresh)
            fresh["metadata"]["finalizers"] = [f for f in fresh["metadata"]["finalizers"] if f != LB_CLEANUP_FINALIZER]
            self.client.update(fresh)
        self.recorder.event(svc, "Normal", "DeletedLoadBalancer", "Deleted load balancer")


class CloudNodeController(Controller):
    name = "cloud-node-controller"
    watches = ("nodes",)
    retry_after = 10.0

    def __init__(self, client, loop, cloud, tracer=None):
        super().__init__(client, loop)
        self.cloud = cloud
        self.tracer = tracer

    def sync(self, key: str) -> None:
        node = self.cache().get(key)
        if node is None:
            return
        spec = node.get("spec") or {}
        inst = (self.cloud.instance_by_provider_id(spec["providerID"]) if spec.get("providerID")
                else self.cloud.instance_by_name(key))
        if inst is None:
            return  # "failed to initialize node": nothing in the cloud by that name
        labels = node["metadata"].get("labels") or {}
        want_labels = {
            "topology.kubernetes.io/region": inst.region, "failure-domain.beta.kubernetes.io/region": inst.region,
            "topology.kubernetes.io/zone": inst.zone, "failure-domain.beta.kubernetes.io/zone": inst.zone,
            "node.kubernetes.io/instance-type": inst.instance_type,
            "beta.kubernetes.io/instance-type": inst.instance_type,
        }
        taints = spec.get("taints") or []
        if spec.get("providerID") != inst.provider_id or any(labels.get(k) != v for k, v in want_labels.items()) \
                or any(t.get("key") == UNINITIALIZED_TAINT for t in taints):
            fresh = self.client.get("nodes", key, None)
            fresh["metadata"].setdefault("labels", {}).update(want_labels)
            fresh.setdefault("spec", {})["providerID"] = inst.provider_id
            kept = [t for t in fresh["spec"].get("taints") or [] if t.get("key") != UNINITIALIZED_TAINT]
            if kept:
                fresh["spec"]["taints"] = kept
            else:
                fresh["spec"].pop("taints", None)
            self.client.update(fresh)
            if self.tracer is not None:
                self.tracer.record("cloud-controller-manager", "cloud", "InstanceMetadata", key, inst.provider_id)
            return
        addresses = (node.get("status") or {}).get("addresses") or []
        if not any(a.get("type") == "ExternalIP" and a.get("address") == inst.external_ip for a in addresses):
            fresh = self.client.get("nodes", key, None)
            status = fresh.setdefault("status", {})
            kept = [a for a in status.get("addresses") or [] if a.get("type") != "ExternalIP"]
            status["addresses"] = kept + [{"type": "ExternalIP", "address": inst.external_ip}]
            self.client.update_status(fresh)


class CloudNodeLifecycleController(Controller):
    name = "cloud-node-lifecycle-controller"
    watches = ("nodes",)
    monitor_period = 5.0  # --node-monitor-period

    def __init__(self, client, loop, cloud, tracer=None):
        super().__init__(client, loop)
        self.cloud = cloud
        self.tracer = tracer
        self.recorder = EventRecorder(self.client, "cloud-node-lifecycle-controller")
        self.running = False

    def register_handlers(self, resource, informer):
        pass  # it works on a timer, not on events

    def start(self) -> None:
        super().start()
        self.running = True
        self.loop.call_later(self.monitor_period, self._monitor, label="cloud-node-lifecycle monitor",
                             background=True)

    def _monitor(self) -> None:
        if not self.running:
            return
        try:
            self.monitor_nodes()
        finally:
            self.loop.call_later(self.monitor_period, self._monitor, label="cloud-node-lifecycle monitor",
                                 background=True)

    def monitor_nodes(self) -> None:
        for node in self.cache().list():
            name = node["metadata"]["name"]
            provider_id = (node.get("spec") or {}).get("providerID")
            if not provider_id or _ready(node):
                continue
            inst = self.cloud.instance_by_provider_id(provider_id)
            if inst is None:
                self.recorder.event(node, "Normal", "DeletingNode",
                                    f"Deleting node {name} because it does not exist in the cloud provider")
                if self.tracer is not None:
                    self.tracer.record("cloud-controller-manager", "cloud", "InstanceExists", name, "false")
                try:
                    self.client.delete("nodes", name, None)
                except errors.StatusError as e:
                    if e.code != 404:
                        raise
            elif not inst.running:
                taints = (node.get("spec") or {}).get("taints") or []
                if not any(t.get("key") == SHUTDOWN_TAINT for t in taints):
                    fresh = self.client.get("nodes", name, None)
                    fresh.setdefault("spec", {})["taints"] = taints + [{"key": SHUTDOWN_TAINT,
                                                                         "effect": "NoSchedule"}]
                    self.client.update(fresh)

    def sync(self, key: str) -> None:  # pragma: no cover - timer driven
        pass


class CloudControllerManager:
    """The cloud-controller-manager process: its controllers, one cloud."""

    def __init__(self, client, loop, cloud, tracer=None):
        self.client = client.with_source("cloud-controller-manager")
        self.loop = loop
        self.cloud = cloud
        self.tracer = tracer
        self.controllers = {
            "service": ServiceController(self.client, loop, cloud, tracer),
            "cloud-node": CloudNodeController(self.client, loop, cloud, tracer),
            "cloud-node-lifecycle": CloudNodeLifecycleController(self.client, loop, cloud, tracer),
        }

    def start(self) -> None:
        for c in self.controllers.values():
            c.start()

    def stop(self) -> None:
        for c in self.controllers.values():
            for inf in c.informers.values():
                inf.stop()
        self.controllers["cloud-node-lifecycle"].running = False
