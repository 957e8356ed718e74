"""The Endpoints controller (pkg/controller/endpoint).

For every Service with a selector it keeps an Endpoints object of the same
name: the IPs of the selected pods, ready ones in ``addresses`` and the others
in ``notReadyAddresses``, with each Service port resolved against the pod's
container ports (a named ``targetPort`` is looked up by name).  Terminating
pods are left out unless the Service publishes not-ready addresses.  The
helpers here (which pods count, how ports resolve) are shared with the
EndpointSlice controller, as ``pkg/api/v1/endpoints`` and ``podutil`` are.
"""

from __future__ import annotations

import copy

from ..api import errors
from .base import Controller

HEADLESS_LABEL = "service.kubernetes.io/headless"
TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time"


# -- helpers shared with the EndpointSlice controller ------------------------------
def is_pod_ready(pod: dict) -> bool:
    """podutil.IsPodReady: the Ready condition is True."""
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False


def should_pod_be_in_endpoints(pod: dict, include_terminating: bool) -> bool:
    """endpointutil.ShouldPodBeInEndpoints."""
    status = pod.get("status") or {}
    if status.get("phase") in ("Succeeded", "Failed"):
        return False
    if not status.get("podIP"):
        return False
    if not include_terminating and pod["metadata"].get("deletionTimestamp"):
        return False
    return True


def selects(service: dict, pod: dict) -> bool:
    selector = (service.get("spec") or {}).get("selector")
    if not selector or service["metadata"].get("namespace") != pod["metadata"].get("namespace"):
        return False
    labels = pod["metadata"].get("labels") or {}
    return all(labels.get(k) == v for k, v in selector.items())


def find_port(pod: dict, service_port: dict) -> int | None:
    """podutil.FindPort: the container port a Service port's targetPort means in this pod."""
    target = service_port.get("targetPort", service_port.get("port"))
    if isinstance(target, int):
        return target
    if isinstance(target, str) and target.isdigit():
        return int(target)
    protocol = service_port.get("protocol", "TCP")
    for container in (pod.get("spec") or {}).get("containers") or []:
        for port in container.get("ports") or []:
            if port.get("name") == target and port.get("protocol", "TCP") == protocol:
                return port.get("containerPort")
    return None


def endpoint_hostname(service: dict, pod: dict) -> str | None:
    """A pod's hostname is published when its subdomain names this (headless) Service."""
    spec = pod.get("spec") or {}
    if spec.get("hostname") and spec.get("subdomain") == service["metadata"]["name"] \
            and pod["metadata"].get("namespace") == service["metadata"].get("namespace"):
        return spec["hostname"]
    return None


def target_ref(pod: dict) -> dict:
    m = pod["metadata"]
    return {"kind": "Pod", "namespace": m.get("namespace"), "name": m["name"], "uid": m.get("uid")}


def is_headless(service: dict) -> bool:
    return (service.get("spec") or {}).get("clusterIP") == "None"


def service_key_handlers(controller: Controller, services_resource: str = "services"):
    """Pod handlers that enqueue every Service selecting the pod (before or after the change)."""

    def enqueue_for(pod: dict) -> None:
        for svc in controller.cache(services_resource).list(pod["metadata"].get("namespace")):
            if selects(svc, pod):
                controller.enqueue(svc)

    def on_update(old: dict, new: dict) -> None:
        enqueue_for(old)
        if (old["metadata"].get("labels") != new["metadata"].get("labels")):
            enqueue_for(new)

    return enqueue_for, on_update, enqueue_for


def _ip_key(ip: str) -> tuple:
    try:
        return tuple(int(p) for p in ip.split("."))
    except ValueError:
        return (ip,)


# -- the controller ---------------------------------------------------------------
class EndpointsController(Controller):
    name = "endpoints-controller"
    watches = ("services", "pods", "endpoints")

    def register_handlers(self, resource, informer):
        if resource == "services":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self.enqueue)
        elif resource == "pods":
            informer.add_handlers(*service_key_handlers(self))
        else:
            # A changed or deleted Endpoints object is put back the way the Service wants it.
            def requeue(ep: dict) -> None:
                key = f"{ep['metadata']['namespace']}/{ep['metadata']['name']}"
                if self.cache("services").get(key) is not None:
                    self.queue.add(key)
            informer.add_handlers(None, lambda old, new: requeue(new), requeue)

    def sync(self, key: str) -> None:
        namespace, name = key.split("/", 1)
        service = self.cache("services").get(key)
        current = self.cache("endpoints").get(key)
        if service is None:
            # The Service is gone: so are its Endpoints (unless someone else manages them).
            if current is not None:
                self._delete(name, namespace)
            return
        spec = service.get("spec") or {}
        if not spec.get("selector") or spec.get("type") == "ExternalName":
            return  # selectorless Services have hand-made Endpoints
        subsets = self.compute_subsets(service)
        labels = dict(service["metadata"].get("labels") or {})
        if is_headless(service):
            labels[HEADLESS_LABEL] = ""
        else:
            labels.pop(HEADLESS_LABEL, None)
        if current is not None and (current.get("subsets") or []) == subsets \
                and (current["metadata"].get("labels") or {}) == labels:
            return
        if current is None:
            obj = {"apiVersion": "v1", "kind": "Endpoints",
                   "metadata": {"name": name, "namespace": namespace, "labels": labels,
                                "annotations": {TRIGGER_TIME: self._now()}}}
            if not labels:
                del obj["metadata"]["labels"]
            if subsets:
                obj["subsets"] = subsets
            try:
                self.client.create(obj)
            except errors.StatusError as e:
                if e.code != 409:
                    raise
                self.queue.add_rate_limited(key)
            return
        obj = copy.deepcopy(current)
        if labels:
            obj["metadata"]["labels"] = labels
        else:
            obj["metadata"].pop("labels", None)
        obj["metadata"].setdefault("annotations", {})[TRIGGER_TIME] = self._now()
        if subsets:
            obj["subsets"] = subsets
        else:
            obj.pop("subsets", None)
        self.client.update(obj)

    def compute_subsets(self, service: dict) -> list[dict]:
        """The Endpoints subsets for a Service, repacked: one subset per distinct port set."""
        spec = service.get("spec") or {}
        tolerate_unready = bool(spec.get("publishNotReadyAddresses"))
        groups: dict[tuple, dict] = {}
        pods = self.cache("pods").list(service["metadata"]["namespace"])
        for pod in pods:
            if not selects(service, pod) or not should_pod_be_in_endpoints(pod, tolerate_unready):
                continue
            address = {"ip": pod["status"]["podIP"]}
            hostname = endpoint_hostname(service, pod)
            if hostname:
                address["hostname"] = hostname
            if (pod.get("spec") or {}).get("nodeName"):
                address["nodeName"] = pod["spec"]["nodeName"]
            address["targetRef"] = target_ref(pod)
            ports = []
            for sp in spec.get("ports") or []:
                number = find_port(pod, sp)
                if number is None:
                    continue
                port = {"name": sp.get("name"), "port": number, "protocol": sp.get("protocol", "TCP")}
                if sp.get("appProtocol"):
                    port["appProtocol"] = sp["appProtocol"]
                ports.append({k: v for k, v in port.items() if v not in (None, "")})
            if spec.get("ports") and not ports:
                continue
            ports.sort(key=lambda p: (p.get("name", ""), p["port"], p["protocol"]))
            group = groups.setdefault(tuple(tuple(sorted(p.items())) for p in ports),
                                      {"ports": ports, "addresses": [], "notReadyAddresses": []})
            ready = tolerate_unready or is_pod_ready(pod)
            group["addresses" if ready else "notReadyAddresses"].append(address)
        subsets = []
        for group in groups.values():
            subset = {}
            for field in ("addresses", "notReadyAddresses"):
                if group[field]:
                    subset[field] = sorted(group[field], key=lambda a: (_ip_key(a["ip"]), a["targetRef"]["name"]))
            if group["ports"]:
                subset["ports"] = group["ports"]
            subsets.append(subset)
        subsets.sort(key=lambda s: [(p.get("name", ""), p["port"]) for p in s.get("ports", [])])
        return subsets

    def _delete(self, name: str, namespace: str) -> None:
        try:
            self.client.delete("endpoints", name, namespace)
        except errors.StatusError as e:
            if e.code != 404:
                raise

    def _now(self) -> str:
        return self.client.apiserver.timestamp()
