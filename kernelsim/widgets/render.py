"""DOT text -> SVG, with Graphviz's ``dot`` or a pip-installed port of it.

Graphviz's own ``dot`` binary is used when the machine has it (through the
``graphviz`` Python package).  Where it is missing (a laptop after a plain
``pip install``), the ``graphviz-pure`` wheel's ``graphviz-pure`` command
does the same layout (it is a port of Graphviz 16.1 with the same flags).
``KERNELSIM_RENDERER=dot|graphviz-pure`` forces one of them.
"""

from __future__ import annotations

import functools
import html
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import graphviz

RENDERERS = ("dot", "graphviz-pure")


@functools.lru_cache(maxsize=None)
def _graphviz_pure() -> str | None:
    """Path of the ``graphviz-pure`` command: on PATH, or beside this Python (an unactivated venv)."""
    found = shutil.which("graphviz-pure")
    if found:
        return found
    exe = "graphviz-pure.exe" if os.name == "nt" else "graphviz-pure"
    for folder in (Path(sys.executable).parent, Path(sysconfig.get_path("scripts"))):
        candidate = folder / exe
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return None


@functools.lru_cache(maxsize=None)
def _dot() -> str | None:
    return shutil.which("dot")


def available_renderers() -> list[str]:
    """The renderers this machine has, best first."""
    return [name for name, path in (("dot", _dot()), ("graphviz-pure", _graphviz_pure())) if path]


def renderer_name() -> str:
    """The renderer ``render_svg`` uses: ``dot``, ``graphviz-pure``, or ``none``."""
    forced = os.environ.get("KERNELSIM_RENDERER")
    available = available_renderers()
    if forced:
        if forced not in RENDERERS:
            raise ValueError(f"KERNELSIM_RENDERER must be one of {', '.join(RENDERERS)}, not {forced!r}")
        return forced if forced in available else "none"
    return available[0] if available else "none"


def _with_dot(source: str) -> str:
    return graphviz.Source(source).pipe(format="svg", encoding="utf-8")


def _with_graphviz_pure(source: str) -> str:
    proc = subprocess.run([_graphviz_pure(), "-Tsvg"], input=source.encode("utf-8"), capture_output=True,
                          timeout=60, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"graphviz-pure failed: {proc.stderr.decode('utf-8', 'replace').strip()}")
    return proc.stdout.decode("utf-8")


def no_renderer_svg(source: str) -> str:
    """A small SVG saying that no renderer is installed (the DOT text is kept in it)."""
    msg = "No Graphviz renderer found: pip install graphviz-pure (or install Graphviz)."
    return ('<svg xmlns="http://www.w3.org/2000/svg" width="520" height="40">'
            f'<text x="8" y="24" font-family="Helvetica" font-size="13">{html.escape(msg)}</text>'
            f"<desc>{html.escape(source)}</desc></svg>")


def render_svg(dot_source: str, renderer: str | None = None) -> str:
    """The SVG text of a DOT graph."""
    renderer = renderer or renderer_name()
    if renderer == "dot":
        return _with_dot(dot_source)
    if renderer == "graphviz-pure":
        if _graphviz_pure() is None:
            raise RuntimeError("graphviz-pure is not installed (pip install graphviz-pure)")
        return _with_graphviz_pure(dot_source)
    if renderer == "none":
        return no_renderer_svg(dot_source)
    raise ValueError(f"unknown renderer {renderer!r}; choose one of {', '.join(RENDERERS)}")
