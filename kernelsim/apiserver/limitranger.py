"""The LimitRanger admission plugin (plugin/pkg/admission/limitranger).

A LimitRange in a namespace says what each Container, each Pod and each
PersistentVolumeClaim there may ask for.  On the creation of a pod,
LimitRanger first fills in missing requests and limits from the
``defaultRequest`` and ``default`` of every ``Container`` item (and records
what it set in the ``kubernetes.io/limit-ranger`` annotation); then it
refuses the pod or claim, with kube-apiserver's messages, when a value is
below ``min``, above ``max``, or when limit/request is above
``maxLimitRequestRatio``.  Pod updates are not checked: containers'
resources cannot change after creation.
"""

from __future__ import annotations

from fractions import Fraction

from ..api import errors
from ..api.defaults import _format_quantity, _parse_quantity, canonical_quantity, quantity_value

ANNOTATION = "kubernetes.io/limit-ranger"


def _res(container: dict, kind: str) -> dict:
    resources = container.get("resources")
    if not isinstance(resources, dict):
        return {}
    value = resources.get(kind)
    return value if isinstance(value, dict) else {}


def _merge_defaults(container: dict, defaults: dict, requests: dict, prefix: str, notes: list) -> None:
    """``mergeContainerResources``: missing limits from ``default``, missing requests from ``defaultRequest``."""
    resources = container.get("resources")
    if not isinstance(resources, dict):
        resources = container["resources"] = {}
    # Defaulting has run before admission in kube-apiserver: a limit alone is also the request.
    lim = resources.get("limits")
    if isinstance(lim, dict) and lim:
        req = resources.setdefault("requests", {})
        if isinstance(req, dict):
            for k, v in lim.items():
                req.setdefault(k, v)
    set_limits, set_requests = [], []
    for kind, wanted, record in (("limits", defaults, set_limits), ("requests", requests, set_requests)):
        if not wanted:
            continue
        current = resources.get(kind)
        if not isinstance(current, dict):
            current = resources[kind] = {}
        for name, value in wanted.items():
            if name not in current:
                current[name] = value
                record.append(name)
    name = container.get("name", "")
    if set_requests:
        notes.append(", ".join(sorted(set_requests)) + f" request for {prefix} {name}")
    if set_limits:
        notes.append(", ".join(sorted(set_limits)) + f" limit for {prefix} {name}")


def _show(value) -> str:
    return str(canonical_quantity(value))


def _min(kind: str, name: str, enforced, request: dict, limit: dict, errs: list) -> None:
    want = quantity_value(enforced)
    if name not in request:
        errs.append(f"minimum {name} usage per {kind} is {_show(enforced)}.  No request is specified")
    elif (quantity_value(request[name]) or Fraction(0)) < want:
        errs.append(f"minimum {name} usage per {kind} is {_show(enforced)}, but request is {_show(request[name])}")
    elif name in limit and (quantity_value(limit[name]) or Fraction(0)) < want:
        errs.append(f"minimum {name} usage per {kind} is {_show(enforced)}, but limit is {_show(limit[name])}")


def _max(kind: str, name: str, enforced, request: dict, limit: dict, errs: list) -> None:
    want = quantity_value(enforced)
    if name not in limit:
        errs.append(f"maximum {name} usage per {kind} is {_show(enforced)}.  No limit is specified")
    elif (quantity_value(limit[name]) or Fraction(0)) > want:
        errs.append(f"maximum {name} usage per {kind} is {_show(enforced)}, but limit is {_show(limit[name])}")
    elif name in request and (quantity_value(request[name]) or Fraction(0)) > want:
        errs.append(f"maximum {name} usage per {kind} is {_show(enforced)}, but request is {_show(request[name])}")


def _ratio(kind: str, name: str, enforced, request: dict, limit: dict, errs: list) -> None:
    req = quantity_value(request.get(name, "0")) or Fraction(0)
    lim = quantity_value(limit.get(name, "0")) or Fraction(0)
    if name not in request or req == 0:
        errs.append(f"{name} max limit to request ratio per {kind} is {_show(enforced)}, "
                    "but no request is specified or request is 0")
    elif name not in limit or lim == 0:
        errs.append(f"{name} max limit to request ratio per {kind} is {_show(enforced)}, "
                    "but no limit is specified or limit is 0")
    elif lim / req > (quantity_value(enforced) or Fraction(0)):
        errs.append(f"{name} max limit to request ratio per {kind} is {_show(enforced)}, "
                    f"but provided ratio is {float(lim / req):f}")


def _check(kind: str, item: dict, request: dict, limit: dict, errs: list) -> None:
    for key, fn in (("min", _min), ("max", _max), ("maxLimitRequestRatio", _ratio)):
        values = item.get(key)
        if isinstance(values, dict):
            for name in sorted(values):
                fn(kind, name, values[name], request, limit, errs)


def _pod_totals(spec: dict, kind: str) -> dict:
    """The pod's total request or limit: containers summed, the largest init container if larger
    (a sum keeps the format of its first term, as resource.Quantity.Add does)."""
    total: dict = {}
    for c in spec.get("containers") or []:
        for name, value in _res(c, kind).items():
            parsed = _parse_quantity(value)
            if parsed:
                v, fmt = total.get(name, (Fraction(0), parsed[1]))
                total[name] = (v + parsed[0], fmt)
    for c in spec.get("initContainers") or []:
        for name, value in _res(c, kind).items():
            parsed = _parse_quantity(value)
            if parsed and parsed[0] > total.get(name, (Fraction(0), ""))[0]:
                total[name] = parsed
    return {k: _format_quantity(v, fmt) for k, (v, fmt) in total.items()}


def limit_ranger(req) -> None:
    """Admission: default, then validate, pods and PersistentVolumeClaims against the LimitRanges."""
    info = req.info
    if req.operation != "CREATE" or info.group != "" or info.plural not in ("pods", "persistentvolumeclaims") \
            or req.list_objects is None or not isinstance(req.object, dict):
        return
    ranges = sorted(req.list_objects("limitranges", req.namespace), key=lambda r: r["metadata"]["name"])
    if not ranges:
        return
    items = [i for r in ranges for i in ((r.get("spec") or {}).get("limits") or []) if isinstance(i, dict)]
    errs: list[str] = []
    if info.plural == "pods":
        spec = req.object.get("spec")
        if not isinstance(spec, dict):
            return
        containers = [(c, "container") for c in spec.get("initContainers") or [] if isinstance(c, dict)]
        containers = [(c, "container") for c in spec.get("containers") or [] if isinstance(c, dict)] + \
                     [(c, "init container") for c, _ in containers]
        notes: list[str] = []
        for item in items:
            if item.get("type") != "Container":
                continue
            for c, prefix in containers:
                _merge_defaults(c, item.get("default") or {}, item.get("defaultRequest") or {}, prefix, notes)
        if notes:
            meta = req.object.setdefault("metadata", {})
            meta.setdefault("annotations", {})[ANNOTATION] = "LimitRanger plugin set: " + "; ".join(notes)
        for item in items:
            if item.get("type") == "Container":
                for c, _ in containers:
                    _check("Container", item, _res(c, "requests"), _res(c, "limits"), errs)
            elif item.get("type") == "Pod":
                _check("Pod", item, _pod_totals(spec, "requests"), _pod_totals(spec, "limits"), errs)
    else:
        spec = req.object.get("spec") if isinstance(req.object.get("spec"), dict) else {}
        requests = _res(spec, "requests")
        for item in items:
            if item.get("type") != "PersistentVolumeClaim":
                continue
            for name in sorted(item.get("min") or {}):
                _min("PersistentVolumeClaim", name, item["min"][name], requests, {}, errs)
            for name in sorted(item.get("max") or {}):
                # The claim's request is held against max as if it were a limit.
                _max("PersistentVolumeClaim", name, item["max"][name], {}, requests, errs)
    if errs:
        text = errs[0] if len(errs) == 1 else "[" + ", ".join(errs) + "]"
        raise errors.forbidden(info.plural, req.name, text, info.group)
