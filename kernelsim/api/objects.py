"""Small helpers for API objects held as plain JSON-like dicts."""

from __future__ import annotations


def clone(obj):
    """A deep copy of JSON-like data (dicts, lists, scalars); several times faster than copy.deepcopy."""
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone(v) for v in obj]
    return obj
