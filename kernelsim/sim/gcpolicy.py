"""Keeping CPython's cyclic garbage collector off a large cluster's long-lived state.

A simulated cluster keeps millions of long-lived objects: the watch cache's decoded
objects, the informers' caches, the scheduler's NodeInfos.  They are freed by reference
counting when they go away and almost never form garbage cycles, yet every full (oldest
generation) collection traverses all of them again.  Once the heap is larger than the
CPU caches that traversal is slow: at 5,000 nodes and tens of thousands of pods it took
well over half of the benchmark's CPU time, while the collections found next to nothing.

:func:`tenuring_gc` leaves the collector on and changes one thing: the objects that
survive a full collection are moved to the permanent generation (``gc.freeze()``), so the
next full collection looks only at what was promoted since.  Garbage cycles are still
found among those, which is where nearly all of them are.  A cycle formed later out of
objects already tenured is not collected until the block ends: leaving it unfreezes
everything (``gc.unfreeze()``), and the collector works as before.  It is opt-in and
scoped to a ``with`` block because it affects the whole Python process (a learner's
kernel draws figures and widgets too).

    with tenuring_gc():
        cluster = kernelsim.Cluster(workers=1000, addons=False)
        ...
"""

from __future__ import annotations

import contextlib
import gc
from typing import Iterator

_depth = 0
_stats = {"full_collections": 0}


def _after_collection(phase: str, info: dict) -> None:
    if phase == "stop" and info.get("generation") == 2:
        _stats["full_collections"] += 1
        gc.freeze()  # the survivors of this full collection: not traversed again


@contextlib.contextmanager
def tenuring_gc() -> Iterator[dict]:
    """Tenure the survivors of each full collection for the duration of the block.

    Yields a dict counting the full collections seen meanwhile.  Nested blocks share the
    outermost one's policy; the outermost exit unfreezes everything it tenured."""
    global _depth
    _depth += 1
    if _depth == 1:
        _stats["full_collections"] = 0
        gc.callbacks.append(_after_collection)
    try:
        yield _stats
    finally:
        _depth -= 1
        if _depth == 0:
            gc.callbacks.remove(_after_collection)
            gc.unfreeze()


def tenured() -> int:
    """How many objects are in the permanent generation now."""
    return gc.get_freeze_count()
