"""The live cluster diagram for Jupyter: an ipywidgets view over :mod:`.dot`.

Like a dashboard (kubernetes-dashboard, k9s), it is an observer outside the
cluster: it watches the API (pods, nodes, workloads, services ...), marks
itself dirty on every event and redraws at most every ``interval`` seconds of
wall time.  Play, pause and step move the simulated clock; with
``trace=True`` it lights up the arrow of each request (kubectl ->
kube-apiserver -> etcd, scheduler, kubelet, runtime) with a caption in
English or Korean, and can replay the requests of the learner's last command.
"""

from __future__ import annotations

import contextlib
import html
import threading
import time
from collections import deque

import ipywidgets as widgets

from . import captions
from .dot import VIEWS, view_dot
from .render import render_svg, renderer_name
from .snapshot import take_snapshot

WATCHED = ("pods", "nodes", "deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "services",
           "endpointslices", "persistentvolumeclaims", "namespaces")
# Only the leader-election Leases; node heartbeats (kube-node-lease) would redraw for nothing.
WATCHED_IN_KUBE_SYSTEM = ("leases",)

_QUIET_PLURALS = ("leases", "events")
_QUIET_KEYS = ("/registry/leases/", "/registry/events/", "/registry/minions/")
_READ_VERBS = ("GET", "LIST", "WATCH")
LIVE_BACKLOG = 20


def is_story_record(record) -> bool:
    """Whether a trace record is worth a step of the animation.

    Reads and watches by components, heartbeats (Leases, Node status) and
    Events are left out; everything the learner's own clients did stays in.
    """
    if record.source == record.target:
        return False
    if record.source in captions.USER_SOURCES:
        return True
    if record.verb.upper() in _READ_VERBS:
        return False
    if record.target == "kube-apiserver":
        plural = record.object.split("/")[0]
        if plural in _QUIET_PLURALS or record.object == "nodes/status":
            return False
    if record.target == "etcd" and record.object.startswith(_QUIET_KEYS) and record.detail == "update":
        return False
    if record.target == "etcd" and record.object.startswith(("/registry/leases/", "/registry/events/")):
        return False
    return True


def last_command_cursor(cluster) -> int:
    """The trace cursor taken just before the learner's last command.

    ``cluster.last_command_cursor`` when the cluster keeps one (set before each
    ``cluster.kubectl`` / ``%kubectl``); otherwise the start of the last run of
    requests made by the same client (kubectl, python) at one simulated moment.
    """
    cursor = getattr(cluster, "last_command_cursor", None)
    if isinstance(cursor, int):
        return cursor
    tracer = cluster.tracer
    records = tracer.last()
    last_user = next((i for i in range(len(records) - 1, -1, -1)
                      if records[i].source in captions.USER_SOURCES), None)
    if last_user is None:
        return tracer.count
    start, moment, who = last_user, records[last_user].time, records[last_user].source
    while start > 0 and records[start - 1].time == moment and records[start - 1].source in (who, "kube-apiserver"):
        start -= 1
    while records[start].source != who:  # begin with the learner's first request, not a leftover write
        start += 1
    return tracer.count - (len(records) - start)


class ClusterDiagram(widgets.VBox):
    """The live picture of ``cluster``: ``view`` is architecture, objects or namespaces.

    ``.svg`` and ``.dot`` hold the latest frame; ``refresh()`` redraws now.
    """

    def __init__(self, cluster, view: str = "architecture", namespace: str | None = None, trace: bool = False,
                 lang: str = "en", *, interval: float = 0.3, live: bool = True):
        if view not in VIEWS:
            raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
        if lang not in captions.LANGS:
            raise ValueError(f"lang must be one of {', '.join(captions.LANGS)}, not {lang!r}")
        self.cluster, self.view, self.namespace, self.trace, self.lang = cluster, view, namespace, trace, lang
        self.interval = interval
        self.svg = ""
        self.dot = ""
        self.snapshot: dict = {}
        self.caption = ""
        self.frames = 0
        self._frame_cost = 0.0  # wall seconds the last frame took
        self.renderer = renderer_name()
        self.trace_records: list = []  # the steps being replayed
        self.current_record = None     # the record lit up in this frame
        self._live_queue: deque = deque(maxlen=LIVE_BACKLOG)
        self._live_cursor = cluster.tracer.count
        self._dirty = True
        self._render_lock = threading.RLock()
        self._stop = threading.Event()
        self._watches = []
        self._building = True
        super().__init__(children=self._build_controls())
        self._building = False
        self.refresh()
        if live:
            self._subscribe()
            self._thread = threading.Thread(target=self._run, name="kernelsim-diagram", daemon=True)
            self._thread.start()
        else:
            self._thread = None

    # -- controls -----------------------------------------------------------------
    def _t(self, key: str) -> str:
        return captions.control(key, self.lang)

    def _build_controls(self) -> list:
        self._out = widgets.Output(layout=widgets.Layout(overflow="auto", border="1px solid #ddd"))
        self._play_button = widgets.Button(description=self._t("play"), icon="play")
        self._pause_button = widgets.Button(description=self._t("pause"), icon="pause")
        self._step_button = widgets.Button(description=self._t("step"), icon="step-forward")
        self._speed = widgets.FloatLogSlider(value=max(self.cluster.clock.speed, 0.1), base=10, min=-1, max=2,
                                             step=0.1, description=self._t("speed"), readout_format=".1f")
        self._view = widgets.Dropdown(options=list(VIEWS), value=self.view, description=self._t("view"))
        self._namespace = widgets.Dropdown(options=self._namespace_options([]), value=self.namespace,
                                           description=self._t("namespace"))
        self._clock_label = widgets.HTML()
        self._play_button.on_click(lambda _: self.play())
        self._pause_button.on_click(lambda _: self.pause())
        self._step_button.on_click(lambda _: self.step())
        self._speed.observe(self._on_speed, names="value")
        self._view.observe(self._on_view, names="value")
        self._namespace.observe(self._on_namespace, names="value")
        rows = [widgets.HBox([self._play_button, self._pause_button, self._step_button, self._speed,
                              self._clock_label]),
                widgets.HBox([self._view, self._namespace])]
        self._caption = widgets.HTML()
        self._replay_button = widgets.Button(description=self._t("replay"), icon="history",
                                             layout=widgets.Layout(width="auto"))
        self._trace_step = widgets.Play(value=0, min=0, max=0, interval=1200, description=self._t("trace_step"))
        self._trace_slider = widgets.IntSlider(value=0, min=0, max=0, description=self._t("trace_step"))
        widgets.jslink((self._trace_step, "value"), (self._trace_slider, "value"))
        self._replay_button.on_click(lambda _: self.replay())
        self._trace_slider.observe(self._on_trace_step, names="value")
        self._trace_step.observe(self._on_trace_step, names="value")
        if self.trace:
            rows.append(widgets.HBox([self._replay_button, self._trace_step, self._trace_slider]))
            rows.append(self._caption)
        return rows + [self._out]

    def _namespace_options(self, namespaces: list[str]) -> list[tuple[str, str | None]]:
        names = sorted(set(namespaces) | ({self.namespace} if self.namespace else set()))
        return [(self._t("all"), None)] + [(n, n) for n in names]

    def _on_speed(self, change) -> None:
        self.cluster.clock.speed = change["new"]

    def _on_view(self, change) -> None:
        if not self._building:
            self.view = change["new"]
            self.refresh()

    def _on_namespace(self, change) -> None:
        if not self._building and change["new"] != self.namespace:
            self.namespace = change["new"]
            self.refresh()

    # -- the clock ----------------------------------------------------------------
    def play(self, speed: float | None = None) -> None:
        """Let simulated time follow the wall clock (at ``speed``, or the slider's)."""
        if speed is not None:
            self._speed.value = speed
        self.cluster.play(self._speed.value)
        self._update_clock_label()

    def pause(self) -> None:
        self.cluster.pause()
        self._update_clock_label()

    def step(self) -> float:
        """Pause, then move simulated time to the next moment something is due and run it.

        Work already due now is finished first; returns the new time.
        """
        self.cluster.pause()
        loop = self.cluster.loop
        with self.cluster.lock:
            loop.run_until(loop.now)
            nxt = loop.next_work()
            if nxt is None:
                nxt = loop.peek()  # only background work (heartbeats) is left: the next of it
            if nxt is not None:
                loop.run_until(nxt)
        self.refresh()
        return loop.now

    def _update_clock_label(self) -> None:
        state = "▶" if self.cluster.clock.running else "⏸"
        self._clock_label.value = (f"<code>{state} {self._t('time')}: t = {self.cluster.now:.1f} s"
                                   f" · {self.renderer}</code>")

    # -- watching -------------------------------------------------------------------
    @contextlib.contextmanager
    def _unobserved(self):
        """The diagram's own reads are not part of the cluster's story: keep them out of the trace."""
        tracer = self.cluster.tracer
        with self.cluster.lock:
            enabled, tracer.enabled = tracer.enabled, False
            try:
                yield
            finally:
                tracer.enabled = enabled

    def _on_event(self, _type, _obj) -> None:
        self._dirty = True

    def _subscribe(self) -> None:
        with self._unobserved():
            for resource in WATCHED:
                self._watches.append(self.cluster.api.watch(resource, self._on_event))
            for resource in WATCHED_IN_KUBE_SYSTEM:
                self._watches.append(self.cluster.api.watch(resource, self._on_event, namespace="kube-system"))
        # etcd's raft changes (a new leader, a stopped member) are not API objects: listen to raft itself.
        raft = getattr(getattr(self.cluster, "apiserver", None), "etcd", None)
        if raft is not None:
            raft.listeners.append(self._on_raft)
            self._raft = raft

    def _on_raft(self) -> None:
        self._dirty = True

    def _run(self) -> None:
        # A large cluster takes longer to draw: then wait at least twice the last frame's cost.
        failures = 0
        while not self._stop.wait(max(self.interval, 2 * self._frame_cost, failures)):
            try:
                self._tick()
                failures = 0
            except Exception:  # a failed frame must not end the animation; a closed cluster does
                self._dirty = True
                failures += 1
                if failures >= 10:
                    return

    def _tick(self) -> None:
        live_step = False
        if self.trace and not self.trace_records:
            self._collect_live_records()
            if self._live_queue:
                self.current_record = self._live_queue.popleft()
                live_step = True
        if self._dirty:
            self.refresh()
        elif live_step:
            self._draw()
        elif self.cluster.clock.running:
            self._update_clock_label()

    def _collect_live_records(self) -> None:
        tracer = self.cluster.tracer
        new = tracer.since(self._live_cursor)
        self._live_cursor = tracer.count
        self._live_queue.extend(r for r in new if is_story_record(r))

    # -- drawing --------------------------------------------------------------------
    def refresh(self) -> str:
        """Take a new snapshot and redraw now; returns the SVG."""
        with self._render_lock:
            self._dirty = False
            with self._unobserved():
                self.snapshot = take_snapshot(self.cluster, self.namespace)
            self._sync_namespaces(self.snapshot["namespaces"] if self.namespace is None else None)
            return self._draw()

    def _sync_namespaces(self, namespaces: list[str] | None) -> None:
        if namespaces is None:
            return
        options = self._namespace_options(namespaces)
        if list(self._namespace.options) != options:
            self._building = True
            try:
                self._namespace.options = options
                self._namespace.value = self.namespace
            finally:
                self._building = False

    def _draw(self) -> str:
        with self._render_lock:
            started = time.perf_counter()
            record = self.current_record if self.trace else None
            self.caption = captions.caption(record, self.lang) if record is not None else ""
            if self.view == "architecture":
                self.dot = view_dot("architecture", self.snapshot, highlight=record, caption=self.caption or None)
            else:
                self.dot = view_dot(self.view, self.snapshot)
            self.svg = render_svg(self.dot, self.renderer)
            self.frames += 1
            self._frame_cost = time.perf_counter() - started
            self._out.outputs = ({"output_type": "display_data", "metadata": {},
                                  "data": {"image/svg+xml": self.svg, "text/plain": repr(self)}},)
            self._show_caption(record)
            self._update_clock_label()
            return self.svg

    def _show_caption(self, record) -> None:
        if not self.trace:
            return
        if record is None:
            self._caption.value = f"<i>{html.escape(self._t('no_trace'))}</i>"
            return
        self._caption.value = (f"<b>{html.escape(self.caption)}</b><br>"
                               f"<code>{html.escape(str(record))}</code>")

    # -- request-flow tracing ----------------------------------------------------------
    def replay(self, cursor: int | None = None) -> list:
        """Step through the requests since ``cursor`` (default: since the learner's last command)."""
        if cursor is None:
            cursor = last_command_cursor(self.cluster)
        self.trace = True
        self.trace_records = [r for r in self.cluster.tracer.since(cursor) if is_story_record(r)]
        self._live_queue.clear()
        last = max(len(self.trace_records) - 1, 0)
        self._building = True
        try:
            for w in (self._trace_step, self._trace_slider):
                w.value = 0
                w.max = last
        finally:
            self._building = False
        self.show_step(0)
        return self.trace_records

    def _on_trace_step(self, change) -> None:
        if not self._building and self.trace_records:
            self.show_step(change["new"])

    def show_step(self, index: int) -> str:
        """Light up the ``index``-th request of the replay; returns the caption."""
        with self._render_lock:
            if not self.trace_records:
                self.current_record = None
            else:
                index = max(0, min(index, len(self.trace_records) - 1))
                self.current_record = self.trace_records[index]
                if self._trace_slider.value != index:
                    self._building = True
                    try:
                        self._trace_slider.value = self._trace_step.value = index
                    finally:
                        self._building = False
            if not self.snapshot:
                self.refresh()
            else:
                self._draw()
            return self.caption

    def live(self) -> None:
        """Leave the replay and follow new requests as they happen."""
        self.trace_records = []
        self._live_cursor = self.cluster.tracer.count
        self.current_record = None
        self._draw()

    # -- display and life cycle ------------------------------------------------------------
    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs) or {}
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data["image/svg+xml"] = self.svg  # what a saved or converted notebook shows
        return bundle

    def close(self) -> None:
        """Stop watching and redrawing; the last frame stays in the output."""
        self._stop.set()
        for w in self._watches:
            try:
                w.stop()
            except Exception:
                pass
        self._watches = []
        raft = getattr(self, "_raft", None)
        if raft is not None and self._on_raft in raft.listeners:
            raft.listeners.remove(self._on_raft)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)
        super().close()

    def __repr__(self) -> str:
        pods = len(self.snapshot.get("pods", [])) if self.snapshot else 0
        return (f"<ClusterDiagram view={self.view} namespace={self.namespace or 'all'} t={self.cluster.now:.1f}s "
                f"pods={pods} renderer={self.renderer}>")
