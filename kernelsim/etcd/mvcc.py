"""An in-memory multi-version key-value store, like etcd v3's ``mvcc`` package.

Mirrors ``go.etcd.io/etcd/server/v3/storage/mvcc`` (``kvstore.go``,
``key_index.go``, ``watchable_store.go``) as kube-apiserver sees it through
``clientv3``:

* one global **revision** counter, bumped once per write transaction (a fresh
  store is at revision 1, so the first write gets revision 2);
* every key keeps its ``create_revision``, ``mod_revision`` and ``version``;
  the version starts again at 1 when a deleted key is created again;
* reads can travel back to any revision that has not been compacted;
* transactions (``If(compares).Then(ops).Else(ops)``) are how kube-apiserver
  does create-if-absent and update-if-unchanged;
* watches replay history from a start revision and then stream every commit;
* compaction forgets old history; snapshot and restore save the whole state.

Like etcd, the store keeps two structures: a per-key index of revisions
(etcd's ``treeIndex`` of ``keyIndex``) for point-in-time reads, and a
revision-ordered change log (etcd's backend, keyed by revision) for watch
replay.  It is single-threaded: the caller holds the lock.  Nothing here reads
the wall clock or draws random numbers.
"""

from __future__ import annotations

import base64
import bisect
import json
import logging
from collections import deque
from dataclasses import dataclass
from operator import itemgetter
from typing import Callable, Iterable, Iterator

log = logging.getLogger(__name__)

PUT = "PUT"
DELETE = "DELETE"

SNAPSHOT_FORMAT = "kernelsim.etcd.mvcc/v1"


# --------------------------------------------------------------------------
# Errors (go.etcd.io/etcd/server/v3/storage/mvcc/kvstore.go)
# --------------------------------------------------------------------------


class CompactedError(Exception):
    """``mvcc.ErrCompacted``: the revision asked for was compacted away."""

    def __init__(self, compact_revision: int = 0):
        super().__init__("mvcc: required revision has been compacted")
        self.compact_revision = compact_revision


class FutureRevisionError(Exception):
    """``mvcc.ErrFutureRev``: the revision asked for does not exist yet."""

    def __init__(self):
        super().__init__("mvcc: required revision is a future revision")


# --------------------------------------------------------------------------
# Data types (go.etcd.io/etcd/api/v3/mvccpb and etcdserverpb)
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyValue:
    """``mvccpb.KeyValue``: one version of one key."""

    key: str
    value: bytes
    create_revision: int
    mod_revision: int
    version: int


@dataclass(frozen=True)
class Event:
    """``mvccpb.Event``.  A DELETE carries the key with an empty value, zero
    create_revision and version, and ``mod_revision`` = the delete's revision
    (what etcd stores as a tombstone)."""

    type: str
    kv: KeyValue
    prev_kv: KeyValue | None = None


_TARGETS = ("version", "create", "mod", "value")
_COMPARE_OPS = {
    "=": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,
    ">": lambda a, b: a > b,
}


@dataclass
class Compare:
    """``etcdserverpb.Compare``, spelled like ``clientv3.Compare``:
    ``Compare("/registry/pods/default/web", "mod", "=", 0)``."""

    key: str
    target: str
    op: str
    value: int | bytes

    def __post_init__(self):
        if self.target not in _TARGETS:
            raise ValueError(f"unknown compare target {self.target!r}, want one of {_TARGETS}")
        if self.op not in _COMPARE_OPS:
            raise ValueError(f"unknown compare operator {self.op!r}, want one of {tuple(_COMPARE_OPS)}")
        if self.target == "value":
            self.value = _as_bytes(self.value)

    def holds_for(self, kv: KeyValue | None) -> bool:
        """Evaluate against the key's current version (``applyCompare``).

        A missing key has version, create and mod revision 0, and a value
        compare on a missing key is always false, as in etcd.
        """
        if kv is None:
            if self.target == "value":
                return False
            actual = 0
        else:
            actual = {
                "version": kv.version,
                "create": kv.create_revision,
                "mod": kv.mod_revision,
                "value": kv.value,
            }[self.target]
        return _COMPARE_OPS[self.op](actual, self.value)


@dataclass(frozen=True)
class Op:
    """A request inside a transaction (``clientv3.OpGet/OpPut/OpDelete``)."""

    kind: str  # "get", "put" or "delete"
    key: str
    value: bytes = b""
    prefix: bool = False  # only for delete: a DeleteRange over the prefix

    @classmethod
    def get(cls, key: str) -> "Op":
        return cls("get", _require_key(key))

    @classmethod
    def put(cls, key: str, value: bytes) -> "Op":
        return cls("put", _require_key(key), _as_bytes(value))

    @classmethod
    def delete(cls, key: str, *, prefix: bool = False) -> "Op":
        return cls("delete", key if prefix else _require_key(key), prefix=prefix)


@dataclass
class TxnResponse:
    """``etcdserverpb.TxnResponse``.  ``responses`` has one entry per op that
    ran: a KeyValue or None for a get, the revision for a put, and the number
    of keys deleted for a delete."""

    succeeded: bool
    revision: int
    responses: list


def _as_bytes(value) -> bytes:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    raise TypeError(f"etcd values are bytes, got {type(value).__name__}")


def _require_key(key: str) -> str:
    if not isinstance(key, str):
        raise TypeError(f"etcd keys are str here, got {type(key).__name__}")
    if not key:
        raise ValueError("etcdserver: key is not provided")
    return key


# --------------------------------------------------------------------------
# The per-key index (key_index.go)
# --------------------------------------------------------------------------


class _KeyHistory:
    """The revisions at which one key changed, oldest first.

    ``kvs[i]`` is the key as written at ``revs[i]``; ``None`` is a tombstone
    (the key was deleted at that revision).
    """

    __slots__ = ("revs", "kvs")

    def __init__(self):
        self.revs: list[int] = []
        self.kvs: list[KeyValue | None] = []

    def append(self, revision: int, kv: KeyValue | None) -> None:
        self.revs.append(revision)
        self.kvs.append(kv)

    def at(self, revision: int) -> KeyValue | None:
        """The live version at ``revision``, or None if absent then."""
        if self.revs and self.revs[-1] <= revision:
            return self.kvs[-1]
        i = bisect.bisect_right(self.revs, revision) - 1
        return self.kvs[i] if i >= 0 else None

    def compact(self, revision: int) -> None:
        """Keep only what is needed to read at ``revision`` and later: the
        version live at ``revision`` (if any) and everything newer."""
        i = bisect.bisect_right(self.revs, revision) - 1
        if i < 0:
            return
        if self.kvs[i] is None:  # deleted by then: nothing to remember
            i += 1
        del self.revs[:i]
        del self.kvs[:i]


# --------------------------------------------------------------------------
# Watchers (watchable_store.go, watcher.go)
# --------------------------------------------------------------------------


@dataclass
class _Watcher:
    id: int
    key: str
    prefix: bool
    callback: Callable[[list[Event]], None]
    next_revision: int  # the first revision this watcher has not seen yet

    def matches(self, key: str) -> bool:
        return key.startswith(self.key) if self.prefix else key == self.key


# --------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------


class MVCCStore:
    """etcd's ``watchableStore``: a multi-version key-value store with watches."""

    def __init__(self):
        self._revision = 1
        self._compacted_revision = 0
        self._index: dict[str, _KeyHistory] = {}
        # The keys of _index in order; keys added since the last ordered read wait in
        # _new_keys, so that a write costs O(1) and not an insertion into a list of every key.
        self._sorted_keys: list[str] = []
        self._new_keys: list[str] = []
        # (revision, events) for every write from the compacted revision on
        self._changes: list[tuple[int, tuple[Event, ...]]] = []
        self._watchers: dict[int, _Watcher] = {}
        self._next_watch_id = 1
        self._pending: deque[tuple[int, tuple[Event, ...]]] = deque()
        self._notifying = False

    # -- revisions -------------------------------------------------------

    @property
    def revision(self) -> int:
        """The current revision: the revision of the last write."""
        return self._revision

    @property
    def compacted_revision(self) -> int:
        """The revision of the last compaction (0 if never compacted)."""
        return self._compacted_revision

    def _read_revision(self, revision: int | None) -> int:
        """The revision a read at ``revision`` sees (``rangeKeys`` checks)."""
        if revision is None or revision <= 0:
            return self._revision
        if revision > self._revision:
            raise FutureRevisionError()
        if revision < self._compacted_revision:
            raise CompactedError(self._compacted_revision)
        return revision

    # -- reads -----------------------------------------------------------

    def get(self, key: str, revision: int | None = None) -> KeyValue | None:
        """The key as of ``revision`` (default: now), or None."""
        rev = self._read_revision(revision)
        history = self._index.get(key)
        return history.at(rev) if history else None

    def range(self, prefix: str, revision: int | None = None, limit: int | None = None,
              *, start_key: str | None = None) -> tuple[list[KeyValue], int]:
        """Keys starting with ``prefix`` as of ``revision``, sorted by key.

        Returns ``(kvs, revision read at)``; ``limit`` of None or 0 means all.
        ``start_key`` skips keys before it, the way kube-apiserver continues a
        paginated list (a range from the continue key to the prefix end).
        """
        rev = self._read_revision(revision)
        kvs = []
        for key in self._keys_with_prefix(prefix, start_key):
            kv = self._index[key].at(rev)
            if kv is not None:
                kvs.append(kv)
                if limit and len(kvs) >= limit:
                    break
        return kvs, rev

    def count(self, prefix: str) -> int:
        """How many live keys start with ``prefix`` now."""
        return sum(1 for key in self._keys_with_prefix(prefix)
                   if self._index[key].kvs[-1] is not None)

    @property
    def _keys(self) -> list[str]:
        """Every key of the index, sorted (merging the keys added since the last call)."""
        if self._new_keys:
            self._sorted_keys.extend(self._new_keys)
            self._sorted_keys.sort()  # a sorted run plus a short tail: linear
            self._new_keys = []
        return self._sorted_keys

    def _keys_with_prefix(self, prefix: str, start_key: str | None = None) -> Iterator[str]:
        keys = self._keys
        first = bisect.bisect_left(keys, max(prefix, start_key or ""))
        for i in range(first, len(keys)):
            if not keys[i].startswith(prefix):
                return
            yield keys[i]

    # -- writes ----------------------------------------------------------

    def put(self, key: str, value: bytes) -> int:
        """Write ``key``; returns the new revision."""
        return self.txn([], [Op.put(key, value)]).revision

    def delete(self, key: str) -> int:
        """Delete ``key``; returns 1, or 0 (without a new revision) if absent."""
        return self.txn([], [Op.delete(key)]).responses[0]

    def delete_range(self, prefix: str) -> int:
        """Delete every key starting with ``prefix`` in one revision."""
        return self.txn([], [Op.delete(prefix, prefix=True)]).responses[0]

    def txn(self, compare: Iterable[Compare], success: Iterable[Op],
            failure: Iterable[Op] = ()) -> TxnResponse:
        """``If(compare...).Then(success...).Else(failure...)``, atomically.

        All writes of the transaction share one new revision; a transaction
        that writes nothing does not bump the revision.  Reads inside it see
        its own earlier writes, as in etcd.
        """
        success, failure = list(success), list(failure)
        _check_no_duplicate_writes(success)
        _check_no_duplicate_writes(failure)
        succeeded = all(c.holds_for(self.get(c.key)) for c in compare)
        write = _WriteTxn(self)
        responses = [write.apply(op) for op in (success if succeeded else failure)]
        revision = write.commit()
        return TxnResponse(succeeded, revision, responses)

    def _record(self, key: str, revision: int, kv: KeyValue | None) -> None:
        history = self._index.get(key)
        if history is None:
            history = self._index[key] = _KeyHistory()
            self._new_keys.append(key)
        history.append(revision, kv)

    # -- watch -----------------------------------------------------------

    def watch(self, key: str, callback: Callable[[list[Event]], None], *,
              prefix: bool = False, start_revision: int | None = None) -> int:
        """Call ``callback(events)`` for every commit touching ``key`` (or,
        with ``prefix=True``, any key starting with it).  Returns a watch id.

        With ``start_revision`` (inclusive) the events since then are replayed
        first, synchronously, one call per revision.  As in etcd, a start
        revision older than the compacted revision raises CompactedError; a
        start revision in the future is fine: the watch waits for it.  An
        exception from ``callback`` during the replay cancels the watch and
        propagates; later it cancels the watch and is logged.
        """
        if start_revision is None or start_revision <= 0:
            start_revision = self._revision + 1
        if start_revision < self._compacted_revision:
            raise CompactedError(self._compacted_revision)
        watcher = _Watcher(self._next_watch_id, key, prefix, callback, start_revision)
        self._next_watch_id += 1
        self._watchers[watcher.id] = watcher

        outer, self._notifying = self._notifying, True  # hold new commits back
        try:
            first = bisect.bisect_left(self._changes, start_revision, key=itemgetter(0))
            for revision, events in self._changes[first:]:
                self._deliver(watcher, revision, events, propagate=True)
        finally:
            self._notifying = outer
            self._flush()
        return watcher.id

    def cancel_watch(self, watch_id: int) -> None:
        """Stop a watch; unknown or already cancelled ids are ignored."""
        self._watchers.pop(watch_id, None)

    def _notify(self, revision: int, events: tuple[Event, ...]) -> None:
        self._pending.append((revision, events))
        self._flush()

    def _flush(self) -> None:
        """Deliver pending commits in revision order.  A callback that writes
        to the store only queues its commit; this loop delivers it next."""
        if self._notifying:
            return
        self._notifying = True
        try:
            while self._pending:
                revision, events = self._pending.popleft()
                for watcher in list(self._watchers.values()):
                    self._deliver(watcher, revision, events)
        finally:
            self._notifying = False

    def _deliver(self, watcher: _Watcher, revision: int, events: tuple[Event, ...],
                 propagate: bool = False) -> None:
        if watcher.id not in self._watchers or revision < watcher.next_revision:
            return
        watcher.next_revision = revision + 1
        matching = [e for e in events if watcher.matches(e.kv.key)]
        if not matching:
            return
        try:
            watcher.callback(matching)
        except Exception:
            self.cancel_watch(watcher.id)
            if propagate:
                raise
            log.warning("watch %d on %r cancelled: its callback raised",
                        watcher.id, watcher.key, exc_info=True)

    # -- compaction and history -------------------------------------------

    def compact(self, revision: int) -> None:
        """Forget history before ``revision``: reads and watches from
        ``revision`` on still work, older ones raise CompactedError."""
        if revision <= self._compacted_revision:
            raise CompactedError(self._compacted_revision)
        if revision > self._revision:
            raise FutureRevisionError()
        self._compacted_revision = revision
        for key in list(self._keys):
            history = self._index[key]
            history.compact(revision)
            if not history.revs:
                del self._index[key]
        self._sorted_keys = [key for key in self._keys if key in self._index]
        keep_from = bisect.bisect_left(self._changes, revision, key=itemgetter(0))
        del self._changes[:keep_from]

    def history(self, since_revision: int) -> list[Event]:
        """Every event after ``since_revision``, oldest first: what
        ``watch(prefix=True, key="", start_revision=since_revision + 1)``
        would replay."""
        if since_revision + 1 < self._compacted_revision:
            raise CompactedError(self._compacted_revision)
        first = bisect.bisect_right(self._changes, since_revision, key=itemgetter(0))
        return [event for _, events in self._changes[first:] for event in events]

    # -- snapshot and restore ------------------------------------------------

    def snapshot(self) -> bytes:
        """The whole state as JSON (values in base64): the keys live at the
        compacted revision, then every change since.  Watches are not saved.

        An event's ``prev_kv`` is saved only for the change at the compacted
        revision; for later changes restore() reads it back from the index.
        """
        base = self._compacted_revision
        state = {
            "format": SNAPSHOT_FORMAT,
            "revision": self._revision,
            "compacted_revision": base,
            "compacted_state": [_kv_to_json(kv) for kv in self._state_at(base)],
            "changes": [
                {"revision": revision,
                 "events": [_event_to_json(e, with_prev_kv=revision <= base) for e in events]}
                for revision, events in self._changes
            ],
        }
        return json.dumps(state, sort_keys=True, separators=(",", ":")).encode()

    def _state_at(self, revision: int) -> Iterator[KeyValue]:
        for key in self._keys:
            kv = self._index[key].at(revision)
            if kv is not None:
                yield kv

    @classmethod
    def restore(cls, data: bytes) -> "MVCCStore":
        """Rebuild a store from :meth:`snapshot` output (without watches)."""
        state = json.loads(data)
        if state.get("format") != SNAPSHOT_FORMAT:
            raise ValueError(f"not a {SNAPSHOT_FORMAT} snapshot")
        store = cls()
        base = state["compacted_revision"]
        for item in state["compacted_state"]:
            kv = _kv_from_json(item)
            store._record(kv.key, kv.mod_revision, kv)
        for change in state["changes"]:
            revision = change["revision"]
            if revision <= base:  # already part of the compacted state
                events = tuple(_event_from_json(e) for e in change["events"])
            else:
                events = tuple(store._replay(revision, e) for e in change["events"])
            store._changes.append((revision, events))
        store._revision = state["revision"]
        store._compacted_revision = base
        return store

    def _replay(self, revision: int, item: dict) -> Event:
        """Apply one saved event to the index; its prev_kv is the key as it
        was just before."""
        kv = _kv_from_json(item["kv"])
        history = self._index.get(kv.key)
        prev = history.kvs[-1] if history else None
        self._record(kv.key, revision, kv if item["type"] == PUT else None)
        return Event(item["type"], kv, prev)


class _WriteTxn:
    """One write transaction (etcd's ``storeTxnWrite``): every write gets
    the same new revision; commit() publishes it and notifies watchers."""

    def __init__(self, store: MVCCStore):
        self.store = store
        self.revision = store.revision + 1
        self.events: list[Event] = []

    def read_revision(self) -> int:
        return self.revision if self.events else self.store.revision

    def apply(self, op: Op):
        if op.kind == "get":
            history = self.store._index.get(op.key)
            return history.at(self.read_revision()) if history else None
        if op.kind == "put":
            self.put(op.key, op.value)
            return self.revision
        if op.prefix:
            keys = list(self.store._keys_with_prefix(op.key))
        else:
            keys = [op.key]
        return sum(self.delete(key) for key in keys)

    def put(self, key: str, value: bytes) -> None:
        prev = self.current(key)
        if prev is None:
            kv = KeyValue(key, value, self.revision, self.revision, 1)
        else:
            kv = KeyValue(key, value, prev.create_revision, self.revision, prev.version + 1)
        self.store._record(key, self.revision, kv)
        self.events.append(Event(PUT, kv, prev))

    def delete(self, key: str) -> int:
        prev = self.current(key)
        if prev is None:
            return 0
        self.store._record(key, self.revision, None)
        tombstone = KeyValue(key, b"", 0, self.revision, 0)
        self.events.append(Event(DELETE, tombstone, prev))
        return 1

    def current(self, key: str) -> KeyValue | None:
        history = self.store._index.get(key)
        return history.kvs[-1] if history else None

    def commit(self) -> int:
        store = self.store
        if not self.events:
            return store.revision
        store._revision = self.revision
        events = tuple(self.events)
        store._changes.append((self.revision, events))
        store._notify(self.revision, events)
        return self.revision


def _check_no_duplicate_writes(ops: list[Op]) -> None:
    """etcd refuses a txn that puts a key twice, or puts a key that one of
    its deletes also covers (``checkIntervals``).  Deletes may overlap."""
    deletes = [op for op in ops if op.kind == "delete"]
    puts: set[str] = set()
    for op in ops:
        if op.kind != "put":
            continue
        deleted = any(op.key.startswith(d.key) if d.prefix else op.key == d.key for d in deletes)
        if op.key in puts or deleted:
            raise ValueError("etcdserver: duplicate key given in txn request")
        puts.add(op.key)


# --------------------------------------------------------------------------
# JSON encoding for snapshots
# --------------------------------------------------------------------------


def _kv_to_json(kv: KeyValue) -> dict:
    return {
        "key": kv.key,
        "value": base64.b64encode(kv.value).decode("ascii"),
        "create_revision": kv.create_revision,
        "mod_revision": kv.mod_revision,
        "version": kv.version,
    }


def _kv_from_json(item: dict) -> KeyValue:
    return KeyValue(item["key"], base64.b64decode(item["value"]),
                    item["create_revision"], item["mod_revision"], item["version"])


def _event_to_json(event: Event, with_prev_kv: bool) -> dict:
    item = {"type": event.type, "kv": _kv_to_json(event.kv)}
    if with_prev_kv:
        item["prev_kv"] = _kv_to_json(event.prev_kv) if event.prev_kv else None
    return item


def _event_from_json(item: dict) -> Event:
    prev = item["prev_kv"]
    return Event(item["type"], _kv_from_json(item["kv"]),
                 _kv_from_json(prev) if prev else None)
