"""Leader election with a Lease (client-go tools/leaderelection).

kube-controller-manager, kube-scheduler and cloud-controller-manager run on
every master, but act only on the one holding their Lease in kube-system. Every
candidate tries every ``RETRY_PERIOD`` seconds: the holder renews the Lease, the
others take it over only once it has expired (``renewTime`` older than
``leaseDurationSeconds``).  A holder that cannot renew for ``RENEW_DEADLINE``
seconds (its master stopped, or etcd lost its quorum) stops leading, as the real
components do by exiting.  ``kubectl get leases -n kube-system`` shows who leads.
"""

from __future__ import annotations

import datetime as _dt
from typing import Callable

from ..api import errors

LEASE_DURATION = 15
RENEW_DEADLINE = 10.0
RETRY_PERIOD = 2.0
JITTER_FACTOR = 1.2  # a candidate that does not lead retries after 2 s to 2 s x (1 + 1.2)


def _parse(t: str) -> _dt.datetime:
    return _dt.datetime.strptime(t, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=_dt.timezone.utc)


class LeaderElector:
    """One candidate for one Lease.

    ``can_run()`` says whether the candidate's process is up and can reach a working
    kube-apiserver (its master runs and its etcd member is with the majority);
    ``on_started`` / ``on_stopped`` are called when it gains or loses the lead.
    """

    def __init__(self, client, loop, name: str, identity: str, namespace: str = "kube-system", *,
                 can_run: Callable[[], bool] | None = None, on_started: Callable[[], None] | None = None,
                 on_stopped: Callable[[], None] | None = None, rng=None):
        self.client = client
        self.loop = loop
        self.name = name
        self.identity = identity
        self.namespace = namespace
        self.can_run = can_run or (lambda: True)
        self.on_started = on_started
        self.on_stopped = on_stopped
        self.rng = rng
        self.leading = False
        self.last_renew: float | None = None
        self.transitions = 0

    def _micro_time(self) -> str:
        t = self.client.apiserver.now()
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"

    def start(self) -> None:
        self._try()

    def _try(self) -> None:
        try:
            if self.can_run():
                self._acquire_or_renew()
            self._check_deadline()
        finally:
            period = RETRY_PERIOD
            if not self.leading and self.rng is not None:
                period += RETRY_PERIOD * JITTER_FACTOR * self.rng.random()
            self.loop.call_later(period, self._try, f"{self.name} lease renewal ({self.identity})",
                                 background=True)

    def _check_deadline(self) -> None:
        if self.leading and (self.last_renew is None or self.loop.now - self.last_renew >= RENEW_DEADLINE):
            self.leading = False
            if self.on_stopped:
                self.on_stopped()

    def _acquire_or_renew(self) -> None:
        now = self._micro_time()
        try:
            try:
                lease = self.client.get("leases", self.name, self.namespace)
            except errors.StatusError as e:
                if e.code != 404:
                    raise
                self.client.create({
                    "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
                    "metadata": {"name": self.name, "namespace": self.namespace},
                    "spec": {"holderIdentity": self.identity, "leaseDurationSeconds": LEASE_DURATION,
                             "acquireTime": now, "renewTime": now, "leaseTransitions": self.transitions}})
            else:
                spec = lease.setdefault("spec", {})
                holder = spec.get("holderIdentity")
                if holder and holder != self.identity:
                    renewed = spec.get("renewTime")
                    duration = spec.get("leaseDurationSeconds") or LEASE_DURATION
                    if renewed and (self.client.apiserver.now() - _parse(renewed)).total_seconds() < duration:
                        return  # someone else leads, and its Lease is fresh
                if holder != self.identity:
                    spec["leaseTransitions"] = spec.get("leaseTransitions", 0) + (1 if holder else 0)
                    spec["acquireTime"] = now
                spec.update(holderIdentity=self.identity, leaseDurationSeconds=LEASE_DURATION, renewTime=now)
                self.client.update(lease)
        except errors.StatusError:
            return  # try again at the next period
        self.last_renew = self.loop.now
        if not self.leading:
            self.leading = True
            if self.on_started:
                self.on_started()
