"""Object names, label keys and label values, checked as kube-apiserver checks them.

Mirrors ``k8s.io/apimachinery/pkg/util/validation`` (IsDNS1123Label,
IsDNS1123Subdomain, IsDNS1035Label, IsQualifiedName, IsValidLabelValue,
IsConfigMapKey, IsValidPortNum, IsValidPortName), ``.../api/validation/path``
(IsValidPathSegmentName) and the name part of ``ValidateObjectMeta``.  Every
``is_*`` function returns a list of messages, empty when the value is valid;
the messages are the exact apimachinery text.
"""

from __future__ import annotations

import re

from .errors import FieldError
from .resources import ResourceInfo

DNS1123_LABEL_MAX_LENGTH = 63
DNS1123_SUBDOMAIN_MAX_LENGTH = 253
DNS1035_LABEL_MAX_LENGTH = 63
QUALIFIED_NAME_MAX_LENGTH = 63
LABEL_VALUE_MAX_LENGTH = 63
CONFIG_MAP_KEY_MAX_LENGTH = 253

_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_LABEL_ERR = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
                      "and must start and end with an alphanumeric character")
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_ERR = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                          "'-' or '.', and must start and end with an alphanumeric character")
_DNS1035_LABEL_FMT = "[a-z]([-a-z0-9]*[a-z0-9])?"
_DNS1035_LABEL_ERR = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', "
                      "start with an alphabetic character, and end with an alphanumeric character")
_QUALIFIED_NAME_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_QUALIFIED_NAME_ERR = ("must consist of alphanumeric characters, '-', '_' or '.', "
                       "and must start and end with an alphanumeric character")
_LABEL_VALUE_FMT = "(" + _QUALIFIED_NAME_FMT + ")?"
_LABEL_VALUE_ERR = ("a valid label must be an empty string or consist of alphanumeric characters, "
                    "'-', '_' or '.', and must start and end with an alphanumeric character")
_CONFIG_MAP_KEY_FMT = "[-._a-zA-Z0-9]+"
_CONFIG_MAP_KEY_ERR = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'"
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_PORT_NAME_ONE_LETTER = re.compile(r".*[a-z]")


def _full(fmt: str) -> re.Pattern:
    return re.compile("^" + fmt + "$")


_DNS1123_LABEL_RE = _full(_DNS1123_LABEL_FMT)
_DNS1123_SUBDOMAIN_RE = _full(_DNS1123_SUBDOMAIN_FMT)
_DNS1035_LABEL_RE = _full(_DNS1035_LABEL_FMT)
_QUALIFIED_NAME_RE = _full(_QUALIFIED_NAME_FMT)
_LABEL_VALUE_RE = _full(_LABEL_VALUE_FMT)
_CONFIG_MAP_KEY_RE = _full(_CONFIG_MAP_KEY_FMT)


# --- message helpers (validation.go: MaxLenError, RegexError, EmptyError) ---

def max_len_error(length: int) -> str:
    return f"must be no more than {length} characters"


def empty_error() -> str:
    return "must be non-empty"


def regex_error(msg: str, fmt: str, *examples: str) -> str:
    """The text apimachinery's RegexError builds, odd spacing included."""
    if not examples:
        return f"{msg} (regex used for validation is '{fmt}')"
    msg += " (e.g. "
    for i, example in enumerate(examples):
        if i > 0:
            msg += " or "
        msg += f"'{example}', "
    return msg + f"regex used for validation is '{fmt}')"


# --- the Is* checks ---

def is_dns1123_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_LABEL_MAX_LENGTH))
    if not _DNS1123_LABEL_RE.match(value):
        errs.append(regex_error(_DNS1123_LABEL_ERR, _DNS1123_LABEL_FMT, "my-name", "123-abc"))
    return errs


def is_dns1123_subdomain(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1123_SUBDOMAIN_MAX_LENGTH:
        errs.append(max_len_error(DNS1123_SUBDOMAIN_MAX_LENGTH))
    if not _DNS1123_SUBDOMAIN_RE.match(value):
        errs.append(regex_error(_DNS1123_SUBDOMAIN_ERR, _DNS1123_SUBDOMAIN_FMT, "example.com"))
    return errs


def is_dns1035_label(value: str) -> list[str]:
    errs = []
    if len(value) > DNS1035_LABEL_MAX_LENGTH:
        errs.append(max_len_error(DNS1035_LABEL_MAX_LENGTH))
    if not _DNS1035_LABEL_RE.match(value):
        errs.append(regex_error(_DNS1035_LABEL_ERR, _DNS1035_LABEL_FMT, "my-name", "abc-123"))
    return errs


def is_valid_path_segment_name(value: str) -> list[str]:
    """path.IsValidPathSegmentName: names used as a single URL path segment."""
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    errs = []
    for bad in ("/", "%"):
        if bad in value:
            errs.append(f"may not contain '{bad}'")
    return errs


def is_qualified_name(value: str) -> list[str]:
    """IsQualifiedName: ``[prefix/]name``, as label and annotation keys."""
    errs = []
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            errs.append("prefix part " + empty_error())
        else:
            errs.extend("prefix part " + m for m in is_dns1123_subdomain(prefix))
    else:
        return ["a qualified name " + regex_error(_QUALIFIED_NAME_ERR, _QUALIFIED_NAME_FMT,
                                                  "MyName", "my.name", "123-abc")]
    if not name:
        errs.append("name part " + empty_error())
    elif len(name) > QUALIFIED_NAME_MAX_LENGTH:
        errs.append("name part " + max_len_error(QUALIFIED_NAME_MAX_LENGTH))
    if not _QUALIFIED_NAME_RE.match(name):
        errs.append("name part " + regex_error(_QUALIFIED_NAME_ERR, _QUALIFIED_NAME_FMT,
                                               "MyName", "my.name", "123-abc"))
    return errs


def is_valid_label_value(value: str) -> list[str]:
    errs = []
    if len(value) > LABEL_VALUE_MAX_LENGTH:
        errs.append(max_len_error(LABEL_VALUE_MAX_LENGTH))
    if not _LABEL_VALUE_RE.match(value):
        errs.append(regex_error(_LABEL_VALUE_ERR, _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


def is_config_map_key(value: str) -> list[str]:
    """IsConfigMapKey: keys of ConfigMap and Secret data."""
    errs = []
    if len(value) > CONFIG_MAP_KEY_MAX_LENGTH:
        errs.append(max_len_error(CONFIG_MAP_KEY_MAX_LENGTH))
    if not _CONFIG_MAP_KEY_RE.match(value):
        errs.append(regex_error(_CONFIG_MAP_KEY_ERR, _CONFIG_MAP_KEY_FMT, "key.name", "KEY_NAME", "key-name"))
    if value == ".":
        errs.append("must not be '.'")
    elif value == "..":
        errs.append("must not be '..'")
    elif value.startswith(".."):
        errs.append("must not start with '..'")
    return errs


def is_valid_port_num(port: int) -> list[str]:
    if 1 <= port <= 65535:
        return []
    return ["must be between 1 and 65535, inclusive"]


def is_valid_port_name(port: str) -> list[str]:
    """IsValidPortName: an IANA_SVC_NAME (at most 15 characters)."""
    errs = []
    if len(port) > 15:
        errs.append(max_len_error(15))
    if not _PORT_NAME_CHARS.match(port):
        errs.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if not _PORT_NAME_ONE_LETTER.match(port):
        errs.append("must contain at least one letter (a-z)")
    if "--" in port:
        errs.append("must not contain consecutive hyphens")
    if port and (port[0] == "-" or port[-1] == "-"):
        errs.append("must not begin or end with a hyphen")
    return errs


# --- labels and annotations (metav1validation.ValidateLabels, ValidateAnnotations) ---

TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024


def validate_label_key(key: str, field: str = "metadata.labels") -> list[FieldError]:
    return [FieldError("Invalid value", field, key, m) for m in is_qualified_name(key)]


def validate_label_value(value: str, field: str = "metadata.labels") -> list[FieldError]:
    return [FieldError("Invalid value", field, value, m) for m in is_valid_label_value(value)]


def validate_labels(labels: dict, field: str = "metadata.labels") -> list[FieldError]:
    errs: list[FieldError] = []
    for key in sorted(labels):
        errs += validate_label_key(key, field)
        value = labels[key]
        errs += validate_label_value("" if value is None else value, field)  # JSON null decodes to ""
    return errs


def validate_annotations(annotations: dict, field: str = "metadata.annotations") -> list[FieldError]:
    errs: list[FieldError] = []
    size = 0
    for key in sorted(annotations):
        errs += [FieldError("Invalid value", field, key, m) for m in is_qualified_name(key.lower())]
        size += len(key) + len(annotations[key] or "")
    if size > TOTAL_ANNOTATION_SIZE_LIMIT:
        errs.append(FieldError("Too long", field, None,
                               f"may not be more than {TOTAL_ANNOTATION_SIZE_LIMIT} bytes"))
    return errs


# --- object names (ValidateObjectMeta with each resource's ValidateNameFunc) ---

def _mask_trailing_dash(name: str) -> str:
    """generateName may end in '-': the random suffix follows it."""
    if len(name) > 1 and name.endswith("-"):
        return name[:-1] + "a"
    return name


# Which check each resource uses for metadata.name; the rest use DNS-1123 subdomain.
_NAME_CHECKS = {
    ("", "namespaces"): is_dns1123_label,
    ("", "services"): is_dns1035_label,
    ("rbac.authorization.k8s.io", "roles"): is_valid_path_segment_name,
    ("rbac.authorization.k8s.io", "clusterroles"): is_valid_path_segment_name,
    ("rbac.authorization.k8s.io", "rolebindings"): is_valid_path_segment_name,
    ("rbac.authorization.k8s.io", "clusterrolebindings"): is_valid_path_segment_name,
}

CRON_JOB_NAME_MAX_LENGTH = 52  # DNS1035LabelMaxLength - 11 (the Job name suffix)


def name_check(info: ResourceInfo):
    """The ValidateNameFunc of a resource, as a function str -> list[str]."""
    return _NAME_CHECKS.get((info.group, info.plural), is_dns1123_subdomain)


def validate_name(info: ResourceInfo, name: str, generate_name: str | None = None) -> list[FieldError]:
    """The ``metadata.name`` / ``metadata.generateName`` errors of ValidateObjectMeta."""
    check = name_check(info)
    errs: list[FieldError] = []
    if generate_name:
        errs += [FieldError("Invalid value", "metadata.generateName", generate_name, m)
                 for m in check(_mask_trailing_dash(generate_name))]
    if not name:
        errs.append(FieldError("Required value", "metadata.name", None, "name or generateName is required"))
        return errs
    errs += [FieldError("Invalid value", "metadata.name", name, m) for m in check(name)]
    if (info.group, info.plural) == ("batch", "cronjobs") and len(name) > CRON_JOB_NAME_MAX_LENGTH:
        errs.append(FieldError("Invalid value", "metadata.name", name,
                               max_len_error(CRON_JOB_NAME_MAX_LENGTH)))
    return errs


def validate_namespace_name(namespace: str, field: str = "metadata.namespace") -> list[FieldError]:
    if not namespace:
        return [FieldError("Required value", field)]
    return [FieldError("Invalid value", field, namespace, m) for m in is_dns1123_label(namespace)]
