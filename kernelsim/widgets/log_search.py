"""A search box over the central log store (what Kibana's Discover page, or Grafana's Explore, is in a real stack).

Fields for the text (a regular expression), namespace, pod, container and
component, and a time range ("the last N simulated minutes"); the answer is a
table of the matching lines, newest last.  A bad query (an unknown pod, a
malformed pattern) shows the error in the learner's language and finds nothing.
State is in plain widgets (``text``, ``namespace``, ... ``results``), so a test
sets values and calls ``search()`` without a browser.
"""

from __future__ import annotations

import html

import ipywidgets as widgets

from ..addons.query import QueryError

TEXT = {
    "text": ("Text (regex)", "텍스트(정규식)"), "namespace": ("Namespace", "네임스페이스"), "pod": ("Pod", "파드"),
    "container": ("Container", "컨테이너"), "component": ("Component", "구성 요소"),
    "minutes": ("Last minutes (0: all)", "최근 몇 분(0: 전체)"), "search": ("Search", "검색"),
    "found": ("{n} lines", "{n}줄"),
}


class LogSearchWidget(widgets.VBox):
    def __init__(self, cluster, lang: str = "en", limit: int = 200):
        if lang not in ("en", "ko"):
            raise ValueError(f"lang must be one of en, ko, not {lang!r}")
        self.cluster, self.lang, self.limit = cluster, lang, limit
        t = lambda k: TEXT[k][1 if lang == "ko" else 0]  # noqa: E731
        self._t = t
        self.text = widgets.Text(description=t("text"), placeholder="error|OOMKilled")
        self.namespace = widgets.Text(description=t("namespace"))
        self.pod = widgets.Text(description=t("pod"))
        self.container = widgets.Text(description=t("container"))
        self.component = widgets.Dropdown(description=t("component"),
                                          options=["", "kubelet", "kube-apiserver", "kube-scheduler",
                                                   "kube-controller-manager", "etcd"], value="")
        self.minutes = widgets.BoundedFloatText(description=t("minutes"), value=0, min=0, max=1e6)
        self.button = widgets.Button(description=t("search"), icon="search")
        self.output = widgets.HTML()
        self.results: list = []
        self.error: QueryError | None = None
        self.button.on_click(lambda _: self.search())
        super().__init__(children=[widgets.HBox([self.text, self.button]),
                                   widgets.HBox([self.namespace, self.pod]),
                                   widgets.HBox([self.container, self.component]), self.minutes, self.output])

    def search(self) -> list:
        """Run the query in the fields; returns (and shows) the matching records."""
        query = {k: (getattr(self, k).value.strip() or None) for k in ("namespace", "pod", "container")}
        query["component"] = self.component.value or None
        if self.minutes.value:
            query["since"] = float(self.minutes.value) * 60
        try:
            self.results = self.cluster.search_logs(self.text.value or None, limit=self.limit, **query)
            self.error = None
        except QueryError as e:
            self.results, self.error = [], e
            self.output.value = f"<p style='color:#b00'>{html.escape(e.message(self.lang))}</p>"
            return self.results
        rows = "".join(
            f"<tr><td style='padding:1px 6px'><code>{r.time:.1f}s</code></td><td style='padding:1px 6px'>{html.escape(r.node)}"
            f"</td><td style='padding:1px 6px'>{html.escape(r.component or f'{r.namespace}/{r.pod}/{r.container}')}</td>"
            f"<td style='padding:1px 6px'><code>{html.escape(r.line)}</code></td></tr>" for r in self.results)
        count = TEXT["found"][1 if self.lang == "ko" else 0].format(n=len(self.results))
        self.output.value = f"<p>{count}</p><div style='max-height:24em;overflow:auto'><table>{rows}</table></div>"
        return self.results
