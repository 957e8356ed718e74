"""Helpers shared by the course tests: where the notebooks are, and how to read them."""

from __future__ import annotations

import importlib.util
import re
import sys
from functools import lru_cache
from pathlib import Path

import nbformat

COURSE = Path(__file__).resolve().parents[2] / "course"
LANGUAGES = ("ko", "en")

# What an error looks like in a cell's output: kubectl's server and client errors,
# the API server's validation errors, and Python exceptions printed by a cell.
ERROR = re.compile(r"Error from server|^error:|is invalid:|Traceback|\w*Error: ", re.M)


@lru_cache(maxsize=None)
def build_module():
    spec = importlib.util.spec_from_file_location("course_build", COURSE / "build.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def stems() -> list[str]:
    """Every notebook of the course, by source name (``01_getting_started``...)."""
    return sorted(p.stem for p in (COURSE / "src").glob("*.md"))


def path(stem: str, lang: str) -> Path:
    return COURSE / lang / f"{stem}.ipynb"


@lru_cache(maxsize=None)
def _read(p: str):
    return nbformat.read(p, as_version=4)


def read(stem: str, lang: str):
    return _read(str(path(stem, lang)))


def code_cells(stem: str, lang: str = "en") -> list:
    return [c for c in read(stem, lang).cells if c.cell_type == "code"]


def markdown(stem: str, lang: str) -> str:
    return "\n\n".join(c.source for c in read(stem, lang).cells if c.cell_type == "markdown")


def output_text(cell) -> str:
    """Everything a code cell printed or displayed, as text."""
    parts = []
    for out in cell.get("outputs", []):
        if out.output_type == "stream":
            parts.append(out.text)
        elif out.output_type in ("execute_result", "display_data"):
            parts.append(out.get("data", {}).get("text/plain", ""))
        elif out.output_type == "error":
            parts.append(f"{out.ename}: {out.evalue}")
    return "".join(parts)
