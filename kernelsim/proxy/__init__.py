"""kube-proxy: Services turned into per-node packet rewriting rules (iptables mode)."""

from .proxy import KubeProxy, Verdict, service_port_chain_name, service_port_endpoint_chain_name

__all__ = ["KubeProxy", "Verdict", "service_port_chain_name", "service_port_endpoint_chain_name"]
