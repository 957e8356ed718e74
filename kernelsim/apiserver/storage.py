"""kube-apiserver's storage layer: etcd3 storage plus the watch cache.

Mirrors ``k8s.io/apiserver/pkg/storage/etcd3`` and ``pkg/storage/cacher``:
objects are JSON at ``/registry/<resource>/<namespace>/<name>``, an object's
resourceVersion is its etcd mod_revision, creates and updates are etcd
transactions with compare-and-swap, and one etcd watch on ``/registry/``
feeds a decoded cache that serves lists and fans events out to watchers.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass
from typing import Callable

from ..api import errors
from ..api.objects import clone
from ..api.resources import REGISTRY, ResourceInfo
from ..etcd.mvcc import CompactedError, Compare, MVCCStore, Op
from ..etcd.raft import REQUEST_TIMEOUT, REQUEST_TIMEOUT_SECONDS, NoQuorumError


@dataclass
class WatchEvent:
    type: str  # ADDED, MODIFIED, DELETED
    object: dict
    revision: int


class Watcher:
    """One watch: a key prefix, a filter and a delivery function."""

    def __init__(self, prefix: str, deliver: Callable[[WatchEvent], None],
                 predicate: Callable[[dict], bool] | None = None, node_name: str | None = None,
                 object_name: str | None = None):
        self.prefix = prefix
        self.deliver = deliver
        self.predicate = predicate
        # A pod watch with fieldSelector spec.nodeName=<node> (every kubelet has one) is
        # indexed by node, as the watch cache's pod indexer does, so that an event is
        # offered only to the kubelets it concerns.
        self.node_name = node_name
        # A watch of one object by name (fieldSelector metadata.name=<name>: kube-proxy's
        # own Node, a kubelet's own Node) is indexed by that name too.
        self.object_name = object_name if node_name is None else None
        self.stopped = False

    def offer(self, ev: WatchEvent, old: dict | None) -> None:
        if self.stopped:
            return
        if self.predicate is None:
            self.deliver(ev)
            return
        # A selector watch sees an object enter (ADDED), change (MODIFIED) and
        # leave (DELETED) the selection, as the watch cache's filtering does.
        now_in = ev.type != "DELETED" and self.predicate(ev.object)
        was_in = old is not None and self.predicate(old)
        if ev.type == "DELETED":
            if was_in or self.predicate(ev.object):
                self.deliver(ev)
        elif now_in and was_in:
            self.deliver(ev)
        elif now_in:
            self.deliver(WatchEvent("ADDED", ev.object, ev.revision))
        elif was_in:
            self.deliver(WatchEvent("DELETED", ev.object, ev.revision))

    def stop(self) -> None:
        self.stopped = True


def object_key(info: ResourceInfo, namespace: str | None, name: str) -> str:
    if info.namespaced:
        return f"{info.etcd_prefix()}/{namespace}/{name}"
    return f"{info.etcd_prefix()}/{name}"


def list_prefix(info: ResourceInfo, namespace: str | None) -> str:
    if info.namespaced and namespace:
        return f"{info.etcd_prefix()}/{namespace}/"
    return f"{info.etcd_prefix()}/"


# etcd's default --max-request-bytes: 1.5 MiB
MAX_REQUEST_BYTES = 1536 * 1024


class Storage:
    """etcd-backed storage with a decoded watch cache for every resource."""

    HISTORY = 50000  # events kept for watch resumption (the watch cache window)

    def __init__(self, etcd: MVCCStore, tracer=None):
        self.etcd = etcd
        self.raft = None  # etcd's members (kernelsim.etcd.raft.Raft), once the masters exist
        self.tracer = tracer
        self._objects: dict[str, dict[str, dict]] = {}  # resource prefix -> key -> object
        self._prefixes = {r.etcd_prefix() + "/" for r in REGISTRY}
        self._history: deque[tuple[str, str, WatchEvent, dict | None]] = deque(maxlen=self.HISTORY)
        self._oldest = etcd.revision  # history covers revisions > _oldest
        self._watchers: dict[str, list[Watcher]] = {}          # prefix -> watchers
        self._node_watchers: dict[tuple, list[Watcher]] = {}   # (prefix, node name) -> watchers
        self._named_watchers: dict[tuple, list[Watcher]] = {}  # (prefix, object name) -> watchers
        for kv in etcd.range("/registry/")[0]:
            obj = self._decode(kv.value, kv.mod_revision)
            self._bucket(kv.key)[kv.key] = obj
        self._etcd_watch = etcd.watch("/registry/", self._on_etcd_events, prefix=True,
                                      start_revision=etcd.revision + 1)

    # -- encoding -------------------------------------------------------
    @staticmethod
    def _encode(obj: dict) -> bytes:
        meta = obj.get("metadata", {})
        rv = meta.pop("resourceVersion", None)
        try:
            return json.dumps(obj, separators=(",", ":"), sort_keys=False).encode()
        finally:
            if rv is not None:
                meta["resourceVersion"] = rv

    @staticmethod
    def _decode(value: bytes, revision: int) -> dict:
        obj = json.loads(value)
        obj.setdefault("metadata", {})["resourceVersion"] = str(revision)
        return obj

    def _resource_prefix(self, key: str) -> str:
        parts = key.split("/")
        for cut in (2, 1, 3):
            p = "/".join(parts[:-cut]) + "/"
            if p in self._prefixes:
                return p
        return "/".join(parts[:-1]) + "/"

    def _bucket(self, key: str) -> dict[str, dict]:
        return self._objects.setdefault(self._resource_prefix(key), {})

    # -- etcd watch -> cache -> watchers ---------------------------------
    def _on_etcd_events(self, events) -> None:
        for e in events:
            key = e.kv.key
            bucket = self._bucket(key)
            old = bucket.get(key)
            if e.type == "PUT":
                obj = self._decode(e.kv.value, e.kv.mod_revision)
                bucket[key] = obj
                ev = WatchEvent("ADDED" if old is None else "MODIFIED", obj, e.kv.mod_revision)
            else:
                bucket.pop(key, None)
                if old is None:
                    continue
                gone = clone(old)
                gone["metadata"]["resourceVersion"] = str(e.kv.mod_revision)
                ev = WatchEvent("DELETED", gone, e.kv.mod_revision)
            rp = self._resource_prefix(key)
            self._history.append((rp, key, ev, old))
            if len(self._history) == self._history.maxlen:
                self._oldest = self._history[0][2].revision - 1
            for w in self._watchers_for(rp, key, ev.object, old):
                w.offer(ev, old)

    # -- reads ----------------------------------------------------------
    @property
    def revision(self) -> int:
        return self.etcd.revision

    def get(self, key: str) -> dict | None:
        obj = self._bucket(key).get(key)
        return obj

    def list(self, prefix: str) -> list[dict]:
        bucket = self._objects.get(self._resource_prefix(prefix + "x"), {})
        if not bucket:
            bucket = self._objects.get(prefix, {})
        keys = sorted(k for k in bucket if k.startswith(prefix))
        return [bucket[k] for k in keys]

    def count(self, prefix: str) -> int:
        return len(self.list(prefix))

    # -- etcd's request timeout -------------------------------------------
    # A request that etcd cannot serve (no leader with a majority) waits this long for one,
    # in simulated seconds, then fails with ``etcdserver: request timed out``.  The waiting
    # is the caller's: the HTTP front end holds the response (``http.py``), and a client
    # on the simulated clock retries until the deadline (``kernelsim/testing/faults.py``).
    request_timeout = REQUEST_TIMEOUT_SECONDS

    @staticmethod
    def timed_out(e: errors.StatusError) -> bool:
        """The error is etcd's request timeout (the request changed nothing and may be retried)."""
        return e.code == 500 and e.message == REQUEST_TIMEOUT

    def etcd_ready(self) -> bool:
        """etcd can commit a write or serve a linearizable read now."""
        return self.raft is None or self.raft.has_quorum()

    # -- writes ---------------------------------------------------------
    def _propose(self, key: str, verb: str = "txn") -> None:
        """Every write is a raft proposal: without a leader that reaches a majority of the
        etcd members it times out, and kube-apiserver answers 500 with etcd's message."""
        if self.raft is None:
            return
        try:
            self.raft.propose((verb, key))
        except NoQuorumError as e:
            self._trace("txn", key, f"failed: {e}")
            raise errors.StatusError(500, "", str(e)) from None

    def quorum_read(self) -> None:
        """A consistent read (no resourceVersion): the current revision comes from the etcd
        leader, which must still lead a majority (etcd's ReadIndex)."""
        if self.raft is None:
            return
        try:
            self.raft.read_index()
        except NoQuorumError as e:
            raise errors.StatusError(500, "", str(e)) from None

    @staticmethod
    def _check_size(data: bytes) -> bytes:
        """etcd refuses a request above --max-request-bytes (1.5 MiB) with ErrRequestTooLarge;
        kube-apiserver passes its message on (with 413 here, never a server error)."""
        if len(data) > MAX_REQUEST_BYTES:
            raise errors.StatusError(413, "RequestEntityTooLarge", "etcdserver: request is too large")
        return data

    def create(self, key: str, obj: dict, info: ResourceInfo, name: str) -> dict:
        data = self._check_size(self._encode(obj))
        self._propose(key, "create")
        resp = self.etcd.txn([Compare(key, "mod", "=", 0)], [Op.put(key, data)], [Op.get(key)])
        self._trace("txn", key, "create")
        if not resp.succeeded:
            raise errors.already_exists(info.plural, name, info.group)
        return self.get(key)

    def update(self, key: str, obj: dict, expected_rv: int, info: ResourceInfo, name: str) -> dict:
        data = self._check_size(self._encode(obj))
        self._propose(key, "update")
        resp = self.etcd.txn([Compare(key, "mod", "=", expected_rv)], [Op.put(key, data)], [Op.get(key)])
        self._trace("txn", key, "update")
        if not resp.succeeded:
            if resp.responses and resp.responses[0] is None:
                raise errors.not_found(info.plural, name, info.group)
            raise errors.stale_conflict(info.plural, name, info.group)
        return self.get(key)

    def delete(self, key: str, expected_rv: int, info: ResourceInfo, name: str) -> dict:
        old = self.get(key)
        self._propose(key, "delete")
        resp = self.etcd.txn([Compare(key, "mod", "=", expected_rv)], [Op.delete(key)], [Op.get(key)])
        self._trace("txn", key, "delete")
        if not resp.succeeded:
            if resp.responses and resp.responses[0] is None:
                raise errors.not_found(info.plural, name, info.group)
            raise errors.stale_conflict(info.plural, name, info.group)
        out = clone(old)
        out["metadata"]["resourceVersion"] = str(resp.revision)
        return out

    def _watchers_for(self, rp: str, key: str, obj: dict, old: dict | None) -> list[Watcher]:
        rest = key[len(rp):]
        prefixes = [rp]
        if "/" in rest:
            prefixes.append(rp + rest.split("/", 1)[0] + "/")
        out = []
        nodes = {((obj.get("spec") or {}).get("nodeName")), ((old or {}).get("spec") or {}).get("nodeName")}
        nodes.discard(None)
        name = key.rsplit("/", 1)[-1]
        for p in prefixes:
            out.extend(self._watchers.get(p, ()))
            for n in nodes:
                out.extend(self._node_watchers.get((p, n), ()))
            if self._named_watchers:
                out.extend(self._named_watchers.get((p, name), ()))
        return out

    def _trace(self, verb: str, key: str, detail: str) -> None:
        if self.tracer is not None:
            self.tracer.record("kube-apiserver", "etcd", verb, key, detail)

    # -- watch ----------------------------------------------------------
    def watch(self, prefix: str, deliver: Callable[[WatchEvent], None], *,
              since: int | None = None, predicate=None, node_name: str | None = None,
              object_name: str | None = None) -> Watcher:
        """Watch ``prefix``; replay events after revision ``since`` first.

        ``since`` older than the cache window raises 410 Expired, the way
        kube-apiserver answers "too old resource version".
        """
        w = Watcher(prefix, deliver, predicate, node_name, object_name)
        if since is not None:
            if since < self._oldest or since < self.etcd.compacted_revision:
                raise errors.gone(f"too old resource version: {since} ({self._oldest + 1})")
            # The history is in revision order and ``since`` is nearly always recent (the
            # revision of the list that came just before): walk back only as far as needed.
            newer = []
            for entry in reversed(self._history):
                if entry[2].revision <= since:
                    break
                newer.append(entry)
            for _, key, ev, old in reversed(newer):
                if key.startswith(prefix):
                    w.offer(ev, old)
        self._registry(w).append(w)
        return w

    def _registry(self, w: Watcher) -> list[Watcher]:
        if w.node_name is not None:
            return self._node_watchers.setdefault((w.prefix, w.node_name), [])
        if w.object_name is not None:
            return self._named_watchers.setdefault((w.prefix, w.object_name), [])
        return self._watchers.setdefault(w.prefix, [])

    def stop_watch(self, w: Watcher) -> None:
        w.stop()
        try:
            self._registry(w).remove(w)
        except ValueError:
            pass

    def compact(self, revision: int) -> None:
        """Compact etcd history up to ``revision``, as kube-apiserver does every 5 minutes."""
        try:
            self.etcd.compact(revision)
        except CompactedError:
            return
        while self._history and self._history[0][2].revision <= revision:
            self._history.popleft()
        self._oldest = max(self._oldest, revision)
