"""kernelsim.connect(): a cluster reached through a kubeconfig, with the simulator's surface.

The "real cluster" here is a simulated one reached only through its own
kubeconfig and HTTPS API server, exactly as a kind or cloud cluster would be.
"""

import base64
import datetime as dt
import ssl
import sys
import threading
import time

import pytest
import yaml

import kernelsim
from kernelsim import remote
from kernelsim.api.errors import StatusError
from kernelsim.cluster import current

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: web
        image: nginx:1.27
"""


@pytest.fixture(scope="module")
def sim():
    c = kernelsim.Cluster(realtime=False)
    yield c
    c.close()


@pytest.fixture
def rc(sim):
    r = kernelsim.connect(sim.kubeconfig)
    yield r
    r.close()


def _config(sim) -> dict:
    return yaml.safe_load(open(sim.kubeconfig, encoding="utf-8"))


def _write(tmp_path, config: dict, name: str = "config"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return str(path)


def _token(sim) -> str:
    return _config(sim)["users"][0]["user"]["token"]


# -- kubectl and the API ---------------------------------------------------------------
def test_kubectl_runs_through_the_remote(sim, rc):
    assert rc.server == sim.server and rc.source_kubeconfig == sim.kubeconfig and rc.context == "kernelsim"
    assert rc.kubeconfig != sim.kubeconfig  # kubectl works on this session's own copy
    r = rc.kubectl("get nodes -o name")
    assert r.ok and r.stdout.split() == ["node/master-1", "node/worker-1", "node/worker-2"]
    r = rc.kubectl("kubectl apply -f -", input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: via-kubectl\n")
    assert r.stdout == "configmap/via-kubectl created\n"
    assert sim.api.exists("configmaps", "via-kubectl")
    assert (rc.home / ".kube" / "cache").is_dir()  # kubectl's discovery cache lives in the private HOME


def test_a_chosen_context_is_passed_to_kubectl(sim):
    with kernelsim.connect(sim.kubeconfig, context="kernelsim") as r:
        res = r.kubectl(["get", "ns", "default", "-o", "name"])
        assert res.args[0] == "--context=kernelsim" and res.stdout == "namespace/default\n"


def test_api_round_trips(sim, rc):
    import kubernetes

    api = rc.api
    assert isinstance(api.api_client, kubernetes.client.ApiClient)  # the official client sends the requests
    assert kubernetes.client.CoreV1Api(api.api_client).read_namespace("default").metadata.name == "default"
    cm = api.create("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rt\ndata:\n  a: '1'\n")
    assert cm["metadata"]["namespace"] == "default" and cm["metadata"]["uid"]
    assert api.get("cm", "rt")["data"] == {"a": "1"}
    assert sim.api.get("configmaps", "rt")["metadata"]["uid"] == cm["metadata"]["uid"]  # the same object
    assert api.patch("configmap", "rt", {"data": {"b": "2"}})["data"] == {"a": "1", "b": "2"}
    assert api.patch("cm", "rt", {"data": {"a": None}}, type="merge")["data"] == {"b": "2"}
    cur = api.get("configmaps", "rt")
    cur["data"]["c"] = "3"
    assert api.update(cur)["data"] == {"b": "2", "c": "3"}
    out = api.apply("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: rt\ndata:\n  d: '4'\n---\n"
                    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: remote-ns\n")
    assert out[0]["data"] == {"b": "2", "c": "3", "d": "4"} and out[1]["kind"] == "Namespace"
    items = api.list("configmaps", "default", field_selector="metadata.name=rt")
    assert [(i["kind"], i["apiVersion"], i["metadata"]["name"]) for i in items] == [("ConfigMap", "v1", "rt")]
    assert {n["metadata"]["name"] for n in api.list("no")} == {"master-1", "worker-1", "worker-2"}
    assert api.list("deployments.apps", "kube-system") and api.list("deploy", "kube-system")[0]["kind"] == "Deployment"
    assert api.get("ns", "remote-ns", namespace="ignored")["metadata"]["name"] == "remote-ns"  # cluster-scoped
    api.delete("cm", "rt")
    assert not api.exists("configmaps", "rt")


def test_errors_come_back_as_status_errors(rc):
    with pytest.raises(StatusError) as e:
        rc.api.get("pods", "nope")
    assert (e.value.code, e.value.reason, e.value.message) == (404, "NotFound", 'pods "nope" not found')
    assert e.value.details == {"name": "nope", "kind": "pods"}
    cm = rc.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "twice"}})
    with pytest.raises(StatusError) as e:
        rc.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "twice"}})
    assert (e.value.code, e.value.reason, e.value.message) == (409, "AlreadyExists",
                                                               'configmaps "twice" already exists')
    rc.api.patch("cm", "twice", {"data": {"x": "1"}})
    with pytest.raises(StatusError) as e:  # cm still has the old resourceVersion
        rc.api.update(dict(cm, data={"y": "2"}))
    assert (e.value.code, e.value.reason) == (409, "Conflict")
    assert "the object has been modified" in e.value.message
    with pytest.raises(StatusError) as e:
        rc.api.list("gizmos")
    assert e.value.message == 'the server doesn\'t have a resource type "gizmos"'
    with pytest.raises(StatusError) as e:
        rc.api.create({"apiVersion": "v9", "kind": "Gizmo", "metadata": {"name": "g"}})
    assert e.value.message == 'no matches for kind "Gizmo" in version "v9"'


def test_watch_delivers_events_until_stopped(rc):
    seen, arrived = [], threading.Event()

    def on_event(typ, obj):
        seen.append((typ, obj["metadata"]["name"]))
        if obj["metadata"]["name"] == "watched":
            arrived.set()

    w = rc.api.watch("configmaps", on_event, "default", resource_version=rc.api.request(
        "GET", "/api/v1/namespaces/default/configmaps")["metadata"]["resourceVersion"])
    rc.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "watched"}})
    assert arrived.wait(10)
    assert seen == [("ADDED", "watched")]  # from the given resourceVersion: nothing older
    w.stop()
    assert not w.running
    with pytest.raises(StatusError) as e:
        rc.api.watch("componentstatuses", on_event)  # get and list only: refused at once
    assert e.value.code == 405


def test_a_watch_ended_by_the_server_goes_on_from_where_it_was(rc, monkeypatch):
    monkeypatch.setattr(remote, "WATCH_TIMEOUT", 1)  # the server ends each watch request after a second
    seen, arrived = [], threading.Event()

    def on_event(typ, obj):
        seen.append((typ, obj["metadata"]["name"]))
        arrived.set()

    w = rc.api.watch("configmaps", on_event, "default", label_selector="round=two")
    rc.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "first", "labels": {"round": "two"}}})
    assert arrived.wait(10)
    arrived.clear()
    time.sleep(1.5)  # the first watch request has ended by now; a second one is open
    rc.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "second", "labels": {"round": "two"}}})
    assert arrived.wait(10)
    w.stop()
    assert seen == [("ADDED", "first"), ("ADDED", "second")]  # nothing twice
    assert w.error is None


# -- credentials -----------------------------------------------------------------------
def _other_ca_pem() -> bytes:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "someone-else")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.PEM)


def test_a_wrong_ca_fails_with_a_clear_tls_error(sim, tmp_path):
    config = _config(sim)
    config["clusters"][0]["cluster"]["certificate-authority-data"] = base64.b64encode(_other_ca_pem()).decode()
    with pytest.raises(remote.TLSVerificationError) as e:
        kernelsim.connect(_write(tmp_path, config))
    assert isinstance(e.value, ssl.SSLError) and isinstance(e.value, ConnectionError)
    assert "TLS verification of the API server" in str(e.value) and "certificate-authority" in str(e.value)
    assert current() is sim  # a failed connect() changes nothing


def test_a_server_that_is_not_there_is_a_clear_connection_error(sim, tmp_path):
    config = _config(sim)
    config["clusters"][0]["cluster"]["server"] = "https://127.0.0.1:1"  # nothing listens there
    with pytest.raises(remote.RemoteConnectionError, match=r"cannot reach the API server at https://127\.0\.0\.1:1: "
                                                           r".*Connection refused"):
        kernelsim.connect(_write(tmp_path, config))
    assert current() is sim


def test_ca_file_token_file_and_tls_server_name(sim, tmp_path):
    from kernelsim.apiserver.certs import serving_certs

    certs = serving_certs()
    (tmp_path / "ca.crt").write_bytes(certs.ca_pem)
    (tmp_path / "token").write_text(_token(sim) + "\n")
    config = _config(sim)
    cluster = config["clusters"][0]["cluster"]
    del cluster["certificate-authority-data"]
    cluster.update({"certificate-authority": "ca.crt", "tls-server-name": "kubernetes"})  # relative to the file
    # Client certificate material is loaded too (the simulated server does not ask for it).
    config["users"][0]["user"] = {"tokenFile": "token",
                                  "client-certificate-data": base64.b64encode(open(certs.cert_file, "rb").read()).decode(),
                                  "client-key-data": base64.b64encode(open(certs.key_file, "rb").read()).decode()}
    with kernelsim.connect(_write(tmp_path, config)) as r:
        assert r.api.get("namespaces", "default")["metadata"]["name"] == "default"
        cluster["tls-server-name"] = "not-the-apiserver"
    with pytest.raises(remote.TLSVerificationError):
        kernelsim.connect(_write(tmp_path, config))


def test_insecure_skip_tls_verify_and_a_bad_token(sim, tmp_path):
    config = _config(sim)
    cluster = config["clusters"][0]["cluster"]
    del cluster["certificate-authority-data"]
    cluster["insecure-skip-tls-verify"] = True
    with kernelsim.connect(_write(tmp_path, config)) as r:
        assert r.api.exists("namespaces", "kube-system")
        config["users"][0]["user"]["token"] = "wrong"
    with kernelsim.connect(_write(tmp_path, config)) as r:  # /version is public
        with pytest.raises(StatusError) as e:
            r.api.list("pods")
        assert (e.value.code, e.value.reason) == (401, "Unauthorized")


def test_an_exec_credential_plugin_gives_the_token(sim, tmp_path):
    plugin = tmp_path / "plugin.py"
    plugin.write_text("import json, os\n"
                      "assert json.loads(os.environ['KUBERNETES_EXEC_INFO'])['kind'] == 'ExecCredential'\n"
                      "open(os.environ['COUNT_FILE'], 'a').write('.')\n"
                      "print(json.dumps({'apiVersion': 'client.authentication.k8s.io/v1', 'kind': 'ExecCredential',"
                      f" 'status': {{'token': {_token(sim)!r}}}}}))\n")
    config = _config(sim)
    config["users"][0]["user"] = {"exec": {
        "apiVersion": "client.authentication.k8s.io/v1", "command": sys.executable, "args": [str(plugin)],
        "env": [{"name": "COUNT_FILE", "value": str(tmp_path / "count")}], "interactiveMode": "Never"}}
    with kernelsim.connect(_write(tmp_path, config)) as r:
        assert len(r.api.list("nodes")) == 3
        assert r.api.exists("namespaces", "default")
        assert (tmp_path / "count").read_text() == "."  # run once, then cached
        assert r.kubectl("get ns default -o name").stdout == "namespace/default\n"  # kubectl runs it itself


# -- the kubeconfig ----------------------------------------------------------------------
def test_a_missing_file_or_context_is_a_clear_error(sim, tmp_path, monkeypatch):
    with pytest.raises(remote.KubeconfigError, match="kubeconfig not found: .*nowhere"):
        kernelsim.connect(str(tmp_path / "nowhere"))
    with pytest.raises(remote.KubeconfigError, match=r'context "kind-kind" not found .*\(contexts: alice@team-a, bob@team-b, kernelsim\)'):
        kernelsim.connect(sim.kubeconfig, context="kind-kind")
    monkeypatch.setenv("KUBECONFIG", str(tmp_path / "absent"))
    with pytest.raises(remote.KubeconfigError, match=r"\$KUBECONFIG"):
        kernelsim.connect()


def test_kubeconfig_from_the_environment_with_several_files(sim, tmp_path, monkeypatch):
    """$KUBECONFIG lists files; the first to name an entry or a current-context wins, as in kubectl."""
    config = _config(sim)
    first = {"apiVersion": "v1", "kind": "Config", "current-context": "kernelsim", "clusters": [], "users": [],
             "contexts": [{"name": "kernelsim", "context": {"cluster": "kernelsim", "user": "kubernetes-admin"}}]}
    second = dict(config, **{"current-context": "elsewhere"})
    paths = [_write(tmp_path, first, "a"), _write(tmp_path, second, "b")]
    monkeypatch.setenv("KUBECONFIG", ":".join([str(tmp_path / "missing"), *paths]))
    with kernelsim.connect() as r:
        assert r.source_kubeconfig == ":".join(paths) and r.context == "kernelsim"
        assert r.api.exists("namespaces", "default")
        assert r.kubectl("config current-context").stdout == "kernelsim\n"


# -- %kubectl, time, pictures -----------------------------------------------------------
def test_magics_target_the_remote_until_it_is_closed(sim, tmp_path, capsys):
    from IPython.testing import globalipapp

    config = _config(sim)
    config["contexts"][0]["name"] = config["current-context"] = "remote-ctx"
    ip = globalipapp.start_ipython() or globalipapp.get_ipython()  # the one shell, whoever started it
    ip.run_line_magic("load_ext", "kernelsim")
    capsys.readouterr()  # ("already loaded" when another test loaded it first)
    assert current() is sim
    r = kernelsim.connect(_write(tmp_path, config))
    assert current() is r
    ip.run_line_magic("kubectl", "config current-context")
    assert capsys.readouterr().out == "remote-ctx\n"
    other = kernelsim.Cluster(workers=0, addons=False, realtime=False)
    assert current() is other
    other.close()  # Cluster.close() hands %kubectl back to the remote
    assert current() is r
    r.close()
    assert current() is sim
    ip.run_line_magic("kubectl", "config current-context")
    assert capsys.readouterr().out == "kernelsim\n"


def test_time_is_the_api_servers_clock(capsys):
    sim = kernelsim.Cluster(workers=0, addons=False, realtime=True, speed=20)
    try:
        with kernelsim.connect(sim.kubeconfig) as r:
            t, wall = r.now, time.monotonic()
            assert r.advance(20) == 20  # 20 s on the server's clock (its Date header): about 1 s here
            assert r.now >= t + 20 and time.monotonic() - wall < 10
            r.pause()
            r.play(speed=10)  # accepted, and nothing happens but a note
            assert r.realtime_enabled and sim.realtime_enabled
            assert r.trace(last=5) == [] and r.tracer.since(r.tracer.count) == []
            err = capsys.readouterr().err
            assert "cannot be stopped" in err and "the trace is empty here" in err
            with pytest.raises(ValueError):
                r.advance(-1)
    finally:
        sim.close()


def test_advance_on_a_server_whose_clock_stands_still(rc, sim):
    t, wall = sim.now, time.monotonic()
    assert rc.advance(0.5) == 0.5 and time.monotonic() - wall >= 0.5  # the wall clock, then
    assert sim.now == t


def test_settle_waits_for_a_rollout():
    sim = kernelsim.Cluster(realtime=True, speed=20)
    try:
        with kernelsim.connect(sim.kubeconfig) as r:
            assert r.settle(30) < 5  # a settled cluster: nothing to wait for
            r.api.apply(DEPLOYMENT)
            assert r.in_progress()  # the Deployment controller has not caught up yet
            waited = r.settle(60)
            assert 0 < waited < 30
            status = r.api.get("deployments", "web")["status"]
            assert status["updatedReplicas"] == status["availableReplicas"] == 2
            assert all(p["status"]["phase"] == "Running" for p in r.api.list("pods", "default",
                                                                            label_selector="app=web"))
            assert r.in_progress() == []
    finally:
        sim.close()


def _deploy(generation=1, observed=1, replicas=2, **status):
    return {"metadata": {"generation": generation}, "spec": {"replicas": replicas},
            "status": dict({"observedGeneration": observed}, **status)}


def test_rollout_status_as_kubectl_judges_it():
    judge = remote.rollout_in_progress
    assert judge(_deploy(2, 1), "Deployment") == "waiting for the deployment spec update to be observed"
    assert judge(_deploy(updatedReplicas=1), "Deployment") == "1 out of 2 new replicas have been updated"
    assert judge(_deploy(updatedReplicas=2, replicas=3), "Deployment").startswith("2 out of 3")
    assert judge(_deploy(updatedReplicas=2, availableReplicas=1), "Deployment") == \
        "1 of 2 updated replicas are available"
    assert judge(_deploy(updatedReplicas=2, availableReplicas=2), "Deployment") is None
    failed = _deploy(conditions=[{"type": "Progressing", "reason": "ProgressDeadlineExceeded"}])
    assert judge(failed, "Deployment") is None
    sts = {"metadata": {"generation": 1}, "spec": {"replicas": 3, "updateStrategy": {
        "type": "RollingUpdate", "rollingUpdate": {"partition": 2}}},
           "status": {"observedGeneration": 1, "readyReplicas": 3, "updatedReplicas": 1}}
    assert judge(sts, "StatefulSet") is None
    ds = {"metadata": {"generation": 1}, "spec": {"updateStrategy": {"type": "OnDelete"}}, "status": {}}
    assert judge(ds, "DaemonSet") is None


def test_pods_in_progress_and_stuck():
    creating = {"metadata": {}, "status": {"phase": "Pending", "containerStatuses": [
        {"state": {"waiting": {"reason": "ContainerCreating"}}}]}}
    backoff = {"metadata": {}, "status": {"phase": "Pending", "containerStatuses": [
        {"state": {"waiting": {"reason": "ImagePullBackOff"}}}]}}
    unschedulable = {"metadata": {}, "status": {"phase": "Pending", "conditions": [
        {"type": "PodScheduled", "status": "False", "reason": "Unschedulable"}]}}
    assert remote.pod_in_progress(creating) == "ContainerCreating"
    assert remote.pod_in_progress({"metadata": {}}) == "Pending"
    assert remote.pod_in_progress({"metadata": {"deletionTimestamp": "x"}, "status": {"phase": "Running"}}) == \
        "Terminating"
    assert remote.pod_stuck(backoff) == "ImagePullBackOff" and remote.pod_in_progress(backoff) is None
    assert remote.pod_stuck(unschedulable) == "Unschedulable" and remote.pod_in_progress(unschedulable) is None
    lost = {"metadata": {"deletionTimestamp": "x"}, "spec": {"nodeName": "worker-2"}, "status": {"phase": "Running"}}
    assert remote.pod_in_progress(lost) == "Terminating"
    assert remote.pod_stuck(lost, frozenset({"worker-2"})) == "NodeLost"
    assert remote.pod_in_progress(lost, frozenset({"worker-2"})) is None  # its kubelet does not answer


def test_job_in_progress():
    job = {"spec": {"completions": 6}, "status": {"succeeded": 2, "active": 2}}
    assert remote.job_in_progress(job) == "2 of 6 completions succeeded"
    assert remote.job_in_progress({"spec": {}, "status": {"active": 1}}) == "0 pods succeeded, 1 active"
    done = {"spec": {"completions": 6}, "status": {"conditions": [{"type": "Complete", "status": "True"}]}}
    failed = {"spec": {}, "status": {"conditions": [{"type": "Failed", "status": "True"}]}}
    assert remote.job_in_progress(done) is None and remote.job_in_progress(failed) is None
    assert remote.job_in_progress({"spec": {"suspend": True}, "status": {}}) is None


def test_diagram_is_a_static_picture(rc):
    svg = rc.diagram()
    assert type(svg).__name__ == "SVG"
    assert "<svg" in svg.data and "worker-2" in svg.data and "kube-apiserver" in svg.data
    with pytest.raises(ValueError, match="needs the simulator"):
        rc.diagram(trace=True)


# -- kernelsim.start(): the backend switch --------------------------------------------------
def test_start_is_the_simulator_unless_a_kubeconfig_is_named(sim, monkeypatch):
    monkeypatch.delenv("KERNELSIM_KUBECONFIG", raising=False)
    c = kernelsim.start(workers=0, addons=False, realtime=False)
    try:
        assert isinstance(c, kernelsim.Cluster) and c.workers == 0
    finally:
        c.close()
    monkeypatch.setenv("KERNELSIM_KUBECONFIG", sim.kubeconfig)
    monkeypatch.setenv("KERNELSIM_CONTEXT", "kernelsim")
    with kernelsim.start(workers=5) as r:  # the simulator's arguments mean nothing to a real cluster
        assert isinstance(r, remote.RemoteCluster) and r.source_kubeconfig == sim.kubeconfig
        assert r.context == "kernelsim" and current() is r
    monkeypatch.setenv("KERNELSIM_KUBECONFIG", "/nowhere/kubeconfig")
    with pytest.raises(remote.KubeconfigError, match="kubeconfig not found: /nowhere/kubeconfig"):
        kernelsim.start()
    with kernelsim.start(kubeconfig=sim.kubeconfig) as r:  # the notebook parameter wins
        assert r.server == sim.server


def test_the_api_servers_date_header_is_simulated_time(sim, rc):
    import email.utils

    rc.server_time()
    date = email.utils.parsedate_to_datetime(rc.api.last_date)
    assert abs((date - sim.apiserver.now()).total_seconds()) < 1.0


def test_settle_gives_up_with_a_clear_error(sim, rc, monkeypatch):
    monkeypatch.setattr(remote, "SETTLE_POLL", 0.05)
    rc.api.create({"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "never"},
                   "spec": {"suspend": False, "template": {"spec": {"restartPolicy": "Never", "containers": [
                       {"name": "c", "image": "busybox"}]}}}})
    try:  # the simulated clock stands still: the Job's pod is never created
        with pytest.raises(remote.SettleTimeoutError) as e:
            rc.settle(0.2)
        assert "has not settled after 0.2 s" in str(e.value) and "job default/never" in str(e.value)
        assert isinstance(e.value, TimeoutError) and any("job default/never" in b for b in e.value.busy)
    finally:
        rc.api.delete("jobs", "never", propagation_policy="Background")


# -- machines: stop_kubelet() through kernelsim serve's socket -----------------------------------
def test_stop_kubelet_through_the_machines_socket(tmp_path):
    from kernelsim import machines

    sim = kernelsim.Cluster(realtime=False)
    path = tmp_path / "kubeconfig"
    sim.share(path)
    server = machines.MachinesServer(sim, machines.socket_path(path))
    try:
        assert machines.call(machines.socket_path(path), "hello") == {"ok": True, "server": sim.server}
        assert "unknown operation" in machines.call(machines.socket_path(path), "remove_node", "worker-1")["error"]
        with kernelsim.connect(str(path)) as r:
            r.stop_kubelet("worker-2")
            assert not sim.machines["worker-2"].kubelet.running
            r.start_kubelet("worker-2")
            assert sim.machines["worker-2"].kubelet.running
            with pytest.raises(StatusError) as e:
                r.stop_kubelet("worker-9")
            assert e.value.code == 404
    finally:
        server.close()
        sim.close()
    assert not machines.socket_path(path).exists()


def test_stop_kubelet_elsewhere_says_what_to_do(rc):
    with pytest.raises(NotImplementedError, match="sudo systemctl stop kubelet"):
        rc.stop_kubelet("worker-2")


def test_save_on_a_real_cluster_remembers_only_how_to_reach_it(sim, rc, tmp_path, capsys):
    """A real cluster's state lives in its own etcd: save() writes where it is, and kernelsim.load()
    connects again (the getting-started notebook's restart cell runs on either backend)."""
    path = rc.save(tmp_path / "session.ksim")
    assert "only how to reach this cluster" in capsys.readouterr().err
    assert b"apiVersion" not in (tmp_path / "session.ksim").read_bytes()  # no objects, no credentials
    again = kernelsim.load(path)
    try:
        assert isinstance(again, remote.RemoteCluster)
        assert again.server == rc.server
        assert again.api.get("namespaces", "default")["metadata"]["name"] == "default"
    finally:
        again.close()
