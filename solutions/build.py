"""Builds the nbgrader source notebooks of the exercises: one source, two languages.

Each assignment is written once, in ``solutions/<assignment>.md``, and built into
``solutions/<assignment>/<assignment>.ko.ipynb`` and ``<assignment>.en.ipynb``
(the instructor versions that ``nbgrader generate_assignment`` turns into
``exercises/``).  The format follows ``course/build.py``: a list of cells, each
starting with a marker line.

    <!-- cell: markdown -->                 then <!-- en --> text and <!-- ko --> text
    <!-- cell: code -->                     ordinary code, shared by both languages
    <!-- cell: code setup -->               read-only set-up code (nbgrader "read-only" cell)
    <!-- cell: code solution ID -->         an answer cell ("autograded answer") with grade id ID
    <!-- cell: code test ID POINTS -->      a test cell ("autograder tests") worth POINTS

In code, ``{{lang}}`` becomes ``ko`` or ``en``.  Cell ids come from the content, and
notebooks have no outputs, so building twice gives identical bytes.

    .venv/bin/python solutions/build.py            # write the notebooks
    .venv/bin/python solutions/build.py --check    # exit 1 if a notebook is out of date
    .venv/bin/python solutions/build.py --release  # then regenerate exercises/ with nbgrader generate_assignment
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

SOLUTIONS = Path(__file__).resolve().parent
ASSIGNMENTS = ("namespaces", "templates", "controllers")
LANGUAGES = ("ko", "en")
KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}

CELL_MARKER = re.compile(r"^<!-- cell: (markdown|code)((?: [\w.-]+)*) -->\s*$")
LANG_MARKER = re.compile(r"^<!-- (ko|en) -->\s*$")
FENCE = re.compile(r"^```")


class SourceError(ValueError):
    """A source file that cannot be built."""


@dataclass
class Cell:
    kind: str
    role: str = ""          # "", "setup", "solution" or "test"
    grade_id: str = ""
    points: int = 0
    text: dict = field(default_factory=dict)   # language -> text ("*" for code)
    line: int = 0


def parse(path: Path) -> list[Cell]:
    cells: list[Cell] = []
    lang = None
    in_fence = False
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        marker = CELL_MARKER.match(line)
        if marker and not in_fence:
            words = marker.group(2).split()
            cell = Cell(marker.group(1), line=number)
            if words:
                cell.role = words[0]
                if cell.role == "solution" and len(words) == 2:
                    cell.grade_id = words[1]
                elif cell.role == "test" and len(words) == 3:
                    cell.grade_id, cell.points = words[1], int(words[2])
                elif cell.role == "setup" and len(words) == 1:
                    cell.grade_id = "setup"
                else:
                    raise SourceError(f"{path.name}:{number}: bad marker {line!r}")
            cells.append(cell)
            lang = None
            continue
        if not cells:
            if line.strip():
                raise SourceError(f"{path.name}:{number}: text before the first cell marker")
            continue
        cell = cells[-1]
        if cell.kind == "markdown":
            m = LANG_MARKER.match(line)
            if m:
                lang = m.group(1)
                cell.text[lang] = ""
            elif lang is None:
                if line.strip():
                    raise SourceError(f"{path.name}:{number}: markdown text before <!-- en --> or <!-- ko -->")
            else:
                cell.text[lang] += line + "\n"
        else:
            if FENCE.match(line):
                in_fence = not in_fence
                continue
            if in_fence:
                cell.text["*"] = cell.text.get("*", "") + line + "\n"
            elif line.strip():
                raise SourceError(f"{path.name}:{number}: code outside the fence")
    for cell in cells:
        if cell.kind == "markdown" and set(cell.text) != set(LANGUAGES):
            raise SourceError(f"{path.name}:{cell.line}: a markdown cell needs both <!-- en --> and <!-- ko -->")
        if cell.kind == "code" and "*" not in cell.text:
            raise SourceError(f"{path.name}:{cell.line}: a code cell needs one fenced block")
    ids = [c.grade_id for c in cells if c.grade_id]
    if len(ids) != len(set(ids)):
        raise SourceError(f"{path.name}: grade ids must be unique")
    return cells


def nbgrader_metadata(cell: Cell) -> dict | None:
    if not cell.role:
        return None
    meta = {"grade": cell.role == "test", "grade_id": cell.grade_id, "locked": cell.role != "solution",
            "schema_version": 3, "solution": cell.role == "solution", "task": False}
    if cell.role == "test":
        meta["points"] = cell.points
    return meta


def build_notebook(name: str, cells: list[Cell], lang: str) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"}}
    for index, cell in enumerate(cells):
        if cell.kind == "markdown":
            source = cell.text[lang].strip("\n")
            new = nbformat.v4.new_markdown_cell(source)
        else:
            source = cell.text["*"].replace("{{lang}}", lang).strip("\n")
            new = nbformat.v4.new_code_cell(source)
        meta = nbgrader_metadata(cell)
        if meta is not None:
            new.metadata["nbgrader"] = meta
        digest = hashlib.sha1(f"{name}|{lang}|{index}|{source}".encode()).hexdigest()[:12]
        new.id = f"{cell.grade_id or cell.kind}-{digest}"[:64]
        nb.cells.append(new)
    return nb


def render(nb) -> str:
    return nbformat.writes(nb) + "\n"


def targets(name: str) -> dict[Path, str]:
    cells = parse(SOLUTIONS / f"{name}.md")
    return {SOLUTIONS / name / f"{name}.{lang}.ipynb": render(build_notebook(name, cells, lang))
            for lang in LANGUAGES}


def release(name: str) -> None:
    """Run ``nbgrader generate_assignment`` on a copy of the course, and copy its result to ``exercises/``.

    (A copy, so that the repository gets no gradebook.)"""
    root = SOLUTIONS.parent
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(root / "nbgrader_config.py", course)
        shutil.copytree(SOLUTIONS / name, course / "solutions" / name)
        bin_dir = Path(sys.executable).parent
        env = dict(os.environ, PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")
        subprocess.run([str(bin_dir / "nbgrader"), "generate_assignment", name, "--force"], cwd=course, env=env,
                       check=True, capture_output=True)
        target = root / "exercises" / name
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(course / "exercises" / name, target)
    print(f"released exercises/{name}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report notebooks that are out of date")
    parser.add_argument("--release", action="store_true", help="also regenerate exercises/ with nbgrader")
    parser.add_argument("assignments", nargs="*", default=list(ASSIGNMENTS), help="the assignments (default: all)")
    args = parser.parse_args(argv)
    stale = []
    for name in args.assignments:
        for path, text in targets(name).items():
            if path.exists() and path.read_text(encoding="utf-8") == text:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(("out of date: " if args.check else "wrote ") + str(path.relative_to(SOLUTIONS.parent)))
    if args.release and not args.check:
        for name in args.assignments:
            release(name)
    return 1 if (args.check and stale) else 0


if __name__ == "__main__":
    sys.exit(main())
