"""Quota usage evaluators (pkg/quota/v1/evaluator/core), shared by the resource quota
controller, which records usage, and the ResourceQuota admission plugin, which
refuses what would exceed it."""

from __future__ import annotations

from fractions import Fraction

from .defaults import canonical_quantity, quantity_value

# Object-count names that have a short form, as in the real evaluators.
_SHORT_COUNTS = {
    ("", "pods"): "pods", ("", "services"): "services", ("", "configmaps"): "configmaps",
    ("", "secrets"): "secrets", ("", "persistentvolumeclaims"): "persistentvolumeclaims",
    ("", "replicationcontrollers"): "replicationcontrollers", ("", "resourcequotas"): "resourcequotas",
}
WATCHED = ("pods", "services", "configmaps", "secrets", "persistentvolumeclaims", "deployments.apps",
            "replicasets.apps", "statefulsets.apps", "daemonsets.apps", "jobs.batch", "cronjobs.batch")


def _terminal(pod: dict) -> bool:
    return (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed")


def _pod_compute(pod: dict) -> dict[str, Fraction]:
    """requests.* and limits.* of a pod (containers summed; the largest init container if larger)."""
    out: dict[str, Fraction] = {}
    spec = pod.get("spec") or {}

    def total(containers, kind):
        acc: dict[str, Fraction] = {}
        for c in containers or []:
            for name, value in ((c.get("resources") or {}).get(kind) or {}).items():
                v = quantity_value(value)
                if v is not None:
                    acc[name] = acc.get(name, Fraction(0)) + v
        return acc

    for kind in ("requests", "limits"):
        regular = total(spec.get("containers"), kind)
        for c in spec.get("initContainers") or []:
            for name, value in ((c.get("resources") or {}).get(kind) or {}).items():
                v = quantity_value(value)
                if v is not None and v > regular.get(name, Fraction(0)):
                    regular[name] = v
        for name, v in regular.items():
            out[f"{kind}.{name}"] = v
            if kind == "requests":
                out[name] = v  # "cpu" and "memory" mean requests
    return out


def usage(api, namespace: str, hard: dict) -> dict[str, str]:
    """What the namespace uses of each resource named in ``hard``."""
    used: dict[str, Fraction] = {name: Fraction(0) for name in hard}
    pods = None
    for name in hard:
        if name.startswith("count/"):
            res = name[len("count/"):]
            used[name] = Fraction(len(api.list(res, namespace)))
            continue
        short = [k for k, v in _SHORT_COUNTS.items() if v == name]
        if short:
            group, plural = short[0]
            items = api.list(plural if not group else f"{plural}.{group}", namespace)
            if plural == "pods":
                items = [p for p in items if not _terminal(p)]
            used[name] = Fraction(len(items))
            continue
        if name.startswith(("requests.", "limits.")) or name in ("cpu", "memory", "ephemeral-storage"):
            if pods is None:
                pods = [p for p in api.list("pods", namespace) if not _terminal(p)]
            used[name] = sum((_pod_compute(p).get(name, Fraction(0)) for p in pods), Fraction(0))
            if name == "requests.storage":
                used[name] = sum((quantity_value(((c.get("spec") or {}).get("resources") or {})
                                                 .get("requests", {}).get("storage", "0")) or Fraction(0)
                                  for c in api.list("persistentvolumeclaims", namespace)), Fraction(0))
    return {name: _format(name, v) for name, v in used.items()}


def _format(name: str, value: Fraction) -> str:
    if name.endswith("cpu") or name == "cpu":
        return canonical_quantity(str(float(value)) if value.denominator != 1 else str(value.numerator),
                                  round_to_milli=True) if value else "0"
    if value.denominator == 1:
        return canonical_quantity(str(value.numerator)) if "memory" in name or "storage" in name else \
            str(value.numerator)
    return str(float(value))




def object_usage(info, obj: dict) -> dict[str, Fraction]:
    """What creating ``obj`` adds to a namespace's usage."""
    out: dict[str, Fraction] = {f"count/{info.group_resource}": Fraction(1)}
    short = _SHORT_COUNTS.get((info.group, info.plural))
    if short:
        out[short] = Fraction(1)
    if info.group == "" and info.plural == "pods" and not _terminal(obj):
        out.update(_pod_compute(obj))
    if info.group == "" and info.plural == "persistentvolumeclaims":
        v = quantity_value((((obj.get("spec") or {}).get("resources") or {}).get("requests") or {})
                           .get("storage", "0"))
        out["requests.storage"] = v or Fraction(0)
    return out


def exceeded(hard: dict, used: dict, requested: dict) -> list[str]:
    """Resource names for which used + requested would go over hard."""
    over = []
    for name, limit in hard.items():
        if name not in requested:
            continue
        lim = quantity_value(limit)
        cur = quantity_value(used.get(name, "0")) or Fraction(0)
        if lim is not None and cur + requested[name] > lim:
            over.append(name)
    return sorted(over)


def format_value(name: str, value) -> str:
    return _format(name, value if isinstance(value, Fraction) else (quantity_value(value) or Fraction(0)))
