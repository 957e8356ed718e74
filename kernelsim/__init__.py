"""kernelsim: a whole Kubernetes cluster, simulated in one Python process.

``kernelsim.Cluster()`` starts one; the real ``kubectl`` and the official
``kubernetes`` Python client can talk to it.  In IPython, ``%load_ext
kernelsim`` adds the ``%kubectl`` and ``%%kubectl`` magics.
"""

from .api.errors import StatusError
from .cluster import Cluster, current

__version__ = "0.1.0"
KUBERNETES_VERSION = "v1.37.0"

__all__ = ["Cluster", "StatusError", "current", "connect", "start", "load", "load_ipython_extension", "KUBERNETES_VERSION"]


def load_ipython_extension(ipython) -> None:
    from .kubectl.magics import register

    register(ipython)


def connect(kubeconfig: str = "~/.kube/config", context: str | None = None):
    """A real cluster (kind, minikube, a cloud cluster) with the same surface as ``Cluster``:
    ``kubectl()``, ``api``, ``settle()``, ``%kubectl``.  ``$KUBECONFIG`` is honoured when
    ``kubeconfig`` is left at its default; see :mod:`kernelsim.remote` for what differs."""
    from .remote import connect as _connect

    return _connect(kubeconfig, context)


def start(*, kubeconfig: str | None = None, context: str | None = None, **kwargs):
    """The cluster a notebook works on: ``Cluster(**kwargs)``, the simulator, unless a
    kubeconfig is given here (the notebook parameter) or in ``$KERNELSIM_KUBECONFIG``;
    then ``connect(kubeconfig, context)`` to that real cluster (``context`` defaults to
    ``$KERNELSIM_CONTEXT``, else the kubeconfig's current context).  The course's
    notebooks and exercises start with it, so they run unchanged on either backend."""
    import os

    kubeconfig = kubeconfig or os.environ.get("KERNELSIM_KUBECONFIG", "").strip() or None
    if kubeconfig is None:
        return Cluster(**kwargs)
    return connect(kubeconfig, context or os.environ.get("KERNELSIM_CONTEXT", "").strip() or None)


def load(path, **kwargs):
    """The cluster saved at ``path`` by ``cluster.save(path)``: a simulated cluster restored from its
    snapshot (``Cluster.load``), or, for a file a real cluster's ``save()`` wrote, that cluster connected
    again.  Either way a notebook goes on after a kernel restart."""
    from .remote import load_reference

    remote = load_reference(path)
    return remote if remote is not None else Cluster.load(path, **kwargs)
