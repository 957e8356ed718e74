"""The v1.37 API schemas, loaded from the ``kubernetes-validate`` package.

kube-apiserver publishes its OpenAPI from the Go types; we take the same
definitions (862 of them, with descriptions, group-version-kind and
patch-merge metadata) from the JSON Schema files that ``kubernetes-validate``
ships for v1.37, instead of writing them again.
"""

from __future__ import annotations

import functools
import json
from importlib import resources as _res

KUBERNETES_VERSION = "1.37.0"
_SCHEMA_DIR = f"v{KUBERNETES_VERSION}-local"
REF_PREFIX = "#/$defs/"


@functools.lru_cache(maxsize=1)
def definitions() -> dict:
    """All definitions, keyed by their OpenAPI name (``io.k8s.api.core.v1.Pod``)."""
    root = _res.files("kubernetes_validate") / "kubernetes-json-schema" / _SCHEMA_DIR / "_definitions.json"
    return json.loads(root.read_text(encoding="utf-8"))["$defs"]


@functools.lru_cache(maxsize=1)
def _gvk_index() -> dict:
    out = {}
    for name, d in definitions().items():
        for gvk in d.get("x-kubernetes-group-version-kind", ()):
            key = (gvk["group"], gvk["version"], gvk["kind"])
            # Prefer the definition that lives in the group's own package
            # (DeleteOptions and WatchEvent are listed under every group).
            out.setdefault(key, name)
    return out


def definition_name(group: str, version: str, kind: str) -> str | None:
    """The definition name for a group/version/kind, or None."""
    return _gvk_index().get((group, version, kind))


def ref_name(ref: str) -> str:
    """``#/$defs/io.k8s.api.core.v1.PodSpec`` -> ``io.k8s.api.core.v1.PodSpec``."""
    return ref.rsplit("/", 1)[-1]
