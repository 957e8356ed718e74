"""OpenAPI v3 documents, checked by shape and by the real `kubectl explain`."""

import json

import pytest

from kernelsim.api import discovery, openapi

from . import document_server, run_kubectl


def routes(path):
    if path == "/api":
        return discovery.AGGREGATED_CONTENT_TYPE, json.dumps(discovery.aggregated_discovery(True)).encode()
    if path == "/apis":
        return discovery.AGGREGATED_CONTENT_TYPE, json.dumps(discovery.aggregated_discovery(False)).encode()
    if path == "/openapi/v3":
        return "application/json", json.dumps(openapi.openapi_v3_index()).encode()
    if path.startswith("/openapi/v3/"):
        body = openapi.openapi_v3_document_bytes(path[len("/openapi/v3/"):])
        return None if body is None else ("application/json", body)
    return None


@pytest.fixture(scope="module")
def explain(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    with document_server(routes) as port:
        def run(*args):
            r = run_kubectl(port, home, "explain", *args)
            assert r.returncode == 0, r.stderr
            return r.stdout
        yield run


def test_explain_pods(explain):
    out = explain("pods")
    lines = out.splitlines()
    assert lines[:2] == ["KIND:       Pod", "VERSION:    v1"]
    assert "DESCRIPTION:" in lines
    assert "    Pod is a collection of containers that can run on a host. This resource is" in lines
    assert "  metadata\t<ObjectMeta>" in lines
    assert "  spec\t<PodSpec>" in lines
    assert "  status\t<PodStatus>" in lines
    assert "  apiVersion\t<string>" in lines
    assert "enum:" not in out


def test_explain_nested_fields(explain):
    meta = explain("pods.metadata")
    assert "FIELD: metadata <ObjectMeta>" in meta
    assert "  labels\t<map[string]string>" in meta.splitlines()
    image = explain("pods.spec.containers.image")
    assert "FIELD: image <string>" in image
    assert "    Container image name. More info:" in image.splitlines()
    containers = explain("pods.spec.containers")
    assert "FIELD: containers <[]Container>" in containers
    assert "  name\t<string> -required-" in containers.splitlines()


def test_explain_pods_recursive(explain):
    out = explain("pods", "--recursive")
    lines = out.splitlines()
    assert 1400 <= len(lines) <= 1450  # a v1.37 server gives 1,427 lines
    assert "enum:" not in out
    assert "    containers\t<[]Container> -required-" in lines


def test_explain_deployments(explain):
    out = explain("deployments")
    lines = out.splitlines()
    assert lines[:3] == ["GROUP:      apps", "KIND:       Deployment", "VERSION:    v1"]
    assert any(line.startswith("  spec\t<DeploymentSpec>") for line in lines)
    strategy = explain("deployment.spec.strategy")
    assert "FIELD: strategy <DeploymentStrategy>" in strategy
    assert "  rollingUpdate\t<RollingUpdateDeployment>" in strategy.splitlines()
    assert "  type\t<string>" in strategy.splitlines()


def test_explain_int_or_string_and_quantity(explain):
    assert "FIELD: maxSurge <IntOrString>" in explain("deployment.spec.strategy.rollingUpdate.maxSurge")
    resources = explain("pods.spec.containers.resources").splitlines()
    assert "  limits\t<map[string]Quantity>" in resources


def test_explain_other_groups(explain):
    assert "KIND:       CronJob" in explain("cronjobs")
    assert "KIND:       Service" in explain("svc")
    assert "FIELD: ports <[]ServicePort>" in explain("service.spec.ports")


def test_index_lists_every_group_version_with_a_stable_hash():
    index = openapi.openapi_v3_index()
    assert index["paths"]["api/v1"]["serverRelativeURL"].startswith("/openapi/v3/api/v1?hash=")
    assert "apis/apps/v1" in index["paths"]
    assert openapi.document_hash("apis/apps/v1") == openapi.document_hash("apis/apps/v1")
    assert openapi.openapi_v3_document("apis/nope/v1") is None


def test_document_shape():
    doc = openapi.openapi_v3_document("api/v1")
    assert doc["openapi"].startswith("3.0")
    schemas = doc["components"]["schemas"]
    pod = schemas["io.k8s.api.core.v1.Pod"]
    assert pod["type"] == "object"
    assert pod["properties"]["kind"] == {"description": pod["properties"]["kind"]["description"], "type": "string"}
    assert pod["properties"]["spec"]["allOf"] == [{"$ref": "#/components/schemas/io.k8s.api.core.v1.PodSpec"}]
    assert pod["x-kubernetes-group-version-kind"] == [{"group": "", "kind": "Pod", "version": "v1"}]
    containers = schemas["io.k8s.api.core.v1.PodSpec"]["properties"]["containers"]
    assert containers["items"] == {"$ref": "#/components/schemas/io.k8s.api.core.v1.Container"}
    assert containers["x-kubernetes-patch-merge-key"] == "name"
    assert schemas["io.k8s.api.core.v1.Container"]["required"] == ["name"]
    assert schemas["io.k8s.apimachinery.pkg.util.intstr.IntOrString"]["format"] == "int-or-string"
    assert "oneOf" in schemas["io.k8s.apimachinery.pkg.api.resource.Quantity"]
    assert "io.k8s.api.policy.v1.Eviction" in schemas  # pods/eviction
    assert "io.k8s.api.apps.v1.Deployment" not in schemas  # another group-version
    text = json.dumps(doc)
    assert "#/$defs/" not in text and '"null"' not in text

    op = doc["paths"]["/api/v1/namespaces/{namespace}/pods/{name}"]["get"]
    assert op["x-kubernetes-group-version-kind"] == {"group": "", "kind": "Pod", "version": "v1"}
    assert op["x-kubernetes-action"] == "get"
    assert "/api/v1/pods" in doc["paths"]
    assert "/api/v1/namespaces/{name}" in doc["paths"]


def test_apps_document_paths():
    doc = openapi.openapi_v3_document("apis/apps/v1")
    scale = doc["paths"]["/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale"]["get"]
    assert scale["x-kubernetes-group-version-kind"] == {"group": "autoscaling", "kind": "Scale", "version": "v1"}
    assert "io.k8s.api.autoscaling.v1.Scale" in doc["components"]["schemas"]
