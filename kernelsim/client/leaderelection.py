"""Leader election with a Lease (client-go tools/leaderelection).

kube-controller-manager, kube-scheduler and cloud-controller-manager run on
every master but act only on the one holding their Lease in kube-system; the
holder renews it every ``retry_period`` seconds.  In the simulation the
components run once and the first master holds the Leases, so
``kubectl get leases -n kube-system`` shows who leads, as on a real cluster.
"""

from __future__ import annotations

from ..api import errors

LEASE_DURATION = 15
RETRY_PERIOD = 2.0


class LeaderElector:
    def __init__(self, client, loop, name: str, identity: str, namespace: str = "kube-system"):
        self.client = client
        self.loop = loop
        self.name = name
        self.identity = identity
        self.namespace = namespace
        self.transitions = 0

    def _micro_time(self) -> str:
        api = self.client.apiserver
        t = api.now()
        return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond:06d}Z"

    def start(self) -> None:
        self._renew(acquire=True)

    def _renew(self, acquire: bool = False) -> None:
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
                if spec.get("holderIdentity") != self.identity:
                    spec["leaseTransitions"] = spec.get("leaseTransitions", 0) + 1
                    spec["acquireTime"] = now
                spec.update(holderIdentity=self.identity, leaseDurationSeconds=LEASE_DURATION, renewTime=now)
                self.client.update(lease)
        except errors.StatusError:
            pass  # try again at the next period
        self.loop.call_later(RETRY_PERIOD, self._renew, f"{self.name} lease renewal", background=True)
