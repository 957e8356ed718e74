"""The HTTP front end's defences: loopback only, a token for everything, read timeouts, body limits.

kube-apiserver refuses anonymous requests with a 401 ``Status``, reads a write
request's body only up to 3 MiB (413), and gives a client a bounded time to
send its request.  These tests probe each, as an attacker on the network or a
broken client would.
"""

import json
import socket
import ssl
import time

import pytest

from kernelsim.apiserver.http import MAX_REQUEST_BODY_BYTES, APIHTTPServer
from kernelsim.testing.fuzz import kubeconfig_credentials

UNAUTHORIZED = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": "Unauthorized", "reason": "Unauthorized", "code": 401}


def _non_loopback_address() -> str | None:
    """This machine's address on its network (a UDP connect sends nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("10.255.255.255", 1))
        ip = s.getsockname()[0]
    except OSError:
        return None
    finally:
        s.close()
    return None if ip.startswith("127.") or ip == "0.0.0.0" else ip


class Wire:
    """A raw TLS connection to the cluster's API server, trusting the kubeconfig's CA."""

    def __init__(self, cluster):
        server, self.token, ca = kubeconfig_credentials(cluster.kubeconfig)
        host, port = server.split("://")[1].rsplit(":", 1)
        ctx = ssl.create_default_context(cadata=ca.decode())
        raw = socket.create_connection((host, int(port)), timeout=10)
        self.sock = ctx.wrap_socket(raw, server_hostname=host)

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def response(self) -> tuple[int, dict, bytes]:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed before an answer")
            data += chunk
        head, _, body = data.partition(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:])}
        n = int(headers.get("content-length", 0))
        while len(body) < n:
            body += self.sock.recv(65536)
        return int(lines[0].split()[1]), headers, body[:n]

    def closed_within(self, seconds: float) -> float:
        """Seconds until the server closes the connection (fails if it is still open after ``seconds``)."""
        started = time.monotonic()
        self.sock.settimeout(seconds)
        try:
            while self.sock.recv(1024):
                pass
        except (ssl.SSLError, ConnectionError):
            pass
        except socket.timeout:
            pytest.fail(f"the server kept the connection open for more than {seconds} s")
        return time.monotonic() - started

    def close(self):
        self.sock.close()


def request(method: str, path: str, token: str | None, body: bytes = b"", headers: dict | None = None) -> bytes:
    h = {"Host": "127.0.0.1", "Content-Length": str(len(body)), "Content-Type": "application/json"}
    if token is not None:
        h["Authorization"] = f"Bearer {token}"
    h.update(headers or {})
    return (f"{method} {path} HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in h.items()) + "\r\n").encode() + body


# -- where it listens -------------------------------------------------------------------------------

def test_listens_on_loopback_only(cluster):
    host, port = cluster._http.httpd.server_address[:2]
    assert host == "127.0.0.1"
    assert cluster.server == f"https://127.0.0.1:{port}"
    ip = _non_loopback_address()
    if ip is not None:  # from this machine's network address, as another machine would connect
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection((ip, port), timeout=5).close()


def test_refuses_to_listen_beyond_loopback(cluster):
    for host in ("0.0.0.0", _non_loopback_address() or "192.0.2.1"):
        with pytest.raises(ValueError, match="loopback interface only"):
            APIHTTPServer(cluster.apiserver, cluster.lock, "token", host=host)


# -- who may ask ------------------------------------------------------------------------------------

@pytest.mark.parametrize("token", [None, "", "wrong", "Bearer"])
def test_requests_without_a_valid_token_get_401(cluster, token):
    w = Wire(cluster)
    for path in ("/api/v1/namespaces/default/pods", "/apis", "/openapi/v3", "/api/v1/namespaces"):
        w.send(request("GET", path, token))
        code, headers, body = w.response()
        assert (code, headers["content-type"], json.loads(body)) == (401, "application/json", UNAUTHORIZED)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", token,
                   json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "sneaky"}}).encode()))
    assert w.response()[0] == 401
    w.close()
    assert not cluster.api.exists("configmaps", "sneaky")


def test_health_and_version_are_public(cluster):
    w = Wire(cluster)
    w.send(request("GET", "/readyz", None))
    assert w.response()[:1] == (200,)
    w.send(request("GET", "/version", None))
    code, _, body = w.response()
    assert code == 200 and json.loads(body)["gitVersion"] == cluster.apiserver.version
    w.close()


# -- how long a client may take ---------------------------------------------------------------------

def test_default_read_timeout_is_kube_apiservers_request_timeout(cluster):
    assert cluster._http.read_timeout == 60.0


def test_slowloris_headers_are_cut_off(cluster):
    cluster._http.read_timeout = 0.5
    w = Wire(cluster)
    w.send(b"GET /api/v1/namespaces HTTP/1.1\r\nHost: 127.0.0.1\r\n")
    started = time.monotonic()
    try:
        while time.monotonic() - started < 3:  # one more header byte every 0.1 s, never the blank line
            w.send(b"X")
            time.sleep(0.1)
    except (ssl.SSLError, OSError):
        pass  # the server closed the connection
    assert time.monotonic() - started < 2.0
    w.close()


def test_a_silent_connection_is_closed(cluster):
    cluster._http.read_timeout = 0.5
    port = cluster._http.port
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)  # no TLS handshake, nothing sent
    started = time.monotonic()
    assert raw.recv(1024) == b""
    assert time.monotonic() - started < 2.0
    raw.close()


def test_a_partial_body_is_cut_off(cluster):
    cluster._http.read_timeout = 0.5
    w = Wire(cluster)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token, headers={"Content-Length": "100"})
           + b'{"apiVersion":')
    assert w.closed_within(2.0) < 2.0
    w.close()
    # The server is still there for everyone else.
    w = Wire(cluster)
    w.send(request("GET", "/api/v1/namespaces/default/configmaps", w.token))
    assert w.response()[0] == 200
    w.close()


def test_an_idle_keep_alive_connection_is_closed_but_a_busy_one_is_not(cluster):
    cluster._http.read_timeout = 0.5
    w = Wire(cluster)
    for _ in range(4):  # 4 requests over 1.2 s: each one gets its own 0.5 s
        w.send(request("GET", "/api/v1/namespaces", w.token))
        assert w.response()[0] == 200
        time.sleep(0.3)
    assert w.closed_within(2.0) < 2.0
    w.close()


# -- how much a client may send ---------------------------------------------------------------------

def _configmap(size: int) -> bytes:
    return json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "big"},
                       "data": {"k": "x" * size}}).encode()


def test_a_body_over_3_mib_gets_413(cluster):
    w = Wire(cluster)
    body = _configmap(MAX_REQUEST_BODY_BYTES)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token, body))
    code, _, answer = w.response()
    assert (code, json.loads(answer)) == (413, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": "Request entity too large: limit is 3145728", "reason": "RequestEntityTooLarge", "code": 413})
    # The body was read and dropped: the connection serves the next request.
    w.send(request("GET", "/api/v1/namespaces/default/configmaps/big", w.token))
    assert w.response()[0] == 404
    w.close()
    assert MAX_REQUEST_BODY_BYTES == 3 * 1024 * 1024


def test_a_huge_announced_body_is_not_read(cluster):
    w = Wire(cluster)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token,
                   headers={"Content-Length": str(1 << 34)}))  # 16 GiB announced, none sent
    code, headers, answer = w.response()
    assert code == 413 and json.loads(answer)["reason"] == "RequestEntityTooLarge"
    assert headers.get("connection") == "close"
    w.close()


def test_a_chunked_body_has_the_same_limit(cluster):
    w = Wire(cluster)
    small = _configmap(10)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token,
                   headers={"Transfer-Encoding": "chunked", "Content-Length": None}).replace(
        b"Content-Length: None\r\n", b"") + f"{len(small):x}\r\n".encode() + small + b"\r\n0\r\n\r\n")
    assert w.response()[0] == 201
    w.close()
    w = Wire(cluster)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token,
                   headers={"Transfer-Encoding": "chunked", "Content-Length": None}).replace(
        b"Content-Length: None\r\n", b"") + f"{MAX_REQUEST_BODY_BYTES + 1:x}\r\n".encode())
    code, _, answer = w.response()
    assert code == 413 and json.loads(answer)["message"] == "Request entity too large: limit is 3145728"
    w.close()


@pytest.mark.parametrize("length", ["abc", "-5", "1e3"])
def test_a_malformed_content_length_is_a_400(cluster, length):
    """Regression: int() of the header raised outside the handler's try (a traceback, no answer)."""
    w = Wire(cluster)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token, headers={"Content-Length": length}))
    code, _, answer = w.response()
    assert code == 400 and json.loads(answer) == {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
        "message": f"invalid Content-Length: {length!r}", "reason": "BadRequest", "code": 400}
    w.close()


def test_wrong_content_type_is_a_415(cluster):
    w = Wire(cluster)
    w.send(request("POST", "/api/v1/namespaces/default/configmaps", w.token, _configmap(1),
                   headers={"Content-Type": "text/plain"}))
    code, _, answer = w.response()
    assert code == 415 and json.loads(answer)["message"] == (
        "the body of the request was in an unknown format - accepted media types include: application/json, "
        "application/yaml, application/vnd.kubernetes.protobuf")
    w.close()
