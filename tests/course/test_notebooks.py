"""The course notebooks: built from their sources, the same code in Korean and English,
committed without outputs, and each one runs top to bottom in a fresh kernel."""

from __future__ import annotations

import re
import time

import pytest

from .notebooks import COURSE, ERROR, LANGUAGES, code_cells, markdown, output_text, path, read, stems

OBJECTIVES = {"en": "**In this notebook you will**", "ko": "**이 노트북의 학습 목표**"}
TRY_IT = {"en": "Try it", "ko": "직접 해 보기"}
SUMMARY = {"en": "## Summary", "ko": "## 정리"}


def test_committed_notebooks_are_what_build_py_makes():
    from .notebooks import build_module

    built = build_module().build()
    committed = {p for lang in LANGUAGES for p in (COURSE / lang).glob("*.ipynb")}
    assert committed == set(built), "run: python course/build.py"
    stale = [str(p.relative_to(COURSE)) for p, text in built.items() if p.read_text(encoding="utf-8") != text]
    assert stale == [], "out of date, run: python course/build.py"


def test_building_twice_gives_identical_bytes():
    from .notebooks import build_module

    module = build_module()
    assert module.build() == module.build()


@pytest.mark.parametrize("stem", stems())
def test_korean_and_english_code_cells_are_identical(stem):
    ko, en = code_cells(stem, "ko"), code_cells(stem, "en")
    assert [c.source for c in ko] == [c.source for c in en]
    assert [c.id for c in read(stem, "ko").cells] == [c.id for c in read(stem, "en").cells]
    assert [c.cell_type for c in read(stem, "ko").cells] == [c.cell_type for c in read(stem, "en").cells]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", stems())
def test_notebooks_are_committed_without_outputs(stem, lang):
    nb = read(stem, lang)
    assert nb.metadata.kernelspec.name == "python3"
    assert nb.metadata.kernelsim.lang == lang
    for cell in code_cells(stem, lang):
        assert cell.outputs == [] and cell.execution_count is None, cell.source[:60]


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", stems())
def test_each_notebook_has_objectives_try_it_quiz_and_summary(stem, lang):
    cells = read(stem, lang).cells
    assert OBJECTIVES[lang] in cells[0].source, "learning objectives at the top"
    assert cells[-1].cell_type == "markdown" and SUMMARY[lang] in cells[-1].source, "a summary at the end"
    assert TRY_IT[lang] in markdown(stem, lang)
    questions = sum(c.source.count('{"question":') for c in code_cells(stem, lang) if "quiz" in c.metadata.get("tags", []))
    assert questions >= 3, "at least three self-check questions"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", stems())
def test_links_point_to_notebooks_that_exist(stem, lang):
    for target in re.findall(r"\]\(([^)#]+\.ipynb)\)", markdown(stem, lang)):
        assert (COURSE / lang / target).exists(), f"{stem} ({lang}) links to missing {target}"


def test_the_index_links_every_notebook_in_order():
    for lang in LANGUAGES:
        text = markdown("00_index", lang)
        links = re.findall(r"\]\(([^)#]+)\.ipynb\)", text)
        # The course's notebooks sit side by side; links into other folders (the exercises) are extra.
        listed = list(dict.fromkeys(link for link in links if link != "00_index" and "/" not in link))
        assert listed == [s for s in stems() if s != "00_index"], lang


# -- running every notebook as a learner would ---------------------------------------------

def run_notebook(nb_path, monkeypatch):
    """Execute a copy of the notebook in a fresh python3 kernel in its own folder."""
    import nbformat
    from nbclient import NotebookClient

    monkeypatch.setenv("KERNELSIM_REALTIME", "0")  # the kernel inherits this: time moves only on request
    monkeypatch.delenv("KERNELSIM_LANG", raising=False)
    nb = nbformat.read(nb_path, as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3", allow_errors=True,
                            resources={"metadata": {"path": str(nb_path.parent)}})
    started = time.monotonic()
    client.execute()
    return nb, time.monotonic() - started


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("stem", stems())
def test_notebook_runs_top_to_bottom(stem, lang, monkeypatch):
    nb, seconds = run_notebook(path(stem, lang), monkeypatch)
    assert seconds < 60, f"{stem} ({lang}) took {seconds:.0f} s"
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        errors = [o for o in cell.outputs if o.output_type == "error"]
        assert not errors, f"{cell.source[:80]!r} raised {errors[0].ename}: {errors[0].evalue}"
        text = output_text(cell)
        tags = cell.metadata.get("tags", [])
        if "quiz" in tags:
            # the quiz speaks the notebook's language (taken from the notebook's folder)
            assert text.startswith("[셀프 체크]" if lang == "ko" else "[Self-check]"), text
        elif "expect-error" in tags:
            assert ERROR.search(text), f"this cell should show an error:\n{cell.source}\n---\n{text}"
        else:
            assert not ERROR.search(text), f"unexpected error in:\n{cell.source}\n---\n{text}"
