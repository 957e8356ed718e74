"""Tests for kernelsim.etcd.mvcc, checked against etcd v3 behaviour.

Where it helps, a comment shows what ``etcdctl`` prints against a real etcd.
"""

import json

import pytest

from kernelsim.etcd import (
    Compare,
    CompactedError,
    Event,
    FutureRevisionError,
    KeyValue,
    MVCCStore,
    Op,
)

POD = "/registry/pods/default/web"


def test_fresh_store_is_at_revision_1_and_first_write_gets_2():
    # etcdctl get / --prefix -w json on a fresh etcd: "revision":1
    store = MVCCStore()
    assert store.revision == 1
    assert store.compacted_revision == 0
    assert store.put("/a", b"1") == 2
    assert store.revision == 2


def test_per_key_create_mod_revision_and_version():
    store = MVCCStore()
    store.put("/other", b"x")  # rev 2
    assert store.put(POD, b"v1") == 3
    assert store.put(POD, b"v2") == 4
    store.put("/other", b"y")  # rev 5
    assert store.put(POD, b"v2") == 6  # same value still makes a new version
    assert store.get(POD) == KeyValue(POD, b"v2", create_revision=3, mod_revision=6, version=3)


def test_delete_then_recreate_resets_version_and_create_revision():
    store = MVCCStore()
    store.put(POD, b"a")
    store.put(POD, b"b")
    assert store.delete(POD) == 1
    assert store.revision == 4
    assert store.get(POD) is None
    rev = store.put(POD, b"c")
    assert store.get(POD) == KeyValue(POD, b"c", create_revision=rev, mod_revision=rev, version=1)


def test_delete_of_missing_key_does_not_bump_revision():
    store = MVCCStore()
    store.put("/a", b"1")
    assert store.delete("/missing") == 0
    assert store.delete_range("/nothing/") == 0
    assert store.revision == 2
    assert store.history(0)[-1].kv.key == "/a"


def test_values_must_be_bytes_and_keys_non_empty():
    store = MVCCStore()
    with pytest.raises(TypeError):
        store.put("/a", "text")
    with pytest.raises(ValueError, match="etcdserver: key is not provided"):
        store.put("", b"x")
    assert store.revision == 1


def test_range_prefix_is_sorted_and_excludes_neighbours():
    store = MVCCStore()
    for key in ["/registry/pods/kube-system/dns", "/registry/pods/default/b",
                "/registry/pods/default/a", "/registry/podtemplates/default/t",
                "/registry/pods/defaultx/c", "/registry/services/specs/default/k"]:
        store.put(key, b"{}")
    kvs, rev = store.range("/registry/pods/default/")
    assert [kv.key for kv in kvs] == ["/registry/pods/default/a", "/registry/pods/default/b"]
    assert rev == store.revision
    kvs, _ = store.range("/registry/pods/")
    assert [kv.key for kv in kvs] == ["/registry/pods/default/a", "/registry/pods/default/b",
                                      "/registry/pods/defaultx/c", "/registry/pods/kube-system/dns"]
    assert store.count("/registry/pods/") == 4
    assert store.count("/registry/") == 6
    assert store.count("/registry/nodes/") == 0


def test_range_limit_and_deleted_keys():
    store = MVCCStore()
    for name in "abcde":
        store.put(f"/p/{name}", name.encode())
    store.delete("/p/b")
    kvs, _ = store.range("/p/", limit=2)
    assert [kv.key for kv in kvs] == ["/p/a", "/p/c"]
    kvs, _ = store.range("/p/", limit=0)
    assert len(kvs) == 4
    assert store.count("/p/") == 4


def test_range_from_a_continue_key_pages_through_a_prefix():
    store = MVCCStore()
    for name in "abcde":
        store.put(f"/p/{name}", name.encode())
    store.put("/q/a", b"")
    page, rev = store.range("/p/", limit=2)
    pages = [[kv.key for kv in page]]
    while len(page) == 2:
        page, _ = store.range("/p/", revision=rev, limit=2, start_key=page[-1].key + "\x00")
        pages.append([kv.key for kv in page])
    assert pages == [["/p/a", "/p/b"], ["/p/c", "/p/d"], ["/p/e"]]
    assert store.range("/p/", start_key="/a")[0][0].key == "/p/a"  # before the prefix: ignored


def test_delete_range_is_one_revision():
    store = MVCCStore()
    for name in "abc":
        store.put(f"/registry/pods/ns1/{name}", b"x")
    store.put("/registry/pods/ns2/z", b"x")
    before = store.revision
    assert store.delete_range("/registry/pods/ns1/") == 3
    assert store.revision == before + 1
    assert [kv.key for kv in store.range("/registry/pods/")[0]] == ["/registry/pods/ns2/z"]
    events = store.history(before)
    assert [(e.type, e.kv.key, e.kv.mod_revision) for e in events] == [
        ("DELETE", f"/registry/pods/ns1/{name}", before + 1) for name in "abc"]


def test_reads_at_old_revisions():
    store = MVCCStore()
    r1 = store.put(POD, b"v1")
    r2 = store.put("/registry/pods/default/db", b"d1")
    r3 = store.put(POD, b"v2")
    r4 = store.delete(POD) and store.revision
    assert store.get(POD, revision=1) is None
    assert store.get(POD, revision=r1).value == b"v1"
    assert store.get(POD, revision=r2).value == b"v1"
    assert store.get(POD, revision=r3).value == b"v2"
    assert store.get(POD, revision=r4) is None
    kvs, rev = store.range("/registry/pods/default/", revision=r2)
    assert rev == r2
    assert [(kv.key, kv.value) for kv in kvs] == [
        ("/registry/pods/default/db", b"d1"), (POD, b"v1")]
    with pytest.raises(FutureRevisionError, match="mvcc: required revision is a future revision"):
        store.get(POD, revision=store.revision + 1)


# -- transactions, as kube-apiserver's etcd3 store uses them -------------------


def create_if_absent(store, key, value):
    """k8s.io/apiserver/pkg/storage/etcd3/store.go Create."""
    return store.txn([Compare(key, "mod", "=", 0)], [Op.put(key, value)])


def update_if_unchanged(store, key, value, mod_revision):
    """GuaranteedUpdate: write only if nobody wrote since we read; else re-read."""
    return store.txn([Compare(key, "mod", "=", mod_revision)],
                     [Op.put(key, value)], [Op.get(key)])


def test_txn_create_if_absent():
    store = MVCCStore()
    resp = create_if_absent(store, POD, b"first")
    assert resp.succeeded and resp.revision == 2 and resp.responses == [2]
    resp = create_if_absent(store, POD, b"second")
    assert not resp.succeeded
    assert resp.responses == []
    assert resp.revision == 2  # nothing written, no new revision
    assert store.get(POD).value == b"first"


def test_txn_update_if_mod_revision_unchanged():
    store = MVCCStore()
    store.put(POD, b"v1")
    read = store.get(POD)
    resp = update_if_unchanged(store, POD, b"v2", read.mod_revision)
    assert resp.succeeded and resp.responses == [store.revision]
    # a second writer with the stale mod_revision loses and gets the current object
    resp = update_if_unchanged(store, POD, b"v3", read.mod_revision)
    assert not resp.succeeded
    assert resp.responses == [store.get(POD)]
    assert resp.responses[0].value == b"v2"


def test_txn_compares_on_missing_key_see_zero():
    store = MVCCStore()
    assert store.txn([Compare("/x", "version", "=", 0), Compare("/x", "create", "=", 0),
                      Compare("/x", "mod", "<", 1)], []).succeeded
    # etcd: a value compare on a missing key is always false, even "!="
    assert not store.txn([Compare("/x", "value", "!=", b"anything")], []).succeeded


def test_txn_compares_on_values_and_versions():
    store = MVCCStore()
    store.put("/x", b"b")
    store.put("/x", b"b")
    assert store.txn([Compare("/x", "value", "=", b"b"), Compare("/x", "version", ">", 1),
                      Compare("/x", "create", "=", 2), Compare("/x", "mod", "!=", 2)], []).succeeded
    assert not store.txn([Compare("/x", "value", ">", b"c")], []).succeeded
    with pytest.raises(ValueError):
        Compare("/x", "lease", "=", 0)
    with pytest.raises(ValueError):
        Compare("/x", "mod", "<=", 0)


def test_txn_writes_share_one_revision_and_reads_see_own_writes():
    store = MVCCStore()
    store.txn([], [Op.put("/a", b"old"), Op.put("/d", b"")])  # rev 2
    resp = store.txn([], [Op.get("/a"), Op.put("/a", b"new"), Op.put("/b", b"1"),
                          Op.get("/a"), Op.delete("/c"), Op.delete("/d"), Op.get("/d")])
    assert resp.revision == 3 == store.revision
    assert resp.responses[0].value == b"old"
    assert resp.responses[1:3] == [3, 3]
    assert resp.responses[3] == KeyValue("/a", b"new", 2, 3, 2)
    assert resp.responses[4:] == [0, 1, None]
    assert [(e.type, e.kv.key) for e in store.history(2)] == [
        ("PUT", "/a"), ("PUT", "/b"), ("DELETE", "/d")]


def test_txn_rejects_duplicate_writes():
    store = MVCCStore()
    for ops in ([Op.put("/a", b"1"), Op.put("/a", b"2")],
                [Op.put("/a", b"1"), Op.delete("/a")],
                [Op.delete("/p/", prefix=True), Op.put("/p/x", b"1")]):
        with pytest.raises(ValueError, match="etcdserver: duplicate key given in txn request"):
            store.txn([], ops)
    assert store.revision == 1
    # overlapping deletes are allowed: the second finds nothing left
    store.put("/p/x", b"1")
    resp = store.txn([], [Op.delete("/p/", prefix=True), Op.delete("/p/x")])
    assert resp.responses == [1, 0]


# -- watch ----------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.calls: list[list[Event]] = []

    def __call__(self, events):
        self.calls.append(events)

    def summary(self):
        return [[(e.type, e.kv.key, e.kv.mod_revision) for e in call] for call in self.calls]


def test_watch_from_revision_replays_history_then_streams():
    store = MVCCStore()
    store.put(POD, b"v1")              # 2
    store.put("/registry/other", b"")  # 3
    store.put(POD, b"v2")              # 4
    store.delete(POD)                  # 5
    rec = Recorder()
    wid = store.watch(POD, rec, start_revision=3)
    assert rec.summary() == [[("PUT", POD, 4)], [("DELETE", POD, 5)]]
    put_event, delete_event = rec.calls[0][0], rec.calls[1][0]
    assert put_event.prev_kv == KeyValue(POD, b"v1", 2, 2, 1)
    assert delete_event.kv == KeyValue(POD, b"", 0, 5, 0)
    assert delete_event.prev_kv.value == b"v2"

    store.put(POD, b"v3")  # 6
    store.put("/registry/other", b"x")
    assert rec.summary()[2:] == [[("PUT", POD, 6)]]
    assert rec.calls[2][0].prev_kv is None  # re-created
    store.cancel_watch(wid)
    store.put(POD, b"v4")
    assert len(rec.calls) == 3


def test_watch_without_start_revision_sees_only_new_commits():
    store = MVCCStore()
    store.put(POD, b"v1")
    rec = Recorder()
    store.watch(POD, rec)
    assert rec.calls == []
    store.put(POD, b"v2")
    assert rec.summary() == [[("PUT", POD, 3)]]


def test_watch_with_prefix_gets_one_call_per_txn():
    store = MVCCStore()
    rec = Recorder()
    store.watch("/registry/pods/default/", rec, prefix=True)
    store.put("/registry/pods/default/a", b"1")
    store.put("/registry/pods/kube-system/b", b"1")  # not under the prefix
    store.put("/registry/pods/defaultx/c", b"1")      # nor this one
    store.txn([], [Op.put("/registry/pods/default/b", b"1"), Op.put("/registry/nodes/n", b""),
                   Op.delete("/registry/pods/default/a")])
    assert rec.summary() == [
        [("PUT", "/registry/pods/default/a", 2)],
        [("PUT", "/registry/pods/default/b", 5), ("DELETE", "/registry/pods/default/a", 5)],
    ]


def test_watch_from_future_revision_waits_for_it():
    store = MVCCStore()
    rec = Recorder()
    store.watch("/", rec, prefix=True, start_revision=4)
    store.put("/a", b"1")  # 2
    store.put("/a", b"2")  # 3
    store.put("/a", b"3")  # 4
    assert rec.summary() == [[("PUT", "/a", 4)]]


def test_callback_is_called_after_the_store_is_updated():
    store = MVCCStore()
    seen = []
    store.watch(POD, lambda events: seen.append((store.revision, store.get(POD))))
    rev = store.put(POD, b"v1")
    assert seen == [(rev, store.get(POD))]


def test_writes_from_a_callback_are_delivered_in_revision_order():
    store = MVCCStore()
    rec = Recorder()

    def controller(events):  # reacts to a pod by writing a status key
        for event in events:
            if event.type == "PUT":
                store.put("/status" + event.kv.key, b"seen")

    store.watch("/pods/", controller, prefix=True)
    store.watch("/", rec, prefix=True)
    store.txn([], [Op.put("/pods/a", b""), Op.put("/pods/b", b"")])
    assert rec.summary() == [
        [("PUT", "/pods/a", 2), ("PUT", "/pods/b", 2)],
        [("PUT", "/status/pods/a", 3)],
        [("PUT", "/status/pods/b", 4)],
    ]


def test_a_misbehaving_watcher_is_cancelled_and_the_store_stays_intact(caplog):
    store = MVCCStore()
    before, after = Recorder(), Recorder()
    calls = []

    def broken(events):
        calls.append(events)
        raise RuntimeError("boom")

    store.watch("/", before, prefix=True)
    store.watch("/", broken, prefix=True)
    store.watch("/", after, prefix=True)
    assert store.put("/a", b"1") == 2
    assert store.put("/a", b"2") == 3
    assert len(calls) == 1  # cancelled after the first failure
    assert before.summary() == after.summary() == [[("PUT", "/a", 2)], [("PUT", "/a", 3)]]
    assert store.get("/a") == KeyValue("/a", b"2", 2, 3, 2)
    assert "callback raised" in caplog.text


def test_an_error_during_replay_propagates_and_cancels():
    store = MVCCStore()
    store.put("/a", b"1")
    calls = []

    def broken(events):
        calls.append(events)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        store.watch("/a", broken, start_revision=2)
    store.put("/a", b"2")
    assert len(calls) == 1


# -- compaction -------------------------------------------------------------------


def test_compaction_drops_old_history_but_keeps_live_keys():
    store = MVCCStore()
    store.put("/keep", b"k1")   # 2
    store.put("/gone", b"g1")   # 3
    store.put("/keep", b"k2")   # 4
    store.delete("/gone")       # 5
    store.put("/late", b"l1")   # 6
    store.compact(5)
    assert store.compacted_revision == 5
    assert store.get("/keep") == KeyValue("/keep", b"k2", 2, 4, 2)
    assert store.get("/keep", revision=5).value == b"k2"  # reading at the compacted revision works
    assert store.get("/late", revision=5) is None
    assert [kv.key for kv in store.range("/")[0]] == ["/keep", "/late"]
    with pytest.raises(CompactedError, match="mvcc: required revision has been compacted"):
        store.get("/keep", revision=4)
    with pytest.raises(CompactedError):
        store.range("/", revision=2)
    with pytest.raises(CompactedError) as err:
        store.history(3)
    assert err.value.compact_revision == 5
    assert [(e.type, e.kv.key) for e in store.history(5)] == [("PUT", "/late")]


def test_compact_errors():
    store = MVCCStore()
    store.put("/a", b"1")
    store.put("/a", b"2")
    with pytest.raises(FutureRevisionError):
        store.compact(4)
    store.compact(3)
    with pytest.raises(CompactedError):
        store.compact(3)
    with pytest.raises(CompactedError):
        store.compact(2)


def test_watch_from_a_compacted_revision_raises():
    store = MVCCStore()
    for i in range(5):
        store.put("/a", str(i).encode())  # revisions 2..6
    store.delete("/a")                     # 7
    store.compact(6)
    with pytest.raises(CompactedError):
        store.watch("/a", Recorder(), start_revision=5)
    # etcd accepts a watch from the compacted revision itself (minRev < compactRev
    # is the error); here the revision is replayed in full, prev_kv included.
    rec = Recorder()
    store.watch("/a", rec, start_revision=6)
    assert rec.summary() == [[("PUT", "/a", 6)], [("DELETE", "/a", 7)]]
    assert rec.calls[0][0].prev_kv.value == b"3"


# -- snapshot and restore ---------------------------------------------------------


def build_store():
    store = MVCCStore()
    store.put("/registry/pods/default/a", b"\x00binary\xff")
    store.put("/registry/pods/default/b", b"b1")
    store.put("/registry/pods/default/a", b"a2")
    store.delete("/registry/pods/default/b")
    store.put("/registry/pods/default/b", b"b2")
    store.compact(4)
    store.txn([], [Op.put("/registry/pods/default/c", b"c1"),
                   Op.delete("/registry/pods/default/a")])
    store.put("/registry/pods/default/b", b"b3")
    return store


def test_snapshot_restore_round_trip_keeps_data_and_revisions():
    store = build_store()
    data = store.snapshot()
    assert json.loads(data)["revision"] == store.revision  # self-describing JSON
    restored = MVCCStore.restore(data)
    assert restored.revision == store.revision == 8
    assert restored.compacted_revision == store.compacted_revision == 4
    assert restored.range("/")[0] == store.range("/")[0]
    for rev in range(4, store.revision + 1):
        assert restored.range("/", revision=rev) == store.range("/", revision=rev)
    assert restored.history(3) == store.history(3)
    with pytest.raises(CompactedError):
        restored.get("/registry/pods/default/a", revision=3)
    assert restored.snapshot() == data
    # and it carries on where the original stopped
    assert restored.put("/registry/pods/default/b", b"b4") == store.put("/registry/pods/default/b", b"b4")
    assert restored.get("/registry/pods/default/b") == store.get("/registry/pods/default/b")


def test_restore_does_not_restore_watches():
    store = MVCCStore()
    rec = Recorder()
    store.watch("/", rec, prefix=True)
    restored = MVCCStore.restore(store.snapshot())
    restored.put("/a", b"1")
    assert rec.calls == []


def test_restore_rejects_foreign_data():
    with pytest.raises(ValueError):
        MVCCStore.restore(json.dumps({"format": "something else"}).encode())


def test_many_keys_and_revisions():
    # ~2k keys, ~20k revisions: reads by prefix and at old revisions stay correct
    store = MVCCStore()
    for i in range(20_000):
        store.put(f"/registry/pods/ns{i % 4}/p{i % 2000:04d}", str(i).encode())
    assert store.revision == 20_001
    kvs, _ = store.range("/registry/pods/ns1/")
    assert len(kvs) == 500
    assert kvs[0] == KeyValue("/registry/pods/ns1/p0001", b"18001", 3, 18_003, 10)
    old, _ = store.range("/registry/pods/ns1/", revision=1_000)
    assert [kv.value for kv in old[:2]] == [b"1", b"5"]
    store.compact(19_000)
    assert store.count("/registry/pods/") == 2000
    assert len(store.history(19_000)) == 1001
