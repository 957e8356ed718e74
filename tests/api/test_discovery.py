"""Discovery documents, checked by shape and by the real kubectl reading them."""

import json
import re

import pytest

from kernelsim.api import discovery
from kernelsim.api.resources import REGISTRY

from . import document_server, run_kubectl


def _json(doc):
    return "application/json", json.dumps(doc).encode()


def aggregated_routes(path):
    if path == "/api":
        return discovery.AGGREGATED_CONTENT_TYPE, json.dumps(discovery.aggregated_discovery(True)).encode()
    if path == "/apis":
        return discovery.AGGREGATED_CONTENT_TYPE, json.dumps(discovery.aggregated_discovery(False)).encode()
    return None


def legacy_routes(path):
    """A server that only knows the legacy documents (no aggregated discovery)."""
    if path == "/api":
        return _json(discovery.api_versions())
    if path == "/apis":
        return _json(discovery.api_group_list())
    parts = path.strip("/").split("/")
    if parts[0] == "api" and len(parts) == 2:
        doc = discovery.api_resource_list("", parts[1])
    elif parts[0] == "apis" and len(parts) == 2:
        doc = discovery.api_group(parts[1])
    elif parts[0] == "apis" and len(parts) == 3:
        doc = discovery.api_resource_list(parts[1], parts[2])
    else:
        doc = None
    return None if doc is None else _json(doc)


def _row(stdout, *cells):
    pattern = r"^" + r"\s+".join(re.escape(c) for c in cells) + r"\s*$"
    return re.search(pattern, stdout, re.MULTILINE) is not None


EXPECTED_ROWS = [
    ("pods", "po", "v1", "true", "Pod"),
    ("deployments", "deploy", "apps/v1", "true", "Deployment"),
    ("namespaces", "ns", "v1", "false", "Namespace"),
    ("customresourcedefinitions", "crd,crds", "apiextensions.k8s.io/v1", "false", "CustomResourceDefinition"),
    ("secrets", "v1", "true", "Secret"),
    ("clusterroles", "rbac.authorization.k8s.io/v1", "false", "ClusterRole"),
]


@pytest.mark.parametrize("routes", [aggregated_routes, legacy_routes], ids=["aggregated", "legacy"])
def test_real_kubectl_api_resources(tmp_path, routes):
    with document_server(routes) as port:
        r = run_kubectl(port, tmp_path / "home", "api-resources")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0].split() == ["NAME", "SHORTNAMES", "APIVERSION", "NAMESPACED", "KIND"]
    for row in EXPECTED_ROWS:
        assert _row(r.stdout, *row), row
    # every registered resource is listed, subresources are not
    assert len(r.stdout.splitlines()) == 1 + len(REGISTRY)
    assert "pods/log" not in r.stdout


def test_real_kubectl_api_resources_filters_by_group_and_category(tmp_path):
    with document_server(aggregated_routes) as port:
        apps = run_kubectl(port, tmp_path / "home", "api-resources", "--api-group=apps", "-o", "name")
        wide = run_kubectl(port, tmp_path / "home", "api-resources", "-o", "wide")
    assert apps.stdout.split() == ["controllerrevisions.apps", "daemonsets.apps", "deployments.apps",
                                   "replicasets.apps", "statefulsets.apps"]
    assert _row(wide.stdout, "pods", "po", "v1", "true", "Pod",
                "create,delete,deletecollection,get,list,patch,update,watch", "all")


def test_aggregated_core_group():
    doc = discovery.aggregated_discovery(legacy=True)
    assert doc["kind"] == "APIGroupDiscoveryList"
    assert doc["apiVersion"] == "apidiscovery.k8s.io/v2"
    [core] = doc["items"]
    assert "name" not in core["metadata"]
    [v1] = core["versions"]
    assert v1["version"] == "v1" and v1["freshness"] == "Current"
    pods = next(r for r in v1["resources"] if r["resource"] == "pods")
    assert pods["responseKind"] == {"group": "", "version": "v1", "kind": "Pod"}
    assert pods["scope"] == "Namespaced"
    assert pods["singularResource"] == "pod"
    assert pods["shortNames"] == ["po"] and pods["categories"] == ["all"]
    subs = {s["subresource"]: s for s in pods["subresources"]}
    assert subs["log"]["verbs"] == ["get"]
    assert subs["eviction"]["responseKind"] == {"group": "policy", "version": "v1", "kind": "Eviction"}
    assert subs["status"]["verbs"] == ["get", "patch", "update"]
    nodes = next(r for r in v1["resources"] if r["resource"] == "nodes")
    assert nodes["scope"] == "Cluster"


def test_aggregated_named_groups():
    doc = discovery.aggregated_discovery(legacy=False)
    names = [item["metadata"]["name"] for item in doc["items"]]
    assert "" not in names
    assert names[:2] == ["apiregistration.k8s.io", "apps"]
    apps = doc["items"][1]["versions"][0]["resources"]
    deploy = next(r for r in apps if r["resource"] == "deployments")
    scale = next(s for s in deploy["subresources"] if s["subresource"] == "scale")
    assert scale["responseKind"] == {"group": "autoscaling", "version": "v1", "kind": "Scale"}


def test_legacy_documents():
    assert discovery.api_versions()["versions"] == ["v1"]
    assert discovery.api_versions()["serverAddressByClientCIDRs"][0]["clientCIDR"] == "0.0.0.0/0"
    groups = discovery.api_group_list()
    apps = next(g for g in groups["groups"] if g["name"] == "apps")
    assert apps["preferredVersion"] == {"groupVersion": "apps/v1", "version": "v1"}
    assert discovery.api_group("apps")["kind"] == "APIGroup"
    assert discovery.api_group("nope.example.com") is None
    assert discovery.api_resource_list("nope", "v1") is None

    core = discovery.api_resource_list("", "v1")
    assert core["groupVersion"] == "v1" and "apiVersion" not in core
    by_name = {r["name"]: r for r in core["resources"]}
    assert by_name["pods"]["singularName"] == "pod" and by_name["pods"]["kind"] == "Pod"
    assert by_name["pods/log"] == {"name": "pods/log", "singularName": "", "namespaced": True,
                                   "kind": "Pod", "verbs": ["get"]}
    assert by_name["pods/eviction"]["group"] == "policy"
    assert by_name["pods/status"]["verbs"] == ["get", "patch", "update"]

    apps_v1 = discovery.api_resource_list("apps", "v1")
    assert apps_v1["apiVersion"] == "v1" and apps_v1["groupVersion"] == "apps/v1"
    scale = next(r for r in apps_v1["resources"] if r["name"] == "deployments/scale")
    assert (scale["group"], scale["version"], scale["kind"]) == ("autoscaling", "v1", "Scale")
