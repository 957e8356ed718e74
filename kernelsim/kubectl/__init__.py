"""The real kubectl: locating it, its kubeconfig, running it, and the IPython magics."""

from .runner import KubectlResult, kubectl_binary, run_kubectl, write_kubeconfig

__all__ = ["KubectlResult", "kubectl_binary", "run_kubectl", "write_kubeconfig"]
