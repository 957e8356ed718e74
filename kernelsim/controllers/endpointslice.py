"""The EndpointSlice controller (pkg/controller/endpointslice and its reconciler
in staging/src/k8s.io/endpointslice).

For every Service with a selector it keeps EndpointSlices labelled
``kubernetes.io/service-name=<svc>`` and named ``<svc>-<5 random chars>``
(``generateName``), owned by the Service.  Each endpoint is one selected pod
with its IP, ``conditions`` (``ready``, ``serving``, ``terminating``),
``nodeName``, ``zone``, ``targetRef`` and, for a pod whose subdomain names the
Service, its ``hostname``.  Pods whose ports resolve differently (a named
``targetPort``) go into different slices; a slice holds at most 100 endpoints.
A Service with no endpoints keeps one empty placeholder slice.
"""

from __future__ import annotations

import copy

from ..api import errors
from .base import Controller
from .endpoints import (HEADLESS_LABEL, TRIGGER_TIME, endpoint_hostname, find_port, is_headless, is_pod_ready,
                        selects, service_key_handlers, should_pod_be_in_endpoints, target_ref)

SERVICE_NAME_LABEL = "kubernetes.io/service-name"
MANAGED_BY_LABEL = "endpointslice.kubernetes.io/managed-by"
CONTROLLER_NAME = "endpointslice-controller.k8s.io"
MAX_ENDPOINTS_PER_SLICE = 100
ZONE_LABEL = "topology.kubernetes.io/zone"


def _ip_key(ip: str) -> tuple:
    return tuple(int(p) for p in ip.split("."))


class EndpointSliceController(Controller):
    name = "endpointslice-controller"
    watches = ("services", "pods", "endpointslices", "nodes")

    def __init__(self, client, loop):
        super().__init__(client, loop)
        # The endpointSliceTracker: what this controller wrote and has not yet seen come
        # back through its informer (slice name -> resourceVersion, None once deleted).
        self.written: dict[str, dict[str, int | None]] = {}

    def register_handlers(self, resource, informer):
        if resource == "services":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self.enqueue)
        elif resource == "pods":
            informer.add_handlers(*service_key_handlers(self))
        elif resource == "endpointslices":
            def owner(es: dict) -> None:
                labels = es["metadata"].get("labels") or {}
                if labels.get(MANAGED_BY_LABEL) == CONTROLLER_NAME and labels.get(SERVICE_NAME_LABEL):
                    self.queue.add(f"{es['metadata']['namespace']}/{labels[SERVICE_NAME_LABEL]}")
            def deleted(es: dict) -> None:
                for names in self.written.values():
                    if names.get(es["metadata"]["name"]) is not None:
                        names.pop(es["metadata"]["name"])
                owner(es)
            informer.add_handlers(None, lambda old, new: owner(new), deleted)

    # -- desired state --------------------------------------------------------------
    def desired_endpoints(self, service: dict) -> dict[tuple, list[dict]]:
        """Endpoints of a Service grouped by their resolved ports."""
        spec = service.get("spec") or {}
        publish_not_ready = bool(spec.get("publishNotReadyAddresses"))
        nodes = self.cache("nodes")
        groups: dict[tuple, list[dict]] = {}
        for pod in self.cache("pods").list(service["metadata"]["namespace"]):
            if not selects(service, pod) or not should_pod_be_in_endpoints(pod, include_terminating=True):
                continue
            ports = []
            for sp in spec.get("ports") or []:
                number = find_port(pod, sp)
                if number is None:
                    continue
                port = {"name": sp.get("name") or "", "port": number, "protocol": sp.get("protocol", "TCP")}
                if sp.get("appProtocol"):
                    port["appProtocol"] = sp["appProtocol"]
                ports.append(port)
            serving = is_pod_ready(pod)
            terminating = bool(pod["metadata"].get("deletionTimestamp"))
            endpoint = {"addresses": [pod["status"]["podIP"]],
                        "conditions": {"ready": publish_not_ready or (serving and not terminating),
                                       "serving": serving, "terminating": terminating}}
            hostname = endpoint_hostname(service, pod)
            if hostname:
                endpoint["hostname"] = hostname
            endpoint["targetRef"] = target_ref(pod)
            node_name = (pod.get("spec") or {}).get("nodeName")
            if node_name:
                endpoint["nodeName"] = node_name
                zone = ((nodes.get(node_name) or {}).get("metadata", {}).get("labels") or {}).get(ZONE_LABEL)
                if zone:
                    endpoint["zone"] = zone
            key = tuple((p["name"], p["port"], p["protocol"]) for p in ports)
            groups.setdefault(key, []).append(endpoint)
        for eps in groups.values():
            eps.sort(key=lambda e: (_ip_key(e["addresses"][0]), e["targetRef"]["name"]))
        return groups

    def _labels(self, service: dict) -> dict:
        labels = dict(service["metadata"].get("labels") or {})
        labels[SERVICE_NAME_LABEL] = service["metadata"]["name"]
        labels[MANAGED_BY_LABEL] = CONTROLLER_NAME
        if is_headless(service):
            labels[HEADLESS_LABEL] = ""
        else:
            labels.pop(HEADLESS_LABEL, None)
        return labels

    def _new_slice(self, service: dict, ports: list[dict], endpoints: list[dict]) -> dict:
        meta = service["metadata"]
        return {
            "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
            "metadata": {
                "generateName": f"{meta['name'][:57]}-", "namespace": meta["namespace"],
                "labels": self._labels(service),
                "annotations": {TRIGGER_TIME: self.client.apiserver.timestamp()},
                "ownerReferences": [{"apiVersion": "v1", "kind": "Service", "name": meta["name"],
                                     "uid": meta.get("uid"), "controller": True, "blockOwnerDeletion": True}],
            },
            "addressType": "IPv4",
            "endpoints": endpoints,
            "ports": ports,
        }

    # -- reconcile -------------------------------------------------------------------
    def owned_slices(self, namespace: str, service_name: str) -> list[dict]:
        out = []
        for es in self.cache("endpointslices").list(namespace):
            labels = es["metadata"].get("labels") or {}
            if labels.get(SERVICE_NAME_LABEL) == service_name and labels.get(MANAGED_BY_LABEL) == CONTROLLER_NAME:
                out.append(es)
        return out

    def stale(self, key: str) -> bool:
        """True while the informer has not caught up with this controller's own writes."""
        namespace = key.split("/", 1)[0]
        names = self.written.get(key, {})
        for name, rv in list(names.items()):
            cached = self.cache("endpointslices").get(f"{namespace}/{name}")
            if rv is None:
                if cached is not None:
                    return True
            elif cached is None or int(cached["metadata"]["resourceVersion"]) < rv:
                return True
            names.pop(name)
        return False

    def sync(self, key: str) -> None:
        if self.stale(key):
            self.queue.add_rate_limited(key)  # "EndpointSlice informer cache is out of date"
            return
        namespace, name = key.split("/", 1)
        service = self.cache("services").get(key)
        existing = self.owned_slices(namespace, name)
        spec = (service or {}).get("spec") or {}
        if service is None or not spec.get("selector") or spec.get("type") == "ExternalName":
            # The garbage collector removes a deleted Service's slices through their
            # ownerReferences; this controller does the same so that none linger.
            for es in existing:
                self._delete(key, es)
            return
        desired = []  # (ports, endpoints) per slice
        for port_key, endpoints in sorted(self.desired_endpoints(service).items()):
            ports = []
            for (pname, number, protocol) in port_key:
                port = {"name": pname, "port": number, "protocol": protocol}
                for sp in spec.get("ports") or []:
                    if (sp.get("name") or "") == pname and sp.get("appProtocol"):
                        port["appProtocol"] = sp["appProtocol"]
                ports.append(port)
            for i in range(0, len(endpoints), MAX_ENDPOINTS_PER_SLICE):
                desired.append((ports, endpoints[i:i + MAX_ENDPOINTS_PER_SLICE]))
        if not desired:
            desired.append(([], []))  # the placeholder slice
        labels = self._labels(service)
        unused = sorted(existing, key=lambda es: es["metadata"]["name"])
        for ports, endpoints in desired:
            match = next((es for es in unused if (es.get("ports") or []) == ports), None)
            if match is None and unused and not ports:
                match = unused[0]
            if match is None:
                self._track(key, self.client.create(self._new_slice(service, ports, endpoints)))
                continue
            unused.remove(match)
            if (match.get("endpoints") or []) == endpoints and (match.get("ports") or []) == ports \
                    and (match["metadata"].get("labels") or {}) == labels:
                continue
            updated = copy.deepcopy(match)
            updated["endpoints"] = endpoints
            updated["ports"] = ports
            updated["metadata"]["labels"] = labels
            updated["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = self.client.apiserver.timestamp()
            self._track(key, self.client.update(updated))
        for es in unused:
            self._delete(key, es)

    def _track(self, key: str, es: dict) -> None:
        self.written.setdefault(key, {})[es["metadata"]["name"]] = int(es["metadata"]["resourceVersion"])

    def _delete(self, key: str, es: dict) -> None:
        try:
            self.client.delete("endpointslices", es["metadata"]["name"], es["metadata"]["namespace"])
            self.written.setdefault(key, {})[es["metadata"]["name"]] = None
        except errors.StatusError as e:
            if e.code != 404:
                raise
