"""Invariants a settled cluster always keeps, checked through the API only.

Used after controller tests, and by fault and fuzz tests: whatever happened,
once the controllers have settled there is no orphaned pod that should have
an owner, no PersistentVolume bound to two claims, and no Service endpoint
pointing at a pod that is gone.
"""

from __future__ import annotations


class InvariantViolation(AssertionError):
    pass


def _key(obj: dict) -> str:
    m = obj["metadata"]
    return f"{m.get('namespace', '')}/{m['name']}"


def _by_uid(objs) -> dict:
    return {o["metadata"]["uid"]: o for o in objs}


def violations(api) -> list[str]:
    """Every broken invariant, as readable sentences (empty when all hold)."""
    out: list[str] = []
    owners = {}
    for res in ("replicasets", "deployments", "statefulsets", "daemonsets", "jobs", "cronjobs", "nodes"):
        owners.update(_by_uid(api.list(res)))
    pods = api.list("pods")
    for pod in pods:
        refs = pod["metadata"].get("ownerReferences") or []
        ctrl = [r for r in refs if r.get("controller")]
        for r in ctrl:
            if r.get("uid") not in owners and not pod["metadata"].get("deletionTimestamp"):
                out.append(f"pod {_key(pod)} names a {r.get('kind')} {r.get('name')!r} (uid {r.get('uid')}) "
                           f"that does not exist")
        labels = pod["metadata"].get("labels") or {}
        if not ctrl and ("pod-template-hash" in labels or "controller-revision-hash" in labels
                         or "batch.kubernetes.io/controller-uid" in labels):
            out.append(f"pod {_key(pod)} carries a controller's labels but has no controller owner")
    # No PersistentVolume is bound to two claims, and bindings agree in both directions.
    claimed: dict[str, str] = {}
    pvs = {pv["metadata"]["name"]: pv for pv in api.list("persistentvolumes")}
    for pvc in api.list("persistentvolumeclaims"):
        vol = (pvc.get("spec") or {}).get("volumeName")
        if not vol or (pvc.get("status") or {}).get("phase") != "Bound":
            continue
        if vol in claimed:
            out.append(f"persistentvolume {vol} is bound to both {claimed[vol]} and {_key(pvc)}")
        claimed[vol] = _key(pvc)
        pv = pvs.get(vol)
        ref = ((pv or {}).get("spec") or {}).get("claimRef") or {}
        if pv is None:
            out.append(f"claim {_key(pvc)} is bound to missing persistentvolume {vol}")
        elif ref.get("uid") and ref.get("uid") != pvc["metadata"]["uid"]:
            out.append(f"claim {_key(pvc)} is bound to {vol}, whose claimRef names {ref.get('namespace')}/"
                       f"{ref.get('name')}")
    # No Service endpoint points at a pod that is gone.
    pod_uids = {p["metadata"]["uid"] for p in pods}
    for es in api.list("endpointslices"):
        for ep in es.get("endpoints") or []:
            ref = ep.get("targetRef") or {}
            if ref.get("kind") == "Pod" and ref.get("uid") and ref["uid"] not in pod_uids:
                out.append(f"endpointslice {_key(es)} points at deleted pod {ref.get('namespace')}/{ref.get('name')}")
    for ep in api.list("endpoints"):
        for subset in ep.get("subsets") or []:
            for addr in subset.get("addresses") or []:
                ref = addr.get("targetRef") or {}
                if ref.get("kind") == "Pod" and ref.get("uid") and ref["uid"] not in pod_uids:
                    out.append(f"endpoints {_key(ep)} point at deleted pod {ref.get('namespace')}/{ref.get('name')}")
    return out


def check_invariants(cluster_or_api) -> None:
    """Raise :class:`InvariantViolation` listing every broken invariant."""
    api = getattr(cluster_or_api, "api", cluster_or_api)
    found = violations(api)
    if found:
        raise InvariantViolation("cluster invariants broken:\n- " + "\n- ".join(found))
