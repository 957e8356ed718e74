"""Tests for kernelsim.api.selectors: ``-l`` and ``--field-selector`` as kube-apiserver reads them.

The error texts are those of k8s.io/apimachinery's parsers, e.g.

    $ kubectl get pods -l 'app in web'
    Error from server (BadRequest): Unable to find "/v1, Resource=pods" that match label selector
    "app in web", field selector "": unable to parse requirement: found 'web' expected: '('

(kubectl adds the "Unable to find ..." prefix; the server sends the rest.)
"""

import pytest

from kernelsim.api import resources
from kernelsim.api.errors import StatusError
from kernelsim.api.selectors import (
    LabelSelector, check_field_selector_supported, format_label_selector, format_labels,
    label_selector_from_api, normalize_field_selector, parse_field_selector, parse_label_selector,
)

WEB = {"app": "web", "tier": "frontend", "env": "prod", "release": "3"}
DB = {"app": "db", "tier": "db", "env": "dev", "legacy": "true"}


def parse_error(s: str) -> str:
    with pytest.raises(StatusError) as e:
        parse_label_selector(s)
    assert e.value.code == 400 and e.value.reason == "BadRequest"
    return e.value.message


# --- label selector parsing -------------------------------------------------


@pytest.mark.parametrize("text, canonical", [
    ("", ""),
    ("app=web", "app=web"),
    ("app==web", "app==web"),
    ("  tier != db ,app=web", "app=web,tier!=db"),
    ("app=web,tier!=db,env in (a,b),!legacy,release", "app=web,env in (a,b),!legacy,release,tier!=db"),
    ("env notin (prod, dev)", "env notin (dev,prod)"),
    ("x in (foo,,baz),y,z notin ()", "x in (,baz,foo),y,z notin ()"),
    ("app=", "app="),
    ("in in (in, notin)", "in in (in,notin)"),
    ("release>2,release<10", "release>2,release<10"),
    ("example.com/team=blue", "example.com/team=blue"),
])
def test_parse_canonical_form(text, canonical):
    assert str(parse_label_selector(text)) == canonical


def test_matching():
    s = parse_label_selector("app=web,tier!=db,env in (prod,staging),!legacy,release")
    assert s.matches(WEB) and not s.matches(DB)
    assert not s.matches({**WEB, "legacy": ""})
    assert not s.matches({k: v for k, v in WEB.items() if k != "release"})
    assert parse_label_selector("tier!=db").matches({})  # != and notin match a missing key
    assert parse_label_selector("env notin (dev)").matches({"app": "x"})
    assert not parse_label_selector("env in (dev)").matches({})
    assert parse_label_selector("release>2").matches(WEB) and not parse_label_selector("release>3").matches(WEB)
    assert parse_label_selector("release<4").matches(WEB)
    assert not parse_label_selector("app>2").matches(WEB)  # not a number
    assert parse_label_selector("app=").matches({"app": ""}) and not parse_label_selector("app=").matches({})
    assert parse_label_selector("").matches(DB) and parse_label_selector("").empty()
    assert not parse_label_selector("app").empty()
    assert parse_label_selector("app").matches(None) is False


@pytest.mark.parametrize("text, message", [
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("app in web", "unable to parse requirement: found 'web' expected: '('"),
    ("app in (web", "unable to parse requirement: found '', expected: ',' or ')'"),
    ("app in (a b)", "unable to parse requirement: found 'b', expected: ',' or ')'"),
    ("app in (=)", "unable to parse requirement: found '=', expected: ',', ')' or identifier"),
    ("app=web db", "found 'db', expected: ',' or 'end of string'"),
    ("app=web,", "found '', expected: identifier after ','"),
    (",app", "found ',', expected: !, identifier, or 'end of string'"),
    ("!", "unable to parse requirement: found '', expected: identifier"),
    ("app=(", "unable to parse requirement: found '(', expected: identifier"),
    ("a=>b", "unable to parse requirement: found '>', expected: identifier"),
    ("a=!!", "unable to parse requirement: found '!', expected: identifier"),
    ("release>x", "unable to parse requirement: values[0]: Invalid value: \"x\": "
                  "for 'Gt', 'Lt' operators, the value must be an integer"),
    ("-app=web", "unable to parse requirement: <nil>: Invalid value: \"-app\": name part must consist of "
                 "alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character "
                 "(e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
                 "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"),
    ("app=web_", "unable to parse requirement: values[0][app]: Invalid value: \"web_\": a valid label must be an "
                 "empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                 "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ("Example.com/app=x", "unable to parse requirement: <nil>: Invalid value: \"Example.com/app\": prefix part a "
                          "lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or "
                          "'.', and must start and end with an alphanumeric character (e.g. 'example.com', regex "
                          "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"),
])
def test_parse_errors(text, message):
    assert parse_error(text) == message


def test_too_long_value():
    assert parse_error("app=" + "a" * 64).startswith(
        'unable to parse requirement: values[0][app]: Invalid value: "' + "a" * 64 + '": must be no more than 63 bytes')


# --- metav1.LabelSelector ---------------------------------------------------


def test_label_selector_from_api():
    assert label_selector_from_api(None).matches({}) is False  # nil selects nothing
    assert label_selector_from_api(None).empty() is False
    assert label_selector_from_api({}).matches(DB) and label_selector_from_api({}).empty()
    sel = label_selector_from_api({
        "matchLabels": {"app": "web"},
        "matchExpressions": [{"key": "env", "operator": "In", "values": ["prod", "staging"]},
                             {"key": "tier", "operator": "NotIn", "values": ["db"]},
                             {"key": "release", "operator": "Exists"},
                             {"key": "legacy", "operator": "DoesNotExist"}]})
    assert sel.matches(WEB) and not sel.matches(DB)
    assert str(sel) == "app=web,env in (prod,staging),!legacy,release,tier notin (db)"


def test_label_selector_from_api_errors():
    with pytest.raises(StatusError) as e:
        label_selector_from_api({"matchExpressions": [{"key": "a", "operator": "Gt", "values": ["1"]}]})
    assert e.value.message == '"Gt" is not a valid label selector operator'
    with pytest.raises(StatusError) as e:
        label_selector_from_api({"matchExpressions": [{"key": "a", "operator": "In"}]})
    assert e.value.message == "values: Invalid value: null: for 'in', 'notin' operators, values set can't be empty"
    with pytest.raises(StatusError) as e:
        label_selector_from_api({"matchExpressions": [{"key": "a", "operator": "Exists", "values": ["x"]}]})
    assert e.value.message == ('values: Invalid value: ["x"]: values set must be empty for exists and does not '
                               'exist')
    with pytest.raises(StatusError) as e:
        label_selector_from_api({"matchLabels": {"bad key": "x"}})
    assert e.value.message.startswith('key: Invalid value: "bad key": name part must consist of')


def test_formatting_helpers():
    assert format_label_selector(None) == "<none>"
    assert format_label_selector({}) == "<none>"
    assert format_label_selector({"matchLabels": {"b": "2", "a": "1"}}) == "a=1,b=2"
    assert format_label_selector({"matchExpressions": [{"key": "a", "operator": "Bad"}]}) == "<error>"
    assert format_labels({}) == "<none>" and format_labels({"z": "1", "a": ""}) == "a=,z=1"
    assert isinstance(LabelSelector.nothing(), LabelSelector)


# --- field selectors --------------------------------------------------------


def pod(name, phase, node="node-1", host_network=None):
    p = {"metadata": {"name": name, "namespace": "default"},
         "spec": {"nodeName": node, "restartPolicy": "Always"},
         "status": {"phase": phase, "podIPs": [{"ip": "10.244.1.9"}]}}
    if host_network is not None:
        p["spec"]["hostNetwork"] = host_network
    return p


def test_parse_field_selector():
    fs = parse_field_selector("status.phase!=Running,metadata.name==web,spec.nodeName=node-1")
    assert fs.requirements() == [("metadata.name", "=", "web"), ("spec.nodeName", "=", "node-1"),
                                 ("status.phase", "!=", "Running")]
    assert str(fs) == "metadata.name=web,spec.nodeName=node-1,status.phase!=Running"
    assert parse_field_selector("").empty() and parse_field_selector(",").empty()
    assert parse_field_selector(r"metadata.name=a\,b\=c\\d").requirements() == [("metadata.name", "=", "a,b=c\\d")]
    assert parse_field_selector("metadata.name=").requirements() == [("metadata.name", "=", "")]


@pytest.mark.parametrize("text, message", [
    ("metadata.name", "invalid selector: 'metadata.name'; can't understand 'metadata.name'"),
    ("a=b,c", "invalid selector: 'a=b,c'; can't understand 'c'"),
    (r"a=b\x", r"invalid field selector: invalid escape sequence: \x"),
    ("a=b\\", "invalid field selector: invalid escape sequence: \\"),
    ("a=b=c", "invalid field selector: unescaped character in value: 61"),
])
def test_field_selector_errors(text, message):
    with pytest.raises(StatusError) as e:
        parse_field_selector(text)
    assert e.value.code == 400 and e.value.message == message


def test_field_selector_matching():
    running, pending = pod("web", "Running"), pod("api", "Pending", node="")
    fs = parse_field_selector("status.phase!=Running")
    assert not fs.matches(running) and fs.matches(pending)
    assert parse_field_selector("spec.nodeName=").matches(pending)
    assert parse_field_selector("metadata.namespace=default,metadata.name=web").matches(running)
    assert parse_field_selector("status.podIP=10.244.1.9").matches(running)
    assert parse_field_selector("spec.hostNetwork=false").matches(running)
    assert parse_field_selector("spec.hostNetwork=true").matches(pod("kp", "Running", host_network=True))
    node = {"metadata": {"name": "n1"}, "spec": {}}
    assert parse_field_selector("spec.unschedulable=false").matches(node)
    assert parse_field_selector("type=kubernetes.io/tls").matches({"type": "kubernetes.io/tls"})
    job = {"status": {"succeeded": 2}}
    assert parse_field_selector("status.successful=2").matches(job)


def test_event_field_selectors():
    core = {"metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "web", "uid": "u-1"},
            "reason": "Pulled", "type": "Normal", "source": {"component": "kubelet"}}
    assert parse_field_selector("involvedObject.uid=u-1,involvedObject.kind=Pod,reason=Pulled").matches(core)
    assert parse_field_selector("source=kubelet,type=Normal").matches(core)
    new = {"metadata": {"name": "e"}, "regarding": {"kind": "Pod", "name": "web"}, "reason": "Scheduled",
           "reportingController": "default-scheduler"}
    assert parse_field_selector("regarding.name=web,reportingController=default-scheduler").matches(new)
    assert parse_field_selector("involvedObject.name=web,source=default-scheduler").matches(new)


def info(plural, group=""):
    return resources.by_plural(group, plural)


def check(plural, selector, group=""):
    fs = parse_field_selector(selector)
    with pytest.raises(StatusError) as e:
        check_field_selector_supported(info(plural, group), fs)
    assert e.value.code == 400 and e.value.reason == "BadRequest"
    return e.value.message


def test_supported_fields():
    ok = [("pods", "", "metadata.name=a,metadata.namespace=b,spec.nodeName=n,spec.restartPolicy=Always,"
                       "spec.schedulerName=s,spec.serviceAccountName=sa,spec.hostNetwork=true,status.phase=Running,"
                       "status.podIP=1.2.3.4,status.nominatedNodeName=n"),
          ("events", "", "involvedObject.kind=Pod,involvedObject.uid=u,reason=r,reportingComponent=c,source=s,"
                         "type=Normal,involvedObject.fieldPath=f"),
          ("events", "events.k8s.io", "regarding.kind=Pod,reportingController=c,type=Normal"),
          ("secrets", "", "type=Opaque"), ("nodes", "", "spec.unschedulable=true,metadata.name=n"),
          ("namespaces", "", "status.phase=Active"), ("services", "", "spec.type=NodePort,spec.clusterIP=None"),
          ("deployments", "apps", "metadata.name=web,metadata.namespace=default"),
          ("jobs", "batch", "status.successful=1")]
    for plural, group, selector in ok:
        check_field_selector_supported(info(plural, group), parse_field_selector(selector))


def test_unsupported_fields_are_rejected_like_kube_apiserver():
    assert check("pods", "spec.containers=x") == "field label not supported: spec.containers"
    assert check("nodes", "metadata.namespace=x") == "field label not supported: metadata.namespace"
    assert check("events", "regarding.kind=Pod") == "field label not supported: regarding.kind"
    assert check("events", "involvedObject.kind=Pod", "events.k8s.io") == (
        "field label not supported: involvedObject.kind")
    assert check("jobs", "status.active=1", "batch") == 'field label "status.active" not supported for Job'
    assert check("deployments", "spec.replicas=3", "apps") == (
        '"spec.replicas" is not a known field selector: only "metadata.name", "metadata.namespace"')
    assert check("configmaps", "data.a=b").startswith('"data.a" is not a known field selector')


def test_spec_host_is_the_old_name_of_spec_node_name():
    fs = parse_field_selector("spec.host=node-1")
    check_field_selector_supported(info("pods"), fs)
    assert normalize_field_selector(fs).matches(pod("web", "Running"))
