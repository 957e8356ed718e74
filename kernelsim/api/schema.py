"""The v1.37 API schemas, loaded from the ``kubernetes-validate`` package.

kube-apiserver publishes its OpenAPI from the Go types; we take the same
definitions (862 of them, with descriptions, group-version-kind and
patch-merge metadata) from the JSON Schema files that ``kubernetes-validate``
ships for v1.37, instead of writing them again.
"""

from __future__ import annotations

import functools
import importlib.util
import json
from pathlib import Path

KUBERNETES_VERSION = "1.37.0"
_SCHEMA_DIR = f"v{KUBERNETES_VERSION}-local"
REF_PREFIX = "#/$defs/"


@functools.lru_cache(maxsize=1)
def definitions() -> dict:
    """All definitions, keyed by their OpenAPI name (``io.k8s.api.core.v1.Pod``)."""
    # Find the package's data without importing it: kubernetes_validate's own
    # __init__ pulls in jsonschema and its format checkers, seconds of start-up.
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("the kubernetes-validate package (the v1.37 schemas) is not installed")
    root = Path(list(spec.submodule_search_locations)[0]) / "kubernetes-json-schema" / _SCHEMA_DIR
    return json.loads((root / "_definitions.json").read_text(encoding="utf-8"))["$defs"]


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
