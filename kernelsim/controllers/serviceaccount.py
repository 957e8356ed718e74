"""The service account controller and the root CA publisher (pkg/controller/serviceaccount,
pkg/controller/certificates/rootcacertpublisher).

Every namespace gets a ``default`` ServiceAccount and a ``kube-root-ca.crt``
ConfigMap, so pods can be admitted with their default identity and can
trust the cluster's API server certificate.
"""

from __future__ import annotations

from ..api import errors
from .base import Controller

# A placeholder certificate body: the simulated cluster has no real PKI.
ROOT_CA = ("-----BEGIN CERTIFICATE-----\n"
           "kernelsim simulated cluster CA (not a real certificate)\n"
           "-----END CERTIFICATE-----\n")


class ServiceAccountController(Controller):
    name = "serviceaccount-controller"
    watches = ("namespaces", "serviceaccounts", "configmaps")

    def register_handlers(self, resource, informer):
        if resource == "namespaces":
            informer.add_handlers(self.enqueue, lambda old, new: self.enqueue(new))
        else:
            # A deleted default account or CA bundle is re-created.
            def on_delete(obj):
                if obj["metadata"]["name"] in ("default", "kube-root-ca.crt"):
                    self.queue.add(obj["metadata"]["namespace"])
            informer.add_handlers(on_delete=on_delete)

    def sync(self, key: str) -> None:
        ns = self.cache("namespaces").get(key)
        if ns is None or ns["metadata"].get("deletionTimestamp"):
            return
        if self.cache("serviceaccounts").get(f"{key}/default") is None:
            self._create({"apiVersion": "v1", "kind": "ServiceAccount",
                          "metadata": {"name": "default", "namespace": key}})
        if self.cache("configmaps").get(f"{key}/kube-root-ca.crt") is None:
            self._create({"apiVersion": "v1", "kind": "ConfigMap",
                          "metadata": {"name": "kube-root-ca.crt", "namespace": key,
                                       "annotations": {"kubernetes.io/description": (
                                           "Contains a CA bundle that can be used to verify the kube-apiserver "
                                           "when using internal endpoints such as the internal service IP or "
                                           "kubernetes.default.svc. No other usage is guaranteed across "
                                           "distributions of Kubernetes clusters.")}},
                          "data": {"ca.crt": ROOT_CA}})

    def _create(self, obj):
        try:
            self.client.create(obj)
        except errors.StatusError as e:
            if e.code not in (409, 403, 404):
                raise
