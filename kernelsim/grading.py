"""Helpers for the hidden tests of the nbgrader exercises (an autograder's harness).

nbgrader's ``autograde`` runs a learner's notebook top to bottom in one kernel, test
cells included.  The hidden tests use this module to judge the *result* of the
learner's work the way a Kubernetes reviewer would: by applying the learner's
templates to a fresh cluster, and by reading the learner's own cluster through the
real kubectl in a subprocess (never through Python objects that the learner's code
could have replaced).

The notebook's set-up cell imports this module *before* any learner code runs, and
calls :func:`setup` right after creating the cluster.  At that moment the module
captures everything it relies on later: the kubectl binary, ``subprocess.run``, the
pristine methods of :class:`kernelsim.Cluster`, the learner's cluster object and a
private copy of its kubeconfig.  So a submission that monkeypatches
``kernelsim.Cluster.settle``, swaps ``cluster.api`` for a stub or writes garbage into
the kubeconfig changes nothing the grader reads.

Every check raises :class:`AssertionError` with a short hint in the notebook's
language (``setup(..., lang="ko")``), which nbgrader shows in the feedback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import subprocess
import tempfile
from fractions import Fraction
from pathlib import Path

import yaml

from . import cluster as _cluster_module
from .cluster import Cluster
from .kubectl.runner import KubectlResult, kubectl_binary
from .remote import RemoteCluster

LANGUAGES = ("ko", "en")

# Captured at import, before any learner code runs.
_KUBECTL = kubectl_binary()
_RUN = subprocess.run
_PATH = os.environ.get("PATH", "")
_CLUSTER_ATTRS = {name: value for name, value in vars(Cluster).items()
                  if not name.startswith("__") or name == "__init__"}
_REMOTE_ATTRS = {name: vars(RemoteCluster)[name] for name in ("kubeconfig", "settle", "advance")}
_WORKDIR = tempfile.TemporaryDirectory(prefix="kernelsim-grader-")

_state: dict = {"lang": "en", "learner": None}

__all__ = ["setup", "learner", "learner_context_namespace", "language", "hint", "check", "check_equal",
           "check_labels", "parse_yaml", "condition", "quantity", "same_quantity", "kubectl_subprocess",
           "fresh_cluster", "apply_to_fresh_cluster", "Target"]


# -- language and hints ------------------------------------------------------------------

def language() -> str:
    """The notebook's language, as given to :func:`setup`."""
    return _state["lang"]


def hint(ko: str, en: str) -> str:
    """The hint in the notebook's language."""
    return ko if _state["lang"] == "ko" else en


_FOUND = {"ko": "(기대한 값: {expected!r}, 실제 값: {actual!r})", "en": "(expected {expected!r}, found {actual!r})"}


def check(condition, ko: str, en: str) -> None:
    """Fail with the hint unless ``condition`` holds."""
    if not condition:
        raise AssertionError(hint(ko, en))


def check_equal(actual, expected, ko: str, en: str, show: bool = True) -> None:
    """Fail with the hint (and, if ``show``, both values) unless ``actual == expected``."""
    if actual != expected:
        message = hint(ko, en)
        if show:
            message += " " + _FOUND[_state["lang"]].format(expected=expected, actual=actual)
        raise AssertionError(message)


def check_labels(obj: dict | None, labels: dict, ko: str, en: str) -> None:
    """Fail unless ``obj`` carries every label of ``labels`` with the same value."""
    have = ((obj or {}).get("metadata") or {}).get("labels") or {}
    missing = {k: v for k, v in labels.items() if have.get(k) != v}
    if missing:
        raise AssertionError(hint(ko, en) + " " + _FOUND[_state["lang"]].format(expected=labels, actual=have))


def parse_yaml(text, ko: str, en: str) -> list:
    """The documents of a YAML template, or a failure with the hint and the parser's first line."""
    if not isinstance(text, str):
        raise AssertionError(hint(ko, en) + " " + hint(ko=f"(문자열이 아니라 {type(text).__name__}입니다)",
                                                       en=f"(a {type(text).__name__}, not a string)"))
    try:
        docs = [d for d in yaml.safe_load_all(text) if d is not None]
    except yaml.YAMLError as e:
        first = str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__
        raise AssertionError(f"{hint(ko, en)} (YAML: {first})") from None
    return docs


# -- kubectl in a subprocess -------------------------------------------------------------

def kubectl_subprocess(kubeconfig: str | os.PathLike, args, input: str | None = None,
                       timeout: float = 60) -> KubectlResult:
    """Run the real kubectl in a subprocess against ``kubeconfig`` (nothing from the learner's env)."""
    argv = shlex.split(args) if isinstance(args, str) else list(args)
    home = Path(_WORKDIR.name) / "home"
    home.mkdir(exist_ok=True)
    env = {"PATH": _PATH, "HOME": str(home), "KUBECONFIG": str(kubeconfig), "NO_COLOR": "1",
           "KUBECTL_INTERACTIVE_DELETE": "false", "LANG": "C.UTF-8"}
    try:
        p = _RUN([_KUBECTL, *argv], input=input, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired:
        return KubectlResult(argv, "", f"kubectl stopped after {timeout:g} s\n", -9)
    return KubectlResult(argv, p.stdout, p.stderr, p.returncode)


class Target:
    """A cluster as the grader sees it: a kubeconfig the grader owns and, to move
    simulated time, the cluster object with the pristine ``Cluster`` methods."""

    def __init__(self, kubeconfig: str | os.PathLike, cluster: Cluster | None = None):
        self.kubeconfig = str(kubeconfig)
        self._cluster = cluster
        self.learner_kubeconfig: str | None = None  # for the learner's cluster: the file their kubectl uses

    def kubectl(self, args, input: str | None = None, timeout: float = 60) -> KubectlResult:
        return kubectl_subprocess(self.kubeconfig, args, input=input, timeout=timeout)

    def settle(self) -> None:
        """Let simulated time run until nothing is pending (``Cluster.settle`` as shipped); on
        a real cluster (``kernelsim.connect``), wait until its workloads have converged."""
        if self._cluster is not None:
            _pristine(self._cluster, "settle")(self._cluster)

    def advance(self, seconds: float) -> None:
        if self._cluster is not None:
            _pristine(self._cluster, "advance")(self._cluster, seconds)

    def get(self, kind: str, name: str, namespace: str | None = None) -> dict | None:
        """The object as JSON, or None when it does not exist."""
        args = ["get", kind, name, "-o", "json"] + (["-n", namespace] if namespace else [])
        r = self.kubectl(args)
        if r.returncode != 0:
            if "NotFound" in r.stderr or "not found" in r.stderr:
                return None
            raise AssertionError(hint(ko="채점기가 클러스터를 읽지 못했습니다: ", en="the grader could not read the cluster: ")
                                 + r.stderr.strip())
        return json.loads(r.stdout)

    def list(self, kind: str, namespace: str | None = None, selector: str | None = None) -> list[dict]:
        """The items of a list; ``namespace="*"`` lists every namespace."""
        args = ["get", kind, "-o", "json"]
        if namespace == "*":
            args.append("-A")
        elif namespace:
            args += ["-n", namespace]
        if selector:
            args += ["-l", selector]
        r = self.kubectl(args)
        if r.returncode != 0:
            raise AssertionError(hint(ko="채점기가 클러스터를 읽지 못했습니다: ", en="the grader could not read the cluster: ")
                                 + r.stderr.strip())
        return json.loads(r.stdout).get("items", [])

    def apply(self, text: str, ko: str, en: str) -> KubectlResult:
        """``kubectl apply -f -``; failing with the hint and the apiserver's message."""
        r = self.kubectl(["apply", "-f", "-"], input=text)
        if r.returncode != 0:
            raise AssertionError(f"{hint(ko, en)}\n{r.stderr.strip()}")
        return r


# -- the learner's cluster ---------------------------------------------------------------

def _pristine(cluster, name: str):
    """A method of ``Cluster`` or ``RemoteCluster`` as shipped (properties give their getter)."""
    attrs = _REMOTE_ATTRS if isinstance(cluster, RemoteCluster) else _CLUSTER_ATTRS
    value = attrs[name]
    return value.fget if isinstance(value, property) else value


def setup(cluster: Cluster | RemoteCluster, lang: str = "en") -> Target:
    """Remember the learner's cluster: the object and a private copy of its kubeconfig.

    Called in the notebook's set-up cell, right after ``kernelsim.start()`` (a simulated
    ``Cluster``, or a real cluster through ``kernelsim.connect``).
    """
    if lang not in LANGUAGES:
        raise ValueError(f"lang must be one of {LANGUAGES}")
    _state["lang"] = lang
    path = Path(_pristine(cluster, "kubeconfig")(cluster))
    copy = Path(_WORKDIR.name) / f"learner-{id(cluster)}.kubeconfig"
    copy.write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    copy.chmod(0o600)
    target = Target(copy, cluster)
    target.learner_kubeconfig = str(path)  # the file the learner's kubectl reads and writes
    _state["learner"] = target
    return target


def learner() -> Target:
    """The learner's cluster, as captured by :func:`setup`."""
    if _state["learner"] is None:
        raise AssertionError(hint(ko="설정 셀(맨 위의 셀)을 먼저 실행하세요.", en="Run the set-up cell (the first cell) first."))
    return _state["learner"]


def learner_context_namespace() -> str | None:
    """The namespace of the current context in the learner's own kubeconfig (None if unreadable)."""
    r = kubectl_subprocess(learner().learner_kubeconfig, ["config", "view", "--minify", "-o", "json"])
    if r.returncode != 0:
        return None
    try:
        contexts = json.loads(r.stdout).get("contexts") or []
    except ValueError:
        return None
    return ((contexts[0].get("context") or {}).get("namespace") or "default") if contexts else None


# -- fresh clusters ----------------------------------------------------------------------

def _repair_cluster_class() -> None:
    """Put back the methods of ``kernelsim.Cluster`` as shipped (a submission may have replaced some)."""
    for name, value in _CLUSTER_ATTRS.items():
        if vars(Cluster).get(name) is not value:
            setattr(Cluster, name, value)
    for name in [n for n in vars(Cluster) if n not in _CLUSTER_ATTRS and not n.startswith("__")]:
        delattr(Cluster, name)


@contextlib.contextmanager
def fresh_cluster(**kwargs):
    """A brand-new cluster (deterministic time, not shared), closed afterwards; yields its :class:`Target`.

    ``%kubectl`` keeps talking to the learner's cluster.  It is simulated even when the
    learner works on a real cluster (``KERNELSIM_KUBECONFIG``): a real cluster cannot be
    made fresh for each template, and the template's result must not depend on it.
    """
    _repair_cluster_class()
    current = _cluster_module._current
    saved = {k: os.environ.get(k) for k in ("KERNELSIM_SHARE",)}
    os.environ["KERNELSIM_SHARE"] = "0"
    try:
        c = Cluster(realtime=False, **kwargs)
    finally:
        _cluster_module._current = current
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    try:
        yield Target(_CLUSTER_ATTRS["kubeconfig"].fget(c), c)
    finally:
        _CLUSTER_ATTRS["close"](c)


_last_applied: dict = {}


@contextlib.contextmanager
def apply_to_fresh_cluster(text, ko: str, en: str, **kwargs):
    """Apply a learner's template to a fresh cluster, let it settle, and yield the cluster's :class:`Target`.

    Fails with the hint if ``text`` is not YAML or if the apiserver rejects it.  Several test
    cells that check the same template share its cluster (the result would be the same).
    """
    parse_yaml(text, ko, en)
    key = (text, tuple(sorted(kwargs.items())))
    if _last_applied.get("key") != key:
        _close_last_applied()
        stack = contextlib.ExitStack()
        fresh = stack.enter_context(fresh_cluster(**kwargs))
        try:
            fresh.apply(text, ko, en)
        except AssertionError:
            stack.close()
            raise
        fresh.settle()
        _last_applied.update(key=key, target=fresh, stack=stack)
    yield _last_applied["target"]


def _close_last_applied() -> None:
    stack = _last_applied.pop("stack", None)
    _last_applied.clear()
    if stack is not None:
        stack.close()


_SUFFIXES = {"n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000), "": Fraction(1),
             "k": Fraction(10**3), "M": Fraction(10**6), "G": Fraction(10**9), "T": Fraction(10**12),
             "P": Fraction(10**15), "E": Fraction(10**18), "Ki": Fraction(2**10), "Mi": Fraction(2**20),
             "Gi": Fraction(2**30), "Ti": Fraction(2**40), "Pi": Fraction(2**50), "Ei": Fraction(2**60)}
_QUANTITY = re.compile(r"^([+-]?[0-9.]+(?:[eE][+-]?[0-9]+)?)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]?)$")


def quantity(value) -> Fraction | None:
    """A resource quantity (``100m``, ``0.1``, ``64Mi``, ``1e3``) as an exact number, or None."""
    m = _QUANTITY.match(str(value).strip()) if value is not None else None
    if not m:
        return None
    try:
        return Fraction(m.group(1)) * _SUFFIXES[m.group(2)]
    except (ValueError, ZeroDivisionError):
        return None


def same_quantity(a, b) -> bool:
    """Whether two quantities are equal (``0.1`` and ``100m`` are)."""
    qa, qb = quantity(a), quantity(b)
    return qa is not None and qa == qb


def condition(obj: dict | None, kind: str) -> str | None:
    """The status (``"True"``, ``"False"``, ``"Unknown"``) of a condition of ``obj``."""
    for c in ((obj or {}).get("status") or {}).get("conditions") or []:
        if c.get("type") == kind:
            return c.get("status")
    return None
