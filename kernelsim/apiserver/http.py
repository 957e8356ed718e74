"""kube-apiserver's HTTP front end: the REST API that kubectl and client-go speak.

Serves discovery (aggregated and legacy), OpenAPI v2/v3, ``/version``, and the
resource paths ``/api/v1/...`` and ``/apis/<group>/<version>/...`` with list,
watch (chunked JSON lines), get, create, update, patch and delete, answering
``meta.k8s.io/v1 Table`` when kubectl asks for one.  Every request is served
under the cluster lock, so the simulation sees one request at a time.
"""

from __future__ import annotations

import json
import queue
import re
import select
import ssl
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from ..api import errors, resources
from . import protobuf, stream
from .certs import serving_certs
from .server import APIServer, RequestContext

TABLE_CT = "application/json;as=Table;v=v1;g=meta.k8s.io"
AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
PROTO_V2_CT = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
PUBLIC_PATHS = ("/version", "/healthz", "/livez", "/readyz")

_RES_PATH = re.compile(
    r"^/(?:api/(?P<cv>v1)|apis/(?P<g>[^/]+)/(?P<v>[^/]+))"
    r"(?:/namespaces/(?P<ns>[^/]+)(?=/))?"
    r"/(?P<res>[^/]+)(?:/(?P<name>[^/]+))?(?:/(?P<sub>[^/]+))?/?$")


# APIs that v1.37 still serves but has deprecated: the warning every response carries.
DEPRECATED = {
    ("", "v1", "endpoints"): "v1 Endpoints is deprecated in v1.33+; use discovery.k8s.io/v1 EndpointSlice",
    ("", "v1", "componentstatuses"): "v1 ComponentStatus is deprecated in v1.19+",
}


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
                 port: int = 0, idle_hook=None):
        self.apiserver = apiserver
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
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="kernelsim-apiserver", daemon=True)
        self._closing = threading.Event()
        self.request_count = 0
        self.busy_seconds = 0.0  # wall time spent serving (non-watch) requests, for benchmarks

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.port}"

    def start(self) -> "APIHTTPServer":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._closing.set()
        self.httpd.shutdown()
        self.httpd.server_close()


class _Handler(BaseHTTPRequestHandler):
    front: APIHTTPServer
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, without a 40 ms delayed-ACK stall
    server_version = "kube-apiserver"
    sys_version = ""

    def log_message(self, format, *args):  # quiet
        pass

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
        n = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(n) if n else b""
        return raw

    def _decode_body(self, raw: bytes):
        ct = (self.headers.get("Content-Type") or "application/json").split(";")[0].strip()
        if ct == protobuf.MEDIA_TYPE:
            return protobuf.decode(raw)
        if ct in ("application/yaml",):
            import yaml

            try:
                return yaml.safe_load(raw.decode() or "null")
            except yaml.YAMLError as e:
                raise errors.bad_request(f"error decoding YAML: {e}")
        if ct not in ("application/json", "", "*/*"):
            raise errors.unsupported_media_type(ct)
        try:
            return json.loads(raw.decode() or "null")
        except (ValueError, UnicodeDecodeError) as e:
            raise errors.bad_request(f"couldn't get version/kind; json parse error: {e}")

    def _authenticated(self, path: str) -> bool:
        if path in PUBLIC_PATHS or path.startswith("/version"):
            return True
        auth = self.headers.get("Authorization", "")
        return auth == f"Bearer {self.front.token}"

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
        raw = self._body() if method in ("POST", "PUT", "PATCH", "DELETE") else b""
        self.front.request_count += 1
        self._deprecation = ()
        started = time.perf_counter()
        try:
            if not self._authenticated(path):
                raise errors.unauthorized()
            if method == "GET" and self._serve_static(path, q):
                return
            m = _RES_PATH.match(path)
            if not m:
                raise errors.page_not_found()
            self._serve_resource(method, m, q, raw)
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
                             dry_run=bool(q.get("dryRun")))
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
                                   field_selector=q.get("fieldSelector", ""), limit=int(q.get("limit") or 0),
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
                    opts["gracePeriodSeconds"] = int(q["gracePeriodSeconds"])
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
                api.get(pods, ns, name, RequestContext(source=self._source()))
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
            api.get(pods, ns, name, RequestContext(source=self._source()))
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
            timeout = float(q["timeoutSeconds"])
        elif q.get("timeout"):
            timeout = _parse_duration(q["timeout"])
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
