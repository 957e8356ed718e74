"""Checking the queries of the monitoring and logging addons, with errors in English and Korean.

What Prometheus' or Elasticsearch's HTTP API answers to a bad query (``400 Bad
Request`` with a reason), as an exception a notebook shows in the learner's
language: an unknown pod, node or namespace, a time range that ends before it
starts, a malformed regular expression.  A bad query reads nothing and changes
nothing.
"""

from __future__ import annotations

import re

MESSAGES = {
    "unknown_pod": ("no pod {namespace}/{pod} is known to {store}",
                    "{store}에 알려진 파드 {namespace}/{pod}이(가) 없습니다"),
    "unknown_pod_any": ("no pod named {pod} is known to {store}",
                        "{store}에 알려진 {pod}라는 이름의 파드가 없습니다"),
    "unknown_namespace": ("no namespace {namespace} is known to {store}",
                          "{store}에 알려진 네임스페이스 {namespace}이(가) 없습니다"),
    "unknown_node": ("no node {node} is known to {store}", "{store}에 알려진 노드 {node}이(가) 없습니다"),
    "bad_range": ("the time range ends ({end:g}s) before it starts ({start:g}s)",
                  "시간 범위의 끝({end:g}초)이 시작({start:g}초)보다 앞섭니다"),
    "bad_time": ("{name} must be a number of simulated seconds, not {value!r}",
                 "{name}은(는) 시뮬레이션 시간(초)을 나타내는 숫자여야 합니다. {value!r}은(는) 안 됩니다"),
    "bad_pattern": ("the text pattern {pattern!r} is not a valid regular expression: {error}",
                    "텍스트 패턴 {pattern!r}은(는) 올바른 정규 표현식이 아닙니다: {error}"),
    "bad_target": ("give exactly one of pod=, node= or namespace=",
                   "pod=, node=, namespace= 가운데 정확히 하나를 주세요"),
    "bad_limit": ("limit must be a positive whole number, not {value!r}",
                  "limit은 양의 정수여야 합니다. {value!r}은(는) 안 됩니다"),
}


class QueryError(ValueError):
    """A query the store cannot answer; ``message("en")`` / ``message("ko")`` give both languages,
    ``str()`` the learner's (``kernelsim.course.language()``)."""

    def __init__(self, key: str, **params):
        self.key, self.params = key, params
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        en, ko = MESSAGES[self.key]
        return (ko if lang == "ko" else en).format(**self.params)

    def __str__(self) -> str:
        from ..course.quiz import language

        return self.message(language())


def check_time(name: str, value) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise QueryError("bad_time", name=name, value=value)
    return float(value)


def check_range(start, end) -> tuple[float | None, float | None]:
    """``(start, end)`` in simulated seconds (either may be None: open-ended)."""
    start, end = check_time("start", start), check_time("end", end)
    if start is not None and end is not None and end < start:
        raise QueryError("bad_range", start=start, end=end)
    return start, end


def compile_pattern(pattern) -> re.Pattern | None:
    if pattern is None or pattern == "":
        return None
    if isinstance(pattern, re.Pattern):
        return pattern
    try:
        return re.compile(str(pattern))
    except re.error as e:
        raise QueryError("bad_pattern", pattern=str(pattern), error=str(e)) from None
