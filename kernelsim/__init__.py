"""kernelsim: a whole Kubernetes cluster, simulated in one Python process.

``kernelsim.Cluster()`` starts one; the real ``kubectl`` and the official
``kubernetes`` Python client can talk to it.  In IPython, ``%load_ext
kernelsim`` adds the ``%kubectl`` and ``%%kubectl`` magics.
"""

from .api.errors import StatusError
from .cluster import Cluster, current

__version__ = "0.1.0"
KUBERNETES_VERSION = "v1.37.0"

__all__ = ["Cluster", "StatusError", "current", "connect", "load_ipython_extension", "KUBERNETES_VERSION"]


def load_ipython_extension(ipython) -> None:
    from .kubectl.magics import register

    register(ipython)


def connect(kubeconfig: str = "~/.kube/config", context: str | None = None):
    """A real cluster (kind, minikube, a cloud cluster) with the same surface as ``Cluster``:
    ``kubectl()``, ``api``, ``settle()``, ``%kubectl``.  ``$KUBECONFIG`` is honoured when
    ``kubeconfig`` is left at its default; see :mod:`kernelsim.remote` for what differs."""
    from .remote import connect as _connect

    return _connect(kubeconfig, context)
