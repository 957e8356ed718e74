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

import pytest

from . import harness
from .harness import ASSIGNMENTS

# The course's per-cell timeout is 60 s; the tests use less, so that the endless loop
# of the adversarial submission costs less time (every other cell takes a few seconds).
TEST_CELL_TIMEOUT = 20

SPECS = {a: harness.load_specs(a) for a in ASSIGNMENTS}


def _run_in_parallel(jobs: dict) -> None:
    """Run ``{name: (course, [argv, ...])}``: the commands of one job in order, the jobs side by side."""
    running = {}
    pending = {name: list(commands) for name, (course, commands) in jobs.items()}
    courses = {name: course for name, (course, _) in jobs.items()}
    errors = []
    while pending or running:
        for name in list(pending):
            if name not in running:
                argv = pending[name].pop(0)
                running[name] = (argv, subprocess.Popen(argv, cwd=courses[name], env=harness.environment(),
                                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True))
                if not pending[name]:
                    del pending[name]
        for name, (argv, p) in list(running.items()):
            if p.poll() is not None:
                out = p.stdout.read()
                if p.returncode != 0:
                    errors.append(f"{' '.join(argv)} failed ({p.returncode}):\n{out[-4000:]}")
                del running[name]
        time.sleep(0.2)
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
