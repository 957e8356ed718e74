"""Builds the course notebooks: one source, two languages, identical code.

Each notebook is written once, in ``course/src/NN_name.md``.  The file is a
list of cells, each starting with a marker line:

    <!-- cell: markdown -->      followed by <!-- en --> text and <!-- ko --> text
    <!-- cell: code -->          followed by one fenced ```python block (shared by both languages)
    <!-- cell: quiz -->          followed by one fenced ```yaml list of questions (bilingual texts)

A code marker may carry tags: ``<!-- cell: code expect-error -->`` marks a
cell whose point is to show an error (the tests check that it does).

``python course/build.py`` writes ``course/ko/NN_name.ipynb`` and
``course/en/NN_name.ipynb`` (nbformat v4, kernel python3, no outputs, cell ids
derived from the source, so rebuilding gives identical bytes).
``python course/build.py --check`` only reports notebooks that differ.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

COURSE = Path(__file__).resolve().parent
SOURCES = COURSE / "src"
LANGUAGES = ("ko", "en")
KINDS = ("markdown", "code", "quiz")

CELL_MARKER = re.compile(r"^<!-- cell: (\w+)((?: [\w-]+)*) -->\s*$")
LANG_MARKER = re.compile(r"^<!-- (ko|en) -->\s*$")
FENCE = re.compile(r"^```")

KERNELSPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


class SourceError(ValueError):
    """A course source file that cannot be built."""


@dataclass
class Cell:
    kind: str                      # markdown, code or quiz
    text: dict                     # language -> markdown text; for code and quiz: {"*": source}
    tags: list = field(default_factory=list)
    line: int = 0                  # where the cell starts in its source file

    def source(self, lang: str) -> str:
        return self.text.get(lang, self.text.get("*", ""))


# -- reading a source file ----------------------------------------------------------------

def _trim(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return "\n".join(lines)


def _fenced(lines: list[str], where: str) -> str:
    body = _trim(lines).splitlines()
    if len(body) < 2 or not FENCE.match(body[0]) or body[-1].strip() != "```":
        raise SourceError(f"{where}: expected one fenced block (```python ... ```)")
    return "\n".join(body[1:-1])


def _markdown(lines: list[str], where: str) -> dict:
    parts: dict[str, list[str]] = {}
    current = None
    for line in lines:
        m = LANG_MARKER.match(line)
        if m:
            current = m.group(1)
            if current in parts:
                raise SourceError(f"{where}: <!-- {current} --> given twice")
            parts[current] = []
        elif current is None:
            if line.strip():
                raise SourceError(f"{where}: markdown text before <!-- ko --> or <!-- en -->")
        else:
            parts[current].append(line)
    missing = [lang for lang in LANGUAGES if lang not in parts]
    if missing:
        raise SourceError(f"{where}: markdown cell without {', '.join(missing)} text")
    return {lang: _trim(parts[lang]) for lang in LANGUAGES}


def _check_quiz(questions, where: str) -> None:
    from kernelsim.course.quiz import Question  # validates answers and options

    if not isinstance(questions, list) or not questions:
        raise SourceError(f"{where}: a quiz is a non-empty YAML list of questions")
    for q in questions:
        if set(q) - {"question", "options", "answer", "explanation"}:
            raise SourceError(f"{where}: unknown quiz keys {sorted(set(q) - {'question', 'options', 'answer', 'explanation'})}")
        for key in ("question", "explanation"):
            if not isinstance(q.get(key), dict) or set(q[key]) != set(LANGUAGES):
                raise SourceError(f"{where}: quiz {key} must be given in both ko and en")
        for option in q["options"]:
            if isinstance(option, dict) and set(option) != set(LANGUAGES):
                raise SourceError(f"{where}: a translated option needs both ko and en")
        try:
            Question.from_spec(q)
        except (ValueError, TypeError, KeyError) as e:
            raise SourceError(f"{where}: {e}") from None


def quiz_code(questions: list) -> str:
    """The code cell that shows a quiz (the same in both languages)."""
    def text(value, indent: int) -> str:
        if not isinstance(value, dict):
            return json.dumps(value, ensure_ascii=False)
        pairs = [f"{json.dumps(k)}: {json.dumps(value[k], ensure_ascii=False)}" for k in ("en", "ko")]
        return "{" + (",\n" + " " * (indent + 1)).join(pairs) + "}"

    lines = ["from kernelsim.course import Quiz", "", "Quiz(["]
    for q in questions:
        options = [text(o, 17) for o in q["options"]]
        lines.append('    {"question": ' + text(q["question"], 17) + ",")
        lines.append('     "options": [' + (",\n" + " " * 17).join(options) + "],")
        lines.append('     "answer": ' + str(q["answer"]) + ",")
        lines.append('     "explanation": ' + text(q["explanation"], 20) + "},")
    lines.append("])")
    return "\n".join(lines)


def parse(path: Path) -> list[Cell]:
    """The cells of one source file."""
    cells: list[Cell] = []
    kind, tags, start, body = None, [], 0, []

    def close() -> None:
        if kind is None:
            if _trim(body):
                raise SourceError(f"{path.name}:1: text before the first <!-- cell: ... --> marker")
            return
        where = f"{path.name}:{start}"
        if kind == "markdown":
            cells.append(Cell("markdown", _markdown(body, where), tags, start))
        elif kind == "code":
            cells.append(Cell("code", {"*": _fenced(body, where)}, tags, start))
        else:
            questions = yaml.safe_load(_fenced(body, where))
            _check_quiz(questions, where)
            cells.append(Cell("quiz", {"*": quiz_code(questions)}, tags, start))

    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        m = CELL_MARKER.match(line)
        if m:
            close()
            kind, tags, start, body = m.group(1), m.group(2).split(), number, []
            if kind not in KINDS:
                raise SourceError(f"{path.name}:{number}: unknown cell kind {kind!r}")
        else:
            body.append(line)
    close()
    return cells


# -- writing notebooks --------------------------------------------------------------------

def cell_ids(stem: str, cells: list[Cell]) -> list[str]:
    """Stable ids from each cell's kind and (English) content; repeats get a counter."""
    seen: dict[str, int] = {}
    ids = []
    for cell in cells:
        digest = hashlib.sha1(f"{stem}\n{cell.kind}\n{cell.source('en')}".encode()).hexdigest()[:10]
        n = seen.get(digest, 0)
        seen[digest] = n + 1
        ids.append(digest if n == 0 else f"{digest}-{n}")
    return ids


def render(stem: str, cells: list[Cell], lang: str) -> str:
    """One notebook, as the exact text written to disk."""
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": dict(KERNELSPEC),
        "language_info": {"name": "python"},
        "kernelsim": {"lang": lang, "source": f"src/{stem}.md"},
    }
    for cell, cid in zip(cells, cell_ids(stem, cells)):
        if cell.kind == "markdown":
            nb.cells.append(nbformat.v4.new_markdown_cell(cell.source(lang), id=cid))
            continue
        metadata: dict = {}
        tags = list(cell.tags)
        if cell.kind == "quiz":
            tags.append("quiz")
            metadata["jupyter"] = {"source_hidden": True}
        if tags:
            metadata["tags"] = tags
        nb.cells.append(nbformat.v4.new_code_cell(cell.source(lang), id=cid, metadata=metadata))
    nbformat.validate(nb)
    return nbformat.writes(nb) + "\n"


def build(sources: Path = SOURCES) -> dict[Path, str]:
    """Every notebook the sources make: path -> text."""
    out = {}
    for src in sorted(sources.glob("*.md")):
        cells = parse(src)
        for lang in LANGUAGES:
            out[sources.parent / lang / f"{src.stem}.ipynb"] = render(src.stem, cells, lang)
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="only report notebooks that differ from their sources")
    args = p.parse_args(argv)
    try:
        notebooks = build()
    except SourceError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    stale = [path for path, text in notebooks.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(COURSE)}")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(notebooks[path], encoding="utf-8")
        print(f"wrote {path.relative_to(COURSE)}")
    print(f"{len(notebooks)} notebooks, {len(stale)} written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
