"""Runs nbgrader's own command line on a copy of the course, as an instructor would.

A course copy holds ``nbgrader_config.py`` and ``solutions/<assignment>/``;
``nbgrader generate_assignment`` makes the student versions, submissions are put
under ``submitted/<student>/<assignment>/``, then ``nbgrader autograde`` and
``nbgrader generate_feedback`` run on them and the gradebook is read back.

A wrong submission is kept as a small YAML patch on a solution notebook
(``submissions/<assignment>/<name>.yaml``)::

    description: lab has no env label
    notebook: en                      # the solution notebook it starts from (ko or en)
    edits:                            # applied in order to the cell with that grade id
      - cell: answer-namespaces
        replace: ["    env: test\\n", ""]   # also: prepend, append, source (the whole cell)
    fails:                            # every test that must fail, with the hint the feedback
      test-namespaces-template: The labels of namespace lab are wrong.   # must show (or null)

The benchmark (``benchmarks/autograde.py``) uses the same functions.
"""

from __future__ import annotations

import copy
import html
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = Path(__file__).resolve().parent / "submissions"
ASSIGNMENTS = ("namespaces", "templates", "controllers")
LANGUAGES = ("ko", "en")
BIN = Path(sys.executable).parent


def notebook_names(assignment: str) -> list[str]:
    return [f"{assignment}.{lang}" for lang in LANGUAGES]


def environment() -> dict:
    """nbgrader's environment: the venv's tools (nbgrader runs ``alembic``) and no shared kubeconfig."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NBGRADER_", "KERNELSIM_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["KERNELSIM_SHARE"] = "0"
    env["PYTHONWARNINGS"] = "ignore"
    return env


def nbgrader(course: Path, *args: str) -> list[str]:
    """The argv of one nbgrader command, run from the course directory."""
    return [str(BIN / "nbgrader"), *args]


def run(course: Path, argv: list[str], timeout: float = 1200) -> subprocess.CompletedProcess:
    p = subprocess.run(argv, cwd=course, env=environment(), capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({p.returncode}):\n{p.stdout[-3000:]}\n{p.stderr[-3000:]}")
    return p


def make_course(dest: Path, assignments=ASSIGNMENTS) -> Path:
    """A copy of the course (config and instructor notebooks) in ``dest``."""
    dest.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "nbgrader_config.py", dest / "nbgrader_config.py")
    for a in assignments:
        shutil.copytree(ROOT / "solutions" / a, dest / "solutions" / a, dirs_exist_ok=True)
    return dest


def generate(course: Path, assignment: str) -> Path:
    """``nbgrader generate_assignment``; returns the release folder."""
    run(course, nbgrader(course, "generate_assignment", assignment, "--force"))
    return course / "exercises" / assignment


# -- submissions -------------------------------------------------------------------------

@dataclass
class Spec:
    """One wrong (or adversarial) submission: edits on a solution notebook, and the tests it must fail."""

    name: str
    assignment: str
    notebook: str
    edits: list
    fails: dict
    description: str = ""
    points: dict = field(default_factory=dict)

    @property
    def student(self) -> str:
        return self.name

    @property
    def notebook_id(self) -> str:
        return f"{self.assignment}.{self.notebook}"


def load_specs(assignment: str) -> list[Spec]:
    specs = []
    for path in sorted((SUBMISSIONS / assignment).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        specs.append(Spec(path.stem, assignment, data["notebook"], data.get("edits", []), data.get("fails") or {},
                          data.get("description", "")))
    return specs


def read_solution(assignment: str, lang: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.{lang}.ipynb", as_version=4)


def grade_id(cell) -> str:
    return (cell.get("metadata", {}).get("nbgrader") or {}).get("grade_id", "")


def test_points(nb) -> dict[str, float]:
    """Points of every test cell, by grade id."""
    return {grade_id(c): c.metadata["nbgrader"]["points"] for c in nb.cells
            if (c.get("metadata", {}).get("nbgrader") or {}).get("grade")}


def apply_edits(nb, edits: list) -> nbformat.NotebookNode:
    """A copy of ``nb`` with ``edits`` applied; an edit that does not apply is an error in the spec."""
    nb = copy.deepcopy(nb)
    cells = {grade_id(c): c for c in nb.cells if grade_id(c)}
    for edit in edits:
        cell = cells[edit["cell"]]
        if "replace" in edit:
            old, new = edit["replace"]
            if old not in cell.source:
                raise ValueError(f"{edit['cell']}: {old!r} is not in the cell")
            cell.source = cell.source.replace(old, new)
        if "prepend" in edit:
            cell.source = edit["prepend"] + cell.source
        if "append" in edit:
            cell.source = cell.source + edit["append"]
        if "source" in edit:
            cell.source = edit["source"]
    return nb


def submit(course: Path, assignment: str, student: str, notebooks: dict) -> None:
    """Put ``{notebook id: notebook}`` where ``nbgrader collect`` would: submitted/<student>/<assignment>/."""
    folder = course / "submitted" / student / assignment
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for notebook_id, nb in notebooks.items():
        nbformat.write(nb, folder / f"{notebook_id}.ipynb")


def submit_all(course: Path, assignment: str, specs: list[Spec]) -> dict[str, list[str]]:
    """The class of the acceptance tests: both solutions, both unmodified exercises, and every spec.

    Returns, per student, the notebooks they handed in."""
    release = course / "exercises" / assignment
    handed_in = {}
    solutions = {n: read_solution(assignment, n.split(".")[-1]) for n in notebook_names(assignment)}
    submit(course, assignment, "solutions", solutions)
    handed_in["solutions"] = list(solutions)
    exercises = {n: nbformat.read(release / f"{n}.ipynb", as_version=4) for n in notebook_names(assignment)}
    submit(course, assignment, "exercises", exercises)
    handed_in["exercises"] = list(exercises)
    for spec in specs:
        nb = apply_edits(read_solution(assignment, spec.notebook), spec.edits)
        submit(course, assignment, spec.student, {spec.notebook_id: nb})
        handed_in[spec.student] = [spec.notebook_id]
    return handed_in


def autograde_commands(course: Path, assignment: str, timeout: int | None = None) -> list[list[str]]:
    extra = [f"--Execute.timeout={timeout}"] if timeout else []
    return [nbgrader(course, "autograde", assignment, "--force", *extra),
            nbgrader(course, "generate_feedback", assignment, "--force")]


# -- results -----------------------------------------------------------------------------

def scores(course: Path, assignment: str) -> dict:
    """``{student: {notebook id: {test grade id: score}}}`` from the gradebook."""
    from nbgrader.api import Gradebook

    out: dict = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gb:
        for submission in gb.assignment_submissions(assignment):
            per_nb = out.setdefault(submission.student.id, {})
            for nb in submission.notebooks:
                per_nb[nb.name] = {g.name: g.score for g in nb.grades}
    return out


def test_outputs(course: Path, assignment: str, student: str, notebook_id: str) -> dict[str, str]:
    """The text of each test cell's error output in the autograded notebook."""
    nb = nbformat.read(course / "autograded" / student / assignment / f"{notebook_id}.ipynb", as_version=4)
    out = {}
    for cell in nb.cells:
        if (cell.get("metadata", {}).get("nbgrader") or {}).get("grade"):
            out[grade_id(cell)] = "\n".join(f"{o.get('ename')}: {o.get('evalue')}" for o in cell.get("outputs", [])
                                            if o.get("output_type") == "error")
    return out


ANSI = re.compile(r"\x1b\[[0-9;]*m")


def feedback_text(course: Path, assignment: str, student: str, notebook_id: str) -> str:
    """The feedback page as plain text (tags and ANSI colours removed, entities decoded)."""
    page = (course / "feedback" / student / assignment / f"{notebook_id}.html").read_text(encoding="utf-8")
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    return ANSI.sub("", text)


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, indent=1, ensure_ascii=False), encoding="utf-8")
