"""The kubelet: node registration, lease heartbeats, pod workers, probes, volumes, pod status,
static pods and logs."""

from .kubelet import Kubelet
from .node_status import node_internal_ip
from .volumes import PersistentVolumeStore

__all__ = ["Kubelet", "PersistentVolumeStore", "node_internal_ip"]
