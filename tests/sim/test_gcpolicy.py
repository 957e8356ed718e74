"""tenuring_gc: survivors of a full collection are frozen, new garbage cycles are still found."""

import gc
import weakref

from kernelsim.sim.gcpolicy import tenured, tenuring_gc


class Node:
    def __init__(self):
        self.other = self


def test_survivors_of_a_full_collection_are_tenured_and_released_at_the_end():
    assert tenured() == 0
    kept = [Node() for _ in range(10)]
    with tenuring_gc() as stats:
        gc.collect()
        assert stats["full_collections"] >= 1
        assert tenured() > len(kept)
    assert tenured() == 0
    assert _after_collection_installed() is False


def test_garbage_cycles_made_after_the_freeze_are_still_collected():
    with tenuring_gc():
        gc.collect()
        cycle = Node()
        ref = weakref.ref(cycle)
        del cycle
        gc.collect()
        assert ref() is None


def test_a_cycle_of_tenured_objects_waits_for_the_end_of_the_block():
    with tenuring_gc():
        cycle = Node()
        ref = weakref.ref(cycle)
        gc.collect()  # the cycle is alive: it survives, and is tenured
        del cycle
        gc.collect()
        assert ref() is not None  # tenured: not traversed again inside the block
    gc.collect()
    assert ref() is None  # unfrozen at the end, then collected as usual


def test_nested_blocks_share_the_outer_policy():
    with tenuring_gc():
        with tenuring_gc():
            gc.collect()
        assert tenured() > 0  # the inner exit leaves the outer block's policy alone
        assert _after_collection_installed()
    assert tenured() == 0 and not _after_collection_installed()


def _after_collection_installed() -> bool:
    from kernelsim.sim import gcpolicy
    return gcpolicy._after_collection in gc.callbacks
