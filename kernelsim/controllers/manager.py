"""kube-controller-manager: many controllers in one process.

Controllers are registered by name, as with ``--controllers``; the manager
starts the enabled ones.  (Leader election among several masters arrives
with the high-availability work.)
"""

from __future__ import annotations

from .namespace import NamespaceController
from .serviceaccount import ServiceAccountController

CONTROLLERS = {
    "namespace": NamespaceController,
    "serviceaccount": ServiceAccountController,
}


class ControllerManager:
    def __init__(self, client, loop, controllers=("*",)):
        self.client = client
        self.loop = loop
        names = list(CONTROLLERS) if "*" in controllers else list(controllers)
        unknown = [n for n in names if n not in CONTROLLERS]
        if unknown:
            raise ValueError(f"unknown controllers: {', '.join(unknown)}")
        self.controllers = {n: CONTROLLERS[n](client, loop) for n in names}

    def start(self) -> None:
        for c in self.controllers.values():
            c.start()
