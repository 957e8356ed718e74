"""A simulated cloud provider (the role of k8s.io/cloud-provider's ``Interface``).

It has virtual machines (``Instances``) in zones of one region and network
load balancers.  Machines get provider IDs ``kernelsim://<zone>/<node>`` and a
public address from 198.51.100.0/24; load balancers get addresses from
203.0.113.0/24 (both documentation ranges, never real hosts).  Provisioning a
load balancer takes a few simulated seconds: :meth:`SimulatedCloud.lb_provision_delay`
says how many, and the cloud-controller-manager waits that long.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field

PROVIDER = "kernelsim"
REGION = "kernelsim-east1"
ZONES = ("kernelsim-east1-a", "kernelsim-east1-b", "kernelsim-east1-c")
INSTANCE_NETWORK = "198.51.100.0/24"
INSTANCE_OVERFLOW_NETWORK = "198.18.0.0/15"
LB_NETWORK = "203.0.113.0/24"


@dataclass
class Instance:
    name: str
    zone: str
    instance_type: str
    external_ip: str
    running: bool = True

    @property
    def provider_id(self) -> str:
        return f"{PROVIDER}://{self.zone}/{self.name}"

    @property
    def region(self) -> str:
        return REGION


@dataclass
class LoadBalancer:
    name: str           # the cloud's name for it: "a" + the Service UID without dashes, like GetLoadBalancerName
    service: str        # namespace/name
    ip: str
    ports: list[dict] = field(default_factory=list)   # {"protocol", "port", "nodePort"}
    nodes: list[str] = field(default_factory=list)    # backend node names


class SimulatedCloud:
    """Machines and load balancers, with deterministic addresses and delays."""

    name = PROVIDER

    def __init__(self, rng, zones=ZONES):
        self.rng = rng
        self.zones = tuple(zones)
        self.instances: dict[str, Instance] = {}
        self.load_balancers: dict[str, LoadBalancer] = {}
        # External addresses from TEST-NET-2, then (for clusters of hundreds of machines) the benchmarking range.
        self._instance_ips = (str(ip) for net in (INSTANCE_NETWORK, INSTANCE_OVERFLOW_NETWORK)
                              for ip in ipaddress.ip_network(net).hosts())
        self._lb_pool = [str(ip) for ip in ipaddress.ip_network(LB_NETWORK).hosts()][9:]  # from .10 on
        self._created = 0

    # -- instances ---------------------------------------------------------------
    def create_instance(self, name: str, instance_type: str = "ks.standard-2", zone: str | None = None) -> Instance:
        """Start a machine; zones are used round-robin unless one is given."""
        if name in self.instances:
            return self.instances[name]
        zone = zone or self.zones[self._created % len(self.zones)]
        self._created += 1
        inst = Instance(name, zone, instance_type, next(self._instance_ips))
        self.instances[name] = inst
        return inst

    def delete_instance(self, name: str) -> None:
        """Terminate a machine (the Node object stays until the cloud-controller-manager notices)."""
        self.instances.pop(name, None)

    def shutdown_instance(self, name: str) -> None:
        if name in self.instances:
            self.instances[name].running = False

    def instance_by_name(self, name: str) -> Instance | None:
        return self.instances.get(name)

    def instance_by_provider_id(self, provider_id: str) -> Instance | None:
        # "<provider>://<zone>/<name>": the name is the key (one lookup, not a scan of every machine)
        inst = self.instances.get(provider_id.rsplit("/", 1)[-1])
        return inst if inst is not None and inst.provider_id == provider_id else None

    def instance_exists(self, provider_id: str) -> bool:
        """InstancesV2.InstanceExists."""
        return self.instance_by_provider_id(provider_id) is not None

    # -- load balancers --------------------------------------------------------------
    @staticmethod
    def load_balancer_name(service: dict) -> str:
        """cloudprovider.DefaultLoadBalancerName: "a" + the Service UID without dashes, at most 32 chars."""
        return ("a" + service["metadata"].get("uid", "").replace("-", ""))[:32]

    def lb_provision_delay(self) -> float:
        """Simulated seconds until a new load balancer answers (2 to 5)."""
        return round(self.rng.uniform(2.0, 5.0), 3)

    def ensure_load_balancer(self, service: dict, nodes: list[str]) -> LoadBalancer:
        """EnsureLoadBalancer: create or update the balancer for a Service; returns it."""
        name = self.load_balancer_name(service)
        key = f"{service['metadata']['namespace']}/{service['metadata']['name']}"
        ports = [{"protocol": p.get("protocol", "TCP"), "port": p["port"], "nodePort": p.get("nodePort")}
                 for p in (service.get("spec") or {}).get("ports") or []]
        lb = self.load_balancers.get(name)
        if lb is None:
            used = {b.ip for b in self.load_balancers.values()}
            ip = next(i for i in self._lb_pool if i not in used)
            lb = self.load_balancers[name] = LoadBalancer(name, key, ip)
        lb.ports, lb.nodes = ports, sorted(nodes)
        return lb

    def get_load_balancer(self, service: dict) -> LoadBalancer | None:
        return self.load_balancers.get(self.load_balancer_name(service))

    def delete_load_balancer(self, service: dict) -> None:
        """EnsureLoadBalancerDeleted."""
        self.load_balancers.pop(self.load_balancer_name(service), None)

    def load_balancer_at(self, ip: str) -> LoadBalancer | None:
        for lb in self.load_balancers.values():
            if lb.ip == ip:
                return lb
        return None
