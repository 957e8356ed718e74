"""ControllerRevision helpers shared by the StatefulSet and DaemonSet controllers
(pkg/controller/history and the getPatch/newRevision functions of both controllers).

A ControllerRevision is an immutable snapshot of a workload's pod template.
Its ``data`` is the strategic merge patch that puts the template back
(``{"spec": {"template": {..., "$patch": "replace"}}}``), its ``revision`` a
number that only grows, and its name ``<owner>-<hash>``, where the hash is
the FNV-32 hash of the data (plus the collision count), written with the
same "safe" alphabet as pod-template-hash.  The pods carry that hash in the
``controller-revision-hash`` label.
"""

from __future__ import annotations

import json

from ..api import errors
from ..api.objects import clone

REVISION_HASH_LABEL = "controller-revision-hash"   # on pods (and on DaemonSet revisions)
HISTORY_HASH_LABEL = "controller.kubernetes.io/hash"  # on StatefulSet revisions (history.NewControllerRevision)
SAFE_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"


def fnv32(data: bytes) -> int:
    """FNV-1 32-bit, as Go's hash/fnv New32."""
    h = 0x811C9DC5
    for b in data:
        h = (h * 0x01000193) & 0xFFFFFFFF
        h ^= b
    return h


def safe_encode(text: str) -> str:
    """rand.SafeEncodeString: every character mapped into an alphabet without vowels."""
    return "".join(SAFE_ALPHABET[ord(c) % len(SAFE_ALPHABET)] for c in text)


def revision_data(owner: dict) -> dict:
    """The patch that restores the owner's pod template (getPatch)."""
    template = clone((owner.get("spec") or {}).get("template") or {})
    template["$patch"] = "replace"
    return {"spec": {"template": template}}


def hash_revision(data: dict, collision_count: int | None = None) -> str:
    raw = json.dumps(data, sort_keys=True, separators=(",", ":")).encode()
    if collision_count is not None:
        raw += str(collision_count).encode()
    return safe_encode(str(fnv32(raw)))


def template_of(revision: dict) -> dict:
    """The pod template a revision holds (ApplyRevision)."""
    template = clone(((revision.get("data") or {}).get("spec") or {}).get("template") or {})
    template.pop("$patch", None)
    return template


def controller_ref(owner: dict) -> dict:
    meta = owner["metadata"]
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": meta["name"],
            "uid": meta["uid"], "controller": True, "blockOwnerDeletion": True}


def controlled_by(obj: dict, owner: dict) -> bool:
    uid = owner["metadata"].get("uid")
    return any(r.get("controller") and r.get("uid") == uid for r in obj["metadata"].get("ownerReferences") or [])


def new_revision(owner: dict, revision: int, collision_count: int | None,
                 hash_label: str = HISTORY_HASH_LABEL) -> dict:
    """A ControllerRevision object for the owner's current template (NewControllerRevision)."""
    data = revision_data(owner)
    meta = owner["metadata"]
    labels = dict((((owner.get("spec") or {}).get("template") or {}).get("metadata") or {}).get("labels") or {})
    name = f"{meta['name']}-{hash_revision(data, collision_count)}"
    labels[hash_label] = name.rsplit("-", 1)[1]
    return {"apiVersion": "apps/v1", "kind": "ControllerRevision",
            "metadata": {"name": name, "namespace": meta["namespace"], "labels": labels,
                         "ownerReferences": [controller_ref(owner)]},
            "data": data, "revision": revision}


def owned_revisions(revisions: list[dict], owner: dict) -> list[dict]:
    """The owner's revisions, oldest first (SortControllerRevisions)."""
    mine = [r for r in revisions if controlled_by(r, owner)]
    return sorted(mine, key=lambda r: (r.get("revision", 0), r["metadata"].get("creationTimestamp", ""),
                                       r["metadata"]["name"]))


def equal_revisions(revisions: list[dict], wanted: dict) -> list[dict]:
    """Revisions whose data equals the wanted one's (FindEqualRevisions)."""
    return [r for r in revisions if r.get("data") == wanted.get("data")]


def next_revision_number(revisions: list[dict]) -> int:
    return (revisions[-1].get("revision", 0) if revisions else 0) + 1


def revision_hash(revision: dict) -> str:
    return revision["metadata"]["name"].rsplit("-", 1)[1]


def ensure_revision(client, owner: dict, revisions: list[dict], collision_count: int,
                    hash_label: str = HISTORY_HASH_LABEL) -> tuple[dict, int]:
    """Find or create the revision for the owner's current template.

    Returns ``(revision, collision_count)``.  An equal revision that is not
    the newest one is rolled forward by bumping its number (a rollback);
    a name taken by different data raises the collision count and retries,
    as the real controllers do.
    """
    number = next_revision_number(revisions)
    while True:
        wanted = new_revision(owner, number, collision_count, hash_label)
        equal = equal_revisions(revisions, wanted)
        if equal:
            found = equal[-1]
            if found.get("revision") != revisions[-1].get("revision"):
                found = clone(found)
                found["revision"] = number
                found = client.update(found)
            return found, collision_count
        try:
            return client.create(wanted), collision_count
        except errors.StatusError as e:
            if e.code != 409:
                raise
            existing = client.get("controllerrevisions", wanted["metadata"]["name"], owner["metadata"]["namespace"])
            if existing.get("data") == wanted["data"] and controlled_by(existing, owner):
                return existing, collision_count
            collision_count += 1


def truncate_history(client, revisions: list[dict], live: set[str], limit: int) -> None:
    """Delete the oldest revisions no pod uses beyond revisionHistoryLimit.

    ``live`` holds the names of the revisions still in use."""
    unused = [r for r in revisions if r["metadata"]["name"] not in live]
    for r in unused[:max(0, len(unused) - limit)]:
        try:
            client.delete("controllerrevisions", r["metadata"]["name"], r["metadata"]["namespace"])
        except errors.StatusError as e:
            if e.code != 404:
                raise
