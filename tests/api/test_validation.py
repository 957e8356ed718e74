"""kube-apiserver's decoding and validation errors, with the exact messages."""

import copy

import pytest

from kernelsim.api import validation
from kernelsim.api.errors import StatusError
from kernelsim.api.resources import by_kind

POD = by_kind("", "Pod")
DEPLOYMENT = by_kind("apps", "Deployment")
SERVICE = by_kind("", "Service")


def pod(spec, name="x", **meta):
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, **meta}, "spec": spec}


def deployment(spec):
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web"}, "spec": spec}


NGINX = {"name": "nginx", "image": "nginx"}
TEMPLATE = {"metadata": {"labels": {"app": "x"}}, "spec": {"containers": [NGINX]}}


def rejected(obj, info, field_validation="Strict") -> StatusError:
    with pytest.raises(StatusError) as e:
        validation.validate(copy.deepcopy(obj), info, field_validation)
    return e.value


def test_valid_objects_pass():
    assert validation.validate(pod({"containers": [NGINX]}), POD) == []
    spec = {"replicas": 2, "selector": {"matchLabels": {"app": "x"}}, "template": TEMPLATE}
    assert validation.validate(deployment(spec), DEPLOYMENT) == []


def test_type_mismatch_is_a_decode_error():
    spec = {"replicas": "3", "selector": {"matchLabels": {"app": "x"}}, "template": TEMPLATE}
    e = rejected(deployment(spec), DEPLOYMENT)
    assert (e.code, e.reason) == (400, "BadRequest")
    assert e.message == ('Deployment in version "v1" cannot be handled as a Deployment: json: cannot unmarshal '
                         'string into Go struct field DeploymentSpec.spec.replicas of type int32')
    e = rejected(pod({"containers": "nginx"}), POD)
    assert e.message.endswith("json: cannot unmarshal string into Go struct field PodSpec.spec.containers "
                              "of type []v1.Container")
    e = rejected(pod({"containers": [{"name": "c", "image": 5}]}), POD)
    assert e.message.endswith("cannot unmarshal number into Go struct field Container.spec.containers.image "
                              "of type string")


def test_unknown_fields_strict_warn_ignore():
    obj = pod({"containers": [{"name": "c", "image": "nginx", "imagee": "x"}], "foo": 1})
    e = rejected(obj, POD, "Strict")
    assert (e.code, e.reason) == (400, "BadRequest")
    assert e.message == ('Pod in version "v1" cannot be handled as a Pod: strict decoding error: '
                         'unknown field "spec.containers[0].imagee", unknown field "spec.foo"')
    warn = copy.deepcopy(obj)
    assert validation.validate(warn, POD, "Warn") == ['unknown field "spec.containers[0].imagee"',
                                                      'unknown field "spec.foo"']
    assert warn["spec"] == {"containers": [{"name": "c", "image": "nginx"}]}
    ignore = copy.deepcopy(obj)
    assert validation.validate(ignore, POD, "Ignore") == []
    assert "foo" not in ignore["spec"]


def test_invalid_name():
    e = rejected(pod({"containers": [NGINX]}, name="Bad_Name"), POD)
    assert (e.code, e.reason) == (422, "Invalid")
    assert e.message.startswith('Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": '
                                "a lowercase RFC 1123 subdomain")
    assert e.details["causes"][0]["field"] == "metadata.name"


@pytest.mark.parametrize("spec, message", [
    ({"containers": [{"name": "c"}]}, "spec.containers[0].image: Required value"),
    ({"containers": []}, "spec.containers: Required value"),
    ({"containers": [{"image": "nginx"}]}, "spec.containers[0].name: Required value"),
    ({"containers": [NGINX, NGINX]}, 'spec.containers[1].name: Duplicate value: "nginx"'),
    ({"containers": [{**NGINX, "ports": [{"containerPort": 70000}]}]},
     "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ({"containers": [{**NGINX, "ports": [{"containerPort": 80, "protocol": "HTTP"}]}]},
     'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
    ({"containers": [{**NGINX, "imagePullPolicy": "Sometimes"}]},
     'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": '
     'supported values: "Always", "IfNotPresent", "Never"'),
    ({"containers": [NGINX], "restartPolicy": "Sometimes"},
     'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"'),
])
def test_pod_rules(spec, message):
    e = rejected(pod(spec), POD)
    assert e.code == 422
    assert e.message == f'Pod "x" is invalid: {message}'


def test_container_name_must_be_a_label_and_errors_aggregate():
    e = rejected(pod({"containers": [{"name": "Web_1"}]}), POD)
    assert e.message.startswith('Pod "x" is invalid: [spec.containers[0].name: Invalid value: "Web_1": '
                                "a lowercase RFC 1123 label")
    assert e.message.endswith(", spec.containers[0].image: Required value]")


def test_labels_and_annotations():
    e = rejected(pod({"containers": [NGINX]}, labels={"app": "a b"}), POD)
    assert e.message.startswith('Pod "x" is invalid: metadata.labels: Invalid value: "a b": a valid label')
    e = rejected(pod({"containers": [NGINX]}, annotations={"a/b/c": "v"}), POD)
    assert 'metadata.annotations: Invalid value: "a/b/c": a qualified name must consist' in e.message


def test_selector_must_match_template_labels():
    spec = {"selector": {"matchLabels": {"app": "y"}}, "template": TEMPLATE}
    e = rejected(deployment(spec), DEPLOYMENT)
    assert e.message == ('Deployment.apps "web" is invalid: spec.template.metadata.labels: Invalid value: '
                         'map[string]string{"app":"x"}: `selector` does not match template `labels`')
    assert e.details["kind"] == "Deployment" and e.details["group"] == "apps"


@pytest.mark.parametrize("kind", ["Deployment", "ReplicaSet", "StatefulSet"])
def test_workload_selector_required(kind):
    obj = {"apiVersion": "apps/v1", "kind": kind, "metadata": {"name": "w"}, "spec": {"template": TEMPLATE}}
    e = rejected(obj, by_kind("apps", kind))
    assert "spec.selector: Required value" in e.message


def test_workload_template_restart_policy_and_replicas():
    template = {**TEMPLATE, "spec": {"containers": [NGINX], "restartPolicy": "Never"}}
    spec = {"replicas": -1, "selector": {"matchLabels": {"app": "x"}}, "template": template}
    e = rejected(deployment(spec), DEPLOYMENT)
    assert e.message == ('Deployment.apps "web" is invalid: [spec.replicas: Invalid value: -1: must be greater '
                         'than or equal to 0, spec.template.spec.restartPolicy: Unsupported value: "Never": '
                         'supported values: "Always"]')


def test_job_restart_policy():
    obj = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "pi"}, "spec": {"template": TEMPLATE}}
    e = rejected(obj, by_kind("batch", "Job"))
    assert e.message == ('Job.batch "pi" is invalid: spec.template.spec.restartPolicy: Required value: '
                         'valid values: "OnFailure", "Never"')


def test_service_rules():
    obj = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"}, "spec": {"selector": {"app": "x"}}}
    assert rejected(obj, SERVICE).message == 'Service "web" is invalid: spec.ports: Required value'
    obj["spec"] = {"type": "Foo", "ports": [{"port": 0}]}
    assert rejected(obj, SERVICE).message == (
        'Service "web" is invalid: [spec.ports[0].port: Invalid value: 0: must be between 1 and 65535, '
        'inclusive, spec.type: Unsupported value: "Foo": supported values: "ClusterIP", "ExternalName", '
        '"LoadBalancer", "NodePort"]')
    obj["metadata"]["name"] = "1web"
    obj["spec"] = {"ports": [{"port": 80}]}
    assert "a DNS-1035 label must consist" in rejected(obj, SERVICE).message


def test_config_map_and_secret_keys():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a b": "1"}}
    e = rejected(cm, by_kind("", "ConfigMap"))
    assert e.message.startswith('ConfigMap "c" is invalid: data[a b]: Invalid value: "a b": '
                                "a valid config key must consist of alphanumeric characters")
    secret = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "data": {"k": "not base64!"}}
    e = rejected(secret, by_kind("", "Secret"))
    assert e.message == 'Secret in version "v1" cannot be handled as a Secret: illegal base64 data at input byte 3'
    tls = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}, "type": "kubernetes.io/tls",
           "data": {"tls.crt": "Y2VydA=="}}
    assert rejected(tls, by_kind("", "Secret")).message == 'Secret "s" is invalid: data[tls.key]: Required value'


def test_namespace_name():
    ns = {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "my.ns"}}
    assert "a lowercase RFC 1123 label must consist" in rejected(ns, by_kind("", "Namespace")).message


def test_schema_required_fields_of_other_kinds():
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
               "subjects": [{"kind": "User"}]}
    e = rejected(binding, by_kind("rbac.authorization.k8s.io", "RoleBinding"))
    assert "roleRef: Required value" in e.message
    assert "subjects[0].name: Required value" in e.message


def test_field_validation_value_is_checked():
    e = rejected(pod({"containers": [NGINX]}), POD, "Loose")
    assert e.code == 400


def test_a_status_update_checks_the_metadata_and_the_status_only():
    # ValidatePodStatusUpdate: the spec is the stored one, so its rules do not run again ...
    obj = pod({"containers": [{"name": "Bad_Name", "image": "nginx"}]},
              labels={"app": "x"})
    obj["status"] = {"phase": "Running", "conditions": [{"type": "Ready", "status": "True"}]}
    assert validation.field_errors(obj, POD, "status") == []
    assert [str(e) for e in validation.field_errors(obj, POD)] != []
    # ... while the status and the metadata are checked, with the same paths
    obj["status"]["conditions"].append({"status": "False"})
    obj["metadata"]["labels"] = {"bad key!": "x"}
    errs = [str(e) for e in validation.field_errors(obj, POD, "status")]
    assert any(e.startswith("metadata.labels: Invalid value: \"bad key!\"") for e in errs), errs
    assert "status.conditions[1].type: Required value" in errs
