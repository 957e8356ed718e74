"""Namespaces through the real kubectl (issue: foundation, acceptance)."""

import re


def rows(out: str) -> list[list[str]]:
    return [re.split(r"\s{2,}", line.strip()) for line in out.strip().splitlines()]


def test_get_namespaces_lists_the_four_system_namespaces(kubectl):
    r = kubectl("get namespaces")
    assert r.returncode == 0, r.stderr
    table = rows(r.stdout)
    assert table[0] == ["NAME", "STATUS", "AGE"]
    names = {row[0]: row[1] for row in table[1:]}
    # the four system namespaces, plus the one the dashboard addon lives in
    assert names == {"default": "Active", "kube-node-lease": "Active", "kube-public": "Active",
                     "kube-system": "Active", "kubernetes-dashboard": "Active"}


def test_create_namespace_and_switch_to_it(cluster, kubectl):
    r = kubectl("create namespace team-a")
    assert r.stdout == "namespace/team-a created\n", r.stderr
    r = kubectl("config set-context --current --namespace=team-a")
    assert r.stdout == 'Context "kernelsim" modified.\n'
    r = kubectl("get pods")
    assert r.returncode == 0
    assert r.stderr == "No resources found in team-a namespace.\n"
    kubectl("run web --image=nginx")
    assert cluster.api.get("pods", "web", "team-a")["metadata"]["namespace"] == "team-a"
    assert kubectl("get pods -o name").stdout == "pod/web\n"


def test_all_namespaces_adds_the_namespace_column(kubectl):
    kubectl("create namespace team-a")
    kubectl("run web --image=nginx")
    kubectl("run api --image=nginx -n team-a")
    for flag in ("--all-namespaces", "-A"):
        r = kubectl(f"get pods {flag}")
        table = rows(r.stdout)
        assert table[0][:2] == ["NAMESPACE", "NAME"], r.stdout
        assert ["default", "web"] in [row[:2] for row in table[1:]]
        assert ["team-a", "api"] in [row[:2] for row in table[1:]]


def test_system_namespaces_cannot_be_deleted(kubectl):
    for ns in ("default", "kube-system", "kube-public", "kube-node-lease"):
        r = kubectl(f"delete namespace {ns}")
        assert r.returncode == 1
        assert r.stderr.startswith(f'Error from server (Forbidden): namespaces "{ns}" is forbidden: '
                                   f'this namespace may not be deleted'), r.stderr


def test_deleting_a_namespace_removes_its_content(cluster, kubectl):
    kubectl("create namespace team-b")
    kubectl("create configmap settings --from-literal=a=1 -n team-b")
    kubectl("run web --image=nginx -n team-b")
    r = kubectl("delete namespace team-b --wait=false")
    assert r.stdout == 'namespace "team-b" deleted\n', r.stderr
    cluster.settle()
    assert kubectl("get namespace team-b").stderr == \
        'Error from server (NotFound): namespaces "team-b" not found\n'
    assert cluster.api.list("pods", "team-b") == []
    assert cluster.api.list("configmaps", "team-b") == []


def test_creating_in_a_missing_namespace_is_refused(cluster, kubectl):
    r = kubectl("run web --image=nginx -n nowhere")
    assert r.returncode == 1
    assert r.stderr == 'Error from server (NotFound): namespaces "nowhere" not found\n'
    assert cluster.api.list("pods", "nowhere") == []


def test_every_namespace_gets_a_default_service_account(cluster, kubectl):
    kubectl("create namespace team-c")
    cluster.settle()
    r = kubectl("get serviceaccounts -n team-c")
    assert rows(r.stdout)[1][0] == "default"


def test_describe_namespace(kubectl):
    kubectl("create namespace team-d")
    r = kubectl("describe namespace team-d")
    assert r.returncode == 0, r.stderr
    assert re.search(r"^Name:\s+team-d$", r.stdout, re.M)
    assert re.search(r"^Status:\s+Active$", r.stdout, re.M)
    assert "kubernetes.io/metadata.name=team-d" in r.stdout
