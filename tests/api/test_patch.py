"""Tests for kernelsim.api.patch: the three PATCH types of kube-apiserver.

The strategic-merge cases follow the Kubernetes task "Update API Objects in
Place Using kubectl patch" and the bodies kubectl 1.37 really sends
(shared/reference/kubectl-wire/oav2empty.requests.log).
"""

import copy
import json

import pytest

from kernelsim.api import patch as P
from kernelsim.api.errors import StatusError

POD = "io.k8s.api.core.v1.Pod"
DEPLOYMENT = "io.k8s.api.apps.v1.Deployment"
CONFIGMAP = "io.k8s.api.core.v1.ConfigMap"


def patch_demo():
    """The Deployment of the kubectl-patch task, trimmed to what matters."""
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "patch-demo", "namespace": "default",
                     "labels": {"app": "nginx", "tier": "web"},
                     "finalizers": ["example.com/a", "example.com/b"]},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "nginx"}},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": "30%", "maxUnavailable": "30%"}},
            "template": {
                "metadata": {"labels": {"app": "nginx"}},
                "spec": {
                    "containers": [
                        {"name": "patch-demo-ctr", "image": "nginx",
                         "ports": [{"containerPort": 80, "protocol": "TCP"}],
                         "env": [{"name": "A", "value": "1"}, {"name": "B", "value": "2"}]},
                        {"name": "sidecar", "image": "busybox"},
                    ],
                    "tolerations": [{"effect": "NoSchedule", "key": "dedicated", "value": "test-team"}],
                    "volumes": [{"name": "data", "emptyDir": {}}],
                },
            },
        },
    }


def pod_spec(obj):
    return obj["spec"]["template"]["spec"]


def names(containers):
    return [c["name"] for c in containers]


def smp(obj, patch, definition=DEPLOYMENT):
    return P.apply_patch(obj, json.dumps(patch).encode(), P.STRATEGIC_MERGE_PATCH, definition)


# ---------------------------------------------------------------------------
# Strategic merge patch
# ---------------------------------------------------------------------------

def test_adding_a_container_merges_by_name_and_keeps_the_others():
    # kubectl patch deployment patch-demo --patch-file patch-file.yaml
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"containers": [
        {"name": "patch-demo-ctr-2", "image": "redis"}]}}}})
    containers = pod_spec(out)["containers"]
    # As in the docs' output: the new container comes first, the old ones stay.
    assert names(containers) == ["patch-demo-ctr-2", "patch-demo-ctr", "sidecar"]
    assert containers[1]["image"] == "nginx"


def test_changing_an_image_touches_only_that_container():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "image": "busybox:1.36"}]}}}})
    containers = pod_spec(out)["containers"]
    assert names(containers) == ["patch-demo-ctr", "sidecar"]
    assert containers[1] == {"name": "sidecar", "image": "busybox:1.36"}
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}]


def test_kubectl_apply_body_from_the_wire_log():
    pod = {"apiVersion": "v1", "kind": "Pod",
           "metadata": {"name": "p1", "namespace": "default", "annotations": {
               "kubectl.kubernetes.io/last-applied-configuration": "{}"}},
           "spec": {"containers": [{"name": "c", "image": "nginx:1.25",
                                    "imagePullPolicy": "IfNotPresent"}]}}
    body = (b'{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"new\\n"}},'
            b'"spec":{"$setElementOrder/containers":[{"name":"c"}],'
            b'"containers":[{"image":"nginx:1.26","name":"c"}]}}')
    out = P.apply_patch(pod, body, "application/strategic-merge-patch+json; charset=utf-8", POD,
                        field_validation="Strict")
    assert out["spec"]["containers"] == [{"name": "c", "image": "nginx:1.26",
                                          "imagePullPolicy": "IfNotPresent"}]
    assert out["metadata"]["annotations"] == {"kubectl.kubernetes.io/last-applied-configuration": "new\n"}


def test_configmap_apply_body_with_labels_null():
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "demo"}, "data": {"a": "1"}}
    body = b'{"data":{"a":"2","b":"3"},"metadata":{"annotations":{"x":"y"},"labels":null}}'
    out = P.apply_patch(cm, body, P.STRATEGIC_MERGE_PATCH, CONFIGMAP)
    assert out == {"apiVersion": "v1", "kind": "ConfigMap",
                   "metadata": {"name": "demo", "annotations": {"x": "y"}},
                   "data": {"a": "2", "b": "3"}}


def test_set_element_order_reorders_the_list():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "sidecar"}, {"name": "patch-demo-ctr"}]}}}})
    assert names(pod_spec(out)["containers"]) == ["sidecar", "patch-demo-ctr"]


def test_set_element_order_places_a_new_container():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {
        "$setElementOrder/containers": [{"name": "patch-demo-ctr"}, {"name": "new"}, {"name": "sidecar"}],
        "containers": [{"name": "new", "image": "redis"}]}}}})
    assert names(pod_spec(out)["containers"]) == ["patch-demo-ctr", "new", "sidecar"]


def test_set_element_order_must_match_the_patch_list():
    with pytest.raises(StatusError) as e:
        smp(patch_demo(), {"spec": {"template": {"spec": {
            "$setElementOrder/containers": [{"name": "sidecar"}],
            "containers": [{"name": "new", "image": "redis"}]}}}})
    assert e.value.code == 400  # kube-apiserver answers 500; a bad patch is never a server error here
    assert e.value.message.startswith("The order in patch list:\n[map[image:redis name:new]]\n doesn't match "
                                      "$setElementOrder list:\n[map[name:sidecar]]")


def test_patch_delete_removes_one_container():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$patch": "delete"}]}}}})
    assert names(pod_spec(out)["containers"]) == ["patch-demo-ctr"]


def test_patch_replace_replaces_the_whole_list():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"containers": [
        {"name": "only", "image": "nginx"}, {"$patch": "replace"}]}}}})
    assert pod_spec(out)["containers"] == [{"name": "only", "image": "nginx"}]


def test_patch_replace_and_delete_on_maps():
    out = smp(patch_demo(), {"metadata": {"labels": {"$patch": "replace", "new": "v"},
                                          "annotations": {"$patch": "delete"}}})
    assert out["metadata"]["labels"] == {"new": "v"}
    # "$patch: delete" on a key absent from the object adds nothing.
    assert "annotations" not in out["metadata"]
    out = smp(patch_demo(), {"spec": {"selector": {"$patch": "delete"}}})
    assert out["spec"]["selector"] == {}


def test_null_deletes_a_label_and_keeps_the_others():
    out = smp(patch_demo(), {"metadata": {"labels": {"tier": None, "env": "prod"}}})
    assert out["metadata"]["labels"] == {"app": "nginx", "env": "prod"}


def test_tolerations_have_no_merge_key_so_they_are_replaced():
    # kubectl patch deployment patch-demo --patch-file patch-file-tolerations.yaml
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"tolerations": [
        {"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]}}}})
    assert pod_spec(out)["tolerations"] == [{"effect": "NoSchedule", "key": "disktype", "value": "ssd"}]


def test_finalizers_merge_as_a_set_of_primitives():
    out = smp(patch_demo(), {"metadata": {"finalizers": ["example.com/c", "example.com/a"]}})
    assert out["metadata"]["finalizers"] == ["example.com/c", "example.com/a", "example.com/b"]


def test_delete_from_primitive_list():
    out = smp(patch_demo(), {"metadata": {"$deleteFromPrimitiveList/finalizers": ["example.com/a"]}})
    assert out["metadata"]["finalizers"] == ["example.com/b"]


def test_retain_keys_drops_rolling_update_when_switching_to_recreate():
    # Without $retainKeys the old rollingUpdate stays (and validation would refuse it).
    out = smp(patch_demo(), {"spec": {"strategy": {"type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate",
                                       "rollingUpdate": {"maxSurge": "30%", "maxUnavailable": "30%"}}
    # kubectl patch deployment retainkeys-demo --patch-file patch-file-retainkeys.yaml
    out = smp(patch_demo(), {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate"}}})
    assert out["spec"]["strategy"] == {"type": "Recreate"}


def test_retain_keys_on_a_volume_switches_its_source():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"volumes": [
        {"name": "data", "hostPath": {"path": "/srv"}, "$retainKeys": ["hostPath", "name"]}]}}}})
    assert pod_spec(out)["volumes"] == [{"name": "data", "hostPath": {"path": "/srv"}}]


def test_retain_keys_must_list_every_patched_field():
    with pytest.raises(StatusError) as e:
        smp(patch_demo(), {"spec": {"strategy": {"$retainKeys": ["type"], "type": "Recreate",
                                                 "rollingUpdate": {"maxSurge": 1}}}})
    assert (e.value.code, e.value.reason, e.value.message) == (
        400, "BadRequest", "invalid patch format of retainKeys")


def test_ports_merge_by_container_port_and_env_by_name():
    out = smp(patch_demo(), {"spec": {"template": {"spec": {"containers": [
        {"name": "patch-demo-ctr",
         "ports": [{"containerPort": 443, "protocol": "TCP"}],
         "env": [{"name": "B", "value": "two"}, {"name": "A", "$patch": "delete"}]}]}}}})
    ctr = pod_spec(out)["containers"][0]
    assert ctr["ports"] == [{"containerPort": 443, "protocol": "TCP"}, {"containerPort": 80, "protocol": "TCP"}]
    assert ctr["env"] == [{"name": "B", "value": "two"}]


def test_new_list_elements_lose_their_directives_and_nulls():
    obj = patch_demo()
    del pod_spec(obj)["volumes"]
    out = smp(obj, {"spec": {"template": {"spec": {"volumes": [
        {"name": "v", "emptyDir": {"medium": None}}, {"name": "gone", "$patch": "delete"}]}}}})
    assert pod_spec(out)["volumes"] == [{"name": "v", "emptyDir": {}}]


def test_the_original_is_never_changed():
    original = patch_demo()
    before = copy.deepcopy(original)
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "x", "image": "y"}]}}},
             "metadata": {"labels": {"app": None}}}
    smp(original, patch)
    P.strategic_merge_patch(original, patch, DEPLOYMENT)
    P.apply_patch(original, b'{"metadata":{"labels":{"a":"b"}}}', P.MERGE_PATCH, DEPLOYMENT)
    P.apply_patch(original, b'[{"op":"remove","path":"/metadata/labels/app"}]', P.JSON_PATCH, DEPLOYMENT)
    assert original == before


def test_without_a_definition_maps_merge_and_lists_are_replaced():
    widget = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w", "labels": {"a": "1"}},
              "spec": {"items": [{"name": "a"}, {"name": "b"}], "size": 1}}
    out = P.apply_patch(widget, b'{"metadata":{"labels":{"b":"2"}},"spec":{"items":[{"name":"c"}],"size":null}}',
                        P.STRATEGIC_MERGE_PATCH, None)
    assert out["metadata"]["labels"] == {"a": "1", "b": "2"}
    assert out["spec"] == {"items": [{"name": "c"}]}


# kube-apiserver answers 500 (with an empty reason) for the errors it does not classify; the simulator
# answers 400 BadRequest with the same message, since bad input is never a server error.
@pytest.mark.parametrize("patch, code, reason, message", [
    # an element of a merge list without its merge key
    ({"spec": {"template": {"spec": {"containers": [{"image": "x"}]}}}},
     400, "BadRequest", "map: map[image:x] does not contain declared merge key: name"),
    ({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "merge"}]}}}},
     400, "BadRequest", "merging lists cannot yet be specified in the patch"),
    ({"metadata": {"labels": {"$patch": "merge"}}},
     400, "BadRequest", "unknown patch type: merge in map: map[$patch:merge]"),
    ({"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "bogus"}]}}}},
     400, "BadRequest", "unknown patch type: bogus in map: map[$patch:bogus name:sidecar]"),
    ({"spec": {"template": {"spec": {"containers": ["nginx"]}}}},
     400, "BadRequest", "list element types are not identical: "
              "[[map[env:[map[name:A value:1] map[name:B value:2]] image:nginx name:patch-demo-ctr "
              "ports:[map[containerPort:80 protocol:TCP]]] map[image:busybox name:sidecar]] [nginx]]"),
    ({"metadata": {"finalizers": [["a"]]}},
     400, "BadRequest", "list element types are not identical: [[example.com/a example.com/b] [[a]]]"),
    ({"metadata": {"$deleteFromPrimitiveList": ["a"]}},
     400, "BadRequest", "invalid patch format of primitive list"),
    ({"spec": {"template": {"spec": {"$setElementOrder/containers": "sidecar"}}}},
     400, "BadRequest", "expected a []interface {}, but received a string"),
])
def test_bad_strategic_merge_patches_fail_like_kube_apiserver(patch, code, reason, message):
    with pytest.raises(StatusError) as e:
        smp(patch_demo(), patch)
    assert (e.value.code, e.value.reason, e.value.message) == (code, reason, message)
    if not reason:
        assert "reason" not in e.value.status()


def test_lists_of_lists_are_unprocessable():
    obj = patch_demo()
    obj["metadata"]["finalizers"] = []
    with pytest.raises(StatusError) as e:
        smp(obj, {"metadata": {"finalizers": [["a"]]}})
    assert (e.value.code, e.value.reason, e.value.message) == (
        422, "Invalid", "the server rejected our request due to an error in our request")


@pytest.mark.parametrize("body, message", [
    (b"[]", "json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (b'"x"', "json: cannot unmarshal string into Go value of type map[string]interface {}"),
    (b"", "unexpected end of JSON input"),
    (b'{"spec":', "unexpected end of JSON input"),
    (b"{spec: 1}", "invalid character 's' looking for beginning of object key string"),
    (b'{"spec" 1}', "invalid character '1' after object key"),
    (b'{"a":1 "b":2}', "invalid character '\"' after object key:value pair"),
    (b'{"a":[1 2]}', "invalid character '2' after array element"),
    (b'{"a":1}}', "invalid character '}' after top-level value"),
    (b"{'a':1}", "invalid character '\\'' looking for beginning of object key string"),
    (b'{"a":tru}', "invalid character '}' in literal true (expecting 'e')"),
    (b'{"a":-}', "invalid character '}' in numeric literal"),
    (b'{"a":1.}', "invalid character '}' after decimal point in numeric literal"),
    (b'{"a":"\\q"}', "invalid character 'q' in string escape code"),
    (b'{"a":"\t"}', "invalid character '\\t' in string literal"),
])
def test_non_object_or_malformed_strategic_merge_patch_is_a_bad_request(body, message):
    with pytest.raises(StatusError) as e:
        P.apply_patch(patch_demo(), body, P.STRATEGIC_MERGE_PATCH, DEPLOYMENT)
    assert (e.value.code, e.value.reason, e.value.message) == (400, "BadRequest", message)


def test_null_strategic_merge_patch_changes_nothing():
    assert P.apply_patch(patch_demo(), b"null", P.STRATEGIC_MERGE_PATCH, DEPLOYMENT) == patch_demo()


def test_unknown_patch_content_type_is_415():
    with pytest.raises(StatusError) as e:
        P.apply_patch(patch_demo(), b"{}", "application/json", DEPLOYMENT)
    assert e.value.code == 415
    assert e.value.message == (
        "the body of the request was in an unknown format - accepted media types include: "
        "application/json-patch+json, application/merge-patch+json, "
        "application/strategic-merge-patch+json, application/apply-patch+yaml")


# ---------------------------------------------------------------------------
# JSON merge patch (RFC 7386)
# ---------------------------------------------------------------------------

@pytest.mark.parametrize("original, patch, result", [
    # RFC 7386, Appendix A
    ({"a": "b"}, {"a": "c"}, {"a": "c"}),
    ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
    ({"a": "b"}, {"a": None}, {}),
    ({"a": "b", "b": "c"}, {"a": None}, {"b": "c"}),
    ({"a": ["b"]}, {"a": "c"}, {"a": "c"}),
    ({"a": "c"}, {"a": ["b"]}, {"a": ["b"]}),
    ({"a": {"b": "c"}}, {"a": {"b": "d", "c": None}}, {"a": {"b": "d"}}),
    ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
    (["a", "b"], ["c", "d"], ["c", "d"]),
    ({"a": "b"}, ["c"], ["c"]),
    ({"a": "foo"}, "bar", "bar"),
    ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
    ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
    ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
])
def test_json_merge_patch_rfc7386_examples(original, patch, result):
    assert P.json_merge_patch(original, patch) == result


def test_merge_patch_replaces_lists_where_strategic_merge_would_merge():
    # kubectl patch deployment patch-demo --type merge --patch-file patch-file-2.yaml
    body = b'{"spec":{"template":{"spec":{"containers":[{"name":"patch-demo-ctr-3","image":"hello-app:2.0"}]}}}}'
    out = P.apply_patch(patch_demo(), body, P.MERGE_PATCH, DEPLOYMENT)
    assert pod_spec(out)["containers"] == [{"name": "patch-demo-ctr-3", "image": "hello-app:2.0"}]
    assert pod_spec(out)["tolerations"] == pod_spec(patch_demo())["tolerations"]


def test_merge_patch_sets_and_removes_labels():
    out = P.apply_patch(patch_demo(), b'{"metadata":{"labels":{"tier":null,"env":"prod"}}}',
                        P.MERGE_PATCH, DEPLOYMENT)
    assert out["metadata"]["labels"] == {"app": "nginx", "env": "prod"}


@pytest.mark.parametrize("body, validation, code, message", [
    (b"[1]", "Warn", 400,
     "error decoding patch: json: cannot unmarshal array into Go value of type map[string]interface {}"),
    (b"{x", "Strict", 400, "error decoding patch: invalid character 'x' looking for beginning of object key string"),
    (b"{x", "Ignore", 400, "Invalid JSON Patch"),
    (b"null", "Ignore", 400, "Invalid JSON Patch"),
    (b"[1]", "Ignore", 422, ' "" is invalid: patch: Invalid value: "[1]": couldn\'t get version/kind; '
                            'json parse error: json: cannot unmarshal array into Go value of type struct { '
                            'APIVersion string "json:\\"apiVersion,omitempty\\""; '
                            'Kind string "json:\\"kind,omitempty\\"" }'),
])
def test_bad_merge_patches(body, validation, code, message):
    with pytest.raises(StatusError) as e:
        P.apply_patch(patch_demo(), body, P.MERGE_PATCH, DEPLOYMENT, field_validation=validation)
    assert (e.value.code, e.value.message) == (code, message)


# ---------------------------------------------------------------------------
# JSON patch (RFC 6902)
# ---------------------------------------------------------------------------

def json_patch(ops, **kw):
    return P.apply_patch(patch_demo(), json.dumps(ops).encode(), P.JSON_PATCH, DEPLOYMENT, **kw)


def test_json_patch_operations():
    out = json_patch([
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/replicas", "value": 3},
        {"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "nginx:1.27"},
        {"op": "add", "path": "/metadata/labels/app.kubernetes.io~1name", "value": "demo"},
        {"op": "remove", "path": "/metadata/labels/tier"},
        {"op": "add", "path": "/metadata/finalizers/-", "value": "example.com/c"},
        {"op": "copy", "from": "/metadata/labels/app", "path": "/metadata/annotations"},
        {"op": "move", "from": "/spec/template/spec/containers/1", "path": "/spec/template/spec/containers/0"},
    ])
    assert out["spec"]["replicas"] == 3
    assert names(pod_spec(out)["containers"]) == ["sidecar", "patch-demo-ctr"]
    assert pod_spec(out)["containers"][1]["image"] == "nginx:1.27"
    assert out["metadata"]["labels"] == {"app": "nginx", "app.kubernetes.io/name": "demo"}
    assert out["metadata"]["finalizers"][-1] == "example.com/c"
    assert out["metadata"]["annotations"] == "nginx"


@pytest.mark.parametrize("ops", [
    [{"op": "test", "path": "/spec/replicas", "value": 5}],
    [{"op": "remove", "path": "/metadata/annotations"}],
    [{"op": "replace", "path": "/spec/nothing/here", "value": 1}],
    [{"op": "add", "path": "/spec/template/spec/containers/9", "value": {}}],
    [{"op": "frobnicate", "path": "/spec"}],
])
def test_failing_json_patch_is_422(ops):
    with pytest.raises(StatusError) as e:
        json_patch(ops)
    assert (e.value.code, e.value.reason, e.value.message) == (
        422, "Invalid", "the server rejected our request due to an error in our request")


@pytest.mark.parametrize("body, validation, message", [
    (b"{}", "Warn", "error decoding patch: json: cannot unmarshal object into Go value of type []handlers.jsonPatchOp"),
    (b'["x"]', "Strict", "error decoding patch: json: cannot unmarshal string into Go value of type handlers.jsonPatchOp"),
    (b'[{"op":1,"path":"/a"}]', "Warn",
     "error decoding patch: json: cannot unmarshal number into Go struct field jsonPatchOp.op of type string"),
    (b"[", "Warn", "error decoding patch: unexpected end of JSON input"),
    (b"{}", "Ignore", "json: cannot unmarshal object into Go value of type jsonpatch.Patch"),
])
def test_undecodable_json_patch_is_a_bad_request(body, validation, message):
    with pytest.raises(StatusError) as e:
        P.apply_patch(patch_demo(), body, P.JSON_PATCH, DEPLOYMENT, field_validation=validation)
    assert (e.value.code, e.value.reason, e.value.message) == (400, "BadRequest", message)


def test_json_patch_operation_limit():
    ops = [{"op": "test", "path": "/kind", "value": "Deployment"}] * (P.MAX_JSON_PATCH_OPERATIONS + 1)
    with pytest.raises(StatusError) as e:
        json_patch(ops)
    assert e.value.code == 413
    assert e.value.message == ("Request entity too large: The allowed maximum operations "
                               "in a JSON patch is 10000, got 10001")


def test_json_patch_that_leaves_no_object_is_invalid():
    with pytest.raises(StatusError) as e:
        json_patch([{"op": "replace", "path": "", "value": 7}])
    assert e.value.code == 422 and e.value.reason == "Invalid"
    assert e.value.message.startswith(' "" is invalid: patch: Invalid value: "7": ')
