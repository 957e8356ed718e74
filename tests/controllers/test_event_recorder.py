"""The event recorder's correlator: repeats bump count on the same Event, and its memory is
an LRU of client-go's size, so it stays bounded however many objects it reports on."""

import kernelsim
from kernelsim.client.events import MAX_LRU_CACHE_ENTRIES, EventRecorder


def _pod(name):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"}}


def test_a_repeat_bumps_the_count_and_the_memory_stays_bounded():
    c = kernelsim.Cluster(workers=1, addons=False, seed=0)
    try:
        rec = EventRecorder(c.api, "test-component")
        rec.event(_pod("a"), "Normal", "Poked", "poked a")
        rec.event(_pod("a"), "Normal", "Poked", "poked a")
        events = [e for e in c.api.list("events", "default") if e["reason"] == "Poked"]
        assert [(e["involvedObject"]["name"], e["count"]) for e in events] == [("a", 2)]
        for i in range(MAX_LRU_CACHE_ENTRIES + 10):
            rec.event(_pod(f"p{i}"), "Normal", "Poked", "poked")
        assert len(rec._seen) == MAX_LRU_CACHE_ENTRIES
        # The most recent ones are still correlated; the oldest were forgotten (a new Event).
        last = f"p{MAX_LRU_CACHE_ENTRIES + 9}"
        rec.event(_pod(last), "Normal", "Poked", "poked")
        counts = {e["involvedObject"]["name"]: e["count"] for e in c.api.list("events", "default")
                  if e["reason"] == "Poked"}
        assert counts[last] == 2
        rec.event(_pod("a"), "Normal", "Poked", "poked a")
        a_events = [e["count"] for e in c.api.list("events", "default")
                    if e["reason"] == "Poked" and e["involvedObject"]["name"] == "a"]
        assert sorted(a_events) == [1, 2]
    finally:
        c.close()
