"""Server-side printing: lists as ``meta.k8s.io/v1`` Tables, the columns of ``kubectl get``.

Mirrors ``k8s.io/kubernetes/pkg/printers/internalversion/printers.go`` (one
column list and one row function per kind), the generic
``k8s.io/apiserver/pkg/registry/rest`` default table convertor (NAME and
CREATED AT, for every kind without a printer) and the ``includeObject``
handling of ``k8s.io/apiserver/pkg/endpoints/handlers``. Like kube-apiserver,
the rows always carry the ``-o wide`` cells (``Wide: true``); kubectl hides
the columns of priority 1 unless it is asked for ``-o wide``.

All ages are measured against ``now``, the simulated time, never the wall clock.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass

from kernelsim.api import schema
from kernelsim.api.selectors import format_label_selector, format_labels, label_selector_from_api
from kernelsim.api.errors import StatusError

# ---------------------------------------------------------------------------
# Time (k8s.io/apimachinery/pkg/util/duration)
# ---------------------------------------------------------------------------

_UTC = datetime.timezone.utc


def parse_time(ts: str | None) -> datetime.datetime | None:
    """An RFC 3339 ``metav1.Time`` / ``metav1.MicroTime`` as an aware datetime (None if unset)."""
    if not ts:
        return None
    t = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=_UTC)


def _aware(now: datetime.datetime) -> datetime.datetime:
    return now if now.tzinfo else now.replace(tzinfo=_UTC)


def _microseconds(d) -> int:
    if isinstance(d, datetime.timedelta):
        return (d.days * 86400 + d.seconds) * 1_000_000 + d.microseconds
    return round(d * 1_000_000)


def _trunc(a: int, b: int) -> int:
    """Go's integer division, which truncates toward zero."""
    q = abs(a) // b
    return q if a >= 0 else -q


def human_duration(seconds) -> str:
    """``duration.HumanDuration``: "0s", "90s", "2m5s", "15m", "3h4m", "20h", "2d3h", "10d", "2y3d", "9y".

    ``seconds`` is a number of seconds or a ``timedelta``.
    """
    us = _microseconds(seconds)
    secs = _trunc(us, 1_000_000)
    if secs < -1:
        return "<invalid>"
    if secs < 0:
        return "0s"
    if secs < 60 * 2:
        return f"{secs}s"
    minutes = secs // 60
    if minutes < 10:
        s = secs % 60
        return f"{minutes}m" if s == 0 else f"{minutes}m{s}s"
    if minutes < 60 * 3:
        return f"{minutes}m"
    hours = secs // 3600
    if hours < 8:
        m = minutes % 60
        return f"{hours}h" if m == 0 else f"{hours}h{m}m"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        h = hours % 24
        return f"{hours // 24}d" if h == 0 else f"{hours // 24}d{h}h"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        return f"{hours // 24 // 365}y" if dy == 0 else f"{hours // 24 // 365}y{dy}d"
    return f"{hours // 24 // 365}y"


def translate_timestamp_since(ts: str | None, now: datetime.datetime) -> str:
    """The age of a timestamp, as in the AGE column; ``<unknown>`` when it is unset."""
    t = parse_time(ts)
    if t is None:
        return "<unknown>"
    return human_duration(_aware(now) - t)


def _age(obj: dict, now) -> str:
    return translate_timestamp_since(_meta(obj).get("creationTimestamp"), now)


# ---------------------------------------------------------------------------
# Columns
# ---------------------------------------------------------------------------

_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"


@functools.lru_cache(maxsize=None)
def _doc(definition: str, prop: str) -> str:
    """The description of a field, from the v1.37 OpenAPI definitions (Go's SwaggerDoc)."""
    d = schema.definitions().get(definition, {})
    return d.get("properties", {}).get(prop, {}).get("description", "")


@dataclass(frozen=True)
class Column:
    """A ``metav1.TableColumnDefinition``; ``doc`` is a description or a (definition, field) pair."""

    name: str
    type: str = "string"
    format: str = ""
    doc: object = ""
    priority: int = 0

    def definition(self) -> dict:
        description = _doc(*self.doc) if isinstance(self.doc, tuple) else self.doc
        return {"name": self.name, "type": self.type, "format": self.format,
                "description": description, "priority": self.priority}


def _core(kind: str) -> str:
    return "io.k8s.api.core.v1." + kind


NAME = Column("Name", format="name", doc=(_META, "name"))
AGE = Column("Age", doc=(_META, "creationTimestamp"))
CONTAINERS = Column("Containers", priority=1, doc="Names of each container in the template.")
IMAGES = Column("Images", priority=1, doc="Images referenced by each container in the template.")


def _selector_column(definition: str) -> Column:
    return Column("Selector", priority=1, doc=(definition, "selector"))


# (group, plural) -> (columns, row function(obj, now) -> cells)
_PRINTERS: dict[tuple[str, str], tuple[tuple[Column, ...], object]] = {}


def printer(group: str, plural: str, *columns: Column):
    """Register the columns and the row function of a kind (``h.TableHandler``)."""
    def register(fn):
        _PRINTERS[(group, plural)] = (columns, fn)
        return fn
    return register


def columns_for(group: str, plural: str) -> list[dict]:
    """The column definitions kube-apiserver sends for a resource."""
    columns = _PRINTERS[(group, plural)][0] if (group, plural) in _PRINTERS else _DEFAULT_COLUMNS
    return [c.definition() for c in columns]


# ---------------------------------------------------------------------------
# Small helpers
# ---------------------------------------------------------------------------


def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _name(obj: dict) -> str:
    return _meta(obj).get("name", "")


def _get(obj, *path, default=None):
    cur = obj
    for p in path:
        if not isinstance(cur, dict):
            return default
        cur = cur.get(p)
    return default if cur is None else cur


def _containers(template_spec: dict | None) -> tuple[str, str]:
    """``layoutContainerCells``: container names and images, comma-separated."""
    containers = (template_spec or {}).get("containers") or []
    return (",".join(c.get("name", "") for c in containers), ",".join(c.get("image", "") for c in containers))


def _quantity(q) -> str:
    return "0" if q is None or q == "" else str(q)


def _int_or_string(v) -> str:
    return str(v)


def _go_bool(v) -> str:
    return "True" if v else "False"


def _join_host_port(host: str, port) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _list_with_more(items: list[str], count: int, limit: int = 3) -> str:
    text = ",".join(items[:limit])
    if count > limit:
        return f"{text} + {count - limit} more..."
    return text or "<unset>"


def _lb_ingress(status: dict | None) -> str:
    """``loadBalancerStatusStringer`` (wide, so never clipped): sorted unique IPs or hostnames."""
    found = set()
    for ing in (status or {}).get("ingress") or []:
        if ing.get("ip"):
            found.add(ing["ip"])
        elif ing.get("hostname"):
            found.add(ing["hostname"])
    return ",".join(sorted(found))


# ---------------------------------------------------------------------------
# Pods
# ---------------------------------------------------------------------------


def _restartable_init(container: dict | None) -> bool:
    return bool(container) and container.get("restartPolicy") == "Always"


def _condition_true(conditions, ctype: str) -> bool:
    for c in conditions or []:
        if c.get("type") == ctype:
            return c.get("status") == "True"
    return False


def _has_pod_ready(conditions) -> bool:
    return any(c.get("type") == "Ready" and c.get("status") == "True" for c in conditions or [])


def _later(current: datetime.datetime | None, ts: str | None) -> datetime.datetime | None:
    t = parse_time(ts)
    if t is not None and (current is None or current < t):
        return t
    return current


def pod_status(pod: dict) -> tuple[str, int, int, int, datetime.datetime | None]:
    """The STATUS logic of ``printPod``: (reason, ready, total, restarts, last restart time)."""
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    restarts = restartable_restarts = ready = 0
    total = len(spec.get("containers") or [])
    last_restart = last_restartable_restart = None
    phase = status.get("phase", "")
    reason = status.get("reason") or phase
    conditions = status.get("conditions") or []
    for c in conditions:
        if c.get("type") == "PodScheduled" and c.get("reason") == "SchedulingGated":
            reason = "SchedulingGated"

    init_containers = {c.get("name"): c for c in spec.get("initContainers") or []}
    total += sum(1 for c in init_containers.values() if _restartable_init(c))

    initializing = False
    init_statuses = status.get("initContainerStatuses") or []
    for i, cs in enumerate(init_statuses):
        restarts += cs.get("restartCount", 0)
        last_terminated = _get(cs, "lastState", "terminated")
        if last_terminated:
            last_restart = _later(last_restart, last_terminated.get("finishedAt"))
        restartable = _restartable_init(init_containers.get(cs.get("name")))
        if restartable:
            restartable_restarts += cs.get("restartCount", 0)
            if last_terminated:
                last_restartable_restart = _later(last_restartable_restart, last_terminated.get("finishedAt"))
        terminated, waiting = _get(cs, "state", "terminated"), _get(cs, "state", "waiting")
        if terminated and terminated.get("exitCode", 0) == 0:
            continue
        if restartable and cs.get("started"):
            if cs.get("ready"):
                ready += 1
            continue
        if terminated:
            if terminated.get("reason"):
                reason = "Init:" + terminated["reason"]
            elif terminated.get("signal"):
                reason = f"Init:Signal:{terminated['signal']}"
            else:
                reason = f"Init:ExitCode:{terminated.get('exitCode', 0)}"
        elif waiting and waiting.get("reason") and waiting["reason"] != "PodInitializing":
            reason = "Init:" + waiting["reason"]
        else:
            reason = f"Init:{i}/{len(spec.get('initContainers') or [])}"
        initializing = True
        break

    if not initializing or _condition_true(conditions, "Initialized"):
        restarts, last_restart = restartable_restarts, last_restartable_restart
        has_running = False
        for cs in reversed(status.get("containerStatuses") or []):
            restarts += cs.get("restartCount", 0)
            last_terminated = _get(cs, "lastState", "terminated")
            if last_terminated:
                last_restart = _later(last_restart, last_terminated.get("finishedAt"))
            waiting, terminated = _get(cs, "state", "waiting"), _get(cs, "state", "terminated")
            if waiting and waiting.get("reason"):
                reason = waiting["reason"]
            elif terminated and terminated.get("reason"):
                reason = terminated["reason"]
            elif terminated:
                reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                          else f"ExitCode:{terminated.get('exitCode', 0)}")
            elif cs.get("ready") and _get(cs, "state", "running") is not None:
                has_running = True
                ready += 1
        if reason == "Completed" and has_running:
            reason = "Running" if _has_pod_ready(conditions) else "NotReady"

    if _meta(pod).get("deletionTimestamp"):
        if status.get("reason") == "NodeLost":
            reason = "Unknown"
        elif phase not in ("Succeeded", "Failed"):
            reason = "Terminating"
    return reason, ready, total, restarts, last_restart


def _pod_conditions(pod: dict) -> list[dict] | None:
    phase = _get(pod, "status", "phase")
    if phase == "Succeeded":
        return [{"type": "Completed", "status": "True", "reason": "Succeeded",
                 "message": "The pod has completed successfully."}]
    if phase == "Failed":
        return [{"type": "Completed", "status": "True", "reason": "Failed", "message": "The pod failed."}]
    return None


@printer("", "pods",
         NAME,
         Column("Ready", doc="The aggregate readiness state of this pod for accepting traffic."),
         Column("Status", doc="The aggregate status of the containers in this pod."),
         Column("Restarts", doc="The number of times the containers in this pod have been restarted "
                                "and when the last container in this pod has restarted."),
         AGE,
         Column("IP", priority=1, doc=(_core("PodStatus"), "podIP")),
         Column("Node", priority=1, doc=(_core("PodSpec"), "nodeName")),
         Column("Nominated Node", priority=1, doc=(_core("PodStatus"), "nominatedNodeName")),
         Column("Readiness Gates", priority=1, doc=(_core("PodSpec"), "readinessGates")))
def print_pod(pod: dict, now) -> list:
    reason, ready, total, restarts, last_restart = pod_status(pod)
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = f"{restarts} ({human_duration(_aware(now) - last_restart)} ago)"
    spec, status = pod.get("spec") or {}, pod.get("status") or {}
    pod_ips = status.get("podIPs") or ([{"ip": status["podIP"]}] if status.get("podIP") else [])
    pod_ip = (pod_ips[0].get("ip") if pod_ips else "") or "<none>"
    gates = spec.get("readinessGates") or []
    readiness = "<none>"
    if gates:
        conditions = {}
        for c in status.get("conditions") or []:
            conditions.setdefault(c.get("type"), c.get("status"))
        true = sum(1 for g in gates if conditions.get(g.get("conditionType")) == "True")
        readiness = f"{true}/{len(gates)}"
    return [_name(pod), f"{ready}/{total}", reason, restarts_text, _age(pod, now),
            pod_ip, spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", readiness]


@printer("", "podtemplates",
         NAME,
         Column("Containers", doc="Names of each container in the template."),
         Column("Images", doc="Images referenced by each container in the template."),
         Column("Pod Labels", doc="The labels for the pod template."))
def print_pod_template(obj: dict, now) -> list:
    names, images = _containers(_get(obj, "template", "spec"))
    return [_name(obj), names, images, format_labels(_get(obj, "template", "metadata", "labels"))]


# ---------------------------------------------------------------------------
# Workloads
# ---------------------------------------------------------------------------


@printer("", "replicationcontrollers",
         NAME,
         Column("Desired", "integer", doc=(_core("ReplicationControllerSpec"), "replicas")),
         Column("Current", "integer", doc=(_core("ReplicationControllerStatus"), "replicas")),
         Column("Ready", "integer", doc=(_core("ReplicationControllerStatus"), "readyReplicas")),
         AGE, CONTAINERS, IMAGES, _selector_column(_core("ReplicationControllerSpec")))
def print_replication_controller(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), spec.get("replicas", 1), status.get("replicas", 0), status.get("readyReplicas", 0),
            _age(obj, now), names, images, format_labels(spec.get("selector"))]


_APPS = "io.k8s.api.apps.v1."


@printer("apps", "replicasets",
         NAME,
         Column("Desired", "integer", doc=(_APPS + "ReplicaSetSpec", "replicas")),
         Column("Current", "integer", doc=(_APPS + "ReplicaSetStatus", "replicas")),
         Column("Ready", "integer", doc=(_APPS + "ReplicaSetStatus", "readyReplicas")),
         AGE, CONTAINERS, IMAGES, _selector_column(_APPS + "ReplicaSetSpec"))
def print_replica_set(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), spec.get("replicas", 1), status.get("replicas", 0), status.get("readyReplicas", 0),
            _age(obj, now), names, images, format_label_selector(spec.get("selector"))]


@printer("apps", "deployments",
         NAME,
         Column("Ready", doc="Number of the pod with ready state"),
         Column("Up-to-date", doc=(_APPS + "DeploymentStatus", "updatedReplicas")),
         Column("Available", doc=(_APPS + "DeploymentStatus", "availableReplicas")),
         AGE, CONTAINERS, IMAGES, _selector_column(_APPS + "DeploymentSpec"))
def print_deployment(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    try:
        selector = str(label_selector_from_api(spec.get("selector")))
    except StatusError:
        selector = "<invalid>"
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}",
            status.get("updatedReplicas", 0), status.get("availableReplicas", 0), _age(obj, now),
            names, images, selector]


@printer("apps", "statefulsets",
         NAME,
         Column("Ready", doc="Number of the pod with ready state"),
         AGE, CONTAINERS, IMAGES)
def print_stateful_set(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 1)}", _age(obj, now),
            names, images]


@printer("apps", "daemonsets",
         NAME,
         Column("Desired", "integer", doc=(_APPS + "DaemonSetStatus", "desiredNumberScheduled")),
         Column("Current", "integer", doc=(_APPS + "DaemonSetStatus", "currentNumberScheduled")),
         Column("Ready", "integer", doc=(_APPS + "DaemonSetStatus", "numberReady")),
         Column("Up-to-date", "integer", doc=(_APPS + "DaemonSetStatus", "updatedNumberScheduled")),
         Column("Available", "integer", doc=(_APPS + "DaemonSetStatus", "numberAvailable")),
         Column("Node Selector", doc=(_core("PodSpec"), "nodeSelector")),
         AGE, CONTAINERS, IMAGES, _selector_column(_APPS + "DaemonSetSpec"))
def print_daemon_set(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), status.get("desiredNumberScheduled", 0), status.get("currentNumberScheduled", 0),
            status.get("numberReady", 0), status.get("updatedNumberScheduled", 0),
            status.get("numberAvailable", 0), format_labels(_get(spec, "template", "spec", "nodeSelector")),
            _age(obj, now), names, images, format_label_selector(spec.get("selector"))]


@printer("apps", "controllerrevisions",
         NAME,
         Column("Controller", doc="Controller of the object"),
         Column("Revision", doc=(_APPS + "ControllerRevision", "revision")),
         AGE)
def print_controller_revision(obj: dict, now) -> list:
    controller = "<none>"
    for ref in _meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            api_version = ref.get("apiVersion", "")
            group = api_version.split("/")[0] if "/" in api_version else ""
            kind = ref.get("kind", "")
            group_kind = f"{kind}.{group}" if group else kind
            controller = f"{group_kind.lower()}/{ref.get('name', '')}" if group_kind else ref.get("name", "")
            break
    return [_name(obj), controller, obj.get("revision", 0), _age(obj, now)]


_BATCH = "io.k8s.api.batch.v1."


@printer("batch", "jobs",
         NAME,
         Column("Status", doc="Status of the job."),
         Column("Completions", doc=(_BATCH + "JobStatus", "succeeded")),
         Column("Duration", doc="Time required to complete the job."),
         AGE, CONTAINERS, IMAGES, _selector_column(_BATCH + "JobSpec"))
def print_job(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start, end = parse_time(status.get("startTime")), parse_time(status.get("completionTime"))
    if start is None:
        job_duration = ""
    elif end is None:
        job_duration = human_duration(_aware(now) - start)
    else:
        job_duration = human_duration(end - start)
    conditions = status.get("conditions") or []
    if _condition_true(conditions, "Complete"):
        job_status = "Complete"
    elif _condition_true(conditions, "Failed"):
        job_status = "Failed"
    elif _meta(obj).get("deletionTimestamp"):
        job_status = "Terminating"
    elif _condition_true(conditions, "Suspended"):
        job_status = "Suspended"
    elif _condition_true(conditions, "FailureTarget"):
        job_status = "FailureTarget"
    else:
        job_status = "Running"
    names, images = _containers(_get(spec, "template", "spec"))
    return [_name(obj), job_status, completions, job_duration, _age(obj, now),
            names, images, format_label_selector(spec.get("selector"))]


@printer("batch", "cronjobs",
         NAME,
         Column("Schedule", doc=(_BATCH + "CronJobSpec", "schedule")),
         Column("Timezone", doc=(_BATCH + "CronJobSpec", "timeZone")),
         Column("Suspend", "boolean", doc=(_BATCH + "CronJobSpec", "suspend")),
         Column("Active", "integer", doc=(_BATCH + "CronJobStatus", "active")),
         Column("Last Schedule", doc=(_BATCH + "CronJobStatus", "lastScheduleTime")),
         AGE, CONTAINERS, IMAGES, _selector_column(_BATCH + "JobSpec"))
def print_cron_job(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    last = status.get("lastScheduleTime")
    suspend = spec.get("suspend")
    job_spec = _get(spec, "jobTemplate", "spec") or {}
    names, images = _containers(_get(job_spec, "template", "spec"))
    return [_name(obj), spec.get("schedule", ""), spec.get("timeZone") or "<none>",
            "<unset>" if suspend is None else _go_bool(suspend), len(status.get("active") or []),
            translate_timestamp_since(last, now) if last else "<none>", _age(obj, now),
            names, images, format_label_selector(job_spec.get("selector"))]


_AUTOSCALING = "io.k8s.api.autoscaling.v2."


def _hpa_metric(spec: dict, status: dict | None) -> str:
    """One entry of ``formatHPAMetrics`` (autoscaling/v2 shapes)."""
    kind = spec.get("type")
    if kind in ("Resource", "ContainerResource"):
        key = "resource" if kind == "Resource" else "containerResource"
        source, current = spec.get(key) or {}, (status or {}).get(key)
        target = source.get("target") or {}
        if target.get("averageValue") is not None:
            now_value = str(_get(current, "current", "averageValue", default="<unknown>")) if current else "<unknown>"
            return f"{source.get('name', '')}: {now_value}/{target['averageValue']}"
        utilization = _get(current, "current", "averageUtilization") if current else None
        now_value = f"{utilization}%" if utilization is not None else "<unknown>"
        goal = f"{target['averageUtilization']}%" if target.get("averageUtilization") is not None else "<auto>"
        return f"{source.get('name', '')}: {now_value}/{goal}"
    if kind == "Pods":
        current = (status or {}).get("pods")
        now_value = str(_get(current, "current", "averageValue", default="<unknown>")) if current else "<unknown>"
        return f"{now_value}/{_get(spec, 'pods', 'target', 'averageValue', default='')}"
    if kind in ("Object", "External"):
        key = kind.lower()
        target = _get(spec, key, "target") or {}
        current = (status or {}).get(key)
        if target.get("averageValue") is not None:
            now_value = _get(current, "current", "averageValue") if current else None
            return f"{now_value if now_value is not None else '<unknown>'}/{target['averageValue']} (avg)"
        now_value = _get(current, "current", "value") if current else None
        return f"{now_value if now_value is not None else '<unknown>'}/{target.get('value', '')}"
    return "<unknown type>"


def format_hpa_metrics(specs: list, statuses: list) -> str:
    if not specs:
        return "<none>"
    statuses = statuses or []
    entries = [_hpa_metric(s, statuses[i] if i < len(statuses) else None) for i, s in enumerate(specs)]
    if len(entries) > 2:
        return f"{', '.join(entries[:2])} + {len(entries) - 2} more..."
    return ", ".join(entries)


@printer("autoscaling", "horizontalpodautoscalers",
         NAME,
         Column("Reference", doc=(_AUTOSCALING + "HorizontalPodAutoscalerSpec", "scaleTargetRef")),
         Column("Targets", doc=(_AUTOSCALING + "HorizontalPodAutoscalerSpec", "metrics")),
         Column("MinPods", doc=(_AUTOSCALING + "HorizontalPodAutoscalerSpec", "minReplicas")),
         Column("MaxPods", doc=(_AUTOSCALING + "HorizontalPodAutoscalerSpec", "maxReplicas")),
         Column("Replicas", doc=(_AUTOSCALING + "HorizontalPodAutoscalerStatus", "currentReplicas")),
         AGE)
def print_hpa(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("scaleTargetRef") or {}
    min_pods = "<unset>" if spec.get("minReplicas") is None else str(spec["minReplicas"])
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}",
            format_hpa_metrics(spec.get("metrics") or [], status.get("currentMetrics") or []),
            min_pods, spec.get("maxReplicas", 0), status.get("currentReplicas", 0), _age(obj, now)]


@printer("policy", "poddisruptionbudgets",
         NAME,
         Column("Min Available", doc="The minimum number of pods that must be available."),
         Column("Max Unavailable", doc="The maximum number of pods that may be unavailable."),
         Column("Allowed Disruptions", "integer", doc="Calculated number of pods that may be disrupted at this time."),
         AGE)
def print_pdb(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    min_available = "N/A" if spec.get("minAvailable") is None else _int_or_string(spec["minAvailable"])
    max_unavailable = "N/A" if spec.get("maxUnavailable") is None else _int_or_string(spec["maxUnavailable"])
    return [_name(obj), min_available, max_unavailable, _get(obj, "status", "disruptionsAllowed", default=0),
            _age(obj, now)]


# ---------------------------------------------------------------------------
# Services and networking
# ---------------------------------------------------------------------------


def _service_external_ip(svc: dict) -> str:
    spec = svc.get("spec") or {}
    external = spec.get("externalIPs") or []
    svc_type = spec.get("type", "ClusterIP")
    if svc_type in ("ClusterIP", "NodePort"):
        return ",".join(external) if external else "<none>"
    if svc_type == "LoadBalancer":
        lb = _lb_ingress(_get(svc, "status", "loadBalancer"))
        if external:
            return ",".join((lb.split(",") if lb else []) + external)
        return lb or "<pending>"
    if svc_type == "ExternalName":
        return spec.get("externalName", "")
    return "<unknown>"


def _service_ports(ports: list) -> str:
    pieces = []
    for p in ports or []:
        protocol = p.get("protocol", "TCP")
        if p.get("nodePort"):
            pieces.append(f"{p.get('port')}:{p['nodePort']}/{protocol}")
        else:
            pieces.append(f"{p.get('port')}/{protocol}")
    return ",".join(pieces)


@printer("", "services",
         NAME,
         Column("Type", doc=(_core("ServiceSpec"), "type")),
         Column("Cluster-IP", doc=(_core("ServiceSpec"), "clusterIP")),
         Column("External-IP", doc=(_core("ServiceSpec"), "externalIPs")),
         Column("Port(s)", doc=(_core("ServiceSpec"), "ports")),
         AGE,
         Column("Selector", priority=1, doc=(_core("ServiceSpec"), "selector")))
def print_service(svc: dict, now) -> list:
    spec = svc.get("spec") or {}
    cluster_ips = spec.get("clusterIPs") or ([spec["clusterIP"]] if spec.get("clusterIP") else [])
    return [_name(svc), spec.get("type", ""), cluster_ips[0] if cluster_ips else "<none>",
            _service_external_ip(svc), _service_ports(spec.get("ports")) or "<none>", _age(svc, now),
            format_labels(spec.get("selector"))]


def format_endpoints(endpoints: dict) -> str:
    """``formatEndpoints``: up to three ``ip:port`` and ``+ N more...``."""
    subsets = endpoints.get("subsets") or []
    if not subsets:
        return "<none>"
    shown, count, more = [], 0, False
    for ss in subsets:
        addresses = ss.get("addresses") or []
        ports = ss.get("ports") or []
        if not ports:  # headless services without ports
            count += len(addresses)
            for a in addresses:
                if len(shown) == 3:
                    more = True
                    break
                shown.append(a.get("ip", ""))
            continue
        for port in ports:
            count += len(addresses)
            for a in addresses:
                if len(shown) == 3:
                    more = True
                    break
                shown.append(_join_host_port(a.get("ip", ""), port.get("port")))
    text = ",".join(shown)
    return f"{text} + {count - 3} more..." if more else text


@printer("", "endpoints", NAME, Column("Endpoints", doc=(_core("Endpoints"), "subsets")), AGE)
def print_endpoints(obj: dict, now) -> list:
    return [_name(obj), format_endpoints(obj), _age(obj, now)]


_DISCOVERY = "io.k8s.api.discovery.v1.EndpointSlice"


@printer("discovery.k8s.io", "endpointslices",
         NAME,
         Column("AddressType", doc=(_DISCOVERY, "addressType")),
         Column("Ports", doc=(_DISCOVERY, "ports")),
         Column("Endpoints", doc=(_DISCOVERY, "endpoints")),
         AGE)
def print_endpoint_slice(obj: dict, now) -> list:
    ports = []
    for p in obj.get("ports") or []:
        if p.get("port") is not None:
            ports.append(str(p["port"]))
        elif p.get("name") is not None:
            ports.append(p["name"])
        else:
            ports.append("*")
    addresses = [a for ep in obj.get("endpoints") or [] for a in ep.get("addresses") or []]
    return [_name(obj), obj.get("addressType", ""), _list_with_more(ports, len(ports)),
            _list_with_more(addresses, len(addresses)), _age(obj, now)]


def _ingress_hosts(rules: list) -> str:
    hosts = [r["host"] for r in (rules or [])[:3] if r.get("host")]
    if not hosts:
        return "*"
    if len(rules) > 3:
        return f"{','.join(hosts)} + {len(rules) - 3} more..."
    return ",".join(hosts)


@printer("networking.k8s.io", "ingresses",
         NAME,
         Column("Class", doc="The name of the IngressClass resource that should be used for additional configuration"),
         Column("Hosts", doc="Hosts that incoming requests are matched against before the ingress rule"),
         Column("Address", doc="Address is a list containing ingress points for the load-balancer"),
         Column("Ports", doc="Ports of TLS configurations that open"),
         AGE)
def print_ingress(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    return [_name(obj), spec.get("ingressClassName") or "<none>", _ingress_hosts(spec.get("rules") or []),
            _lb_ingress(_get(obj, "status", "loadBalancer")), "80, 443" if spec.get("tls") else "80",
            _age(obj, now)]


@printer("networking.k8s.io", "ingressclasses",
         NAME,
         Column("Controller", doc="Controller that is responsible for handling this class"),
         Column("Parameters", doc="A reference to a resource with additional parameters"),
         AGE)
def print_ingress_class(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    params = spec.get("parameters")
    parameters = "<none>"
    if params:
        parameters = params.get("kind", "")
        if params.get("apiGroup") is not None:
            parameters += "." + params["apiGroup"]
        parameters += "/" + params.get("name", "")
    return [_name(obj), spec.get("controller", ""), parameters, _age(obj, now)]


@printer("networking.k8s.io", "networkpolicies",
         NAME,
         Column("Pod-Selector", doc=("io.k8s.api.networking.v1.NetworkPolicySpec", "podSelector")),
         AGE)
def print_network_policy(obj: dict, now) -> list:
    return [_name(obj), format_label_selector(_get(obj, "spec", "podSelector", default={})), _age(obj, now)]


@printer("networking.k8s.io", "servicecidrs",
         NAME, Column("CIDRs", doc=("io.k8s.api.networking.v1.ServiceCIDRSpec", "cidrs")), AGE)
def print_service_cidr(obj: dict, now) -> list:
    return [_name(obj), ",".join(_get(obj, "spec", "cidrs", default=[])), _age(obj, now)]


@printer("networking.k8s.io", "ipaddresses",
         NAME, Column("ParentRef", doc=("io.k8s.api.networking.v1.IPAddressSpec", "parentRef")), AGE)
def print_ip_address(obj: dict, now) -> list:
    ref = _get(obj, "spec", "parentRef")
    parent = "<none>"
    if ref:
        group, resource = ref.get("group", ""), ref.get("resource", "")
        parent = (f"{resource}.{group}" if group else resource).lower()
        if ref.get("namespace"):
            parent += "/" + ref["namespace"]
        parent += "/" + ref.get("name", "")
    return [_name(obj), parent, _age(obj, now)]


# ---------------------------------------------------------------------------
# Cluster objects: namespaces, nodes, events, leases
# ---------------------------------------------------------------------------


@printer("", "namespaces", NAME, Column("Status", doc="The status of the namespace"), AGE)
def print_namespace(obj: dict, now) -> list:
    return [_name(obj), _get(obj, "status", "phase", default=""), _age(obj, now)]


def node_roles(node: dict) -> str:
    """``findNodeRoles``: ``node-role.kubernetes.io/<role>`` and ``kubernetes.io/role`` labels."""
    roles = set()
    for key, value in (_meta(node).get("labels") or {}).items():
        if key.startswith("node-role.kubernetes.io/"):
            role = key[len("node-role.kubernetes.io/"):]
            if role:
                roles.add(role)
        elif key == "kubernetes.io/role" and value:
            roles.add(value)
    return ",".join(sorted(roles)) or "<none>"


def _node_address(node: dict, kind: str) -> str:
    for a in _get(node, "status", "addresses", default=[]):
        if a.get("type") == kind:
            return a.get("address", "")
    return "<none>"


@printer("", "nodes",
         NAME,
         Column("Status", doc="The status of the node"),
         Column("Roles", doc="The roles of the node"),
         AGE,
         Column("Version", doc=(_core("NodeSystemInfo"), "kubeletVersion")),
         Column("Internal-IP", priority=1, doc=(_core("NodeStatus"), "addresses")),
         Column("External-IP", priority=1, doc=(_core("NodeStatus"), "addresses")),
         Column("OS-Image", priority=1, doc=(_core("NodeSystemInfo"), "osImage")),
         Column("Kernel-Version", priority=1, doc=(_core("NodeSystemInfo"), "kernelVersion")),
         Column("Container-Runtime", priority=1, doc=(_core("NodeSystemInfo"), "containerRuntimeVersion")))
def print_node(node: dict, now) -> list:
    ready = None
    for c in _get(node, "status", "conditions", default=[]):
        if c.get("type") == "Ready":
            ready = c
    status = ["Unknown"] if ready is None else ["Ready" if ready.get("status") == "True" else "NotReady"]
    if _get(node, "spec", "unschedulable"):
        status.append("SchedulingDisabled")
    info = _get(node, "status", "nodeInfo", default={})
    return [_name(node), ",".join(status), node_roles(node), _age(node, now), info.get("kubeletVersion", ""),
            _node_address(node, "InternalIP"), _node_address(node, "ExternalIP"),
            info.get("osImage") or "<unknown>", info.get("kernelVersion") or "<unknown>",
            info.get("containerRuntimeVersion") or "<unknown>"]


def core_event(event: dict) -> dict:
    """An ``events.k8s.io/v1`` Event in the ``core/v1`` shape (both share one storage)."""
    if "involvedObject" in event or "regarding" not in event and "note" not in event:
        return event
    out = {k: v for k, v in event.items() if not k.startswith("deprecated")}
    out["involvedObject"] = event.get("regarding") or {}
    out["message"] = event.get("note", "")
    out["source"] = event.get("deprecatedSource") or {}
    out["firstTimestamp"] = event.get("deprecatedFirstTimestamp")
    out["lastTimestamp"] = event.get("deprecatedLastTimestamp")
    out["count"] = event.get("deprecatedCount", 0)
    out["reportingComponent"] = event.get("reportingController", "")
    return out


_EVENT = _core("Event")
_EVENT_COLUMNS = (
    Column("Last Seen", doc=(_EVENT, "lastTimestamp")),
    Column("Type", doc=(_EVENT, "type")),
    Column("Reason", doc=(_EVENT, "reason")),
    Column("Object", doc=(_EVENT, "involvedObject")),
    Column("Subobject", priority=1, doc=(_core("ObjectReference"), "fieldPath")),
    Column("Source", priority=1, doc=(_EVENT, "source")),
    Column("Message", doc=(_EVENT, "message")),
    Column("First Seen", priority=1, doc=(_EVENT, "firstTimestamp")),
    Column("Count", priority=1, doc=(_EVENT, "count")),
    Column("Name", format="name", priority=1, doc=(_META, "name")),
)


def print_event(event: dict, now) -> list:
    event = core_event(event)
    first = translate_timestamp_since(event.get("firstTimestamp"), now)
    if not event.get("firstTimestamp"):
        first = translate_timestamp_since(event.get("eventTime"), now)
    last = translate_timestamp_since(event.get("lastTimestamp"), now) if event.get("lastTimestamp") else first
    count = event.get("count") or 0
    series = event.get("series")
    if series:
        last = translate_timestamp_since(series.get("lastObservedTime"), now)
        count = series.get("count", 0)
    elif count == 0:
        count = 1  # singleton events have no count in the new API
    involved = event.get("involvedObject") or {}
    kind = (involved.get("kind") or "").lower()
    target = f"{kind}/{involved['name']}" if involved.get("name") else kind
    source = event.get("source") or {}
    component = source.get("component") or event.get("reportingComponent") or ""
    instance = source.get("host") or event.get("reportingInstance") or ""
    source_text = f"{component}, {instance}" if instance else component
    return [last, event.get("type", ""), event.get("reason", ""), target, involved.get("fieldPath", ""),
            source_text, (event.get("message") or "").strip(), first, count, _name(event)]


printer("", "events", *_EVENT_COLUMNS)(print_event)
printer("events.k8s.io", "events", *_EVENT_COLUMNS)(print_event)


@printer("coordination.k8s.io", "leases",
         NAME, Column("Holder", doc=("io.k8s.api.coordination.v1.LeaseSpec", "holderIdentity")), AGE)
def print_lease(obj: dict, now) -> list:
    return [_name(obj), _get(obj, "spec", "holderIdentity", default=""), _age(obj, now)]


@printer("apiregistration.k8s.io", "apiservices",
         NAME,
         Column("Service", doc="The reference to the service that hosts this API endpoint."),
         Column("Available", doc="Whether this service is available."),
         AGE)
def print_api_service(obj: dict, now) -> list:
    """kube-aggregator's table: ``Local`` for built-in groups, ``False (Reason)`` when unavailable."""
    svc = _get(obj, "spec", "service")
    service = f"{svc.get('namespace', '')}/{svc.get('name', '')}" if svc else "Local"
    available = "Unknown"
    for cond in _get(obj, "status", "conditions", default=None) or []:
        if cond.get("type") == "Available":
            available = cond.get("status", "Unknown")
            if available != "True" and cond.get("reason"):
                available += f" ({cond['reason']})"
    return [_name(obj), service, available, _age(obj, now)]


@printer("", "componentstatuses",
         NAME,
         Column("Status", doc="Status of the component conditions"),
         Column("Message", doc="Message of the component conditions"),
         Column("Error", doc="Error of the component conditions"))
def print_component_status(obj: dict, now) -> list:
    status, message, error = "Unknown", "", ""
    for c in obj.get("conditions") or []:
        if c.get("type") == "Healthy":
            status = "Healthy" if c.get("status") == "True" else "Unhealthy"
            message, error = c.get("message", ""), c.get("error", "")
            break
    return [_name(obj), status, message, error]


# ---------------------------------------------------------------------------
# Configuration, RBAC and policy
# ---------------------------------------------------------------------------


@printer("", "configmaps", NAME, Column("Data", doc=(_core("ConfigMap"), "data")), AGE)
def print_config_map(obj: dict, now) -> list:
    return [_name(obj), len(obj.get("data") or {}) + len(obj.get("binaryData") or {}), _age(obj, now)]


@printer("", "secrets",
         NAME, Column("Type", doc=(_core("Secret"), "type")), Column("Data", doc=(_core("Secret"), "data")), AGE)
def print_secret(obj: dict, now) -> list:
    return [_name(obj), obj.get("type", ""), len(obj.get("data") or {}), _age(obj, now)]


@printer("", "serviceaccounts", NAME, Column("Secrets", doc=(_core("ServiceAccount"), "secrets")), AGE)
def print_service_account(obj: dict, now) -> list:
    return [_name(obj), len(obj.get("secrets") or []), _age(obj, now)]


@printer("", "resourcequotas",
         NAME,
         Column("Request", doc="Request represents a minimum amount of cpu/memory that a container may consume."),
         Column("Limit", doc="Limits control the maximum amount of cpu/memory that a container may use "
                             "independent of contention on the node."),
         AGE)
def print_resource_quota(obj: dict, now) -> list:
    hard = _get(obj, "status", "hard", default={})
    used = _get(obj, "status", "used", default={})
    requests, limits = [], []
    for resource in sorted(hard):
        pieces = resource.split(".")
        target = limits if len(pieces) > 1 and pieces[0] == "limits" else requests
        target.append(f"{resource}: {_quantity(used.get(resource))}/{_quantity(hard[resource])}")
    return [_name(obj), ", ".join(requests), ", ".join(limits), _age(obj, now)]


_RBAC = "io.k8s.api.rbac.v1."


def _subjects(subjects: list) -> tuple[str, str, str]:
    """``rbac.SubjectsStrings``: users, groups and service accounts (``ns/name``)."""
    users, groups, sas = [], [], []
    for s in subjects or []:
        if s.get("kind") == "ServiceAccount":
            sas.append(f"{s.get('namespace', '')}/{s.get('name', '')}")
        elif s.get("kind") == "User":
            users.append(s.get("name", ""))
        elif s.get("kind") == "Group":
            groups.append(s.get("name", ""))
    return ", ".join(users), ", ".join(groups), ", ".join(sas)


def _binding_columns(kind: str) -> tuple[Column, ...]:
    label = kind[0].lower() + kind[1:]
    return (NAME, Column("Role", doc=(_RBAC + kind, "roleRef")), AGE,
            Column("Users", priority=1, doc=f"Users in the {label}"),
            Column("Groups", priority=1, doc=f"Groups in the {label}"),
            Column("ServiceAccounts", priority=1, doc=f"ServiceAccounts in the {label}"))


def print_binding(obj: dict, now) -> list:
    ref = obj.get("roleRef") or {}
    return [_name(obj), f"{ref.get('kind', '')}/{ref.get('name', '')}", _age(obj, now),
            *_subjects(obj.get("subjects"))]


printer("rbac.authorization.k8s.io", "rolebindings", *_binding_columns("RoleBinding"))(print_binding)
printer("rbac.authorization.k8s.io", "clusterrolebindings", *_binding_columns("ClusterRoleBinding"))(print_binding)

_SCHEDULING = "io.k8s.api.scheduling.v1.PriorityClass"


@printer("scheduling.k8s.io", "priorityclasses",
         NAME,
         Column("Value", "integer", doc=(_SCHEDULING, "value")),
         Column("Global-Default", "boolean", doc=(_SCHEDULING, "globalDefault")),
         AGE,
         Column("PreemptionPolicy", doc=(_SCHEDULING, "preemptionPolicy")))
def print_priority_class(obj: dict, now) -> list:
    return [_name(obj), obj.get("value", 0), bool(obj.get("globalDefault")), _age(obj, now),
            obj.get("preemptionPolicy") or ""]


@printer("node.k8s.io", "runtimeclasses", NAME, Column("Handler", doc=(_META, "handler")), AGE)
def print_runtime_class(obj: dict, now) -> list:
    return [_name(obj), obj.get("handler", ""), _age(obj, now)]


_WEBHOOKS = Column("Webhooks", "integer",
                   doc="Webhooks indicates the number of webhooks registered in this configuration")


def print_webhook_configuration(obj: dict, now) -> list:
    return [_name(obj), len(obj.get("webhooks") or []), _age(obj, now)]


printer("admissionregistration.k8s.io", "mutatingwebhookconfigurations", NAME, _WEBHOOKS, AGE)(
    print_webhook_configuration)
printer("admissionregistration.k8s.io", "validatingwebhookconfigurations", NAME, _WEBHOOKS, AGE)(
    print_webhook_configuration)

_PARAM_KIND = Column("ParamKind", doc="ParamKind specifies the kind of resources used to parameterize this policy")


def _param_kind(obj: dict) -> str:
    kind = _get(obj, "spec", "paramKind")
    return f"{kind.get('apiVersion', '')}/{kind.get('kind', '')}" if kind else "<unset>"


@printer("admissionregistration.k8s.io", "validatingadmissionpolicies",
         NAME, Column("Validations", "integer",
                      doc="Validations indicates the number of validation rules defined in this configuration"),
         _PARAM_KIND, AGE)
def print_validating_admission_policy(obj: dict, now) -> list:
    return [_name(obj), len(_get(obj, "spec", "validations", default=[])), _param_kind(obj), _age(obj, now)]


@printer("admissionregistration.k8s.io", "mutatingadmissionpolicies",
         NAME, Column("Mutations", "integer",
                      doc="Mutation indicates the number of mutations rules defined in this configuration"),
         _PARAM_KIND, AGE)
def print_mutating_admission_policy(obj: dict, now) -> list:
    return [_name(obj), len(_get(obj, "spec", "mutations", default=[])), _param_kind(obj), _age(obj, now)]


_POLICY_BINDING_COLUMNS = (
    NAME,
    Column("PolicyName", doc="PolicyName indicates the policy definition which the policy binding binded to"),
    Column("ParamRef", doc="ParamRef indicates the param resource which sets the configration param"),
    AGE)


def print_policy_binding(obj: dict, now) -> list:
    ref = _get(obj, "spec", "paramRef")
    param = "<unset>"
    if ref:
        if ref.get("name"):
            param = f"{ref['namespace']}/{ref['name']}" if ref.get("namespace") else f"*/{ref['name']}"
        elif ref.get("selector") is not None:
            param = str(label_selector_from_api(ref["selector"]))
    return [_name(obj), _get(obj, "spec", "policyName", default=""), param, _age(obj, now)]


printer("admissionregistration.k8s.io", "validatingadmissionpolicybindings", *_POLICY_BINDING_COLUMNS)(
    print_policy_binding)
printer("admissionregistration.k8s.io", "mutatingadmissionpolicybindings", *_POLICY_BINDING_COLUMNS)(
    print_policy_binding)


@printer("certificates.k8s.io", "certificatesigningrequests",
         NAME, AGE,
         Column("SignerName", doc=("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "signerName")),
         Column("Requestor", doc=("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "request")),
         Column("RequestedDuration",
                doc=("io.k8s.api.certificates.v1.CertificateSigningRequestSpec", "expirationSeconds")),
         Column("Condition", doc=("io.k8s.api.certificates.v1.CertificateSigningRequestStatus", "conditions")))
def print_csr(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    kinds = {c.get("type") for c in _get(obj, "status", "conditions", default=[])}
    status = "Denied" if "Denied" in kinds else "Approved" if "Approved" in kinds else "Pending"
    if "Failed" in kinds:
        status += ",Failed"
    if _get(obj, "status", "certificate"):
        status += ",Issued"
    seconds = spec.get("expirationSeconds")
    return [_name(obj), _age(obj, now), spec.get("signerName") or "<none>", spec.get("username", ""),
            "<none>" if seconds is None else human_duration(seconds), status]


_FLOW = "io.k8s.api.flowcontrol.v1."


@printer("flowcontrol.apiserver.k8s.io", "flowschemas",
         NAME,
         Column("PriorityLevel", doc=(_FLOW + "PriorityLevelConfigurationReference", "name")),
         Column("MatchingPrecedence", doc=(_FLOW + "FlowSchemaSpec", "matchingPrecedence")),
         Column("DistinguisherMethod", doc=(_FLOW + "FlowSchemaSpec", "distinguisherMethod")),
         AGE,
         Column("MissingPL", doc="references a broken or non-existent PriorityLevelConfiguration"))
def print_flow_schema(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    method = _get(spec, "distinguisherMethod", "type", default="<none>")
    dangling = "?"
    for c in _get(obj, "status", "conditions", default=[]):
        if c.get("type") == "Dangling":
            dangling = c.get("status", "")
            break
    return [_name(obj), _get(spec, "priorityLevelConfiguration", "name", default=""),
            spec.get("matchingPrecedence", 0), method, _age(obj, now), dangling]


@printer("flowcontrol.apiserver.k8s.io", "prioritylevelconfigurations",
         NAME,
         Column("Type", doc=(_FLOW + "PriorityLevelConfigurationSpec", "type")),
         Column("NominalConcurrencyShares", doc=(_FLOW + "LimitedPriorityLevelConfiguration",
                                                 "nominalConcurrencyShares")),
         Column("Queues", doc=(_FLOW + "QueuingConfiguration", "queues")),
         Column("HandSize", doc=(_FLOW + "QueuingConfiguration", "handSize")),
         Column("QueueLengthLimit", doc=(_FLOW + "QueuingConfiguration", "queueLengthLimit")),
         AGE)
def print_priority_level(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    limited = spec.get("limited")
    shares = queues = hand = limit = "<none>"
    if limited is not None:
        shares = limited.get("nominalConcurrencyShares", 0)
        queuing = _get(limited, "limitResponse", "queuing")
        if queuing is not None:
            queues, hand = queuing.get("queues", 0), queuing.get("handSize", 0)
            limit = queuing.get("queueLengthLimit", 0)
    return [_name(obj), spec.get("type", ""), shares, queues, hand, limit, _age(obj, now)]


# ---------------------------------------------------------------------------
# Storage
# ---------------------------------------------------------------------------


def access_modes(modes: list) -> str:
    """``GetAccessModesAsString``: RWO, ROX, RWX, RWOP in that order."""
    names = (("ReadWriteOnce", "RWO"), ("ReadOnlyMany", "ROX"), ("ReadWriteMany", "RWX"),
             ("ReadWriteOncePod", "RWOP"))
    return ",".join(short for mode, short in names if mode in (modes or []))


_BETA_CLASS = "volume.beta.kubernetes.io/storage-class"


@printer("", "persistentvolumes",
         NAME,
         Column("Capacity", doc=(_core("PersistentVolumeSpec"), "capacity")),
         Column("Access Modes", doc=(_core("PersistentVolumeSpec"), "accessModes")),
         Column("Reclaim Policy", doc=(_core("PersistentVolumeSpec"), "persistentVolumeReclaimPolicy")),
         Column("Status", doc=(_core("PersistentVolumeStatus"), "phase")),
         Column("Claim", doc=(_core("PersistentVolumeSpec"), "claimRef")),
         Column("StorageClass", doc="StorageClass of the pv"),
         Column("VolumeAttributesClass", doc="VolumeAttributesClass of the pv"),
         Column("Reason", doc=(_core("PersistentVolumeStatus"), "reason")),
         AGE,
         Column("VolumeMode", priority=1, doc=(_core("PersistentVolumeSpec"), "volumeMode")))
def print_persistent_volume(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    ref = spec.get("claimRef")
    claim = f"{ref.get('namespace', '')}/{ref.get('name', '')}" if ref else ""
    phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
    annotations = _meta(obj).get("annotations") or {}
    storage_class = annotations[_BETA_CLASS] if _BETA_CLASS in annotations else spec.get("storageClassName", "")
    return [_name(obj), _quantity(_get(spec, "capacity", "storage")), access_modes(spec.get("accessModes")),
            spec.get("persistentVolumeReclaimPolicy", ""), phase, claim, storage_class,
            spec.get("volumeAttributesClassName") or "<unset>", status.get("reason", ""), _age(obj, now),
            spec.get("volumeMode") or "<unset>"]


@printer("", "persistentvolumeclaims",
         NAME,
         Column("Status", doc=(_core("PersistentVolumeClaimStatus"), "phase")),
         Column("Volume", doc=(_core("PersistentVolumeClaimSpec"), "volumeName")),
         Column("Capacity", doc=(_core("PersistentVolumeClaimStatus"), "capacity")),
         Column("Access Modes", doc=(_core("PersistentVolumeClaimStatus"), "accessModes")),
         Column("StorageClass", doc="StorageClass of the pvc"),
         Column("VolumeAttributesClass", doc="VolumeAttributesClass of the pvc"),
         AGE,
         Column("VolumeMode", priority=1, doc=(_core("PersistentVolumeClaimSpec"), "volumeMode")))
def print_persistent_volume_claim(obj: dict, now) -> list:
    spec, status = obj.get("spec") or {}, obj.get("status") or {}
    phase = "Terminating" if _meta(obj).get("deletionTimestamp") else status.get("phase", "")
    capacity = modes = ""
    if spec.get("volumeName"):
        modes = access_modes(status.get("accessModes"))
        capacity = _quantity(_get(status, "capacity", "storage"))
    annotations = _meta(obj).get("annotations") or {}
    storage_class = annotations[_BETA_CLASS] if _BETA_CLASS in annotations else spec.get("storageClassName") or ""
    return [_name(obj), phase, spec.get("volumeName", ""), capacity, modes, storage_class,
            spec.get("volumeAttributesClassName") or "<unset>", _age(obj, now), spec.get("volumeMode") or "<unset>"]


_STORAGE = "io.k8s.api.storage.v1."


def _is_default_class(obj: dict, beta: bool = True) -> bool:
    annotations = _meta(obj).get("annotations") or {}
    return annotations.get("storageclass.kubernetes.io/is-default-class") == "true" or (
        beta and annotations.get("storageclass.beta.kubernetes.io/is-default-class") == "true")


@printer("storage.k8s.io", "storageclasses",
         NAME,
         Column("Provisioner", doc=(_STORAGE + "StorageClass", "provisioner")),
         Column("ReclaimPolicy", doc=(_STORAGE + "StorageClass", "reclaimPolicy")),
         Column("VolumeBindingMode", doc=(_STORAGE + "StorageClass", "volumeBindingMode")),
         Column("AllowVolumeExpansion", doc=(_STORAGE + "StorageClass", "allowVolumeExpansion")),
         AGE)
def print_storage_class(obj: dict, now) -> list:
    name = _name(obj) + (" (default)" if _is_default_class(obj) else "")
    return [name, obj.get("provisioner", ""), obj.get("reclaimPolicy") or "Delete",
            obj.get("volumeBindingMode") or "Immediate", bool(obj.get("allowVolumeExpansion")), _age(obj, now)]


@printer("storage.k8s.io", "volumeattributesclasses",
         NAME, Column("DriverName", doc=(_STORAGE + "VolumeAttributesClass", "driverName")), AGE)
def print_volume_attributes_class(obj: dict, now) -> list:
    annotations = _meta(obj).get("annotations") or {}
    default = annotations.get("storageclass.kubernetes.io/is-default-class") == "true"
    return [_name(obj) + (" (default)" if default else ""), obj.get("driverName", ""), _age(obj, now)]


@printer("storage.k8s.io", "csinodes",
         NAME, Column("Drivers", "integer", doc="Drivers indicates the number of CSI drivers registered on the node"),
         AGE)
def print_csi_node(obj: dict, now) -> list:
    return [_name(obj), len(_get(obj, "spec", "drivers", default=[])), _age(obj, now)]


@printer("storage.k8s.io", "csidrivers",
         NAME,
         Column("AttachRequired", "boolean", doc=(_STORAGE + "CSIDriverSpec", "attachRequired")),
         Column("PodInfoOnMount", "boolean", doc=(_STORAGE + "CSIDriverSpec", "podInfoOnMount")),
         Column("StorageCapacity", "boolean", doc=(_STORAGE + "CSIDriverSpec", "storageCapacity")),
         Column("TokenRequests", doc=(_STORAGE + "CSIDriverSpec", "tokenRequests")),
         Column("RequiresRepublish", "boolean", doc=(_STORAGE + "CSIDriverSpec", "requiresRepublish")),
         Column("Modes", doc=(_STORAGE + "CSIDriverSpec", "volumeLifecycleModes")),
         AGE)
def print_csi_driver(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    tokens = spec.get("tokenRequests")
    return [_name(obj), spec.get("attachRequired", True), bool(spec.get("podInfoOnMount")),
            bool(spec.get("storageCapacity")),
            "<unset>" if tokens is None else ",".join(t.get("audience", "") for t in tokens),
            bool(spec.get("requiresRepublish")), ",".join(spec.get("volumeLifecycleModes") or []) or "<none>",
            _age(obj, now)]


@printer("storage.k8s.io", "csistoragecapacities",
         NAME,
         Column("StorageClassName", doc=(_STORAGE + "CSIStorageCapacity", "storageClassName")),
         Column("Capacity", doc=(_STORAGE + "CSIStorageCapacity", "capacity")))
def print_csi_storage_capacity(obj: dict, now) -> list:
    capacity = obj.get("capacity")
    return [_name(obj), obj.get("storageClassName", ""), "<unset>" if capacity is None else str(capacity)]


@printer("storage.k8s.io", "volumeattachments",
         NAME,
         Column("Attacher", format="name", doc=(_STORAGE + "VolumeAttachmentSpec", "attacher")),
         Column("PV", doc=(_STORAGE + "VolumeAttachmentSource", "persistentVolumeName")),
         Column("Node", doc=(_STORAGE + "VolumeAttachmentSpec", "nodeName")),
         Column("Attached", "boolean", doc=(_STORAGE + "VolumeAttachmentStatus", "attached")),
         AGE)
def print_volume_attachment(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    return [_name(obj), spec.get("attacher", ""), _get(spec, "source", "persistentVolumeName", default=""),
            spec.get("nodeName", ""), bool(_get(obj, "status", "attached")), _age(obj, now)]


_RESOURCE = "io.k8s.api.resource.v1."


@printer("resource.k8s.io", "deviceclasses", NAME, AGE)
def print_device_class(obj: dict, now) -> list:
    return [_name(obj), _age(obj, now)]


@printer("resource.k8s.io", "resourceclaimtemplates", NAME, AGE)
def print_resource_claim_template(obj: dict, now) -> list:
    return [_name(obj), _age(obj, now)]


@printer("resource.k8s.io", "resourceclaims",
         NAME,
         Column("State", doc="A summary of the current state (allocated, pending, reserved, etc.)."),
         AGE)
def print_resource_claim(obj: dict, now) -> list:
    states = []
    deleted = bool(_meta(obj).get("deletionTimestamp"))
    if deleted:
        states.append("deleted")
    if _get(obj, "status", "allocation") is None:
        if not deleted:
            states.append("pending")
    else:
        states.append("allocated")
        if _get(obj, "status", "reservedFor"):
            states.append("reserved")
    return [_name(obj), ",".join(states), _age(obj, now)]


@printer("resource.k8s.io", "resourceslices",
         NAME,
         Column("Node", doc=(_RESOURCE + "ResourceSliceSpec", "nodeName")),
         Column("Driver", doc=(_RESOURCE + "ResourceSliceSpec", "driver")),
         Column("Pool", doc=(_RESOURCE + "ResourcePool", "name")),
         AGE)
def print_resource_slice(obj: dict, now) -> list:
    spec = obj.get("spec") or {}
    return [_name(obj), spec.get("nodeName", ""), spec.get("driver", ""), _get(spec, "pool", "name", default=""),
            _age(obj, now)]


@printer("storagemigration.k8s.io", "storageversionmigrations",
         Column("Name", doc=(_META, "name")), Column("Resource", doc="Fully qualified resource to migrate"))
def print_storage_version_migration(obj: dict, now) -> list:
    r = _get(obj, "spec", "resource", default={})
    return [_name(obj), f"{r.get('resource', '')}.{r.get('version', '')}.{r.get('group', '')}"]


# ---------------------------------------------------------------------------
# The default table convertor and the Table itself
# ---------------------------------------------------------------------------

_DEFAULT_COLUMNS = (NAME, Column("Created At", "date", doc=(_META, "creationTimestamp")))


def _default_row(obj: dict, now) -> list:
    created = parse_time(_meta(obj).get("creationTimestamp"))
    text = created.astimezone(_UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if created else "0001-01-01T00:00:00Z"
    return [_name(obj), text]


def _row_object(info, obj: dict, include_object: str):
    if include_object == "None":
        return None
    if include_object == "Object":
        full = dict(obj)
        full.setdefault("apiVersion", info.group_version)
        full.setdefault("kind", info.kind)
        return full
    return {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": _meta(obj)}


_ROW_CACHE: dict = {}
_ROW_CACHE_SIZE = 50000


def to_table(info, objects: list[dict], now: datetime.datetime, include_object: str = "Metadata",
             cache_scope: object = None) -> dict:
    """Convert objects of one resource to a ``meta.k8s.io/v1`` Table, as kube-apiserver does.

    ``include_object`` is the ``includeObject`` parameter: ``None``, ``Metadata``
    (each row carries a PartialObjectMetadata, the default) or ``Object``.
    ``cache_scope`` names the server whose objects these are: rows are cached
    per scope, object version and second (two clusters with one seed share uids).
    The caller fills in ``metadata.resourceVersion`` and ``continue``.
    """
    columns, row_fn = _PRINTERS.get((info.group, info.plural), (_DEFAULT_COLUMNS, _default_row))
    include_object = include_object or "Metadata"
    second = int(_aware(now).timestamp())
    rows = []
    for obj in objects:
        meta = _meta(obj)
        # A row depends only on the object's version and on `now` to the second
        # (ages, "25s ago"), so it is computed once per (object version, second).
        key = (cache_scope, info.group, info.plural, meta.get("uid"), meta.get("resourceVersion"), second,
               include_object)
        cacheable = cache_scope is not None and key[3] and key[4]
        row = _ROW_CACHE.get(key) if cacheable else None
        if row is None:
            row = {"cells": row_fn(obj, now)}
            if info.plural == "pods" and info.group == "" and (conditions := _pod_conditions(obj)):
                row["conditions"] = conditions
            row["object"] = _row_object(info, obj, include_object)
            if cacheable:
                if len(_ROW_CACHE) >= _ROW_CACHE_SIZE:
                    _ROW_CACHE.clear()
                _ROW_CACHE[key] = row
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": ""},
        "columnDefinitions": [c.definition() for c in columns],
        "rows": rows,
    }
