"""The Kubernetes Dashboard's backend (kubernetes/dashboard, modules/api): the state behind the web UI.

The real dashboard is a Deployment in the namespace ``kubernetes-dashboard``; its
API module watches the cluster through kube-apiserver and its web UI shows the
result: an overview (nodes and their status), a namespace selector, the
workloads (Deployments, ReplicaSets, StatefulSets, DaemonSets, Jobs, Pods) with a
status icon and their readiness, the Services, the recent Events, and for one
pod its containers, conditions, events and logs.

:class:`Dashboard` keeps that state in plain Python, updated from watch events
(informers): each event rebuilds the one row it is about, never the whole list.
It serves only while a dashboard pod is ready, as the real UI is reachable
only through its running pod.  The ipywidgets UI is ``kernelsim.widgets.dashboard``.
"""

from __future__ import annotations

from typing import Callable

from ..api import errors, printers
from ..client.informer import Informer, object_key

NAMESPACE = "kubernetes-dashboard"
SELECTOR = {"k8s-app": "kubernetes-dashboard"}
MAX_EVENTS = 50
WORKLOADS = ("deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "pods")
WATCHED = ("nodes", "namespaces") + WORKLOADS + ("services", "events")

# resource -> (API group, the kubectl printer whose columns the dashboard shows)
_PRINTERS = {
    "nodes": ("", printers.print_node), "deployments": ("apps", printers.print_deployment),
    "replicasets": ("apps", printers.print_replica_set), "statefulsets": ("apps", printers.print_stateful_set),
    "daemonsets": ("apps", printers.print_daemon_set), "jobs": ("batch", printers.print_job),
    "pods": ("", printers.print_pod), "services": ("", printers.print_service),
}

OK, PENDING, FAILED, DONE = "✅", "⏳", "❌", "☑️"


def _columns(resource: str) -> list[str]:
    group, _ = _PRINTERS[resource]
    return [c["name"] for c in printers.columns_for(group, resource)]


def _ratio(text: str) -> tuple[int, int]:
    a, _, b = str(text).partition("/")
    try:
        return int(a), int(b.split()[0]) if b else int(a)
    except ValueError:
        return 0, 0


def status_icon(resource: str, row: dict, obj: dict) -> str:
    """The dashboard's status icon: running and ready, on its way, failed, or finished."""
    if resource == "pods":
        status = row["Status"]
        if status in ("Completed", "Succeeded"):
            return DONE
        ready, total = _ratio(row["Ready"])
        if status == "Running" and ready == total:
            return OK
        if status in ("Pending", "ContainerCreating", "PodInitializing", "Terminating", "Running") or \
                status.startswith("Init:"):
            return PENDING
        return FAILED
    if resource == "nodes":
        return OK if row["Status"].split(",")[0] == "Ready" else FAILED
    if resource == "jobs":
        return {"Complete": DONE, "Failed": FAILED}.get(row["Status"], PENDING)
    if resource in ("deployments", "statefulsets"):
        ready, total = _ratio(row["Ready"])
        return OK if ready == total else PENDING
    if resource == "replicasets":
        return OK if row["Ready"] == row["Desired"] else PENDING
    if resource == "daemonsets":
        return OK if row["Ready"] == row["Desired"] else PENDING
    return OK


class Dashboard:
    """The dashboard's state, kept current by informers; ``listeners`` hear of every change."""

    def __init__(self, client, pod_log: Callable | None = None, *, max_events: int = MAX_EVENTS):
        """``pod_log(namespace, name, query)`` is kube-apiserver's ``pods/log`` subresource."""
        self.client = client.with_source("kubernetes-dashboard")
        self.pod_log = pod_log
        self.max_events = max_events
        self.informers = {r: Informer(self.client, r) for r in WATCHED}
        self.rows: dict[str, dict[str, dict]] = {r: {} for r in WATCHED if r != "events"}
        self.events: dict[str, dict] = {}
        self.pods_per_node: dict[str, int] = {}
        self.namespace: str | None = None       # the namespace selector (None: all namespaces)
        self.selected_pod: str | None = None    # "namespace/name" of the pod whose details are shown
        self.changes = 0                        # events handled (the widget redraws when it moves)
        self.listeners: list[Callable[[str, str], None]] = []
        for resource, inf in self.informers.items():
            inf.add_handlers(lambda obj, r=resource: self._changed(r, obj),
                             lambda old, new, r=resource: self._changed(r, new),
                             lambda obj, r=resource: self._changed(r, obj, deleted=True))
        self.started = False

    def start(self) -> "Dashboard":
        if not self.started:
            self.started = True
            for inf in self.informers.values():
                inf.start()
        return self

    def stop(self) -> None:
        for inf in self.informers.values():
            inf.stop()

    # -- the dashboard runs as a pod ---------------------------------------------------------
    def running(self) -> bool:
        """A pod of the kubernetes-dashboard Deployment is ready."""
        for key, row in self.rows["pods"].items():
            if row["Namespace"] == NAMESPACE and all(row["Labels"].get(k) == v for k, v in SELECTOR.items()):
                ready, total = _ratio(row["Ready"])
                if row["Status"] == "Running" and ready == total and not row["Terminating"]:
                    return True
        return False

    # -- updates from watch events ------------------------------------------------------------
    def _changed(self, resource: str, obj: dict, deleted: bool = False) -> None:
        key = object_key(obj)
        if resource == "events":
            self._event(key, obj, deleted)
        else:
            table = self.rows[resource]
            old = table.pop(key, None)
            if resource == "pods" and old is not None and old["Node"]:
                self.pods_per_node[old["Node"]] = self.pods_per_node.get(old["Node"], 1) - 1
            if not deleted:
                row = table[key] = self._row(resource, obj)
                if resource == "pods" and row["Node"]:
                    self.pods_per_node[row["Node"]] = self.pods_per_node.get(row["Node"], 0) + 1
        self.changes += 1
        for fn in list(self.listeners):
            fn(resource, key)

    def _row(self, resource: str, obj: dict) -> dict:
        meta = obj.get("metadata") or {}
        row = {"Namespace": meta.get("namespace", ""), "Labels": dict(meta.get("labels") or {}),
               "Created": meta.get("creationTimestamp"), "Terminating": bool(meta.get("deletionTimestamp"))}
        if resource == "namespaces":
            row.update({"Name": meta.get("name"), "Status": (obj.get("status") or {}).get("phase", "Active")})
            return row
        _, printer = _PRINTERS[resource]
        cells = printer(obj, self.client.apiserver.now())
        row.update(zip(_columns(resource), cells))
        if resource == "pods":
            row["Node"] = (obj.get("spec") or {}).get("nodeName") or ""
        row["icon"] = status_icon(resource, row, obj)
        return row

    def _event(self, key: str, ev: dict, deleted: bool) -> None:
        if deleted:
            self.events.pop(key, None)
            return
        ev = printers.core_event(ev)
        inv = ev.get("involvedObject") or {}
        self.events[key] = {
            "Namespace": (ev.get("metadata") or {}).get("namespace", ""), "Type": ev.get("type", ""),
            "Reason": ev.get("reason", ""), "Object": f"{(inv.get('kind') or '').lower()}/{inv.get('name', '')}",
            "Kind": inv.get("kind", ""), "Name": inv.get("name", ""), "Message": ev.get("message", ""),
            "Count": ev.get("count") or 1,
            "Last": ev.get("lastTimestamp") or ev.get("eventTime") or (ev.get("metadata") or {}).get(
                "creationTimestamp") or "",
        }
        if len(self.events) > self.max_events * 2:  # keep the newest: what the UI shows
            for k, _ in sorted(self.events.items(), key=lambda kv: kv[1]["Last"])[:len(self.events) - self.max_events]:
                del self.events[k]

    # -- what the UI shows ----------------------------------------------------------------------
    def select_namespace(self, namespace: str | None) -> None:
        if namespace is not None and namespace not in self.rows["namespaces"]:
            raise errors.StatusError(404, "NotFound", f'namespaces "{namespace}" not found')
        self.namespace = namespace

    def list(self, resource: str, namespace: str | None = ...) -> list[dict]:
        """The rows of ``resource`` in the selected namespace (or ``namespace``), sorted by name."""
        ns = self.namespace if namespace is ... else namespace
        table = self.rows[resource]
        rows = [r for r in table.values() if ns is None or r["Namespace"] == ns or resource in ("nodes",
                                                                                                 "namespaces")]
        return sorted(rows, key=lambda r: (r["Namespace"], r["Name"]))

    def overview(self, namespace: str | None = ...) -> dict:
        """The cluster overview: nodes with their status, and how many workloads are fine."""
        ns = self.namespace if namespace is ... else namespace
        nodes = [{"name": r["Name"], "status": r["Status"], "roles": r["Roles"], "version": r["Version"],
                  "pods": self.pods_per_node.get(r["Name"], 0), "icon": r["icon"]}
                 for r in sorted(self.rows["nodes"].values(), key=lambda r: r["Name"])]
        workloads = {}
        for resource in WORKLOADS:
            rows = self.list(resource, ns)
            workloads[resource] = {"total": len(rows), "ok": sum(1 for r in rows if r["icon"] in (OK, DONE)),
                                   "pending": sum(1 for r in rows if r["icon"] == PENDING),
                                   "failed": sum(1 for r in rows if r["icon"] == FAILED)}
        return {"nodes": nodes, "workloads": workloads, "namespace": ns,
                "namespaces": sorted(self.rows["namespaces"])}

    def recent_events(self, limit: int = 20, namespace: str | None = ...) -> list[dict]:
        ns = self.namespace if namespace is ... else namespace
        rows = [e for e in self.events.values() if ns is None or e["Namespace"] == ns]
        return sorted(rows, key=lambda e: e["Last"], reverse=True)[:limit]

    def select_pod(self, name: str | None, namespace: str | None = None) -> dict | None:
        """Show the details of a pod ("namespace/name", or name and namespace); None clears."""
        if name is None:
            self.selected_pod = None
            return None
        key = name if "/" in name else f"{namespace or self.namespace or 'default'}/{name}"
        if key not in self.rows["pods"]:
            ns, _, pod = key.partition("/")
            raise errors.StatusError(404, "NotFound", f'pods "{pod}" not found')
        self.selected_pod = key
        return self.pod_details(key)

    def pod_details(self, key: str | None = None, tail_lines: int = 20) -> dict | None:
        """Containers, conditions, events and the last log lines of a pod."""
        key = key or self.selected_pod
        if key is None:
            return None
        pod = self.informers["pods"].get(key)
        if pod is None:
            return None
        ns, name = key.split("/", 1)
        spec, status = pod.get("spec") or {}, pod.get("status") or {}
        statuses = {s.get("name"): s for s in status.get("containerStatuses") or []}
        containers = []
        for c in spec.get("containers") or []:
            st = statuses.get(c["name"], {})
            state = next(iter(st.get("state") or {"waiting": {}}), "waiting")
            detail = (st.get("state") or {}).get(state) or {}
            last = (st.get("lastState") or {}).get("terminated") or {}
            containers.append({"name": c["name"], "image": c.get("image", ""), "state": state,
                               "reason": detail.get("reason", ""), "ready": bool(st.get("ready")),
                               "restarts": st.get("restartCount", 0),
                               "last_termination": last.get("reason", ""), "exit_code": last.get("exitCode"),
                               "logs": self._logs(ns, name, c["name"], tail_lines)})
        conditions = [{"type": c.get("type"), "status": c.get("status"), "reason": c.get("reason", "")}
                      for c in status.get("conditions") or []]
        events = [e for e in sorted(self.events.values(), key=lambda e: e["Last"])
                  if e["Namespace"] == ns and e["Kind"] == "Pod" and e["Name"] == name]
        row = self.rows["pods"][key]
        return {"name": name, "namespace": ns, "node": row["Node"], "status": row["Status"], "ready": row["Ready"],
                "icon": row["icon"], "ip": row.get("IP", ""), "containers": containers, "conditions": conditions,
                "events": events}

    def _logs(self, namespace: str, pod: str, container: str, tail_lines: int) -> str:
        if self.pod_log is None:
            return ""
        try:
            return self.pod_log(namespace, pod, {"container": container, "tailLines": str(tail_lines)})
        except errors.StatusError as e:
            return e.message if hasattr(e, "message") else str(e)

    def state(self) -> dict:
        """Everything the UI shows, as plain data (what a test compares with the cluster)."""
        return {"running": self.running(), "overview": self.overview(),
                "workloads": {r: self.list(r) for r in WORKLOADS}, "services": self.list("services"),
                "events": self.recent_events(), "pod": self.pod_details()}
