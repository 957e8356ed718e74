"""Authentication: who sent a request (k8s.io/apiserver's ``pkg/authentication``).

Mirrors the token authenticators of kube-apiserver and its impersonation
filter:

- a static token file (``--token-auth-file``): one token per known user;
  ``cluster.kubeconfig`` holds them (``kubernetes-admin`` in system:masters,
  and the course's ``alice`` and ``bob``);
- ServiceAccount tokens (``--service-account-key-file``): the JWTs that
  TokenRequest issues and the kubelet mounts into pods, which authenticate
  as ``system:serviceaccount:<namespace>:<name>`` while the account exists;
- ``Impersonate-User`` / ``Impersonate-Group`` headers (``kubectl --as``),
  allowed only to those who may ``impersonate`` that user or group.

The simulated JWT is signed with an HMAC over its header and claims, so a
token is checked without being stored anywhere.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

from ..api import errors
from . import rbac

ADMIN = ("kubernetes-admin", ("system:masters", "system:authenticated"))
ANONYMOUS = ("system:anonymous", ("system:unauthenticated",))

# The users the static token file knows: (kubeconfig user and context, username, groups, namespace).
STATIC_USERS = (
    ("alice@team-a", "alice", ("team-a", "system:authenticated"), "team-a"),
    ("bob@team-b", "bob", ("team-b", "system:authenticated"), "team-b"),
)
AUDIENCE = "https://kubernetes.default.svc.cluster.local"
ISSUER = "https://kubernetes.default.svc.cluster.local"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def signing_key(api) -> bytes:
    """The service-account signing key of this cluster (derived from its epoch: no randomness spent)."""
    return hashlib.sha256(f"kernelsim service-account signer {api.epoch.isoformat()}".encode()).digest()


def sign_service_account_token(api, namespace: str, name: str, uid: str, seconds: int,
                               pod: dict | None = None) -> tuple[str, dict]:
    """A service-account JWT for ``namespace/name`` valid ``seconds`` from now; returns (token, claims)."""
    now = int(api.now().timestamp())
    sa_claims = {"namespace": namespace, "serviceaccount": {"name": name, "uid": uid}}
    if pod is not None:
        sa_claims["pod"] = {"name": pod["metadata"]["name"], "uid": pod["metadata"].get("uid", "")}
    claims = {"aud": [AUDIENCE], "exp": now + seconds, "iat": now, "iss": ISSUER, "kubernetes.io": sa_claims,
              "nbf": now, "sub": f"system:serviceaccount:{namespace}:{name}"}
    head = _b64(json.dumps({"alg": "RS256", "kid": "kernelsim"}, separators=(",", ":")).encode())
    body = _b64(json.dumps(claims, separators=(",", ":")).encode())
    sig = _b64(hmac.new(signing_key(api), f"{head}.{body}".encode(), hashlib.sha256).digest())
    return f"{head}.{body}.{sig}", claims


def _service_account_user(api, token: str):
    parts = token.split(".")
    if len(parts) != 3:
        return None
    want = _b64(hmac.new(signing_key(api), f"{parts[0]}.{parts[1]}".encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(want, parts[2]):
        return None
    try:
        claims = json.loads(_unb64(parts[1]))
        sa = claims["kubernetes.io"]
        ns, name, uid = sa["namespace"], sa["serviceaccount"]["name"], sa["serviceaccount"]["uid"]
        exp = int(claims["exp"])
    except (ValueError, KeyError, TypeError):
        return None
    if exp < api.now().timestamp():
        return None
    account = api.storage.get(f"/registry/serviceaccounts/{ns}/{name}")
    if account is None or account["metadata"].get("uid") != uid:
        return None  # a deleted (or re-created) account's tokens stop working
    return f"{rbac.SA_PREFIX}{ns}:{name}", rbac.service_account_groups(ns)


def authenticate_token(api, token: str):
    """(username, groups) for a bearer token, or None."""
    if not token:
        return None
    known = api.tokens.get(token)
    if known is not None:
        return known
    return _service_account_user(api, token)


def bearer_token(headers) -> str:
    auth = headers.get("Authorization", "") or ""
    return auth[len("Bearer "):].strip() if auth.startswith("Bearer ") else ""


def impersonate(api, user: tuple, headers) -> tuple:
    """The impersonation filter: act as ``Impersonate-User`` (and its groups) when allowed to."""
    as_user = headers.get("Impersonate-User")
    as_groups = headers.get_all("Impersonate-Group") or [] if hasattr(headers, "get_all") else []
    if not as_user:
        if as_groups:
            raise errors.StatusError(500, "InternalError",
                                     "Internal error occurred: requested [" + ", ".join(
                                         f"{{Group  {g}  authentication.k8s.io/v1  }}" for g in as_groups)
                                     + "] without impersonating a user")
        return user
    name, groups = user
    checks = []
    if as_user.startswith(rbac.SA_PREFIX):
        ns, _, sa = as_user[len(rbac.SA_PREFIX):].partition(":")
        checks.append(rbac.Attributes(name, groups, "impersonate", ns, "", "serviceaccounts", name=sa))
        new_groups = list(rbac.service_account_groups(ns))
    else:
        checks.append(rbac.Attributes(name, groups, "impersonate", "", "", "users", name=as_user))
        new_groups = []
    for g in as_groups:
        checks.append(rbac.Attributes(name, groups, "impersonate", "", "", "groups", name=g))
        if g not in new_groups:
            new_groups.insert(len(new_groups), g)
    if "system:masters" not in groups:
        for attrs in checks:
            allowed, reason = api.authorizer.authorize(attrs)
            if not allowed:
                msg = rbac.forbidden_message(attrs)
                raise errors.forbidden(attrs.resource, attrs.name, f"{msg}: {reason}" if reason else msg)
    if as_user != ANONYMOUS[0] and "system:authenticated" not in new_groups:
        new_groups.append("system:authenticated")
    return as_user, tuple(new_groups)
