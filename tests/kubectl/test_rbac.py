"""Two teams share a cluster (issue #15): users, contexts and RBAC through the real kubectl.

``cluster.kubeconfig`` holds the admin's context (the current one) and one per
user, ``alice@team-a`` and ``bob@team-b``; the teams' namespaces and bindings are
made here with kubectl, as an administrator of a real cluster makes them.
"""

import re

import pytest


@pytest.fixture
def teams(cluster, kubectl):
    for ns in ("team-a", "team-b"):
        assert kubectl(f"create namespace {ns}").returncode == 0
    assert kubectl("create rolebinding alice-edit --clusterrole=edit --user=alice -n team-a").returncode == 0
    assert kubectl("create rolebinding bob-edit --clusterrole=edit --user=bob -n team-b").returncode == 0
    kubectl("create secret generic db --from-literal=password=s3cr3t -n team-b")
    return kubectl


def test_kubeconfig_has_a_context_per_user(cluster, kubectl):
    out = kubectl("config get-contexts -o name").stdout.split()
    assert out == ["alice@team-a", "bob@team-b", "kernelsim"]
    assert kubectl("config current-context").stdout == "kernelsim\n"
    r = kubectl("--context alice@team-a auth whoami")
    assert r.stdout.split("\n")[1:3] == ["Username    alice", "Groups      [team-a system:authenticated]"]


def test_alice_works_in_team_a_only(cluster, teams):
    kubectl = teams
    alice = "--context alice@team-a "
    assert kubectl(alice + "create deployment web --image=nginx --replicas=2").stdout == \
        "deployment.apps/web created\n"
    cluster.settle()
    assert len(cluster.api.list("pods", "team-a")) == 2
    assert kubectl(alice + "get pods").stdout.startswith("NAME ")
    r = kubectl(alice + "get secrets -n team-b")
    assert r.returncode == 1
    assert r.stderr == ('Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource '
                        '"secrets" in API group "" in the namespace "team-b"\n')
    r = kubectl(alice + "get secret db -n team-b")
    assert r.stderr == ('Error from server (Forbidden): secrets "db" is forbidden: User "alice" cannot get resource '
                        '"secrets" in API group "" in the namespace "team-b"\n')
    r = kubectl(alice + "get secrets -n kube-system")
    assert r.stderr == ('Error from server (Forbidden): secrets is forbidden: User "alice" cannot list resource '
                        '"secrets" in API group "" in the namespace "kube-system"\n')
    r = kubectl(alice + "get nodes")
    assert r.stderr == ('Error from server (Forbidden): nodes is forbidden: User "alice" cannot list resource '
                        '"nodes" in API group "" at the cluster scope\n')
    r = kubectl(alice + "scale deployment web --replicas=3")
    assert r.stdout == "deployment.apps/web scaled\n"
    assert kubectl("--context bob@team-b get deployments -n team-a").stderr.startswith(
        'Error from server (Forbidden): deployments.apps is forbidden: User "bob" cannot list resource '
        '"deployments" in API group "apps" in the namespace "team-a"')


def _can_i_list(text):
    rows = {}
    for line in text.splitlines()[1:]:
        m = re.match(r"^(\S*)\s+\[(.*?)\]\s+\[(.*?)\]\s+\[(.*?)\]$", line)
        assert m, line
        res, urls, names, verbs = m.groups()
        key = res or urls
        rows.setdefault(key, set()).update(verbs.split())
    return rows


def _expected(cluster, roles):
    rows = {}
    for role in roles:
        for rule in cluster.api.get("clusterroles", role, None).get("rules") or []:
            for url in rule.get("nonResourceURLs") or []:
                rows.setdefault(url, set()).update(rule["verbs"])
            for g in rule.get("apiGroups") or []:
                for r in rule.get("resources") or []:
                    base, _, sub = r.partition("/")
                    key = (base if not g else f"{base}.{g}") + (f"/{sub}" if sub else "")
                    rows.setdefault(key, set()).update(rule["verbs"])
    return rows


def test_can_i_and_its_list_match_the_bindings(cluster, teams):
    kubectl = teams
    alice = "--context alice@team-a "
    assert kubectl(alice + "auth can-i create deployments").stdout == "yes\n"
    r = kubectl(alice + "auth can-i get secrets -n team-b")
    assert (r.stdout, r.returncode) == ("no\n", 1)
    assert kubectl(alice + "auth can-i list pods --subresource=log").stdout == "yes\n"
    assert kubectl(alice + "auth can-i create rolebindings").stdout == "no\n"
    listed = _can_i_list(kubectl(alice + "auth can-i --list").stdout)
    assert listed == _expected(cluster, ["edit", "system:basic-user", "system:discovery",
                                         "system:public-info-viewer"])
    # In team-b she has only what every authenticated user has.
    assert _can_i_list(kubectl(alice + "auth can-i --list -n team-b").stdout) == _expected(
        cluster, ["system:basic-user", "system:discovery", "system:public-info-viewer"])
    assert kubectl("auth can-i --list").stdout.splitlines()[1].split() == ["*.*", "[]", "[]", "[*]"]


def test_impersonation_is_for_admins(cluster, teams):
    kubectl = teams
    assert kubectl("auth can-i create deployments -n team-a --as alice").stdout == "yes\n"
    assert kubectl("auth can-i create deployments -n team-b --as alice").stdout == "no\n"
    r = kubectl("get secrets -n team-b --as alice")
    assert "User \"alice\" cannot list resource \"secrets\"" in r.stderr
    r = kubectl("--context bob@team-b get pods --as alice")
    assert r.stderr == ('Error from server (Forbidden): users "alice" is forbidden: User "bob" cannot impersonate '
                        'resource "users" in API group "" at the cluster scope\n')


def test_roles_and_bindings_print_their_columns(cluster, teams):
    kubectl = teams
    kubectl("create role reader --verb=get,list --resource=pods -n team-a")
    out = kubectl("get roles,rolebindings -n team-a -o wide").stdout.splitlines()
    assert out[0].split() == ["NAME", "CREATED", "AT"]
    assert out[1].split()[0] == "role.rbac.authorization.k8s.io/reader"
    assert out[3].split() == ["NAME", "ROLE", "AGE", "USERS", "GROUPS", "SERVICEACCOUNTS"]
    assert out[4].split()[:2] == ["rolebinding.rbac.authorization.k8s.io/alice-edit", "ClusterRole/edit"]
    assert out[4].split()[3] == "alice"
