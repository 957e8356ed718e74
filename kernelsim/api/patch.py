"""PATCH semantics of kube-apiserver: strategic merge, JSON merge and JSON patch.

Mirrors three pieces of Kubernetes:

* ``k8s.io/apimachinery/pkg/util/strategicpatch`` (``StrategicMergeMapPatch``),
  the server half of a strategic merge patch: lists merge by their
  ``x-kubernetes-patch-merge-key``, and the directives ``$patch``,
  ``$setElementOrder/<list>``, ``$retainKeys`` and
  ``$deleteFromPrimitiveList/<list>`` are applied;
* ``gopkg.in/evanphx/json-patch.v4``, which kube-apiserver uses for
  ``application/merge-patch+json`` (RFC 7386) and
  ``application/json-patch+json`` (RFC 6902);
* the error mapping of ``k8s.io/apiserver/pkg/endpoints/handlers/patch.go``
  (``jsonPatcher``, ``smpPatcher``, ``interpretStrategicMergePatchError``), so a
  bad patch gets the same code, reason and message as from a real cluster.

The patch metadata comes from the OpenAPI definitions in
:mod:`kernelsim.api.schema` instead of Go struct tags; both carry the same
``patchStrategy``/``patchMergeKey`` information.

Without a definition (a kind we have no schema for, e.g. a custom resource)
the strategic merge falls back to "no metadata": maps merge recursively,
``null`` deletes, and every list is replaced by the patch's list. A real
kube-apiserver refuses strategic merge patches for custom resources with 415;
that check belongs to the HTTP handler (see :data:`CUSTOM_RESOURCE_PATCH_TYPES`).
"""

from __future__ import annotations

import json
from decimal import Decimal

from kernelsim.api import errors
from kernelsim.api import schema as _schema
from kernelsim.api.objects import depth_exceeded

JSON_PATCH = "application/json-patch+json"
MERGE_PATCH = "application/merge-patch+json"
STRATEGIC_MERGE_PATCH = "application/strategic-merge-patch+json"
APPLY_PATCH = "application/apply-patch+yaml"

# The Consumes list of a built-in resource's PATCH route, in the installer's order.
BUILTIN_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, STRATEGIC_MERGE_PATCH, APPLY_PATCH)
# Custom resources have no Go types, so no strategic merge patch.
CUSTOM_RESOURCE_PATCH_TYPES = (JSON_PATCH, MERGE_PATCH, APPLY_PATCH)

MAX_JSON_PATCH_OPERATIONS = 10000

# strategicpatch directives
DIRECTIVE_MARKER = "$patch"
DELETE_DIRECTIVE = "delete"
REPLACE_DIRECTIVE = "replace"
MERGE_DIRECTIVE = "merge"
RETAIN_KEYS_STRATEGY = "retainKeys"
RETAIN_KEYS_DIRECTIVE = "$retainKeys"
DELETE_FROM_PRIMITIVE_LIST_PREFIX = "$deleteFromPrimitiveList"
SET_ELEMENT_ORDER_PREFIX = "$setElementOrder"

# k8s.io/apimachinery/pkg/util/mergepatch sentinel errors
ERR_NO_LIST_OF_LISTS = "lists of lists are not supported"
ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST = "invalid patch format of primitive list"
ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS = "invalid patch format of retainKeys"
ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST = "invalid patch format of setElementOrder list"

_BAD_REQUEST_ERRORS = {
    ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST,
    ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS,
    ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST,
}
_UNPROCESSABLE_ERRORS = {ERR_NO_LIST_OF_LISTS}

_REJECTED = "the server rejected our request due to an error in our request"


class _MergeError(Exception):
    """An error from the strategicpatch package, before the handler maps it."""


# ---------------------------------------------------------------------------
# The PATCH handler: decode the body, apply, map errors
# ---------------------------------------------------------------------------

def apply_patch(original: dict, patch_body, content_type: str, definition: str | None,
                *, field_validation: str = "Warn") -> dict:
    """Apply a PATCH body to ``original`` the way kube-apiserver does.

    ``field_validation`` is the request's ``fieldValidation`` ("Strict",
    "Warn" — the server default — or "Ignore"); it changes how the body is
    decoded and so the wording of decode errors. Returns a new dict; raises
    :class:`~kernelsim.api.errors.StatusError` on a bad patch.
    """
    patch_type = (content_type or "").split(";", 1)[0].strip()
    strict = field_validation != "Ignore"
    if patch_type == STRATEGIC_MERGE_PATCH:
        patch = _decode_strategic_merge_patch(patch_body)
        return strategic_merge_patch(original, patch, definition)
    if patch_type == MERGE_PATCH:
        return _apply_merge_patch(original, patch_body, strict)
    if patch_type == JSON_PATCH:
        return _apply_json_patch(original, patch_body, strict)
    raise unsupported_patch_type(BUILTIN_PATCH_TYPES)


def unsupported_patch_type(accepted=BUILTIN_PATCH_TYPES) -> errors.StatusError:
    """415, as ``negotiation.NewUnsupportedMediaTypeError(patchTypes)``."""
    return errors.StatusError(
        415, "UnsupportedMediaType",
        "the body of the request was in an unknown format - accepted media types include: "
        + ", ".join(accepted))


def _decode_strategic_merge_patch(body) -> dict:
    """``kjson.UnmarshalStrict(patchBytes, &patchMap)``: the body must be a JSON object."""
    value = _decode_json(body, errors.bad_request)
    if value is None:
        return {}  # unmarshalling null into a map leaves it empty
    if not isinstance(value, dict):
        raise errors.bad_request(_unmarshal_type_error(value, "map[string]interface {}"))
    return value


def _apply_merge_patch(original: dict, body, strict: bool) -> dict:
    if strict:
        patch = _decode_json(body, lambda m: errors.bad_request(f"error decoding patch: {m}"))
        if patch is not None and not isinstance(patch, dict):
            raise errors.bad_request(
                "error decoding patch: " + _unmarshal_type_error(patch, "map[string]interface {}"))
    else:
        patch = _decode_json(body, lambda m: errors.bad_request("Invalid JSON Patch"))
    if patch is None or not isinstance(patch, (dict, list)):
        raise errors.bad_request("Invalid JSON Patch")  # jsonpatch.ErrBadJSONPatch
    return _must_be_object(json_merge_patch(original, patch))


def _apply_json_patch(original: dict, body, strict: bool) -> dict:
    if strict:
        ops = _decode_json(body, lambda m: errors.bad_request(f"error decoding patch: {m}"))
        problem = _json_patch_decode_problem(ops, "[]handlers.jsonPatchOp", "handlers.jsonPatchOp")
        if problem:
            raise errors.bad_request(f"error decoding patch: {problem}")
    else:
        ops = _decode_json(body, lambda m: errors.bad_request(m))
        problem = _json_patch_decode_problem(ops, "jsonpatch.Patch", "jsonpatch.Operation",
                                             check_fields=False)
        if problem:
            raise errors.bad_request(problem)
    ops = ops or []
    if len(ops) > MAX_JSON_PATCH_OPERATIONS:
        raise errors.StatusError(
            413, "RequestEntityTooLarge",
            f"Request entity too large: The allowed maximum operations in a JSON patch is "
            f"{MAX_JSON_PATCH_OPERATIONS}, got {len(ops)}")
    return _must_be_object(json_patch(original, ops))


def _json_patch_decode_problem(ops, list_type: str, op_type: str, check_fields: bool = True) -> str:
    """What ``json.Unmarshal`` would say about a JSON patch that is not a list of operations."""
    if ops is None:
        return ""
    if not isinstance(ops, list):
        return _unmarshal_type_error(ops, list_type)
    for op in ops:
        if op is None:
            continue
        if not isinstance(op, dict):
            return _unmarshal_type_error(op, op_type)
        if check_fields:
            for name in ("op", "path", "from"):
                value = op.get(name)
                if value is not None and not isinstance(value, str):
                    return (f"json: cannot unmarshal {_json_kind(value)} into Go struct field "
                            f"jsonPatchOp.{name} of type string")
    return ""


def _must_be_object(patched) -> dict:
    """The patched document is decoded into the typed object: it must be a JSON object."""
    if isinstance(patched, dict):
        return patched
    text = json.dumps(patched, separators=(",", ":"))
    detail = ("couldn't get version/kind; json parse error: "
              + _unmarshal_type_error(patched, 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; '
                                               'Kind string "json:\\"kind,omitempty\\"" }'))
    raise errors.invalid("", "", [errors.FieldError("Invalid value", "patch", text, detail)])


# ---------------------------------------------------------------------------
# JSON merge patch (RFC 7386, as evanphx/json-patch v4 MergePatch)
# ---------------------------------------------------------------------------

def json_merge_patch(original, patch):
    """RFC 7386 merge patch. Returns a new value; neither argument is changed.

    Like evanphx/json-patch, nulls inside a value that is added (not merged)
    are pruned from objects, also from objects nested in lists.
    """
    if not isinstance(patch, dict):
        return _prune_nulls(_copy(patch))
    if not isinstance(original, dict):
        return _prune_nulls(_copy(patch))
    return _merge_docs(_copy(original), patch)


def _merge_docs(doc: dict, patch: dict) -> dict:
    for key, value in patch.items():
        if value is None:
            doc.pop(key, None)
            continue
        current = doc.get(key)
        if current is None or not isinstance(current, dict):
            doc[key] = _prune_nulls(_copy(value))
        elif not isinstance(value, dict):
            doc[key] = _copy(value)
        else:
            doc[key] = _merge_docs(current, value)
    return doc


def _prune_nulls(value):
    if isinstance(value, dict):
        return {k: _prune_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_prune_nulls(v) if v is not None else None for v in value]
    return value


# ---------------------------------------------------------------------------
# JSON patch (RFC 6902)
# ---------------------------------------------------------------------------

def json_patch(original, operations: list):
    """Apply RFC 6902 operations; returns a new document.

    Any failure (a failed ``test``, a missing path, an unknown op) is what
    kube-apiserver reports as 422 "the server rejected our request due to an
    error in our request": it does not pass on the library's message.
    """
    import jsonpatch
    import jsonpointer

    try:
        # Copy the operations too: an added value must not be shared with the caller.
        return jsonpatch.JsonPatch(_copy(list(operations))).apply(_copy(original))
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException,
            KeyError, IndexError, TypeError, ValueError, AttributeError):
        raise errors.StatusError(422, "Invalid", _REJECTED)


# ---------------------------------------------------------------------------
# Strategic merge patch
# ---------------------------------------------------------------------------

def strategic_merge_patch(original: dict, patch: dict, definition: str | None) -> dict:
    """Apply a strategic merge patch to ``original``; returns a new dict.

    ``definition`` names the OpenAPI definition of the object's kind (e.g.
    ``io.k8s.api.core.v1.Pod``); None means no patch metadata.
    """
    meta = _PatchMeta.for_definition(definition)
    try:
        return _merge_map(_copy(original or {}), _copy(patch or {}), meta)
    except _MergeError as e:
        raise _interpret_strategic_merge_patch_error(str(e)) from None


def _interpret_strategic_merge_patch_error(message: str) -> errors.StatusError:
    if message in _BAD_REQUEST_ERRORS:
        return errors.bad_request(message)
    if message in _UNPROCESSABLE_ERRORS:
        return errors.StatusError(422, "Invalid", _REJECTED)
    # Any other error is not a Status in kube-apiserver, which answers 500 with an empty reason; a bad
    # patch is the client's error, so the simulator answers 400 with the same message (never a 5xx).
    return errors.bad_request(message)


class _PatchMeta:
    """A place in the schema: the role of strategicpatch.LookupPatchMeta.

    ``node`` is a resolved schema node (a definition or an inline schema), or
    None when nothing is known (then every lookup answers "no metadata").
    """

    def __init__(self, node: dict | None, name: str = "struct"):
        self.node = node
        self.name = name

    @classmethod
    def for_definition(cls, definition: str | None) -> "_PatchMeta":
        if not definition:
            return cls(None)
        return cls(_schema.definitions().get(definition))

    def lookup_for_struct(self, key: str):
        """The schema of map-valued field ``key``, its strategies and merge key."""
        field = self._field(key)
        return _PatchMeta(_resolve(field)), _strategies(field), _merge_key(field)

    def lookup_for_slice(self, key: str):
        """The schema of the elements of list field ``key``, its strategies and merge key."""
        field = self._field(key)
        items = _resolve(field).get("items") if field else None
        return _PatchMeta(_resolve(items)), _strategies(field), _merge_key(field)

    def _field(self, key: str) -> dict | None:
        node = self.node
        if not node:
            return None
        props = node.get("properties")
        if props and key in props:
            return props[key]
        extra = node.get("additionalProperties")
        if isinstance(extra, dict):
            return extra
        return None


def _resolve(node: dict | None) -> dict:
    """Follow ``$ref`` (and a single-element ``allOf``) to the schema it names."""
    seen = 0
    while isinstance(node, dict) and seen < 8:
        seen += 1
        if "$ref" in node:
            node = _schema.definitions().get(_schema.ref_name(node["$ref"]), {})
        elif isinstance(node.get("allOf"), list) and len(node["allOf"]) == 1:
            node = node["allOf"][0]
        else:
            return node
    return node if isinstance(node, dict) else {}


def _strategies(field: dict | None) -> list[str]:
    if not field:
        return []
    value = field.get("x-kubernetes-patch-strategy", "")
    return value.split(",") if value else []


def _merge_key(field: dict | None) -> str:
    return (field or {}).get("x-kubernetes-patch-merge-key", "")


def _extract_retain_keys_patch_strategy(strategies: list[str]) -> tuple[bool, str]:
    if not strategies:
        return False, ""
    if len(strategies) == 1:
        if strategies[0] == RETAIN_KEYS_STRATEGY:
            return True, ""
        return False, strategies[0]
    if len(strategies) == 2:
        if strategies[0] == RETAIN_KEYS_STRATEGY:
            return True, strategies[1]
        if strategies[1] == RETAIN_KEYS_STRATEGY:
            return True, strategies[0]
    raise _MergeError(f"unexpected patch strategy: {_go_v(strategies)}")


# -- maps --------------------------------------------------------------------

def _merge_map(original: dict | None, patch: dict, meta: _PatchMeta) -> dict:
    """strategicpatch.mergeMap, with MergeParallelList and IgnoreUnmatchedNulls set."""
    if DIRECTIVE_MARKER in patch:
        return _handle_directive_in_merge_map(patch[DIRECTIVE_MARKER], patch)
    if original is None:
        original = {}
    _apply_retain_keys_directive(original, patch)
    _merge_patch_into_original(original, patch, meta)

    for key, patch_v in list(patch.items()):
        is_delete_list = False
        if key.startswith(DELETE_FROM_PRIMITIVE_LIST_PREFIX):
            key = _extract_key(key, DELETE_FROM_PRIMITIVE_LIST_PREFIX)
            is_delete_list = True

        if patch_v is None:
            original.pop(key, None)
            continue

        if key not in original or _go_type(original[key]) != _go_type(patch_v):
            if not is_delete_list:
                _discard_null_values(patch_v)
                value, keep = _remove_directives(patch_v)
                if keep:
                    original[key] = value
                else:
                    original.pop(key, None)
            continue

        current = original[key]
        if isinstance(current, dict):
            sub, field_meta_strategies, _ = meta.lookup_for_struct(key)
            _, strategy = _extract_retain_keys_patch_strategy(field_meta_strategies)
            original[key] = patch_v if strategy == REPLACE_DIRECTIVE else _merge_map(current, patch_v, sub)
        elif isinstance(current, list):
            sub, field_meta_strategies, merge_key = meta.lookup_for_slice(key)
            _, strategy = _extract_retain_keys_patch_strategy(field_meta_strategies)
            original[key] = _merge_slice_handler(current, patch_v, sub, strategy, merge_key, is_delete_list)
        else:
            original[key] = patch_v
    return original


def _handle_directive_in_merge_map(directive, patch: dict) -> dict:
    if directive == REPLACE_DIRECTIVE:
        patch.pop(DIRECTIVE_MARKER, None)
        return patch
    if directive == DELETE_DIRECTIVE:
        return {}
    raise _MergeError(f"unknown patch type: {_go_s(directive)} in map: {_go_v(patch)}")


def _apply_retain_keys_directive(original: dict, patch: dict) -> None:
    """``$retainKeys``: clear every key of ``original`` that the list does not name."""
    if RETAIN_KEYS_DIRECTIVE not in patch:
        return
    retain = patch.pop(RETAIN_KEYS_DIRECTIVE)
    if not isinstance(retain, list):
        raise _MergeError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    allowed = {_hashable(v) for v in retain}
    for key, value in patch.items():
        if value is None or key.startswith(DELETE_FROM_PRIMITIVE_LIST_PREFIX) \
                or key.startswith(SET_ELEMENT_ORDER_PREFIX):
            continue
        if key not in allowed:
            raise _MergeError(ERR_BAD_PATCH_FORMAT_FOR_RETAIN_KEYS)
    for key in list(original):
        if key not in allowed:
            del original[key]


def _merge_patch_into_original(original: dict, patch: dict, meta: _PatchMeta) -> None:
    """``$setElementOrder/<list>``: merge that list now and put its elements in order.

    Precedence: the order in $setElementOrder, then the order in the patch
    list, then the order in the live list.
    """
    for key in [k for k in patch if k.startswith(SET_ELEMENT_ORDER_PREFIX)]:
        order = patch.pop(key)
        if not isinstance(order, list):
            raise _MergeError(_err_bad_arg_type("[]interface {}", order))
        list_key = _extract_key(key, SET_ELEMENT_ORDER_PREFIX)
        found_original, found_patch = list_key in original, list_key in patch
        original_list = original.get(list_key)
        patch_list = patch.get(list_key)
        if found_original and not isinstance(original_list, list):
            raise _MergeError(_err_bad_arg_type("[]interface {}", original_list))
        if found_patch and not isinstance(patch_list, list):
            raise _MergeError(_err_bad_arg_type("[]interface {}", patch_list))
        sub, strategies, merge_key = meta.lookup_for_slice(list_key)
        _, strategy = _extract_retain_keys_patch_strategy(strategies)
        _validate_patch_with_set_order_list(patch_list if found_patch else [], order, merge_key)

        if found_original and not found_patch:
            merged = original_list
        elif found_patch and not found_original:
            merged, _ = _remove_directives(patch_list)
        elif found_original and found_patch:
            merged = _merge_slice_handler(original_list, patch_list, sub, strategy, merge_key, False)
        else:
            continue

        if merge_key:
            patch_items, server_only = _partition_maps_by_present_in_list(merged, order, merge_key)
        else:
            patch_items, server_only = _partition_primitives_by_present_in_list(merged, order)
        kind = _slice_element_type(original_list or [], patch_list or [])
        original[list_key] = _normalize_element_order(
            patch_items, server_only, order, original_list or [], merge_key, kind)
        patch.pop(list_key, None)


def _validate_patch_with_set_order_list(patch_list, order: list, merge_key: str) -> None:
    """Every item of the patch list must appear in $setElementOrder, in the same order."""
    if not isinstance(patch_list, list):
        raise _MergeError(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST)
    if not order or not patch_list:
        return
    non_delete = _extract_to_delete_items(patch_list)[0] if merge_key else patch_list
    patch_index = order_index = 0
    while patch_index < len(non_delete) and order_index < len(order):
        item = non_delete[patch_index]
        if isinstance(item, dict) and DIRECTIVE_MARKER in item:
            patch_index += 1
            continue
        if _merge_key_value_equal(item, order[order_index], merge_key):
            patch_index += 1
        order_index += 1
    if patch_index < len(non_delete) and order_index >= len(order):
        raise _MergeError(f"The order in patch list:\n{_go_v(patch_list)}\n doesn't match "
                          f"{SET_ELEMENT_ORDER_PREFIX} list:\n{_go_v(order)}\n")


def _extract_key(key: str, prefix: str) -> str:
    parts = key.split("/", 1)
    if len(parts) <= 1 or parts[0] != prefix:
        if prefix == DELETE_FROM_PRIMITIVE_LIST_PREFIX:
            raise _MergeError(ERR_BAD_PATCH_FORMAT_FOR_PRIMITIVE_LIST)
        raise _MergeError(ERR_BAD_PATCH_FORMAT_FOR_SET_ELEMENT_ORDER_LIST)
    return parts[1]


def _remove_directives(value):
    """Strip directives from a value that is added as is; (value, keep)."""
    if isinstance(value, dict):
        if DIRECTIVE_MARKER in value:
            return None, False
        for k in list(value):
            v, keep = _remove_directives(value[k])
            if keep:
                value[k] = v
            else:
                del value[k]
        return value, True
    if isinstance(value, list):
        out = []
        for v in value:
            v, keep = _remove_directives(v)
            if keep:
                out.append(v)
        return out, True
    return value, True


def _discard_null_values(value) -> None:
    if isinstance(value, dict):
        for k in list(value):
            if value[k] is None:
                del value[k]
            else:
                _discard_null_values(value[k])
    elif isinstance(value, list):
        for v in value:
            _discard_null_values(v)


# -- lists -------------------------------------------------------------------

def _merge_slice_handler(original: list, patch: list, meta: _PatchMeta, strategy: str,
                         merge_key: str, is_delete_list: bool) -> list:
    # A $deleteFromPrimitiveList is applied whatever the field's strategy is.
    if strategy == MERGE_DIRECTIVE or is_delete_list:
        return _merge_slice(original, patch, meta, merge_key, is_delete_list)
    return patch


def _merge_slice(original: list, patch: list, meta: _PatchMeta, merge_key: str,
                 is_delete_list: bool) -> list:
    if not original and not patch:
        return original
    kind = _slice_element_type(original, patch)
    if kind != "map":
        if is_delete_list:
            return _delete_from_slice(original, patch)
        merged = _deduplicate_scalars(original + patch)
    else:
        if not merge_key:
            raise _MergeError(f"cannot merge lists without merge key for {_kind_name(meta)}")
        original, patch = _merge_slice_with_special_elements(original, patch, merge_key)
        merged = _merge_slice_without_special_elements(list(original), patch, merge_key, meta)

    if merge_key:
        patch_items, server_only = _partition_maps_by_present_in_list(merged, patch, merge_key)
    else:
        patch_items, server_only = _partition_primitives_by_present_in_list(merged, patch)
    return _normalize_element_order(patch_items, server_only, patch, original, merge_key, kind)


def _merge_slice_with_special_elements(original: list, patch: list, merge_key: str):
    """Apply ``$patch: delete`` and ``$patch: replace`` elements of a merge list."""
    plain = []
    replace = False
    for item in patch:
        if DIRECTIVE_MARKER not in item:
            plain.append(item)
            continue
        directive = item[DIRECTIVE_MARKER]
        if directive == DELETE_DIRECTIVE:
            if merge_key not in item:
                raise _MergeError(_err_no_merge_key(item, merge_key))
            original = _delete_matching_entries(original, merge_key, item[merge_key])
        elif directive == REPLACE_DIRECTIVE:
            replace = True
        elif directive == MERGE_DIRECTIVE:
            raise _MergeError("merging lists cannot yet be specified in the patch")
        else:
            raise _MergeError(f"unknown patch type: {_go_s(directive)} in map: {_go_v(item)}")
    if replace:
        return plain, []
    return original, plain


def _delete_matching_entries(original: list, merge_key: str, value) -> list:
    kept = []
    for i, item in enumerate(original):
        if not isinstance(item, dict):
            raise _MergeError(f"value for key {i} is not a map.")
        if not (merge_key in item and _go_eq(item[merge_key], value)):
            kept.append(item)
    return kept


def _merge_slice_without_special_elements(original: list, patch: list, merge_key: str,
                                          meta: _PatchMeta) -> list:
    for item in patch:
        if merge_key not in item:
            raise _MergeError(_err_no_merge_key(item, merge_key))
        index = _find_map_in_slice(original, merge_key, item[merge_key])
        if index >= 0:
            original[index] = _merge_map(original[index], item, meta)
        else:
            original.append(item)
    return original


def _find_map_in_slice(items: list, key: str, value) -> int:
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            raise _MergeError(f"value for key {i} is not a map.")
        if key in item and _go_eq(item[key], value):
            return i
    return -1


def _delete_from_slice(current: list, to_delete: list) -> list:
    return [v for v in current if not any(_go_eq(v, d) for d in to_delete)]


def _deduplicate_scalars(values: list) -> list:
    out = []
    for v in values:
        if not any(_go_eq(v, seen) for seen in out):
            out.append(v)
    return out


def _partition_primitives_by_present_in_list(items: list, partition_by: list):
    in_patch, server_only = [], []
    for v in items:
        (in_patch if any(_go_eq(v, p) for p in partition_by) else server_only).append(v)
    return in_patch, server_only


def _partition_maps_by_present_in_list(items: list, partition_by: list, merge_key: str):
    in_patch, server_only = [], []
    for v in items:
        if not isinstance(v, dict):
            raise _MergeError(_err_bad_arg_type("map[string]interface {}", v))
        if merge_key not in v:
            raise _MergeError(_err_no_merge_key(v, merge_key))
        found = _find_map_in_slice(partition_by, merge_key, v[merge_key]) >= 0
        (in_patch if found else server_only).append(v)
    return in_patch, server_only


def _normalize_element_order(patch_items: list, server_only: list, patch_order: list,
                             server_order: list, merge_key: str, kind: str) -> list:
    """Sort patch items by the patch order and server-only items by the live order, then interleave."""
    patch_items = _normalize_slice_order(patch_items, patch_order, merge_key, kind)
    server_only = _normalize_slice_order(server_only, server_order, merge_key, kind)
    return _merge_sorted_slice(server_only, patch_items, server_order, merge_key, kind)


def _normalize_slice_order(to_sort: list, order: list, merge_key: str, kind: str) -> list:
    to_delete = []
    if kind == "map":
        for lst in (to_sort, order):
            for item in lst:
                if not isinstance(item, dict):
                    raise _MergeError(_err_bad_arg_type("map[string]interface {}", item))
                if merge_key not in item:
                    raise _MergeError(_err_no_merge_key(item, merge_key))
        to_sort, to_delete = _extract_to_delete_items(to_sort)

    def less(a, b) -> bool:
        ia = _index(order, a, merge_key, kind)
        if ia >= 0:
            ib = _index(order, b, merge_key, kind)
            if ib >= 0:
                return ia < ib
        return True

    # Go's sort.SliceStable is an insertion sort for short lists; the
    # comparator above is only a strict order when every item is in `order`.
    items = list(to_sort)
    for i in range(1, len(items)):
        j = i
        while j > 0 and less(items[j], items[j - 1]):
            items[j], items[j - 1] = items[j - 1], items[j]
            j -= 1
    return items + to_delete


def _merge_sorted_slice(left: list, right: list, server_order: list, merge_key: str, kind: str) -> list:
    """Insert the server-only items (left) among the patch items (right), by live order."""
    out = []
    i = j = 0
    while i < len(left) and j < len(right):
        li = _index(server_order, left[i], merge_key, kind)
        ri = _index(server_order, right[j], merge_key, kind)
        if li >= 0 and ri >= 0 and li < ri:
            out.append(left[i])
            i += 1
        else:
            out.append(right[j])
            j += 1
    return out + left[i:] + right[j:]


def _index(items: list, value, merge_key: str, kind: str) -> int:
    def key_of(item):
        if kind == "map":
            return item.get(merge_key) if isinstance(item, dict) else None
        return item

    wanted = key_of(value)
    for i, item in enumerate(items):
        if _go_eq(key_of(item), wanted):
            return i
    return -1


def _extract_to_delete_items(items: list):
    keep, delete = [], []
    for v in items:
        if not isinstance(v, dict):
            raise _MergeError(_err_bad_arg_type("map[string]interface {}", v))
        (delete if v.get(DIRECTIVE_MARKER) == DELETE_DIRECTIVE else keep).append(v)
    return keep, delete


def _merge_key_value_equal(left, right, merge_key: str) -> bool:
    if not merge_key:
        return _go_eq(left, right)
    for side in (left, right):
        if not isinstance(side, dict):
            raise _MergeError(_err_bad_arg_type("map[string]interface {}", side))
        if merge_key not in side:
            raise _MergeError(_err_no_merge_key(side, merge_key))
    return _go_eq(left[merge_key], right[merge_key])


def _slice_element_type(*slices: list) -> str:
    """The Go kind shared by every element; lists of lists are refused."""
    kind = None
    for s in slices:
        for v in s:
            current = _go_type(v)
            if kind is None:
                kind = current
                if kind == "slice":
                    raise _MergeError(ERR_NO_LIST_OF_LISTS)
            elif kind != current:
                raise _MergeError("list element types are not identical: "
                                  + _go_v(list(slices)))
    if kind is None:
        raise _MergeError("no elements in any of the given slices")
    return kind


def _kind_name(meta: _PatchMeta) -> str:
    node = meta.node or {}
    return "map" if "additionalProperties" in node and "properties" not in node else "struct"


# ---------------------------------------------------------------------------
# Go-flavoured helpers: types, equality and %v formatting for error messages
# ---------------------------------------------------------------------------

def _go_type(v) -> str:
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, int):
        return "int64"
    if isinstance(v, float):
        return "float64"
    if isinstance(v, str):
        return "string"
    if isinstance(v, dict):
        return "map"
    if isinstance(v, list):
        return "slice"
    return type(v).__name__


def _go_eq(a, b) -> bool:
    """Go's == on interface{} values: equal only with the same dynamic type."""
    return _go_type(a) == _go_type(b) and _go_type(a) not in ("map", "slice") and a == b


def _hashable(v):
    return v if isinstance(v, (str, int, float, bool, type(None))) else json.dumps(v, sort_keys=True)


_GO_TYPE_NAMES = {"nil": None, "map": "map[string]interface {}", "slice": "[]interface {}"}


def _err_bad_arg_type(expected: str, actual) -> str:
    kind = _go_type(actual)
    actual_name = _GO_TYPE_NAMES.get(kind, kind)
    return f"expected a {expected}, but received a {actual_name if actual_name else '%!s(<nil>)'}"


def _err_no_merge_key(m: dict, key: str) -> str:
    return f"map: {_go_v(m)} does not contain declared merge key: {key}"


def _go_s(v) -> str:
    return v if isinstance(v, str) else f"%!s({_go_type(v)}={_go_v(v)})"


def _go_v(v) -> str:
    """``fmt.Sprintf("%v", v)`` for decoded JSON values."""
    if v is None:
        return "<nil>"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return _go_float(v)
    if isinstance(v, str):
        return v
    if isinstance(v, dict):
        return "map[" + " ".join(f"{k}:{_go_v(v[k])}" for k in sorted(v)) + "]"
    if isinstance(v, list):
        return "[" + " ".join(_go_v(x) for x in v) + "]"
    return str(v)


def _go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64), which is how %v prints a float64."""
    if f != f:
        return "NaN"
    if f in (float("inf"), float("-inf")):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "0"
    sign = "-" if f < 0 else ""
    digits_tuple = Decimal(repr(abs(f))).normalize().as_tuple()
    digits = "".join(str(d) for d in digits_tuple.digits)
    exponent = len(digits) + digits_tuple.exponent - 1
    if exponent < -4 or exponent >= 6:
        body = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{body}e{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"
    return sign + format(Decimal(repr(abs(f))).normalize(), "f")


def _copy(v):
    if isinstance(v, dict):
        return {k: _copy(x) for k, x in v.items()}
    if isinstance(v, list):
        return [_copy(x) for x in v]
    return v


# ---------------------------------------------------------------------------
# Decoding a body like encoding/json: Go's syntax error messages
# ---------------------------------------------------------------------------

def _decode_json(body, make_error):
    """Parse a PATCH body; a syntax error becomes ``make_error(go_message)``."""
    if isinstance(body, (dict, list)) or body is None:
        return body
    if isinstance(body, (bytes, bytearray)):
        text = bytes(body).decode("utf-8", errors="replace")
    else:
        text = str(body)
    try:
        problem = go_json_syntax_error(text)
        if problem:
            raise make_error(problem)
        value = json.loads(text)
    except RecursionError:
        raise make_error("exceeded max depth") from None
    if depth_exceeded(value):
        raise make_error("exceeded max depth")
    return value


def _json_kind(v) -> str:
    if isinstance(v, dict):
        return "object"
    if isinstance(v, list):
        return "array"
    if isinstance(v, str):
        return "string"
    if isinstance(v, bool):
        return "bool"
    return "number"


def _unmarshal_type_error(value, go_type: str) -> str:
    return f"json: cannot unmarshal {_json_kind(value)} into Go value of type {go_type}"


class _SyntaxError(Exception):
    pass


def _reject_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def go_json_syntax_error(text: str) -> str:
    """The message ``json.Unmarshal`` gives for malformed JSON, or "" if it is valid."""
    try:  # fast path: what Python's parser accepts (without NaN/Infinity) Go's accepts too
        json.loads(text, parse_constant=_reject_constant)
        return ""
    except (ValueError, RecursionError):
        pass
    try:
        _GoScanner(text).check()
    except _SyntaxError as e:
        return str(e)
    return ""


class _GoScanner:
    """A recursive-descent twin of encoding/json's scanner, for its error texts."""

    _LITERALS = {"t": "true", "f": "false", "n": "null"}

    def __init__(self, text: str):
        self.s = text
        self.n = len(text)

    def check(self) -> None:
        i = self._value(self._ws(0))
        i = self._ws(i)
        if i < self.n:
            self._fail(self.s[i], "after top-level value")

    def _ws(self, i: int) -> int:
        while i < self.n and self.s[i] in " \t\r\n":
            i += 1
        return i

    def _char(self, i: int) -> str:
        if i >= self.n:
            raise _SyntaxError("unexpected end of JSON input")
        return self.s[i]

    @staticmethod
    def _fail(c: str, context: str):
        raise _SyntaxError(f"invalid character {_quote_char(c)} {context}")

    def _value(self, i: int) -> int:
        c = self._char(i)
        if c == "{":
            return self._object(i + 1)
        if c == "[":
            return self._array(i + 1)
        if c == '"':
            return self._string(i + 1)
        if c == "-" or c.isdigit() and c.isascii():
            return self._number(i)
        if c in self._LITERALS:
            return self._literal(i, self._LITERALS[c])
        self._fail(c, "looking for beginning of value")

    def _object(self, i: int) -> int:
        i = self._ws(i)
        if self._char(i) == "}":
            return i + 1
        while True:
            c = self._char(i)
            if c != '"':
                self._fail(c, "looking for beginning of object key string")
            i = self._ws(self._string(i + 1))
            c = self._char(i)
            if c != ":":
                self._fail(c, "after object key")
            i = self._ws(self._value(self._ws(i + 1)))
            c = self._char(i)
            if c == "}":
                return i + 1
            if c != ",":
                self._fail(c, "after object key:value pair")
            i = self._ws(i + 1)

    def _array(self, i: int) -> int:
        i = self._ws(i)
        if self._char(i) == "]":
            return i + 1
        while True:
            i = self._ws(self._value(i))
            c = self._char(i)
            if c == "]":
                return i + 1
            if c != ",":
                self._fail(c, "after array element")
            i = self._ws(i + 1)

    def _string(self, i: int) -> int:
        while True:
            c = self._char(i)
            if c == '"':
                return i + 1
            if c == "\\":
                e = self._char(i + 1)
                if e == "u":
                    for k in range(i + 2, i + 6):
                        h = self._char(k)
                        if h not in "0123456789abcdefABCDEF":
                            self._fail(h, "in \\u hexadecimal character escape")
                    i += 6
                    continue
                if e not in 'bfnrt\\/"':
                    self._fail(e, "in string escape code")
                i += 2
                continue
            if c < " ":
                self._fail(c, "in string literal")
            i += 1

    def _peek(self, i: int) -> str:
        # At the end of input Go's scanner is fed a space, so a half-written
        # number or literal reports "invalid character ' ' ...".
        return self.s[i] if i < self.n else " "

    def _number(self, i: int) -> int:
        if self.s[i] == "-":
            i += 1
            c = self._peek(i)
            if not ("0" <= c <= "9"):
                self._fail(c, "in numeric literal")
        if self.s[i] == "0":
            i += 1
        else:
            while "0" <= self._peek(i) <= "9":
                i += 1
        if self._peek(i) == ".":
            i += 1
            c = self._peek(i)
            if not ("0" <= c <= "9"):
                self._fail(c, "after decimal point in numeric literal")
            while "0" <= self._peek(i) <= "9":
                i += 1
        if self._peek(i) in "eE" and i < self.n:
            i += 1
            if self._peek(i) in "+-" and i < self.n:
                i += 1
            c = self._peek(i)
            if not ("0" <= c <= "9"):
                self._fail(c, "in exponent of numeric literal")
            while "0" <= self._peek(i) <= "9":
                i += 1
        return i

    def _literal(self, i: int, word: str) -> int:
        for k, expected in enumerate(word[1:], start=1):
            c = self._peek(i + k)
            if c != expected:
                self._fail(c, f"in literal {word} (expecting {_quote_char(expected)})")
        return i + len(word)


_GO_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\v": "\\v",
               "\\": "\\\\"}


def _quote_char(c: str) -> str:
    """encoding/json's quoteChar: how a bad character is shown in a syntax error."""
    if c == "'":
        return "'\\''"
    if c == '"':
        return "'\"'"
    if c in _GO_ESCAPES:
        return "'" + _GO_ESCAPES[c] + "'"
    if ord(c) < 0x20 or ord(c) == 0x7F:
        return f"'\\x{ord(c):02x}'"
    return f"'{c}'"
