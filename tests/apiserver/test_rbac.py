"""RBAC authorization in the request path (kernelsim/apiserver/rbac.py), in process."""

import pytest

import kernelsim
from kernelsim.api import errors, resources
from kernelsim.apiserver import RequestContext, rbac
from tests.conftest import BARE, EPOCH

ALICE = RequestContext(user="alice", groups=("team-a", "system:authenticated"), source="alice")
SA = RequestContext(user="system:serviceaccount:team-a:builder", groups=rbac.service_account_groups("team-a"))


@pytest.fixture
def cluster():
    c = kernelsim.Cluster(seed=0, epoch=EPOCH, **{**BARE, "controllers": BARE["controllers"] +
                                                  ("clusterrole-aggregation",)})
    c.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}})
    c.api.create({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-b"}})
    c.settle()
    yield c
    c.close()


def R(plural, group=""):
    return resources.by_plural(group, plural)


def binding(name, ns, role, kind="ClusterRole", subjects=None):
    return {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding",
            "metadata": {"name": name, "namespace": ns},
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": kind, "name": role},
            "subjects": subjects or [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "alice"}]}


def forbidden(fn, *args):
    with pytest.raises(errors.StatusError) as e:
        fn(*args)
    assert e.value.code == 403
    return e.value.message


def test_default_policy_and_aggregation(cluster):
    names = {r["metadata"]["name"] for r in cluster.api.list("clusterroles")}
    assert {"cluster-admin", "admin", "edit", "view", "system:discovery", "system:basic-user",
            "system:public-info-viewer"} <= names
    view = cluster.api.get("clusterroles", "view", None)
    assert view["aggregationRule"] == {"clusterRoleSelectors": [
        {"matchLabels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}]}
    assert view["metadata"]["labels"]["rbac.authorization.k8s.io/aggregate-to-edit"] == "true"
    edit_rules = cluster.api.get("clusterroles", "edit", None)["rules"]
    admin_rules = cluster.api.get("clusterroles", "admin", None)["rules"]
    # view is aggregated into edit, and edit into admin.
    assert all(r in edit_rules for r in view["rules"]) and all(r in admin_rules for r in edit_rules)
    assert any("secrets" in r["resources"] for r in edit_rules)
    assert not any("secrets" in r["resources"] for r in view["rules"])
    # A new ClusterRole labelled aggregate-to-view extends view (and so edit and admin).
    cluster.api.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                        "metadata": {"name": "widgets-view",
                                     "labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}},
                        "rules": [{"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]}]})
    cluster.settle()
    for name in ("view", "edit", "admin"):
        assert {"apiGroups": ["example.com"], "resources": ["widgets"], "verbs": ["get"]} in \
            cluster.api.get("clusterroles", name, None)["rules"]


def test_rolebinding_grants_only_its_namespace(cluster):
    api = cluster.apiserver
    assert forbidden(api.list, R("pods"), "team-a", ALICE) == (
        'pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "team-a"')
    cluster.api.create(binding("alice-edit", "team-a", "edit"))
    api.list(R("pods"), "team-a", ALICE)
    api.create(R("configmaps"), "team-a", {"metadata": {"name": "c"}, "data": {}}, ALICE)
    assert forbidden(api.get, R("secrets"), "team-b", "s", ALICE) == (
        'secrets "s" is forbidden: User "alice" cannot get resource "secrets" in API group "" '
        'in the namespace "team-b"')
    assert forbidden(api.list, R("nodes"), None, ALICE) == (
        'nodes is forbidden: User "alice" cannot list resource "nodes" in API group "" at the cluster scope')
    # edit does not grant the status subresource or RBAC objects.
    assert 'cannot update resource "deployments/status" in API group "apps"' in forbidden(
        api.update, R("deployments", "apps"), "team-a", "web", {"metadata": {"name": "web"}}, ALICE, "status")
    assert forbidden(api.list, R("rolebindings", "rbac.authorization.k8s.io"), "team-a", ALICE).startswith(
        'rolebindings.rbac.authorization.k8s.io is forbidden: User "alice" cannot list resource "rolebindings" '
        'in API group "rbac.authorization.k8s.io"')
    # Deleting the binding takes the access away (the index follows a watch).
    cluster.api.delete("rolebindings.rbac.authorization.k8s.io", "alice-edit", "team-a")
    forbidden(api.list, R("pods"), "team-a", ALICE)


def test_rules_verbs_resource_names_and_subresources(cluster):
    api = cluster.apiserver
    cluster.api.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                        "metadata": {"name": "r", "namespace": "team-a"},
                        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"],
                                   "resourceNames": ["allowed"]},
                                  {"apiGroups": ["apps"], "resources": ["deployments/scale"], "verbs": ["*"]},
                                  {"apiGroups": ["*"], "resources": ["*/status"], "verbs": ["get"]}]})
    cluster.api.create(binding("r", "team-a", "r", kind="Role"))
    for name in ("allowed", "other"):
        cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "team-a"}})
    assert api.get(R("configmaps"), "team-a", "allowed", ALICE)["metadata"]["name"] == "allowed"
    assert 'configmaps "other" is forbidden' in forbidden(api.get, R("configmaps"), "team-a", "other", ALICE)
    forbidden(api.list, R("configmaps"), "team-a", ALICE)
    allow = lambda verb, res, sub="": api.authorizer.authorize(rbac.Attributes(  # noqa: E731
        "alice", ALICE.groups, verb, "team-a", "apps", res, sub, "web"))[0]
    assert allow("patch", "deployments", "scale") and not allow("patch", "deployments")
    assert allow("get", "statefulsets", "status") and not allow("update", "statefulsets", "status")
    msg = forbidden(api.update, R("deployments", "apps"), "team-a", "web", {"metadata": {"name": "web"}},
                    ALICE, "status")
    assert 'User "alice" cannot update resource "deployments/status" in API group "apps"' in msg
    # A binding to a missing role says so in the reason, as the RBAC authorizer does.
    cluster.api.create(binding("ghost", "team-b", "no-such-role", kind="Role"))
    assert forbidden(api.list, R("pods"), "team-b", ALICE).endswith(
        ': RBAC: role.rbac.authorization.k8s.io "no-such-role" not found')


def test_service_account_and_group_subjects(cluster):
    api = cluster.apiserver
    cluster.api.create(binding("sa", "team-a", "view", subjects=[
        {"kind": "ServiceAccount", "name": "builder", "namespace": "team-a"}]))
    api.list(R("pods"), "team-a", SA)
    forbidden(api.list, R("pods"), "team-b", SA)
    cluster.api.create(binding("team", "team-b", "view", subjects=[
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "team-a"}]))
    api.list(R("pods"), "team-b", ALICE)
    cluster.api.create(binding("all-sa", "team-b", "view", subjects=[
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "Group", "name": "system:serviceaccounts:team-a"}]))
    api.list(R("pods"), "team-b", SA)


def test_access_reviews(cluster):
    api = cluster.apiserver
    cluster.api.create(binding("alice-edit", "team-a", "edit"))
    ssar = lambda ns, verb, res: api.create(R("selfsubjectaccessreviews", "authorization.k8s.io"), None, {  # noqa
        "spec": {"resourceAttributes": {"namespace": ns, "verb": verb, "resource": res, "group": "apps"}}},
        ALICE)["status"]
    assert ssar("team-a", "create", "deployments") == {
        "allowed": True,
        "reason": 'RBAC: allowed by RoleBinding "alice-edit/team-a" of ClusterRole "edit" to User "alice"'}
    assert ssar("team-b", "create", "deployments") == {"allowed": False}
    rules = api.create(R("selfsubjectrulesreviews", "authorization.k8s.io"), None,
                       {"spec": {"namespace": "team-a"}}, ALICE)["status"]
    assert {"verbs": ["create"], "apiGroups": ["authorization.k8s.io"],
            "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]} in rules["resourceRules"]
    assert any("deployments" in r["resources"] and "create" in r["verbs"] for r in rules["resourceRules"])
    assert {"verbs": ["get"], "nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"]} \
        in rules["nonResourceRules"]
    other = api.create(R("selfsubjectrulesreviews", "authorization.k8s.io"), None,
                       {"spec": {"namespace": "team-b"}}, ALICE)["status"]["resourceRules"]
    assert not any("deployments" in r["resources"] for r in other)
    # SubjectAccessReview (an admin asks about someone else).
    sar = api.create(R("subjectaccessreviews", "authorization.k8s.io"), None, {"spec": {
        "user": "alice", "groups": ["system:authenticated"],
        "resourceAttributes": {"namespace": "team-a", "verb": "get", "resource": "secrets"}}})
    assert sar["status"]["allowed"] is True
    assert api.create(R("subjectaccessreviews", "authorization.k8s.io"), None, {"spec": {
        "user": "alice", "nonResourceAttributes": {"path": "/apis", "verb": "get"}}})["status"]["allowed"] is False


def test_service_account_tokens_authenticate(cluster):
    from kernelsim.apiserver import authn

    api = cluster.apiserver
    cluster.api.create({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "builder",
                                                                                    "namespace": "team-a"}})
    tr = api.create(R("serviceaccounts"), "team-a", {"spec": {"expirationSeconds": 3600}},
                    subresource="builder/token")
    token = tr["status"]["token"]
    assert authn.authenticate_token(api, token) == (
        "system:serviceaccount:team-a:builder",
        ("system:serviceaccounts", "system:serviceaccounts:team-a", "system:authenticated"))
    assert authn.authenticate_token(api, token[:-3] + "abc") is None  # a bad signature
    review = api.create(R("tokenreviews", "authentication.k8s.io"), None, {"spec": {"token": token}})
    assert review["status"]["user"]["username"] == "system:serviceaccount:team-a:builder"
    cluster.advance(3601)
    assert authn.authenticate_token(api, token) is None  # expired
    token = api.create(R("serviceaccounts"), "team-a", {}, subresource="builder/token")["status"]["token"]
    cluster.api.delete("serviceaccounts", "builder", "team-a")
    assert authn.authenticate_token(api, token) is None  # the account is gone


def test_deletecollection_is_its_own_verb(cluster):
    api = cluster.apiserver
    for name in ("one", "two"):
        cluster.api.create({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "team-a"}})
    cluster.api.create({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role",
                        "metadata": {"name": "cleaner", "namespace": "team-a"},
                        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["list"]}]})
    cluster.api.create(binding("cleaner", "team-a", "cleaner", kind="Role"))
    assert forbidden(api.delete_collection, R("configmaps"), "team-a", ALICE) == (
        'configmaps is forbidden: User "alice" cannot deletecollection resource "configmaps" in API group "" '
        'in the namespace "team-a"')
    cluster.api.patch("roles.rbac.authorization.k8s.io", "cleaner", {"rules": [
        {"apiGroups": [""], "resources": ["configmaps"], "verbs": ["deletecollection"]}]}, "team-a")
    api.delete_collection(R("configmaps"), "team-a", ALICE)
    assert [c["metadata"]["name"] for c in cluster.api.list("configmaps", "team-a")] == []
