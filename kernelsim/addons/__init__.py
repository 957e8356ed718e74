"""Cluster add-ons: the pod network (CNI), cluster DNS (CoreDNS), simulated
traffic between pods and Services, the kube-system add-on manifests, and the
dashboard (``dashboard``), monitoring (``metrics``, ``monitoring``) and
logging (``fluentbit``, ``logstore``) add-ons."""

from .dns import ClusterDNS, DNSError
from .network import PodNetwork
from .traffic import Request, Response, Traffic

__all__ = ["ClusterDNS", "DNSError", "PodNetwork", "Request", "Response", "Traffic"]
