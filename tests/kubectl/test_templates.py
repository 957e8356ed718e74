"""YAML templates with kubectl apply, and the errors bad ones get (foundation acceptance)."""

import json
import re
import textwrap

POD = textwrap.dedent("""\
    apiVersion: v1
    kind: Pod
    metadata:
      name: web
      labels:
        app: web
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: ["sh", "-c", "sleep 3600"]
    """)
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team-a\n"
SERVICE = textwrap.dedent("""\
    apiVersion: v1
    kind: Service
    metadata:
      name: web
    spec:
      selector:
        app: web
      ports:
      - port: 80
        targetPort: 80
    """)
CONFIGMAP = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  color: blue\n"


def test_apply_from_a_file_a_directory_and_stdin(cluster, kubectl, tmp_path):
    (tmp_path / "pod.yaml").write_text(POD)
    r = kubectl(f"apply -f {tmp_path / 'pod.yaml'}")
    assert r.stdout == "pod/web created\n", r.stderr
    d = tmp_path / "dir"
    d.mkdir()
    (d / "ns.yaml").write_text(NAMESPACE)
    (d / "svc.yaml").write_text(SERVICE)
    r = kubectl(f"apply -f {d}")
    assert sorted(r.stdout.splitlines()) == ["namespace/team-a created", "service/web created"], r.stderr
    r = kubectl("apply -f -", input=CONFIGMAP)
    assert r.stdout == "configmap/settings created\n", r.stderr
    assert cluster.api.get("configmaps", "settings")["data"] == {"color": "blue"}
    assert cluster.api.get("services", "web")["spec"]["clusterIP"].startswith("10.")


def test_reapply_is_unchanged_and_a_change_is_configured(cluster, kubectl):
    assert kubectl("apply -f -", input=POD).stdout == "pod/web created\n"
    assert kubectl("apply -f -", input=POD).stdout == "pod/web unchanged\n"
    changed = POD.replace("nginx:1.25", "nginx:1.26")
    r = kubectl("apply -f -", input=changed)
    assert r.stdout == "pod/web configured\n", r.stderr
    containers = cluster.api.get("pods", "web")["spec"]["containers"]
    # strategic merge: containers merge by name, the sidecar is kept as it was
    assert [(c["name"], c["image"]) for c in containers] == [("nginx", "nginx:1.26"), ("sidecar", "busybox:1.36")]


def test_get_output_formats(kubectl):
    kubectl("apply -f -", input=POD)
    y = kubectl("get pod web -o yaml").stdout
    assert y.startswith("apiVersion: v1\nkind: Pod\nmetadata:\n")
    assert re.search(r'creationTimestamp: "2026-11-26T09:\d\d:\d\dZ"', y)
    obj = json.loads(kubectl("get pod web -o json").stdout)
    assert obj["metadata"]["uid"] and obj["metadata"]["resourceVersion"]
    assert obj["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"
    wide = kubectl("get pod web -o wide").stdout.splitlines()[0].split()
    assert wide[:5] == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"] and "IP" in wide and "NODE" in wide
    assert kubectl("get pod web -o name").stdout == "pod/web\n"


def test_delete(cluster, kubectl):
    kubectl("apply -f -", input=CONFIGMAP)
    r = kubectl("delete configmap settings")
    assert r.stdout == 'configmap "settings" deleted from default namespace\n', r.stderr
    r = kubectl("delete configmap settings")
    assert r.stderr == 'Error from server (NotFound): configmaps "settings" not found\n'


def test_describe_pod(kubectl):
    kubectl("apply -f -", input=POD)
    r = kubectl("describe pod web")
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert out.startswith("Name:             web\nNamespace:        default\n")
    assert "Labels:           app=web" in out
    assert "nginx:\n" in out and "Image:        nginx:1.25" in out


# -- bad templates: kubectl's own kind of error, and nothing is stored --------------------

def assert_nothing_stored(cluster):
    assert cluster.api.list("pods", "default") == []


def test_tab_indented_yaml_is_rejected_by_kubectl(cluster, kubectl):
    bad = "apiVersion: v1\nkind: Pod\nmetadata:\n\tname: web\n"
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert "found character that cannot start any token" in r.stderr, r.stderr
    assert_nothing_stored(cluster)


def test_wrong_type(cluster, kubectl):
    bad = POD.replace("containerPort: 80", "containerPort: eighty")
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert r.stderr == (
        'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a '
        'Pod: json: cannot unmarshal string into Go struct field ContainerPort.spec.containers.ports.containerPort '
        'of type int32\n'), r.stderr
    assert_nothing_stored(cluster)


def test_unknown_field(cluster, kubectl):
    bad = POD.replace("image: nginx:1.25", "imagee: nginx:1.25")
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert r.stderr == (
        'Error from server (BadRequest): error when creating "STDIN": Pod in version "v1" cannot be handled as a '
        'Pod: strict decoding error: unknown field "spec.containers[0].imagee"\n'), r.stderr
    assert_nothing_stored(cluster)


def test_missing_required_field(cluster, kubectl):
    bad = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n  - name: nginx\n"
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert r.stderr == 'The Pod "web" is invalid: spec.containers[0].image: Required value\n', r.stderr
    assert_nothing_stored(cluster)


def test_invalid_name(cluster, kubectl):
    bad = POD.replace("name: web", "name: Bad_Name", 1)
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert r.stderr.startswith(
        'The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain '
        "must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character"), r.stderr
    assert_nothing_stored(cluster)


def test_unknown_kind(cluster, kubectl):
    bad = POD.replace("kind: Pod", "kind: Podd")
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert 'no matches for kind "Podd" in version "v1"' in r.stderr, r.stderr
    assert_nothing_stored(cluster)


def test_namespace_that_does_not_exist(cluster, kubectl):
    bad = POD.replace("name: web\n", "name: web\n  namespace: nowhere\n", 1)
    r = kubectl("apply -f -", input=bad)
    assert r.returncode == 1
    assert r.stderr == 'Error from server (NotFound): error when creating "STDIN": namespaces "nowhere" not found\n', \
        r.stderr
    assert cluster.api.list("pods", "default") == []


def test_a_bad_document_in_a_stream_does_not_undo_the_good_ones(cluster, kubectl):
    r = kubectl("apply -f -", input=CONFIGMAP + "---\n" + POD.replace("image: nginx:1.25", "imagee: x"))
    assert r.returncode == 1
    assert "configmap/settings created" in r.stdout
    assert cluster.api.exists("configmaps", "settings")
    assert not cluster.api.exists("pods", "web")
