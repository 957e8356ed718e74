"""API defaulting: the fields kube-apiserver fills in that the user did not write.

Mirrors the v1.37 defaulting functions (``pkg/apis/core/v1/defaults.go``,
``pkg/apis/apps/v1/defaults.go``, ``pkg/apis/batch/v1/defaults.go``,
``pkg/apis/discovery/v1/defaults.go`` and the generated
``zz_generated.defaults.go`` that walks every nested struct), together with
the parts of kube-apiserver's create path that have the same visible effect:

* the registry strategies' ``PrepareForCreate`` (a new Pod's ``status.phase``
  and ``status.qosClass``, a new Namespace's ``kubernetes`` finalizer, a Job's
  generated selector and labels);
* the IP-family defaulting of the Service REST storage (single-stack IPv4);
* the mutating admission plugins enabled by default that need no lookups:
  ``Priority`` (for pods without a custom PriorityClass),
  ``DefaultTolerationSeconds`` and the name part of ``ServiceAccount``;
* Go's JSON encoding, which writes some zero values (``resources: {}``,
  ``status.loadBalancer: {}``, ``replicas: 0``) that a Python dict would omit;
* Quantity canonicalisation (``cpu: 0.5`` is stored as ``500m``).

``pod_qos_class`` mirrors ``pkg/apis/core/helper/qos`` (``ComputePodQOS``).
"""

from __future__ import annotations

import math
import re
from fractions import Fraction

from kernelsim.api.resources import ResourceInfo

__all__ = ["apply_defaults", "pod_qos_class", "canonical_quantity", "quantity_value", "image_tag"]

DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS = 30
DEFAULT_SCHEDULER_NAME = "default-scheduler"
DEFAULT_MODE = 0o644  # 420: configMap, secret, downwardAPI and projected volumes
DEFAULT_CLIENT_IP_AFFINITY_SECONDS = 10800
DEFAULT_TOLERATION_SECONDS = 300
SERVICE_ACCOUNT_TOKEN_EXPIRATION = 3600
MAX_INT32 = 2**31 - 1

# Built-in PriorityClasses that every cluster has (scheduling/v1).
SYSTEM_PRIORITY_CLASSES = {
    "system-cluster-critical": 2000000000,
    "system-node-critical": 2000001000,
}


def apply_defaults(obj: dict, info: ResourceInfo, *, create: bool | None = None) -> None:
    """Fill in, in place, the fields kube-apiserver would default for ``obj``.

    Idempotent, and never overwrites a value the user gave.  Call it after
    the types were validated and before the object is stored, on create and
    on update.  ``create`` tells a create from an update; some steps happen
    only on create (a Namespace's ``kubernetes`` finalizer, which the
    namespace controller later removes, and a Job's generated selector).
    When ``create`` is None it is inferred: kube-apiserver refuses a
    ``resourceVersion`` on create, so an object without one is being created.
    A Job's generated labels use ``metadata.uid``, so set the uid first.
    """
    if create is None:
        create = not (obj.get("metadata") or {}).get("resourceVersion")
    defaulter = _DEFAULTERS.get((info.group, info.kind))
    if defaulter is not None:
        defaulter(obj, info, create)


# ---------------------------------------------------------------------------
# Small helpers with Go's notion of "unset".


def _unset(value) -> bool:
    """A nil pointer, a missing key or JSON null."""
    return value is None


def _default(d: dict, key: str, value) -> None:
    """Default a pointer field: only a missing or null value is replaced."""
    if _unset(d.get(key)):
        d[key] = value


def _default_str(d: dict, key: str, value: str) -> None:
    """Default a plain string field: "" counts as unset, as in Go."""
    if d.get(key) in (None, ""):
        d[key] = value


def _default_nonzero(d: dict, key: str, value: int) -> None:
    """Default a plain integer field: 0 counts as unset, as in Go."""
    if d.get(key) in (None, 0):
        d[key] = value


def _dict(d: dict, key: str) -> dict:
    """The nested object at ``key``, created empty when missing or null."""
    if not isinstance(d.get(key), dict):
        d[key] = {}
    return d[key]


def _items(d: dict | None, key: str) -> list:
    """The list at ``key`` (only its dict items), or [] when missing or null."""
    if not isinstance(d, dict):
        return []
    value = d.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# ---------------------------------------------------------------------------
# Quantities (k8s.io/apimachinery/pkg/api/resource).

_QUANTITY_RE = re.compile(r"^([+-]?(?:\d+\.?\d*|\.\d+))(.*)$")
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_BY_EXPONENT = {e: s for s, e in _DECIMAL_SUFFIXES.items()}
_BINARY_BY_SHIFT = {0: "", **{shift: s for s, shift in _BINARY_SUFFIXES.items()}}


def _parse_quantity(text) -> tuple[Fraction, str] | None:
    """(value, format) of a quantity, format being BinarySI, DecimalSI or DecimalExponent."""
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        return Fraction(str(text)), "DecimalSI"
    if not isinstance(text, str):
        return None
    match = _QUANTITY_RE.match(text.strip())
    if not match:
        return None
    number, suffix = Fraction(match.group(1)), match.group(2)
    if suffix in _BINARY_SUFFIXES:
        return number * 2 ** _BINARY_SUFFIXES[suffix], "BinarySI"
    if suffix in _DECIMAL_SUFFIXES:
        return number * Fraction(10) ** _DECIMAL_SUFFIXES[suffix], "DecimalSI"
    exp = re.fullmatch(r"[eE]([+-]?\d+)", suffix)
    if exp:
        return number * Fraction(10) ** int(exp.group(1)), "DecimalExponent"
    return None


def quantity_value(text) -> Fraction | None:
    """The exact value of a quantity such as ``500m`` or ``1Gi``; None if it does not parse."""
    parsed = _parse_quantity(text)
    return parsed[0] if parsed else None


def _round_up(value: Fraction, scale: int) -> Fraction:
    """Round away from zero to a multiple of 10**scale (Quantity.RoundUp)."""
    unit = Fraction(10) ** scale
    steps = value / unit
    rounded = math.ceil(steps) if value >= 0 else math.floor(steps)
    return rounded * unit


def _format_decimal(value: Fraction, exponent_form: bool) -> str:
    if value == 0:
        return "0"
    value = _round_up(value, -9)  # nothing is kept below nano precision
    exponent = -9
    while exponent < 18 and (value / Fraction(10) ** (exponent + 3)).denominator == 1:
        exponent += 3
    mantissa = int(value / Fraction(10) ** exponent)
    if exponent_form:
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    return f"{mantissa}{_DECIMAL_BY_EXPONENT[exponent]}"


def _format_quantity(value: Fraction, fmt: str) -> str:
    """The canonical text of a quantity, as Quantity.String() writes it."""
    if fmt == "BinarySI" and (-1024 < value < 1024 or value.denominator != 1):
        fmt = "DecimalSI"
    if fmt == "BinarySI":
        mantissa, shift = int(value), 0
        while shift < 60 and mantissa % 1024 == 0:
            mantissa //= 1024
            shift += 10
        return f"{mantissa}{_BINARY_BY_SHIFT[shift]}"
    return _format_decimal(value, fmt == "DecimalExponent")


_CANONICAL: dict[tuple, str] = {}


def canonical_quantity(text, round_to_milli: bool = False):
    """:func:`_canonical_quantity`, remembered for string quantities (every Node status update
    and every pod carries the same few)."""
    if type(text) is not str:
        return _canonical_quantity(text, round_to_milli)
    key = (text, round_to_milli)
    out = _CANONICAL.get(key)
    if out is None:
        if len(_CANONICAL) > 10000:
            _CANONICAL.clear()
        out = _CANONICAL[key] = _canonical_quantity(text, round_to_milli)
    return out


def _canonical_quantity(text, round_to_milli: bool = False):
    """The canonical form kube-apiserver stores a quantity in (``0.5`` -> ``500m``,
    ``2048Mi`` -> ``2Gi``).  With ``round_to_milli`` the value is first rounded
    up to milli precision, as ``SetDefaults_ResourceList`` does.  Text that
    does not parse is returned unchanged (validation reports it)."""
    parsed = _parse_quantity(text)
    if parsed is None:
        return text
    value, fmt = parsed
    if round_to_milli:
        value = _round_up(value, -3)
    return _format_quantity(value, fmt)


def _default_resource_list(d: dict, key: str) -> None:
    """SetDefaults_ResourceList: round up to milli precision, keep the canonical text."""
    resources = d.get(key)
    if isinstance(resources, dict):
        for name, quantity in resources.items():
            resources[name] = canonical_quantity(quantity, round_to_milli=True)


# ---------------------------------------------------------------------------
# QoS (pkg/apis/core/helper/qos).

_QOS_RESOURCES = ("cpu", "memory")


def _resource_qos(requirements: dict, name: str) -> str:
    request = quantity_value((requirements.get("requests") or {}).get(name, 0)) or Fraction(0)
    limit = quantity_value((requirements.get("limits") or {}).get(name, 0)) or Fraction(0)
    if request != limit:
        return "Burstable"
    return "BestEffort" if request == 0 else "Guaranteed"


def _requirements_qos(requirements: dict | None) -> str:
    requirements = requirements or {}
    if not requirements.get("requests") and not requirements.get("limits"):
        return "BestEffort"
    classes = {_resource_qos(requirements, name) for name in _QOS_RESOURCES}
    return classes.pop() if len(classes) == 1 else "Burstable"


def pod_qos_class(pod_spec: dict) -> str:
    """The QoS class of a pod: Guaranteed, Burstable or BestEffort.

    Pod-level ``resources``, when present, decide alone.  Otherwise each init
    and regular container is classed by its cpu and memory: Guaranteed when
    requests equal non-zero limits for both, BestEffort when neither is set,
    and the pod is Burstable as soon as the containers' classes differ.
    """
    if isinstance(pod_spec.get("resources"), dict):
        return _requirements_qos(pod_spec["resources"])
    classes = {
        _requirements_qos(container.get("resources"))
        for container in _items(pod_spec, "initContainers") + _items(pod_spec, "containers")
    }
    if not classes:
        return "BestEffort"
    return classes.pop() if len(classes) == 1 else "Burstable"


# ---------------------------------------------------------------------------
# Containers, probes and volumes (SetDefaults_Container, _Probe, _Volume, ...).

_REPOSITORY_RE = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$")
_DOMAIN_RE = re.compile(r"^(?:[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)*|\[[0-9a-fA-F:]+\])(?::\d+)?$")
_TAG_RE = re.compile(r"^[\w][\w.-]{0,127}$")


def image_tag(image: str) -> str:
    """The tag of an image reference as kubelet's ParseImageName sees it:
    ``latest`` when there is neither tag nor digest, "" when the reference
    only has a digest or does not parse."""
    if not isinstance(image, str) or not image:
        return ""
    name, has_digest, _digest = image.partition("@")
    slash = name.rfind("/")
    tag = ""
    if ":" in name[slash + 1:]:
        name, tag = name.rsplit(":", 1)
        if not _TAG_RE.match(tag):
            return ""
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        if not _DOMAIN_RE.match(first):
            return ""
        name = rest
    if not _REPOSITORY_RE.match(name):
        return ""
    if tag:
        return tag
    return "" if has_digest else "latest"


def _default_http_get(action: dict | None) -> None:
    if isinstance(action, dict):
        _default_str(action, "path", "/")
        _default_str(action, "scheme", "HTTP")


def _default_probe(probe) -> None:
    if not isinstance(probe, dict):
        return
    _default_nonzero(probe, "timeoutSeconds", 1)
    _default_nonzero(probe, "periodSeconds", 10)
    _default_nonzero(probe, "successThreshold", 1)
    _default_nonzero(probe, "failureThreshold", 3)
    _default_http_get(probe.get("httpGet"))
    if isinstance(probe.get("grpc"), dict):
        _default(probe["grpc"], "service", "")


def _default_field_ref(ref) -> None:
    if isinstance(ref, dict):
        _default_str(ref, "apiVersion", "v1")


def _default_container(container: dict) -> None:
    """SetDefaults_Container plus what the generated defaulter does for its parts."""
    if container.get("imagePullPolicy") in (None, ""):
        container["imagePullPolicy"] = "Always" if image_tag(container.get("image")) == "latest" else "IfNotPresent"
    _default_str(container, "terminationMessagePath", "/dev/termination-log")
    _default_str(container, "terminationMessagePolicy", "File")
    for port in _items(container, "ports"):
        _default_str(port, "protocol", "TCP")
    for env in _items(container, "env"):
        value_from = env.get("valueFrom")
        if isinstance(value_from, dict):
            _default_field_ref(value_from.get("fieldRef"))
            if isinstance(value_from.get("fileKeyRef"), dict):
                _default(value_from["fileKeyRef"], "optional", False)
    resources = _dict(container, "resources")  # a struct: Go always writes "resources: {}"
    _default_resource_list(resources, "limits")
    _default_resource_list(resources, "requests")
    for probe in ("livenessProbe", "readinessProbe", "startupProbe"):
        _default_probe(container.get(probe))
    lifecycle = container.get("lifecycle")
    if isinstance(lifecycle, dict):
        for hook in ("postStart", "preStop"):
            if isinstance(lifecycle.get(hook), dict):
                _default_http_get(lifecycle[hook].get("httpGet"))


def _default_pvc_spec(spec) -> None:
    """SetDefaults_PersistentVolumeClaimSpec."""
    if not isinstance(spec, dict):
        return
    _default(spec, "volumeMode", "Filesystem")
    resources = spec.get("resources")
    if isinstance(resources, dict):
        _default_resource_list(resources, "limits")
        _default_resource_list(resources, "requests")


def _default_rbd(source) -> None:
    if isinstance(source, dict):
        _default_str(source, "pool", "rbd")
        _default_str(source, "user", "admin")
        _default_str(source, "keyring", "/etc/ceph/keyring")


def _default_iscsi(source) -> None:
    if isinstance(source, dict):
        _default_str(source, "iscsiInterface", "default")


def _default_azure_disk(source) -> None:
    if isinstance(source, dict):
        _default(source, "cachingMode", "ReadWrite")
        _default(source, "fsType", "ext4")
        _default(source, "readOnly", False)
        _default(source, "kind", "Shared")


def _default_scale_io(source) -> None:
    if isinstance(source, dict):
        _default_str(source, "storageMode", "ThinProvisioned")
        _default_str(source, "fsType", "xfs")


def _default_host_path(source) -> None:
    if isinstance(source, dict):
        _default(source, "type", "")


def _default_volume(volume: dict) -> None:
    """SetDefaults_Volume and the defaults of each volume source."""
    if not any(value is not None for key, value in volume.items() if key != "name"):
        volume["emptyDir"] = {}
    image = volume.get("image")
    if isinstance(image, dict) and image.get("pullPolicy") in (None, ""):
        image["pullPolicy"] = "Always" if image_tag(image.get("reference")) == "latest" else "IfNotPresent"
    _default_host_path(volume.get("hostPath"))
    for source in ("secret", "configMap", "downwardAPI", "projected"):
        if isinstance(volume.get(source), dict):
            _default(volume[source], "defaultMode", DEFAULT_MODE)
    if isinstance(volume.get("downwardAPI"), dict):
        for item in _items(volume["downwardAPI"], "items"):
            _default_field_ref(item.get("fieldRef"))
    if isinstance(volume.get("projected"), dict):
        for source in _items(volume["projected"], "sources"):
            if isinstance(source.get("downwardAPI"), dict):
                for item in _items(source["downwardAPI"], "items"):
                    _default_field_ref(item.get("fieldRef"))
            if isinstance(source.get("serviceAccountToken"), dict):
                _default(source["serviceAccountToken"], "expirationSeconds", SERVICE_ACCOUNT_TOKEN_EXPIRATION)
    if isinstance(volume.get("emptyDir"), dict) and "sizeLimit" in volume["emptyDir"]:
        volume["emptyDir"]["sizeLimit"] = canonical_quantity(volume["emptyDir"]["sizeLimit"])
    _default_iscsi(volume.get("iscsi"))
    _default_rbd(volume.get("rbd"))
    _default_azure_disk(volume.get("azureDisk"))
    _default_scale_io(volume.get("scaleIO"))
    ephemeral = volume.get("ephemeral")
    if isinstance(ephemeral, dict) and isinstance(ephemeral.get("volumeClaimTemplate"), dict):
        _default_pvc_spec(ephemeral["volumeClaimTemplate"].get("spec"))


def _all_containers(spec: dict) -> list:
    return _items(spec, "initContainers") + _items(spec, "containers") + _items(spec, "ephemeralContainers")


def _default_pod_spec(spec: dict) -> None:
    """SetDefaults_PodSpec and the nested defaults: what every pod template gets."""
    _default_str(spec, "dnsPolicy", "ClusterFirst")
    _default_str(spec, "restartPolicy", "Always")
    _default(spec, "securityContext", {})
    _default(spec, "terminationGracePeriodSeconds", DEFAULT_TERMINATION_GRACE_PERIOD_SECONDS)
    _default_str(spec, "schedulerName", DEFAULT_SCHEDULER_NAME)
    # v1 conversion keeps the deprecated serviceAccount field in step.
    if spec.get("serviceAccountName") in (None, "") and spec.get("serviceAccount"):
        spec["serviceAccountName"] = spec["serviceAccount"]
    if spec.get("serviceAccountName"):
        spec["serviceAccount"] = spec["serviceAccountName"]
    for volume in _items(spec, "volumes"):
        _default_volume(volume)
    for container in _all_containers(spec):
        _default_container(container)
    _default_resource_list(spec, "overhead")
    if isinstance(spec.get("resources"), dict):
        _default_resource_list(spec["resources"], "limits")
        _default_resource_list(spec["resources"], "requests")


def _default_pod_template(template) -> None:
    """A PodTemplateSpec inside a workload: pod spec defaults, no status."""
    if isinstance(template, dict):
        _default_pod_spec(_dict(template, "spec"))


# ---------------------------------------------------------------------------
# Pod (SetDefaults_Pod, the pod strategy and the pod admission plugins).


def _default_requests_from_limits(container: dict) -> None:
    resources = container.get("resources") or {}
    limits = resources.get("limits")
    if isinstance(limits, dict) and limits:
        requests = _dict(resources, "requests")
        for name, value in limits.items():
            requests.setdefault(name, value)


def _aggregate_container_requests(spec: dict) -> dict:
    """Effective pod requests of the containers: the sum of regular and sidecar
    containers, or the largest init container if that is larger."""
    total: dict[str, Fraction] = {}
    sidecars: dict[str, Fraction] = {}
    init_peak: dict[str, Fraction] = {}
    for container in _items(spec, "initContainers"):
        requests = (container.get("resources") or {}).get("requests") or {}
        for name, value in requests.items():
            amount = quantity_value(value) or Fraction(0)
            if container.get("restartPolicy") == "Always":
                sidecars[name] = sidecars.get(name, Fraction(0)) + amount
                total[name] = total.get(name, Fraction(0)) + amount
            else:
                init_peak[name] = max(init_peak.get(name, Fraction(0)), sidecars.get(name, Fraction(0)) + amount)
    for container in _items(spec, "containers"):
        requests = (container.get("resources") or {}).get("requests") or {}
        for name, value in requests.items():
            total[name] = total.get(name, Fraction(0)) + (quantity_value(value) or Fraction(0))
    for name, peak in init_peak.items():
        total[name] = max(total.get(name, Fraction(0)), peak)
    return total


def _default_pod_level_requests(spec: dict) -> None:
    """defaultPodRequests: with pod-level limits, missing pod-level cpu/memory
    requests come from the containers' requests, else from the pod limits."""
    resources = spec.get("resources")
    if not isinstance(resources, dict) or not resources.get("limits"):
        return
    requests = dict(resources.get("requests") or {})
    for name, amount in _aggregate_container_requests(spec).items():
        if name in _QOS_RESOURCES and name not in requests:
            requests[name] = _format_quantity(amount, "BinarySI" if name == "memory" else "DecimalSI")
    for name, value in resources["limits"].items():
        if (name in _QOS_RESOURCES or name.startswith("hugepages-")) and name not in requests:
            requests[name] = value
    if requests:
        resources["requests"] = requests


def _default_host_network_ports(spec: dict) -> None:
    if spec.get("hostNetwork"):
        for container in _items(spec, "initContainers") + _items(spec, "containers"):
            for port in _items(container, "ports"):
                _default_nonzero(port, "hostPort", port.get("containerPort"))


def _admit_priority(spec: dict) -> None:
    """The Priority admission plugin, for pods without a custom PriorityClass
    (those need a PriorityClass lookup, which is the apiserver's job)."""
    class_name = spec.get("priorityClassName") or ""
    if class_name and class_name not in SYSTEM_PRIORITY_CLASSES:
        return
    _default(spec, "priority", SYSTEM_PRIORITY_CLASSES.get(class_name, 0))
    _default(spec, "preemptionPolicy", "PreemptLowerPriority")


def _tolerates(tolerations: list, key: str) -> bool:
    return any(
        t.get("key") in (key, None, "") and t.get("effect") in ("NoExecute", None, "")
        for t in tolerations
    )


def _admit_default_toleration_seconds(spec: dict) -> None:
    """The DefaultTolerationSeconds admission plugin: tolerate the not-ready and
    unreachable NoExecute taints for 300 seconds unless the pod says otherwise."""
    tolerations = _items(spec, "tolerations")
    added = []
    for key in ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"):
        if not _tolerates(tolerations, key):
            added.append({"effect": "NoExecute", "key": key, "operator": "Exists",
                          "tolerationSeconds": DEFAULT_TOLERATION_SECONDS})
    if added:
        spec["tolerations"] = list(spec.get("tolerations") or []) + added


def _default_pod(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    # SetDefaults_Pod: only real pods, not templates.
    for container in _items(spec, "initContainers") + _items(spec, "containers"):
        _default_requests_from_limits(container)
    _default_pod_level_requests(spec)
    _default(spec, "enableServiceLinks", True)
    _default_host_network_ports(spec)
    _default_pod_spec(spec)
    # Admission (Priority, DefaultTolerationSeconds, ServiceAccount's name).
    _admit_priority(spec)
    _admit_default_toleration_seconds(spec)
    _default_str(spec, "serviceAccountName", "default")
    spec["serviceAccount"] = spec["serviceAccountName"]
    # The pod strategy's PrepareForCreate.
    status = _dict(obj, "status")
    _default_str(status, "phase", "Pending")
    _default_str(status, "qosClass", pod_qos_class(spec))


def _default_pod_template_object(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default_pod_template(obj.get("template"))


# ---------------------------------------------------------------------------
# Other core/v1 kinds.


def _externally_accessible(spec: dict) -> bool:
    kind = spec.get("type")
    return kind in ("LoadBalancer", "NodePort") or (kind == "ClusterIP" and bool(spec.get("externalIPs")))


def _default_service_ip_families(spec: dict) -> None:
    """The Service storage's initIPFamilyFields, for a single-stack IPv4 cluster.
    ClusterIP allocation itself is the allocator's business."""
    if spec.get("type") == "ExternalName":
        return
    # v1 conversion: clusterIPs follows clusterIP.
    if spec.get("clusterIP") and not spec.get("clusterIPs"):
        spec["clusterIPs"] = [spec["clusterIP"]]
    headless_selectorless = spec.get("clusterIP") == "None" and not spec.get("selector")
    _default(spec, "ipFamilyPolicy", "RequireDualStack" if headless_selectorless else "SingleStack")
    families = list(spec.get("ipFamilies") or [])
    for index, ip in enumerate(spec.get("clusterIPs") or []):
        if ip == "None":
            break
        if index >= len(families) and isinstance(ip, str):
            families.append("IPv6" if ":" in ip else "IPv4")
    if not families:
        families = ["IPv4"]
    if headless_selectorless and len(families) < 2 and spec["ipFamilyPolicy"] != "SingleStack":
        families.append("IPv6" if families[0] == "IPv4" else "IPv4")
    spec["ipFamilies"] = families


def _default_service(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default_str(spec, "sessionAffinity", "None")
    if spec["sessionAffinity"] == "None":
        spec.pop("sessionAffinityConfig", None)
    elif spec["sessionAffinity"] == "ClientIP":
        client_ip = (spec.get("sessionAffinityConfig") or {}).get("clientIP") or {}
        if client_ip.get("timeoutSeconds") is None:
            spec["sessionAffinityConfig"] = {"clientIP": {"timeoutSeconds": DEFAULT_CLIENT_IP_AFFINITY_SECONDS}}
    _default_str(spec, "type", "ClusterIP")
    for port in _items(spec, "ports"):
        _default_str(port, "protocol", "TCP")
        if port.get("targetPort") in (None, 0, "") and port.get("port") is not None:
            port["targetPort"] = port["port"]
    if _externally_accessible(spec):
        _default_str(spec, "externalTrafficPolicy", "Cluster")
    if spec["type"] in ("ClusterIP", "NodePort", "LoadBalancer"):
        _default(spec, "internalTrafficPolicy", "Cluster")
    if spec["type"] == "LoadBalancer":
        _default(spec, "allocateLoadBalancerNodePorts", True)
    _default_service_ip_families(spec)
    load_balancer = _dict(_dict(obj, "status"), "loadBalancer")  # Go writes "loadBalancer: {}"
    if spec["type"] == "LoadBalancer":
        for ingress in _items(load_balancer, "ingress"):
            if ingress.get("ip"):
                _default(ingress, "ipMode", "VIP")


def _default_namespace(obj: dict, info: ResourceInfo, create: bool) -> None:
    metadata = _dict(obj, "metadata")
    if metadata.get("name"):
        _dict(metadata, "labels")["kubernetes.io/metadata.name"] = metadata["name"]
    if create:  # namespaceStrategy.PrepareForCreate; the finalizer may later be removed
        spec = _dict(obj, "spec")
        finalizers = list(spec.get("finalizers") or [])
        if "kubernetes" not in finalizers:
            spec["finalizers"] = finalizers + ["kubernetes"]
    _default_str(_dict(obj, "status"), "phase", "Active")


def _default_secret(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default_str(obj, "type", "Opaque")


def _default_pvc(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default_pvc_spec(_dict(obj, "spec"))
    status = _dict(obj, "status")
    _default_str(status, "phase", "Pending")
    _default_resource_list(status, "capacity")
    _default_resource_list(status, "allocatedResources")


def _default_pv(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default_str(spec, "persistentVolumeReclaimPolicy", "Retain")
    _default(spec, "volumeMode", "Filesystem")
    _default_resource_list(spec, "capacity")
    _default_host_path(spec.get("hostPath"))
    _default_rbd(spec.get("rbd"))
    _default_iscsi(spec.get("iscsi"))
    _default_azure_disk(spec.get("azureDisk"))
    _default_scale_io(spec.get("scaleIO"))
    _default_str(_dict(obj, "status"), "phase", "Pending")


def _default_endpoints(obj: dict, info: ResourceInfo, create: bool) -> None:
    for subset in _items(obj, "subsets"):
        for port in _items(subset, "ports"):
            _default_str(port, "protocol", "TCP")


def _default_node(obj: dict, info: ResourceInfo, create: bool) -> None:
    status = obj.get("status")
    if not isinstance(status, dict):
        return
    if status.get("allocatable") is None and isinstance(status.get("capacity"), dict):
        status["allocatable"] = dict(status["capacity"])
    _default_resource_list(status, "capacity")
    _default_resource_list(status, "allocatable")


def _default_limit_range(obj: dict, info: ResourceInfo, create: bool) -> None:
    for item in _items(obj.get("spec"), "limits"):
        if item.get("type") == "Container":
            default = _dict(item, "default")
            default_request = _dict(item, "defaultRequest")
            for name, value in (item.get("max") or {}).items():
                default.setdefault(name, value)
            for name, value in default.items():
                default_request.setdefault(name, value)
            for name, value in (item.get("min") or {}).items():
                default_request.setdefault(name, value)
        for key in ("max", "min", "default", "defaultRequest", "maxLimitRequestRatio"):
            _default_resource_list(item, key)


def _default_resource_quota(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default_resource_list(_dict(obj, "spec"), "hard")
    status = obj.get("status")
    if isinstance(status, dict):
        _default_resource_list(status, "hard")
        _default_resource_list(status, "used")


def _default_replication_controller(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    template = spec.get("template")
    labels = ((template.get("metadata") or {}).get("labels")) if isinstance(template, dict) else None
    if labels:
        if not spec.get("selector"):
            spec["selector"] = dict(labels)
        metadata = _dict(obj, "metadata")
        if not metadata.get("labels"):
            metadata["labels"] = dict(labels)
    _default(spec, "replicas", 1)
    _default_pod_template(template)
    _default(_dict(obj, "status"), "replicas", 0)  # not omitempty in Go


def _default_event(obj: dict, info: ResourceInfo, create: bool) -> None:
    """core/v1 Event: fields Go always writes, even when zero."""
    for key in ("involvedObject", "source"):
        _default(obj, key, {})
    for key in ("firstTimestamp", "lastTimestamp", "eventTime"):
        obj.setdefault(key, None)
    for key in ("reportingComponent", "reportingInstance"):
        _default(obj, key, "")


# ---------------------------------------------------------------------------
# apps/v1.


def _default_deployment(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default(spec, "replicas", 1)
    strategy = _dict(spec, "strategy")
    _default_str(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        _default(rolling, "maxUnavailable", "25%")
        _default(rolling, "maxSurge", "25%")
    _default(spec, "revisionHistoryLimit", 10)
    _default(spec, "progressDeadlineSeconds", 600)
    _default_pod_template(spec.get("template"))
    _dict(obj, "status")  # every DeploymentStatus field is omitempty: "status: {}"


def _default_replica_set(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default(spec, "replicas", 1)
    _default_pod_template(spec.get("template"))
    _default(_dict(obj, "status"), "replicas", 0)  # not omitempty in Go


def _default_daemon_set(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    strategy = _dict(spec, "updateStrategy")
    _default_str(strategy, "type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = _dict(strategy, "rollingUpdate")
        _default(rolling, "maxUnavailable", 1)
        _default(rolling, "maxSurge", 0)
    _default(spec, "revisionHistoryLimit", 10)
    _default_pod_template(spec.get("template"))
    status = _dict(obj, "status")
    for key in ("currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady"):
        _default(status, key, 0)  # not omitempty in Go


def _default_volume_claim_template(claim: dict) -> None:
    _default_pvc_spec(_dict(claim, "spec"))
    _default_str(_dict(claim, "status"), "phase", "Pending")


def _default_stateful_set(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default_str(spec, "podManagementPolicy", "OrderedReady")
    strategy = _dict(spec, "updateStrategy")
    if strategy.get("type") in (None, ""):
        strategy["type"] = "RollingUpdate"
        _default(strategy, "rollingUpdate", {})
    if strategy["type"] == "RollingUpdate" and isinstance(strategy.get("rollingUpdate"), dict):
        _default(strategy["rollingUpdate"], "partition", 0)
    retention = _dict(spec, "persistentVolumeClaimRetentionPolicy")
    _default_str(retention, "whenDeleted", "Retain")
    _default_str(retention, "whenScaled", "Retain")
    _default(spec, "replicas", 1)
    _default(spec, "revisionHistoryLimit", 10)
    _default_pod_template(spec.get("template"))
    for claim in _items(spec, "volumeClaimTemplates"):
        _default_volume_claim_template(claim)
    status = _dict(obj, "status")
    _default(status, "replicas", 0)  # not omitempty in Go
    _default(status, "availableReplicas", 0)


def _default_controller_revision(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default(obj, "revision", 0)  # not omitempty in Go


# ---------------------------------------------------------------------------
# batch/v1.


def _generate_job_selector(obj: dict) -> None:
    """The Job strategy's generateSelector: label the pods with the Job's name
    and uid, and select them by uid."""
    metadata = obj.get("metadata") or {}
    spec = obj["spec"]
    template = _dict(spec, "template")
    labels = _dict(_dict(template, "metadata"), "labels")
    name, uid = metadata.get("name", ""), metadata.get("uid", "")
    for key in ("job-name", "batch.kubernetes.io/job-name"):
        labels.setdefault(key, name)
    for key in ("controller-uid", "batch.kubernetes.io/controller-uid"):
        labels.setdefault(key, uid)
    match_labels = _dict(_dict(spec, "selector"), "matchLabels")
    match_labels.setdefault("batch.kubernetes.io/controller-uid", uid)


def _default_job_spec_fields(obj: dict) -> None:
    """SetDefaults_Job."""
    spec = obj["spec"]
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
        spec["parallelism"] = 1
    _default(spec, "parallelism", 1)
    if spec.get("backoffLimit") is None:
        spec["backoffLimit"] = MAX_INT32 if spec.get("backoffLimitPerIndex") is not None else 6
    _default(spec, "completionMode", "NonIndexed")
    _default(spec, "suspend", False)
    policy = spec.get("podFailurePolicy")
    for rule in _items(policy, "rules"):
        for pattern in _items(rule, "onPodConditions"):
            _default_str(pattern, "status", "True")
    _default(spec, "podReplacementPolicy", "Failed" if policy is not None else "TerminatingOrFailed")
    _default(spec, "manualSelector", False)


def _default_job(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default_job_spec_fields(obj)
    if create and not spec.get("manualSelector"):
        _generate_job_selector(obj)
    # SetDefaults_Job: the Job takes its template's labels when it has none.
    metadata = _dict(obj, "metadata")
    template_labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if template_labels and not metadata.get("labels"):
        metadata["labels"] = dict(template_labels)
    _default_pod_template(spec.get("template"))
    _dict(obj, "status")  # every JobStatus field is omitempty: "status: {}"


def _default_cron_job(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default_str(spec, "concurrencyPolicy", "Allow")
    _default(spec, "suspend", False)
    _default(spec, "successfulJobsHistoryLimit", 3)
    _default(spec, "failedJobsHistoryLimit", 1)
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict) and isinstance(job_template.get("spec"), dict):
        job_spec = job_template["spec"]
        for rule in _items(job_spec.get("podFailurePolicy"), "rules"):
            for pattern in _items(rule, "onPodConditions"):
                _default_str(pattern, "status", "True")
        _default_pod_template(job_spec.get("template"))
    _dict(obj, "status")


# ---------------------------------------------------------------------------
# Other groups.


def _default_endpoint_slice(obj: dict, info: ResourceInfo, create: bool) -> None:
    for port in _items(obj, "ports"):
        _default(port, "name", "")
        _default(port, "protocol", "TCP")


def _default_network_policy(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    for direction in ("ingress", "egress"):
        for rule in _items(spec, direction):
            for port in _items(rule, "ports"):
                _default(port, "protocol", "TCP")
    if not spec.get("policyTypes"):
        spec["policyTypes"] = ["Ingress"] + (["Egress"] if spec.get("egress") else [])


def _default_storage_class(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default(obj, "reclaimPolicy", "Delete")
    _default(obj, "volumeBindingMode", "Immediate")


def _default_priority_class(obj: dict, info: ResourceInfo, create: bool) -> None:
    _default(obj, "preemptionPolicy", "PreemptLowerPriority")


def _default_hpa(obj: dict, info: ResourceInfo, create: bool) -> None:
    spec = _dict(obj, "spec")
    _default(spec, "minReplicas", 1)
    if info.version == "v2" and not spec.get("metrics"):
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 80}}}]


_DEFAULTERS = {
    ("", "Pod"): _default_pod,
    ("", "PodTemplate"): _default_pod_template_object,
    ("", "ReplicationController"): _default_replication_controller,
    ("", "Service"): _default_service,
    ("", "Namespace"): _default_namespace,
    ("", "Secret"): _default_secret,
    ("", "PersistentVolumeClaim"): _default_pvc,
    ("", "PersistentVolume"): _default_pv,
    ("", "Endpoints"): _default_endpoints,
    ("", "Node"): _default_node,
    ("", "LimitRange"): _default_limit_range,
    ("", "ResourceQuota"): _default_resource_quota,
    ("", "Event"): _default_event,
    ("apps", "Deployment"): _default_deployment,
    ("apps", "ReplicaSet"): _default_replica_set,
    ("apps", "DaemonSet"): _default_daemon_set,
    ("apps", "StatefulSet"): _default_stateful_set,
    ("apps", "ControllerRevision"): _default_controller_revision,
    ("batch", "Job"): _default_job,
    ("batch", "CronJob"): _default_cron_job,
    ("discovery.k8s.io", "EndpointSlice"): _default_endpoint_slice,
    ("networking.k8s.io", "NetworkPolicy"): _default_network_policy,
    ("storage.k8s.io", "StorageClass"): _default_storage_class,
    ("scheduling.k8s.io", "PriorityClass"): _default_priority_class,
    ("autoscaling", "HorizontalPodAutoscaler"): _default_hpa,
}
