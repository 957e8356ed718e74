"""metrics-server: the resource metrics pipeline behind ``kubectl top`` (kubernetes-sigs/metrics-server).

Every ``--metric-resolution`` (15 s) metrics-server scrapes the resource metrics of
every kubelet (what cAdvisor measured: CPU and memory working set per container
and per node), keeps only the latest values, and serves them as the *Metrics API*,
``metrics.k8s.io/v1beta1`` ``NodeMetrics`` and ``PodMetrics``.  kube-apiserver's
aggregation layer (kube-aggregator) forwards requests for that group to the
``metrics-server`` Service named by the ``v1beta1.metrics.k8s.io`` APIService, and
marks the APIService available only while the Service has a ready endpoint.

As the real one, a pod shows up only once it has been scraped twice (a CPU rate
needs two samples), and nothing is served while no metrics-server pod is ready:
the request then fails with ``the server is currently unable to handle the
request``, and discovery leaves the group out, so ``kubectl top`` answers
``Metrics API not available``.

Each scrape also goes into :class:`~kernelsim.addons.monitoring.TimeSeriesStore`
(``self.history``), with the OOM kills that each node's cAdvisor counted: the
history that a monitoring system such as Prometheus would keep.
"""

from __future__ import annotations

from ..api import errors
from ..api.resources import ResourceInfo
from ..client.informer import Informer
from .monitoring import TimeSeriesStore

GROUP, VERSION = "metrics.k8s.io", "v1beta1"
APISERVICE = f"{VERSION}.{GROUP}"
RESOLUTION = 15.0  # --metric-resolution=15s
SELECTOR = {"k8s-app": "metrics-server"}

NODE_METRICS = ResourceInfo(GROUP, VERSION, "NodeMetrics", "nodes", False, verbs=("get", "list"))
POD_METRICS = ResourceInfo(GROUP, VERSION, "PodMetrics", "pods", True, verbs=("get", "list"))


def _cpu(millicores: float) -> str:
    return f"{int(millicores * 1_000_000)}n"


def _memory(n_bytes: int) -> str:
    return f"{int(n_bytes) // 1024}Ki"


class MetricsServer:
    """The metrics-server addon and the aggregation of its API into kube-apiserver."""

    group = GROUP
    resources = (NODE_METRICS, POD_METRICS)

    def __init__(self, client, loop, kubelets, *, namespace: str = "kube-system"):
        """``kubelets()`` returns the kubelets metrics-server can reach, by node name."""
        self.client = client.with_source("metrics-server")
        self.loop = loop
        self.kubelets = kubelets
        self.namespace = namespace
        self.pods = Informer(self.client, "pods")
        self.nodes = Informer(self.client, "nodes")
        self._samples: dict[tuple[str, str], int] = {}   # (namespace, pod) -> scrapes seen
        self._pod_metrics: dict[tuple[str, str], dict] = {}
        self._node_metrics: dict[str, dict] = {}
        self._available: bool | None = None
        self.history = TimeSeriesStore()
        self._limits: dict[str, int | None] = {}  # pod uid -> its memory limit (bytes), if every container has one

    def start(self) -> None:
        self.pods.start()
        self.nodes.start()
        self.loop.call_later(RESOLUTION, self._tick, "metrics-server scrape", background=True)

    # -- the aggregation layer's view -------------------------------------------------
    def available(self) -> bool:
        """A metrics-server pod is ready: its Service has an endpoint to forward to."""
        for pod in self.pods.list(self.namespace):
            labels = pod["metadata"].get("labels") or {}
            if all(labels.get(k) == v for k, v in SELECTOR.items()) and _ready(pod):
                return True
        return False

    def _tick(self) -> None:
        try:
            available = self.available()
            self._update_apiservice(available)
            if available:
                self.scrape()
        finally:
            self.loop.call_later(RESOLUTION, self._tick, "metrics-server scrape", background=True)

    def _update_apiservice(self, available: bool) -> None:
        """kube-aggregator's AvailableConditionController, for this one APIService."""
        if available == self._available:
            return
        try:
            svc = self.client.get("apiservices", APISERVICE)
        except errors.StatusError:
            return
        now = self.client.apiserver.timestamp()
        cond = ({"type": "Available", "status": "True", "reason": "Passed", "message": "all checks passed"}
                if available else
                {"type": "Available", "status": "False", "reason": "MissingEndpoints",
                 "message": f"endpoints for service/metrics-server in \"{self.namespace}\" have no addresses "
                            "with port name \"https\""})
        cond["lastTransitionTime"] = now
        svc["status"] = {"conditions": [cond]}
        try:
            self.client.update_status(svc)
            self._available = available
        except errors.StatusError:
            pass  # etcd may be without a quorum: try again at the next tick

    # -- scraping ---------------------------------------------------------------------------
    def scrape(self) -> None:
        """One round: the latest CPU and memory of every node and container, from every kubelet."""
        now = self.client.apiserver.timestamp()
        window = f"{RESOLUTION:g}s"
        seen = set()
        t = self.loop.now
        for node, kubelet in sorted(self.kubelets().items()):
            stats = kubelet.stats()
            self.history.record(t, node, stats, self._pod_limits(stats))
            for event in getattr(getattr(kubelet, "cadvisor", None), "oom_events", ()):
                self.history.record_oom(event)
            n = stats["node"]
            self._node_metrics[node] = {"timestamp": now, "window": window,
                                        "usage": {"cpu": _cpu(n["cpu"]["usageNanoCores"] / 1e6),
                                                  "memory": _memory(n["memory"]["workingSetBytes"])}}
            for pod in stats["pods"]:
                key = (pod["podRef"]["namespace"], pod["podRef"]["name"])
                seen.add(key)
                self._samples[key] = self._samples.get(key, 0) + 1
                self._pod_metrics[key] = {
                    "timestamp": now, "window": window,
                    "containers": [{"name": c["name"],
                                    "usage": {"cpu": _cpu(c["cpu"]["usageNanoCores"] / 1e6),
                                              "memory": _memory(c["memory"]["workingSetBytes"])}}
                                   for c in pod["containers"]]}
        for key in set(self._pod_metrics) - seen:  # gone, or its node no longer answers
            self._pod_metrics.pop(key, None)
            self._samples.pop(key, None)
        for node in set(self._node_metrics) - set(self.kubelets()):
            self._node_metrics.pop(node, None)
        self.history.scrapes += 1
        if self.history.scrapes % 40 == 0:
            self.history.expire(t)

    def _pod_limits(self, stats: dict) -> dict:
        from ..api.defaults import quantity_value

        out = {}
        for pod in stats["pods"]:
            ref = pod["podRef"]
            uid = ref.get("uid", "")
            if uid not in self._limits:
                obj = self.pods.store.get(f"{ref['namespace']}/{ref['name']}")
                if obj is None:
                    continue
                limits = [((c.get("resources") or {}).get("limits") or {}).get("memory")
                          for c in (obj.get("spec") or {}).get("containers") or []]
                self._limits[uid] = (int(sum(quantity_value(x) or 0 for x in limits))
                                     if limits and all(limits) else None)
            out[(ref["namespace"], ref["name"])] = self._limits[uid]
        return out

    # -- serving the Metrics API ------------------------------------------------------
    def serve(self, info: ResourceInfo, namespace: str | None, name: str | None, query: dict) -> dict:
        if not self.available():
            raise errors.StatusError(503, "ServiceUnavailable", "the server is currently unable to handle the request")
        items = self._node_items() if info is NODE_METRICS else self._pod_items(namespace)
        if name is not None:
            for item in items:
                if item["metadata"]["name"] == name:
                    return {"kind": info.kind, "apiVersion": f"{GROUP}/{VERSION}", **item}
            what = f"{namespace}/{name}" if info.namespaced else name
            raise errors.StatusError(404, "NotFound", f'{info.singular_name}.{GROUP} "{what}" not found',
                                     {"name": name, "group": GROUP, "kind": info.plural})
        selector = query.get("labelSelector")
        if selector:
            from ..api.selectors import parse_label_selector

            ls = parse_label_selector(selector)
            items = [i for i in items if ls.matches(i["metadata"].get("labels") or {})]
        return {"kind": info.kind + "List", "apiVersion": f"{GROUP}/{VERSION}", "metadata": {}, "items": items}

    def _node_items(self) -> list[dict]:
        out = []
        for node in sorted(self._node_metrics):
            obj = self.nodes.store.get(node)
            if obj is None:
                continue
            meta = obj["metadata"]
            out.append({"metadata": {"name": node, "creationTimestamp": meta.get("creationTimestamp"),
                                     "labels": dict(meta.get("labels") or {})}, **self._node_metrics[node]})
        return out

    def _pod_items(self, namespace: str | None) -> list[dict]:
        out = []
        for (ns, name), metrics in sorted(self._pod_metrics.items()):
            if namespace and ns != namespace:
                continue
            if self._samples.get((ns, name), 0) < 2:
                continue  # a CPU rate needs two samples
            obj = self.pods.store.get(f"{ns}/{name}")
            if obj is None:
                continue
            meta = obj["metadata"]
            out.append({"metadata": {"name": name, "namespace": ns, "creationTimestamp": meta.get("creationTimestamp"),
                                     "labels": dict(meta.get("labels") or {})}, **metrics})
        return out


def _ready(pod: dict) -> bool:
    if (pod.get("metadata") or {}).get("deletionTimestamp"):
        return False
    for cond in (pod.get("status") or {}).get("conditions") or []:
        if cond.get("type") == "Ready":
            return cond.get("status") == "True"
    return False
