"""The one shape every controller has (see STYLE.md, after sample-controller).

Informer handlers only compute a key and enqueue it; ``sync(key)`` re-reads
the object from the informer cache and reconciles the current state toward
the desired one.  A failed sync is retried with exponential back-off.
"""

from __future__ import annotations

import logging

from ..api import errors
from ..client.informer import Informer, object_key
from ..client.workqueue import WorkQueue

log = logging.getLogger("kernelsim.controllers")


class Controller:
    name = "controller"
    #: the resources this controller watches; the first is the primary one
    watches: tuple[str, ...] = ()

    def __init__(self, client, loop):
        self.client = client.with_source(self.name)
        self.loop = loop
        self.informers: dict[str, Informer] = {}
        self.queue = WorkQueue(loop, self._process, self.name)

    def start(self) -> None:
        for res in self.watches:
            inf = Informer(self.client, res)
            self.informers[res] = inf
            self.register_handlers(res, inf)
        for inf in self.informers.values():
            inf.start()

    def register_handlers(self, resource: str, informer: Informer) -> None:
        """By default, every change to a primary object enqueues its key."""
        if resource == self.watches[0]:
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new), self.enqueue)

    def enqueue(self, obj: dict) -> None:
        self.queue.add(object_key(obj))

    def enqueue_owner_of(self, kind: str):
        """A handler for dependents (pods of a StatefulSet, Jobs of a CronJob, ...) that
        enqueues their controlling ``kind`` owner; for add, update and delete alike."""
        def handler(obj: dict, *rest) -> None:
            dependent = rest[-1] if rest else obj
            for ref in dependent["metadata"].get("ownerReferences") or []:
                if ref.get("controller") and ref.get("kind") == kind:
                    self.queue.add(f"{dependent['metadata'].get('namespace')}/{ref['name']}")
        return handler

    def now(self):
        """The cluster's current (simulated) time as a datetime."""
        return self.client.apiserver.now()

    def _process(self, key: str) -> None:
        try:
            self.sync(key)
            self.queue.forget(key)
        except errors.StatusError as e:
            log.debug("%s: sync %s failed: %s", self.name, key, e)
            self.queue.add_rate_limited(key)

    def sync(self, key: str) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def cache(self, resource: str | None = None) -> Informer:
        return self.informers[resource or self.watches[0]]
