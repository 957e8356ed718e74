"""OpenAPI v3, as kube-apiserver publishes it at ``/openapi/v3``.

Mirrors ``k8s.io/kube-openapi/pkg/handler3``: an index of group-versions, each
pointing at one OpenAPI 3.0 document with ``components.schemas`` and ``paths``.
The real kubectl's ``explain`` (and its client-side validation) reads these
documents.  The schemas come from :mod:`kernelsim.api.schema` (JSON-Schema
flavoured, from ``kubernetes-validate``) and are turned back into the shape the
Go OpenAPI builder emits; the paths are built from the resource registry.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json

from . import schema
from .discovery import subresource_info
from .resources import REGISTRY, ResourceInfo, groups

COMPONENTS_PREFIX = "#/components/schemas/"

_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"

# kubernetes-validate replaces these two with a bare oneOf; this is how the
# Go OpenAPI builder renders them (OpenAPIV3OneOfTypes + the doc comment).
_SCALAR_UNIONS = {
    _INT_OR_STRING: {
        "description": "IntOrString is a type that can hold an int32 or a string.  When used in JSON or YAML "
                       "marshalling and unmarshalling, it produces or consumes the inner type.  This allows you "
                       "to have, for example, a JSON field that can accept a name or number.",
        "format": "int-or-string",
        "oneOf": [{"type": "integer"}, {"type": "string"}],
    },
    _QUANTITY: {
        "description": (
            "Quantity is a fixed-point representation of a number. It provides convenient marshaling/unmarshaling "
            "in JSON and YAML, in addition to String() and AsInt64() accessors.\n\nThe serialization format is:\n\n"
            "``` <quantity>        ::= <signedNumber><suffix>\n\n\t(Note that <suffix> may be empty, from the \"\" "
            "case in <decimalSI>.)\n\n<digit>           ::= 0 | 1 | ... | 9 <digits>          ::= <digit> | "
            "<digit><digits> <number>          ::= <digits> | <digits>.<digits> | <digits>. | .<digits> <sign>"
            "            ::= \"+\" | \"-\" <signedNumber>    ::= <number> | <sign><number> <suffix>          ::= "
            "<binarySI> | <decimalExponent> | <decimalSI> <binarySI>        ::= Ki | Mi | Gi | Ti | Pi | Ei\n\n\t"
            "(International System of units; See: http://physics.nist.gov/cuu/Units/binary.html)\n\n<decimalSI>"
            "       ::= m | \"\" | k | M | G | T | P | E\n\n\t(Note that 1024 = 1Ki but 1000 = 1k; I didn't choose "
            "the capitalization.)\n\n<decimalExponent> ::= \"e\" <signedNumber> | \"E\" <signedNumber> ```\n\n"
            "No matter which of the three exponent forms is used, no quantity may represent a number greater than "
            "2^63-1 in magnitude, nor may it have more than 3 decimal places. Numbers larger or more precise will "
            "be capped or rounded up. (E.g.: 0.1m will rounded up to 1m.) This may be extended in the future if we "
            "require larger or smaller quantities.\n\nWhen a Quantity is parsed from a string, it will remember the "
            "type of suffix it had, and will use the same type again when it is serialized.\n\nBefore serializing, "
            "Quantity will be put in \"canonical form\". This means that Exponent/suffix will be adjusted up or down "
            "(with a corresponding increase or decrease in Mantissa) such that:\n\n- No precision is lost - No "
            "fractional digits will be emitted - The exponent (or suffix) is as large as possible.\n\nThe sign will "
            "be omitted unless the number is negative.\n\nExamples:\n\n- 1.5 will be serialized as \"1500m\" - 1.5Gi "
            "will be serialized as \"1536Mi\"\n\nNote that the quantity will NEVER be internally represented by a "
            "floating point number. That is the whole point of this exercise.\n\nNon-canonical values will still "
            "parse as long as they are well formed, but will be re-emitted in their canonical form. (So always use "
            "canonical form, or don't diff.)\n\nThis format is intended to make it difficult to use these numbers "
            "without writing some sort of special handling code in the hopes that that will cause implementors to "
            "also use a fixed point implementation."),
        "oneOf": [{"type": "string"}, {"type": "number"}],
    },
}

# Meta types every group-version document carries (the operations refer to them).
_META_TYPES = (
    "io.k8s.apimachinery.pkg.apis.meta.v1.APIResourceList",
    "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Status",
    "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Patch",
)

_JSON = "application/json"


# --- schema conversion ---

def _openapi_type(t):
    """``["string", "null"]`` -> ``"string"``."""
    if isinstance(t, list):
        real = [x for x in t if x != "null"]
        return real[0] if real else None
    return t


def _convert(node):
    """Turn one JSON-Schema node of kubernetes-validate into its OpenAPI v3 form."""
    if isinstance(node, list):
        return [_convert(x) for x in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key == "type":
            t = _openapi_type(value)
            if t is not None:
                out["type"] = t
        elif key == "$ref":
            out["$ref"] = COMPONENTS_PREFIX + schema.ref_name(value)
        elif key == "properties":
            out["properties"] = {name: _convert(prop) for name, prop in value.items()}
        elif key in ("x-kubernetes-group-version-kind", "required", "enum", "x-kubernetes-list-map-keys"):
            out[key] = copy.deepcopy(value)
        else:
            out[key] = _convert(value)
    if "$ref" in out and len(out) > 1:
        # kube-openapi wraps a reference that has siblings in allOf.
        ref = out.pop("$ref")
        out = {"allOf": [{"$ref": ref}], **out}
    return out


def _convert_definition(name: str, definition: dict) -> dict:
    if name in _SCALAR_UNIONS:
        return copy.deepcopy(_SCALAR_UNIONS[name])
    out = _convert(definition)
    # kubernetes-validate pins apiVersion and kind with an enum; a real server does not.
    for prop in ("apiVersion", "kind"):
        p = out.get("properties", {}).get(prop)
        if p is not None:
            p.pop("enum", None)
    return dict(sorted(out.items()))


@functools.lru_cache(maxsize=1)
def _components() -> dict:
    return {name: _convert_definition(name, d) for name, d in schema.definitions().items()}


def _refs(node, found: set):
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                found.add(value.rsplit("/", 1)[-1])
            else:
                _refs(value, found)
    elif isinstance(node, list):
        for x in node:
            _refs(x, found)


def _closure(roots) -> list[str]:
    comps = _components()
    seen: set = set()
    todo = [r for r in roots if r in comps]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        found: set = set()
        _refs(comps[name], found)
        todo.extend(f for f in found if f in comps and f not in seen)
    return sorted(seen)


# --- paths ---

def gv_path(group: str, version: str) -> str:
    """``api/v1`` or ``apis/apps/v1``: the key used in the ``/openapi/v3`` index."""
    return f"apis/{group}/{version}" if group else f"api/{version}"


def _op_group(group: str) -> str:
    """``CoreV1`` / ``AppsV1`` / ``RbacAuthorizationV1``, as in operation ids."""
    if not group:
        return "Core"
    return "".join(p.capitalize() for p in group.removesuffix(".k8s.io").split("."))


def _content(ref_name: str) -> dict:
    return {_JSON: {"schema": {"$ref": COMPONENTS_PREFIX + ref_name}}}


def _operation(r: ResourceInfo, action: str, op_id: str, response: str | None, gvk: dict, desc: str) -> dict:
    op = {
        "description": desc,
        "operationId": op_id,
        "responses": {"200": {"description": "OK"}},
        "tags": [r.group.replace(".k8s.io", "").replace(".", "") + "_" + r.version if r.group else "core_v1"],
        "x-kubernetes-action": action,
        "x-kubernetes-group-version-kind": gvk,
    }
    if response:
        op["responses"]["200"]["content"] = _content(response)
    if action in ("post", "put", "patch") and response:
        op["requestBody"] = {"content": _content(response) if action != "patch" else
                             {"application/merge-patch+json": {"schema": {"$ref": COMPONENTS_PREFIX +
                                                                          "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"}}},
                             "required": True}
    return op


def _resource_paths(r: ResourceInfo) -> dict:
    base = "/" + gv_path(r.group, r.version)
    ns = "/namespaces/{namespace}" if r.namespaced else ""
    scope = "Namespaced" if r.namespaced else ""
    name = schema.definition_name(r.group, r.version, r.kind)
    list_name = schema.definition_name(r.group, r.version, r.kind + "List")
    gvk = {"group": r.group, "kind": r.kind, "version": r.version}
    prefix = _op_group(r.group) + r.version.capitalize()
    status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
    paths: dict = {}
    collection: dict = {}
    item: dict = {}
    verbs = set(r.verbs)
    if "list" in verbs:
        collection["get"] = _operation(r, "list", f"list{prefix}{scope}{r.kind}", list_name, gvk,
                                       f"list or watch objects of kind {r.kind}")
    if "create" in verbs:
        collection["post"] = _operation(r, "post", f"create{prefix}{scope}{r.kind}", name, gvk,
                                        f"create a {r.kind}")
    if "deletecollection" in verbs:
        collection["delete"] = _operation(r, "deletecollection", f"deleteCollection{prefix}{scope}{r.kind}",
                                          status, gvk, f"delete collection of {r.kind}")
    if "get" in verbs:
        item["get"] = _operation(r, "get", f"read{prefix}{scope}{r.kind}", name, gvk,
                                 f"read the specified {r.kind}")
    if "update" in verbs:
        item["put"] = _operation(r, "put", f"replace{prefix}{scope}{r.kind}", name, gvk,
                                 f"replace the specified {r.kind}")
    if "patch" in verbs:
        item["patch"] = _operation(r, "patch", f"patch{prefix}{scope}{r.kind}", name, gvk,
                                   f"partially update the specified {r.kind}")
    if "delete" in verbs:
        item["delete"] = _operation(r, "delete", f"delete{prefix}{scope}{r.kind}", status, gvk,
                                    f"delete a {r.kind}")
    if collection:
        paths[f"{base}{ns}/{r.plural}"] = collection
    if item:
        paths[f"{base}{ns}/{r.plural}/{{name}}"] = item
    if r.namespaced and "list" in verbs:
        paths[f"{base}/{r.plural}"] = {"get": _operation(r, "list", f"list{prefix}{r.kind}ForAllNamespaces",
                                                         list_name, gvk, f"list or watch objects of kind {r.kind}")}
    for sub in r.subresources:
        sub_verbs, (g, v, k) = subresource_info(r, sub)
        sub_name = schema.definition_name(g, v, k)
        sub_gvk = {"group": g, "kind": k, "version": v}
        suffix = sub.capitalize()
        ops = {}
        for verb, method, action, op_verb in (("get", "get", "get", "read"), ("update", "put", "put", "replace"),
                                              ("patch", "patch", "patch", "patch"),
                                              ("create", "post", "post", "create")):
            if verb in sub_verbs:
                ops[method] = _operation(r, action, f"{op_verb}{prefix}{scope}{r.kind}{suffix}", sub_name,
                                         sub_gvk, f"{op_verb} {sub} of the specified {r.kind}")
        if ops:
            paths[f"{base}{ns}/{r.plural}/{{name}}/{sub}"] = ops
    return paths


def _gv_resources(group: str, version: str) -> list[ResourceInfo]:
    return [r for r in REGISTRY if r.group == group and r.version == version]


def _gv_roots(resources: list[ResourceInfo]) -> list[str]:
    roots = list(_META_TYPES)
    for r in resources:
        for kind in (r.kind, r.kind + "List"):
            name = schema.definition_name(r.group, r.version, kind)
            if name:
                roots.append(name)
        for sub in r.subresources:
            _, gvk = subresource_info(r, sub)
            name = schema.definition_name(*gvk)
            if name:
                roots.append(name)
    return roots


# --- the documents ---

def _parse_gv_path(path: str) -> tuple[str, str] | None:
    parts = path.strip("/").split("/")
    if len(parts) == 2 and parts[0] == "api":
        return "", parts[1]
    if len(parts) == 3 and parts[0] == "apis":
        return parts[1], parts[2]
    return None


@functools.lru_cache(maxsize=None)
def _document_bytes(path: str) -> bytes | None:
    gv = _parse_gv_path(path)
    if gv is None or gv not in groups():
        return None
    resources = _gv_resources(*gv)
    comps = _components()
    paths: dict = {}
    for r in sorted(resources, key=lambda r: r.plural):
        paths.update(_resource_paths(r))
    doc = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": "v" + schema.KUBERNETES_VERSION},
        "paths": dict(sorted(paths.items())),
        "components": {"schemas": {name: comps[name] for name in _closure(_gv_roots(resources))}},
    }
    return json.dumps(doc, separators=(",", ":")).encode()


def openapi_v3_document_bytes(gv_path: str) -> bytes | None:
    """The serialised document (cached), ready to send."""
    return _document_bytes(gv_path.strip("/"))


def openapi_v3_document(gv_path: str) -> dict | None:
    """The OpenAPI 3.0 document of one group-version (``api/v1``, ``apis/apps/v1``), or None."""
    data = _document_bytes(gv_path.strip("/"))
    return json.loads(data) if data is not None else None


def document_hash(gv_path: str) -> str | None:
    """A stable digest of the document, as in the index's ``?hash=`` parameter."""
    data = _document_bytes(gv_path.strip("/"))
    return hashlib.sha512(data).hexdigest().upper() if data is not None else None


@functools.lru_cache(maxsize=1)
def _index() -> dict:
    paths = {}
    for group, version in groups():
        key = gv_path(group, version)
        paths[key] = {"serverRelativeURL": f"/openapi/v3/{key}?hash={document_hash(key)}"}
    return {"paths": paths}


def openapi_v3_index() -> dict:
    """``GET /openapi/v3``: every group-version and the URL of its document."""
    return copy.deepcopy(_index())
