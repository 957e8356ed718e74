"""Acceptance tests of the exercises, through nbgrader's own command line.

One course copy per assignment (so the three run in parallel, each with its own
gradebook): ``nbgrader generate_assignment``, then a whole class is submitted
(both solutions, both unmodified exercises, every wrong or adversarial submission
of ``submissions/<assignment>/``), autograded and given feedback in one nbgrader run.
"""

from __future__ import annotations

import filecmp
import subprocess
import time
import warnings

import pytest

from . import harness
from .harness import ASSIGNMENTS

# The course's per-cell timeout is 60 s; the tests use less, so that the endless loop
# of the adversarial submission costs less time (every other cell takes a few seconds).
TEST_CELL_TIMEOUT = 20

SPECS = {a: harness.load_specs(a) for a in ASSIGNMENTS}


def _failure_excerpt(log: str) -> str:
    """The part of an nbgrader log that explains a failure: its tracebacks and error lines."""
    lines = log.splitlines()
    keep = [i for i, line in enumerate(lines) if "Traceback" in line or "| ERROR]" in line]
    if not keep:
        return "\n".join(lines[-40:])
    return "\n".join(lines[max(0, keep[0] - 5):keep[0] + 60] + [lines[i] for i in keep[1:] if i >= keep[0] + 60])


def _run_in_parallel(jobs: dict) -> None:
    """Run ``{name: (course, [argv, ...])}``: the commands of one job in order, the jobs side by side.

    Each command's output goes to a log file in its course folder (a pipe could fill up and stall
    nbgrader).  A command that fails is run once more: three nbgrader runs side by side now and
    then lose a kernel for reasons outside the exercises (about one CI run in five); the first
    failure is reported as a warning with nbgrader's traceback, and a second failure fails the test.
    """
    running = {}
    pending = {name: [(argv, 1) for argv in commands] for name, (course, commands) in jobs.items()}
    courses = {name: course for name, (course, _) in jobs.items()}
    errors, retried = [], []
    while pending or running:
        for name in list(pending):
            if name not in running:
                argv, attempt = pending[name].pop(0)
                log = courses[name] / f"nbgrader-{argv[1]}-{attempt}.log"
                with open(log, "w", encoding="utf-8") as out:
                    p = subprocess.Popen(argv, cwd=courses[name], env=harness.environment(),
                                         stdout=out, stderr=subprocess.STDOUT, text=True)
                running[name] = (argv, attempt, log, p)
                if not pending[name]:
                    del pending[name]
        for name, (argv, attempt, log, p) in list(running.items()):
            if p.poll() is None:
                continue
            del running[name]
            if p.returncode == 0:
                continue
            excerpt = _failure_excerpt(log.read_text(encoding="utf-8", errors="replace"))
            if attempt == 1:
                retried.append(f"{' '.join(argv[1:])} failed once ({p.returncode}) and was run again:\n{excerpt}")
                pending.setdefault(name, []).insert(0, (argv, 2))
            else:
                errors.append(f"{' '.join(argv)} failed twice ({p.returncode}):\n{excerpt}")
        time.sleep(0.2)
    for message in retried:
        warnings.warn(message)
    if errors:
        raise RuntimeError("\n\n".join(errors))


@pytest.fixture(scope="session")
def graded(tmp_path_factory):
    """Every assignment generated, submitted by the whole class, autograded and given feedback."""
    base = tmp_path_factory.mktemp("courses")
    courses = {a: harness.make_course(base / a, [a]) for a in ASSIGNMENTS}
    _run_in_parallel({a: (c, [harness.nbgrader(c, "generate_assignment", a, "--force")]) for a, c in courses.items()})
    handed_in = {a: harness.submit_all(c, a, SPECS[a]) for a, c in courses.items()}
    _run_in_parallel({a: (c, harness.autograde_commands(c, a, TEST_CELL_TIMEOUT)) for a, c in courses.items()})
    return {a: {"course": c, "scores": harness.scores(c, a), "handed_in": handed_in[a],
                "points": harness.test_points(harness.read_solution(a, "en"))} for a, c in courses.items()}


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_are_what_generate_assignment_makes(graded, assignment):
    generated = graded[assignment]["course"] / "exercises" / assignment
    committed = harness.ROOT / "exercises" / assignment
    names = sorted(p.name for p in generated.iterdir())
    assert names == sorted(p.name for p in committed.iterdir())
    for name in names:
        assert filecmp.cmp(generated / name, committed / name, shallow=False), \
            f"exercises/{assignment}/{name} differs from nbgrader generate_assignment: regenerate it"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_solution_scores_full_marks(graded, assignment):
    points = graded[assignment]["points"]
    for notebook_id, grades in graded[assignment]["scores"]["solutions"].items():
        assert grades == points, f"{notebook_id}: {grades}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_every_unmodified_exercise_scores_zero(graded, assignment):
    course = graded[assignment]["course"]
    for notebook_id, grades in graded[assignment]["scores"]["exercises"].items():
        assert sum(grades.values()) == 0, f"{notebook_id}: {grades}"
        assert (course / "autograded" / "exercises" / assignment / f"{notebook_id}.ipynb").exists()
        assert (course / "feedback" / "exercises" / assignment / f"{notebook_id}.html").exists()


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_assignment_has_five_to_eight_tasks_and_ten_points(assignment):
    for lang in harness.LANGUAGES:
        nb = harness.read_solution(assignment, lang)
        tasks = [c for c in nb.cells if (c.metadata.get("nbgrader") or {}).get("solution")]
        assert 5 <= len(tasks) <= 8
        assert sum(harness.test_points(nb).values()) >= 10


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_at_least_ten_wrong_submissions(assignment):
    assert len(SPECS[assignment]) >= 10
    assert {s.notebook for s in SPECS[assignment]} == set(harness.LANGUAGES)


@pytest.mark.parametrize("spec", [s for a in ASSIGNMENTS for s in SPECS[a]], ids=lambda s: f"{s.assignment}/{s.name}")
def test_submission_gets_its_partial_score_and_hints(graded, spec):
    g = graded[spec.assignment]
    points = g["points"]
    assert set(spec.fails) <= set(points), f"unknown tests in the spec: {set(spec.fails) - set(points)}"
    grades = g["scores"][spec.student][spec.notebook_id]
    failed = {test for test, score in grades.items() if score < points[test]}
    assert failed == set(spec.fails), f"{spec.description}: {grades}"
    assert sum(grades.values()) == sum(points.values()) - sum(points[t] for t in spec.fails)
    outputs = harness.test_outputs(g["course"], spec.assignment, spec.student, spec.notebook_id)
    feedback = harness.feedback_text(g["course"], spec.assignment, spec.student, spec.notebook_id)
    for test, hint in spec.fails.items():
        if hint:  # the message of the AssertionError starts with the hint (the feedback also shows the test's code)
            assert f"AssertionError: {hint}" in outputs[test], f"{test}: not the expected hint: {outputs[test]!r}"
            assert f"AssertionError: {hint}" in feedback, f"{test}: the hint is not in the feedback"
