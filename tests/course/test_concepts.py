"""Coverage of the chapter's concepts by runnable demonstrations in the notebooks (list in concepts.py)."""

import pytest

from .concepts import CONCEPTS
from .notebooks import LANGUAGES, code_cells, markdown, path


def missing(concept) -> list[str]:
    """What the concept's notebooks lack; empty when the concept is demonstrated."""
    gaps = []
    for stem in concept.notebooks:
        if not all(path(stem, lang).exists() for lang in LANGUAGES):
            gaps.append(f"{stem}: no notebook")
            continue
        code = "\n\n".join(c.source + "\n" for c in code_cells(stem))
        gaps += [f"{stem}: no code cell with {s!r}" for s in concept.code if s not in code]
        for lang in LANGUAGES:
            text = markdown(stem, lang)
            gaps += [f"{stem} ({lang}): never mentions {w!r}" for w in concept.text if w not in text]
    return gaps


def test_the_list_is_well_formed():
    names = [c.name for c in CONCEPTS]
    assert len(names) == len(set(names))
    for c in CONCEPTS:
        assert c.notebooks and (c.code or c.text), c.name
        assert bool(c.pending) == bool(c.reason), f"{c.name}: a pending concept needs a reason (and only then)"


@pytest.mark.parametrize("concept", [c for c in CONCEPTS if not c.pending], ids=lambda c: c.name)
def test_concept_is_demonstrated(concept):
    assert missing(concept) == []


def test_pending_concepts_are_reported_and_not_yet_demonstrated(capsys):
    pending = [c for c in CONCEPTS if c.pending]
    with capsys.disabled():
        print(f"\n{len(pending)} of {len(CONCEPTS)} chapter concepts are pending (second wave):")
        for c in pending:
            print(f"  - {c.name} [{', '.join(c.notebooks)}]: {c.reason}")
    done = [c.name for c in pending if not missing(c)]
    assert done == [], f"demonstrated now, drop pending=True: {done}"
