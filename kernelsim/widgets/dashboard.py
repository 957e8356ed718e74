"""The Kubernetes Dashboard's web UI, as an ipywidgets view over :mod:`kernelsim.addons.dashboard`.

Tabs as in the real UI: an overview (nodes with their status, workload counts),
the workloads (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, Pods
with a status icon and their readiness), Services and the recent Events; a
namespace selector above them; clicking a pod in the pod list shows its
containers, conditions, events and logs.  The backend's informers tell the
widget which resource changed, and only that part is drawn again (at most every
``interval`` seconds of wall time, or at once with ``refresh()``).  Its state is
in traitlets (``namespace``, ``selected_pod``) and in plain Python
(``backend.state()``, the HTML of each part), so a test needs no browser.
"""

from __future__ import annotations

import html
import threading

import ipywidgets as widgets
import traitlets

from ..addons.dashboard import FAILED, OK, PENDING, WORKLOADS

PAGE_SIZE = 50  # rows per list, as the dashboard paginates

TEXT = {
    "title": ("Kubernetes Dashboard", "쿠버네티스 대시보드"),
    "running": ("served by pod {pod}", "{pod} 파드가 제공합니다"),
    "down": ("The dashboard is not running: no kubernetes-dashboard pod is ready. Scale its Deployment up "
             "(kubectl scale deployment kubernetes-dashboard -n kubernetes-dashboard --replicas=1).",
             "대시보드가 실행 중이 아닙니다. 준비된 kubernetes-dashboard 파드가 없습니다. 디플로이먼트를 늘려 주세요 "
             "(kubectl scale deployment kubernetes-dashboard -n kubernetes-dashboard --replicas=1)."),
    "namespace": ("Namespace", "네임스페이스"),
    "all": ("All namespaces", "모든 네임스페이스"),
    "overview": ("Overview", "개요"), "workloads": ("Workloads", "워크로드"), "services": ("Services", "서비스"),
    "events": ("Events", "이벤트"), "nodes": ("Nodes", "노드"), "pods": ("Pods", "파드"),
    "deployments": ("Deployments", "디플로이먼트"), "replicasets": ("Replica Sets", "레플리카세트"),
    "statefulsets": ("Stateful Sets", "스테이트풀세트"), "daemonsets": ("Daemon Sets", "데몬세트"),
    "jobs": ("Jobs", "잡"), "pod": ("Pod", "파드"), "click": ("Click a pod to see its details.",
                                                          "파드를 클릭하면 자세한 내용이 나옵니다."),
    "containers": ("Containers", "컨테이너"), "conditions": ("Conditions", "상태 조건"), "logs": ("Logs", "로그"),
    "more": ("… and {n} more", "… 외 {n}개"), "none": ("nothing here", "없음"),
}

_COLUMNS = {
    "nodes": ("Name", "Status", "Roles", "Version"),
    "deployments": ("Namespace", "Name", "Ready", "Up-to-date", "Available", "Images"),
    "replicasets": ("Namespace", "Name", "Desired", "Current", "Ready", "Images"),
    "statefulsets": ("Namespace", "Name", "Ready", "Images"),
    "daemonsets": ("Namespace", "Name", "Desired", "Current", "Ready", "Available"),
    "jobs": ("Namespace", "Name", "Status", "Completions", "Duration"),
    "pods": ("Namespace", "Name", "Ready", "Status", "Restarts", "Node", "IP"),
    "services": ("Namespace", "Name", "Type", "Cluster-IP", "Port(s)"),
}


def _table(rows: list[dict], columns, icon: bool = True, page: int = PAGE_SIZE, more: str = "",
           none: str = "") -> str:
    if not rows:
        return f"<p><i>{html.escape(none)}</i></p>"
    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{html.escape(c)}</th>" for c in columns)
    body = []
    for r in rows[:page]:
        cells = "".join(f"<td style='padding:2px 8px'>{html.escape(str(r.get(c, '')))}</td>" for c in columns)
        body.append(f"<tr><td>{r.get('icon', '') if icon else ''}</td>{cells}</tr>")
    tail = f"<p><i>{html.escape(more.format(n=len(rows) - page))}</i></p>" if len(rows) > page else ""
    return f"<table><tr><th></th>{head}</tr>{''.join(body)}</table>{tail}"


class DashboardWidget(widgets.VBox):
    """The dashboard UI of ``cluster``, drawn from ``backend`` (a started ``Dashboard``)."""

    namespace = traitlets.Unicode(None, allow_none=True)
    selected_pod = traitlets.Unicode(None, allow_none=True)

    def __init__(self, cluster, backend, lang: str = "en", *, interval: float = 0.5, live: bool = True):
        if lang not in ("en", "ko"):
            raise ValueError(f"lang must be one of en, ko, not {lang!r}")
        self.cluster, self.backend, self.lang, self.interval = cluster, backend, lang, interval
        self.header = widgets.HTML()
        self.overview = widgets.HTML()
        self.sections = {r: widgets.HTML() for r in WORKLOADS + ("services",)}
        self.events = widgets.HTML()
        self.pod_list = widgets.Select(options=[], rows=8, layout=widgets.Layout(width="100%"))
        self.details = widgets.HTML(f"<i>{self._t('click')}</i>")
        self.namespace_selector = widgets.Dropdown(description=self._t("namespace"), options=[(self._t("all"), None)],
                                                   value=None, layout=widgets.Layout(width="420px"))
        workloads = widgets.VBox([w for r in WORKLOADS if r != "pods" for w in
                                  (widgets.HTML(f"<b>{self._t(r)}</b>"), self.sections[r])])
        pods = widgets.VBox([widgets.HTML(f"<b>{self._t('pods')}</b>"), self.sections["pods"],
                             widgets.HTML(f"<i>{self._t('click')}</i>"), self.pod_list, self.details])
        self.tabs = widgets.Tab(children=[self.overview, workloads, pods, self.sections["services"], self.events])
        for i, key in enumerate(("overview", "workloads", "pods", "services", "events")):
            self.tabs.set_title(i, self._t(key))
        super().__init__(children=[self.header, self.namespace_selector, self.tabs])
        self.frames = 0
        self._dirty: set[str] = {"*"}
        self._lock = threading.RLock()
        self.namespace_selector.observe(self._on_namespace_selector, names="value")
        self.pod_list.observe(self._on_pod_clicked, names="value")
        with cluster.lock:
            backend.select_namespace(None)  # a new UI starts on all namespaces
            backend.select_pod(None)
        self.refresh()
        self._stop = threading.Event()
        backend.listeners.append(self._on_change)
        self._thread = None
        if live:
            self._thread = threading.Thread(target=self._run, name="kernelsim-dashboard", daemon=True)
            self._thread.start()

    def _t(self, key: str, **kw) -> str:
        en, ko = TEXT[key]
        return (ko if self.lang == "ko" else en).format(**kw)

    # -- interaction ----------------------------------------------------------------------------
    @traitlets.validate("namespace")
    def _valid_namespace(self, proposal):
        ns = proposal["value"]
        if ns is not None and ns not in self.backend.rows["namespaces"]:
            raise traitlets.TraitError(f'namespaces "{ns}" not found')
        return ns

    @traitlets.validate("selected_pod")
    def _valid_pod(self, proposal):
        key = proposal["value"]
        if key is not None and key not in self.backend.rows["pods"]:
            raise traitlets.TraitError(f'pods "{key.rpartition("/")[2]}" not found')
        return key

    @traitlets.observe("namespace")
    def _namespace_changed(self, change) -> None:
        with self.cluster.lock:
            self.backend.select_namespace(change["new"])
        if self.namespace_selector.value != change["new"]:
            self.namespace_selector.value = change["new"]
        self._dirty.add("*")
        self.refresh()

    def _on_namespace_selector(self, change) -> None:
        self.namespace = change["new"]

    @traitlets.observe("selected_pod")
    def _selected_changed(self, change) -> None:
        with self.cluster.lock:
            self.backend.select_pod(change["new"])
        self._dirty.add("pod")
        self.refresh()

    def _on_pod_clicked(self, change) -> None:
        if change["new"] and change["new"] != self.selected_pod:
            self.selected_pod = change["new"]

    def close(self) -> None:
        self._stop.set()
        if self._on_change in self.backend.listeners:
            self.backend.listeners.remove(self._on_change)
        super().close()

    # -- drawing --------------------------------------------------------------------------------
    def _on_change(self, resource: str, key: str) -> None:
        self._dirty.add(resource)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            if self._dirty:
                try:
                    self.refresh()
                except Exception:  # a failed frame must not end the UI
                    self._dirty.add("*")

    def refresh(self) -> None:
        """Draw what changed since the last frame (everything after a namespace change)."""
        with self._lock, self.cluster.lock:
            dirty, self._dirty = self._dirty, set()
            everything = "*" in dirty
            b = self.backend
            running = b.running()
            server = next((r["Name"] for r in b.rows["pods"].values()
                           if r["Namespace"] == "kubernetes-dashboard" and r["icon"] == OK), "")
            status = (f"<span style='color:green'>● {html.escape(self._t('running', pod=server))}</span>" if running
                      else f"<span style='color:#b00'>● {html.escape(self._t('down'))}</span>")
            self.header.value = (f"<h3 style='margin:4px 0'>{self._t('title')}</h3>{status} "
                                 f"<code>t = {self.cluster.now:.1f} s</code>")
            if everything or "namespaces" in dirty:
                options = [(self._t("all"), None)] + [(n, n) for n in sorted(b.rows["namespaces"])]
                if list(self.namespace_selector.options) != options:
                    self.namespace_selector.options = options
                    self.namespace_selector.value = self.namespace if self.namespace in b.rows["namespaces"] else None
            if everything or dirty & {"nodes", "pods", "namespaces", *WORKLOADS}:
                self.overview.value = self._overview_html() if running else ""
            for r, w in self.sections.items():
                if everything or r in dirty:
                    w.value = _table(b.list(r, self.namespace), _COLUMNS[r], more=self._t("more", n="{n}"),
                                     none=self._t("none")) if running else ""
            if everything or "pods" in dirty:
                pods = b.list("pods", self.namespace)[:PAGE_SIZE * 4] if running else []
                options = [(f"{r['icon']} {r['Namespace']}/{r['Name']}  {r['Ready']}  {r['Status']}",
                            f"{r['Namespace']}/{r['Name']}") for r in pods]
                if list(self.pod_list.options) != options:
                    self.pod_list.options = options
                    keys = {v for _, v in options}
                    self.pod_list.value = self.selected_pod if self.selected_pod in keys else None
            if everything or "events" in dirty:
                self.events.value = _table(b.recent_events(namespace=self.namespace), ("Type", "Reason", "Object", "Message", "Count"),
                                           icon=False, none=self._t("none")) if running else ""
            if everything or "pod" in dirty or (self.selected_pod and dirty & {"pods", "events"}):
                self.details.value = self._details_html() if running else ""
            self.frames += 1

    def _overview_html(self) -> str:
        o = self.backend.overview(self.namespace)
        nodes = _table([{**n, "Name": n["name"], "Status": n["status"], "Roles": n["roles"],
                         "Version": n["version"], "Pods": n["pods"]} for n in o["nodes"]],
                       ("Name", "Status", "Roles", "Version", "Pods"))
        counts = []
        for r in WORKLOADS:
            c = o["workloads"][r]
            counts.append(f"<td style='padding:2px 10px'><b>{self._t(r)}</b><br>{OK} {c['ok']} &nbsp; "
                          f"{PENDING} {c['pending']} &nbsp; {FAILED} {c['failed']}</td>")
        return f"<b>{self._t('nodes')}</b>{nodes}<br><table><tr>{''.join(counts)}</tr></table>"

    def _details_html(self) -> str:
        d = self.backend.pod_details(self.selected_pod)
        if d is None:
            return f"<i>{self._t('click')}</i>"
        head = (f"<h4 style='margin:4px 0'>{d['icon']} {self._t('pod')} {html.escape(d['namespace'])}/"
                f"{html.escape(d['name'])}</h4><p>{html.escape(d['status'])} · {html.escape(d['ready'])} · "
                f"{html.escape(d['node'] or '-')} · {html.escape(str(d['ip']))}</p>")
        containers = _table([{"Name": c["name"], "Image": c["image"], "State": c["state"],
                              "Reason": c["reason"] or c["last_termination"], "Ready": c["ready"],
                              "Restarts": c["restarts"], "icon": OK if c["ready"] else PENDING}
                             for c in d["containers"]], ("Name", "Image", "State", "Reason", "Ready", "Restarts"))
        conditions = _table([{"Type": c["type"], "Status": c["status"], "Reason": c["reason"]}
                             for c in d["conditions"]], ("Type", "Status", "Reason"), icon=False,
                            none=self._t("none"))
        events = _table(d["events"], ("Type", "Reason", "Message", "Count"), icon=False, none=self._t("none"))
        logs = "".join(f"<p><b>{html.escape(c['name'])}</b></p><pre style='max-height:12em;overflow:auto'>"
                       f"{html.escape(c['logs'])}</pre>" for c in d["containers"])
        return (f"{head}<b>{self._t('containers')}</b>{containers}<b>{self._t('conditions')}</b>{conditions}"
                f"<b>{self._t('events')}</b>{events}<b>{self._t('logs')}</b>{logs}")
