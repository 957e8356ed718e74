"""The central log store's indexes, time order and retention (kernelsim.addons.logstore)."""

import pytest

from kernelsim.addons.logstore import LogStore, Source
from kernelsim.addons.query import QueryError

WEB = Source("shop", "web-1", "nginx", "", "worker-1")
DB = Source("shop", "db-0", "postgres", "", "worker-2")
API = Source("kube-system", "kube-apiserver-master-1", "kube-apiserver", "kube-apiserver", "master-1")


def filled(**kw) -> LogStore:
    store = LogStore(**kw)
    store.ingest([(float(t), WEB, "stdout", f"GET /page/{t} 200") for t in range(0, 100, 2)])
    store.ingest([(float(t), DB, "stderr", f"LOG checkpoint {t}") for t in range(1, 100, 2)])
    store.ingest([(50.5, API, "stderr", "Serving securely on [::]:6443")])
    return store


def test_records_come_back_in_time_order_whatever_the_order_of_arrival():
    store = filled()
    assert len(store) == 101
    times = [r.time for r in store.query(limit=None)]
    assert times == sorted(times)
    store.ingest([(3.5, WEB, "stdout", "a late line from an agent catching up")])  # older than what is stored
    again = store.query(namespace="shop", start=3, end=4, limit=None)
    assert [r.line for r in again] == ["LOG checkpoint 3", "a late line from an agent catching up", "GET /page/4 200"]


def test_the_indexes_answer_by_namespace_pod_container_component_and_node():
    store = filled()
    assert len(store.query(pod="web-1", limit=None)) == 50
    assert {r.container for r in store.query(namespace="shop", node="worker-2", limit=None)} == {"postgres"}
    assert [r.line for r in store.query(component="kube-apiserver")] == ["Serving securely on [::]:6443"]
    assert [r.time for r in store.query(pod="db-0", start=10, end=20, limit=None)] == [11, 13, 15, 17, 19]
    assert [r.line for r in store.query(text=r"/page/9\d ", limit=2)] == ["GET /page/96 200", "GET /page/98 200"]
    assert store.query(namespace="nowhere") == [] and store.query(start=1000) == []


def test_retention_keeps_the_newest_lines_within_max_lines():
    store = LogStore(max_lines=40)
    for t in range(200):
        store.ingest([(float(t), WEB, "stdout", f"line {t}")])
        store.commit()
    assert len(store) <= 44 and store.dropped >= 156
    kept = store.query(pod="web-1", limit=None)
    assert kept[-1].line == "line 199" and [r.time for r in kept] == sorted(r.time for r in kept)
    assert all(r.time >= 200 - len(kept) for r in kept)


def test_bad_queries_raise_and_read_nothing():
    store = filled()
    for kw, key in ((dict(start=5, end=1), "bad_range"), (dict(text="(unclosed"), "bad_pattern"),
                    (dict(limit=-1), "bad_limit"), (dict(end="now"), "bad_time")):
        with pytest.raises(QueryError) as info:
            store.query(**kw)
        assert info.value.key == key
    assert len(store) == 101
