"""API errors as kube-apiserver returns them: ``metav1.Status`` objects.

Mirrors ``k8s.io/apimachinery/pkg/api/errors``: every constructor returns a
:class:`StatusError` carrying the HTTP code, the reason and the message that a
real kube-apiserver would send, so the real kubectl prints the same text.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class FieldError:
    """One ``field.Error`` from ``k8s.io/apimachinery/pkg/util/validation/field``.

    ``type`` is the ErrorType string ("Required value", "Invalid value",
    "Unsupported value", "Duplicate value", "Forbidden", "Too long", ...).
    """

    type: str
    field: str
    bad_value: object = None
    detail: str = ""
    # ``reason`` as it appears in Status.details.causes[].reason
    cause_reason: str = ""

    _REASONS = {
        "Required value": "FieldValueRequired",
        "Invalid value": "FieldValueInvalid",
        "Unsupported value": "FieldValueNotSupported",
        "Duplicate value": "FieldValueDuplicate",
        "Forbidden": "FieldValueForbidden",
        "Too long": "FieldValueTooLong",
        "Too many": "FieldValueTooMany",
        "Not found": "FieldValueNotFound",
    }

    def reason(self) -> str:
        return self.cause_reason or self._REASONS.get(self.type, "FieldValueInvalid")

    def body(self) -> str:
        """The message without the field path, as ``field.Error.ErrorBody``."""
        if self.type in ("Required value", "Forbidden", "Too long", "Too many") and self.bad_value is None:
            s = self.type
        else:
            s = f"{self.type}: {_go_value(self.bad_value)}"
        if self.detail:
            s += f": {self.detail}"
        return s

    def __str__(self) -> str:
        return f"{self.field}: {self.body()}"


def _go_value(v) -> str:
    """Format a bad value the way field.Error does (%q for strings, %v else)."""
    import json

    if isinstance(v, str):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, bool):
        return "true" if v else "false"
    if v is None:
        return "null"
    if isinstance(v, (int, float)):
        return str(v)
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


@dataclass
class StatusError(Exception):
    """A failed API call, serialised as a ``Status`` object on the wire."""

    code: int
    reason: str
    message: str
    details: dict = field(default_factory=dict)

    def __post_init__(self):
        Exception.__init__(self, self.message)

    def __str__(self) -> str:
        return self.message

    def status(self) -> dict:
        out = {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Failure",
            "message": self.message,
            "reason": self.reason,
            "code": self.code,
        }
        if self.details:
            out["details"] = self.details
        if not self.reason:
            del out["reason"]
        return out


def _qualified(resource: str, group: str) -> str:
    return f"{resource}.{group}" if group else resource


def not_found(resource: str, name: str, group: str = "") -> StatusError:
    qr = _qualified(resource, group)
    return StatusError(404, "NotFound", f'{qr} "{name}" not found',
                       {"name": name, "group": group, "kind": resource} if group else {"name": name, "kind": resource})


def already_exists(resource: str, name: str, group: str = "") -> StatusError:
    qr = _qualified(resource, group)
    d = {"name": name, "kind": resource}
    if group:
        d["group"] = group
    return StatusError(409, "AlreadyExists", f'{qr} "{name}" already exists', d)


def conflict(resource: str, name: str, reason_text: str, group: str = "") -> StatusError:
    qr = _qualified(resource, group)
    d = {"name": name, "kind": resource}
    if group:
        d["group"] = group
    return StatusError(409, "Conflict", f'Operation cannot be fulfilled on {qr} "{name}": {reason_text}', d)


def stale_conflict(resource: str, name: str, group: str = "") -> StatusError:
    return conflict(resource, name,
                    "the object has been modified; please apply your changes to the latest version and try again",
                    group)


def invalid(kind: str, name: str, errors: list[FieldError], group: str = "") -> StatusError:
    """422 Invalid: ``The Pod "x" is invalid: spec.containers: Required value``."""
    if len(errors) == 1:
        agg = str(errors[0])
    else:
        agg = "[" + ", ".join(str(e) for e in errors) + "]"
    gk = f"{kind}.{group}" if group else kind
    causes = [{"reason": e.reason(), "message": e.body(), "field": e.field} for e in errors]
    d = {"name": name, "kind": kind, "causes": causes}
    if group:
        d["group"] = group
    return StatusError(422, "Invalid", f'{gk} "{name}" is invalid: {agg}', d)


def bad_request(message: str) -> StatusError:
    return StatusError(400, "BadRequest", message)


def forbidden(resource: str, name: str, reason_text: str, group: str = "") -> StatusError:
    qr = _qualified(resource, group)
    if name:
        msg = f'{qr} "{name}" is forbidden: {reason_text}'
    else:
        msg = f"{qr} is forbidden: {reason_text}"
    d = {"name": name, "kind": resource} if name else {"kind": resource}
    if group:
        d["group"] = group
    return StatusError(403, "Forbidden", msg, d)


def unauthorized(message: str = "Unauthorized") -> StatusError:
    return StatusError(401, "Unauthorized", message)


def method_not_allowed(message: str) -> StatusError:
    return StatusError(405, "MethodNotAllowed", message)


def gone(message: str) -> StatusError:
    """410 Gone: the watch asked for a revision that was compacted."""
    return StatusError(410, "Expired", message)


def unsupported_media_type(content_type: str) -> StatusError:
    return StatusError(415, "UnsupportedMediaType", 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf')


def not_acceptable(message: str) -> StatusError:
    return StatusError(406, "NotAcceptable", message)


def internal_error(message: str) -> StatusError:
    return StatusError(500, "InternalError", f"Internal error occurred: {message}")


def page_not_found() -> StatusError:
    return StatusError(404, "NotFound", "the server could not find the requested resource", {})
