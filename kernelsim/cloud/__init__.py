"""The simulated cloud provider and the cloud-controller-manager that talks to it."""

from .manager import CloudControllerManager
from .provider import Instance, LoadBalancer, SimulatedCloud

__all__ = ["CloudControllerManager", "Instance", "LoadBalancer", "SimulatedCloud"]
