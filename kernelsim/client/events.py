"""The event recorder: how components tell the learner what they did (client-go tools/record).

``recorder.event(obj, "Normal", "Scheduled", "Successfully assigned ...")``
writes a core/v1 Event about ``obj``.  A repeat of the same event (same
object, type, reason and message) bumps ``count`` and ``lastTimestamp`` on
the existing Event instead of making a new one, as the real correlator does.
Recording never fails the caller: an event is a side note.
"""

from __future__ import annotations

from collections import OrderedDict

from ..api import errors

# The correlator remembers this many recent events (client-go's maxLruCacheEntries), so a
# recorder's memory stays bounded however many objects it reports on.
MAX_LRU_CACHE_ENTRIES = 4096


class EventRecorder:
    def __init__(self, client, component: str, host: str | None = None):
        self.client = client.with_source(component) if hasattr(client, "with_source") else client
        self.component = component
        self.host = host
        self._seen: OrderedDict[tuple, str] = OrderedDict()  # correlation key -> Event name (LRU)

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
        key = (ns, meta.get("uid"), field_path, type, reason, message)
        api = self.client.apiserver
        now = api.timestamp()
        try:
            name = self._seen.get(key)
            if name is not None:
                self._seen.move_to_end(key)
                try:
                    ev = self.client.get("events", name, ns)
                    ev["count"] = ev.get("count", 1) + 1
                    ev["lastTimestamp"] = now
                    self.client.update(ev)
                    return
                except errors.StatusError as e:
                    if e.code != 404:
                        raise
            source = {"component": self.component}
            if self.host:
                source["host"] = self.host
            ev = self.client.create({
                "apiVersion": "v1", "kind": "Event",
                "metadata": {"name": self._event_name(meta), "namespace": ns},
                "involvedObject": involved, "reason": reason, "message": message, "type": type,
                "source": source, "firstTimestamp": now, "lastTimestamp": now, "count": 1,
                "reportingComponent": self.component, "reportingInstance": self.host or "",
            })
            self._seen[key] = ev["metadata"]["name"]
            if len(self._seen) > MAX_LRU_CACHE_ENTRIES:
                self._seen.popitem(last=False)
        except errors.StatusError:
            pass  # e.g. the namespace is terminating or gone

    def _event_name(self, meta: dict) -> str:
        """``<object name>.<UnixNano in hex>``, as client-go names events, so that events
        sort by name in the order they happened (kubectl describe relies on it)."""
        api = self.client.apiserver
        nanos = int(api.epoch.timestamp()) * 1_000_000_000 + int(round(api.clock.now * 1e9))
        # Unique across every recorder of this cluster, even within one simulated instant.
        nanos = max(nanos, getattr(api, "last_event_nanos", 0) + 1)
        api.last_event_nanos = nanos
        return f"{meta.get('name', 'unknown')}.{nanos:x}"
