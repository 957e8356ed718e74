"""Label and field selectors, as kube-apiserver parses and matches them.

Mirrors ``k8s.io/apimachinery/pkg/labels`` (the ``-l`` / ``labelSelector``
grammar: ``app=web,tier!=db,env in (a,b),!legacy,release``),
``metav1.LabelSelectorAsSelector`` (``matchLabels`` + ``matchExpressions``),
``k8s.io/apimachinery/pkg/fields`` (``--field-selector`` / ``fieldSelector``)
and the per-kind field label conversion functions that decide which fields a
resource can be selected by (``pkg/apis/<group>/<version>/conversion.go``).
Parse errors carry the same text as the Go parser, so the real kubectl prints
the same message.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kernelsim.api.errors import FieldError, StatusError, bad_request

# ---------------------------------------------------------------------------
# Label selectors (k8s.io/apimachinery/pkg/labels)
# ---------------------------------------------------------------------------

# selection.Operator values
IN, NOT_IN = "in", "notin"
EQUALS, DOUBLE_EQUALS, NOT_EQUALS = "=", "==", "!="
EXISTS, DOES_NOT_EXIST = "exists", "!"
GREATER_THAN, LESS_THAN = "gt", "lt"

_BINARY_OPERATORS = (IN, NOT_IN, EQUALS, DOUBLE_EQUALS, NOT_EQUALS, GREATER_THAN, LESS_THAN)

# Lexer tokens
_ERROR, _END, _CLOSE_PAR, _COMMA, _NOT, _DOUBLE_EQUALS, _EQUALS, _GT, _IDENT, _IN, _LT, _NOT_EQUALS, _NOT_IN, \
    _OPEN_PAR = range(14)

_KEYWORDS = {
    ")": _CLOSE_PAR, ",": _COMMA, "!": _NOT, "==": _DOUBLE_EQUALS, "=": _EQUALS, ">": _GT,
    "in": _IN, "<": _LT, "!=": _NOT_EQUALS, "notin": _NOT_IN, "(": _OPEN_PAR,
}
_SPECIAL = set("=!(),><")
_WHITESPACE = set(" \t\r\n")

_LABEL_KEY_FMT = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]"
_LABEL_KEY_RE = re.compile(f"^{_LABEL_KEY_FMT}$")
_LABEL_VALUE_FMT = f"({_LABEL_KEY_FMT})?"
_LABEL_VALUE_RE = re.compile(f"^{_LABEL_VALUE_FMT}$")
_DNS1123_LABEL_FMT = "[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS1123_SUBDOMAIN_FMT = _DNS1123_LABEL_FMT + "(\\." + _DNS1123_LABEL_FMT + ")*"
_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_DNS1123_SUBDOMAIN_FMT}$")


def _regex_error(msg: str, regex: str, *examples: str) -> str:
    """validation content.RegexError, double spaces included."""
    if not examples:
        return f"{msg} (regex used for validation is '{regex}')"
    msg += " (e.g. "
    for i, example in enumerate(examples):
        if i:
            msg += " or "
        msg += f"'{example}', "
    return msg + f"regex used for validation is '{regex}')"


_KEY_MSG = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"


def label_key_errors(key: str) -> list[str]:
    """``content.IsLabelKey``: the reasons a label key is invalid (empty if valid)."""
    errs = []
    parts = key.split("/")
    if len(parts) > 2:
        return ["a valid label key " + _regex_error(_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc")
                + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            errs.append("prefix part must be non-empty")
        else:
            if len(prefix) > 253:
                errs.append("prefix part must be no more than 253 bytes")
            if not _DNS1123_SUBDOMAIN_RE.match(prefix):
                errs.append("prefix part " + _regex_error(
                    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                    "and must start and end with an alphanumeric character", _DNS1123_SUBDOMAIN_FMT, "example.com"))
    if not name:
        errs.append("name part must be non-empty")
    elif len(name) > 63:
        errs.append("name part must be no more than 63 bytes")
    if not _LABEL_KEY_RE.match(name):
        errs.append("name part " + _regex_error(_KEY_MSG, _LABEL_KEY_FMT, "MyName", "my.name", "123-abc"))
    return errs


def label_value_errors(value: str) -> list[str]:
    """``content.IsLabelValue``: the reasons a label value is invalid (empty if valid)."""
    errs = []
    if len(value) > 63:
        errs.append("must be no more than 63 bytes")
    if not _LABEL_VALUE_RE.match(value):
        errs.append(_regex_error(
            "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
            "and must start and end with an alphanumeric character", _LABEL_VALUE_FMT, "MyValue", "my_value", "12345"))
    return errs


class _ParseError(Exception):
    """A label selector syntax error (the Go parser's ``error``)."""


def _aggregate(errors: list[FieldError]) -> str:
    """``field.ErrorList.ToAggregate().Error()``: one message, or ``[a, b]``."""
    msgs = list(dict.fromkeys(str(e) for e in errors))
    return msgs[0] if len(msgs) == 1 else "[" + ", ".join(msgs) + "]"


def _is_int64(s: str) -> bool:
    return bool(re.fullmatch(r"[+-]?[0-9]+", s)) and -2**63 <= int(s) < 2**63


@dataclass(frozen=True)
class Requirement:
    """One ``labels.Requirement``: a key, an operator and a set of values."""

    key: str
    operator: str
    values: tuple = ()

    @classmethod
    def new(cls, key: str, operator: str, values, path: str | None = "") -> "Requirement":
        """``labels.NewRequirement``, validating as it does; raises _ParseError.

        ``path`` is the field path prefix of error messages ("" = no path).
        """
        values = list(values) if values is not None else None
        vals = values or []

        def child(name: str) -> str:
            return f"{path}.{name}" if path else name

        errors = []
        if msgs := label_key_errors(key):
            errors.append(FieldError("Invalid value", child("key"), key, "; ".join(msgs)))
        if operator in (IN, NOT_IN):
            if not vals:
                errors.append(FieldError("Invalid value", child("values"), values,
                                         "for 'in', 'notin' operators, values set can't be empty"))
        elif operator in (EQUALS, DOUBLE_EQUALS, NOT_EQUALS):
            if len(vals) != 1:
                errors.append(FieldError("Invalid value", child("values"), values,
                                         "exact-match compatibility requires one single value"))
        elif operator in (EXISTS, DOES_NOT_EXIST):
            if vals:
                errors.append(FieldError("Invalid value", child("values"), values,
                                         "values set must be empty for exists and does not exist"))
        elif operator in (GREATER_THAN, LESS_THAN):
            if len(vals) != 1:
                errors.append(FieldError("Invalid value", child("values"), values,
                                         "for 'Gt', 'Lt' operators, exactly one value is required"))
            for i, v in enumerate(vals):
                if not _is_int64(v):
                    errors.append(FieldError("Invalid value", f"{child('values')}[{i}]", v,
                                             "for 'Gt', 'Lt' operators, the value must be an integer"))
        else:
            supported = ", ".join(f'"{op}"' for op in _BINARY_OPERATORS + (EXISTS, DOES_NOT_EXIST))
            errors.append(FieldError("Unsupported value", child("operator"), operator,
                                     f"supported values: {supported}"))
        for i, v in enumerate(vals):
            if msgs := label_value_errors(v):
                errors.append(FieldError("Invalid value", f"{child('values')}[{i}][{key}]", v, "; ".join(msgs)))
        if errors:
            raise _ParseError(_aggregate(errors))
        return cls(key, operator, tuple(vals))

    def matches(self, labels: dict) -> bool:
        labels = labels or {}
        present = self.key in labels
        value = labels.get(self.key)
        if self.operator in (IN, EQUALS, DOUBLE_EQUALS):
            return present and value in self.values
        if self.operator in (NOT_IN, NOT_EQUALS):
            return not present or value not in self.values
        if self.operator == EXISTS:
            return present
        if self.operator == DOES_NOT_EXIST:
            return not present
        if self.operator in (GREATER_THAN, LESS_THAN):
            if not present or not _is_int64(value) or len(self.values) != 1 or not _is_int64(self.values[0]):
                return False
            have, want = int(value), int(self.values[0])
            return have > want if self.operator == GREATER_THAN else have < want
        return False

    def __str__(self) -> str:
        prefix = "!" if self.operator == DOES_NOT_EXIST else ""
        if self.operator in (EXISTS, DOES_NOT_EXIST):
            return prefix + self.key
        op = {IN: " in ", NOT_IN: " notin ", GREATER_THAN: ">", LESS_THAN: "<"}.get(self.operator, self.operator)
        values = self.values[0] if len(self.values) == 1 else ",".join(sorted(self.values))
        if self.operator in (IN, NOT_IN):
            values = f"({values})"
        return f"{self.key}{op}{values}"


class LabelSelector:
    """A parsed label selector: the AND of its requirements.

    ``LabelSelector.nothing()`` is ``labels.Nothing()``, which matches no
    object (a nil ``metav1.LabelSelector``); an empty selector matches all.
    """

    def __init__(self, requirements=(), nothing: bool = False):
        self._requirements = tuple(sorted(requirements, key=lambda r: r.key))
        self._nothing = nothing

    @classmethod
    def everything(cls) -> "LabelSelector":
        return cls()

    @classmethod
    def nothing(cls) -> "LabelSelector":
        return cls(nothing=True)

    def matches(self, labels: dict | None) -> bool:
        if self._nothing:
            return False
        return all(r.matches(labels or {}) for r in self._requirements)

    def empty(self) -> bool:
        """True if the selector does not restrict anything (``Selector.Empty``)."""
        return not self._nothing and not self._requirements

    def matches_nothing(self) -> bool:
        return self._nothing

    def requirements(self) -> tuple:
        return self._requirements

    def __str__(self) -> str:
        return ",".join(str(r) for r in self._requirements)

    def __repr__(self) -> str:
        return f"LabelSelector({str(self)!r})" if not self._nothing else "LabelSelector.nothing()"


class _Lexer:
    def __init__(self, s: str):
        self.s, self.pos = s, 0

    def lex(self) -> tuple[int, str]:
        while self.pos < len(self.s) and self.s[self.pos] in _WHITESPACE:
            self.pos += 1
        if self.pos >= len(self.s):
            return _END, ""
        return self._special() if self.s[self.pos] in _SPECIAL else self._ident_or_keyword()

    def _ident_or_keyword(self) -> tuple[int, str]:
        start = self.pos
        while self.pos < len(self.s) and self.s[self.pos] not in _SPECIAL and self.s[self.pos] not in _WHITESPACE:
            self.pos += 1
        word = self.s[start:self.pos]
        return _KEYWORDS.get(word, _IDENT), word

    def _special(self) -> tuple[int, str]:
        buffer, last = "", None
        while self.pos < len(self.s) and self.s[self.pos] in _SPECIAL:
            buffer += self.s[self.pos]
            self.pos += 1
            if buffer in _KEYWORDS:
                last = (_KEYWORDS[buffer], buffer)
            elif last is not None:
                self.pos -= 1
                break
        if last is None:
            return _ERROR, f"error expected: keyword found '{buffer}'"
        return last


_KEY_AND_OPERATOR, _VALUES = 0, 1


class _Parser:
    """The recursive-descent parser of ``labels.Parse``."""

    def __init__(self, s: str):
        lexer, self.items, self.position = _Lexer(s), [], 0
        while True:
            tok, lit = lexer.lex()
            self.items.append((tok, lit))
            if tok == _END:
                break

    def lookahead(self, context: int) -> tuple[int, str]:
        tok, lit = self.items[self.position]
        if context == _VALUES and tok in (_IN, _NOT_IN):
            tok = _IDENT
        return tok, lit

    def consume(self, context: int) -> tuple[int, str]:
        tok, lit = self.lookahead(context)
        self.position += 1
        return tok, lit

    def parse(self) -> list[Requirement]:
        requirements = []
        while True:
            tok, lit = self.lookahead(_VALUES)
            if tok in (_IDENT, _NOT):
                try:
                    requirements.append(self.requirement())
                except _ParseError as e:
                    raise _ParseError(f"unable to parse requirement: {e}") from None
                t, lit = self.consume(_VALUES)
                if t == _END:
                    return requirements
                if t == _COMMA:
                    t2, lit2 = self.lookahead(_VALUES)
                    if t2 not in (_IDENT, _NOT):
                        raise _ParseError(f"found '{lit2}', expected: identifier after ','")
                else:
                    raise _ParseError(f"found '{lit}', expected: ',' or 'end of string'")
            elif tok == _END:
                return requirements
            else:
                raise _ParseError(f"found '{lit}', expected: !, identifier, or 'end of string'")

    def requirement(self) -> Requirement:
        key, operator = self.key_and_inferred_operator()
        if operator in (EXISTS, DOES_NOT_EXIST):
            return Requirement.new(key, operator, [])
        operator = self.operator()
        values = self.values() if operator in (IN, NOT_IN) else self.exact_value()
        return Requirement.new(key, operator, sorted(values))

    def key_and_inferred_operator(self) -> tuple[str, str]:
        operator = ""
        tok, lit = self.consume(_VALUES)
        if tok == _NOT:
            operator = DOES_NOT_EXIST
            tok, lit = self.consume(_VALUES)
        if tok != _IDENT:
            raise _ParseError(f"found '{lit}', expected: identifier")
        if msgs := label_key_errors(lit):
            raise _ParseError(str(FieldError("Invalid value", "<nil>", lit, "; ".join(msgs))))
        if self.lookahead(_VALUES)[0] in (_END, _COMMA) and operator != DOES_NOT_EXIST:
            operator = EXISTS
        return lit, operator

    def operator(self) -> str:
        tok, lit = self.consume(_KEY_AND_OPERATOR)
        ops = {_IN: IN, _EQUALS: EQUALS, _DOUBLE_EQUALS: DOUBLE_EQUALS, _GT: GREATER_THAN, _LT: LESS_THAN,
               _NOT_IN: NOT_IN, _NOT_EQUALS: NOT_EQUALS}
        if tok not in ops:
            raise _ParseError(f"found '{lit}', expected: {', '.join(_BINARY_OPERATORS)}")
        return ops[tok]

    def values(self) -> set:
        tok, lit = self.consume(_VALUES)
        if tok != _OPEN_PAR:
            raise _ParseError(f"found '{lit}' expected: '('")
        tok, lit = self.lookahead(_VALUES)
        if tok in (_IDENT, _COMMA):
            values = self.identifiers()
            if self.consume(_VALUES)[0] != _CLOSE_PAR:
                raise _ParseError(f"found '{lit}', expected: ')'")
            return values
        if tok == _CLOSE_PAR:  # "()"
            self.consume(_VALUES)
            return {""}
        raise _ParseError(f"found '{lit}', expected: ',', ')' or identifier")

    def identifiers(self) -> set:
        values = set()
        while True:
            tok, lit = self.consume(_VALUES)
            if tok == _IDENT:
                values.add(lit)
                tok2, lit2 = self.lookahead(_VALUES)
                if tok2 == _CLOSE_PAR:
                    return values
                if tok2 != _COMMA:
                    raise _ParseError(f"found '{lit2}', expected: ',' or ')'")
            elif tok == _COMMA:  # "(," ",)" and ",," stand for empty values
                if not values:
                    values.add("")
                tok2 = self.lookahead(_VALUES)[0]
                if tok2 == _CLOSE_PAR:
                    values.add("")
                    return values
                if tok2 == _COMMA:
                    values.add("")
            else:
                raise _ParseError(f"found '{lit}', expected: ',', or identifier")

    def exact_value(self) -> set:
        if self.lookahead(_VALUES)[0] in (_END, _COMMA):
            return {""}
        tok, lit = self.consume(_VALUES)
        if tok == _IDENT:
            return {lit}
        raise _ParseError(f"found '{lit}', expected: identifier")


def parse_label_selector(s: str) -> LabelSelector:
    """``labels.Parse``; raises StatusError 400 with the parser's message."""
    try:
        return LabelSelector(_Parser(s or "").parse())
    except _ParseError as e:
        raise bad_request(str(e)) from None


_API_OPERATORS = {"In": IN, "NotIn": NOT_IN, "Exists": EXISTS, "DoesNotExist": DOES_NOT_EXIST}


def label_selector_from_api(sel: dict | None) -> LabelSelector:
    """``metav1.LabelSelectorAsSelector``: nil matches nothing, ``{}`` matches everything."""
    if sel is None:
        return LabelSelector.nothing()
    match_labels = sel.get("matchLabels") or {}
    expressions = sel.get("matchExpressions") or []
    requirements = []
    try:
        for key, value in match_labels.items():
            requirements.append(Requirement.new(key, EQUALS, [value]))
        for expr in expressions:
            op = expr.get("operator")
            if op not in _API_OPERATORS:
                raise _ParseError(f'"{op}" is not a valid label selector operator')
            requirements.append(Requirement.new(expr.get("key", ""), _API_OPERATORS[op], expr.get("values")))
    except _ParseError as e:
        raise bad_request(str(e)) from None
    return LabelSelector(requirements)


def format_label_selector(sel: dict | None) -> str:
    """``metav1.FormatLabelSelector``: the selector string, ``<none>`` or ``<error>``."""
    try:
        text = str(label_selector_from_api(sel))
    except StatusError:
        return "<error>"
    return text or "<none>"


def format_labels(labels: dict | None) -> str:
    """``labels.FormatLabels``: sorted ``k=v`` pairs, or ``<none>``."""
    return ",".join(sorted(f"{k}={v}" for k, v in (labels or {}).items())) or "<none>"


# ---------------------------------------------------------------------------
# Field selectors (k8s.io/apimachinery/pkg/fields)
# ---------------------------------------------------------------------------


def _split_terms(s: str) -> list[str]:
    """Split on commas that are not escaped with a backslash."""
    if not s:
        return []
    terms, start, in_slash = [], 0, False
    for i, c in enumerate(s):
        if in_slash:
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c == ",":
            terms.append(s[start:i])
            start = i + 1
    terms.append(s[start:])
    return terms


def _split_term(term: str):
    for i in range(len(term)):
        for op in ("!=", "==", "="):
            if term.startswith(op, i):
                return term[:i], op, term[i + len(op):]
    return None


def _unescape(value: str) -> str:
    if not any(c in value for c in "\\,="):
        return value
    out, in_slash = [], False
    for c in value:
        if in_slash:
            if c not in "\\,=":
                raise _ParseError(f"invalid field selector: invalid escape sequence: \\{c}")
            out.append(c)
            in_slash = False
        elif c == "\\":
            in_slash = True
        elif c in ",=":
            # Go prints the rune with %v, i.e. as a number
            raise _ParseError(f"invalid field selector: unescaped character in value: {ord(c)}")
        else:
            out.append(c)
    if in_slash:
        raise _ParseError("invalid field selector: invalid escape sequence: \\")
    return "".join(out)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(",", "\\,").replace("=", "\\=")


class FieldSelector:
    """A parsed field selector: the AND of ``field=value`` / ``field!=value`` terms."""

    def __init__(self, terms=()):
        self._terms = tuple(terms)  # (field, op, value) with op "=" or "!="

    def requirements(self) -> list[tuple[str, str, str]]:
        return list(self._terms)

    def empty(self) -> bool:
        return not self._terms

    def matches(self, obj: dict) -> bool:
        for field, op, value in self._terms:
            have = selectable_field_value(obj, field)
            if (have == value) != (op == "="):
                return False
        return True

    def __str__(self) -> str:
        return ",".join(f"{f}{op}{_escape(v)}" for f, op, v in self._terms)

    def __repr__(self) -> str:
        return f"FieldSelector({str(self)!r})"


def parse_field_selector(s: str) -> FieldSelector:
    """``fields.ParseSelector``; raises StatusError 400 with its message."""
    terms = []
    for part in sorted(_split_terms(s or "")):
        if not part:
            continue
        split = _split_term(part)
        if split is None:
            raise bad_request(f"invalid selector: '{s}'; can't understand '{part}'")
        field, op, rhs = split
        try:
            value = _unescape(rhs)
        except _ParseError as e:
            raise bad_request(str(e)) from None
        terms.append((field, "!=" if op == "!=" else "=", value))
    return FieldSelector(terms)


def _lookup(obj: dict, path: str):
    cur = obj
    for part in path.split("."):
        if not isinstance(cur, dict):
            return None
        cur = cur.get(part)
    return cur


def _as_field_string(value, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float, str)):
        return str(value)
    return ""  # lists and objects are never selectable


# Fields whose selectable value is not simply the value at the same path
# (the registry strategies' ToSelectableFields).
_FIELD_GETTERS = {
    "spec.hostNetwork": lambda o: _as_field_string(_lookup(o, "spec.hostNetwork"), "false"),
    "spec.unschedulable": lambda o: _as_field_string(_lookup(o, "spec.unschedulable"), "false"),
    "status.replicas": lambda o: _as_field_string(_lookup(o, "status.replicas"), "0"),
    "status.successful": lambda o: _as_field_string(_lookup(o, "status.succeeded"), "0"),
    "status.podIP": lambda o: _as_field_string(((_lookup(o, "status.podIPs") or [{}])[0] or {}).get("ip")
                                               or _lookup(o, "status.podIP")),
    "status.podIPs": lambda o: "",
    "source": lambda o: _as_field_string(_lookup(o, "source.component") or _lookup(o, "reportingComponent")
                                         or _lookup(o, "deprecatedSource.component")
                                         or _lookup(o, "reportingController")),
    "reportingComponent": lambda o: _as_field_string(_lookup(o, "reportingComponent")
                                                     or _lookup(o, "reportingController")),
    "reportingController": lambda o: _as_field_string(_lookup(o, "reportingController")
                                                      or _lookup(o, "reportingComponent")),
}


def selectable_field_value(obj: dict, field: str) -> str:
    """The value of a selectable field of an object, as a string ("" if unset)."""
    if field in _FIELD_GETTERS:
        return _FIELD_GETTERS[field](obj)
    # core/v1 Events say involvedObject.*, events.k8s.io/v1 Events say regarding.*
    for a, b in (("involvedObject.", "regarding."), ("regarding.", "involvedObject.")):
        if field.startswith(a):
            value = _lookup(obj, field)
            return _as_field_string(value if value is not None else _lookup(obj, b + field[len(a):]))
    return _as_field_string(_lookup(obj, field))


# Field labels each kind accepts (its AddFieldLabelConversionFunc), beyond
# nothing: metadata.* are listed where the real conversion accepts them.
_EVENT_FIELDS = ("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                 "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                 "reason", "reportingComponent", "source", "type", "metadata.namespace", "metadata.name")
_SUPPORTED_FIELDS = {
    ("", "pods"): ("metadata.name", "metadata.namespace", "spec.nodeName", "spec.restartPolicy",
                   "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork", "status.phase",
                   "status.podIP", "status.podIPs", "status.nominatedNodeName", "spec.host"),
    ("", "nodes"): ("metadata.name", "spec.unschedulable"),
    ("", "replicationcontrollers"): ("metadata.name", "metadata.namespace", "status.replicas"),
    ("", "events"): _EVENT_FIELDS,
    ("", "namespaces"): ("status.phase", "metadata.name"),
    ("", "secrets"): ("type", "metadata.namespace", "metadata.name"),
    ("", "services"): ("metadata.namespace", "metadata.name", "spec.clusterIP", "spec.type"),
    ("events.k8s.io", "events"): ("reason", "regarding.kind", "regarding.namespace", "regarding.name",
                                  "regarding.uid", "regarding.apiVersion", "regarding.resourceVersion",
                                  "regarding.fieldPath", "reportingController", "source", "type",
                                  "metadata.namespace", "metadata.name"),
    ("batch", "jobs"): ("metadata.name", "metadata.namespace", "status.successful"),
    ("certificates.k8s.io", "certificatesigningrequests"): ("metadata.name", "spec.signerName"),
}


def _unsupported_message(group: str, plural: str, label: str) -> str:
    if (group, plural) == ("batch", "jobs"):
        return f'field label "{label}" not supported for Job'
    if (group, plural) in _SUPPORTED_FIELDS:
        return f"field label not supported: {label}"
    # runtime.DefaultMetaV1FieldSelectorConversion, for kinds with no conversion func
    return f'"{label}" is not a known field selector: only "metadata.name", "metadata.namespace"'


def supported_fields(info) -> tuple:
    """The field labels kube-apiserver accepts in a field selector for a resource."""
    return _SUPPORTED_FIELDS.get((info.group, info.plural), ("metadata.name", "metadata.namespace"))


def check_field_selector_supported(info, fs: FieldSelector) -> None:
    """Raise StatusError 400 for a field the real kube-apiserver cannot select on.

    The message is the field label conversion error, e.g.
    ``field label not supported: spec.foo`` (pods) or
    ``"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"``
    (kinds without a conversion function, such as every apps/v1 kind).
    """
    allowed = supported_fields(info)
    for field, _op, _value in fs.requirements():
        if field not in allowed:
            raise bad_request(_unsupported_message(info.group, info.plural, field))


def normalize_field_selector(fs: FieldSelector) -> FieldSelector:
    """Apply the conversion's renames (``spec.host`` is the old name of ``spec.nodeName``)."""
    renames = {"spec.host": "spec.nodeName"}
    return FieldSelector((renames.get(f, f), op, v) for f, op, v in fs.requirements())
