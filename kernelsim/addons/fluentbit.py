"""Cluster logging: a Fluent Bit agent on every node, shipping to a central store (fluent/fluent-bit).

Fluent Bit runs as a DaemonSet, one pod per node.  Its pipeline, as in the
configuration of its Helm chart:

* ``[INPUT] tail`` reads ``/var/log/containers/*.log``: every container log on
  the node (the files the kubelet and the runtime write, which ``kubectl logs``
  reads), remembering how far it read each file;
* ``[INPUT] systemd`` reads the journal of ``kubelet.service``;
* ``[FILTER] kubernetes`` adds the pod's metadata, asked from kube-apiserver
  (namespace, pod, container, labels): the control-plane pods are tagged with
  their ``component`` label (kube-apiserver, kube-scheduler,
  kube-controller-manager, etcd);
* ``[OUTPUT]`` sends the records to the central store every ``Flush`` second
  (Elasticsearch in EFK, Loki in a Grafana stack; here :mod:`.logstore`).

An agent works only while its pod runs on its node: stop the DaemonSet's pod and
that node's lines stop arriving (and those of containers removed meanwhile are
lost, as their files are).  When a container exits, the agent reads its file to
the end at once, so the last lines of a deleted pod are in the store although
``kubectl logs`` can no longer show them.
"""

from __future__ import annotations

from typing import Callable

from ..client.informer import Informer
from ..runtime.cri import CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL
from .logstore import LogStore, Source
from .query import QueryError, check_range

FLUSH = 1.0  # [SERVICE] Flush 1
SELECTOR = {"app.kubernetes.io/name": "fluent-bit"}
CONTROL_PLANE_TIER = "control-plane"


class FluentBitAgent:
    """The Fluent Bit of one node: tails its runtime's container logs and the kubelet's journal."""

    def __init__(self, logging: "ClusterLogging", node: str, runtime, kubelet):
        self.logging = logging
        self.node = node
        self.runtime = runtime
        self.kubelet = kubelet
        self._offsets: dict[str, tuple[int, object]] = {}   # container id -> (lines read, last line read)
        self._journal_mark: object = None
        self.running = False
        runtime.add_listener(self._on_container)

    def _on_container(self, event: str, c) -> None:
        if event == "exited" and self.running and c.labels.get(POD_NAME_LABEL):
            self.logging.store.ingest(self._tail(c))  # read the file to its end before it goes

    def _tail(self, c) -> list:
        logs = c.logs
        read, last = self._offsets.get(c.id, (0, None))
        if last is None:
            new = logs
        elif read <= len(logs) and logs[read - 1] is last:
            new = logs[read:]
        else:  # the file was rotated: find where we were
            j = next((k for k in range(len(logs) - 1, -1, -1) if logs[k] is last), -1)
            new = logs[j + 1:]
        if not new:
            return []
        self._offsets[c.id] = (len(logs), logs[-1])
        source = self.logging.source_for(self.node, c)
        sid = self.logging.store.source_id(source)
        return [(t, sid, stream, line) for t, stream, line in new]

    def collect(self) -> list:
        """One flush: every new line since the last one."""
        out = []
        containers = self.runtime.containers
        for cid in [cid for cid in self._offsets if cid not in containers]:
            del self._offsets[cid]  # the container and its log file are gone
        for c in list(containers.values()):
            if c.labels.get(POD_NAME_LABEL) and c.logs and (c.id not in self._offsets or
                                                             self._offsets[c.id][1] is not c.logs[-1]):
                out.extend(self._tail(c))
        journal = getattr(self.kubelet, "journal", None)
        if journal:
            last = journal[-1]
            if last is not self._journal_mark:
                lines = list(journal)
                j = next((k for k in range(len(lines) - 1, -1, -1) if lines[k] is self._journal_mark), -1)
                sid = self.logging.store.source_id(Source("", "", "", "kubelet", self.node))
                out.extend((t, sid, "stderr", line) for t, line in lines[j + 1:])
                self._journal_mark = last
        return out


class ClusterLogging:
    """The logging addon: the agents of the nodes whose fluent-bit pod runs, and the central store."""

    def __init__(self, client, loop, machines: Callable[[], dict], *, store: LogStore | None = None,
                 namespace: str = "kube-system"):
        """``machines()`` returns ``{node: (runtime, kubelet)}`` of the running machines."""
        self.client = client.with_source("fluent-bit")
        self.loop = loop
        self.machines = machines
        self.namespace = namespace
        self.store = store or LogStore()
        self.pods = Informer(self.client, "pods")  # the kubernetes filter's metadata cache
        self.agents: dict[str, FluentBitAgent] = {}
        self._agent_pods: dict[str, str] = {}  # "namespace/name" of a running fluent-bit pod -> its node
        self.pods.add_handlers(self._on_pod, lambda old, new: self._on_pod(new), self._on_pod_deleted)

    def start(self) -> None:
        self.pods.start()
        self.loop.call_later(FLUSH, self._tick, "fluent-bit flush", background=True)

    # -- the DaemonSet's pods decide where agents run ------------------------------------------
    def _on_pod(self, pod: dict) -> None:
        meta = pod["metadata"]
        if meta.get("namespace") != self.namespace:
            return
        labels = meta.get("labels") or {}
        key = f"{meta['namespace']}/{meta['name']}"
        if all(labels.get(k) == v for k, v in SELECTOR.items()) and \
                (pod.get("status") or {}).get("phase") == "Running" and not meta.get("deletionTimestamp"):
            self._agent_pods[key] = (pod.get("spec") or {}).get("nodeName") or ""
        else:
            self._agent_pods.pop(key, None)

    def _on_pod_deleted(self, pod: dict) -> None:
        meta = pod["metadata"]
        self._agent_pods.pop(f"{meta.get('namespace')}/{meta.get('name')}", None)

    def agent_nodes(self) -> set[str]:
        """Nodes where a fluent-bit pod of the DaemonSet is running."""
        return set(self._agent_pods.values())

    def _tick(self) -> None:
        try:
            self.flush()
        finally:
            self.loop.call_later(FLUSH, self._tick, "fluent-bit flush", background=True)

    def flush(self) -> None:
        running = self.agent_nodes()
        machines = self.machines()
        for node, (runtime, kubelet) in machines.items():
            agent = self.agents.get(node)
            if agent is None or agent.runtime is not runtime:
                agent = self.agents[node] = FluentBitAgent(self, node, runtime, kubelet)
            agent.running = node in running
            if agent.running:
                self.store.ingest(agent.collect())
        for node in set(self.agents) - set(machines):
            self.agents[node].running = False

    def source_for(self, node: str, c) -> Source:
        """The kubernetes filter: the record's metadata, from the container's labels and its pod."""
        ns, pod = c.labels.get(POD_NAMESPACE_LABEL, ""), c.labels.get(POD_NAME_LABEL, "")
        obj = self.pods.get(f"{ns}/{pod}")
        labels = (obj or {}).get("metadata", {}).get("labels") or {}
        component = labels.get("component", "") if labels.get("tier") == CONTROL_PLANE_TIER else ""
        return Source(ns, pod, c.labels.get(CONTAINER_NAME_LABEL, c.name), component, node)

    # -- searching (what Kibana or Grafana asks) --------------------------------------------------
    def search(self, text=None, *, namespace: str | None = None, pod: str | None = None,
               container: str | None = None, component: str | None = None, node: str | None = None,
               start=None, end=None, since=None, limit: int | None = 1000):
        """Log records from the central store, oldest first (the newest ``limit`` of them).

        ``text`` is a regular expression; ``start``/``end`` are simulated seconds and
        ``since`` the seconds before now.  An unknown namespace or pod, a range that ends
        before it starts or a malformed pattern raise :class:`~.query.QueryError`.
        """
        if since is not None:
            if isinstance(since, bool) or not isinstance(since, (int, float)) or since < 0:
                raise QueryError("bad_time", name="since", value=since)
            if start is not None:
                start = max(float(start), self.loop.now - since)
            else:
                start = self.loop.now - since
        check_range(start, end)
        self.flush()  # what the agents have read so far is searchable now
        if namespace is not None and not self._namespace_known(namespace):
            raise QueryError("unknown_namespace", namespace=namespace, store=self.store.name)
        if pod is not None and not self._pod_known(namespace, pod):
            if namespace is None:
                raise QueryError("unknown_pod_any", pod=pod, store=self.store.name)
            raise QueryError("unknown_pod", namespace=namespace, pod=pod, store=self.store.name)
        return self.store.query(namespace=namespace, pod=pod, container=container, component=component,
                                node=node, start=start, end=end, text=text, limit=limit)

    def _namespace_known(self, namespace: str) -> bool:
        return namespace in self.store.namespaces() or self.client.exists("namespaces", namespace, None)

    def _pod_known(self, namespace: str | None, pod: str) -> bool:
        known = self.store.pods(namespace) | {(p["metadata"]["namespace"], p["metadata"]["name"])
                                              for p in self.pods.list(namespace)}
        return any(name == pod for _, name in known)
