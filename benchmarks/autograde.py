"""How long nbgrader takes to autograde the exercises: per submission, and for a class.

For each assignment, a copy of the course is made, ``nbgrader generate_assignment``
runs, and a class of submissions is handed in: the solutions and the wrong
submissions of ``tests/exercises/submissions/``, taken in turn, one notebook each.
Then:

* one submission alone: ``nbgrader autograde <assignment> --student=<id>`` (this
  includes nbgrader's own start-up), repeated, median;
* the class: one ``nbgrader autograde <assignment>`` run; the time of each submission
  inside it (from one student's first log line to the next one's), median, and the
  whole run.

    .venv/bin/python benchmarks/autograde.py                   # class of 30, every assignment
    .venv/bin/python benchmarks/autograde.py --class-size 6 namespaces

It prints figures and asserts nothing.
"""

from __future__ import annotations

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.exercises import harness  # noqa: E402

STUDENT_LINE = re.compile(r"Creating/updating student with ID '([^']+)'")


def make_class(course: Path, assignment: str, size: int) -> list[str]:
    """Hand in ``size`` submissions; returns the student ids."""
    specs = harness.load_specs(assignment)
    students = []
    for i in range(size):
        kind = i % (len(specs) + 2)
        student = f"student-{i + 1:02d}"
        if kind < 2:
            lang = harness.LANGUAGES[kind]
            nb = harness.read_solution(assignment, lang)
            notebook_id = f"{assignment}.{lang}"
        else:
            spec = specs[kind - 2]
            nb = harness.apply_edits(harness.read_solution(assignment, spec.notebook), spec.edits)
            notebook_id = spec.notebook_id
        harness.submit(course, assignment, student, {notebook_id: nb})
        students.append(student)
    return students


def timed_autograde(course: Path, assignment: str, *extra: str) -> tuple[float, dict[str, float]]:
    """Run ``nbgrader autograde``; return the wall time and the time of each student inside the run."""
    argv = harness.nbgrader(course, "autograde", assignment, "--force", *extra)
    start = time.monotonic()
    marks: list[tuple[str, float]] = []
    p = subprocess.Popen(argv, cwd=course, env=harness.environment(), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True)
    for line in p.stdout:
        m = STUDENT_LINE.search(line)
        if m:
            marks.append((m.group(1), time.monotonic()))
    p.wait()
    end = time.monotonic()
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed with {p.returncode}")
    per_student = {}
    for (student, t), nxt in zip(marks, [t for _, t in marks[1:]] + [end]):
        per_student[student] = nxt - t
    return end - start, per_student


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description="autograde timings of the kernelsim exercises")
    parser.add_argument("assignments", nargs="*", default=list(harness.ASSIGNMENTS))
    parser.add_argument("--class-size", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=3, help="runs of the single-submission measurement")
    args = parser.parse_args(argv)

    print(f"nbgrader autograde, class of {args.class_size}; times in seconds (wall clock)")
    print(f"{'assignment':<12} {'1 submission alone':>19} {'per submission in class':>24} "
          f"{'class of ' + str(args.class_size):>12}")
    for assignment in args.assignments:
        with tempfile.TemporaryDirectory(prefix=f"autograde-{assignment}-") as tmp:
            course = harness.make_course(Path(tmp), [assignment])
            harness.generate(course, assignment)
            students = make_class(course, assignment, args.class_size)
            alone = [timed_autograde(course, assignment, f"--student={students[0]}")[0] for _ in range(args.repeat)]
            total, per_student = timed_autograde(course, assignment)
            inside = statistics.median(per_student.values()) if per_student else float("nan")
            print(f"{assignment:<12} {statistics.median(alone):>19.1f} {inside:>24.1f} {total:>12.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
