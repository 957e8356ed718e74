"""Informers: a list+watch cache with event handlers, as in client-go's tools/cache.

An informer lists a resource once, then watches from that list's
resourceVersion, keeping a local store that controllers read instead of
asking the apiserver every time.
"""

from __future__ import annotations

from typing import Callable, Iterable

NAMESPACE_INDEX = "namespace"
CONTROLLER_UID_INDEX = "controllerUID"  # the controller's PodControllerUIDIndex


def controller_uid_index(obj: dict) -> list:
    """The controllerUID index (pkg/controller: PodControllerUIDIndex): the UID of the
    object's controller, or ``("orphan", namespace)`` for an object without one."""
    meta = obj.get("metadata") or {}
    for ref in meta.get("ownerReferences") or []:
        if ref.get("controller"):
            return [ref.get("uid")]
    return [("orphan", meta.get("namespace") or "")]


def object_key(obj: dict) -> str:
    """``namespace/name`` (or ``name`` for cluster-scoped objects), as MetaNamespaceKeyFunc."""
    m = obj.get("metadata", {})
    ns = m.get("namespace")
    return f"{ns}/{m['name']}" if ns else m["name"]


class Informer:
    """A shared informer for one resource."""

    def __init__(self, client, resource: str, namespace: str | None = None, *, field_selector: str = ""):
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.field_selector = field_selector
        self.store: dict[str, dict] = {}
        # Indexers (cache.Indexers): index name -> function giving an object's index values;
        # the namespace index is always kept, so a namespace's objects cost O(its objects).
        self._indexers: dict[str, Callable[[dict], Iterable]] = {
            NAMESPACE_INDEX: lambda o: [(o.get("metadata") or {}).get("namespace")]}
        self._indices: dict[str, dict] = {NAMESPACE_INDEX: {}}
        self._handlers: list[tuple[Callable, Callable, Callable]] = []
        self._watch = None
        self.synced = False

    def add_indexers(self, **indexers: Callable[[dict], Iterable]) -> None:
        """Add indexers (before ``start()``, or they are filled from the store now)."""
        for name, fn in indexers.items():
            if name in self._indexers:
                continue
            self._indexers[name] = fn
            self._indices[name] = {}
            for key, obj in self.store.items():
                for value in fn(obj):
                    self._indices[name].setdefault(value, {})[key] = obj

    def _index(self, key: str, old: dict | None, new: dict | None) -> None:
        for name, fn in self._indexers.items():
            index = self._indices[name]
            if old is not None:
                for value in fn(old):
                    bucket = index.get(value)
                    if bucket is not None:
                        bucket.pop(key, None)
                        if not bucket:
                            del index[value]
            if new is not None:
                for value in fn(new):
                    index.setdefault(value, {})[key] = new

    def by_index(self, name: str, value) -> list[dict]:
        """The objects whose index ``name`` has ``value`` (cache.Indexer.ByIndex), by key."""
        bucket = self._indices[name].get(value)
        return [bucket[k] for k in sorted(bucket)] if bucket else []

    def add_handlers(self, on_add=None, on_update=None, on_delete=None) -> None:
        noop = lambda *a: None  # noqa: E731
        self._handlers.append((on_add or noop, on_update or noop, on_delete or noop))

    def start(self) -> None:
        with self.client.lock:
            from ..client.client import resolve_resource

            info = resolve_resource(self.resource)
            # The watch cache's own objects, not copies: a watch event hands every informer the
            # same object too, so everything an informer holds is read-only (as in client-go).
            lst = self.client.apiserver.list(info, self.namespace, self.client._ctx(),
                                             field_selector=self.field_selector, copy=False)
            for o in lst["items"]:
                key = object_key(o)
                self.store[key] = o
                self._index(key, None, o)
            rv = lst["metadata"]["resourceVersion"]
            self._watch = self.client.watch(self.resource, self._on_event, self.namespace, resource_version=rv,
                                            field_selector=self.field_selector)
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
            self._index(key, self.store.pop(key, None), None)
            for _, _, delete in self._handlers:
                delete(obj)
            return
        self.store[key] = obj
        self._index(key, old, obj)
        for add, update, _ in self._handlers:
            if old is None:
                add(obj)
            else:
                update(old, obj)

    def get(self, key: str) -> dict | None:
        return self.store.get(key)

    def list(self, namespace: str | None = None) -> list[dict]:
        """Every object (of ``namespace``), sorted by key."""
        if namespace is not None:
            return self.by_index(NAMESPACE_INDEX, namespace)
        return [self.store[k] for k in sorted(self.store)]
