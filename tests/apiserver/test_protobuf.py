"""Protobuf request bodies (kernelsim/apiserver/protobuf.py).

Unit tests build the bytes by hand, the way gogo-protobuf's generated.pb.go
writes them; the end-to-end tests run the REAL kubectl 1.37, whose typed
clients send ``application/vnd.kubernetes.protobuf``, and check that the
decoded body is exactly what the same command prints with
``--dry-run=client -o json`` (Go's JSON of the same object).
"""

import json
import shlex

import pytest

from kernelsim.api import errors, schema
from kernelsim.apiserver import protobuf
from kernelsim.apiserver.protobuf import (
    MAGIC, decode, decode_duration, decode_int_or_string, decode_message, decode_micro_time,
    decode_raw_extension, go_duration, iter_fields, read_varint,
)

# -- a tiny encoder for hand-built messages ------------------------------------------


def varint(n: int) -> bytes:
    n &= (1 << 64) - 1  # negative int32/int64 are written as 10-byte two's complement
    out = bytearray()
    while True:
        b, n = n & 0x7F, n >> 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def key(number: int, wire: int) -> bytes:
    return varint(number << 3 | wire)


def num(number: int, value: int) -> bytes:
    return key(number, 0) + varint(value)


def ld(number: int, payload: bytes) -> bytes:
    return key(number, 2) + varint(len(payload)) + payload


def text(number: int, value: str) -> bytes:
    return ld(number, value.encode())


def entry(number: int, k: str, v: bytes) -> bytes:
    return ld(number, text(1, k) + ld(2, v))


def envelope(api_version: str, kind: str, raw: bytes) -> bytes:
    return MAGIC + ld(1, text(1, api_version) + text(2, kind)) + ld(2, raw)


def int_or_string(value) -> bytes:
    if isinstance(value, str):
        return num(1, 1) + num(2, 0) + text(3, value)
    return num(1, 0) + num(2, value) + text(3, "")


# -- the wire reader ------------------------------------------------------------------


def test_varints_and_the_four_wire_types():
    assert read_varint(b"\xac\x02", 0) == (300, 2)
    buf = (num(1, 300) + key(2, 1) + (7).to_bytes(8, "little") + ld(3, b"ab")
           + key(4, 5) + (9).to_bytes(4, "little"))
    assert list(iter_fields(buf)) == [(1, 0, 300), (2, 1, 7), (3, 2, b"ab"), (4, 5, 9)]


def test_negative_int32_is_sign_extended():
    assert len(varint(-5)) == 10
    assert decode_message("PodSpec", num(25, -5)) == {"priority": -5}


def test_repeated_ints_packed_or_not():
    unpacked = num(4, 1000) + num(4, 2000)
    packed = ld(4, varint(1000) + varint(2000))
    for body in (unpacked, packed):
        assert decode_message("PodSecurityContext", body) == {"supplementalGroups": [1000, 2000]}


def test_unknown_fields_are_skipped():
    body = text(1, "web") + num(99, 7) + ld(98, b"junk")
    assert decode_message("ObjectMeta", body) == {"name": "web"}


def test_truncated_or_mistyped_bodies_are_bad_requests():
    with pytest.raises(errors.StatusError) as e:
        decode(envelope("v1", "Namespace", b"\x0a\x05ab"))
    assert (e.value.code, str(e.value.status()["message"])) == (400, "unexpected EOF")
    with pytest.raises(errors.StatusError) as e:
        decode(envelope("v1", "Namespace", ld(1, num(1, 3))))  # metadata.name as a varint
    assert e.value.code == 400
    assert e.value.status()["message"] == "proto: wrong wireType = 0 for field name"


# -- special types --------------------------------------------------------------------


def test_time_is_rfc3339_to_the_second_and_zero_time_is_dropped():
    stamp = ld(8, num(1, 1767323045) + num(2, 999))  # nanos are not carried by metav1.Time
    assert decode_message("ObjectMeta", text(1, "x") + stamp) == {
        "name": "x", "creationTimestamp": "2026-01-02T03:04:05Z"}
    assert decode_message("ObjectMeta", text(1, "x") + ld(8, b"")) == {"name": "x"}


def test_micro_time_and_duration():
    assert decode_micro_time(num(1, 1767323045) + num(2, 123456789)) == "2026-01-02T03:04:05.123456Z"
    assert decode_duration(num(1, 90 * 10**9)) == "1m30s"
    cases = {0: "0s", 999: "999ns", 1500: "1.5µs", 1_500_000: "1.5ms", 3600 * 10**9: "1h0m0s",
             (3723 * 10**9) + 5 * 10**8: "1h2m3.5s", -2 * 10**9: "-2s"}
    for ns, expected in cases.items():
        assert go_duration(ns) == expected


def test_int_or_string():
    assert decode_int_or_string(int_or_string(8080)) == 8080
    assert decode_int_or_string(int_or_string("http")) == "http"


def test_quantities_in_resource_lists():
    hard = entry(1, "pods", text(1, "10")) + entry(1, "cpu", text(1, "500m"))
    assert decode_message("ResourceQuotaSpec", hard) == {"hard": {"pods": "10", "cpu": "500m"}}


def test_raw_extension_holds_json_or_protobuf():
    assert decode_raw_extension(ld(1, b'{"a": 1}')) == {"a": 1}
    inner = envelope("v1", "ConfigMap", ld(1, text(1, "c")))
    assert decode_raw_extension(ld(1, inner)) == {"apiVersion": "v1", "kind": "ConfigMap",
                                                  "metadata": {"name": "c"}}


# -- Go's zero values versus JSON's omitempty ----------------------------------------------


def test_pointer_zero_survives_and_plain_zero_is_dropped():
    strategy = ld(4, text(1, "RollingUpdate") + ld(2, ld(1, int_or_string(0))))
    spec = num(1, 0) + ld(3, b"") + strategy + num(5, 0) + num(7, 0)
    assert decode_message("DeploymentSpec", spec) == {
        "replicas": 0,  # *int32
        "template": {},  # a struct: Go's JSON writes {}
        "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0}},
    }  # minReadySeconds and paused are omitempty


def test_fields_without_omitempty_keep_their_zero():
    port = text(1, "") + text(2, "TCP") + num(3, 0) + ld(4, int_or_string(0)) + num(5, 0)
    assert decode_message("ServicePort", port) == {"protocol": "TCP", "port": 0}
    assert decode_message("ContainerPort", num(3, 0)) == {"containerPort": 0}
    assert decode_message("Container", text(1, "")) == {"name": ""}


def test_bytes_are_base64_and_maps_keep_empty_values():
    body = entry(2, "p", b"x") + num(5, 0)  # data, immutable=false (a *bool: kept)
    assert decode_message("Secret", body) == {"data": {"p": "eA=="}, "immutable": False}
    assert decode_message("ConfigMap", entry(2, "empty", b"")) == {"data": {"empty": ""}}


def test_volume_source_is_inlined_and_empty_dir_kept():
    volume = text(1, "cache") + ld(2, ld(2, b""))
    assert decode_message("Volume", volume) == {"name": "cache", "emptyDir": {}}


# -- the envelope ---------------------------------------------------------------------


def test_envelope_gives_api_version_and_kind():
    assert decode(envelope("v1", "Namespace", ld(1, text(1, "team-a")))) == {
        "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}


def test_delete_options_in_any_group_version():
    body = envelope("policy/v1", "DeleteOptions", num(1, 0) + text(4, "Foreground"))
    assert decode(body) == {"apiVersion": "policy/v1", "kind": "DeleteOptions",
                            "gracePeriodSeconds": 0, "propagationPolicy": "Foreground"}


def test_envelope_errors():
    with pytest.raises(errors.StatusError) as e:
        decode(b'{"kind": "Namespace"}')
    assert e.value.code == 400
    assert e.value.status()["message"] == ("provided data does not appear to be a protobuf message, "
                                           "expected prefix [107 56 115 0]")
    with pytest.raises(errors.StatusError) as e:
        decode(MAGIC)
    assert e.value.status()["message"] == "empty body"
    with pytest.raises(errors.StatusError) as e:
        decode(envelope("v1", "Node", ld(1, text(1, "n1"))))
    assert (e.value.code, e.value.status()["reason"]) == (415, "UnsupportedMediaType")
    assert "Node (v1)" in e.value.status()["message"]


def test_missing_type_meta_is_defaulted_by_the_caller():
    body = envelope("", "", ld(1, text(1, "team-a")))
    with pytest.raises(errors.StatusError) as e:
        decode(body)
    assert e.value.code == 400 and "Object 'Kind' is missing" in e.value.status()["message"]
    assert decode(body, "v1", "Namespace")["metadata"] == {"name": "team-a"}


# -- the tables themselves ------------------------------------------------------------------


def _json_names(message: str) -> set[str]:
    names = set()
    for field in protobuf.MESSAGES[message].values():
        names |= _json_names(field.kind) if field.inline else {field.name}
    return names


def test_tables_agree_with_the_v1_37_openapi_definitions():
    definitions = schema.definitions()
    checked = 0
    for message, fields in protobuf.MESSAGES.items():
        for field in fields.values():
            assert field.kind in protobuf.SCALARS + protobuf.SPECIAL or field.kind in protobuf.MESSAGES
        package = protobuf.PACKAGES[message]
        prefix = ("io.k8s.apimachinery.pkg.apis.meta.v1" if package.startswith("k8s.io/apimachinery")
                  else "io.k8s.api." + package.removeprefix("k8s.io/api/").replace("/", "."))
        definition = definitions.get(f"{prefix}.{message}")
        if definition is None:  # only structs that JSON inlines have no definition
            assert message in ("VolumeSource", "ProbeHandler", "EphemeralContainerCommon",
                               "IngressRuleValue"), message
            continue
        expected = set(definition.get("properties", {})) - {"apiVersion", "kind"}
        assert _json_names(message) - {"apiVersion", "kind"} == expected, message
        checked += 1
    assert checked > 250
    for api_version, kinds in protobuf.KINDS.items():
        for kind in kinds:
            assert protobuf.message_for(api_version, kind) in protobuf.MESSAGES


# -- end to end, with the real kubectl ------------------------------------------------------


@pytest.fixture(scope="module")
def proto_cluster(tmp_path_factory):
    """One cluster whose HTTP front end decodes protobuf bodies with protobuf.decode()."""
    import kernelsim
    from kernelsim.apiserver import http

    original = http._Handler._decode_body
    seen = []

    def decode_body(handler, raw):
        content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip()
        if content_type == protobuf.MEDIA_TYPE:
            body = decode(raw)
            seen.append(body)
            return body
        return original(handler, raw)

    mp = pytest.MonkeyPatch()
    mp.setattr(http._Handler, "_decode_body", decode_body)
    c = kernelsim.Cluster(seed=0, epoch="2026-11-26T09:00:00Z")
    c.protobuf_bodies = seen
    files = tmp_path_factory.mktemp("files")
    (files / "greeting.txt").write_text("hello\nworld\n")
    c.files = files
    yield c
    c.close()
    mp.undo()


CREATES = [
    # (kubectl arguments, success line, resource, name)
    ("create namespace team-a", "namespace/team-a created", "namespaces", "team-a"),
    ("create configmap c --from-literal=a=1 --from-file={files}/greeting.txt", "configmap/c created",
     "configmaps", "c"),
    ("create secret generic s --from-literal=p=x", "secret/s created", "secrets", "s"),
    ("create deployment web --image=nginx --replicas=3 --port=80", "deployment.apps/web created",
     "deployments", "web"),
    ("create deployment zero --image=nginx --replicas=0", "deployment.apps/zero created",
     "deployments", "zero"),
    ("create job j --image=busybox -- echo hi", "job.batch/j created", "jobs", "j"),
    ("create cronjob cj --image=busybox --schedule='*/5 * * * *'", "cronjob.batch/cj created",
     "cronjobs", "cj"),
    ("create service nodeport web --tcp=80:8080", "service/web created", "services", "web"),
    ("create serviceaccount sa", "serviceaccount/sa created", "serviceaccounts", "sa"),
    ("create role r --verb=get --resource=pods", "role.rbac.authorization.k8s.io/r created", "roles", "r"),
    ("create rolebinding rb --role=r --user=u", "rolebinding.rbac.authorization.k8s.io/rb created",
     "rolebindings", "rb"),
    ("create quota q --hard=pods=10", "resourcequota/q created", "resourcequotas", "q"),
    ("create priorityclass pc --value=1000", "priorityclass.scheduling.k8s.io/pc created",
     "priorityclasses", "pc"),
    ("create pdb p --selector=app=web --min-available=1", "poddisruptionbudget.policy/p created",
     "poddisruptionbudgets", "p"),
    ("create ingress i --rule=foo.com/bar=svc:80", "ingress.networking.k8s.io/i created", "ingresses", "i"),
]


def _dry_run(args: list[str]) -> list[str]:
    """The same command with ``--dry-run=client -o json``, placed before any ``--``."""
    cut = args.index("--") if "--" in args else len(args)
    return args[:cut] + ["--dry-run=client", "-o", "json"] + args[cut:]


def _assert_has(stored, expected, path="") -> None:
    """Every field kubectl set is in the stored object, unchanged (defaulting only adds)."""
    if isinstance(expected, dict):
        for k, v in expected.items():
            if v in (None, {}, []):
                continue
            assert k in stored, f"{path}.{k} missing"
            _assert_has(stored[k], v, f"{path}.{k}")
    elif isinstance(expected, list):
        assert len(stored) == len(expected), path
        for i, (s, e) in enumerate(zip(stored, expected)):
            _assert_has(s, e, f"{path}[{i}]")
    else:
        assert stored == expected, path


@pytest.mark.parametrize("command,success,resource,name", CREATES, ids=[c[0].split(" --")[0] for c in CREATES])
def test_kubectl_create_sends_protobuf(proto_cluster, command, success, resource, name):
    args = shlex.split(command.format(files=proto_cluster.files))
    before = len(proto_cluster.protobuf_bodies)
    r = proto_cluster.kubectl(args)
    assert (r.returncode, r.stdout) == (0, success + "\n"), r.stderr
    assert len(proto_cluster.protobuf_bodies) == before + 1, "kubectl did not send protobuf"
    sent = proto_cluster.protobuf_bodies[-1]

    dry = proto_cluster.kubectl(_dry_run(args))
    assert dry.returncode == 0, dry.stderr
    expected = json.loads(dry.stdout)
    assert sent == expected  # decoded protobuf == Go's JSON of the same object

    stored = proto_cluster.api.get(resource, name)  # "default", for namespaced resources
    _assert_has(stored, {k: v for k, v in expected.items() if k != "status"})
    if name == "zero":
        assert stored["spec"]["replicas"] == 0
