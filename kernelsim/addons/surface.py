"""What the course sees of the dashboard, monitoring and logging addons, as methods of ``Cluster``.

Thin entry points only (the work is in :mod:`.dashboard`, :mod:`.monitoring`,
:mod:`.fluentbit` and :mod:`.logstore`): ``cluster.dashboard()``,
``cluster.usage()``, ``cluster.plot_usage()``, ``cluster.search_logs()`` and
``cluster.log_search()``.
"""

from __future__ import annotations

from .query import QueryError


class AddonsSurface:
    """Mixed into :class:`kernelsim.Cluster` (which provides ``lock``, ``metrics_server``, ``logging``...)."""

    _dashboard_backend = None

    def _addon(self, name: str):
        backend = getattr(self, name, None)
        if backend is None:
            raise RuntimeError(f"this cluster runs without addons (Cluster(addons=False)): no {name.replace('_', '-')}")
        return backend

    # -- dashboard ----------------------------------------------------------------------------
    def dashboard_backend(self):
        """The dashboard's state (:class:`kernelsim.addons.dashboard.Dashboard`), started on first use."""
        if self._dashboard_backend is None:
            from .dashboard import Dashboard

            self._addon("metrics_server")  # a cluster without addons has no dashboard either
            with self.lock:
                self._dashboard_backend = Dashboard(self._internal, self.apiserver.pod_log).start()
        return self._dashboard_backend

    def dashboard(self, lang: str = "en", *, live: bool = True):
        """The Kubernetes Dashboard's UI, as a widget: the kubernetes-dashboard pod's web UI."""
        from ..widgets.dashboard import DashboardWidget

        return DashboardWidget(self, self.dashboard_backend(), lang=lang, live=live)

    # -- monitoring -----------------------------------------------------------------------------
    def usage(self, pod: str | None = None, *, node: str | None = None, namespace: str | None = None,
              start=None, end=None):
        """CPU and memory over time (a :class:`kernelsim.addons.monitoring.Usage`) of one pod
        (``pod="web-1"`` with ``namespace``, default ``default``; or ``"ns/name"``), one node or
        one namespace; ``start``/``end`` in simulated seconds."""
        history = self._addon("metrics_server").history
        if sum(x is not None for x in (pod, node)) > 1 or (pod is None and node is None and namespace is None):
            raise QueryError("bad_target")
        with self.lock:
            if pod is not None:
                ns, _, name = pod.rpartition("/")
                return history.pod(name, ns or namespace or "default", start, end)
            if node is not None:
                return history.node(node, start, end)
            return history.namespace(namespace, start, end)

    def plot_usage(self, pod: str | None = None, *, node: str | None = None, namespace: str | None = None,
                   start=None, end=None, title: str | None = None, lang: str | None = None):
        """A matplotlib Figure of :meth:`usage`: CPU and memory over time, OOM kills marked; its texts in
        ``lang`` (default: the learner's language)."""
        from ..widgets.usage_plot import plot_usage

        return plot_usage(self.usage(pod, node=node, namespace=namespace, start=start, end=end), title=title,
                          lang=lang)

    # -- logging ----------------------------------------------------------------------------------
    def search_logs(self, text=None, **query):
        """Search the central log store (see :meth:`kernelsim.addons.fluentbit.ClusterLogging.search`)."""
        logging = self._addon("logging")
        with self.lock:
            return logging.search(text, **query)

    def log_search(self, lang: str = "en"):
        """A widget to search the central log store (a small Kibana)."""
        from ..widgets.log_search import LogSearchWidget

        return LogSearchWidget(self, lang=lang)
