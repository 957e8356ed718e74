"""The event recorder: how components tell the learner what they did (client-go tools/record).

``recorder.event(obj, "Normal", "Scheduled", "Successfully assigned ...")`` writes a core/v1
Event about ``obj`` after client-go's EventCorrelator has looked at it:

- **Aggregation.** Events from one source about one object with the same type and reason
  but different messages are similar.  From the 10th distinct message within 10 minutes,
  they go to one Event whose message is ``(combined from similar events): <latest message>``.
- **Counting.** A repeat (the same object, type, reason and message, or the same aggregate)
  bumps ``count`` and ``lastTimestamp`` on the existing Event with a strategic merge patch.
- **Spam filtering.** A source may write 25 Events about one object in a burst, then one
  every 5 minutes (a token bucket on the simulated clock); the rest are dropped, though
  they are still counted, so the next one that passes carries the true count.

Its caches are LRUs of client-go's size (4,096 entries), so a recorder's memory stays
bounded however many objects it reports on.  Recording never fails the caller: an event
is a side note.
"""

from __future__ import annotations

from collections import OrderedDict

from ..api import errors

# client-go's maxLruCacheEntries: each cache below remembers this many keys.
MAX_LRU_CACHE_ENTRIES = 4096
AGGREGATE_MAX_EVENTS = 10          # defaultAggregateMaxEvents
AGGREGATE_INTERVAL_SECONDS = 600   # defaultAggregateIntervalInSeconds
SPAM_BURST = 25                    # defaultSpamBurst
SPAM_QPS = 1.0 / 300               # defaultSpamQPS: one event every 5 minutes
AGGREGATE_PREFIX = "(combined from similar events): "


class _LRU(OrderedDict):
    """A bounded mapping that forgets its least recently used key."""

    def get_recent(self, key):
        value = self.get(key)
        if value is not None:
            self.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > MAX_LRU_CACHE_ENTRIES:
            self.popitem(last=False)


class EventRecorder:
    def __init__(self, client, component: str, host: str | None = None):
        self.client = client.with_source(component) if hasattr(client, "with_source") else client
        self.component = component
        self.host = host
        self._seen = _LRU()        # event key -> [count, firstTimestamp, Event name] (eventLogger)
        self._aggregates = _LRU()  # aggregate key -> [messages seen, last time] (EventAggregator)
        self._spam = _LRU()        # source + object -> [tokens, last refill] (EventSourceObjectSpamFilter)

    def event(self, obj: dict, type: str, reason: str, message: str, field_path: str = "") -> None:
        meta = obj.get("metadata", {})
        ns = meta.get("namespace") or "default"
        involved = {
            "kind": obj.get("kind"), "namespace": meta.get("namespace"), "name": meta.get("name"),
            "uid": meta.get("uid"), "apiVersion": obj.get("apiVersion"),
            "resourceVersion": meta.get("resourceVersion"),
        }
        if field_path:
            involved["fieldPath"] = field_path
        involved = {k: v for k, v in involved.items() if v}
        api = self.client.apiserver
        now = api.timestamp()
        seconds = api.clock.now
        source_object = (self.component, self.host, obj.get("kind"), ns, meta.get("name"), meta.get("uid"),
                         obj.get("apiVersion"))
        # EventAggregate: similar events (differing only in their message) are combined from the 10th on.
        key = source_object + (field_path, type, reason, message)
        aggregate_key = source_object + (type, reason)
        record = self._aggregates.get_recent(aggregate_key)
        if record is None or seconds - record[1] > AGGREGATE_INTERVAL_SECONDS:
            record = [OrderedDict(), seconds]
        record[0][message] = None
        record[1] = seconds
        self._aggregates.put(aggregate_key, record)
        if len(record[0]) >= AGGREGATE_MAX_EVENTS:
            record[0].popitem(last=False)  # keep the set below the threshold (client-go pops any one)
            key, message = aggregate_key, AGGREGATE_PREFIX + message
        # eventObserve: a repeat becomes a patch of the Event already written; counted even if dropped below.
        seen = self._seen.get_recent(key)
        if seen is None:
            seen = [1, now, self._event_name(meta)]
            create = True
        else:
            seen[0] += 1
            create = False
        self._seen.put(key, seen)
        if not self._take_token(source_object, seconds):
            return  # spam: dropped
        count, first, name = seen
        try:
            if not create:
                try:
                    self.client.patch("events", name, {"count": count, "lastTimestamp": now, "message": message},
                                      namespace=ns)
                    return
                except errors.StatusError as e:
                    if e.code != 404:
                        raise
            source = {"component": self.component}
            if self.host:
                source["host"] = self.host
            self.client.create({
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": name, "namespace": ns},
                "involvedObject": involved, "reason": reason, "message": message, "type": type,
                "source": source, "firstTimestamp": first, "lastTimestamp": now, "count": count,
                "reportingComponent": self.component, "reportingInstance": self.host or "",
            })
        except errors.StatusError:
            pass  # e.g. the namespace is terminating or gone

    def _take_token(self, source_object: tuple, seconds: float) -> bool:
        """The spam filter's token bucket for one source and object (burst 25, refill 1 per 5 min)."""
        bucket = self._spam.get_recent(source_object)
        if bucket is None:
            bucket = [float(SPAM_BURST), seconds]
        else:
            bucket[0] = min(float(SPAM_BURST), bucket[0] + (seconds - bucket[1]) * SPAM_QPS)
            bucket[1] = seconds
        self._spam.put(source_object, bucket)
        if bucket[0] < 1.0:
            return False
        bucket[0] -= 1.0
        return True

    def _event_name(self, meta: dict) -> str:
        """``<object name>.<UnixNano in hex>``, as client-go names events, so that events
        sort by name in the order they happened (kubectl describe relies on it)."""
        api = self.client.apiserver
        nanos = int(api.epoch.timestamp()) * 1_000_000_000 + int(round(api.clock.now * 1e9))
        # Unique across every recorder of this cluster, even within one simulated instant.
        nanos = max(nanos, getattr(api, "last_event_nanos", 0) + 1)
        api.last_event_nanos = nanos
        return f"{meta.get('name', 'unknown')}.{nanos:x}"
