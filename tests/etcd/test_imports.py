"""Rule 1 of docs/architecture.md: only kube-apiserver touches etcd.

Every module under kernelsim/ is parsed, and any import of ``kernelsim.etcd``
from outside ``kernelsim/etcd/`` and ``kernelsim/apiserver/`` fails the test.
"""

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[2] / "kernelsim"
ALLOWED = ("kernelsim.etcd", "kernelsim.apiserver")
ETCD = "kernelsim.etcd"


def module_name(path: Path) -> str:
    """kernelsim/apiserver/store.py -> kernelsim.apiserver.store."""
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool) -> list[tuple[int, str]]:
    """Every module (and ``from`` name) a source imports, as absolute names."""
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(parent + ([node.module] if node.module else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names]
        elif (isinstance(node, ast.Call) and node.args
              and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
              and _called_name(node.func) in ("import_module", "__import__")):
            found.append((node.lineno, node.args[0].value))
    return found


def _called_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def imports_etcd(source: str, module: str, is_package: bool = False) -> list[int]:
    """Line numbers where ``source`` (the text of ``module``) imports kernelsim.etcd."""
    return [line for line, name in imported_modules(source, module, is_package)
            if name == ETCD or name.startswith(ETCD + ".")]


def is_allowed(module: str) -> bool:
    return any(module == a or module.startswith(a + ".") for a in ALLOWED)


@pytest.mark.parametrize("source", [
    "import kernelsim.etcd",
    "import kernelsim.etcd.mvcc as m",
    "from kernelsim.etcd import MVCCStore",
    "from kernelsim.etcd.mvcc import MVCCStore",
    "from kernelsim import etcd",
    "from kernelsim import api, etcd as store",
    "from ..etcd import MVCCStore",
    "from ..etcd.mvcc import Op",
    "from .. import etcd",
    "import importlib\nm = importlib.import_module('kernelsim.etcd')",
    "def f():\n    from kernelsim.etcd import mvcc",
])
def test_the_checker_finds_every_form_of_import(source):
    assert imports_etcd(source, "kernelsim.scheduler.core")


@pytest.mark.parametrize("source", [
    "import kernelsim.api",
    "from kernelsim import api",
    "from ..api import errors",
    "from . import etcd",            # kernelsim.scheduler.etcd, not kernelsim.etcd
    "import kernelsim.etcdish",
    "x = 'kernelsim.etcd'",
])
def test_the_checker_ignores_other_imports(source):
    assert imports_etcd(source, "kernelsim.scheduler.core") == []


def test_relative_imports_from_a_package_init():
    # in kernelsim/__init__.py, "from . import etcd" is kernelsim.etcd
    assert imports_etcd("from . import etcd", "kernelsim", is_package=True)
    assert imports_etcd("from .etcd import MVCCStore", "kernelsim", is_package=True)
    assert imports_etcd("from ..etcd import x", "kernelsim.client", is_package=True)


def test_only_apiserver_and_etcd_import_etcd():
    files = sorted(PACKAGE_ROOT.rglob("*.py"))
    assert files, "no modules found under kernelsim/"
    offenders = []
    for path in files:
        module = module_name(path)
        if is_allowed(module):
            continue
        lines = imports_etcd(path.read_text(encoding="utf-8"), module,
                             is_package=path.name == "__init__.py")
        offenders += [f"{path.relative_to(PACKAGE_ROOT.parent)}:{line}" for line in lines]
    assert offenders == [], (
        "only kube-apiserver may touch etcd (docs/architecture.md, rule 1); "
        "read and write through the apiserver instead: " + ", ".join(offenders))
