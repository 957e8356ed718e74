"""etcd, the cluster's key-value store, as kube-apiserver uses it.

Only kube-apiserver may import this package (docs/architecture.md, rule 1; enforced by
``tests/etcd/test_imports.py``).  ``mvcc`` mirrors etcd's
``server/storage/mvcc``: revisions, transactions, watches, compaction and
snapshots.
"""

from .mvcc import (
    DELETE,
    PUT,
    Compare,
    CompactedError,
    Event,
    FutureRevisionError,
    KeyValue,
    MVCCStore,
    Op,
    TxnResponse,
)

__all__ = [
    "DELETE",
    "PUT",
    "Compare",
    "CompactedError",
    "Event",
    "FutureRevisionError",
    "KeyValue",
    "MVCCStore",
    "Op",
    "TxnResponse",
]
