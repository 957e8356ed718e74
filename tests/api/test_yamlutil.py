"""YAML with sigs.k8s.io/yaml's limits: duplicate keys, alias bombs, self-reference, bad bytes, depth."""

import pytest

from kernelsim.api import yamlutil
from kernelsim.testing.fuzz import alias_bomb


def test_plain_documents_load():
    assert yamlutil.load_all("a: 1\n---\n---\nb: [x, y]\n") == [{"a": 1}, None, {"b": ["x", "y"]}]
    assert yamlutil.load("") is None


def test_duplicate_key_is_refused_with_go_yamls_message():
    with pytest.raises(yamlutil.YAMLError) as e:
        yamlutil.load("metadata:\n  name: a\n  labels: {}\n  name: b\n")
    assert str(e.value) == 'yaml: unmarshal errors:\n  line 4: mapping key "name" already defined at line 2'


def test_billion_laughs_is_refused_before_it_expands():
    with pytest.raises(yamlutil.YAMLError) as e:
        yamlutil.load(alias_bomb(levels=9, width=9))  # 9**9 = 387 million strings once expanded
    assert str(e.value) == "yaml: document contains excessive aliasing"


def test_a_few_aliases_are_fine():
    doc = yamlutil.load("base: &b {cpu: 1m}\nx: *b\ny: *b\nz:\n  <<: *b\n  memory: 1Mi\n")
    assert doc["x"] == doc["y"] == {"cpu": "1m"} and doc["z"] == {"cpu": "1m", "memory": "1Mi"}


def test_an_anchor_that_contains_itself_is_refused():
    with pytest.raises(yamlutil.YAMLError, match="value contains itself"):
        yamlutil.load("&a [*a]")


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(yamlutil.YAMLError, match="invalid leading UTF-8 octet at byte 3"):
        yamlutil.load(b"a: \xff")


def test_deep_nesting_is_refused():
    with pytest.raises(yamlutil.YAMLError, match="exceeded max depth"):
        yamlutil.load("[" * 500 + "]" * 500)
    assert yamlutil.load("[" * 50 + "]" * 50) is not None


def test_only_json_types_come_out():
    doc = yamlutil.load("when: 2020-01-01T00:00:00Z\n1: one\ntrue: yes\n~: nil\ns: !!set {a}\nb: !!binary aGk=\n")
    assert doc == {"when": "2020-01-01T00:00:00Z", "1": "one", "true": True, "null": "nil", "s": {"a": None},
                   "b": "aGk="}
