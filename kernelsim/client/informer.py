"""Informers: a list+watch cache with event handlers, as in client-go's tools/cache.

An informer lists a resource once, then watches from that list's
resourceVersion, keeping a local store that controllers read instead of
asking the apiserver every time.
"""

from __future__ import annotations

from typing import Callable


def object_key(obj: dict) -> str:
    """``namespace/name`` (or ``name`` for cluster-scoped objects), as MetaNamespaceKeyFunc."""
    m = obj.get("metadata", {})
    ns = m.get("namespace")
    return f"{ns}/{m['name']}" if ns else m["name"]


class Informer:
    """A shared informer for one resource."""

    def __init__(self, client, resource: str, namespace: str | None = None):
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.store: dict[str, dict] = {}
        self._handlers: list[tuple[Callable, Callable, Callable]] = []
        self._watch = None
        self.synced = False

    def add_handlers(self, on_add=None, on_update=None, on_delete=None) -> None:
        noop = lambda *a: None  # noqa: E731
        self._handlers.append((on_add or noop, on_update or noop, on_delete or noop))

    def start(self) -> None:
        with self.client.lock:
            from ..client.client import resolve_resource

            info = resolve_resource(self.resource)
            lst = self.client.apiserver.list(info, self.namespace, self.client._ctx())
            for o in lst["items"]:
                self.store[object_key(o)] = o
            rv = lst["metadata"]["resourceVersion"]
            self._watch = self.client.watch(self.resource, self._on_event, self.namespace, resource_version=rv)
        self.synced = True
        for o in list(self.store.values()):
            for add, _, _ in self._handlers:
                add(o)

    def stop(self) -> None:
        if self._watch is not None:
            self._watch.stop()

    def _on_event(self, etype: str, obj: dict) -> None:
        key = object_key(obj)
        old = self.store.get(key)
        if etype == "DELETED":
            self.store.pop(key, None)
            for _, _, delete in self._handlers:
                delete(obj)
            return
        self.store[key] = obj
        for add, update, _ in self._handlers:
            if old is None:
                add(obj)
            else:
                update(old, obj)

    def get(self, key: str) -> dict | None:
        return self.store.get(key)

    def list(self, namespace: str | None = None) -> list[dict]:
        items = [o for k, o in sorted(self.store.items())]
        if namespace is not None:
            items = [o for o in items if o["metadata"].get("namespace") == namespace]
        return items
