"""RBAC authorization: kube-apiserver's ``--authorization-mode=RBAC``.

Mirrors ``plugin/pkg/auth/authorizer/rbac`` (the authorizer and its rule
resolver), ``responsewriters.forbiddenMessage`` (the text of a 403) and the
bootstrap policy of ``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``: the
default ClusterRoles (cluster-admin, admin, edit, view through aggregation,
and the system roles that discovery needs) and their ClusterRoleBindings.

A request is allowed when some rule of some role bound to the user, to one
of the user's groups or to the user's ServiceAccount, cluster-wide
(ClusterRoleBinding) or in the request's namespace (RoleBinding), matches
its verb, API group, resource (``resource/subresource``), resourceName, or
its non-resource URL.  Bindings are indexed by subject, the resolved rules
are cached per (user, groups, namespace) and decisions per request
attributes; a watch on the four RBAC resources clears all three when any of
them changes.
"""

from __future__ import annotations

from dataclasses import dataclass

RBAC_GROUP = "rbac.authorization.k8s.io"
READ = ["get", "list", "watch"]
WRITE = ["create", "delete", "deletecollection", "patch", "update"]
BOOTSTRAP_LABELS = {"kubernetes.io/bootstrapping": "rbac-defaults"}
AUTOUPDATE = {"rbac.authorization.kubernetes.io/autoupdate": "true"}
PRIVILEGED_GROUP = "system:masters"
SA_PREFIX = "system:serviceaccount:"


@dataclass
class Attributes:
    """``authorizer.Attributes``: who asks to do what to which object (or path)."""

    user: str
    groups: tuple
    verb: str
    namespace: str = ""
    api_group: str = ""
    resource: str = ""
    subresource: str = ""
    name: str = ""
    path: str = ""
    resource_request: bool = True


# -- rule matching (rbacv1helpers) ------------------------------------------------


def _verb_matches(rule: dict, verb: str) -> bool:
    verbs = rule.get("verbs") or ()
    return "*" in verbs or verb in verbs


def _group_matches(rule: dict, group: str) -> bool:
    groups = rule.get("apiGroups") or ()
    return "*" in groups or group in groups


def _resource_matches(rule: dict, combined: str, subresource: str) -> bool:
    for r in rule.get("resources") or ():
        if r == "*" or r == combined:
            return True
        if subresource and r == "*/" + subresource:
            return True
    return False


def _name_matches(rule: dict, name: str) -> bool:
    names = rule.get("resourceNames") or ()
    return not names or name in names


def _url_matches(rule: dict, path: str) -> bool:
    for u in rule.get("nonResourceURLs") or ():
        if u == "*" or u == path or (u.endswith("*") and path.startswith(u[:-1])):
            return True
    return False


def rule_allows(attrs: Attributes, rule: dict) -> bool:
    """``RuleAllows``: does one PolicyRule cover the request?"""
    if not _verb_matches(rule, attrs.verb):
        return False
    if not attrs.resource_request:
        return _url_matches(rule, attrs.path)
    if rule.get("nonResourceURLs") and not rule.get("resources"):
        return False
    combined = attrs.resource + ("/" + attrs.subresource if attrs.subresource else "")
    return (_group_matches(rule, attrs.api_group) and _resource_matches(rule, combined, attrs.subresource)
            and _name_matches(rule, attrs.name))


def forbidden_message(attrs: Attributes) -> str:
    """``forbiddenMessage`` of k8s.io/apiserver's responsewriters."""
    if not attrs.resource_request:
        return f'User "{attrs.user}" cannot {attrs.verb} path "{attrs.path}"'
    resource = attrs.resource + ("/" + attrs.subresource if attrs.subresource else "")
    if attrs.namespace:
        return (f'User "{attrs.user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" '
                f'in the namespace "{attrs.namespace}"')
    return (f'User "{attrs.user}" cannot {attrs.verb} resource "{resource}" in API group "{attrs.api_group}" '
            f'at the cluster scope')


def service_account_groups(namespace: str) -> tuple:
    return ("system:serviceaccounts", f"system:serviceaccounts:{namespace}", "system:authenticated")


# -- the authorizer -------------------------------------------------------------------


def _subject_matches(subject: dict, user: str, groups: tuple, binding_ns: str) -> bool:
    kind = subject.get("kind")
    if kind == "User":
        return subject.get("name") == user
    if kind == "Group":
        return subject.get("name") in groups
    if kind == "ServiceAccount":
        ns = subject.get("namespace") or binding_ns
        return user == f"{SA_PREFIX}{ns}:{subject.get('name')}"
    return False


def _subject_keys(user: str, groups: tuple) -> list:
    keys = [("User", user)] + [("Group", g) for g in groups]
    if user.startswith(SA_PREFIX):
        ns, _, name = user[len(SA_PREFIX):].partition(":")
        keys.append(("ServiceAccount", f"{ns}/{name}"))
    return keys


def _binding_subject_keys(binding: dict) -> set:
    ns = binding.get("metadata", {}).get("namespace", "")
    out = set()
    for s in binding.get("subjects") or ():
        if not isinstance(s, dict):
            continue
        if s.get("kind") == "ServiceAccount":
            out.add(("ServiceAccount", f"{s.get('namespace') or ns}/{s.get('name')}"))
        elif s.get("kind") in ("User", "Group"):
            out.add((s["kind"], s.get("name")))
    return out


class RBACAuthorizer:
    """Authorizes requests against the Roles, ClusterRoles and their bindings in storage."""

    def __init__(self, storage):
        self.storage = storage
        self._index = None      # (cluster: key -> [binding], namespaced: (ns, key) -> [binding])
        self._cache: dict = {}  # (user, groups, namespace) -> [(binding description, rules)]
        self._decisions: dict = {}  # the request's attributes -> (allowed, reason)
        self._watchers = [storage.watch(f"/registry/{r}/", self._invalidate)
                          for r in ("roles", "rolebindings", "clusterroles", "clusterrolebindings")]

    def _invalidate(self, _event=None) -> None:
        self._index = None
        self._cache.clear()
        self._decisions.clear()

    def _bindings(self):
        if self._index is None:
            cluster: dict = {}
            namespaced: dict = {}
            for b in self.storage.list("/registry/clusterrolebindings/"):
                for k in _binding_subject_keys(b):
                    cluster.setdefault(k, []).append(b)
            for b in self.storage.list("/registry/rolebindings/"):
                ns = b["metadata"].get("namespace", "")
                for k in _binding_subject_keys(b):
                    namespaced.setdefault((ns, k), []).append(b)
            self._index = (cluster, namespaced)
        return self._index

    def _role_rules(self, ref: dict, namespace: str) -> tuple[list, str]:
        """The rules of a roleRef, or an error text when the role is missing."""
        kind, name = (ref or {}).get("kind"), (ref or {}).get("name")
        if kind == "ClusterRole":
            role = self.storage.get(f"/registry/clusterroles/{name}")
            what = f'clusterrole.rbac.authorization.k8s.io "{name}" not found'
        elif kind == "Role" and namespace:
            role = self.storage.get(f"/registry/roles/{namespace}/{name}")
            what = f'role.rbac.authorization.k8s.io "{name}" not found'
        else:
            return [], f'unknown roleRef kind "{kind}"'
        if role is None:
            return [], what
        return [r for r in role.get("rules") or () if isinstance(r, dict)], ""

    def resolved(self, user: str, groups: tuple, namespace: str) -> list:
        """``VisitRulesFor``: [(binding text, rules, error)] for the ClusterRoleBindings,
        then the RoleBindings of ``namespace``, that name this user."""
        key = (user, groups, namespace)
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        cluster, namespaced = self._bindings()
        out, seen = [], set()
        for sk in _subject_keys(user, groups):
            for b in cluster.get(sk, ()):
                name = b["metadata"]["name"]
                if ("crb", name) in seen:
                    continue
                seen.add(("crb", name))
                rules, err = self._role_rules(b.get("roleRef"), "")
                out.append((f'ClusterRoleBinding "{name}" of ClusterRole "{b["roleRef"].get("name")}"',
                            b, rules, err))
        if namespace:
            for sk in _subject_keys(user, groups):
                for b in namespaced.get((namespace, sk), ()):
                    name = b["metadata"]["name"]
                    if ("rb", name) in seen:
                        continue
                    seen.add(("rb", name))
                    ref = b.get("roleRef") or {}
                    rules, err = self._role_rules(ref, namespace)
                    out.append((f'RoleBinding "{name}/{namespace}" of {ref.get("kind")} "{ref.get("name")}"',
                                b, rules, err))
        if len(self._cache) > 4096:
            self._cache.clear()
        self._cache[key] = out
        return out

    def authorize(self, attrs: Attributes) -> tuple[bool, str]:
        """(allowed, reason) as the RBAC authorizer decides (NoOpinion counts as a denial)."""
        key = (attrs.user, attrs.groups, attrs.verb, attrs.namespace, attrs.api_group, attrs.resource,
               attrs.subresource, attrs.name, attrs.path, attrs.resource_request)
        hit = self._decisions.get(key)
        if hit is None:
            if len(self._decisions) > 16384:
                self._decisions.clear()
            hit = self._decisions[key] = self._decide(attrs)
        return hit

    def _decide(self, attrs: Attributes) -> tuple[bool, str]:
        errs = []
        for text, binding, rules, err in self.resolved(attrs.user, attrs.groups, attrs.namespace):
            if err:
                errs.append(err)
                continue
            for rule in rules:
                if rule_allows(attrs, rule):
                    subject = next(s for s in binding.get("subjects") or ()
                                   if isinstance(s, dict) and _subject_matches(
                                       s, attrs.user, attrs.groups, binding["metadata"].get("namespace", "")))
                    who = subject.get("name")
                    if subject.get("kind") == "ServiceAccount":
                        who = f"{subject.get('namespace') or binding['metadata'].get('namespace')}/{who}"
                    return True, f'RBAC: allowed by {text} to {subject.get("kind")} "{who}"'
        return False, ("RBAC: " + ", ".join(errs)) if errs else ""

    def rules_for(self, user: str, groups: tuple, namespace: str) -> tuple[list, list, bool]:
        """``RulesFor`` (SelfSubjectRulesReview): resource rules, non-resource rules, incomplete."""
        res, nonres, incomplete = [], [], False
        for _text, _b, rules, err in self.resolved(user, groups, namespace):
            if err:
                incomplete = True
            for r in rules:
                if r.get("nonResourceURLs"):
                    nonres.append({"verbs": list(r.get("verbs") or []),
                                   "nonResourceURLs": list(r["nonResourceURLs"])})
                else:
                    rule = {"verbs": list(r.get("verbs") or []), "apiGroups": list(r.get("apiGroups") or []),
                            "resources": list(r.get("resources") or [])}
                    if r.get("resourceNames"):
                        rule["resourceNames"] = list(r["resourceNames"])
                    res.append(rule)
        return res, nonres, incomplete


# -- the bootstrap policy ----------------------------------------------------------------


def _rule(verbs, groups=None, resources=None, names=None, urls=None) -> dict:
    r = {"verbs": list(verbs)}
    if urls is not None:
        r["nonResourceURLs"] = list(urls)
        return r
    r["apiGroups"] = list(groups)
    r["resources"] = list(resources)
    if names:
        r["resourceNames"] = list(names)
    return r


def _aggregate(label: str) -> dict:
    return {"clusterRoleSelectors": [{"matchLabels": {f"rbac.authorization.k8s.io/aggregate-to-{label}": "true"}}]}


def _agg_label(label: str) -> dict:
    return {f"rbac.authorization.k8s.io/aggregate-to-{label}": "true"}


def _view_rules() -> list:
    return [
        _rule(READ, [""], ["pods", "replicationcontrollers", "replicationcontrollers/scale", "serviceaccounts",
                           "services", "services/status", "endpoints", "persistentvolumeclaims",
                           "persistentvolumeclaims/status", "configmaps"]),
        _rule(READ, [""], ["limitranges", "resourcequotas", "bindings", "events", "pods/status",
                           "resourcequotas/status", "namespaces/status", "replicationcontrollers/status",
                           "pods/log"]),
        _rule(READ, [""], ["namespaces"]),
        _rule(READ, ["discovery.k8s.io"], ["endpointslices"]),
        _rule(READ, ["apps"], ["controllerrevisions", "statefulsets", "statefulsets/scale", "statefulsets/status",
                               "daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                               "deployments/status", "replicasets", "replicasets/scale", "replicasets/status"]),
        _rule(READ, ["autoscaling"], ["horizontalpodautoscalers", "horizontalpodautoscalers/status"]),
        _rule(READ, ["batch"], ["cronjobs", "cronjobs/status", "jobs", "jobs/status"]),
        _rule(READ, ["extensions"], ["daemonsets", "daemonsets/status", "deployments", "deployments/scale",
                                     "deployments/status", "ingresses", "ingresses/status", "networkpolicies",
                                     "replicasets", "replicasets/scale", "replicasets/status",
                                     "replicationcontrollers/scale"]),
        _rule(READ, ["policy"], ["poddisruptionbudgets", "poddisruptionbudgets/status"]),
        _rule(READ, ["networking.k8s.io"], ["ingresses", "ingresses/status", "networkpolicies"]),
    ]


def _edit_rules() -> list:
    return [
        _rule(READ, [""], ["pods/attach", "pods/exec", "pods/portforward", "pods/proxy", "secrets",
                           "services/proxy"]),
        _rule(["impersonate"], [""], ["serviceaccounts"]),
        _rule(WRITE, [""], ["pods", "pods/attach", "pods/exec", "pods/portforward", "pods/proxy"]),
        _rule(["create"], [""], ["pods/eviction"]),
        _rule(WRITE, [""], ["configmaps", "events", "persistentvolumeclaims", "replicationcontrollers",
                            "replicationcontrollers/scale", "secrets", "serviceaccounts", "services",
                            "services/proxy"]),
        _rule(["create"], [""], ["serviceaccounts/token"]),
        _rule(WRITE, ["apps"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                                "replicasets", "replicasets/scale", "statefulsets", "statefulsets/scale"]),
        _rule(WRITE, ["autoscaling"], ["horizontalpodautoscalers"]),
        _rule(WRITE, ["batch"], ["cronjobs", "jobs"]),
        _rule(WRITE, ["extensions"], ["daemonsets", "deployments", "deployments/rollback", "deployments/scale",
                                      "ingresses", "networkpolicies", "replicasets", "replicasets/scale",
                                      "replicationcontrollers/scale"]),
        _rule(WRITE, ["policy"], ["poddisruptionbudgets"]),
        _rule(WRITE, ["networking.k8s.io"], ["ingresses", "networkpolicies"]),
        _rule(READ + WRITE, ["coordination.k8s.io"], ["leases"]),
    ]


def _admin_rules() -> list:
    return [
        _rule(["create"], ["authorization.k8s.io"], ["localsubjectaccessreviews"]),
        _rule(READ + WRITE, [RBAC_GROUP], ["rolebindings", "roles"]),
    ]


def _cluster_role(name: str, rules=None, labels=None, aggregation=None) -> dict:
    meta = {"name": name, "labels": {**BOOTSTRAP_LABELS, **(labels or {})}, "annotations": dict(AUTOUPDATE)}
    role = {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRole", "metadata": meta}
    if aggregation is not None:
        role["aggregationRule"] = aggregation
    role["rules"] = rules or []
    return role


def _cluster_binding(name: str, role: str, groups=(), users=()) -> dict:
    subjects = [{"apiGroup": RBAC_GROUP, "kind": "Group", "name": g} for g in groups] + \
               [{"apiGroup": RBAC_GROUP, "kind": "User", "name": u} for u in users]
    return {"apiVersion": f"{RBAC_GROUP}/v1", "kind": "ClusterRoleBinding",
            "metadata": {"name": name, "labels": dict(BOOTSTRAP_LABELS), "annotations": dict(AUTOUPDATE)},
            "roleRef": {"apiGroup": RBAC_GROUP, "kind": "ClusterRole", "name": role}, "subjects": subjects}


def bootstrap_cluster_roles() -> list:
    """The default ClusterRoles kube-apiserver reconciles at start-up (admin, edit and view
    start empty: the clusterrole-aggregation controller fills them from the aggregate-to-* roles)."""
    urls = ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*", "/readyz",
            "/version", "/version/"]
    return [
        _cluster_role("cluster-admin", [_rule(["*"], ["*"], ["*"]), _rule(["*"], urls=["*"])]),
        _cluster_role("admin", aggregation=_aggregate("admin")),
        _cluster_role("edit", labels=_agg_label("admin"), aggregation=_aggregate("edit")),
        _cluster_role("view", labels=_agg_label("edit"), aggregation=_aggregate("view")),
        _cluster_role("system:aggregate-to-admin", _admin_rules(), labels=_agg_label("admin")),
        _cluster_role("system:aggregate-to-edit", _edit_rules(), labels=_agg_label("edit")),
        _cluster_role("system:aggregate-to-view", _view_rules(), labels=_agg_label("view")),
        _cluster_role("system:discovery", [_rule(["get"], urls=urls)]),
        _cluster_role("system:basic-user", [
            _rule(["create"], ["authorization.k8s.io"], ["selfsubjectaccessreviews", "selfsubjectrulesreviews"]),
            _rule(["create"], ["authentication.k8s.io"], ["selfsubjectreviews"])]),
        _cluster_role("system:public-info-viewer", [
            _rule(["get"], urls=["/healthz", "/livez", "/readyz", "/version", "/version/"])]),
    ]


def bootstrap_cluster_role_bindings() -> list:
    return [
        _cluster_binding("cluster-admin", "cluster-admin", groups=[PRIVILEGED_GROUP]),
        _cluster_binding("system:basic-user", "system:basic-user", groups=["system:authenticated"]),
        _cluster_binding("system:discovery", "system:discovery", groups=["system:authenticated"]),
        _cluster_binding("system:public-info-viewer", "system:public-info-viewer",
                         groups=["system:authenticated", "system:unauthenticated"]),
    ]
