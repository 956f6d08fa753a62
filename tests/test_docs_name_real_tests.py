"""docs/security.md and docs/privacy.md name, next to each promise, the test that checks it.

A test renamed or removed would leave a promise pointing at nothing: every
name they give (``tests/…py::test_…``, or ``::test_…`` for the file named just
before) must be a test function in that file.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = ("docs/security.md", "docs/privacy.md")
REFERENCE = re.compile(r"`(tests/[\w/]+\.py)?(?:::(test_\w+))?`")


def references(text: str) -> list[tuple[str, str]]:
    """(file, test) for each test named; ``::name`` belongs to the file named before it."""
    found, current = [], None
    for match in REFERENCE.finditer(text):
        path, name = match.groups()
        current = path or current
        if name:
            assert current, f"::{name} before any file is named"
            found.append((current, name))
    return found


def test_references_resolve_to_the_file_named_before():
    text = "`tests/a.py::test_one`, `::test_two`; `tests/b.py` (`::test_three`)"
    assert references(text) == [("tests/a.py", "test_one"), ("tests/a.py", "test_two"),
                                ("tests/b.py", "test_three")]


@pytest.mark.parametrize("document", DOCUMENTS)
def test_every_test_a_document_names_exists(document):
    named = references((ROOT / document).read_text())
    assert len(named) > 20, "the document should name the tests of its promises"
    missing = [f"{path}::{name}" for path, name in named
               if not (ROOT / path).is_file()
               or not re.search(rf"^(?:async )?def {name}\(", (ROOT / path).read_text(),
                                re.MULTILINE)]
    assert not missing, missing
