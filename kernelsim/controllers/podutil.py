"""Helpers shared by the workload controllers (pkg/controller/controller_utils.go,
pkg/controller/controller_ref_manager.go and pkg/api/v1/pod/util.go).

* pod readiness and availability (``IsPodReady``, ``IsPodAvailable``);
* which pods count (``IsPodActive``, ``FilterActivePods``, terminating pods);
* the order in which a controller deletes pods when it scales down
  (``ActivePodsWithRanks``: unassigned < assigned, Pending < Unknown <
  Running, not ready < ready, lower pod-deletion-cost first, doubled-up
  first, ready for less time first, more restarts first, newer first);
* controller ownerReferences, and claiming objects through a selector
  (adopting matching orphans, releasing owned objects that stop matching),
  as ``ControllerRefManager`` does;
* ``slow_start_batch``: creates in batches of 1, 2, 4, ...

Objects are plain dicts; timestamps are RFC 3339 strings.
"""

from __future__ import annotations

import datetime as _dt
import functools
import json
import math
from typing import Callable, Iterable

from ..api import errors

POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
FINALIZER_ORPHAN = "orphan"
FINALIZER_FOREGROUND = "foregroundDeletion"
SLOW_START_INITIAL_BATCH_SIZE = 1

_PHASE_ORDINAL = {"Pending": 0, "Unknown": 1, "Running": 2}


# -- time -----------------------------------------------------------------------
def parse_time(value: str | None) -> _dt.datetime | None:
    """An RFC 3339 timestamp as an aware datetime (None for an empty value)."""
    if not value:
        return None
    return _dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def now_of(client) -> _dt.datetime:
    """The cluster's current wall-clock time (simulated), as a component reads its clock."""
    return client.apiserver.now()


# -- pod conditions -------------------------------------------------------------
def get_condition(status: dict | None, cond_type: str) -> dict | None:
    for c in (status or {}).get("conditions") or []:
        if c.get("type") == cond_type:
            return c
    return None


def is_pod_ready(pod: dict) -> bool:
    """``podutil.IsPodReady``: the Ready condition is True."""
    c = get_condition(pod.get("status"), "Ready")
    return c is not None and c.get("status") == "True"


def pod_ready_time(pod: dict) -> _dt.datetime | None:
    """When the pod last became ready (the Ready condition's lastTransitionTime)."""
    c = get_condition(pod.get("status"), "Ready")
    if c is None or c.get("status") != "True":
        return None
    return parse_time(c.get("lastTransitionTime"))


def is_pod_available(pod: dict, min_ready_seconds: int, now: _dt.datetime) -> bool:
    """``podutil.IsPodAvailable``: ready for at least ``minReadySeconds``."""
    if not is_pod_ready(pod):
        return False
    if not min_ready_seconds:
        return True
    since = pod_ready_time(pod)
    return since is not None and since + _dt.timedelta(seconds=min_ready_seconds) < now


def is_pod_active(pod: dict) -> bool:
    """``controller.IsPodActive``: not finished and not being deleted."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and not pod["metadata"].get("deletionTimestamp")


def is_pod_terminating(pod: dict) -> bool:
    """``controller.IsPodTerminating``: being deleted, but not finished."""
    phase = (pod.get("status") or {}).get("phase")
    return phase not in ("Succeeded", "Failed") and bool(pod["metadata"].get("deletionTimestamp"))


def filter_active_pods(pods: Iterable[dict]) -> list[dict]:
    return [p for p in pods if is_pod_active(p)]


def filter_terminating_pods(pods: Iterable[dict]) -> list[dict]:
    return [p for p in pods if is_pod_terminating(p)]


def pod_key(pod: dict) -> str:
    return f"{pod['metadata'].get('namespace')}/{pod['metadata']['name']}"


# -- deletion order (controller.ActivePodsWithRanks) ---------------------------------
def _deletion_cost(pod: dict) -> int:
    value = (pod["metadata"].get("annotations") or {}).get(POD_DELETION_COST)
    try:
        return int(value) if value is not None else 0
    except ValueError:
        return 0


def _max_restarts(pod: dict) -> tuple[int, int]:
    status = pod.get("status") or {}
    regular = max([s.get("restartCount", 0) for s in status.get("containerStatuses") or []], default=0)
    sidecar_names = {c["name"] for c in (pod.get("spec") or {}).get("initContainers") or []
                     if c.get("restartPolicy") == "Always"}
    sidecar = max([s.get("restartCount", 0) for s in status.get("initContainerStatuses") or []
                   if s.get("name") in sidecar_names], default=0)
    return regular, sidecar


def _log_rank(t: _dt.datetime, now: _dt.datetime) -> int:
    """log2 of the age in nanoseconds, as ``logarithmicRankDiff`` buckets it (-1 for the future)."""
    d = (now - t).total_seconds() * 1e9
    return int(math.log2(d)) if d > 0 else -1


def _after_or_zero(t1, t2) -> bool:
    if t1 is None or t2 is None:
        return t1 is None
    return t1 > t2


def _less(a: dict, b: dict, rank_a: int, rank_b: int, now: _dt.datetime | None) -> bool:
    """``ActivePodsWithRanks.Less``: True when ``a`` should be deleted before ``b``."""
    na, nb = (a.get("spec") or {}).get("nodeName") or "", (b.get("spec") or {}).get("nodeName") or ""
    # 1. unassigned < assigned
    if na != nb and (not na or not nb):
        return not na
    # 2. Pending < Unknown < Running
    pa = _PHASE_ORDINAL.get((a.get("status") or {}).get("phase"), 0)
    pb = _PHASE_ORDINAL.get((b.get("status") or {}).get("phase"), 0)
    if pa != pb:
        return pa < pb
    # 3. not ready < ready
    ra, rb = is_pod_ready(a), is_pod_ready(b)
    if ra != rb:
        return not ra
    # 4. lower pod-deletion-cost < higher
    ca, cb = _deletion_cost(a), _deletion_cost(b)
    if ca != cb:
        return ca < cb
    # 5. doubled up (more ready siblings on the same node) < not doubled up
    if rank_a != rank_b:
        return rank_a > rank_b
    # 6. ready for less time < more time (logarithmic buckets)
    if ra and rb:
        ta, tb = pod_ready_time(a), pod_ready_time(b)
        if ta != tb:
            if now is None or ta is None or tb is None:
                return _after_or_zero(ta, tb)
            diff = _log_rank(ta, now) - _log_rank(tb, now)
            if diff == 0:
                return a["metadata"].get("uid", "") < b["metadata"].get("uid", "")
            return diff < 0
    # 7. more container restarts < fewer
    (ga, sa), (gb, sb) = _max_restarts(a), _max_restarts(b)
    if ga != gb:
        return ga > gb
    if sa != sb:
        return sa > sb
    # 8. newer < older (logarithmic buckets)
    ta, tb = parse_time(a["metadata"].get("creationTimestamp")), parse_time(b["metadata"].get("creationTimestamp"))
    if ta != tb:
        if now is None or ta is None or tb is None:
            return _after_or_zero(ta, tb)
        diff = _log_rank(ta, now) - _log_rank(tb, now)
        if diff == 0:
            return a["metadata"].get("uid", "") < b["metadata"].get("uid", "")
        return diff < 0
    return False


def sort_pods_for_deletion(pods: list[dict], ranks: list[int] | None = None,
                           now: _dt.datetime | None = None) -> list[dict]:
    """The pods ordered as ``sort.Sort(ActivePodsWithRanks)``: the first ones go first."""
    ranks = ranks if ranks is not None else [0] * len(pods)
    ranked = list(zip(pods, ranks))

    def cmp(x, y):
        if _less(x[0], y[0], x[1], y[1], now):
            return -1
        if _less(y[0], x[0], y[1], x[1], now):
            return 1
        return 0

    ranked.sort(key=functools.cmp_to_key(cmp))
    return [p for p, _ in ranked]


def ranks_by_related_pods_on_node(pods: list[dict], related: list[dict]) -> list[int]:
    """``getPodsRankedByRelatedPodsOnSameNode``: how many active related pods share each pod's node."""
    on_node: dict[str, int] = {}
    for p in related:
        if is_pod_active(p):
            node = (p.get("spec") or {}).get("nodeName") or ""
            on_node[node] = on_node.get(node, 0) + 1
    return [on_node.get((p.get("spec") or {}).get("nodeName") or "", 0) for p in pods]


def pods_to_delete(pods: list[dict], related: list[dict], diff: int, now: _dt.datetime | None) -> list[dict]:
    """``getPodsToDelete``: the ``diff`` pods a ReplicaSet removes first when it scales down."""
    if diff < len(pods):
        pods = sort_pods_for_deletion(pods, ranks_by_related_pods_on_node(pods, related), now)
    return pods[:diff]


# -- owner references ---------------------------------------------------------------
def new_controller_ref(owner: dict) -> dict:
    """``metav1.NewControllerRef``: controller and blockOwnerDeletion are both true."""
    m = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": m["name"], "uid": m["uid"],
            "controller": True, "blockOwnerDeletion": True}


def get_controller_of(obj: dict) -> dict | None:
    """``metav1.GetControllerOf``: the ownerReference with ``controller: true``."""
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return ref
    return None


def owner_ref_controller_patch(owner: dict, uid: str) -> dict:
    """The strategic merge patch with which a controller adopts an object."""
    return {"metadata": {"ownerReferences": [new_controller_ref(owner)], "uid": uid}}


def delete_owner_refs_patch(uid: str, *owner_uids: str) -> dict:
    """The strategic merge patch that removes ownerReferences by owner UID (release, orphan)."""
    return {"metadata": {"ownerReferences": [{"$patch": "delete", "uid": u} for u in owner_uids], "uid": uid}}


class ControllerRefManager:
    """``controller.BaseControllerRefManager``: claim the objects a controller's selector matches.

    An owned object that no longer matches is released; a matching orphan is
    adopted (after ``can_adopt()`` confirms that the controller is not being
    deleted).  Objects owned by another controller are left alone.
    """

    def __init__(self, client, controller: dict, selector, resource: str, can_adopt: Callable[[], None]):
        self.client = client
        self.controller = controller
        self.selector = selector
        self.resource = resource
        self._can_adopt = can_adopt
        self._can_adopt_checked: Exception | None | bool = False

    def _check_can_adopt(self) -> None:
        if self._can_adopt_checked is False:
            try:
                self._can_adopt()
                self._can_adopt_checked = None
            except errors.StatusError as e:
                self._can_adopt_checked = e
        if self._can_adopt_checked is not None:
            raise self._can_adopt_checked

    def claim(self, objs: Iterable[dict], match: Callable[[dict], bool] | None = None) -> list[dict]:
        match = match or (lambda o: self.selector.matches(o["metadata"].get("labels")))
        claimed = []
        for obj in objs:
            if self._claim_object(obj, match):
                claimed.append(obj)
        return claimed

    def _claim_object(self, obj: dict, match) -> bool:
        cmeta, meta = self.controller["metadata"], obj["metadata"]
        ref = get_controller_of(obj)
        if ref is not None:
            if ref.get("uid") != cmeta["uid"]:
                return False  # owned by another controller
            if match(obj):
                return True
            if cmeta.get("deletionTimestamp"):
                return False
            self._patch(obj, delete_owner_refs_patch(meta["uid"], cmeta["uid"]))  # release
            return False
        # An orphan.
        if cmeta.get("deletionTimestamp") or not match(obj) or meta.get("deletionTimestamp"):
            return False
        if cmeta.get("namespace") and cmeta.get("namespace") != meta.get("namespace"):
            return False
        self._check_can_adopt()
        return self._patch(obj, owner_ref_controller_patch(self.controller, meta["uid"]))  # adopt

    def _patch(self, obj: dict, patch: dict) -> bool:
        try:
            self.client.patch(self.resource, obj["metadata"]["name"], json.dumps(patch),
                              obj["metadata"].get("namespace"))
            return True
        except errors.StatusError as e:
            if e.code == 404:
                return False
            raise


def recheck_deletion_timestamp(get_fresh: Callable[[], dict], uid: str) -> Callable[[], None]:
    """``controller.RecheckDeletionTimestamp``: an uncached read before adopting anything."""
    def can_adopt() -> None:
        fresh = get_fresh()
        if fresh["metadata"]["uid"] != uid:
            raise errors.StatusError(409, "Conflict", f"original object is gone: got uid "
                                     f"{fresh['metadata']['uid']}, wanted {uid}")
        if fresh["metadata"].get("deletionTimestamp"):
            name = fresh["metadata"]["name"]
            raise errors.StatusError(409, "Conflict", f"{fresh['metadata'].get('namespace')}/{name} has just "
                                     f"been deleted at {fresh['metadata']['deletionTimestamp']}")
    return can_adopt


# -- slow start -----------------------------------------------------------------------
def slow_start_batch(count: int, initial_batch_size: int, fn: Callable[[], None]) -> tuple[int, Exception | None]:
    """Call ``fn`` ``count`` times in batches of 1, 2, 4, ...; stop after a batch with a failure.

    Returns the number of successful calls and the first error (or None).
    """
    remaining, successes = count, 0
    batch = min(remaining, initial_batch_size)
    while batch > 0:
        first_error = None
        for _ in range(batch):
            try:
                fn()
                successes += 1
            except errors.StatusError as e:
                first_error = first_error or e
        if first_error is not None:
            return successes, first_error
        remaining -= batch
        batch = min(2 * batch, remaining)
    return successes, None


# -- semantic equality ------------------------------------------------------------------
def semantic_normalize(value):
    """Drop nulls, empty maps and empty lists, as apimachinery's Semantic.DeepEqual ignores nil vs empty."""
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            v = semantic_normalize(v)
            if v is None or v == {} or v == []:
                continue
            out[k] = v
        return out
    if isinstance(value, list):
        return [semantic_normalize(v) for v in value]
    return value


def semantic_equal(a, b) -> bool:
    return semantic_normalize(a) == semantic_normalize(b)
