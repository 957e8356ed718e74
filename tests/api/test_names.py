"""Name, label and key checks with apimachinery's exact messages."""

from kernelsim.api import names
from kernelsim.api.resources import by_kind

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an "
               "alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', "
               "regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")


def test_pod_name_is_a_subdomain():
    [err] = names.validate_name(by_kind("", "Pod"), "Bad_Name")
    assert str(err) == 'metadata.name: Invalid value: "Bad_Name": ' + SUBDOMAIN_MSG
    assert names.validate_name(by_kind("", "Pod"), "web-1.example") == []


def test_namespace_name_is_a_label_and_service_name_a_dns1035_label():
    [err] = names.validate_name(by_kind("", "Namespace"), "my.ns")
    assert err.detail == LABEL_MSG
    [err] = names.validate_name(by_kind("", "Service"), "1svc")
    assert err.detail == DNS1035_MSG
    assert names.validate_name(by_kind("", "Service"), "svc-1") == []


def test_length_limits():
    errs = names.is_dns1123_label("a" * 64)
    assert errs == ["must be no more than 63 characters"]
    assert names.is_dns1123_subdomain("a" * 254) == ["must be no more than 253 characters"]
    assert names.is_dns1123_subdomain("a" * 253) == []


def test_rbac_names_are_path_segments():
    role = by_kind("rbac.authorization.k8s.io", "ClusterRole")
    assert names.validate_name(role, "system:controller:foo") == []
    assert [e.detail for e in names.validate_name(role, "..")] == ["may not be '..'"]
    assert [e.detail for e in names.validate_name(role, "a/b%c")] == ["may not contain '/'", "may not contain '%'"]


def test_name_or_generate_name_is_required():
    [err] = names.validate_name(by_kind("", "ConfigMap"), "")
    assert str(err) == "metadata.name: Required value: name or generateName is required"
    # generateName may end in '-': the random suffix follows
    errs = names.validate_name(by_kind("", "Pod"), "web-x7k2p", generate_name="web-")
    assert errs == []
    errs = names.validate_name(by_kind("", "Pod"), "", generate_name="Web-")
    assert [e.field for e in errs] == ["metadata.generateName", "metadata.name"]


def test_label_keys_and_values():
    assert names.is_qualified_name("app.kubernetes.io/name") == []
    assert names.is_qualified_name("/name") == ["prefix part must be non-empty"]
    assert names.is_qualified_name("a" * 64) == ["name part must be no more than 63 characters"]
    assert names.is_qualified_name("Bad_Prefix/x")[0].startswith("prefix part a lowercase RFC 1123 subdomain")
    [err] = names.validate_label_value("x y")
    assert str(err) == (
        'metadata.labels: Invalid value: "x y": a valid label must be an empty string or consist of alphanumeric '
        "characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  "
        "or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
    assert names.is_valid_label_value("") == []


def test_config_map_keys_and_ports():
    assert names.is_config_map_key("app.properties") == []
    assert names.is_config_map_key("..x")[-1] == "must not start with '..'"
    assert names.is_valid_port_num(0) == ["must be between 1 and 65535, inclusive"]
    assert names.is_valid_port_name("http") == []
    assert names.is_valid_port_name("123") == ["must contain at least one letter (a-z)"]
