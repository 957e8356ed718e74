"""Deployment helpers (pkg/controller/deployment/util/deployment_util.go and
``controller.ComputeHash``).

The pod-template-hash, the revision and replica annotations, maxSurge and
maxUnavailable arithmetic, the ReplicaSet orderings and the Deployment
conditions.  Pure functions over plain dicts.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import struct

from . import podutil

DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = "pod-template-hash"
REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
REVISION_HISTORY_ANNOTATION = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS_ANNOTATION = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS_ANNOTATION = "deployment.kubernetes.io/max-replicas"
LAST_APPLIED_ANNOTATION = "kubectl.kubernetes.io/last-applied-configuration"
ROLLBACK_TO_ANNOTATION = "deprecated.deployment.rollback.to"
MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000
MAX_INT32 = 2**31 - 1

# Reasons of the Progressing and Available conditions.
NEW_REPLICA_SET_REASON = "NewReplicaSetCreated"
FOUND_NEW_RS_REASON = "FoundNewReplicaSet"
REPLICA_SET_UPDATED_REASON = "ReplicaSetUpdated"
NEW_RS_AVAILABLE_REASON = "NewReplicaSetAvailable"
TIMED_OUT_REASON = "ProgressDeadlineExceeded"
PAUSED_DEPLOY_REASON = "DeploymentPaused"
RESUMED_DEPLOY_REASON = "DeploymentResumed"
FAILED_RS_CREATE_REASON = "ReplicaSetCreateError"
MINIMUM_REPLICAS_AVAILABLE = "MinimumReplicasAvailable"
MINIMUM_REPLICAS_UNAVAILABLE = "MinimumReplicasUnavailable"

_ANNOTATIONS_TO_SKIP = {LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
                        DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, ROLLBACK_TO_ANNOTATION}

# rand.SafeEncodeString's alphabet: no vowels (no words), no 0/1/3 (look like letters).
_ALPHANUMS = "bcdfghjklmnpqrstvwxz2456789"


# -- the pod-template-hash ----------------------------------------------------------------
def fnv32a(data: bytes) -> int:
    h = 0x811C9DC5
    for b in data:
        h ^= b
        h = (h * 0x01000193) & 0xFFFFFFFF
    return h


def safe_encode_string(s: str) -> str:
    """``rand.SafeEncodeString``: every byte mapped onto the 27 safe characters."""
    return "".join(_ALPHANUMS[b % len(_ALPHANUMS)] for b in s.encode())


def compute_hash(template: dict, collision_count: int | None = None) -> str:
    """``controller.ComputeHash``: fnv32a of the pod template (and collisionCount), safely encoded.

    The real one hashes Go's printed form of the struct; this hashes its
    canonical JSON, which changes exactly when the template changes.
    """
    data = json.dumps(podutil.semantic_normalize(template), sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        data += struct.pack("<I", collision_count & 0xFFFFFFFF) + b"\x00" * 4
    return safe_encode_string(str(fnv32a(data)))


def equal_ignore_hash(t1: dict, t2: dict) -> bool:
    """``EqualIgnoreHash``: two pod templates are the same apart from the pod-template-hash label."""
    def strip(t):
        t = podutil.semantic_normalize(t or {})
        labels = dict((t.get("metadata") or {}).get("labels") or {})
        labels.pop(DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY, None)
        meta = dict(t.get("metadata") or {})
        if labels:
            meta["labels"] = labels
        else:
            meta.pop("labels", None)
        out = dict(t)
        if meta:
            out["metadata"] = meta
        else:
            out.pop("metadata", None)
        return out
    return strip(t1) == strip(t2)


# -- maxSurge / maxUnavailable -------------------------------------------------------------
def scaled_value(value, total: int, round_up: bool) -> int:
    """``intstr.GetScaledValueFromIntOrPercent``: an int, or a percentage of ``total``."""
    if isinstance(value, bool):
        raise ValueError(f"invalid value for IntOrString: {value}")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.endswith("%"):
        try:
            pct = int(value[:-1])
        except ValueError:
            raise ValueError(f'invalid value for IntOrString: invalid value "{value}"') from None
        v = pct * total / 100
        return math.ceil(v) if round_up else math.floor(v)
    raise ValueError('invalid value for IntOrString: invalid type: string is not a percentage')


def is_rolling_update(d: dict) -> bool:
    return ((d.get("spec") or {}).get("strategy") or {}).get("type", "RollingUpdate") == "RollingUpdate"


def replicas_of(obj: dict | None) -> int:
    if obj is None:
        return 0
    r = (obj.get("spec") or {}).get("replicas")
    return 1 if r is None else r


def resolve_fenceposts(max_surge, max_unavailable, desired: int) -> tuple[int, int]:
    """``ResolveFenceposts``: surge rounds up, unavailable rounds down; never both zero."""
    surge = scaled_value(0 if max_surge is None else max_surge, desired, True)
    unavailable = scaled_value(0 if max_unavailable is None else max_unavailable, desired, False)
    if surge == 0 and unavailable == 0:
        unavailable = 1
    return surge, unavailable


def _rolling(d: dict) -> dict:
    return ((d.get("spec") or {}).get("strategy") or {}).get("rollingUpdate") or {}


def max_surge(d: dict) -> int:
    if not is_rolling_update(d):
        return 0
    surge, _ = resolve_fenceposts(_rolling(d).get("maxSurge"), _rolling(d).get("maxUnavailable"), replicas_of(d))
    return surge


def max_unavailable(d: dict) -> int:
    if not is_rolling_update(d) or replicas_of(d) == 0:
        return 0
    _, unavailable = resolve_fenceposts(_rolling(d).get("maxSurge"), _rolling(d).get("maxUnavailable"),
                                        replicas_of(d))
    return min(unavailable, replicas_of(d))


# -- counting over ReplicaSets -----------------------------------------------------------------
def _status(rs: dict | None) -> dict:
    return (rs or {}).get("status") or {}


def replica_count(rss) -> int:
    """``GetReplicaCountForReplicaSets``: the sum of spec.replicas."""
    return sum(replicas_of(rs) for rs in rss if rs is not None)


def actual_replica_count(rss) -> int:
    return sum(_status(rs).get("replicas", 0) for rs in rss if rs is not None)


def ready_replica_count(rss) -> int:
    return sum(_status(rs).get("readyReplicas", 0) for rs in rss if rs is not None)


def available_replica_count(rss) -> int:
    return sum(_status(rs).get("availableReplicas", 0) for rs in rss if rs is not None)


def terminating_replica_count(rss) -> int | None:
    """``GetTerminatingReplicaCountForReplicaSets``: None when no ReplicaSet reports it."""
    values = [_status(rs).get("terminatingReplicas") for rs in rss if rs is not None]
    values = [v for v in values if v is not None]
    return sum(values) if values else None


def filter_active(rss) -> list[dict]:
    """``FilterActiveReplicaSets``: ReplicaSets with spec.replicas > 0."""
    return [rs for rs in rss if rs is not None and replicas_of(rs) > 0]


# -- orderings ---------------------------------------------------------------------------------
def _created(rs: dict):
    return (rs["metadata"].get("creationTimestamp") or "", rs["metadata"]["name"])


def by_creation(rss) -> list[dict]:
    """``ReplicaSetsByCreationTimestamp``: oldest first, then by name."""
    return sorted(rss, key=_created)


def revision_of(rs: dict) -> int:
    try:
        return int((rs["metadata"].get("annotations") or {}).get(REVISION_ANNOTATION, "0") or 0)
    except ValueError:
        return 0


def by_revision(rss) -> list[dict]:
    """``ReplicaSetsByRevision``: lowest revision first, then oldest."""
    return sorted(rss, key=lambda rs: (revision_of(rs), _created(rs)))


def by_size_older(rss) -> list[dict]:
    """``ReplicaSetsBySizeOlder``: largest first; among equals the older first."""
    return sorted(by_creation(rss), key=lambda rs: -replicas_of(rs))


def by_size_newer(rss) -> list[dict]:
    """``ReplicaSetsBySizeNewer``: largest first; among equals the newer first."""
    return sorted(list(reversed(by_creation(rss))), key=lambda rs: -replicas_of(rs))


def max_revision(rss) -> int:
    return max((revision_of(rs) for rs in rss), default=0)


def find_new_replica_set(d: dict, rss) -> dict | None:
    """``FindNewReplicaSet``: the oldest ReplicaSet whose template equals the Deployment's."""
    template = (d.get("spec") or {}).get("template") or {}
    for rs in by_creation(rss):
        if equal_ignore_hash((rs.get("spec") or {}).get("template") or {}, template):
            return rs
    return None


def find_active_or_latest(new_rs: dict | None, old_rss: list[dict]) -> dict | None:
    """``FindActiveOrLatest``: the only active ReplicaSet, or the newest one if none is active."""
    if new_rs is None and not old_rss:
        return None
    olds = list(reversed(by_creation(old_rss)))
    active = filter_active(olds + [new_rs])
    if not active:
        return new_rs if new_rs is not None else olds[0]
    if len(active) == 1:
        return active[0]
    return None


# -- annotations -------------------------------------------------------------------------------
def _int_annotation(rs: dict, key: str) -> int | None:
    value = (rs["metadata"].get("annotations") or {}).get(key)
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        return None


def desired_replicas_annotation(rs: dict) -> int | None:
    return _int_annotation(rs, DESIRED_REPLICAS_ANNOTATION)


def max_replicas_annotation(rs: dict) -> int | None:
    return _int_annotation(rs, MAX_REPLICAS_ANNOTATION)


def replicas_annotations_need_update(rs: dict, desired: int, max_replicas: int) -> bool:
    ann = rs["metadata"].get("annotations") or {}
    return ann.get(DESIRED_REPLICAS_ANNOTATION) != str(desired) or ann.get(MAX_REPLICAS_ANNOTATION) != str(max_replicas)


def set_replicas_annotations(rs: dict, desired: int, max_replicas: int) -> bool:
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for key, value in ((DESIRED_REPLICAS_ANNOTATION, str(desired)), (MAX_REPLICAS_ANNOTATION, str(max_replicas))):
        if ann.get(key) != value:
            ann[key] = value
            changed = True
    return changed


def set_new_replica_set_annotations(d: dict, rs: dict, new_revision: str, exists: bool) -> bool:
    """``SetNewReplicaSetAnnotations``: copy the Deployment's annotations, bump the revision
    (remembering earlier ones in revision-history on a rollback), and, for a new
    ReplicaSet, the desired/max replicas."""
    ann = rs["metadata"].setdefault("annotations", {})
    changed = False
    for k, v in ((d["metadata"].get("annotations") or {}).items()):
        if k in _ANNOTATIONS_TO_SKIP or ann.get(k) == v:
            continue
        ann[k] = v
        changed = True
    had_revision = REVISION_ANNOTATION in ann
    old_revision = ann.get(REVISION_ANNOTATION, "")
    try:
        old_int = int(old_revision) if old_revision else 0
    except ValueError:
        return changed
    new_int = int(new_revision)
    if old_int < new_int:
        ann[REVISION_ANNOTATION] = new_revision
        changed = True
    if had_revision and old_int < new_int:
        history = ann.get(REVISION_HISTORY_ANNOTATION, "")
        if not history:
            ann[REVISION_HISTORY_ANNOTATION] = old_revision
        else:
            olds = history.split(",")
            total = len(history) + len(old_revision) + 1
            start = 0
            while total > MAX_REV_HISTORY_LENGTH_IN_CHARS and start < len(olds):
                total -= len(olds[start]) + 1
                start += 1
            if total <= MAX_REV_HISTORY_LENGTH_IN_CHARS:
                ann[REVISION_HISTORY_ANNOTATION] = ",".join(olds[start:] + [old_revision])
    if not exists and set_replicas_annotations(rs, replicas_of(d), replicas_of(d) + max_surge(d)):
        changed = True
    return changed


def set_deployment_revision(d: dict, revision: str) -> bool:
    ann = d["metadata"].setdefault("annotations", {})
    if ann.get(REVISION_ANNOTATION) != revision:
        ann[REVISION_ANNOTATION] = revision
        return True
    return False


def is_saturated(d: dict, rs: dict | None) -> bool:
    """``IsSaturated``: the ReplicaSet runs all the Deployment's replicas, all available."""
    if rs is None:
        return False
    desired = desired_replicas_annotation(rs)
    if desired is None:
        return False
    n = replicas_of(d)
    return replicas_of(rs) == n and desired == n and _status(rs).get("availableReplicas", 0) == n


def replica_set_proportion(rs: dict, d: dict, to_add: int, added: int) -> int:
    """``GetReplicaSetProportion``: this ReplicaSet's share of a proportional scale."""
    if rs is None or replicas_of(rs) == 0 or to_add == 0 or to_add == added:
        return 0
    fraction = _replica_set_fraction(rs, d)
    allowed = to_add - added
    return min(fraction, allowed) if to_add > 0 else max(fraction, allowed)


def _replica_set_fraction(rs: dict, d: dict) -> int:
    if replicas_of(d) == 0:
        return -replicas_of(rs)
    deployment_replicas = replicas_of(d) + max_surge(d)
    annotated = max_replicas_annotation(rs)
    if annotated is None:
        annotated = _status(d).get("replicas", 0)
    size = replicas_of(rs) * deployment_replicas / annotated
    return _round_half_away(size) - replicas_of(rs)


def _round_half_away(x: float) -> int:
    return int(math.floor(x + 0.5)) if x >= 0 else -int(math.floor(-x + 0.5))


def new_rs_new_replicas(d: dict, all_rss, new_rs: dict) -> int:
    """``NewRSNewReplicas``: how far the new ReplicaSet may grow now."""
    if is_rolling_update(d):
        surge = scaled_value(_rolling(d).get("maxSurge", 0), replicas_of(d), True)
        current = replica_count(all_rss)
        max_total = replicas_of(d) + surge
        if current >= max_total:
            return replicas_of(new_rs)
        scale_up = min(max_total - current, replicas_of(d) - replicas_of(new_rs))
        return replicas_of(new_rs) + scale_up
    return replicas_of(d)


# -- conditions --------------------------------------------------------------------------------
def new_condition(cond_type: str, status: str, reason: str, message: str, now: str) -> dict:
    return {"type": cond_type, "status": status, "lastUpdateTime": now, "lastTransitionTime": now,
            "reason": reason, "message": message}


def get_condition(status: dict, cond_type: str) -> dict | None:
    return podutil.get_condition(status, cond_type)


def set_condition(status: dict, condition: dict) -> None:
    """``SetDeploymentCondition``: same status and reason means no change; the transition
    time only moves when the status does."""
    current = get_condition(status, condition["type"])
    if current is not None and current.get("status") == condition["status"] \
            and current.get("reason") == condition["reason"]:
        return
    if current is not None and current.get("status") == condition["status"]:
        condition["lastTransitionTime"] = current.get("lastTransitionTime")
    status["conditions"] = [c for c in status.get("conditions") or [] if c.get("type") != condition["type"]]
    status["conditions"].append(condition)


def remove_condition(status: dict, cond_type: str) -> None:
    if status.get("conditions"):
        status["conditions"] = [c for c in status["conditions"] if c.get("type") != cond_type]
        if not status["conditions"]:
            del status["conditions"]


def has_progress_deadline(d: dict) -> bool:
    pds = (d.get("spec") or {}).get("progressDeadlineSeconds")
    return pds is not None and pds != MAX_INT32


def has_revision_history_limit(d: dict) -> bool:
    rhl = (d.get("spec") or {}).get("revisionHistoryLimit")
    return rhl is not None and rhl != MAX_INT32


def deployment_complete(d: dict, status: dict) -> bool:
    """``DeploymentComplete``: every replica updated and available, and the latest generation observed."""
    n = replicas_of(d)
    return (status.get("updatedReplicas", 0) == n and status.get("replicas", 0) == n
            and status.get("availableReplicas", 0) == n
            and status.get("observedGeneration", 0) >= d["metadata"].get("generation", 0))


def deployment_progressing(d: dict, new_status: dict) -> bool:
    """``DeploymentProgressing``: more updated, fewer old, more ready or more available replicas."""
    old = _status(d)
    old_old = old.get("replicas", 0) - old.get("updatedReplicas", 0)
    new_old = new_status.get("replicas", 0) - new_status.get("updatedReplicas", 0)
    return (new_status.get("updatedReplicas", 0) > old.get("updatedReplicas", 0) or new_old < old_old
            or new_status.get("readyReplicas", 0) > old.get("readyReplicas", 0)
            or new_status.get("availableReplicas", 0) > old.get("availableReplicas", 0))


def deployment_timed_out(d: dict, new_status: dict, now) -> bool:
    """``DeploymentTimedOut``: no progress for progressDeadlineSeconds since the last update."""
    if not has_progress_deadline(d):
        return False
    cond = get_condition(new_status, "Progressing")
    if cond is None or cond.get("reason") == NEW_RS_AVAILABLE_REASON:
        return False
    if cond.get("reason") == TIMED_OUT_REASON:
        return True
    since = podutil.parse_time(cond.get("lastUpdateTime"))
    return since is not None and since + _dt.timedelta(seconds=d["spec"]["progressDeadlineSeconds"]) < now
