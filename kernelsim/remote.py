"""``kernelsim.connect()``: a real cluster (kind, minikube, a cloud cluster) behind the simulator's surface.

The course's cells use ``cluster.kubectl(...)``, ``cluster.api``,
``cluster.settle()`` and ``%kubectl``.  :class:`RemoteCluster` offers the
same names for a cluster reached through a kubeconfig, so an instructor can
run the same cells against real Kubernetes.

What is the same as the simulator:

* ``kubectl(args, input=None, timeout=120)`` runs the same real kubectl binary
  (with the kubeconfig, ``--context`` when one was chosen, and a private HOME
  for kubectl's discovery cache), and returns the same ``KubectlResult``.
* ``api`` has the methods and signatures of the in-process
  :class:`kernelsim.client.client.Client` (get, list, exists, create, update,
  update_status, patch, delete, apply, bind, watch), with plain dicts in and
  out.  Its requests go through the official ``kubernetes`` Python client
  (``api.api_client`` is its ``ApiClient``, built from the kubeconfig's context
  by ``kubernetes.config.new_client_from_config``), so the credentials are what
  that client understands: CA file or data, insecure-skip-tls-verify,
  tls-server-name, token or tokenFile, client certificate and key or their
  data, basic auth, ``exec`` credential plugins, the ``oidc`` auth-provider.
  Bodies are sent and read as raw JSON, not as the client's model classes.
  A ``Status`` answer becomes the same
  :class:`kernelsim.api.errors.StatusError` (code, reason, message, details).
  Resource names (``po``, ``deploy``, ``deployments.apps``, a CRD's plural)
  are resolved by the same rules as ``resolve_resource``, over the server's
  own discovery document (so custom resources work too).
* ``%kubectl`` talks to the newest cluster or remote; ``close()`` gives it back.

What is not the same:

* Time cannot be fast-forwarded or stopped.  ``settle()`` waits on the wall
  clock, polling, until no pod is Pending or being created or deleted, every
  Deployment, StatefulSet and DaemonSet has rolled out (as ``kubectl rollout
  status`` judges) and every Job has completed or failed; after its timeout it
  raises :class:`SettleTimeoutError`, which lists what is left.  A workload
  with a pod stuck in ImagePullBackOff, CrashLoopBackOff or Unschedulable, or
  Terminating on a node that is not Ready, counts as settled: waiting cannot
  mend it.  ``now`` and ``advance(seconds)`` follow the API server's clock
  (its ``Date`` header): the wall clock on a real cluster, faster on
  ``kernelsim serve --speed``.  ``pause()`` and ``play()`` change nothing and
  say so.
* Watch callbacks run on a background thread per watch, not on the
  simulation's event loop.  After a ``410 Gone`` the watch starts again with
  no resourceVersion, so current objects come again as ADDED events.
* Nothing simulator-only exists: ``trace()`` and ``tracer`` are empty (with a
  note), there are no masters to stop, no network partitions, no
  ``request()``/``resolve()`` of simulated traffic.  ``stop_kubelet()`` and
  ``start_kubelet()`` reach the node's machine where kernelsim knows how (kind,
  minikube, ``kernelsim serve``; see :mod:`kernelsim.machines`).
  ``diagram()`` is a static SVG picture drawn from what the API shows (Nodes,
  Pods, workloads, Leases), not the live widget.
* ``kubeconfig`` is a private copy of the kubeconfig (``source_kubeconfig``
  names the original), so ``kubectl config set-context`` in a notebook stays
  in that session, as with a simulated cluster's own kubeconfig.
* Objects without a namespace go to ``default``, as in the simulator's
  client (not to the context's namespace, which kubectl uses).

``kernelsim.start()`` returns a :class:`RemoteCluster` when
``$KERNELSIM_KUBECONFIG`` is set: that is how the course runs unchanged on a
real cluster (docs/real-cluster.md).
"""

from __future__ import annotations

import json
import os
import shlex
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.parse
import weakref
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import yaml

from . import cluster as _cluster_module
from .api import errors, resources
from .api.resources import ResourceInfo
from .client.client import ClientSurface, load_manifests, match_resource
from .kubectl.runner import KubectlResult, run_kubectl

if TYPE_CHECKING:  # the official client is imported when connect() needs it: it takes seconds to import
    from kubernetes.client import ApiClient

DEFAULT_KUBECONFIG = "~/.kube/config"
USER_AGENT = "kernelsim-remote/0.1.0 (python)"
REQUEST_TIMEOUT = 60.0      # seconds for one ordinary request
WATCH_TIMEOUT = 290         # timeoutSeconds asked of the server for one watch request
SETTLE_POLL = 1.0           # seconds between two looks in settle()

# client-go's reason for an error answer that is not a Status (k8s.io/apimachinery errors.NewGenericServerResponse).
_REASONS = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 405: "MethodNotAllowed",
            406: "NotAcceptable", 409: "Conflict", 410: "Expired", 415: "UnsupportedMediaType", 422: "Invalid",
            429: "TooManyRequests", 500: "InternalError", 503: "ServiceUnavailable", 504: "Timeout"}
_DISCOVERY_ACCEPT = ("application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
                     "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json")
_PATCH_TYPES = {
    "strategic": "application/strategic-merge-patch+json",
    "merge": "application/merge-patch+json",
    "json": "application/json-patch+json",
}
# A container waiting for one of these reasons will not start by itself: the cluster has settled on it.
STUCK_REASONS = frozenset({"ImagePullBackOff", "ErrImagePull", "ErrImageNeverPull", "InvalidImageName",
                           "CrashLoopBackOff", "CreateContainerConfigError", "CreateContainerError",
                           "RunContainerError"})


class KubeconfigError(ValueError):
    """The kubeconfig is missing, or lacks the context, cluster or user asked for."""


class SettleTimeoutError(TimeoutError):
    """``settle()`` waited its whole timeout and the cluster was still busy; ``busy`` says with what."""

    def __init__(self, message: str, busy: list[str]):
        super().__init__(message)
        self.busy = busy


class RemoteConnectionError(ConnectionError):
    """The API server could not be reached (connection refused, unknown host, timeout, TLS)."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "connection failed"


class TLSVerificationError(RemoteConnectionError, ssl.SSLError):
    """The API server's certificate is not signed by the kubeconfig's certificate authority."""


# -- kubeconfig -------------------------------------------------------------------
def kubeconfig_paths(kubeconfig: str | os.PathLike = DEFAULT_KUBECONFIG) -> list[Path]:
    """The kubeconfig files to read: ``$KUBECONFIG`` (a list, like kubectl) when the
    argument is left at its default and the variable is set, else the one path given."""
    env = os.environ.get("KUBECONFIG", "")
    if str(kubeconfig) == DEFAULT_KUBECONFIG and env.strip():
        paths = [Path(p).expanduser() for p in env.split(os.pathsep) if p.strip()]
        found = [p for p in paths if p.is_file()]
        if not found:
            raise KubeconfigError(f"no kubeconfig found: none of the files in $KUBECONFIG exists ({env})")
        return found
    path = Path(kubeconfig).expanduser()
    if not path.is_file():
        raise KubeconfigError(f"kubeconfig not found: {path} (give connect(kubeconfig=...) the path of a "
                              "kubeconfig, e.g. the one `kind create cluster` or `minikube start` wrote)")
    return [path]


_PATH_FIELDS = {"cluster": ("certificate-authority",),
                "user": ("client-certificate", "client-key", "tokenFile")}


def load_kubeconfig(paths: list[Path]) -> dict:
    """The files merged as kubectl merges them: the first file to name a cluster, user or
    context wins, and so does the first ``current-context``.  Relative paths in an entry
    are made absolute against the directory of the file that holds it."""
    merged = {"clusters": {}, "users": {}, "contexts": {}, "current-context": ""}
    for path in paths:
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as e:
            raise KubeconfigError(f"cannot read kubeconfig {path}: {e}") from None
        if not isinstance(doc, dict):
            raise KubeconfigError(f"kubeconfig {path} is not a YAML mapping")
        for section, field in (("clusters", "cluster"), ("users", "user"), ("contexts", "context")):
            for entry in doc.get(section) or []:
                name = (entry or {}).get("name")
                if name is None or name in merged[section]:
                    continue
                body = dict(entry.get(field) or {})
                for key in _PATH_FIELDS.get(field, ()):
                    if body.get(key) and not os.path.isabs(os.path.expanduser(body[key])):
                        body[key] = str(path.parent / body[key])
                    elif body.get(key):
                        body[key] = os.path.expanduser(body[key])
                if field == "user" and isinstance(body.get("exec"), dict):
                    body["exec"] = dict(body["exec"], _dir=str(path.parent))
                merged[section][name] = body
        if not merged["current-context"] and doc.get("current-context"):
            merged["current-context"] = doc["current-context"]
    return merged


def _select(config: dict, context: str | None, where: str) -> tuple[str, dict, dict, dict]:
    """(context name, context, cluster, user) for ``context`` or the current context."""
    name = context or config["current-context"]
    known = ", ".join(sorted(config["contexts"])) or "none"
    if not name:
        raise KubeconfigError(f"kubeconfig {where} has no current-context; choose one with "
                              f"connect(..., context=...) (contexts: {known})")
    if name not in config["contexts"]:
        raise KubeconfigError(f'context "{name}" not found in kubeconfig {where} (contexts: {known})')
    ctx = config["contexts"][name]
    cluster_name = ctx.get("cluster")
    if cluster_name not in config["clusters"]:
        raise KubeconfigError(f'context "{name}" names cluster "{cluster_name}", which kubeconfig {where} '
                              "does not define")
    cluster = config["clusters"][cluster_name]
    if not cluster.get("server"):
        raise KubeconfigError(f'cluster "{cluster_name}" in kubeconfig {where} has no server')
    user_name = ctx.get("user")
    if user_name and user_name not in config["users"]:
        raise KubeconfigError(f'context "{name}" names user "{user_name}", which kubeconfig {where} '
                              "does not define")
    return name, ctx, cluster, config["users"].get(user_name, {}) if user_name else {}


# -- the wire: the official kubernetes client -------------------------------------
def status_error(code: int, body: bytes) -> errors.StatusError:
    """An error answer as a StatusError: the Status object's own fields when there is one."""
    try:
        obj = json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        obj = None
    if isinstance(obj, dict) and obj.get("kind") == "Status":
        return errors.StatusError(int(obj.get("code") or code), obj.get("reason", ""), obj.get("message", ""),
                                  obj.get("details") or {})
    text = body.decode("utf-8", "replace").strip()
    return errors.StatusError(code, _REASONS.get(code, ""),
                              text or f"the server responded with HTTP {code} and no message")


def api_client(kubeconfig: str, context: str) -> ApiClient:
    """The official client's ApiClient for one context of a kubeconfig (it reads the
    credentials: CA, client certificate, token or tokenFile, exec plugin, auth-provider)."""
    from kubernetes.config import kube_config

    try:
        client = kube_config.new_client_from_config(config_file=kubeconfig, context=context, persist_config=False)
    except (kube_config.ConfigException, ValueError, OSError) as e:
        raise KubeconfigError(f"cannot use context {context!r} of the kubeconfig: {e}") from None
    client.user_agent = USER_AGENT
    return client


def _connection_error(server: str, e: Exception) -> RemoteConnectionError:
    """urllib3's error (often a MaxRetryError around the cause) as a clear connection error."""
    import urllib3

    cause = e.reason if isinstance(e, urllib3.exceptions.MaxRetryError) and e.reason else e
    if isinstance(cause, urllib3.exceptions.SSLError):  # it wraps the ssl module's error
        inner = cause.args[0] if cause.args and isinstance(cause.args[0], Exception) else cause.__context__
        cause = inner if isinstance(inner, Exception) else cause
    if isinstance(cause, ssl.SSLCertVerificationError):
        return TLSVerificationError(
            f"TLS verification of the API server at {server} failed: {cause.verify_message or cause}. "
            "The kubeconfig's certificate-authority(-data) does not match the server's certificate "
            "(or tls-server-name is wrong); fix the kubeconfig, or set insecure-skip-tls-verify only "
            "for a throw-away cluster.")
    if isinstance(cause, ssl.SSLError):
        return RemoteConnectionError(f"TLS with the API server at {server} failed: {cause}")
    if isinstance(cause, urllib3.exceptions.NewConnectionError):  # (refused, unknown host: a TimeoutError in urllib3)
        return RemoteConnectionError(f"cannot reach the API server at {server}: {cause}")
    if isinstance(cause, (TimeoutError, urllib3.exceptions.TimeoutError)):
        return RemoteConnectionError(f"the API server at {server} did not answer in time")
    return RemoteConnectionError(f"cannot reach the API server at {server}: {cause}")


# -- resource names ---------------------------------------------------------------
def parse_discovery(doc: dict) -> list[tuple[ResourceInfo, bool]]:
    """(resource, in its group's preferred version) for each resource of an APIGroupDiscoveryList."""
    out = []
    for item in doc.get("items") or []:
        group = (item.get("metadata") or {}).get("name", "") or ""
        for i, version in enumerate(item.get("versions") or []):
            for r in version.get("resources") or []:
                kind = (r.get("responseKind") or {}).get("kind", "")
                info = ResourceInfo(group, version.get("version", ""), kind, r.get("resource", ""),
                                    r.get("scope") == "Namespaced", tuple(r.get("shortNames") or ()),
                                    tuple(r.get("categories") or ()), tuple(r.get("verbs") or ()),
                                    tuple(s.get("subresource", "") for s in r.get("subresources") or []),
                                    r.get("singularResource", ""))
                out.append((info, i == 0))
    return out


# -- the client -------------------------------------------------------------------
class RemoteWatch:
    """A running watch over HTTP; ``stop()`` ends it.  Events are read on a background thread."""

    def __init__(self, client: "RemoteClient", path: str, query: dict, callback: Callable[[str, dict], None],
                 resp, label: str):
        self._client, self._path, self._query, self._callback = client, path, dict(query), callback
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._resp = resp
        self.error: Exception | None = None  # the last error the watch met (it keeps trying)
        self._thread = threading.Thread(target=self._run, name=f"kernelsim watch {label}", daemon=True)
        self._thread.start()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        resp = self._resp
        while not self._stopped.is_set():
            if resp is None:
                try:
                    resp = self._client.open("GET", self._path, query=self._query, watch=True)
                except Exception as e:  # the server is away for a moment, or answered 410: try again
                    self.error = e
                    if isinstance(e, errors.StatusError) and e.code == 410:
                        self._query.pop("resourceVersion", None)
                    self._stopped.wait(1.0)
                    continue
                with self._lock:
                    self._resp = resp
                if self._stopped.is_set():
                    break
            try:
                self._read(resp)
            except Exception as e:  # the connection broke (or stop() shut it down)
                if not self._stopped.is_set():
                    self.error = e
            resp.close()
            resp = None
        if resp is not None:
            resp.close()

    def _read(self, resp) -> None:
        from kubernetes.watch.watch import iter_resp_lines

        for line in iter_resp_lines(resp):  # ends when the server ends the watch (timeoutSeconds)
            if self._stopped.is_set():
                return
            if not line.strip():
                continue
            ev = json.loads(line)
            typ, obj = ev.get("type"), ev.get("object") or {}
            if typ == "ERROR":
                self.error = status_error(int(obj.get("code") or 500), json.dumps(obj).encode())
                if obj.get("code") == 410:  # too old: start again from the current state
                    self._query.pop("resourceVersion", None)
                return
            rv = (obj.get("metadata") or {}).get("resourceVersion")
            if rv:
                self._query["resourceVersion"] = rv
            if typ == "BOOKMARK":
                continue
            try:
                self._callback(typ, obj)
            except Exception:
                traceback.print_exc(file=sys.stderr)

    def stop(self) -> None:
        self._stopped.set()
        with self._lock:
            resp = self._resp
        try:  # shutting the socket down wakes the reading thread, even through TLS
            resp.shutdown()
        except (OSError, ValueError, RuntimeError, AttributeError):
            pass
        if threading.current_thread() is not self._thread:
            self._thread.join(5.0)


class RemoteClient(ClientSurface):
    """The in-process client's methods over the Kubernetes REST API, sent by the official
    ``kubernetes`` client's :class:`ApiClient` (``api_client``): plain dicts in and out."""

    def __init__(self, client: ApiClient):
        self.api_client = client
        self.server = client.configuration.host
        self.last_date: str | None = None  # the Date header of the last answer: the API server's clock
        self._resources: list[tuple[ResourceInfo, bool]] | None = None
        self._discovery_lock = threading.Lock()
        self._watches: "weakref.WeakSet[RemoteWatch]" = weakref.WeakSet()

    # -- the wire ---------------------------------------------------------------------
    def open(self, method: str, path: str, body=None, *, query: dict | None = None,
             content_type: str = "application/json", accept: str = "application/json", watch: bool = False):
        """Send one request with the kubeconfig's credentials; the urllib3 response with its
        body unread, or StatusError for an error answer."""
        import urllib3
        from kubernetes.client.exceptions import ApiException

        headers = {"Accept": accept}
        if body is not None:
            headers["Content-Type"] = content_type
        query = [(k, v) for k, v in (query or {}).items() if v not in (None, "")]
        timeout = (REQUEST_TIMEOUT, WATCH_TIMEOUT + 30) if watch else REQUEST_TIMEOUT
        try:
            params = self.api_client.param_serialize(method, path, query_params=query, header_params=headers,
                                                     body=body, auth_settings=["BearerToken"])
            if params[2].get("authorization"):  # a tokenFile's newline: client-go trims it, this client does not
                params[2]["authorization"] = params[2]["authorization"].strip()
            resp = self.api_client.call_api(*params, _request_timeout=timeout).response
        except ApiException as e:  # the official client's wrapping of an SSL error (status 0)
            raise _connection_error(self.server, e.__context__ or e) from None
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise _connection_error(self.server, e) from None
        self.last_date = resp.headers.get("Date") or self.last_date
        if resp.status >= 400:
            data = resp.read()
            resp.release_conn()
            raise status_error(resp.status, data)
        return resp

    def request(self, method: str, path: str, body=None, *, query: dict | None = None,
                content_type: str = "application/json", accept: str = "application/json"):
        """One REST call (``path`` like ``/api/v1/namespaces``); the decoded JSON answer,
        or StatusError for an error answer.  ``body`` is an object, or its JSON text."""
        import urllib3

        if isinstance(body, (str, bytes)):
            try:
                body = json.loads(body)
            except ValueError as e:
                raise errors.bad_request(f"the request body is not JSON: {e}") from None
        resp = self.open(method, path, body, query=query, content_type=content_type, accept=accept)
        try:
            raw = resp.read()
        except (urllib3.exceptions.HTTPError, OSError) as e:
            raise _connection_error(self.server, e) from None
        finally:
            resp.release_conn()
        if not raw.strip():
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            return raw.decode("utf-8", "replace")

    # -- discovery ---------------------------------------------------------------------
    def _discover(self) -> list[tuple[ResourceInfo, bool]]:
        found: list[tuple[ResourceInfo, bool]] = []
        for path in ("/api", "/apis"):
            doc = self.request("GET", path, accept=_DISCOVERY_ACCEPT)
            if not isinstance(doc, dict) or doc.get("kind") != "APIGroupDiscoveryList":
                # A server without aggregated discovery (older than kubectl 1.37 supports):
                # the built-in resource table stands in for it.
                return [(r, True) for r in resources.REGISTRY]
            found.extend(parse_discovery(doc))
        return found

    def resource_infos(self, refresh: bool = False) -> list[tuple[ResourceInfo, bool]]:
        """The server's resources (from its aggregated discovery), cached; ``refresh`` reads them again."""
        with self._discovery_lock:
            if self._resources is None or refresh:
                self._resources = self._discover()
            return self._resources

    def resolve(self, what: str) -> ResourceInfo:
        """A resource by plural, singular, short name or kind, as ``resolve_resource`` finds it."""
        for refresh in (False, True):  # a CRD made a moment ago is not in the cached discovery yet
            found = match_resource(what, [r for r, preferred in self.resource_infos(refresh) if preferred])
            if found is not None:
                return found
        raise errors.StatusError(404, "NotFound", f'the server doesn\'t have a resource type "{what}"')

    def _info_for_object(self, obj: dict) -> ResourceInfo:
        av, kind = obj.get("apiVersion"), obj.get("kind")
        if not kind:
            raise errors.bad_request("Object 'Kind' is missing in the object")
        if not av:
            raise errors.bad_request("Object 'apiVersion' is missing in the object")
        group, _, version = av.rpartition("/")
        for refresh in (False, True):
            for r, _preferred in self.resource_infos(refresh):
                if r.group == group and r.version == version and r.kind == kind:
                    return r
        raise errors.StatusError(404, "NotFound", f'no matches for kind "{kind}" in version "{av}"')

    @staticmethod
    def _ns(info: ResourceInfo, namespace: str | None) -> str | None:
        if not info.namespaced:
            return None
        return namespace or "default"

    @staticmethod
    def _path(info: ResourceInfo, namespace: str | None, name: str | None = None, subresource: str = "") -> str:
        base = f"/api/{info.version}" if not info.group else f"/apis/{info.group}/{info.version}"
        if namespace is not None and info.namespaced:
            base += f"/namespaces/{urllib.parse.quote(namespace, safe='')}"
        base += f"/{info.plural}"
        if name is not None:
            if not name:
                raise errors.bad_request("resource name may not be empty")
            base += f"/{urllib.parse.quote(name, safe='')}"
        if subresource:
            base += f"/{subresource}"
        return base

    # -- reads ---------------------------------------------------------------------
    def get(self, resource: str, name: str, namespace: str | None = "default") -> dict:
        info = self.resolve(resource)
        return self.request("GET", self._path(info, self._ns(info, namespace), name))

    def list(self, resource: str, namespace: str | None = None, *, label_selector: str = "",
             field_selector: str = "") -> list[dict]:
        """Objects of a resource; ``namespace=None`` means every namespace."""
        info = self.resolve(resource)
        path = self._path(info, namespace if info.namespaced else None)
        query = {"labelSelector": label_selector, "fieldSelector": field_selector, "limit": 500}
        items: list[dict] = []
        while True:
            out = self.request("GET", path, query=query)
            for item in out.get("items") or []:
                # kube-apiserver leaves kind and apiVersion out of list items; the simulator's client has them.
                item.setdefault("apiVersion", info.group_version)
                item.setdefault("kind", info.kind)
                items.append(item)
            cont = (out.get("metadata") or {}).get("continue")
            if not cont:
                return items
            query["continue"] = cont

    # -- writes ---------------------------------------------------------------------
    def create(self, obj, namespace: str | None = None) -> dict:
        obj = self._one_object(obj)
        info = self._info_for_object(obj)
        ns = self._ns(info, namespace or (obj.get("metadata") or {}).get("namespace"))
        return self.request("POST", self._path(info, ns), obj, query={"fieldValidation": "Strict"})

    def update(self, obj: dict, subresource: str = "") -> dict:
        info = self._info_for_object(obj)
        meta = obj.get("metadata") or {}
        return self.request("PUT", self._path(info, self._ns(info, meta.get("namespace")), meta.get("name") or "",
                                              subresource), obj, query={"fieldValidation": "Strict"})

    def update_status(self, obj: dict) -> dict:
        return self.update(obj, subresource="status")

    def patch(self, resource: str, name: str, patch, namespace: str | None = "default", *,
              type: str = "strategic", subresource: str = "") -> dict:
        info = self.resolve(resource)
        body = patch if isinstance(patch, (bytes, str)) else json.dumps(patch)
        return self.request("PATCH", self._path(info, self._ns(info, namespace), name, subresource), body,
                            content_type=_PATCH_TYPES[type], query={"fieldValidation": "Strict"})

    def delete(self, resource: str, name: str, namespace: str | None = "default", *,
               propagation_policy: str | None = None, grace_period_seconds: int | None = None) -> dict:
        info = self.resolve(resource)
        opts: dict = {"kind": "DeleteOptions", "apiVersion": "v1"}
        if propagation_policy:
            opts["propagationPolicy"] = propagation_policy
        if grace_period_seconds is not None:
            opts["gracePeriodSeconds"] = grace_period_seconds
        return self.request("DELETE", self._path(info, self._ns(info, namespace), name), opts)

    def apply(self, manifests, namespace: str | None = None) -> list[dict]:
        """Create each object, or merge it into the existing one (like ``kubectl apply``).

        Accepts a dict, a list of dicts, or YAML text with several documents.
        Nothing is written unless every object is well-formed YAML.  Built-in
        kinds are merged with a strategic merge patch, custom resources (which
        kube-apiserver cannot strategic-merge) with a JSON merge patch.
        """
        out = []
        for obj in load_manifests(manifests):
            info = self._info_for_object(obj)
            meta = obj.get("metadata") or {}
            ns = self._ns(info, namespace or meta.get("namespace"))
            try:
                self.request("GET", self._path(info, ns, meta.get("name") or ""))
            except errors.StatusError as e:
                if e.code != 404:
                    raise
                out.append(self.request("POST", self._path(info, ns), obj, query={"fieldValidation": "Strict"}))
                continue
            body = json.loads(json.dumps(obj))
            body.get("metadata", {}).pop("resourceVersion", None)
            kind = "strategic" if resources.by_kind(info.group, info.kind) is not None else "merge"
            out.append(self.request("PATCH", self._path(info, ns, meta["name"]), body,
                                    content_type=_PATCH_TYPES[kind], query={"fieldValidation": "Strict"}))
        return out

    def bind(self, pod: dict, node_name: str) -> dict:
        meta, binding = pod["metadata"], self._binding(pod, node_name)
        info = self.resolve("pods")
        return self.request("POST", self._path(info, meta["namespace"], meta["name"], "binding"), binding)

    # -- watch ---------------------------------------------------------------------
    def watch(self, resource: str, callback: Callable[[str, dict], None], namespace: str | None = None, *,
              resource_version: str = "", label_selector: str = "", field_selector: str = "") -> RemoteWatch:
        """Call ``callback(event_type, object)`` for every change, on a background thread.

        With no ``resource_version`` the current objects come first as ADDED
        events, as kube-apiserver sends them.  The watch is open on the server
        when this returns, so a change made afterwards is always seen; an error
        answer (403, 404) is raised here.
        """
        info = self.resolve(resource)
        path = self._path(info, namespace if info.namespaced else None)
        query = {"watch": "true", "resourceVersion": resource_version, "labelSelector": label_selector,
                 "fieldSelector": field_selector, "timeoutSeconds": WATCH_TIMEOUT}
        query = {k: v for k, v in query.items() if v not in (None, "")}
        w = RemoteWatch(self, path, query, callback, self.open("GET", path, query=query, watch=True), info.plural)
        self._watches.add(w)
        return w

    def stop_watches(self) -> None:
        for w in list(self._watches):
            w.stop()

    def __repr__(self) -> str:
        return f"<kernelsim RemoteClient {self.server}>"


# -- settle: what is still in progress ----------------------------------------------
def _meta(obj: dict) -> dict:
    return obj.get("metadata") or {}


def _name(obj: dict) -> str:
    m = _meta(obj)
    return f"{m['namespace']}/{m.get('name', '')}" if m.get("namespace") else m.get("name", "")


def pod_stuck(pod: dict, lost_nodes: frozenset = frozenset()) -> str | None:
    """Why a pod will not get anywhere by waiting (Unschedulable, ImagePullBackOff, ...), or None.
    A pod on one of ``lost_nodes`` (not Ready) that is being deleted waits for a kubelet that
    does not answer: it stays Terminating until the node comes back or is deleted."""
    status = pod.get("status") or {}
    if _meta(pod).get("deletionTimestamp") and (pod.get("spec") or {}).get("nodeName") in lost_nodes:
        return "NodeLost"
    if status.get("phase") in ("Succeeded", "Failed"):
        return None
    for c in status.get("conditions") or []:
        if c.get("type") == "PodScheduled" and c.get("status") == "False" and c.get("reason") == "Unschedulable":
            return "Unschedulable"
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
        if reason in STUCK_REASONS:
            return reason
    return None


def pod_in_progress(pod: dict, lost_nodes: frozenset = frozenset()) -> str | None:
    """What a pod is still doing (Pending, ContainerCreating, Terminating), or None when it is
    done or stuck (see :func:`pod_stuck`)."""
    if _meta(pod).get("deletionTimestamp"):
        return None if pod_stuck(pod, lost_nodes) == "NodeLost" else "Terminating"
    if pod_stuck(pod, lost_nodes):
        return None
    status = pod.get("status") or {}
    phase = status.get("phase") or "Pending"
    for cs in (status.get("initContainerStatuses") or []) + (status.get("containerStatuses") or []):
        reason = ((cs.get("state") or {}).get("waiting") or {}).get("reason")
        if reason in ("ContainerCreating", "PodInitializing"):
            return reason
    if phase == "Pending":
        return "Pending"
    return None


def rollout_in_progress(obj: dict, kind: str) -> str | None:
    """What ``kubectl rollout status`` would still wait for, or None when the rollout is done."""
    spec, status, meta = obj.get("spec") or {}, obj.get("status") or {}, _meta(obj)
    generation, observed = meta.get("generation", 0), status.get("observedGeneration", 0)
    if kind == "Deployment":
        if generation > observed:
            return "waiting for the deployment spec update to be observed"
        for c in status.get("conditions") or []:
            if c.get("type") == "Progressing" and c.get("reason") == "ProgressDeadlineExceeded":
                return None  # failed: it will not go on by itself
        replicas, updated = spec.get("replicas", 1), status.get("updatedReplicas", 0)
        if replicas is not None and updated < replicas:
            return f"{updated} out of {replicas} new replicas have been updated"
        if status.get("replicas", 0) > updated:
            return f"{status.get('replicas', 0) - updated} old replicas are pending termination"
        if status.get("availableReplicas", 0) < updated:
            return f"{status.get('availableReplicas', 0)} of {updated} updated replicas are available"
        return None
    if kind == "DaemonSet":
        if (spec.get("updateStrategy") or {}).get("type", "RollingUpdate") != "RollingUpdate":
            return None
        if generation > observed:
            return "waiting for the daemon set spec update to be observed"
        desired = status.get("desiredNumberScheduled", 0)
        if status.get("updatedNumberScheduled", 0) < desired:
            return f"{status.get('updatedNumberScheduled', 0)} out of {desired} new pods have been updated"
        if status.get("numberAvailable", 0) < desired:
            return f"{status.get('numberAvailable', 0)} of {desired} updated pods are available"
        return None
    if kind == "StatefulSet":
        strategy = spec.get("updateStrategy") or {}
        if strategy.get("type", "RollingUpdate") != "RollingUpdate":
            return None
        if observed == 0 or generation > observed:
            return "waiting for the statefulset spec update to be observed"
        replicas = spec.get("replicas", 1)
        if replicas is not None and status.get("readyReplicas", 0) < replicas:
            return f"{status.get('readyReplicas', 0)} of {replicas} pods are ready"
        partition = (strategy.get("rollingUpdate") or {}).get("partition")
        if partition is not None and replicas is not None:
            if status.get("updatedReplicas", 0) < replicas - partition:
                return f"{status.get('updatedReplicas', 0)} of {replicas - partition} pods have been updated"
            return None
        if status.get("updateRevision") and status.get("updateRevision") != status.get("currentRevision"):
            return "waiting for the statefulset rolling update to complete"
        return None
    raise ValueError(f"no rollout status for kind {kind!r}")


def job_in_progress(job: dict) -> str | None:
    """What a Job is still doing, or None once it is complete, failed or suspended."""
    spec, status = job.get("spec") or {}, job.get("status") or {}
    if spec.get("suspend"):
        return None
    for c in status.get("conditions") or []:
        if c.get("type") in ("Complete", "Failed") and c.get("status") == "True":
            return None
    completions = spec.get("completions")
    succeeded = status.get("succeeded", 0)
    if completions is None:
        return f"{succeeded} pods succeeded, {status.get('active', 0)} active"
    return f"{succeeded} of {completions} completions succeeded"


def _note(message: str) -> None:
    print(f"kernelsim: {message}", file=sys.stderr, flush=True)


def _write_kubeconfig(path: Path, config: dict, context: str | None) -> None:
    """The merged kubeconfig as one self-contained file (paths already absolute)."""
    def entries(section: str, field: str) -> list:
        out = []
        for name, body in config[section].items():
            body = dict(body)
            if isinstance(body.get("exec"), dict):
                where = body["exec"].get("_dir", ".")
                spec = body["exec"] = {k: v for k, v in body["exec"].items() if k != "_dir"}
                command = os.path.expanduser(spec.get("command", ""))
                if os.sep in command and not os.path.isabs(command):  # relative to the file it came from
                    spec["command"] = os.path.join(where, command)
            out.append({"name": name, field: body})
        return out

    doc = {"apiVersion": "v1", "kind": "Config", "preferences": {},
           "current-context": context or config["current-context"],
           "clusters": entries("clusters", "cluster"), "users": entries("users", "user"),
           "contexts": entries("contexts", "context")}
    path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
    path.chmod(0o600)


def _controller_of(obj: dict) -> tuple[str, str, str] | None:
    for ref in _meta(obj).get("ownerReferences") or []:
        if ref.get("controller"):
            return ref.get("kind", ""), _meta(obj).get("namespace", ""), ref.get("name", "")
    return None


class NoTrace:
    """The simulator's ``Tracer`` surface (``count``, ``last``, ``since``) with no records:
    a real cluster's components do not report their requests to kernelsim."""

    count = 0

    def last(self, n: int | None = None) -> list:
        _note("the trace is empty here: the request-flow trace needs the simulator (kernelsim.Cluster); "
              "`kubectl -v=6` still shows kubectl's own requests")
        return []

    def since(self, cursor: int) -> list:
        return self.last()


# -- the remote cluster ----------------------------------------------------------------
REFERENCE_MAGIC = b"KERNELSIM-REMOTE\n"  # what RemoteCluster.save() writes: how to reach the cluster


def load_reference(path: str | os.PathLike) -> "RemoteCluster | None":
    """The cluster a file written by :meth:`RemoteCluster.save` names, connected again; None for other files."""
    with open(Path(path).expanduser(), "rb") as f:
        if f.read(len(REFERENCE_MAGIC)) != REFERENCE_MAGIC:
            return None
        reference = json.loads(f.read())
    return RemoteCluster(reference["kubeconfig"], reference.get("context"))


class RemoteCluster:
    """A real cluster behind the same surface as :class:`kernelsim.Cluster`."""

    def __init__(self, kubeconfig: str | os.PathLike = DEFAULT_KUBECONFIG, context: str | None = None):
        paths = kubeconfig_paths(kubeconfig)
        self._kubeconfig = os.pathsep.join(str(p) for p in paths)
        where = " and ".join(str(p) for p in paths)
        config = load_kubeconfig(paths)
        self.context, ctx, cluster, _user = _select(config, context, where)
        self._cluster_name = ctx.get("cluster", "")
        self._provider = next((((e or {}).get("extension") or {}).get("provider", "")
                               for e in cluster.get("extensions") or [] if (e or {}).get("name") == "cluster_info"), "")
        self._context_flag = context  # kubectl gets --context only when one was asked for
        self.tracer = NoTrace()
        self.namespace = ctx.get("namespace") or "default"
        self._tmp = tempfile.TemporaryDirectory(prefix="kernelsim-remote-")
        self._closed = True
        try:
            base = Path(self._tmp.name)
            self.home = base / "home"
            self.home.mkdir()
            # kubectl gets a private copy, as each simulated cluster has its own kubeconfig: what a
            # notebook does to it (config set-context, kubens) stays in this session.
            self.source_kubeconfig = self._kubeconfig
            self._kubeconfig = str(base / "kubeconfig")
            _write_kubeconfig(Path(self._kubeconfig), config, context)
            self._sources = paths
            self._server = cluster["server"]
            self.api = RemoteClient(api_client(self._kubeconfig, self.context))
            self.version = self.api.request("GET", "/version")  # reach the server now: fail early and clearly
        except BaseException:
            self._tmp.cleanup()
            raise
        self._started = time.monotonic()
        self._server_started = self.server_time()
        self._previous = _cluster_module._current  # %kubectl goes back to it when this one is closed
        self._closed = False
        _cluster_module._current = weakref.ref(self)
        self._finalizer = weakref.finalize(self, RemoteCluster._shutdown, self.api, self._tmp)

    # -- kubectl -------------------------------------------------------------------------
    @property
    def kubeconfig(self) -> str:
        """This session's copy of the kubeconfig (the files it came from, merged, with the
        chosen context current); ``source_kubeconfig`` names the originals."""
        return self._kubeconfig

    def share(self, path: str | os.PathLike | None = None) -> str:
        """The kubeconfig a terminal can use for this cluster: this session's copy, or a copy at ``path``."""
        if path is None:
            return self._kubeconfig
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(Path(self._kubeconfig).read_text(encoding="utf-8"), encoding="utf-8")
        target.chmod(0o600)
        return str(target)

    def save(self, path: str | os.PathLike) -> str:
        """Remember how to reach this cluster, for :func:`kernelsim.load` after a kernel restart.
        A real cluster keeps its state in its own etcd (``etcdctl snapshot save`` backs that up),
        so the file holds only the kubeconfig and context, never the cluster's objects."""
        target = Path(path).expanduser()
        target.parent.mkdir(parents=True, exist_ok=True)
        reference = {"kubeconfig": self.source_kubeconfig, "context": self._context_flag}
        target.write_bytes(REFERENCE_MAGIC + json.dumps(reference).encode("utf-8") + b"\n")
        _note(f"save() wrote only how to reach this cluster to {target}: a real cluster keeps its state in its own "
              "etcd (etcdctl snapshot save backs it up)")
        return str(target)

    @property
    def server(self) -> str:
        return self._server

    def kubectl(self, args, input: str | None = None, timeout: float | None = 120) -> KubectlResult:
        """Run the REAL kubectl against this cluster; returns stdout, stderr and returncode."""
        argv = shlex.split(args) if isinstance(args, str) else list(args)
        if argv and argv[0] == "kubectl":
            argv = argv[1:]
        if self._context_flag:
            argv = [f"--context={self._context_flag}", *argv]
        return run_kubectl(argv, self._kubeconfig, self.home, input=input, timeout=timeout)

    # -- time ------------------------------------------------------------------------------
    def server_time(self) -> float:
        """The API server's clock (its ``Date`` header, to the second) as a POSIX timestamp;
        the wall clock where a proxy drops the header.  A real cluster's clock is the wall
        clock; ``kernelsim serve --speed 10`` runs ten times faster."""
        import email.utils

        self.api.request("GET", "/version")
        date = self.api.last_date
        try:
            return email.utils.parsedate_to_datetime(date).timestamp() if date else time.time()
        except (TypeError, ValueError):
            return time.time()

    @property
    def now(self) -> float:
        """Seconds on the API server's clock since ``connect()`` (whole seconds)."""
        return self.server_time() - self._server_started

    def in_progress(self) -> list[str]:
        """What the cluster is still doing: pods being scheduled, created or deleted,
        rollouts that have not finished and Jobs that have not completed or failed
        (workloads with a stuck pod are left out: waiting cannot mend them)."""
        lost = frozenset(_meta(n).get("name") for n in self.api.list("nodes")
                         if not any(c.get("type") == "Ready" and c.get("status") == "True"
                                    for c in (n.get("status") or {}).get("conditions") or []))
        pods = self.api.list("pods")
        stuck_owners = set()
        busy = []
        for pod in pods:
            owner = _controller_of(pod)
            if pod_stuck(pod, lost) or (owner and owner[0] == "DaemonSet" and
                                        (pod.get("spec") or {}).get("nodeName") in lost):
                stuck_owners.add(owner)  # (a DaemonSet's pod cannot move off a lost node)
            doing = pod_in_progress(pod, lost)
            if doing:
                busy.append(f"pod {_name(pod)}: {doing}")
        for rs in self.api.list("replicasets"):
            m = _meta(rs)
            if ("ReplicaSet", m.get("namespace", ""), m.get("name", "")) in stuck_owners:
                stuck_owners.add(_controller_of(rs))
        for resource, kind in (("deployments", "Deployment"), ("statefulsets", "StatefulSet"),
                               ("daemonsets", "DaemonSet"), ("jobs", "Job")):
            for obj in self.api.list(resource):
                m = _meta(obj)
                if (kind, m.get("namespace", ""), m.get("name", "")) in stuck_owners:
                    continue
                doing = job_in_progress(obj) if kind == "Job" else rollout_in_progress(obj, kind)
                if doing:
                    busy.append(f"{kind.lower()} {_name(obj)}: {doing}")
        return busy

    def settle(self, max_seconds: float = 600.0) -> float:
        """Wait (wall clock, looking every second) until nothing is in progress: no pod
        Pending, being created or terminating, every Deployment, StatefulSet and DaemonSet
        rolled out, every Job complete or failed.  A real cluster's time cannot be
        fast-forwarded.  Returns the seconds waited; after ``max_seconds`` raises
        :class:`SettleTimeoutError`, which says what is still in progress."""
        start = time.monotonic()
        while True:
            busy = self.in_progress()
            if not busy:
                return time.monotonic() - start
            left = max_seconds - (time.monotonic() - start)
            if left <= 0:
                shown = "; ".join(busy[:10]) + (f"; and {len(busy) - 10} more" if len(busy) > 10 else "")
                raise SettleTimeoutError(f"the cluster has not settled after {max_seconds:g} s: still in "
                                         f"progress: {shown}", busy)
            time.sleep(min(SETTLE_POLL, left))

    def advance(self, seconds: float) -> float:
        """Wait until ``seconds`` have passed on the API server's clock (a real cluster's
        time cannot be fast-forwarded: this is the wall clock there).  A server whose clock
        stands still (a paused simulation) is waited for on the wall clock.  Returns ``seconds``."""
        if seconds < 0:
            raise ValueError("time only moves forward")
        start_wall, start = time.monotonic(), self.server_time()
        rate = 1.0  # server seconds per wall-clock second, learned on the way
        while True:
            passed = self.server_time() - start
            wall = time.monotonic() - start_wall
            if passed >= seconds or (passed == 0 and wall >= seconds + 2.0):
                return seconds
            if wall > 0.5 and passed > 0:
                rate = passed / wall
            time.sleep(min(1.0, max(0.05, (seconds - passed) / rate)))

    @property
    def realtime_enabled(self) -> bool:
        return True

    def play(self, speed: float | None = None) -> None:
        """Does nothing but say so: a real cluster's time always runs, at the speed of its clock."""
        if speed not in (None, 1, 1.0):
            _note(f"play(speed={speed:g}) changes nothing here: a real cluster's time runs at the wall clock's speed")

    def pause(self) -> None:
        """Does nothing but say so: a real cluster's clock cannot be stopped."""
        _note("pause() changes nothing here: a real cluster's clock cannot be stopped")

    def trace(self, last: int | None = None) -> list:
        """Nothing, with a note: the request-flow trace needs the simulator (a real cluster's
        components do not report their requests to kernelsim; ``kubectl -v=6`` still shows kubectl's)."""
        return self.tracer.last(last)

    # -- machines --------------------------------------------------------------------------
    def stop_kubelet(self, node: str) -> None:
        """Stop a node's kubelet, as ``systemctl stop kubelet`` on that machine: on kind through
        ``docker exec``, on minikube through ``minikube ssh``, on ``kernelsim serve`` through its
        machines socket.  Elsewhere there is no way in from here, and the error says so."""
        self._kubelet("stop", node)

    def start_kubelet(self, node: str) -> None:
        """Start a node's kubelet again (see :meth:`stop_kubelet`)."""
        self._kubelet("start", node)

    def _kubelet(self, action: str, node: str) -> None:
        self.api.get("nodes", node)  # a node that does not exist: the API server's NotFound
        from . import machines

        for source in self._sources:
            sock = machines.socket_path(source)
            if not sock.is_socket():
                continue
            try:
                if machines.call(sock, "hello").get("server") != self.server:
                    continue  # a socket left by another cluster
                answer = machines.call(sock, f"{action}_kubelet", node)
            except (OSError, ValueError) as e:
                raise RuntimeError(f"cannot reach the machines of kernelsim serve at {sock}: {e}") from None
            if answer.get("error"):
                raise RuntimeError(answer["error"])
            return
        argv = None
        if self.context.startswith("kind-"):  # kind's nodes are Docker containers named like the nodes
            argv = ["docker", "exec", node, "systemctl", action, "kubelet"]
        elif self._provider == "minikube.sigs.k8s.io":
            argv = ["minikube", "ssh", "-p", self._cluster_name, "-n", node, "--", "sudo", "systemctl", action,
                    "kubelet"]
        if argv is None:
            raise NotImplementedError(
                f"{action}_kubelet() cannot reach the machine {node} of this cluster (context {self.context!r}): "
                f"it works on kernelsim serve, kind and minikube. Run `sudo systemctl {action} kubelet` on "
                f"{node} yourself (ssh, or your cloud's console).")
        try:
            p = subprocess.run(argv, capture_output=True, text=True, timeout=120)
        except (OSError, subprocess.TimeoutExpired) as e:
            raise RuntimeError(f"{' '.join(argv)} failed: {e}") from None
        if p.returncode != 0:
            raise RuntimeError(f"{' '.join(argv)} exited with {p.returncode}: {p.stderr.strip()}")

    # -- pictures --------------------------------------------------------------------------
    def diagram(self, view: str = "architecture", namespace: str | None = None, *, trace: bool = False,
                lang: str = "en"):
        """A static SVG picture of the cluster as the API shows it (``view`` is
        architecture, objects or namespaces).  The live widget, its replay and the
        request-flow trace need the simulator; ``lang`` is accepted for the same call."""
        if trace:
            raise ValueError("the request-flow trace needs the simulator (kernelsim.Cluster): a real cluster's "
                             "components do not report their requests to kernelsim")
        from IPython.display import SVG

        from .widgets.dot import view_dot
        from .widgets.render import render_svg
        from .widgets.snapshot import take_snapshot

        return SVG(data=render_svg(view_dot(view, take_snapshot(self, namespace))))

    # -- life cycle --------------------------------------------------------------------------
    def close(self) -> None:
        """Stop this client's watches and remove its temporary files; ``%kubectl`` goes back
        to the cluster used before, if that one is still open.  The real cluster is untouched."""
        self._closed = True
        self._finalizer()
        cur = _cluster_module._current
        if cur is not None and cur() is self:
            prev = self._previous
            while prev is not None and (prev() is None or prev()._closed):
                prev = prev()._previous if prev() is not None else None
            _cluster_module._current = prev

    @staticmethod
    def _shutdown(api: RemoteClient, tmp: tempfile.TemporaryDirectory) -> None:
        try:
            api.stop_watches()
            api.api_client.close()
        finally:
            tmp.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self) -> str:
        return f"<kernelsim.RemoteCluster context={self.context!r} server={self.server}>"


def connect(kubeconfig: str | os.PathLike = DEFAULT_KUBECONFIG, context: str | None = None) -> RemoteCluster:
    """A real cluster with the simulator's surface (see the module docstring for the differences)."""
    return RemoteCluster(kubeconfig, context)
