"""A fuzzer for kube-apiserver's two doors: the HTTPS front end and the in-process client.

Like the fuzz tests of ``k8s.io/apimachinery`` (``fuzzer``/``roundtrip``), it
sends manifests and requests that are generated (with hypothesis, see
``tests/apiserver/test_fuzz.py``) or mutated from valid ones (a seeded
mutator here), and checks the contract of a hardened server: every answer to
bad input is a 4xx ``Status`` -- never a 5xx, never a traceback -- and the
server lives on.  :class:`Tally` counts what came back.
"""

from __future__ import annotations

import base64
import http.client
import json
import random
import ssl
import tempfile
import traceback
from collections import Counter
from dataclasses import dataclass, field

import yaml

from ..api.errors import StatusError
from ..api.objects import clone


# -- counting ---------------------------------------------------------------------------------------

@dataclass
class Tally:
    """Inputs sent and what came back: status codes, server errors, crashes, invariant violations."""

    inputs: int = 0
    by_status: Counter = field(default_factory=Counter)
    by_door: Counter = field(default_factory=Counter)
    server_errors: list = field(default_factory=list)   # (what, code, message): 5xx answers
    crashes: list = field(default_factory=list)         # (what, traceback): anything not a Status
    invariant_violations: list = field(default_factory=list)

    def record(self, door: str, what: str, code: int, message: str = "") -> int:
        self.inputs += 1
        self.by_door[door] += 1
        self.by_status[code] += 1
        if code >= 500:
            self.server_errors.append((what, code, message[:500]))
        return code

    def crash(self, door: str, what: str, exc: BaseException) -> None:
        self.inputs += 1
        self.by_door[door] += 1
        self.by_status["crash"] += 1
        self.crashes.append((what, "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))[-3000:]))

    def merge(self, other: "Tally") -> None:
        self.inputs += other.inputs
        self.by_status.update(other.by_status)
        self.by_door.update(other.by_door)
        self.server_errors += other.server_errors
        self.crashes += other.crashes
        self.invariant_violations += other.invariant_violations

    def summary(self) -> str:
        codes = ", ".join(f"{k}: {v}" for k, v in sorted(self.by_status.items(), key=lambda kv: str(kv[0])))
        doors = ", ".join(f"{k} {v}" for k, v in sorted(self.by_door.items()))
        return (f"fuzz: {self.inputs} inputs ({doors}); by status {{{codes}}}; "
                f"{len(self.server_errors)} server errors, {len(self.crashes)} crashes, "
                f"{len(self.invariant_violations)} invariant violations")

    def problems(self) -> str:
        out = [f"5xx {code} for {what}: {msg}" for what, code, msg in self.server_errors[:5]]
        out += [f"crash for {what}:\n{tb}" for what, tb in self.crashes[:3]]
        out += [f"invariant: {v}" for v in self.invariant_violations[:5]]
        return "\n".join(out)


# -- the in-process door ----------------------------------------------------------------------------

class InProcess:
    """Sends requests through ``cluster.api`` (the in-process client)."""

    door = "in-process"

    def __init__(self, cluster, tally: Tally):
        self.api = cluster.api
        self.tally = tally

    def call(self, what: str, fn, *args, **kwargs) -> int:
        try:
            fn(*args, **kwargs)
        except StatusError as e:
            if not isinstance(e.code, int) or not e.message or not isinstance(e.status(), dict):
                self.tally.crash(self.door, what, e)
                return -1
            return self.tally.record(self.door, what, e.code, e.message)
        except Exception as e:  # noqa: BLE001 - anything but a Status is a crash
            self.tally.crash(self.door, what, e)
            return -1
        return self.tally.record(self.door, what, 200)

    def create(self, obj, namespace=None):
        return self.call("create", self.api.create, obj, namespace)

    def apply(self, manifests):
        return self.call("apply", self.api.apply, manifests)

    def update(self, obj):
        return self.call("update", self.api.update, obj)

    def patch(self, resource, name, body, type_, namespace="default"):
        return self.call(f"patch {type_}", self.api.patch, resource, name, body, namespace, type=type_)

    def list(self, resource, namespace=None, label_selector="", field_selector=""):
        return self.call("list", self.api.list, resource, namespace, label_selector=label_selector,
                         field_selector=field_selector)

    def delete(self, resource, name, namespace="default"):
        return self.call("delete", self.api.delete, resource, name, namespace)


# -- the HTTPS door ---------------------------------------------------------------------------------

def kubeconfig_credentials(path: str) -> tuple[str, str, bytes]:
    """(server, token, CA PEM) of the kubeconfig's current context."""
    with open(path, encoding="utf-8") as f:
        cfg = yaml.safe_load(f)
    ctx = next(c["context"] for c in cfg["contexts"] if c["name"] == cfg["current-context"])
    cl = next(c["cluster"] for c in cfg["clusters"] if c["name"] == ctx["cluster"])
    user = next(u["user"] for u in cfg["users"] if u["name"] == ctx["user"])
    return cl["server"], user["token"], base64.b64decode(cl["certificate-authority-data"])


class HTTPS:
    """Sends raw requests over one keep-alive HTTPS connection, with the kubeconfig's token and CA."""

    door = "https"

    def __init__(self, kubeconfig: str, tally: Tally):
        server, self.token, ca = kubeconfig_credentials(kubeconfig)
        hostport = server.split("://", 1)[1]
        self.host, port = hostport.rsplit(":", 1)
        self.port = int(port)
        self._ca = tempfile.NamedTemporaryFile(suffix=".pem")
        self._ca.write(ca)
        self._ca.flush()
        self.context = ssl.create_default_context(cafile=self._ca.name)
        self.tally = tally
        self.conn = None

    def _connection(self) -> http.client.HTTPSConnection:
        if self.conn is None:
            self.conn = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=30)
        return self.conn

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = "application/json",
                headers: dict | None = None, token: str | None = None) -> int:
        """Send one request; returns the status code (-1 for a broken answer, counted as a crash)."""
        what = f"{method} {path[:120]}"
        h = {"Accept": "application/json", "Authorization": f"Bearer {self.token if token is None else token}"}
        if content_type is not None:
            h["Content-Type"] = content_type
        h.update(headers or {})
        try:
            conn = self._connection()
            conn.request(method, path, body=body, headers=h)
            resp = conn.getresponse()
            data = resp.read()
            if resp.getheader("Connection", "").lower() == "close" or "watch=true" in path:
                self.close()  # a watch ends with its connection
        except Exception as e:  # noqa: BLE001 - a dropped connection or a malformed answer
            self.close()
            self.tally.crash(self.door, what, e)
            return -1
        code = resp.status
        if code >= 400:
            try:
                status = json.loads(data)
                ok = (status.get("kind") == "Status" and status.get("code") == code
                      and status.get("status") == "Failure" and isinstance(status.get("message"), str))
            except ValueError:
                ok = False
            if not ok:
                self.tally.crash(self.door, what, AssertionError(f"{code} without a Status: {data[:300]!r}"))
                return -1
            return self.tally.record(self.door, what, code, status["message"])
        return self.tally.record(self.door, what, code)


# -- valid seeds, and a seeded mutator --------------------------------------------------------------

def seed_manifests(i: int = 0) -> list[dict]:
    """Valid objects of several kinds, named from a small pool so creates and updates collide."""
    n = f"fz-{i % 7}"
    labels = {"app": "fuzz", "tier": f"t{i % 3}"}
    tpl = {"metadata": {"labels": labels},
           "spec": {"containers": [{"name": "c", "image": "nginx:1.27", "ports": [{"containerPort": 80}],
                                    "resources": {"requests": {"cpu": "10m", "memory": "16Mi"}}}]}}
    return [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": n, "labels": labels},
         "data": {"key": "value", "other": "x"}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": n}, "type": "Opaque",
         "stringData": {"password": "hunter2"}},
        {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": n, "labels": labels}, "spec": tpl["spec"]},
        {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": n},
         "spec": {"replicas": 2, "selector": {"matchLabels": labels}, "template": tpl}},
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": n},
         "spec": {"selector": labels, "ports": [{"port": 80, "targetPort": 80}]}},
        {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": n},
         "spec": {"template": {"spec": dict(tpl["spec"], restartPolicy="Never")}}},
        {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": n}},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": f"fuzz-ns-{i % 3}"}},
    ]


RESOURCES = {"ConfigMap": "configmaps", "Secret": "secrets", "Pod": "pods", "Deployment": "deployments",
             "Service": "services", "Job": "jobs", "ServiceAccount": "serviceaccounts", "Namespace": "namespaces"}
PATHS = {"ConfigMap": "/api/v1/namespaces/default/configmaps", "Secret": "/api/v1/namespaces/default/secrets",
         "Pod": "/api/v1/namespaces/default/pods", "Deployment": "/apis/apps/v1/namespaces/default/deployments",
         "Service": "/api/v1/namespaces/default/services", "Job": "/apis/batch/v1/namespaces/default/jobs",
         "ServiceAccount": "/api/v1/namespaces/default/serviceaccounts", "Namespace": "/api/v1/namespaces"}

_ODD_VALUES = [None, True, False, 0, -1, 2**63, -2**63 - 1, 1e308, -0.0, 0.5, "", " ", "\x00", "ü", "💥",
               "a" * 300, "-", "..", "/", "UPPER", "x" * 70000, [], {}, [1, "a", None], {"a": {"b": [1]}},
               "999999999999999999999", "1e3", "10Mi", "-5", "true", "null", "${}", "<script>", "\ud7ff"]


class Mutator:
    """Seeded mutations of valid manifests: wrong types, huge strings, deep nesting, unknown fields."""

    def __init__(self, seed: int = 0):
        self.rng = random.Random(seed)

    @staticmethod
    def _paths(obj, limit: int = 12):
        """Paths into ``obj`` (as key tuples), down to ``limit`` levels."""
        out, stack = [], [((), obj)]
        while stack:
            prefix, value = stack.pop()
            out.append(prefix)
            if len(prefix) >= limit:
                continue
            if isinstance(value, dict):
                stack.extend((prefix + (k,), v) for k, v in value.items())
            elif isinstance(value, list):
                stack.extend((prefix + (i,), v) for i, v in enumerate(value))
        return sorted(out, key=repr)

    def value(self):
        r = self.rng.random()
        if r < 0.6:
            return clone(self.rng.choice(_ODD_VALUES))
        if r < 0.7:
            return "x" * self.rng.choice([253, 254, 64, 63, 1024 * 1024, 1600 * 1024])
        if r < 0.8:
            return self.nested(self.rng.choice([5, 60, 99, 101, 150, 400]))
        if r < 0.9:
            return self.rng.randint(-2**70, 2**70)
        return "".join(chr(self.rng.randint(1, 0x2FFF)) for _ in range(self.rng.randint(0, 40)))

    def nested(self, depth: int):
        v = "leaf"
        for i in range(depth):
            v = {"n": v} if i % 2 else [v]
        return v

    def mutate(self, obj: dict) -> dict:
        obj = json.loads(json.dumps(obj))
        for _ in range(self.rng.randint(1, 3)):
            paths = self._paths(obj)
            path = self.rng.choice(paths)
            op = self.rng.random()
            parent, key = None, None
            target = obj
            for p in path:
                parent, key, target = target, p, target[p]
            if op < 0.5 and parent is not None:
                parent[key] = self.value()
            elif op < 0.65 and parent is not None:
                if isinstance(parent, dict):
                    del parent[key]
                else:
                    parent.pop(key)
            elif op < 0.85 and isinstance(target, dict):
                target[self.rng.choice(["unknownField", "x-extra", "spec", "status", "metadata", "kind", "",
                                        "apiVersion", "items", "0"])] = self.value()
            elif isinstance(target, list):
                target.append(self.value())
            elif parent is None:
                obj["kind"] = self.rng.choice(["Pod", "Nope", "ConfigMapList", "List", "", "Status"])
        return obj


# -- YAML texts that hurt parsers -------------------------------------------------------------------

def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """The "billion laughs": each level names the one before ``width`` times."""
    lines = ["apiVersion: v1", "kind: ConfigMap", "metadata: {name: fz-bomb}", "data:",
             "  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"  a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def nasty_yaml(rng: random.Random) -> str | bytes:
    choices = [
        alias_bomb(), alias_bomb(5, 20), "a: &a [*a]\n", "&a {k: *a}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fz-dup\n  name: again\n",
        "apiVersion: v1\nkind: ConfigMap\napiVersion: v1\nmetadata: {name: fz-dup}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n\tname: tab\n",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \xff\xfe}\n",
        b"\xef\xbb\xbfapiVersion: v1\nkind: ConfigMap\nmetadata: {name: fz-bom}\n",
        "[" * 5000 + "]" * 5000, "{a: " * 300 + "b" + "}" * 300, "- " * 200 + "x\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fz-ts, creationTimestamp: 2020-01-01}\n"
        "data: {when: 2020-01-01T00:00:00Z, 1: one, true: yes, ~: nil, 1.5: f}\n",
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fz-bin}\ndata: {b: !!binary aGVsbG8=, s: !!set {a, b}}\n",
        "? [complex, key]\n: value\n", "!!python/object:os.system {}\n", "--- !!str\n--- 42\n---\n- a\n",
        "apiVersion: v1\nkind: List\nitems: [1, 2]\n", "apiVersion: v1\nkind: List\nitems: [{kind: Pod}]\n",
        "kind: 5\napiVersion: [v1]\n", "%YAML 9.9\n--- a\n", "\x00\x01\x02", "'unterminated\n", "*undefined\n",
        "a: b: c\n", ":\n", "---\n...\n---\n", "x" * 100000,
    ]
    return rng.choice(choices)
