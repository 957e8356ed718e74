"""The exercise sources: built notebooks are current, both languages share their code, exercises hide the answers."""

from __future__ import annotations

import subprocess
import sys

import nbformat
import pytest

from . import harness
from .harness import ASSIGNMENTS, ROOT


def test_instructor_notebooks_are_built_from_their_sources():
    p = subprocess.run([sys.executable, str(ROOT / "solutions" / "build.py"), "--check"], capture_output=True, text=True)
    assert p.returncode == 0, p.stdout + p.stderr


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_korean_and_english_notebooks_run_the_same_code(assignment):
    ko, en = (harness.read_solution(assignment, lang) for lang in ("ko", "en"))
    code = [[c.source.replace('lang="ko"', 'lang="en"') for c in nb.cells if c.cell_type == "code"] for nb in (ko, en)]
    assert code[0] == code[1]
    assert [c.metadata.get("nbgrader") for c in ko.cells] == [c.metadata.get("nbgrader") for c in en.cells]


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_hide_solutions_and_hidden_tests(assignment):
    for lang in harness.LANGUAGES:
        nb = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.{lang}.ipynb", as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "grading.check" not in text
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_test_cell_has_hidden_tests(assignment):
    nb = harness.read_solution(assignment, "en")
    for cell in nb.cells:
        if (cell.metadata.get("nbgrader") or {}).get("grade"):
            assert "### BEGIN HIDDEN TESTS" in cell.source, harness.grade_id(cell)
