"""The matcher stays pure Python + networkx: no Flask, no SQLAlchemy, no app models, no scipy."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "mutuo_aiuto" / "matching"
FORBIDDEN = ("flask", "sqlalchemy", "flask_sqlalchemy", "werkzeug", "scipy", "numpy",
             "mutuo_aiuto.models", "mutuo_aiuto.web", "mutuo_aiuto.services",
             "mutuo_aiuto.extensions", "mutuo_aiuto.config")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_no_module_imports_the_web_stack(path: Path):
    bad = {name for name in _imports(path)
           if any(name == f or name.startswith(f + ".") for f in FORBIDDEN)}
    assert not bad, f"{path.name} imports {sorted(bad)}"


def test_importing_the_matcher_loads_neither_flask_nor_sqlalchemy():
    code = ("import sys, mutuo_aiuto.matching, mutuo_aiuto.matching.__main__; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            "('flask', 'sqlalchemy', 'scipy')))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          cwd=PACKAGE.parents[1], timeout=60, check=True)
    assert done.stdout.strip() == "[]"
