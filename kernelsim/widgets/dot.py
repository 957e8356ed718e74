"""Snapshot -> Graphviz DOT text: the pictures of the Kubernetes "Components" page, drawn from live state.

Three views, each a pure function of a snapshot (see :mod:`.snapshot`):

* ``architecture_dot``: masters with kube-apiserver, etcd, kube-scheduler,
  kube-controller-manager and cloud-controller-manager; worker nodes with
  kubelet, kube-proxy, the container runtime and their pods; the addons; the
  user with kubectl.  Every component talks to kube-apiserver, and only
  kube-apiserver talks to etcd.
* ``objects_dot``: the ownership graph (Deployment -> ReplicaSet -> Pod,
  Service -> EndpointSlice -> Pod, Pod -> PersistentVolumeClaim ...).
* ``namespaces_dot``: objects grouped by namespace.

Output is deterministic: the same snapshot always gives the same text.
"""

from __future__ import annotations

import graphviz

from .snapshot import ADDON_NAMESPACES, CONTROL_PLANE_COMPONENTS, SYSTEM_NAMESPACES, addon_of

FONT = "Helvetica"
USER = "user/kubectl"

# Pod STATUS column -> fill colour
GREEN, YELLOW, RED, GREY, ORANGE, WHITE = "#b8e0a8", "#fbe89a", "#f4a6a6", "#d9d9d9", "#f9c38a", "#ffffff"
_STATUS_COLOURS = {
    "Running": GREEN,
    "Pending": YELLOW, "ContainerCreating": YELLOW, "PodInitializing": YELLOW, "NotReady": YELLOW,
    "CrashLoopBackOff": RED, "Error": RED, "ImagePullBackOff": RED, "ErrImagePull": RED, "Failed": RED,
    "OOMKilled": RED, "CreateContainerConfigError": RED, "InvalidImageName": RED, "Unknown": RED,
    "Succeeded": GREY, "Completed": GREY,
    "Terminating": ORANGE,
}
_SEVERITY = {RED: 4, ORANGE: 3, YELLOW: 2, WHITE: 1, GREEN: 0, GREY: 0}

HIGHLIGHT = "#d62728"
STOPPED_FILL, STOPPED_FONT = "#e6e6e6", "#8c8c8c"

ADDON_TITLES = {
    "coredns": "CoreDNS", "kube-dns": "kube-dns", "kube-proxy": "kube-proxy", "kindnet": "kindnet",
    "calico-node": "Calico", "flannel": "flannel", "metrics-server": "metrics-server",
    "kubernetes-dashboard": "Dashboard", "dashboard-metrics-scraper": "dashboard-metrics-scraper",
    "fluentd": "fluentd", "fluent-bit": "fluent-bit",
}
ADDON_CATEGORIES = {
    "coredns": "DNS", "kube-dns": "DNS", "kube-proxy": "Networking (Services)", "kindnet": "Networking (CNI)",
    "calico-node": "Networking (CNI)", "flannel": "Networking (CNI)", "metrics-server": "Monitoring",
    "kubernetes-dashboard": "Dashboard", "dashboard-metrics-scraper": "Dashboard", "fluentd": "Logging",
    "fluent-bit": "Logging",
}


def status_colour(status: str) -> str:
    """The fill colour of a pod in the given STATUS (as ``kubectl get pods`` prints it)."""
    if status in _STATUS_COLOURS:
        return _STATUS_COLOURS[status]
    if status.startswith(("Init:Error", "Init:CrashLoopBackOff", "Init:ImagePull", "Init:ErrImage",
                          "ExitCode:", "Signal:")):
        return RED
    if status.startswith("Init:"):
        return YELLOW
    return WHITE


def _digraph(name: str, **graph_attr) -> graphviz.Digraph:
    g = graphviz.Digraph(name)
    g.attr("graph", fontname=FONT, **graph_attr)
    g.attr("node", shape="box", style="rounded,filled", fillcolor=WHITE, fontname=FONT, fontsize="10")
    g.attr("edge", fontname=FONT, fontsize="9", color="#555555", arrowsize="0.7")
    return g


def _cluster_name(*parts: str) -> str:
    return "cluster_" + "_".join(p.replace("-", "_").replace(".", "_").replace("/", "_") for p in parts)


def _pod_id(p: dict) -> str:
    return f"pod/{p['namespace']}/{p['name']}"


def _pod_node(g, p: dict) -> None:
    label = f"{p['name']}\n{p['status']} {p['ready']}"
    g.node(_pod_id(p), label=label, shape="box", style="rounded,filled", fillcolor=status_colour(p["status"]),
           fontsize="9", id=_pod_id(p), tooltip=f"Pod {p['namespace']}/{p['name']}",
           _attributes={"class": f"pod status-{p['status']}"})


def _is_control_plane_pod(p: dict) -> bool:
    if p["namespace"] != "kube-system":
        return False
    return p.get("component") in CONTROL_PLANE_COMPONENTS or any(
        p["name"] == f"{c}-{p['node']}" for c in CONTROL_PLANE_COMPONENTS)


# -- which diagram node stands for a name in the trace ------------------------------
def _masters(snapshot: dict) -> list[dict]:
    return [m for m in snapshot["machines"] if m["role"] == "control-plane"]


def serving_master(snapshot: dict) -> str:
    """The master whose kube-apiserver answers the user and the nodes: the first one up."""
    masters = _masters(snapshot)
    for m in masters:
        if not m["stopped"] and not m["partitioned"]:
            return m["name"]
    return masters[0]["name"] if masters else "master-1"


def _leader(snapshot: dict, lease: str) -> str:
    holder = (snapshot.get("leaders") or {}).get(lease)
    names = {m["name"] for m in _masters(snapshot)}
    return holder if holder in names else serving_master(snapshot)


def component_id(name: str, snapshot: dict, context: str | None = None) -> str:
    """The diagram node of a component named as in the trace.

    ``kubelet(worker-1)`` -> ``worker-1/kubelet``; ``kube-apiserver`` -> the
    serving master's; controllers -> the kube-controller-manager holding the
    Lease; ``runtime`` with ``context`` ``worker-1`` -> ``worker-1/containerd``;
    the learner's own clients (kubectl, python) -> the user.
    """
    base, _, where = name.partition("(")
    where = where.rstrip(")") or context
    base = base.strip()
    if base in ("kubelet", "kube-proxy"):
        return f"{where}/{base}" if where else USER
    if base in ("runtime", "containerd", "cri", "container-runtime"):
        return f"{where}/containerd" if where else USER
    if base == "kube-apiserver":
        return f"{where or serving_master(snapshot)}/kube-apiserver"
    if base == "etcd":
        return f"{where or serving_master(snapshot)}/etcd"
    if base in ("kube-scheduler", "scheduler", "default-scheduler"):
        return f"{_leader(snapshot, 'kube-scheduler')}/kube-scheduler"
    if base.startswith("cloud-controller-manager") or base.startswith("cloud-") or base == "cloud":
        return f"{_leader(snapshot, 'cloud-controller-manager')}/cloud-controller-manager"
    if base == "kube-controller-manager" or base.endswith("controller") or base.endswith("-controller-manager"):
        return f"{_leader(snapshot, 'kube-controller-manager')}/kube-controller-manager"
    return USER


def _context_of(name: str) -> str | None:
    _, _, where = name.partition("(")
    return where.rstrip(")") or None


def resolve_edge(source: str, target: str, snapshot: dict) -> tuple[str, str]:
    """Diagram nodes for a trace record's source and target (the target is read on the source's machine)."""
    src = component_id(source, snapshot)
    ctx = _context_of(source) or (src.split("/")[0] if src != USER else None)
    return src, component_id(target, snapshot, context=ctx)


# -- architecture -------------------------------------------------------------------
def architecture_edges(snapshot: dict) -> list[tuple[str, str, str]]:
    """The arrows of the architecture view: (from, to, what) in drawing order."""
    serving = serving_master(snapshot)
    edges = [(USER, f"{serving}/kube-apiserver", "kubectl")]
    for m in snapshot["machines"]:
        n = m["name"]
        api = f"{n}/kube-apiserver" if m["role"] == "control-plane" else f"{serving}/kube-apiserver"
        if m["role"] == "control-plane":
            edges.append((f"{n}/kube-apiserver", f"{n}/etcd", "etcd"))
            for c in ("kube-scheduler", "kube-controller-manager", "cloud-controller-manager"):
                edges.append((f"{n}/{c}", api, "watch"))
        edges.append((f"{n}/kubelet", api, "watch"))
        edges.append((f"{n}/kube-proxy", api, "watch"))
        edges.append((f"{n}/kubelet", f"{n}/containerd", "CRI"))
    return edges


def _machine_label(m: dict) -> str:
    label = f"{m['name']} ({'master' if m['role'] == 'control-plane' else 'worker'})"
    notes = []
    if m["stopped"]:
        notes.append("stopped")
    elif m.get("ready") is False:
        notes.append("NotReady")
    elif not m.get("registered"):
        notes.append("not registered")
    if m["partitioned"]:
        notes.append("partitioned")
    return label + (f"\n{', '.join(notes)}" if notes else "")


def _machine_box_attrs(m: dict) -> dict:
    attrs = {"label": _machine_label(m), "labelloc": "t", "style": "rounded", "color": "#4a6fa5", "fontsize": "11",
             "fontname": FONT, "penwidth": "1.2"}
    if m["stopped"]:
        attrs.update(style="rounded,filled", fillcolor=STOPPED_FILL, color=STOPPED_FONT, fontcolor=STOPPED_FONT)
    elif m.get("ready") is False:
        attrs.update(color="#cc0000", fontcolor="#cc0000", penwidth="2")
    if m["partitioned"]:
        attrs["style"] = attrs["style"] + ",dashed"
        attrs["penwidth"] = "2"
        if not m["stopped"] and m.get("ready") is not False:
            attrs["color"] = "#cc6600"
    return attrs


def _component_node(g, node_id: str, label: str, m: dict, *, shape: str = "box", fill: str = "#dbe8f7",
                    status: str | None = None, stopped: bool = False) -> None:
    attrs = {"shape": shape, "fillcolor": fill, "id": node_id,
             "style": "filled" if shape == "cylinder" else "rounded,filled"}
    if status is not None and status != "Running":
        label += f"\n{status}"
        attrs["fillcolor"] = status_colour(status)
    if m["stopped"] or stopped:
        attrs.update(fillcolor=STOPPED_FILL, fontcolor=STOPPED_FONT, color=STOPPED_FONT)
    g.node(node_id, label=label, _attributes={"class": "component"}, **attrs)


def _leader_marks(snapshot: dict) -> dict[str, str]:
    """node id -> "leader" / "standby" marks, drawn only when there are several masters."""
    masters = _masters(snapshot)
    if len(masters) < 2:
        return {}
    marks = {}
    leaders = snapshot.get("leaders") or {}
    for lease in ("kube-scheduler", "kube-controller-manager", "cloud-controller-manager"):
        holder = leaders.get(lease)
        for m in masters:
            if holder:
                marks[f"{m['name']}/{lease}"] = "leader (Lease holder)" if m["name"] == holder else "standby"
    faults = snapshot.get("faults") or {}
    etcd_leader = faults.get("etcd_leader")
    for m in masters:
        if m.get("stopped"):
            continue
        if etcd_leader:
            marks[f"{m['name']}/etcd"] = "raft leader" if m["name"] == etcd_leader else "follower"
        elif faults.get("etcd_quorum") is False:
            marks[f"{m['name']}/etcd"] = "no leader\n(no quorum)"
    return marks


def _raft_edges(g, snapshot: dict) -> None:
    """The etcd members talk to each other (raft) across the masters; a cut link is not drawn."""
    masters = [m for m in _masters(snapshot) if not m.get("stopped")]
    for i, a in enumerate(masters):
        for b in masters[i + 1:]:
            if bool(a.get("partitioned")) != bool(b.get("partitioned")):
                continue
            a_id, b_id = f"{a['name']}/etcd", f"{b['name']}/etcd"
            g.edge(a_id, b_id, dir="none", style="dashed", color="#c98a2b", constraint="false",
                   id=f"edge/raft/{a['name']}-{b['name']}", _attributes={"class": "raft"})


def _master_box(g, m: dict, snapshot: dict, marks: dict, pods: list[dict]) -> None:
    n = m["name"]
    statuses = (snapshot.get("control_plane") or {}).get(n, {})
    with g.subgraph(name=_cluster_name("machine", n)) as box:
        box.attr(**_machine_box_attrs(m))
        for c in CONTROL_PLANE_COMPONENTS:
            node_id = f"{n}/{c}"
            label = c + (f"\n{marks[node_id]}" if node_id in marks else "")
            shape = "cylinder" if c == "etcd" else "box"
            fill = "#fde0b6" if c == "etcd" else "#dbe8f7"
            _component_node(box, node_id, label, m, shape=shape, fill=fill, status=statuses.get(c))
            if node_id in marks and marks[node_id].startswith(("leader", "raft leader")):
                box.node(node_id, penwidth="2.5")
        _node_components(box, m, pods)


def _node_components(box, m: dict, pods: list[dict]) -> None:
    n = m["name"]
    kubelet_stopped = m.get("kubelet_running") is False
    _component_node(box, f"{n}/kubelet", "kubelet" + ("\nstopped" if kubelet_stopped else ""), m,
                    fill="#e3f1e0", stopped=kubelet_stopped)
    _component_node(box, f"{n}/kube-proxy", "kube-proxy", m, fill="#e3f1e0")
    _component_node(box, f"{n}/containerd", "containerd\n(container runtime)", m, fill="#ece3f5")
    for p in pods:
        _pod_node(box, p)
        box.edge(f"{n}/containerd", _pod_id(p), style="invis")


def _worker_box(g, m: dict, pods: list[dict]) -> None:
    with g.subgraph(name=_cluster_name("machine", m["name"])) as box:
        box.attr(**_machine_box_attrs(m))
        _node_components(box, m, pods)


def _addon_nodes(g, snapshot: dict) -> None:
    pods_by_addon: dict[str, list[dict]] = {}
    for p in snapshot["pods"]:
        if p.get("addon"):
            pods_by_addon.setdefault(p["addon"], []).append(p)
    workloads = {}
    for w in snapshot["workloads"]:
        if w.get("addon") and w["kind"] != "ReplicaSet":
            workloads.setdefault(w["addon"], w)
    addons = sorted(set(pods_by_addon) | set(workloads))
    if not addons:
        return
    with g.subgraph(name="cluster_addons") as box:
        box.attr(label="Addons", labelloc="t", style="rounded,dashed", color="#7a7a7a", fontsize="11", fontname=FONT)
        for a in addons:
            pods = pods_by_addon.get(a, [])
            w = workloads.get(a)
            running = sum(1 for p in pods if p["status"] == "Running")
            lines = [f"{ADDON_TITLES.get(a, a)}: {ADDON_CATEGORIES.get(a, 'addon')}"]
            if w:
                lines.append(f"{w['kind']} {w['namespace']}/{w['name']}")
            lines.append(f"{running}/{len(pods)} pods Running")
            fill = max((status_colour(p["status"]) for p in pods), key=lambda c: _SEVERITY[c], default=WHITE)
            box.node(f"addon/{a}", label="\n".join(lines), fillcolor=fill, fontsize="9", id=f"addon/{a}",
                     _attributes={"class": "addon"})


def _highlight(g, snapshot: dict, highlight, drawn: dict[tuple[str, str], bool]) -> None:
    if highlight is None:
        return
    source, target = (highlight.source, highlight.target) if hasattr(highlight, "source") else highlight
    a, b = resolve_edge(source, target, snapshot)
    for node_id in {a, b}:
        g.node(node_id, color=HIGHLIGHT, penwidth="3")
    if a == b:
        return
    if (a, b) not in drawn:
        g.edge(a, b, color=HIGHLIGHT, penwidth="3", constraint="false", id=f"edge/{a}->{b}",
               _attributes={"class": "highlight"})


def _with_faults(snapshot: dict) -> dict:
    """The snapshot with its ``faults`` field applied to the machines (a partitioned member)."""
    partitioned = set((snapshot.get("faults") or {}).get("partitioned") or [])
    machines = [dict(m, partitioned=bool(m.get("partitioned")) or m["name"] in partitioned)
                for m in snapshot["machines"]]
    return dict(snapshot, machines=machines)


def architecture_dot(snapshot: dict, *, highlight=None, caption: str | None = None) -> str:
    """The whole cluster: control plane, nodes with their pods, addons, and the user.

    ``highlight`` is a ``(source, target)`` pair of trace names (or a
    TraceRecord): that arrow lights up.  ``caption`` is written under the picture.
    """
    snapshot = _with_faults(snapshot)
    g = _digraph("kubernetes", rankdir="TB", compound="true", nodesep="0.25", ranksep="0.45",
                 labelloc="b", fontsize="13")
    if caption:
        g.attr("graph", label=caption)
    g.node(USER, label="user\n(kubectl)", shape="oval", fillcolor="#fff7d6", id=USER,
           _attributes={"class": "user"})
    marks = _leader_marks(snapshot)
    by_node: dict[str, list[dict]] = {}
    unscheduled = []
    for p in snapshot["pods"]:
        if _is_control_plane_pod(p) or p.get("addon"):
            continue
        if p["node"]:
            by_node.setdefault(p["node"], []).append(p)
        else:
            unscheduled.append(p)
    masters = [m for m in snapshot["machines"] if m["role"] == "control-plane"]
    workers = [m for m in snapshot["machines"] if m["role"] != "control-plane"]
    with g.subgraph(name="cluster_control_plane") as cp:
        cp.attr(label="Control plane", labelloc="t", style="rounded", color="#aaaaaa", fontsize="12", fontname=FONT)
        for m in masters:
            _master_box(cp, m, snapshot, marks, by_node.get(m["name"], []))
    if workers:
        with g.subgraph(name="cluster_workers") as nodes_box:
            nodes_box.attr(label="Worker nodes", labelloc="t", style="rounded", color="#aaaaaa", fontsize="12",
                           fontname=FONT)
            for m in workers:
                _worker_box(nodes_box, m, by_node.get(m["name"], []))
    known = {m["name"] for m in snapshot["machines"]}
    for node_name in sorted(set(by_node) - known):  # pods bound to a node that is not there
        unscheduled.extend(by_node[node_name])
    if unscheduled:
        with g.subgraph(name="cluster_unscheduled") as box:
            box.attr(label="Not on a node yet (waiting for kube-scheduler)", labelloc="t", style="rounded,dashed",
                     color="#b59b00", fontsize="10", fontname=FONT)
            for p in unscheduled:
                _pod_node(box, p)
    _addon_nodes(g, snapshot)
    _raft_edges(g, snapshot)
    drawn = {}
    for a, b, what in architecture_edges(snapshot):
        drawn[(a, b)] = True
        attrs = {"id": f"edge/{a}->{b}"}
        if what == "CRI":
            attrs.update(style="dashed", label="CRI")
        if a.endswith(("/kubelet", "/kube-proxy")):
            attrs["minlen"] = "2"  # the nodes' agents sit under the control plane
        if (highlight is not None and
                resolve_edge(*((highlight.source, highlight.target) if hasattr(highlight, "source")
                               else highlight), snapshot) == (a, b)):
            attrs.update(color=HIGHLIGHT, penwidth="3", _attributes={"class": "highlight"})
        if b.endswith("/kube-apiserver") and a != USER:
            # Drawn apiserver-side first so the control plane sits above the nodes;
            # the arrow still points at kube-apiserver.
            g.edge(b, a, dir="back", **attrs)
        else:
            g.edge(a, b, **attrs)
    _highlight(g, snapshot, highlight, drawn)
    return g.source


# -- objects ------------------------------------------------------------------------
_KIND_FILL = {"Deployment": "#cfe2f3", "ReplicaSet": "#deebf7", "StatefulSet": "#d9d2e9",
              "DaemonSet": "#fce5cd", "Job": "#fff2cc", "Service": "#d0e0e3", "EndpointSlice": "#e8f1f2",
              "PersistentVolumeClaim": "#ead1dc"}


def _visible(snapshot: dict, namespace: str, system: bool) -> bool:
    return system or snapshot.get("namespace") is not None or namespace not in SYSTEM_NAMESPACES


def _object_node(g, kind: str, obj: dict, extra: str = "") -> str:
    node_id = f"{kind}/{obj['namespace']}/{obj['name']}"
    label = f"{kind}\n{obj['name']}" + (f"\n{extra}" if extra else "")
    g.node(node_id, label=label, fillcolor=_KIND_FILL.get(kind, WHITE), id=node_id,
           _attributes={"class": kind.lower()})
    return node_id


def objects_dot(snapshot: dict, *, system: bool = False) -> str:
    """The ownership graph: who created whom, and who points at whom.

    System namespaces (kube-system, ...) are left out unless ``system`` is
    true or the snapshot was taken for one namespace.
    """
    g = _digraph("objects", rankdir="LR", nodesep="0.2", ranksep="0.6")
    by_uid: dict[str, str] = {}
    pod_ids: dict[tuple[str, str], str] = {}
    edges: list[tuple[str, str, str]] = []
    namespaces = sorted({o["namespace"] for key in ("workloads", "pods", "services", "endpointslices", "pvcs")
                         for o in snapshot[key] if _visible(snapshot, o["namespace"], system)})
    for ns in namespaces:
        with g.subgraph(name=_cluster_name("ns", ns)) as box:
            box.attr(label=f"namespace {ns}", labelloc="t", style="rounded,dashed", color="#999999", fontname=FONT,
                     fontsize="11")
            for w in snapshot["workloads"]:
                if w["namespace"] == ns:
                    by_uid[w["uid"]] = _object_node(box, w["kind"], w, f"{w['ready']}/{w['desired']} ready")
            for s in snapshot["services"]:
                if s["namespace"] == ns:
                    _object_node(box, "Service", s, f"{s['type']} {s['cluster_ip'] or ''}".strip())
            for e in snapshot["endpointslices"]:
                if e["namespace"] == ns:
                    _object_node(box, "EndpointSlice", e, f"{len(e['pods'])} endpoints")
            for p in snapshot["pods"]:
                if p["namespace"] == ns:
                    _pod_node(box, p)
                    by_uid[p["uid"]] = pod_ids[(ns, p["name"])] = _pod_id(p)
            for c in snapshot["pvcs"]:
                if c["namespace"] == ns:
                    _object_node(box, "PersistentVolumeClaim", c, c["phase"])
    shown = set(namespaces)
    for item in snapshot["workloads"] + snapshot["pods"]:
        if item["namespace"] not in shown or not item.get("owner"):
            continue
        owner = by_uid.get(item["owner"]["uid"])
        child = by_uid.get(item["uid"])
        if owner and child:
            edges.append((owner, child, "owns"))
    for e in snapshot["endpointslices"]:
        if e["namespace"] not in shown:
            continue
        es_id = f"EndpointSlice/{e['namespace']}/{e['name']}"
        if e["service"] and any(s["namespace"] == e["namespace"] and s["name"] == e["service"]
                                for s in snapshot["services"]):
            edges.append((f"Service/{e['namespace']}/{e['service']}", es_id, "endpoints"))
        for ref in e["pods"]:
            if (ref["namespace"], ref["name"]) in pod_ids:
                edges.append((es_id, pod_ids[(ref["namespace"], ref["name"])], "ready" if ref["ready"] else "not ready"))
    pvcs = {(c["namespace"], c["name"]) for c in snapshot["pvcs"]}
    for p in snapshot["pods"]:
        for claim in p["pvcs"]:
            if p["namespace"] in shown and (p["namespace"], claim) in pvcs:
                edges.append((_pod_id(p), f"PersistentVolumeClaim/{p['namespace']}/{claim}", "mounts"))
    for a, b, what in edges:
        style = {"style": "dashed"} if what in ("endpoints", "ready", "not ready", "mounts") else {}
        g.edge(a, b, id=f"edge/{a}->{b}", _attributes={"class": what.replace(" ", "-")}, **style)
    if not namespaces:
        g.node("empty", label="(no objects)", shape="plaintext", style="")
    return g.source


# -- namespaces ---------------------------------------------------------------------
def namespaces_dot(snapshot: dict) -> str:
    """One box per namespace with the objects that live in it.

    Pods made by a controller are counted under their workload; a pod
    created by hand is drawn on its own.
    """
    g = _digraph("namespaces", rankdir="LR", nodesep="0.2", ranksep="0.3")
    for ns in snapshot["namespaces"]:
        pods = [p for p in snapshot["pods"] if p["namespace"] == ns]
        with g.subgraph(name=_cluster_name("ns", ns)) as box:
            system = " (system)" if ns in SYSTEM_NAMESPACES or ns in ADDON_NAMESPACES else ""
            box.attr(label=f"namespace {ns}{system}", labelloc="t", style="rounded", color="#4a6fa5", fontname=FONT,
                     fontsize="11", id=f"namespace/{ns}")
            count = 0
            for w in snapshot["workloads"]:
                if w["namespace"] != ns or w["kind"] == "ReplicaSet":
                    continue
                mine = [p for p in pods if p.get("workload") == w["name"]]
                _object_node(box, w["kind"], w, f"{len(mine)} pods, {w['ready']}/{w['desired']} ready")
                count += 1
            for s in snapshot["services"]:
                if s["namespace"] == ns:
                    _object_node(box, "Service", s, s["type"])
                    count += 1
            for c in snapshot["pvcs"]:
                if c["namespace"] == ns:
                    _object_node(box, "PersistentVolumeClaim", c, c["phase"])
                    count += 1
            for p in pods:
                if not p.get("owner"):
                    _pod_node(box, p)
                    count += 1
            if count == 0:
                box.node(f"empty/{ns}", label="(empty)", shape="plaintext", style="", fontcolor="#888888")
    if not snapshot["namespaces"]:
        g.node("empty", label="(no namespaces)", shape="plaintext", style="")
    return g.source


VIEWS = {"architecture": architecture_dot, "objects": objects_dot, "namespaces": namespaces_dot}


def view_dot(view: str, snapshot: dict, *, highlight=None, caption: str | None = None) -> str:
    """The DOT text of ``view`` (highlight and caption apply to the architecture view)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {', '.join(VIEWS)}, not {view!r}")
    if view == "architecture":
        return architecture_dot(snapshot, highlight=highlight, caption=caption)
    return VIEWS[view](snapshot)


__all__ = ["architecture_dot", "objects_dot", "namespaces_dot", "view_dot", "status_colour", "component_id",
           "resolve_edge", "architecture_edges", "serving_master", "addon_of"]
