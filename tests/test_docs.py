"""The README and docs/ point only inside the repository: every relative link resolves to a file
or folder of the repository, and every repository path they name in backticks exists."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md"] + sorted((ROOT / "docs").glob("*.md"))
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
# A repository path in backticks: a top-level folder of the repository, then a file with an
# extension the repository keeps in git (paths of an installed environment, like etc/jupyter/, are not ours).
TOP = sorted(p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
PATH = re.compile(r"^(?:%s)(?:/[\w.-]+)+\.(?:md|py|ipynb|txt|toml|cfg|yaml|yml|json)$" % "|".join(map(re.escape, TOP)))


def prose(text: str) -> str:
    """The text without its fenced code blocks (their paths are examples, not references)."""
    return re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)


def links(text: str) -> list[str]:
    return [t for t in LINK.findall(prose(text)) if not re.match(r"^[a-z][a-z+.-]*:", t) and not t.startswith("#")]


def named_paths(text: str) -> list[str]:
    spans = re.findall(r"`([^`\n]+)`", prose(text))
    return [w for s in spans for w in s.split() if PATH.match(w) and "<" not in w]


def inside(path: Path) -> bool:
    try:
        path.resolve().relative_to(ROOT)
        return True
    except ValueError:
        return False


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_relative_link_resolves_inside_the_repository(doc):
    for target in links(doc.read_text()):
        path = (doc.parent / target.split("#")[0]).resolve()
        assert inside(path), f"{doc.name} links outside the repository: {target}"
        assert path.exists(), f"{doc.name} links to {target}, which does not exist"


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_file_named_in_backticks_is_in_the_repository(doc):
    for name in named_paths(doc.read_text()):
        assert (ROOT / name).exists(), f"{doc.name} names {name}, which is not in the repository"


def test_the_readme_links_the_architecture_and_names_no_outside_document():
    text = (ROOT / "README.md").read_text()
    assert "](docs/architecture.md)" in text
    assert "steering" not in text and "DESIGN.md" not in text


def test_the_checks_see_links_and_paths():
    text = "See [a](docs/x.md), [b](https://example.org) and `kernelsim/cluster.py`.\n```\n`not/this.py`\n```\n"
    assert links(text) == ["docs/x.md"]
    assert named_paths(text) == ["kernelsim/cluster.py"]
