"""kube-controller-manager: many controllers in one process.

Controllers are registered by name, as with ``--controllers``; each lives in
its own module.  The manager starts the enabled ones.  With several masters,
only the leader's manager runs them (leader election, as in the real one).
"""

from __future__ import annotations

import importlib

# name -> "module:Class", in the order they start
CONTROLLERS = {
    "namespace": "kernelsim.controllers.namespace:NamespaceController",
    "serviceaccount": "kernelsim.controllers.serviceaccount:ServiceAccountController",
    "garbagecollector": "kernelsim.controllers.garbagecollector:GarbageCollectorController",
    "nodeipam": "kernelsim.controllers.nodeipam:NodeIpamController",
    "nodelifecycle": "kernelsim.controllers.nodelifecycle:NodeLifecycleController",
    "podgc": "kernelsim.controllers.podgc:PodGCController",
    "resourcequota": "kernelsim.controllers.resourcequota:ResourceQuotaController",
    "endpoint": "kernelsim.controllers.endpoints:EndpointsController",
    "endpointslice": "kernelsim.controllers.endpointslice:EndpointSliceController",
    "replicaset": "kernelsim.controllers.replicaset:ReplicaSetController",
    "deployment": "kernelsim.controllers.deployment:DeploymentController",
    "statefulset": "kernelsim.controllers.statefulset:StatefulSetController",
    "daemonset": "kernelsim.controllers.daemonset:DaemonSetController",
    "job": "kernelsim.controllers.job:JobController",
    "cronjob": "kernelsim.controllers.cronjob:CronJobController",
    "ttl-after-finished": "kernelsim.controllers.ttlafterfinished:TTLAfterFinishedController",
    "persistentvolume-binder": "kernelsim.controllers.persistentvolume:PersistentVolumeController",
    "storage-provisioner": "kernelsim.controllers.provisioner:ProvisionerController",
    "clusterrole-aggregation": "kernelsim.controllers.clusterroleaggregation:ClusterRoleAggregationController",
}


def controller_class(name: str):
    module, _, cls = CONTROLLERS[name].partition(":")
    return getattr(importlib.import_module(module), cls)


class ControllerManager:
    def __init__(self, client, loop, controllers=("*",), **deps):
        self.client = client
        self.loop = loop
        names = list(CONTROLLERS) if "*" in controllers else list(controllers)
        unknown = [n for n in names if n not in CONTROLLERS]
        if unknown:
            raise ValueError(f"unknown controllers: {', '.join(unknown)}")
        self.controllers = {}
        for n in names:
            cls = controller_class(n)
            self.controllers[n] = cls(client, loop, **{k: v for k, v in deps.items()
                                                        if k in getattr(cls, "needs", ())})

    def start(self) -> None:
        for c in self.controllers.values():
            c.start()

    def pause(self) -> None:
        """The leading kube-controller-manager is gone: no controller works until another leads."""
        for c in self.controllers.values():
            c.queue.pause()

    def resume(self) -> None:
        """A kube-controller-manager (re)gained the Lease: it syncs every object it knows."""
        for c in self.controllers.values():
            c.queue.resume()
            if c.watches and c.watches[0] in c.informers:
                for obj in c.informers[c.watches[0]].list():
                    c.enqueue(obj)
