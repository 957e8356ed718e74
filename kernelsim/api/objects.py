"""Small helpers for API objects held as plain JSON-like dicts."""

from __future__ import annotations


def clone(obj):
    """A deep copy of JSON-like data (dicts, lists, scalars); several times faster than copy.deepcopy."""
    if isinstance(obj, dict):
        return {k: clone(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [clone(v) for v in obj]
    return obj


# Deeper objects are refused (400) before anything recursive touches them.
MAX_DEPTH = 100


def depth_exceeded(obj, limit: int = MAX_DEPTH) -> bool:
    """True when JSON-like data nests deeper than ``limit`` (checked without recursion)."""
    stack = [(obj, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, (list, tuple)):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((c, depth + 1) for c in children)
    return False
