"""YAML to JSON-like objects, with the limits of ``sigs.k8s.io/yaml`` (go-yaml v3).

kubectl and kube-apiserver read YAML through ``sigs.k8s.io/yaml``, whose go-yaml
decoder refuses what would hurt the server:

* a mapping key given twice (``mapping key "name" already defined at line 3``);
* an alias bomb ("billion laughs"): go-yaml counts the nodes it decodes, aliases
  expanded, and gives up with ``document contains excessive aliasing`` once
  aliases make up too large a share of a big document;
* an anchor whose value contains itself;
* bytes that are not UTF-8.

PyYAML shares one node between an anchor and its aliases, so a bomb costs
nothing to parse but explodes when the object is copied or stored; the
expanded size is therefore counted on the node graph, before any object is
built.  Nesting deeper than :data:`MAX_DEPTH` is refused as well (Python's
recursion would fail first).
"""

from __future__ import annotations

import yaml

try:  # the C parser where PyYAML was built with libyaml
    _Base = yaml.CSafeLoader
except AttributeError:  # pragma: no cover
    _Base = yaml.SafeLoader

# Nesting deeper than this is refused (kube's JSON decoder stops at 10000 levels;
# Python's default recursion limit of 1000 frames would fail long before).
MAX_DEPTH = 100


def _key(k) -> str:
    """A mapping key as sigs.k8s.io/yaml writes it into JSON: always a string."""
    if isinstance(k, str):
        return k
    if isinstance(k, bool):
        return "true" if k else "false"
    if k is None:
        return "null"
    if isinstance(k, (int, float)):
        return repr(k)
    return str(k)


class _Loader(_Base):
    """SafeLoader with JSON's types only: timestamps stay the strings they were written as,
    keys become strings, ``!!set`` is a mapping to nulls and ``!!binary`` its text."""

    def construct_mapping(self, node, deep=False):
        if not isinstance(node, yaml.MappingNode):
            return super().construct_mapping(node, deep)
        self.flatten_mapping(node)  # merge keys (<<)
        return {_key(self.construct_object(k, deep=True)): self.construct_object(v, deep=deep) for k, v in node.value}

    def _as_text(self, node):
        return self.construct_scalar(node)

    def _as_set(self, node):
        data = {}
        yield data
        data.update({_key(k): None for k in self.construct_mapping(node)})


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _Loader._as_text)
_Loader.add_constructor("tag:yaml.org,2002:binary", _Loader._as_text)
_Loader.add_constructor("tag:yaml.org,2002:set", _Loader._as_set)


class YAMLError(ValueError):
    """A document that sigs.k8s.io/yaml would refuse; ``str()`` is go-yaml's message."""


def _allowed_alias_ratio(decode_count: int) -> float:
    """go-yaml v3's ``allowedAliasRatio``: generous for small documents, strict for large ones."""
    lo, hi = 400_000, 4_000_000
    if decode_count <= lo:
        return 0.99
    if decode_count >= hi:
        return 0.10
    return 0.99 - 0.89 * (decode_count - lo) / (hi - lo)


def _check_node(root: yaml.Node, on_duplicate=None) -> None:
    """Duplicate keys, self-containing anchors, depth and alias expansion, without recursion."""
    expanded: dict[int, int] = {}   # id(node) -> its node count with aliases expanded
    depth_of: dict[int, int] = {}
    unique = 0
    # (node, depth, children visited?) on an explicit stack; "active" catches cycles.
    stack = [(root, 1, False)]
    active: set[int] = set()
    while stack:
        node, depth, done = stack.pop()
        nid = id(node)
        if done:
            active.discard(nid)
            if isinstance(node, yaml.MappingNode):
                children = [n for pair in node.value for n in pair]
            else:
                children = node.value
            expanded[nid] = 1 + sum(expanded[id(c)] for c in children)
            continue
        if nid in expanded:
            continue
        if nid in active:
            raise YAMLError("yaml: anchor value contains itself")
        if depth > MAX_DEPTH:
            raise YAMLError(f"yaml: exceeded max depth of {MAX_DEPTH}")
        if isinstance(node, yaml.ScalarNode):
            expanded[nid] = 1
            unique += 1
            continue
        unique += 1
        active.add(nid)
        stack.append((node, depth, True))
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                    k = (key.tag, key.value)
                    if k in seen:
                        problem = (f'line {key.start_mark.line + 1}: mapping key "{key.value}" already defined at '
                                   f"line {seen[k]}")
                        if on_duplicate is None:
                            raise YAMLError(f"yaml: unmarshal errors:\n  {problem}")
                        on_duplicate(problem)  # the last value wins, as in a non-strict decode
                    seen[k] = key.start_mark.line + 1
                stack.append((key, depth + 1, False))
                stack.append((value, depth + 1, False))
        else:
            for child in node.value:
                stack.append((child, depth + 1, False))
        depth_of[nid] = depth
    decode_count = expanded[id(root)]
    alias_count = decode_count - unique
    if decode_count > 1000 and alias_count > 100 and alias_count / decode_count > _allowed_alias_ratio(decode_count):
        raise YAMLError("yaml: document contains excessive aliasing")


def _text(data) -> str:
    if isinstance(data, (bytes, bytearray, memoryview)):
        try:
            return bytes(data).decode("utf-8")
        except UnicodeDecodeError as e:
            raise YAMLError(f"yaml: invalid leading UTF-8 octet at byte {e.start}") from None
    return data


def load_all(data, on_duplicate=None) -> list:
    """Every document of a YAML stream, as plain Python objects (``None`` for empty ones).

    A duplicate key is an error, unless ``on_duplicate(problem)`` is given: it is then told
    (``line 4: mapping key "name" already defined at line 2``) and the last value wins."""
    loader = _Loader(_text(data))
    out = []
    try:
        while loader.check_node():
            node = loader.get_node()
            if node is None:
                out.append(None)
                continue
            _check_node(node, on_duplicate)
            out.append(loader.construct_document(node))
    except yaml.YAMLError as e:
        raise YAMLError(f"yaml: {e}") from None
    except RecursionError:
        raise YAMLError(f"yaml: exceeded max depth of {MAX_DEPTH}") from None
    finally:
        loader.dispose()
    return out


def load(data, on_duplicate=None):
    """The single document of ``data`` (None when it is empty)."""
    docs = load_all(data, on_duplicate)
    return docs[0] if docs else None


def json_load(text: str) -> tuple[object, list[str]]:
    """A JSON document, and the paths of the fields it gives twice (``metadata.name``, as
    sigs.k8s.io/json reports them; the last value wins)."""
    import json

    dups: list[tuple[int, str]] = []

    def pairs(items):
        out: dict = {}
        for k, v in items:
            if k in out:
                dups.append((id(out), k))
            out[k] = v
        return out

    root = json.loads(text, object_pairs_hook=pairs)
    if not dups:
        return root, []
    paths: dict[int, str] = {}
    stack = [(root, "")]
    while stack:
        value, path = stack.pop()
        if isinstance(value, dict):
            paths[id(value)] = path
            stack.extend((v, f"{path}.{k}" if path else k) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{path}[{i}]") for i, v in enumerate(value))
    return root, [f"{paths[i]}.{k}" if paths.get(i) else k for i, k in dups if i in paths]
