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


def _events(c, reason):
    return sorted(((e["message"], e["count"]) for e in c.api.list("events", "default") if e["reason"] == reason),
                  key=lambda mc: mc[0])


def test_similar_events_are_combined_from_the_tenth_message_on():
    c = kernelsim.Cluster(workers=1, addons=False, seed=0)
    try:
        rec = EventRecorder(c.api, "test-component")
        for i in range(12):
            rec.event(_pod("rs"), "Normal", "Made", f"made pod {i:02d}")
        rec.event(_pod("other"), "Normal", "Made", "made pod 00")  # another object: not similar
        events = _events(c, "Made")
        combined = [mc for mc in events if mc[0].startswith("(combined")]
        # the 10th, 11th and 12th went to one Event, which carries the latest message and their count
        assert combined == [("(combined from similar events): made pod 11", 3)]
        assert [mc for mc in events if mc not in combined] == (
            [("made pod 00", 1)] * 2 + [(f"made pod {i:02d}", 1) for i in range(1, 9)])
    finally:
        c.close()


def test_a_source_may_burst_25_events_about_an_object_then_one_every_5_minutes():
    c = kernelsim.Cluster(workers=1, addons=False, seed=0)
    try:
        rec = EventRecorder(c.api, "test-component")
        for _ in range(30):
            rec.event(_pod("noisy"), "Warning", "BackOff", "Back-off restarting failed container")
        assert _events(c, "BackOff") == [("Back-off restarting failed container", 25)]
        rec.event(_pod("quiet"), "Warning", "BackOff", "Back-off restarting failed container")  # its own bucket
        c.advance(300)  # one token back
        rec.event(_pod("noisy"), "Warning", "BackOff", "Back-off restarting failed container")
        rec.event(_pod("noisy"), "Warning", "BackOff", "Back-off restarting failed container")
        counts = sorted(e["count"] for e in c.api.list("events", "default") if e["reason"] == "BackOff")
        assert counts == [1, 31]  # the dropped ones were still counted; the 32nd waits for the next token
    finally:
        c.close()
