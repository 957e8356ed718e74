"""Bad input never hurts: fuzzed manifests and requests through both doors of kube-apiserver.

Over 10,000 inputs per run, generated with hypothesis (derandomized: the same
inputs every run) and mutated from valid manifests (a seeded mutator), go
through the in-process client (``cluster.api``) and the HTTPS front end (one
keep-alive connection, the kubeconfig's token and CA).  Every answer is a 2xx
or a 4xx ``Status`` -- never a 5xx, never a traceback -- the server lives, and
the cluster's invariants hold afterwards.  The counts are printed in pytest's
terminal summary; ``benchmarks/fuzz.py`` runs more.
"""

import json
import random
import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kernelsim
from kernelsim.testing import check_invariants, fuzz
from kernelsim.testing.invariants import violations
from tests.apiserver.conftest import TALLY
from tests.conftest import EPOCH

# A fixed, derandomized run: CI sends the same inputs every time.
FUZZ = settings(derandomize=True, database=None, deadline=None, print_blob=False,
                suppress_health_check=list(HealthCheck))
MUTATED_IN_PROCESS = 6000
MUTATED_HTTPS = 2000


@pytest.fixture(scope="module")
def fuzz_cluster():
    c = kernelsim.Cluster(seed=0, epoch=EPOCH, controllers=("namespace", "serviceaccount", "garbagecollector"),
                          scheduler=False, nodes=False, addons=False)
    yield c
    c.close()


@pytest.fixture
def tally(fuzz_cluster):
    """This test's counts; afterwards: no 5xx, no crash, the server answers, the invariants hold."""
    t = fuzz.Tally()
    yield t
    fuzz_cluster.settle()
    t.invariant_violations += violations(fuzz_cluster.api)
    TALLY.merge(t)
    assert not (t.server_errors or t.crashes or t.invariant_violations), t.problems()
    alive = fuzz.HTTPS(fuzz_cluster.kubeconfig, fuzz.Tally())
    assert alive.request("GET", "/readyz") == 200
    alive.close()


@pytest.fixture
def inproc(fuzz_cluster, tally):
    return fuzz.InProcess(fuzz_cluster, tally)


@pytest.fixture
def https(fuzz_cluster, tally):
    door = fuzz.HTTPS(fuzz_cluster.kubeconfig, tally)
    yield door
    door.close()


def _codes(t: fuzz.Tally) -> set:
    return {c for c in t.by_status if c != "crash"}


# -- mutated manifests ------------------------------------------------------------------------------

def test_mutated_manifests_in_process(inproc, tally):
    m = fuzz.Mutator(seed=1)
    for i in range(MUTATED_IN_PROCESS):
        seeds = fuzz.seed_manifests(i)
        obj = m.mutate(m.rng.choice(seeds))
        r = m.rng.random()
        if r < 0.4:
            inproc.create(obj)
        elif r < 0.6:
            inproc.apply(obj)
        elif r < 0.75:
            inproc.apply(json.dumps(obj))  # YAML text (JSON is YAML)
        elif r < 0.9:
            inproc.update(obj)
        else:
            kind = obj.get("kind") if isinstance(obj.get("kind"), str) else "ConfigMap"
            inproc.patch(fuzz.RESOURCES.get(kind, "configmaps"), f"fz-{i % 7}", obj,
                         m.rng.choice(["strategic", "merge"]))
    assert tally.inputs == MUTATED_IN_PROCESS
    assert {200, 400, 404, 409, 422} <= _codes(tally)


def test_mutated_manifests_over_https(https, tally):
    m = fuzz.Mutator(seed=2)
    for i in range(MUTATED_HTTPS):
        seed = m.rng.choice(fuzz.seed_manifests(i))
        obj = m.mutate(seed)
        path = fuzz.PATHS[seed["kind"]]
        body = json.dumps(obj).encode()
        ct = "application/yaml" if m.rng.random() < 0.3 else "application/json"
        r = m.rng.random()
        if r < 0.5:
            https.request("POST", path + "?fieldValidation=Strict", body, ct)
        elif r < 0.75:
            https.request("PUT", f"{path}/fz-{i % 7}", body, ct)
        else:
            pt = m.rng.choice(["application/merge-patch+json", "application/strategic-merge-patch+json"])
            https.request("PATCH", f"{path}/fz-{i % 7}", body, pt)
    assert tally.inputs == MUTATED_HTTPS
    assert {201, 400, 404, 409, 422} <= _codes(tally)


# -- generated with hypothesis ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(st.text(max_size=12), kids, max_size=4),
    max_leaves=12)
kinds = st.sampled_from(["Pod", "ConfigMap", "Deployment", "Service", "Secret", "Namespace", "Nope", "", "List"])
api_versions = st.sampled_from(["v1", "apps/v1", "batch/v1", "v2", "", "apps/v1beta1"])
names = st.sampled_from(["fz-0", "fz-1", "", "UPPER", "a" * 254, "a.b", "-x", "x_y"]) | st.text(max_size=20)
manifests = st.fixed_dictionaries(
    {"apiVersion": api_versions, "kind": kinds,
     "metadata": st.fixed_dictionaries({"name": names}, optional={
         "labels": st.dictionaries(st.text(max_size=70), st.text(max_size=70) | json_values, max_size=3),
         "namespace": st.sampled_from(["default", "kube-system", "nope", "", "Bad NS"]),
         "resourceVersion": st.sampled_from(["1", "abc", "", "99999999"]),
         "annotations": json_values, "finalizers": json_values, "ownerReferences": json_values})},
    optional={"spec": json_values, "data": json_values, "status": json_values, "extra": json_values,
              "stringData": json_values, "items": json_values})


@settings(FUZZ, max_examples=300)
@given(obj=manifests)
def test_generated_manifests_in_process(fuzz_cluster, obj):
    door = fuzz.InProcess(fuzz_cluster, TALLY)
    before = len(TALLY.server_errors) + len(TALLY.crashes)
    door.create(obj)
    door.apply(obj)
    door.update(obj)
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


@pytest.fixture(scope="module")
def shared_https(fuzz_cluster):
    door = fuzz.HTTPS(fuzz_cluster.kubeconfig, TALLY)
    yield door
    door.close()
    assert not (TALLY.server_errors or TALLY.crashes), TALLY.problems()


@settings(FUZZ, max_examples=250)
@given(obj=manifests, path=st.sampled_from(sorted(set(fuzz.PATHS.values()))), ct=st.sampled_from(
    ["application/json", "application/yaml", "application/vnd.kubernetes.protobuf", "text/plain", "",
     "application/json; charset=utf-8", "application/x-www-form-urlencoded", "*/*", "application/cbor"]))
def test_generated_requests_over_https(shared_https, obj, path, ct):
    before = len(TALLY.server_errors) + len(TALLY.crashes)
    body = json.dumps(obj).encode()
    shared_https.request("POST", path, body, ct)
    shared_https.request("PUT", path + "/fz-1", body, ct)
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


selector_text = st.text(alphabet="abcxyz019=!,()-./_ \tinotexsINOTEXS~", max_size=40)


@settings(FUZZ, max_examples=300)
@given(label=selector_text, field=selector_text)
def test_generated_selectors(fuzz_cluster, shared_https, label, field):
    from urllib.parse import quote

    door = fuzz.InProcess(fuzz_cluster, TALLY)
    before = len(TALLY.server_errors) + len(TALLY.crashes)
    door.list("pods", "default", label_selector=label)
    door.list("configmaps", None, field_selector=field)
    shared_https.request("GET", f"/api/v1/namespaces/default/pods?labelSelector={quote(label)}"
                                f"&fieldSelector={quote(field)}")
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


json_patch_ops = st.lists(st.fixed_dictionaries(
    {"op": st.sampled_from(["add", "remove", "replace", "move", "copy", "test", "nope", ""])},
    optional={"path": st.sampled_from(["/data/key", "/metadata/name", "/data/~1x", "/", "", "data", "/data/-",
                                        "/metadata/labels/0", "/spec/containers/0", "/metadata/resourceVersion"]),
              "from": st.sampled_from(["/data/key", "/metadata", "", "/x"]),
              "value": json_values}), max_size=4)
patch_bodies = (json_patch_ops.map(json.dumps) | json_values.map(json.dumps)
                | st.binary(max_size=30).map(lambda b: b.decode("latin-1")))


@settings(FUZZ, max_examples=300)
@given(body=patch_bodies, kind=st.sampled_from(["strategic", "merge", "json"]))
def test_generated_patches(fuzz_cluster, shared_https, body, kind):
    door = fuzz.InProcess(fuzz_cluster, TALLY)
    door.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-patch"}, "data": {"key": "v"}})
    before = len(TALLY.server_errors) + len(TALLY.crashes)
    door.patch("configmaps", "fz-patch", body, kind)
    ct = {"strategic": "application/strategic-merge-patch+json", "merge": "application/merge-patch+json",
          "json": "application/json-patch+json"}[kind]
    shared_https.request("PATCH", "/api/v1/namespaces/default/configmaps/fz-patch", body.encode(), ct)
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


@settings(FUZZ, max_examples=300)
@given(raw=st.binary(max_size=200), ct=st.sampled_from(["application/json", "application/yaml",
                                                         "application/vnd.kubernetes.protobuf"]))
def test_generated_bytes(shared_https, raw, ct):
    before = len(TALLY.server_errors) + len(TALLY.crashes)
    shared_https.request("POST", "/api/v1/namespaces/default/configmaps", raw, ct)
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


query_params = st.dictionaries(
    st.sampled_from(["limit", "continue", "resourceVersion", "resourceVersionMatch", "gracePeriodSeconds",
                     "propagationPolicy", "fieldValidation", "dryRun", "labelSelector", "fieldSelector",
                     "includeObject", "orphanDependents"]),
    st.text(max_size=12) | st.integers(-5, 10**20).map(str), max_size=4)


@settings(FUZZ, max_examples=200)
@given(params=query_params)
def test_generated_query_parameters(shared_https, params):
    from urllib.parse import urlencode

    before = len(TALLY.server_errors) + len(TALLY.crashes)
    shared_https.request("GET", "/api/v1/namespaces/default/configmaps?" + urlencode(params))
    shared_https.request("DELETE", "/api/v1/namespaces/default/configmaps/fz-nothing?" + urlencode(params), b"")
    assert len(TALLY.server_errors) + len(TALLY.crashes) == before, TALLY.problems()


# -- YAML that hurts parsers ------------------------------------------------------------------------

def test_nasty_yaml_through_both_doors(inproc, https, tally):
    rng = random.Random(3)
    for _ in range(300):
        text = fuzz.nasty_yaml(rng)
        inproc.apply(text)
        https.request("POST", "/api/v1/namespaces/default/configmaps",
                      text if isinstance(text, bytes) else text.encode(), "application/yaml")
    assert 400 in tally.by_status


def test_alias_bomb_is_refused_quickly(fuzz_cluster, https, tally):
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.apply(fuzz.alias_bomb())
    assert (e.value.code, str(e.value)) == (400, "error converting YAML to JSON: yaml: document contains "
                                                 "excessive aliasing")
    assert https.request("POST", "/api/v1/namespaces/default/configmaps", fuzz.alias_bomb().encode(),
                         "application/yaml") == 400


def test_duplicate_keys_are_refused(fuzz_cluster):
    text = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fz-dupa\n  name: fz-dupb\n"
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.apply(text)
    assert str(e.value) == ('error converting YAML to JSON: yaml: unmarshal errors:\n'
                            '  line 5: mapping key "name" already defined at line 4')
    assert not fuzz_cluster.api.exists("configmaps", "fz-dupa") and not fuzz_cluster.api.exists("configmaps", "fz-dupb")


def _post(https, body: bytes, ct: str, query: str = ""):
    import http.client

    conn = http.client.HTTPSConnection(https.host, https.port, context=https.context)
    conn.request("POST", "/api/v1/namespaces/default/configmaps" + query, body=body,
                 headers={"Authorization": f"Bearer {https.token}", "Content-Type": ct})
    resp = conn.getresponse()
    out = resp.status, json.loads(resp.read()), resp.getheaders()
    conn.close()
    return out


def test_duplicate_fields_follow_field_validation(fuzz_cluster, https):
    """kube-apiserver's fieldValidation: Strict refuses a field given twice, Warn warns, Ignore keeps the last."""
    dup = b'{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fz-dup1","name":"fz-dup2"},"data":{}}'
    code, status, _ = _post(https, dup, "application/json", "?fieldValidation=Strict")
    assert (code, status["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: '
                                              'strict decoding error: duplicate field "metadata.name"')
    code, obj, headers = _post(https, dup, "application/json", "?fieldValidation=Warn")
    assert code == 201 and obj["metadata"]["name"] == "fz-dup2"
    assert ("Warning", '299 - "duplicate field \\"metadata.name\\""') in headers
    yaml_dup = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fz-dup3\n  name: fz-dup4\n"
    code, status, _ = _post(https, yaml_dup, "application/yaml", "?fieldValidation=Strict")
    assert code == 400 and "mapping key \"name\" already defined at line 4" in status["message"]
    code, obj, _ = _post(https, yaml_dup, "application/yaml", "?fieldValidation=Ignore")
    assert code == 201 and obj["metadata"]["name"] == "fz-dup4"
    assert not fuzz_cluster.api.exists("configmaps", "fz-dup1") and not fuzz_cluster.api.exists("configmaps", "fz-dup3")


def test_yaml_timestamps_and_odd_keys_stay_json(fuzz_cluster):
    """Regression: PyYAML made datetimes and int keys, which then broke storing (500)."""
    fuzz_cluster.api.apply("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fz-when}\n"
                           "data: {when: 2020-01-01T00:00:00Z, 1: one}\n")
    assert fuzz_cluster.api.get("configmaps", "fz-when")["data"] == {"when": "2020-01-01T00:00:00Z", "1": "one"}


# -- sizes ------------------------------------------------------------------------------------------

def test_oversized_bodies(fuzz_cluster, https, tally):
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-big"}}
    over_http = json.dumps(dict(cm, data={"k": "x" * (3 * 1024 * 1024)})).encode()
    assert https.request("POST", "/api/v1/namespaces/default/configmaps", over_http) == 413
    assert tally.server_errors == [] and "Request entity too large: limit is 3145728" in _last_message(https, over_http)
    over_etcd = dict(cm, data={"k": "x" * (2 * 1024 * 1024)})
    assert https.request("POST", "/api/v1/namespaces/default/configmaps", json.dumps(over_etcd).encode()) == 413
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.create(over_etcd)
    assert (e.value.code, e.value.reason, str(e.value)) == (413, "RequestEntityTooLarge",
                                                            "etcdserver: request is too large")
    assert not fuzz_cluster.api.exists("configmaps", "fz-big")
    # Just under etcd's limit is stored.
    fuzz_cluster.api.create(dict(cm, data={"k": "x" * (1500 * 1024)}))
    fuzz_cluster.api.delete("configmaps", "fz-big")


def _last_message(https, body) -> str:
    import http.client

    conn = http.client.HTTPSConnection(https.host, https.port, context=https.context)
    conn.request("POST", "/api/v1/namespaces/default/configmaps", body=body,
                 headers={"Authorization": f"Bearer {https.token}", "Content-Type": "application/json"})
    resp = conn.getresponse()
    status = json.loads(resp.read())
    conn.close()
    assert status["reason"] == "RequestEntityTooLarge" and status["code"] == 413
    return status["message"]


def test_deep_nesting(fuzz_cluster, https, tally):
    deep = "[" * 3000 + "]" * 3000
    body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fz-deep"},"data":' + deep + "}"
    for ct in ("application/json", "application/yaml"):
        assert https.request("POST", "/api/v1/namespaces/default/configmaps", body.encode(), ct) == 400
    m = fuzz.Mutator()
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-deep"},
                                 "data": m.nested(500)})
    assert e.value.code == 400


# -- concurrency ------------------------------------------------------------------------------------

def test_concurrent_conflicting_updates(fuzz_cluster, tally):
    """Writers that read the same resourceVersion: one wins each round, the others get 409."""
    fuzz_cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-race"},
                             "data": {"n": "0"}})
    doors = [fuzz.HTTPS(fuzz_cluster.kubeconfig, tally) for _ in range(4)]
    path = "/api/v1/namespaces/default/configmaps/fz-race"
    conflicts = []
    for rnd in range(10):
        current = fuzz_cluster.api.get("configmaps", "fz-race")
        barrier = threading.Barrier(len(doors))
        codes = [None] * len(doors)

        def write(i):
            obj = dict(current, data={"n": f"{rnd}-{i}"})
            barrier.wait()
            codes[i] = doors[i].request("PUT", path, json.dumps(obj).encode())

        threads = [threading.Thread(target=write, args=(i,)) for i in range(len(doors))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(codes) == [200, 409, 409, 409]
        conflicts += [c for c in codes if c == 409]
    for d in doors:
        d.close()
    assert len(conflicts) == 30
    assert any(msg == ('Operation cannot be fulfilled on configmaps "fz-race": the object has been modified; '
                       'please apply your changes to the latest version and try again')
               for _, _, msg in [("", 0, _conflict_message(fuzz_cluster))])


def _conflict_message(cluster) -> str:
    stale = cluster.api.get("configmaps", "fz-race")
    cluster.api.update(dict(stale, data={"n": "fresh"}))
    try:
        cluster.api.update(dict(stale, data={"n": "stale"}))
    except kernelsim.StatusError as e:
        return str(e)
    return ""


# -- regressions: what the fuzzer found ------------------------------------------------------------

@pytest.mark.parametrize("meta", ["x", 5, ["a"], True])
def test_metadata_that_is_not_a_mapping_is_a_400(fuzz_cluster, meta):
    """The in-process client read ``metadata.get`` and crashed with AttributeError."""
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta}
    for call in (fuzz_cluster.api.create, fuzz_cluster.api.update, fuzz_cluster.api.apply):
        with pytest.raises(kernelsim.StatusError) as e:
            call(obj)
        assert e.value.code == 400, (call, str(e.value))


def test_kind_that_is_not_a_string_is_a_400(fuzz_cluster):
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.apply({"apiVersion": "v1", "kind": ["Pod"], "metadata": {"name": "x"}})
    assert (e.value.code, str(e.value)) == (400, "couldn't get version/kind; json parse error: json: cannot "
                                                 "unmarshal array into Go struct field .kind of type string")
    with pytest.raises(kernelsim.StatusError):
        fuzz_cluster.api.apply("apiVersion: v1\nkind: List\nitems: [1, 2]\n")


def test_put_with_null_metadata(fuzz_cluster, https, tally):
    """``"metadata": null`` in a PUT was an AttributeError (500); it decodes to empty metadata."""
    fuzz_cluster.api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-null"}})
    body = json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": None, "data": {"a": "b"}}).encode()
    assert https.request("PUT", "/api/v1/namespaces/default/configmaps/fz-null", body) == 200
    assert fuzz_cluster.api.get("configmaps", "fz-null")["data"] == {"a": "b"}


def test_null_label_value(fuzz_cluster):
    """A null label value was a TypeError (500) in validation; JSON null decodes to ""."""
    out = fuzz_cluster.api.apply({"apiVersion": "v1", "kind": "ConfigMap",
                                  "metadata": {"name": "fz-label", "labels": {"a": None}}})
    assert out[0]["metadata"]["name"] == "fz-label"


def test_bad_strategic_merge_patch_is_a_400_not_a_500(fuzz_cluster):
    fuzz_cluster.api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fz-smp"},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.patch("pods", "fz-smp", {"spec": {"containers": [{"image": "x"}]}})
    assert (e.value.code, e.value.reason, str(e.value)) == (
        400, "BadRequest", "map: map[image:x] does not contain declared merge key: name")


@pytest.mark.parametrize("query, message", [
    ("limit=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
    ("watch=true&timeoutSeconds=abc", 'strconv.ParseInt: parsing "abc": invalid syntax'),
    ("watch=true&timeoutSeconds=nan", 'strconv.ParseInt: parsing "nan": invalid syntax'),
    ("watch=true&timeout=xyz", 'time: invalid duration "xyz"'),
])
def test_malformed_query_parameters_are_a_400(https, tally, query, message):
    """int()/float() of query parameters raised (500); timeout=xyz watched for 30 minutes."""
    assert https.request("GET", "/api/v1/namespaces/default/configmaps?" + query) == 400
    assert tally.by_status[400] == 1


def test_negative_limit_means_no_limit(fuzz_cluster, https):
    """limit=-1 was an IndexError (500)."""
    assert https.request("GET", "/api/v1/namespaces/default/configmaps?limit=-1") == 200


def test_malformed_grace_period_and_binding(fuzz_cluster, https):
    fuzz_cluster.api.apply({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "fz-grace"}})
    assert https.request("DELETE", "/api/v1/namespaces/default/configmaps/fz-grace?gracePeriodSeconds=x", b"") == 400
    assert fuzz_cluster.api.exists("configmaps", "fz-grace")
    fuzz_cluster.api.apply({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "fz-bind"},
                            "spec": {"containers": [{"name": "c", "image": "nginx"}]}})
    assert https.request("POST", "/api/v1/namespaces/default/pods/fz-bind/binding", b'{"target": 5}') == 400
    assert not fuzz_cluster.api.get("pods", "fz-bind")["spec"].get("nodeName")


def test_null_list_elements_decode_to_zero_values(fuzz_cluster, https, tally):
    """Found by benchmarks/fuzz.py: ``ports: [null]`` reached the Service allocator as None (500).
    Go decodes a null element of a list of structs to an empty struct, so validation answers 422."""
    svc = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "fz-nullport"},
           "spec": {"type": "NodePort", "ports": [None, {"port": 81}]}}
    assert https.request("POST", "/api/v1/namespaces/default/services", json.dumps(svc).encode()) == 422
    with pytest.raises(kernelsim.StatusError) as e:
        fuzz_cluster.api.create(svc)
    assert e.value.code == 422 and "spec.ports[0].port" in str(e.value)


# -- afterwards -------------------------------------------------------------------------------------

def test_zz_counts_and_invariants(fuzz_cluster):
    """Runs last in this module: the totals of the run, and the cluster is still whole."""
    fuzz_cluster.settle()
    check_invariants(fuzz_cluster)
    print("\n" + TALLY.summary())
    assert TALLY.inputs >= 10_000, TALLY.summary()
    assert not (TALLY.server_errors or TALLY.crashes or TALLY.invariant_violations), TALLY.problems()
