"""The node lease heartbeat (pkg/kubelet/nodelease, k8s.io/component-helpers/apimachinery/lease).

Every 10 seconds the kubelet renews ``kube-node-lease/<node>``: holderIdentity is the
node name, leaseDurationSeconds 40, renewTime a MicroTime.  The node lifecycle
controller in kube-controller-manager reads these renewals to decide whether the
node is alive.
"""

from __future__ import annotations

from ..api import errors

LEASE_NAMESPACE = "kube-node-lease"
LEASE_DURATION_SECONDS = 40
RENEW_INTERVAL = 10.0  # 0.25 * leaseDurationSeconds


class NodeLease:
    def __init__(self, kubelet):
        self.kubelet = kubelet
        self.client = kubelet.client
        self.lease: dict | None = None
        self._timer = None
        self.renewals: list[float] = []  # simulated times of the renewals, for the course

    def start(self) -> None:
        self.sync()

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    def _schedule(self) -> None:
        self._timer = self.kubelet.loop.call_later(RENEW_INTERVAL, self.sync,
                                                   f"kubelet({self.kubelet.node_name}) lease", background=True)

    def sync(self) -> None:
        if not self.kubelet.running:
            return
        try:
            self._renew()
        except errors.StatusError:
            self.lease = None  # try again at the next interval with a fresh copy
        self._schedule()

    def _renew(self) -> None:
        k = self.kubelet
        now = k.micro_time()
        if self.lease is None:
            try:
                self.lease = self.client.get("leases", k.node_name, LEASE_NAMESPACE)
            except errors.StatusError as e:
                if e.code != 404:
                    raise
                self.lease = self.client.create(self._new_lease(now))
                self.renewals.append(k.loop.now)
                return
        lease = self.lease
        lease.setdefault("spec", {})
        lease["spec"]["holderIdentity"] = k.node_name
        lease["spec"]["leaseDurationSeconds"] = LEASE_DURATION_SECONDS
        lease["spec"]["renewTime"] = now
        if not lease["metadata"].get("ownerReferences") and k.node_uid:
            lease["metadata"]["ownerReferences"] = [k.node_owner_reference()]
        try:
            self.lease = self.client.update(lease)
        except errors.StatusError as e:
            if e.code not in (404, 409):
                raise
            self.lease = None
            self._renew()
            return
        self.renewals.append(k.loop.now)

    def _new_lease(self, now: str) -> dict:
        k = self.kubelet
        meta = {"name": k.node_name, "namespace": LEASE_NAMESPACE}
        if k.node_uid:
            meta["ownerReferences"] = [k.node_owner_reference()]
        return {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": meta,
                "spec": {"holderIdentity": k.node_name, "leaseDurationSeconds": LEASE_DURATION_SECONDS,
                         "renewTime": now}}
