"""The TTL-after-finished controller (pkg/controller/ttlafterfinished).

A finished Job (Complete or Failed) with ``spec.ttlSecondsAfterFinished``
is deleted that many seconds after it finished, with foreground
propagation so that its pods go with it.
"""

from __future__ import annotations

import datetime as _dt

from ..api import errors
from .base import Controller
from .job import condition, is_finished
from .statefulset import parse_time


def finish_time(job: dict) -> _dt.datetime | None:
    """When the Job got its Complete or Failed condition."""
    for type_ in ("Complete", "Failed"):
        c = condition(job, type_)
        if c is not None:
            return parse_time(c.get("lastTransitionTime"))
    return None


class TTLAfterFinishedController(Controller):
    name = "ttl-after-finished-controller"
    watches = ("jobs",)

    def __init__(self, client, loop):
        super().__init__(client, loop)
        self._timers: dict[str, object] = {}

    def sync(self, key: str) -> None:
        job = self.cache().get(key)
        if job is None or job["metadata"].get("deletionTimestamp"):
            return
        ttl = job["spec"].get("ttlSecondsAfterFinished")
        if ttl is None or not is_finished(job):
            return
        finished = finish_time(job)
        if finished is None:
            return
        left = (finished + _dt.timedelta(seconds=ttl) - self.client.apiserver.now()).total_seconds()
        if left > 0:
            # Waiting for a TTL is background work: settle() does not wait for it, advance() reaches it.
            old = self._timers.pop(key, None)
            if old is not None:
                old.cancel()
            self._timers[key] = self.loop.call_later(left, lambda: self.queue.add(key),
                                                     label=f"{self.name} expire {key}", background=True)
            return
        ns, _, name = key.partition("/")
        try:
            self.client.delete("jobs", name, ns, propagation_policy="Foreground")
        except errors.StatusError as e:
            if e.code != 404:
                raise
