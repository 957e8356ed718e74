"""What kube-apiserver rejects before an object reaches etcd.

Two stages, as in the real request path:

1. **Decoding** (``k8s.io/apimachinery/pkg/runtime/serializer/json`` on top of
   ``sigs.k8s.io/json``): a value of the wrong JSON type is a 400 BadRequest
   ``json: cannot unmarshal ...``; an unknown field is a 400 ``strict decoding
   error`` with ``fieldValidation=Strict``, a warning with ``Warn`` and is
   silently dropped with ``Ignore``.
2. **Validation** (``pkg/apis/core/validation``, ``pkg/apis/apps/validation``,
   ``pkg/apis/batch/validation`` and ``apimachinery``'s ObjectMeta checks): a
   422 Invalid listing ``field.Error``\\ s, with the same paths and messages.

The schemas come from :mod:`kernelsim.api.schema`; the hand-written rules cover
the objects a learner meets first (Pod, Service, ConfigMap, Secret, Namespace
and the workload controllers).
"""

from __future__ import annotations

import functools
import re

from . import errors, names, schema
from .errors import FieldError, StatusError
from .resources import ResourceInfo

STRICT, WARN, IGNORE = "Strict", "Warn", "Ignore"

_INT_OR_STRING = "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
_QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
_QUANTITY_RE = re.compile(r"^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$")
_QUANTITY_ERR = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"
_INT_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


# =========================================================================
# Stage 1: decoding
# =========================================================================

class _DecodeError(Exception):
    """The first error the Go JSON decoder saves; it wins over strict errors."""


def _json_kind(value) -> str:
    """The JSON kind Go's decoder names in UnmarshalTypeError."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, (int, float)):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _resolve(node: dict) -> tuple[str | None, dict]:
    """Follow a ``$ref``: (definition name, definition) or (None, node)."""
    ref = node.get("$ref")
    if ref:
        name = schema.ref_name(ref)
        return name, schema.definitions().get(name, {})
    return None, node


def _type_of(node: dict) -> str | None:
    t = node.get("type")
    if isinstance(t, list):
        t = next((x for x in t if x != "null"), None)
    return t


_EMPTY: dict = {}  # the schema of an array without ``items``: any value


def _shape(node: dict) -> tuple[str | None, dict, str | None]:
    """``(definition name, resolved node, type)`` of a schema node, worked out once per node.

    Both walks below visit the same few hundred schema nodes for every object written, so
    the answer is kept by ``id(node)``.  Only nodes of the static schema (and ``_EMPTY``)
    are ever passed in, so the ids stay valid; the node itself is kept with its answer."""
    entry = _SHAPES.get(id(node))
    if entry is None or entry[0] is not node:
        name, d = _resolve(node)
        entry = _SHAPES[id(node)] = (node, name, d, _type_of(d))
    return entry[1], entry[2], entry[3]


_SHAPES: dict[int, tuple] = {}


def _go_type(node: dict) -> str:
    """The Go type string of a schema node, as UnmarshalTypeError prints it."""
    name, d = _resolve(node)
    if name:
        if name == _INT_OR_STRING:
            return "intstr.IntOrString"
        pkg, _, short = name.rpartition(".")
        return f"{pkg.rpartition('.')[2]}.{short}"
    t = _type_of(d)
    if t == "integer":
        return d.get("format", "int64") if d.get("format") in _INT_RANGES else "int"
    if t == "number":
        return "float64"
    if t == "boolean":
        return "bool"
    if t == "string":
        return "[]uint8" if d.get("format") == "byte" else "string"
    if t == "array":
        return "[]" + _go_type(d.get("items", {}))
    if t == "object" and "additionalProperties" in d:
        return "map[string]" + _go_type(d["additionalProperties"])
    return "interface {}"


class _Decoder:
    """Walks an object along its schema the way the Go decoder would."""

    def __init__(self, prune: bool):
        self.prune = prune
        self.unknown: list[str] = []

    def type_error(self, value, struct: str, json_path: list[str], node: dict, literal: str = ""):
        what = _json_kind(value) + (f" {literal}" if literal else "")
        raise _DecodeError(f"json: cannot unmarshal {what} into Go struct field "
                           f"{struct}.{'.'.join(json_path)} of type {_go_type(node)}")

    def walk(self, value, node: dict, struct: str, json_path: list[str], path: str):
        """Check ``value`` against ``node``; ``struct`` is the enclosing Go struct."""
        if value is None:
            return
        name, d, t = _shape(node)
        if name == _INT_OR_STRING:
            if not isinstance(value, str) and (isinstance(value, bool) or not isinstance(value, int)):
                raise _DecodeError(f"json: cannot unmarshal {_json_kind(value)} into Go value of type int32")
            return
        if name == _QUANTITY:
            text = value if isinstance(value, str) else str(value)
            if isinstance(value, bool) or not isinstance(value, (str, int, float)) or not _QUANTITY_RE.match(text):
                raise _DecodeError(_QUANTITY_ERR)
            return
        if name and t == "string":  # metav1.Time and friends unmarshal a string themselves
            if not isinstance(value, str):
                raise _DecodeError(f"json: cannot unmarshal {_json_kind(value)} into Go value of type string")
            return
        if t == "object" and "properties" in d:
            if not isinstance(value, dict):
                self.type_error(value, struct, json_path, node)
            self.walk_struct(value, d, name.rpartition(".")[2] if name else struct, json_path, path)
        elif t == "object" and "additionalProperties" in d:
            if not isinstance(value, dict):
                self.type_error(value, struct, json_path, node)
            for key, item in value.items():
                self.walk(item, d["additionalProperties"], struct, json_path, f"{path}[{key}]")
        elif t == "array":
            if not isinstance(value, list):
                self.type_error(value, struct, json_path, node)
            items = d.get("items", _EMPTY)
            for i, item in enumerate(value):
                if item is None:  # Go decodes a null element to the zero value: {} for a struct, "" for a string
                    iname, di, ti = _shape(items)
                    if ti == "object" and "properties" in di:
                        item = value[i] = {}
                    elif ti == "string" and not iname:
                        item = value[i] = ""
                self.walk(item, items, struct, json_path, f"{path}[{i}]")
        elif t == "string":
            if not isinstance(value, str):
                self.type_error(value, struct, json_path, node)
            if d.get("format") == "byte":
                position = _base64_error(value)
                if position is not None:
                    raise _DecodeError(f"illegal base64 data at input byte {position}")
        elif t == "boolean":
            if not isinstance(value, bool):
                self.type_error(value, struct, json_path, node)
        elif t == "integer":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.type_error(value, struct, json_path, node)
            low, high = _INT_RANGES.get(_go_type(node), _INT_RANGES["int64"])
            if isinstance(value, float) or not low <= value <= high:
                self.type_error(value, struct, json_path, node, literal=repr(value))
        elif t == "number":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                self.type_error(value, struct, json_path, node)
        # anything else (RawExtension, FieldsV1, JSON) takes any value

    def walk_struct(self, value: dict, d: dict, struct: str, json_path: list[str], path: str):
        props = d["properties"]
        for key in list(value):
            child = f"{path}.{key}" if path else key
            if key not in props:
                self.unknown.append(child)
                if self.prune:
                    del value[key]
                continue
            self.walk(value[key], props[key], struct, json_path + [key], child)


def _base64_error(text: str) -> int | None:
    """Where Go's base64.StdEncoding would fail on ``text``, or None."""
    alphabet = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
    chars = [(i, c) for i, c in enumerate(text) if c not in "\r\n"]
    for q in range(0, len(chars), 4):
        quantum = chars[q:q + 4]
        for j, (i, c) in enumerate(quantum):
            if c == "=":
                pads = [c2 for _, c2 in quantum[j:]]
                if j < 2 or len(quantum) != 4 or any(p != "=" for p in pads) or q + 4 != len(chars):
                    return i
                return None
            if c not in alphabet:
                return i
        if len(quantum) < 4:
            return quantum[0][0]
    return None


def decode_check(obj: dict, info: ResourceInfo, field_validation: str = STRICT) -> list[str]:
    """Stage 1 alone: raise a 400 like the decoder, or return unknown-field warnings."""
    definition = schema.definition_name(info.group, info.version, info.kind)
    if definition is None:
        return []
    decoder = _Decoder(prune=field_validation != STRICT)
    try:
        decoder.walk_struct(obj, schema.definitions()[definition], info.kind, [], "")
    except _DecodeError as e:
        raise _cannot_handle(info, str(e)) from None
    unknown = [f'unknown field "{p}"' for p in decoder.unknown]
    if field_validation == STRICT and unknown:
        raise _cannot_handle(info, "strict decoding error: " + ", ".join(unknown))
    return unknown if field_validation == WARN else []


def _cannot_handle(info: ResourceInfo, detail: str) -> StatusError:
    return errors.bad_request(f'{info.kind} in version "{info.version}" cannot be handled as a {info.kind}: {detail}')


# =========================================================================
# Stage 2: validation
# =========================================================================

def _go_literal(value) -> str:
    """``%#v`` of the Go value a map or selector becomes."""
    if isinstance(value, dict):
        inner = ", ".join(f"{_quote(k)}:{_quote(v)}" for k, v in sorted(value.items()))
        return "map[string]string{" + inner + "}"
    if value is None:
        return "map[string]string(nil)"
    return _quote(value)


def _quote(s) -> str:
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


class GoValueError(FieldError):
    """A field.Error whose bad value is a Go map or struct, printed with %#v."""

    def body(self) -> str:
        s = f"{self.type}: {self.bad_value}"
        return s + (f": {self.detail}" if self.detail else "")


def _required(path: str, detail: str = "") -> FieldError:
    return FieldError("Required value", path, None, detail)


def _invalid(path: str, value, detail: str) -> FieldError:
    return FieldError("Invalid value", path, value, detail)


def _not_supported(path: str, value, supported) -> FieldError:
    return FieldError("Unsupported value", path, value,
                      "supported values: " + ", ".join(_quote(v) for v in supported))


def _dns1123_label(value: str, path: str) -> list[FieldError]:
    return [_invalid(path, value, m) for m in names.is_dns1123_label(value)]


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


# --- metadata (ValidateObjectMeta) ---

def validate_object_meta(meta: dict, info: ResourceInfo, path: str = "metadata") -> list[FieldError]:
    errs = []
    if path == "metadata":
        errs += names.validate_name(info, meta.get("name") or "", meta.get("generateName"))
    errs += names.validate_labels(_dict(meta.get("labels")), f"{path}.labels")
    errs += names.validate_annotations(_dict(meta.get("annotations")), f"{path}.annotations")
    return errs


# --- label selectors (metav1validation.ValidateLabelSelector) ---

_SELECTOR_OPERATORS = ("In", "NotIn", "Exists", "DoesNotExist")


def validate_label_selector(selector: dict, path: str) -> list[FieldError]:
    errs = []
    for i, req in enumerate(_list(selector.get("matchExpressions"))):
        rpath = f"{path}.matchExpressions[{i}]"
        op, values = req.get("operator"), req.get("values") or []
        if op in ("In", "NotIn") and not values:
            errs.append(_required(f"{rpath}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif op in ("Exists", "DoesNotExist") and values:
            errs.append(FieldError("Forbidden", f"{rpath}.values", None,
                                   "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"))
        elif op not in _SELECTOR_OPERATORS:
            errs.append(_invalid(f"{rpath}.operator", op, "not a valid selector operator"))
        errs += names.validate_label_key(req.get("key") or "", f"{rpath}.key")
    errs += names.validate_labels(_dict(selector.get("matchLabels")), f"{path}.matchLabels")
    return errs


def selector_matches(selector: dict, labels: dict) -> bool:
    """LabelSelectorAsSelector(selector).Matches(labels)."""
    for key, value in _dict(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for req in _list(selector.get("matchExpressions")):
        key, op, values = req.get("key"), req.get("operator"), req.get("values") or []
        if op == "In" and labels.get(key) not in values:
            return False
        if op == "NotIn" and key in labels and labels[key] in values:
            return False
        if op == "Exists" and key not in labels:
            return False
        if op == "DoesNotExist" and key in labels:
            return False
    return True


def _selector_literal(selector: dict) -> str:
    labels = selector.get("matchLabels")
    match_labels = _go_literal(labels) if labels is not None else "map[string]string(nil)"
    return (f"v1.LabelSelector{{MatchLabels:{match_labels}, "
            f"MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}")


# --- pods (pkg/apis/core/validation) ---

_PORT_PROTOCOLS = ("SCTP", "TCP", "UDP")  # sets.List: sorted
_RESTART_POLICIES = ("Always", "OnFailure", "Never")
_PULL_POLICIES = ("Always", "IfNotPresent", "Never")
_DNS_POLICIES = ("ClusterFirstWithHostNet", "ClusterFirst", "Default", "None")


def _validate_container_ports(ports: list, path: str) -> list[FieldError]:
    errs = []
    seen = set()
    for i, port in enumerate(ports):
        ppath = f"{path}[{i}]"
        port = _dict(port)
        pname = port.get("name") or ""
        if pname:
            msgs = names.is_valid_port_name(pname)
            errs += [_invalid(f"{ppath}.name", pname, m) for m in msgs]
            if not msgs and pname in seen:
                errs.append(FieldError("Duplicate value", f"{ppath}.name", pname))
            seen.add(pname)
        number = port.get("containerPort") or 0
        if number == 0:
            errs.append(_required(f"{ppath}.containerPort"))
        else:
            errs += [_invalid(f"{ppath}.containerPort", number, m) for m in names.is_valid_port_num(number)]
        host = port.get("hostPort") or 0
        if host:
            errs += [_invalid(f"{ppath}.hostPort", host, m) for m in names.is_valid_port_num(host)]
        protocol = port.get("protocol")
        if protocol is not None and protocol not in _PORT_PROTOCOLS:
            errs.append(_not_supported(f"{ppath}.protocol", protocol, _PORT_PROTOCOLS))
    return errs


def _validate_env(env: list, path: str) -> list[FieldError]:
    errs = []
    for i, var in enumerate(env):
        if not _dict(var).get("name"):
            errs.append(_required(f"{path}[{i}].name"))
    return errs


def _validate_container(ctr: dict, path: str) -> list[FieldError]:
    errs = []
    cname = ctr.get("name") or ""
    if not cname:
        errs.append(_required(f"{path}.name"))
    else:
        errs += _dns1123_label(cname, f"{path}.name")
    image = ctr.get("image") or ""
    if not image:
        errs.append(_required(f"{path}.image"))
    elif image.strip() != image:
        errs.append(_invalid(f"{path}.image", image, "must not have leading or trailing whitespace"))
    errs += _validate_container_ports(_list(ctr.get("ports")), f"{path}.ports")
    errs += _validate_env(_list(ctr.get("env")), f"{path}.env")
    policy = ctr.get("imagePullPolicy")
    if policy is not None and policy not in _PULL_POLICIES:
        errs.append(_not_supported(f"{path}.imagePullPolicy", policy, _PULL_POLICIES))
    return errs


def _validate_containers(containers: list, path: str, seen: set, required: bool) -> list[FieldError]:
    errs = []
    if required and not containers:
        errs.append(_required(path))
    for i, ctr in enumerate(containers):
        ctr = _dict(ctr)
        errs += _validate_container(ctr, f"{path}[{i}]")
        cname = ctr.get("name") or ""
        if cname in seen:
            errs.append(FieldError("Duplicate value", f"{path}[{i}].name", cname))
        seen.add(cname)
    return errs


def _validate_volumes(volumes: list, path: str) -> list[FieldError]:
    errs = []
    seen = set()
    for i, vol in enumerate(volumes):
        vname = _dict(vol).get("name") or ""
        if not vname:
            errs.append(_required(f"{path}[{i}].name"))
        else:
            errs += _dns1123_label(vname, f"{path}[{i}].name")
            if vname in seen:
                errs.append(FieldError("Duplicate value", f"{path}[{i}].name", vname))
        seen.add(vname)
    return errs


def validate_pod_spec(spec: dict, path: str = "spec") -> list[FieldError]:
    errs = _validate_volumes(_list(spec.get("volumes")), f"{path}.volumes")
    seen: set = set()
    errs += _validate_containers(_list(spec.get("containers")), f"{path}.containers", seen, required=True)
    errs += _validate_containers(_list(spec.get("initContainers")), f"{path}.initContainers", seen, required=False)
    restart = spec.get("restartPolicy")
    if restart is not None and restart not in _RESTART_POLICIES:
        errs.append(_not_supported(f"{path}.restartPolicy", restart, _RESTART_POLICIES))
    dns = spec.get("dnsPolicy")
    if dns is not None and dns not in _DNS_POLICIES:
        errs.append(_not_supported(f"{path}.dnsPolicy", dns, _DNS_POLICIES))
    errs += names.validate_labels(_dict(spec.get("nodeSelector")), f"{path}.nodeSelector")
    return errs


def validate_pod_template(template: dict, path: str, info: ResourceInfo) -> list[FieldError]:
    errs = validate_object_meta(_dict(template.get("metadata")), info, f"{path}.metadata")
    return errs + validate_pod_spec(_dict(template.get("spec")), f"{path}.spec")


def _validate_pod(obj: dict, info: ResourceInfo) -> list[FieldError]:
    return validate_pod_spec(_dict(obj.get("spec")))


def _validate_pod_template_kind(obj: dict, info: ResourceInfo) -> list[FieldError]:
    return validate_pod_template(_dict(obj.get("template")), "template", info)


# --- workload controllers (pkg/apis/apps/validation, pkg/apis/batch/validation) ---

def _nonnegative(spec: dict, key: str, path: str) -> list[FieldError]:
    value = spec.get(key)
    if isinstance(value, int) and value < 0:
        return [_invalid(f"{path}.{key}", value, "must be greater than or equal to 0")]
    return []


def _validate_template_for_selector(spec: dict, selector: dict | None, path: str, info: ResourceInfo,
                                    restart_policies: tuple) -> list[FieldError]:
    template = _dict(spec.get("template"))
    labels = _dict(template.get("metadata")).get("labels")
    errs = []
    if selector and (selector.get("matchLabels") or selector.get("matchExpressions")):
        if not selector_matches(selector, _dict(labels)):
            errs.append(GoValueError("Invalid value", f"{path}.template.metadata.labels", _go_literal(labels),
                                     "`selector` does not match template `labels`"))
    errs += validate_pod_template(template, f"{path}.template", info)
    restart = _dict(template.get("spec")).get("restartPolicy") or "Always"  # defaulted
    if restart not in restart_policies:
        rpath = f"{path}.template.spec.restartPolicy"
        if restart_policies == _JOB_RESTART_POLICIES:
            # ValidateJobSpec words it as a Required value, even for "Always".
            errs.append(_required(rpath, "valid values: " + ", ".join(_quote(p) for p in restart_policies)))
        else:
            errs.append(_not_supported(rpath, restart, restart_policies))
    return errs


def _validate_selector(spec: dict, path: str, what: str) -> list[FieldError]:
    selector = spec.get("selector")
    if selector is None:
        return [_required(f"{path}.selector")]
    selector = _dict(selector)
    errs = validate_label_selector(selector, f"{path}.selector")
    if not selector.get("matchLabels") and not selector.get("matchExpressions"):
        errs.append(GoValueError("Invalid value", f"{path}.selector", _selector_literal(selector),
                                 f"empty selector is invalid for {what}"))
    return errs


def _workload(what: str):
    """ValidateDeploymentSpec / ValidateReplicaSetSpec / ValidateStatefulSetSpec / ValidateDaemonSetSpec."""

    def validate(obj: dict, info: ResourceInfo) -> list[FieldError]:
        spec = _dict(obj.get("spec"))
        errs = _nonnegative(spec, "replicas", "spec")
        errs += _validate_selector(spec, "spec", what)
        errs += _validate_template_for_selector(spec, _dict(spec.get("selector")), "spec", info, ("Always",))
        errs += _nonnegative(spec, "minReadySeconds", "spec")
        errs += _nonnegative(spec, "revisionHistoryLimit", "spec")
        return errs

    return validate


_JOB_RESTART_POLICIES = ("OnFailure", "Never")


def _validate_job_spec(spec: dict, path: str, info: ResourceInfo) -> list[FieldError]:
    errs = []
    for key in ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit"):
        errs += _nonnegative(spec, key, path)
    selector = spec.get("selector") if spec.get("manualSelector") else None
    if spec.get("manualSelector"):
        errs += _validate_selector(spec, path, "job")
    errs += _validate_template_for_selector(spec, selector, path, info, _JOB_RESTART_POLICIES)
    return errs


def _validate_job(obj: dict, info: ResourceInfo) -> list[FieldError]:
    return _validate_job_spec(_dict(obj.get("spec")), "spec", info)


def _validate_cron_job(obj: dict, info: ResourceInfo) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    errs = []
    if not spec.get("schedule"):
        errs.append(_required("spec.schedule"))
    policy = spec.get("concurrencyPolicy")
    if policy is not None and policy not in ("Allow", "Forbid", "Replace"):
        errs.append(_not_supported("spec.concurrencyPolicy", policy, ("Allow", "Forbid", "Replace")))
    template = _dict(spec.get("jobTemplate"))
    errs += validate_object_meta(_dict(template.get("metadata")), info, "spec.jobTemplate.metadata")
    return errs + _validate_job_spec(_dict(template.get("spec")), "spec.jobTemplate.spec", info)


# --- services ---

_SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")  # sets.List: sorted


def _validate_port_num_or_name(value, path: str) -> list[FieldError]:
    if isinstance(value, int):
        return [_invalid(path, value, m) for m in names.is_valid_port_num(value)]
    if isinstance(value, str) and value:
        return [_invalid(path, value, m) for m in names.is_valid_port_name(value)]
    return []


def _validate_service(obj: dict, info: ResourceInfo) -> list[FieldError]:
    spec = _dict(obj.get("spec"))
    ports = _list(spec.get("ports"))
    stype = spec.get("type") or "ClusterIP"
    errs = []
    if not ports and spec.get("clusterIP") != "None" and stype != "ExternalName":
        errs.append(_required("spec.ports"))
    seen = set()
    for i, port in enumerate(ports):
        ppath = f"spec.ports[{i}]"
        port = _dict(port)
        pname = port.get("name") or ""
        if len(ports) > 1 and not pname:
            errs.append(_required(f"{ppath}.name"))
        elif pname:
            errs += _dns1123_label(pname, f"{ppath}.name")
            if pname in seen:
                errs.append(FieldError("Duplicate value", f"{ppath}.name", pname))
            seen.add(pname)
        number = port.get("port") or 0
        errs += [_invalid(f"{ppath}.port", number, m) for m in names.is_valid_port_num(number)]
        protocol = port.get("protocol")
        if protocol is not None and protocol not in _PORT_PROTOCOLS:
            errs.append(_not_supported(f"{ppath}.protocol", protocol, _PORT_PROTOCOLS))
        errs += _validate_port_num_or_name(port.get("targetPort"), f"{ppath}.targetPort")
        node_port = port.get("nodePort")
        if node_port:
            errs += [_invalid(f"{ppath}.nodePort", node_port, m) for m in names.is_valid_port_num(node_port)]
    errs += names.validate_labels(_dict(spec.get("selector")), "spec.selector")
    if stype not in _SERVICE_TYPES:
        errs.append(_not_supported("spec.type", stype, _SERVICE_TYPES))
    return errs


# --- config maps, secrets, namespaces ---

def _validate_keys(data: dict, path: str, others: dict, other_name: str) -> list[FieldError]:
    errs = []
    for key in data:
        errs += [_invalid(f"{path}[{key}]", key, m) for m in names.is_config_map_key(key)]
        if key in others:
            errs.append(_invalid(f"{path}[{key}]", key, f"duplicate of key present in {other_name}"))
    return errs


def _validate_config_map(obj: dict, info: ResourceInfo) -> list[FieldError]:
    data, binary = _dict(obj.get("data")), _dict(obj.get("binaryData"))
    return _validate_keys(data, "data", {}, "") + _validate_keys(binary, "binaryData", data, "data")


_SECRET_REQUIRED_KEYS = {
    "kubernetes.io/tls": ("tls.crt", "tls.key"),
    "kubernetes.io/dockerconfigjson": (".dockerconfigjson",),
    "kubernetes.io/dockercfg": (".dockercfg",),
    "kubernetes.io/ssh-auth": ("ssh-privatekey",),
}


def _validate_secret(obj: dict, info: ResourceInfo) -> list[FieldError]:
    data = dict(_dict(obj.get("data")))
    data.update(_dict(obj.get("stringData")))  # the conversion merges stringData into data
    errs = _validate_keys(data, "data", {}, "")
    stype = obj.get("type") or "Opaque"
    for key in _SECRET_REQUIRED_KEYS.get(stype, ()):
        if key not in data:
            errs.append(_required(f"data[{key}]"))
    if stype == "kubernetes.io/service-account-token":
        if not _dict(_dict(obj.get("metadata")).get("annotations")).get("kubernetes.io/service-account.name"):
            errs.append(_required("metadata.annotations[kubernetes.io/service-account.name]"))
    return errs


def _validate_namespace(obj: dict, info: ResourceInfo) -> list[FieldError]:
    errs = []
    for i, fin in enumerate(_list(_dict(obj.get("spec")).get("finalizers"))):
        if fin != "kubernetes" and "/" not in fin:
            errs.append(_invalid(f"spec.finalizers[{i}]", fin,
                                 "name is neither a standard finalizer name nor is it fully qualified"))
    return errs


_VALIDATORS = {
    ("", "Pod"): _validate_pod,
    ("", "PodTemplate"): _validate_pod_template_kind,
    ("", "Service"): _validate_service,
    ("", "ConfigMap"): _validate_config_map,
    ("", "Secret"): _validate_secret,
    ("", "Namespace"): _validate_namespace,
    ("apps", "Deployment"): _workload("deployment"),
    ("apps", "ReplicaSet"): _workload("deployment"),  # sic: ValidateReplicaSetSpec says "deployment"
    ("apps", "StatefulSet"): _workload("statefulset"),
    ("apps", "DaemonSet"): _workload("daemonset"),
    ("batch", "Job"): _validate_job,
    ("batch", "CronJob"): _validate_cron_job,
}


# --- the schema's required fields, for everything the rules above do not cover ---

# Fields whose absence the hand-written rules report in their own words.
_COVERED_REQUIRED = {
    ("io.k8s.api.core.v1.Container", "name"),
    ("io.k8s.api.core.v1.ContainerPort", "containerPort"),
    ("io.k8s.api.core.v1.ServicePort", "port"),
    ("io.k8s.api.core.v1.EnvVar", "name"),
    ("io.k8s.api.core.v1.Volume", "name"),
    ("io.k8s.api.core.v1.PodSpec", "containers"),
    ("io.k8s.api.apps.v1.DeploymentSpec", "selector"),
    ("io.k8s.api.apps.v1.ReplicaSetSpec", "selector"),
    ("io.k8s.api.apps.v1.StatefulSetSpec", "selector"),
    ("io.k8s.api.apps.v1.DaemonSetSpec", "selector"),
    ("io.k8s.api.batch.v1.CronJobSpec", "schedule"),
}


def _required_fields(value, node: dict, path: str, top: bool, errs: list[FieldError]):
    name, d, t = _shape(node)
    if t == "object" and "properties" in d and isinstance(value, dict):
        for key in d.get("required", ()):
            if value.get(key) is None and (name, key) not in _COVERED_REQUIRED and not (top and key == "spec"):
                errs.append(_required(f"{path}.{key}" if path else key))
        for key, item in value.items():
            if key in d["properties"]:
                _required_fields(item, d["properties"][key], f"{path}.{key}" if path else key, False, errs)
    elif t == "array" and isinstance(value, list):
        for i, item in enumerate(value):
            _required_fields(item, d.get("items", _EMPTY), f"{path}[{i}]", False, errs)
    elif t == "object" and isinstance(d.get("additionalProperties"), dict) and isinstance(value, dict):
        for key, item in value.items():
            _required_fields(item, d["additionalProperties"], f"{path}[{key}]", False, errs)


@functools.lru_cache(maxsize=None)
def _ref_node(definition: str) -> dict:
    """A ``$ref`` to a definition, one node per definition (so that :func:`_shape` knows it)."""
    return {"$ref": schema.REF_PREFIX + definition}


def field_errors(obj: dict, info: ResourceInfo, subresource: str = "") -> list[FieldError]:
    """Stage 2 alone: every field.Error of the object, in kube-apiserver's order.

    A ``status`` update is checked as the status strategies' ValidateXStatusUpdate do: the
    metadata and the status only, since the spec is the stored one, validated when written."""
    errs = validate_object_meta(_dict(obj.get("metadata")), info)
    status_only = subresource == "status"
    rule = _VALIDATORS.get((info.group, info.kind))
    if rule is not None and not status_only:
        errs += rule(obj, info)
    definition = schema.definition_name(info.group, info.version, info.kind)
    if definition is not None:
        required: list[FieldError] = []
        if status_only:
            status_node = schema.definitions()[definition].get("properties", {}).get("status")
            if status_node is not None:
                _required_fields(obj.get("status"), status_node, "status", False, required)
        else:
            _required_fields(obj, _ref_node(definition), "", True, required)
        errs += required
    unique, seen = [], set()
    for e in errs:
        if str(e) not in seen:
            seen.add(str(e))
            unique.append(e)
    return unique


def validate(obj: dict, info: ResourceInfo, field_validation: str = STRICT) -> list[str]:
    """Decode-check then validate ``obj`` as kube-apiserver does on create and update.

    ``field_validation`` is the ``fieldValidation`` query parameter.  Returns the
    warnings to send back (unknown fields, with ``Warn``); with ``Warn`` and
    ``Ignore`` the unknown fields are removed from ``obj``.  Raises StatusError
    (400 BadRequest or 422 Invalid) when the object is rejected.
    """
    if field_validation not in (STRICT, WARN, IGNORE):
        raise errors.bad_request(f'fieldValidation must be one of "Ignore", "Strict", "Warn", got "{field_validation}"')
    warnings = decode_check(obj, info, field_validation)
    errs = field_errors(obj, info)
    if errs:
        name = _dict(obj.get("metadata")).get("name") or ""
        raise errors.invalid(info.kind, name, errs, info.group)
    return warnings
