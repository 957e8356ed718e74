"""kube-apiserver's HTTP front end: the REST API that kubectl and client-go speak.

Serves discovery (aggregated and legacy), OpenAPI v2/v3, ``/version``, and the
resource paths ``/api/v1/...`` and ``/apis/<group>/<version>/...`` with list,
watch (chunked JSON lines), get, create, update, patch and delete, answering
``meta.k8s.io/v1 Table`` when kubectl asks for one.  Every request is served
under the cluster lock, so the simulation sees one request at a time.
"""

from __future__ import annotations

import ipaddress
import json
import queue
import re
import select
import socket
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..api import errors, resources, yamlutil
from . import authn, protobuf, stream
from .certs import serving_certs
from .server import APIServer, RequestContext

TABLE_CT = "application/json;as=Table;v=v1;g=meta.k8s.io"
AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
PROTO_V2_CT = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")
# kube-apiserver's limits (k8s.io/apiserver/pkg/server/config.go): a write request's body is read up to
# MaxRequestBodyBytes (3 MiB, twice etcd's 1.5 MiB --max-request-bytes); reading a request (its headers
# and body) may take at most the request timeout (--request-timeout, 60 s).
MAX_REQUEST_BODY_BYTES = 3 * 1024 * 1024
REQUEST_READ_TIMEOUT = 60.0

_RES_PATH = re.compile(
    r"^/(?:api/(?P<cv>v1)|apis/(?P<g>[^/]+)/(?P<v>[^/]+))"
    r"(?:/namespaces/(?P<ns>[^/]+)(?=/))?"
    r"/(?P<res>[^/]+)(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?/?$")


# APIs that v1.37 still serves but has deprecated: the warning every response carries.
DEPRECATED = {
    ("", "v1", "endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    ("", "v1", "componentstatuses"): "v1 ComponentStatus is deprecated in v1.19+",
}


def _int_param(q: dict, name: str, default: int = 0) -> int:
    """An integer query parameter; a malformed one is a 400 with Go's strconv message."""
    value = q.get(name)
    if value in (None, ""):
        return default
    if not re.fullmatch(r"[+-]?\d{1,19}", value):
        raise errors.bad_request(f'strconv.ParseInt: parsing "{value}": invalid syntax')
    return int(value)


def _parse_duration(s: str) -> float | None:
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+(?:\.\d+)?)s)?", s or "")
    if not s or not m:
        return None
    h, mi, se = m.groups()
    return int(h or 0) * 3600 + int(mi or 0) * 60 + float(se or 0)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that drops the connection or rejects the certificate is not the server's error."""
        import sys

        if isinstance(sys.exc_info()[1], (ssl.SSLError, ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)


class APIHTTPServer:
    """Runs the HTTP front end on 127.0.0.1 in a background thread."""

    def __init__(self, apiserver: APIServer, lock: threading.RLock, token: str, host: str = "127.0.0.1",
                 port: int = 0, idle_hook=None, read_timeout: float = REQUEST_READ_TIMEOUT):
        if not ipaddress.ip_address(socket.gethostbyname(host)).is_loopback:
            raise ValueError(f"the API server listens on the loopback interface only, not on {host}")
        self.apiserver = apiserver
        self.read_timeout = read_timeout  # seconds to read one request; a slower client is disconnected
        self.lock = lock
        self.token = token
        self.idle_hook = idle_hook  # called (under the lock) while a watch waits with nothing to say
        handler = type("Handler", (_Handler,), {"front": self})
        self.httpd = _Server((host, port), handler)
        self.httpd.daemon_threads = True
        self.certs = serving_certs()
        # The TLS handshake happens on first read, in the request's own thread.
        self.httpd.socket = self.certs.server_context().wrap_socket(
            self.httpd.socket, server_side=True, do_handshake_on_connect=False)
        self.host, self.port = self.httpd.server_address[:2]
        # A short poll interval: stop() (every cluster's close()) returns within 50 ms instead of 500.
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="kernelsim-apiserver", daemon=True)
        self._closing = threading.Event()
        self.request_count = 0
        self.busy_seconds = 0.0  # wall time spent serving (non-watch) requests, for benchmarks
        self.watchdog = _ReadWatchdog(self)

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> "APIHTTPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self.watchdog.stop()
        self.httpd.shutdown()
        self.httpd.server_close()


class _ReadWatchdog:
    """Disconnects a client that takes longer than ``read_timeout`` to send a request
    (a slowloris): one thread for the server, woken at the earliest deadline."""

    def __init__(self, front: APIHTTPServer):
        self.front = front
        self._deadlines: dict[object, tuple[float, socket.socket]] = {}
        self._cond = threading.Condition()
        self._stopped = False
        self._thread: threading.Thread | None = None

    def reading(self, handler, sock) -> None:
        with self._cond:
            self._deadlines[handler] = (time.monotonic() + self.front.read_timeout, sock)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="kernelsim-apiserver-timeouts", daemon=True)
                self._thread.start()
            self._cond.notify()

    def done(self, handler) -> None:
        with self._cond:
            self._deadlines.pop(handler, None)

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._cond.notify()

    def _run(self) -> None:
        with self._cond:
            while not self._stopped:
                now = time.monotonic()
                for handler, (deadline, sock) in list(self._deadlines.items()):
                    if deadline <= now:
                        del self._deadlines[handler]
                        try:
                            sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns: the handler ends
                        except OSError:
                            pass
                nxt = min((d for d, _ in self._deadlines.values()), default=None)
                self._cond.wait(None if nxt is None else max(0.0, nxt - now) + 0.01)


class _Handler(BaseHTTPRequestHandler):
    front: APIHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, without a 40 ms delayed-ACK stall
    server_version = "kube-apiserver"
    sys_version = ""

    def log_message(self, format, *args):  # quiet
        pass

    def setup(self):
        self.timeout = self.front.read_timeout  # no single read or write blocks longer
        super().setup()

    def handle_one_request(self):
        # From the first byte of a request to the end of its body, within read_timeout.
        self.front.watchdog.reading(self, self.connection)
        try:
            super().handle_one_request()
        finally:
            self.front.watchdog.done(self)

    def date_time_string(self, timestamp=None):
        """The Date header: the API server's own clock (simulated time), as kube-apiserver's is its host's."""
        return super().date_time_string(self.front.apiserver.now().timestamp() if timestamp is None else timestamp)

    # -- plumbing ---------------------------------------------------------------
    def _send(self, code: int, body: bytes, ctype: str = "application/json", headers: list | None = None):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in headers or ():
            self.send_header(k, v)
        if self.close_connection:
            self.send_header("Connection", "close")
        for w in getattr(self, "_deprecation", ()):
            self.send_header("Warning", f'299 - "{w}"')
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _json(self, code: int, obj, ctype: str = "application/json", warnings=()):
        body = json.dumps(obj, separators=(",", ":")).encode()
        # One RFC 7234 Warning header per warning; kubectl prints each as "Warning: <text>".
        headers = [("Warning", '299 - "%s"' % w.replace("\\", "\\\\").replace('"', '\\"')) for w in warnings]
        self._send(code, body + b"\n", ctype, headers)

    def _error(self, e: errors.StatusError):
        self._json(e.code, e.status())

    def _body(self):
        """The request body, up to MAX_REQUEST_BODY_BYTES (413 beyond, as kube-apiserver's limitedReadBody)."""
        too_large = errors.StatusError(413, "RequestEntityTooLarge",
                                       f"Request entity too large: limit is {MAX_REQUEST_BODY_BYTES}")
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            raw = bytearray()
            while True:
                line = self.rfile.readline(1024)
                try:
                    size = int(line.split(b";")[0].strip(), 16)
                except ValueError:
                    self.close_connection = True
                    raise errors.bad_request("malformed chunked encoding") from None
                if size == 0:
                    while self.rfile.readline(1024) not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return bytes(raw)
                if len(raw) + size > MAX_REQUEST_BODY_BYTES:
                    self.close_connection = True  # the rest is not read
                    raise too_large
                raw += self.rfile.read(size)
                self.rfile.readline(1024)
        length = self.headers.get("Content-Length") or "0"
        if not length.strip().isdigit():
            self.close_connection = True
            raise errors.bad_request(f"invalid Content-Length: {length!r}")
        n = int(length)
        if n > MAX_REQUEST_BODY_BYTES:
            # Read past the limit and discard, so that the client, still sending, gets the answer;
            # a body far larger is not read at all and the connection is closed.
            if n > 4 * MAX_REQUEST_BODY_BYTES:
                self.close_connection = True
            else:
                while n > 0:
                    got = self.rfile.read(min(n, 1 << 16))
                    if not got:
                        self.close_connection = True
                        break
                    n -= len(got)
            raise too_large
        raw = self.rfile.read(n) if n else b""
        if len(raw) < n:
            self.close_connection = True
            raise errors.bad_request("unexpected EOF")
        return raw

    def _decode_body(self, raw: bytes):
        ct = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if ct == protobuf.MEDIA_TYPE:
            try:
                return protobuf.decode(raw)
            except errors.StatusError:
                raise
            except Exception as e:  # a malformed message is the client's error
                raise errors.bad_request(f"unable to decode protobuf body: {type(e).__name__}: {e}") from None
        strict = getattr(self, "_field_validation", "Strict") == "Strict"
        duplicates: list[str] = []
        if ct in ("application/yaml",):
            try:
                obj = yamlutil.load(raw, None if strict else duplicates.append)
            except yamlutil.YAMLError as e:
                raise errors.bad_request(f"error converting YAML to JSON: {e}") from None
            return self._duplicates(obj, [f"yaml: unmarshal errors: {d}" for d in duplicates])
        if ct not in ("application/json", "", "*/*"):
            raise errors.unsupported_media_type(ct)
        try:
            obj, duplicates = yamlutil.json_load(raw.decode() or "null")
            return self._duplicates(obj, [f'duplicate field "{d}"' for d in duplicates])
        except (ValueError, UnicodeDecodeError) as e:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {e}") from None
        except RecursionError:
            raise errors.bad_request("couldn't get version/kind; json parse error: exceeded max depth") from None

    def _duplicates(self, obj, problems: list[str]):
        """fieldValidation on fields given twice: Strict refuses them (400), Warn warns, Ignore keeps the last."""
        mode, info = getattr(self, "_field_validation", "Strict"), getattr(self, "_info", None)
        if problems and info is not None:
            if mode == "Strict":
                raise errors.bad_request(f'{info.kind} in version "{info.version}" cannot be handled as a '
                                         f"{info.kind}: strict decoding error: " + ", ".join(problems))
            if mode == "Warn":
                self._warnings.extend(problems)
        return obj

    def _authenticated(self, path: str) -> bool:
        """Authentication (``authn.py``): sets ``self._user``; public paths need no token."""
        self._user = authn.ANONYMOUS
        token = authn.bearer_token(self.headers)
        if token and token == self.front.token:
            self._user = authn.ADMIN
        elif token:
            with self.front.lock:
                self._user = authn.authenticate_token(self.front.apiserver, token) or authn.ANONYMOUS
        if path in PUBLIC_PATHS or path.startswith("/version"):
            return True
        if self._user is authn.ANONYMOUS:
            return False
        if self.headers.get("Impersonate-User") or self.headers.get("Impersonate-Group"):
            with self.front.lock:
                self._user = authn.impersonate(self.front.apiserver, self._user, self.headers)
        return True

    def _identity(self) -> dict:
        user, groups = getattr(self, "_user", authn.ADMIN)
        return {"user": user, "groups": groups}

    # -- dispatch -----------------------------------------------------------------
    def do_GET(self):
        self._dispatch("GET")

    def do_HEAD(self):
        self._dispatch("GET")

    def do_POST(self):
        self._dispatch("POST")

    def do_PUT(self):
        self._dispatch("PUT")

    def do_PATCH(self):
        self._dispatch("PATCH")

    def do_DELETE(self):
        self._dispatch("DELETE")

    def _dispatch(self, method: str):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = {k: v[-1] for k, v in urllib.parse.parse_qs(url.query, keep_blank_values=True).items()}
        self.front.request_count += 1
        self._deprecation = ()
        started = time.perf_counter()
        try:
            raw = self._body()  # read whatever the method, so the next request on the connection starts clean
            self.front.watchdog.done(self)
            if not self._authenticated(path):
                raise errors.unauthorized()
            if method == "GET" and not _RES_PATH.match(path) and path not in PUBLIC_PATHS \
                    and "system:masters" not in self._user[1]:
                with self.front.lock:
                    self.front.apiserver.authorize_path(RequestContext(**self._identity()), "get", path)
            if method == "GET" and self._serve_static(path, q):
                return
            m = _RES_PATH.match(path)
            if not m:
                raise errors.page_not_found()
            self._serve_waiting_for_etcd(method, m, q, raw)
        except errors.StatusError as e:
            self._error(e)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            pass
        except Exception as e:  # the server never dies on a bad request
            import traceback

            traceback.print_exc()
            self._error(errors.internal_error(f"{type(e).__name__}: {e}"))
        finally:
            if q.get("watch") not in ("true", "1"):
                self.front.busy_seconds += time.perf_counter() - started

    def _serve_waiting_for_etcd(self, method: str, m: re.Match, q: dict, raw: bytes):
        """Serve the request; while etcd has no leader that can commit, it waits, as a request
        to a real etcd does, up to etcd's request timeout (7 s of simulated time) for one,
        and only then answers ``etcdserver: request timed out``.  A request that timed out
        changed nothing, so it is served again once etcd can answer."""
        api, deadline = self.front.apiserver, None
        while True:
            try:
                return self._serve_resource(method, m, q, raw)
            except errors.StatusError as e:
                if not api.storage.timed_out(e):
                    raise
                with self.front.lock:
                    now = api.clock.now
                if deadline is None:
                    deadline = now + api.storage.request_timeout
                if not self._wait_for_etcd(deadline):
                    raise

    def _wait_for_etcd(self, deadline: float) -> bool:
        """Let simulated time run (or, in real time, wait) until etcd is ready or ``deadline``."""
        api, since = self.front.apiserver, None
        while not self.front._closing.is_set():
            with self.front.lock:
                now = api.clock.now
                since = now if since is None else since
                if api.storage.etcd_ready() and now > since:  # some time passed: never a busy loop
                    return True
                if now >= deadline:
                    return False
                moved = self.front.idle_hook is not None and self.front.idle_hook(deadline)
            if not moved:
                time.sleep(0.02)
        return False

    # -- discovery, version, openapi -------------------------------------------------
    def _serve_static(self, path: str, q: dict) -> bool:
        from ..api import discovery, openapi

        accept = self.headers.get("Accept", "")
        path = path.rstrip("/") or "/"
        if path in ("/healthz", "/livez", "/readyz"):
            self._health(path, q)
            return True
        if path == "/version":
            self._json(200, self._version())
            return True
        parts = path.split("/")
        # Only discovery documents list aggregated APIs; asking whether they answer costs a look at their pods.
        is_discovery = path in ("/api", "/apis") or (len(parts) in (3, 4) and parts[1] == "apis")
        extra = self.front.apiserver.aggregated_resources() if is_discovery else ()
        if path in ("/api", "/apis"):
            if "as=APIGroupDiscoveryList" in accept:
                self._json(200, discovery.aggregated_discovery(legacy=(path == "/api"), extra=extra), AGG_CT)
            elif path == "/api":
                self._json(200, discovery.api_versions())
            else:
                self._json(200, discovery.api_group_list(extra))
            return True
        if path == "/api/v1":
            self._json(200, discovery.api_resource_list("", "v1"))
            return True
        if len(parts) == 3 and parts[1] == "apis":
            g = discovery.api_group(parts[2], extra)
            if g is None:
                raise errors.page_not_found()
            self._json(200, g)
            return True
        if len(parts) == 4 and parts[1] == "apis":
            rl = discovery.api_resource_list(parts[2], parts[3], extra)
            if rl is None:
                raise errors.page_not_found()
            self._json(200, rl)
            return True
        if path == "/openapi/v2":
            # kubectl only needs a readable answer here; the server enforces
            # fieldValidation=Strict itself (see shared/reference).
            self._send(200, b"", PROTO_V2_CT)
            return True
        if path == "/openapi/v3":
            self._json(200, openapi.openapi_v3_index())
            return True
        if path.startswith("/openapi/v3/"):
            doc = openapi.openapi_v3_document(path[len("/openapi/v3/"):])
            if doc is None:
                raise errors.page_not_found()
            self._json(200, doc)
            return True
        return False

    def _serve_aggregated(self, backend, method: str, m: re.Match, q: dict):
        """kube-aggregator: a request for an APIService's group goes to the service behind it."""
        version, ns, name, sub = m.group("v"), m.group("ns"), m.group("name"), m.group("sub")
        info = next((r for r in backend.resources if r.plural == m.group("res") and r.version == version), None)
        if info is None or sub or (ns is not None and not info.namespaced):
            raise errors.page_not_found()
        if method != "GET" or q.get("watch") in ("true", "1"):
            raise errors.method_not_allowed("the server does not allow this method on the requested resource")
        with self.front.lock:
            self.front.apiserver.authorize(RequestContext(**self._identity()), "get" if name else "list", info,
                                           "", ns, name or "")
            out = backend.serve(info, ns, name, q)
        return self._json(200, out)

    def _health(self, path: str, q: dict) -> None:
        """/readyz, /livez, /healthz: the etcd check fails while etcd has no quorum."""
        raft = self.front.apiserver.storage.raft
        etcd_ok = raft is None or raft.has_quorum()
        checks = ["ping", "log", "etcd"] + (["etcd-readiness"] if path == "/readyz" else []) + \
                 ["poststarthook/start-apiserver-admission-initializer", "poststarthook/generic-apiserver-start-informers"]
        if path == "/livez":
            etcd_ok = True  # liveness does not depend on etcd: restarting kube-apiserver would not help
        if etcd_ok and "verbose" not in q:
            self._send(200, b"ok", "text/plain; charset=utf-8")
            return
        lines = []
        for c in checks:
            ok = etcd_ok or not c.startswith("etcd")
            lines.append(f"[+]{c} ok" if ok else f"[-]{c} failed: reason withheld")
        name = path.strip("/")
        lines.append(f"{name} check passed" if etcd_ok else f"{name} check failed")
        self._send(200 if etcd_ok else 500, ("\n".join(lines) + "\n").encode(), "text/plain; charset=utf-8")

    def _version(self) -> dict:
        v = self.front.apiserver.version  # e.g. v1.37.0
        major, minor = v.lstrip("v").split(".")[:2]
        return {
            "major": major, "minor": minor, "emulationMajor": major, "emulationMinor": minor,
            "minCompatibilityMajor": major, "minCompatibilityMinor": str(int(minor) - 1),
            "gitVersion": v, "gitCommit": "kernelsim", "gitTreeState": "clean",
            "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.25 (simulated)", "compiler": "gc",
            "platform": "linux/amd64",
        }

    # -- resources ----------------------------------------------------------------
    def _serve_resource(self, method: str, m: re.Match, q: dict, raw: bytes):
        api = self.front.apiserver
        group = m.group("g") or ""
        version = m.group("v") or m.group("cv")
        if group in api.aggregated:
            return self._serve_aggregated(api.aggregated[group], method, m, q)
        info = resources.by_plural(group, m.group("res"))
        ns, name, sub = m.group("ns"), m.group("name"), m.group("sub") or ""
        if info is None or info.version != version:
            raise errors.page_not_found()
        if ns is not None and not info.namespaced:
            raise errors.page_not_found()
        if sub and sub not in info.subresources:
            raise errors.page_not_found()
        if (info.group, info.version, info.plural) in DEPRECATED:
            # A deprecated API answers every request with a warning (kubectl prints "Warning: ...").
            self._deprecation = (DEPRECATED[(info.group, info.version, info.plural)],)
        ctx = RequestContext(source=self._source(), field_validation=q.get("fieldValidation", "Warn"),
                             dry_run=bool(q.get("dryRun")), **self._identity())
        self._info, self._field_validation, self._warnings = info, ctx.field_validation, ctx.warnings
        accept = self.headers.get("Accept", "")
        want_table = "as=Table" in accept
        if method == "GET" and name is None and q.get("watch") in ("true", "1"):
            return self._watch(info, ns, q, ctx, want_table)
        if method == "GET" and name and sub == "log":
            return self._log(ns, name, q)
        if name and sub == "exec" and info.plural == "pods":
            return self._exec(ns, name)
        with self.front.lock:
            if method == "GET":
                if not q.get("resourceVersion"):
                    api.storage.quorum_read()  # a consistent read needs etcd's quorum
                if name is None:
                    out = api.list(info, ns, ctx, label_selector=q.get("labelSelector", ""),
                                   field_selector=q.get("fieldSelector", ""), limit=_int_param(q, "limit"),
                                   continue_=q.get("continue", ""), copy=False)
                    if want_table:
                        return self._table(info, out["items"], out["metadata"], q)
                    return self._json(200, out)
                if sub == "scale":
                    return self._json(200, api.get_scale(info, ns, name, ctx))
                obj = api.get(info, ns, name, ctx, copy=False)
                if want_table:
                    return self._table(info, [obj], {"resourceVersion": obj["metadata"].get("resourceVersion", "")}, q)
                return self._json(200, obj)
            if method == "POST":
                body = self._decode_body(raw)
                if name is not None and sub:
                    out = api.create(info, ns, body, ctx, subresource=f"{name}/{sub}")
                    return self._json(201, out)
                if name is not None:
                    raise errors.method_not_allowed("the server does not allow this method on the requested resource")
                out = api.create(info, ns, body, ctx)
                return self._json(201, out, warnings=ctx.warnings)
            if method == "PUT":
                if name is None:
                    raise errors.method_not_allowed("the server does not allow this method on the requested resource")
                out = api.update(info, ns, name, self._decode_body(raw), ctx, subresource=sub)
                return self._json(200, out, warnings=ctx.warnings)
            if method == "PATCH":
                if name is None:
                    raise errors.method_not_allowed("the server does not allow this method on the requested resource")
                out = api.patch(info, ns, name, raw, self.headers.get("Content-Type", ""), ctx, subresource=sub)
                return self._json(200, out, warnings=ctx.warnings)
            if method == "DELETE":
                opts = self._decode_body(raw) if raw.strip() else {}
                opts = dict(opts or {})
                if "propagationPolicy" in q:
                    opts["propagationPolicy"] = q["propagationPolicy"]
                if "gracePeriodSeconds" in q:
                    opts["gracePeriodSeconds"] = _int_param(q, "gracePeriodSeconds")
                if name is None:
                    out = api.delete_collection(info, ns, ctx, label_selector=q.get("labelSelector", ""),
                                                field_selector=q.get("fieldSelector", ""), options=opts)
                    return self._json(200, out)
                out = api.delete(info, ns, name, ctx, opts)
                return self._json(200, out)
        raise errors.method_not_allowed("the server does not allow this method on the requested resource")

    def _source(self) -> str:
        ua = self.headers.get("User-Agent", "")
        if ua.startswith("kubectl"):
            return "kubectl"
        if ua.startswith("OpenAPI-Generator") and "python" in ua:
            return "python-client"
        return ua.split("/")[0] or "client"

    def _table(self, info, items, meta, q):
        from ..api import printers

        include = q.get("includeObject", "Metadata")
        t = printers.to_table(info, items, self.front.apiserver.now(), include_object=include,
                              cache_scope=self.front.apiserver.cache_scope)
        t.setdefault("metadata", {}).update(meta)
        self._json(200, t, TABLE_CT)

    def _log(self, ns, name, q):
        api = self.front.apiserver
        pods = resources.by_plural("", "pods")

        def read():
            with self.front.lock:
                ctx = RequestContext(source=self._source(), **self._identity())
                api.authorize(ctx, "get", pods, "log", ns, name)
                api.get(pods, ns, name, RequestContext(source=ctx.source))
                reader = getattr(api, "pod_log", None)
                if reader is None:
                    raise errors.bad_request(f'container in pod "{name}" is waiting to start: ContainerCreating')
                return reader(ns, name, q)

        text = read()
        if q.get("follow") not in ("true", "1"):
            return self._send(200, text.encode(), "text/plain")
        # -f: stream what the container prints until its pod finishes or the client goes away.
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        follow_q = {k: v for k, v in q.items() if k != "tailLines"}
        try:
            if text:
                self._chunk(text.encode())
            with self.front.lock:
                seen = len(api.pod_log(ns, name, follow_q))  # everything up to now has been answered
            while not self.front._closing.is_set():
                time.sleep(0.1)
                if self._client_gone():
                    break
                with self.front.lock:
                    if self.front.idle_hook is not None:
                        self.front.idle_hook()
                    pod = api.storage.get(f"/registry/pods/{ns}/{name}")
                    if pod is None:
                        break
                    try:
                        full = api.pod_log(ns, name, follow_q)
                    except errors.StatusError:
                        break
                if len(full) > seen:
                    self._chunk(full[seen:].encode())
                    seen = len(full)
                if (pod.get("status") or {}).get("phase") in ("Succeeded", "Failed"):
                    break
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        self.close_connection = True

    def _exec(self, ns, name):
        api = self.front.apiserver
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query)
        argv = query.get("command") or []
        container = (query.get("container") or [None])[0]
        if query.get("stdin", ["false"])[0] == "true" or query.get("tty", ["false"])[0] == "true":
            raise errors.bad_request("the simulated cluster runs `kubectl exec` without -i/-t: "
                                     "give the command after --, e.g. kubectl exec web -- cat /etc/hostname")
        if self.headers.get("Upgrade", "").lower() != "websocket":
            raise errors.bad_request("Upgrade request required")
        protocol = stream.choose_protocol(self.headers.get("Sec-WebSocket-Protocol", ""))
        if protocol is None:
            raise errors.bad_request("unable to upgrade: no supported stream protocol (v5.channel.k8s.io)")
        with self.front.lock:
            pods = resources.by_plural("", "pods")
            ctx = RequestContext(source=self._source(), **self._identity())
            api.authorize(ctx, "create", pods, "exec", ns, name)
            api.get(pods, ns, name, RequestContext(source=ctx.source))
            runner = getattr(api, "pod_exec", None)
            if runner is None:
                raise errors.bad_request("exec is not available in this cluster")
            code, output = runner(ns, name, container, argv)
        self.send_response(101)
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", stream.accept_key(self.headers.get("Sec-WebSocket-Key", "")))
        self.send_header("Sec-WebSocket-Protocol", protocol)
        self.end_headers()
        self.wfile.write(stream.exec_messages(output, code, argv))
        self.wfile.flush()
        self.close_connection = True

    # -- watch --------------------------------------------------------------------
    def _watch(self, info, ns, q, ctx, want_table: bool):
        api = self.front.apiserver
        events: queue.Queue = queue.Queue()
        timeout = None
        if q.get("timeoutSeconds"):
            timeout = float(_int_param(q, "timeoutSeconds"))
        elif q.get("timeout"):
            timeout = _parse_duration(q["timeout"])
            if timeout is None:
                raise errors.bad_request(f'time: invalid duration "{q["timeout"]}"')
        if timeout is None:
            timeout = 1800.0
        send_initial = q.get("sendInitialEvents")
        with self.front.lock:
            w = api.watch(info, ns, events.put, ctx, resource_version=q.get("resourceVersion", ""),
                          label_selector=q.get("labelSelector", ""), field_selector=q.get("fieldSelector", ""),
                          send_initial_events=None if send_initial is None else send_initial == "true",
                          allow_bookmarks=q.get("allowWatchBookmarks") == "true")
        deadline = time.monotonic() + timeout
        self.send_response(200)
        self.send_header("Content-Type", TABLE_CT if want_table else "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        for warning in self._deprecation:
            self.send_header("Warning", f'299 - "{warning}"')
        self.end_headers()
        first_table = True
        try:
            while not self.front._closing.is_set():
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                try:
                    ev = events.get(timeout=min(0.1, left))
                except queue.Empty:
                    if self._client_gone():
                        break  # nobody is waiting any more: stop moving time for them
                    if self.front.idle_hook is not None:
                        with self.front.lock:
                            self.front.idle_hook()
                    continue
                obj = ev.object
                if want_table and ev.type != "BOOKMARK":
                    from ..api import printers

                    obj = printers.to_table(info, [obj], api.now())
                    if not first_table:
                        obj["columnDefinitions"] = []
                    obj["metadata"] = {"resourceVersion": ev.object["metadata"].get("resourceVersion", "")}
                    first_table = False
                self._chunk(json.dumps({"type": ev.type, "object": obj}, separators=(",", ":")).encode() + b"\n")
            self._chunk(b"")
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass
        finally:
            with self.front.lock:
                api.stop_watch(w)
            self.close_connection = True

    def _client_gone(self) -> bool:
        """True once the client has closed the connection (kubectl exited). A streaming
        client sends nothing more, so anything readable is the end of the stream."""
        try:
            if getattr(self.connection, "pending", lambda: 0)():
                return False
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return self.connection.recv(1) == b""
        except (OSError, ValueError, ssl.SSLError):
            return True

    def _chunk(self, data: bytes):
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()
