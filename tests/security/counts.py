"""What the security proofs counted (requests tried, hypothesis examples run).

The proofs call ``count``; ``tests/conftest.py`` prints the totals at the end
of the run. Under pytest-xdist every worker counts its own share and hands it
to the controller, which adds them up before printing.
"""

from __future__ import annotations

COUNTS: dict[str, int] = {}


def count(name: str, n: int = 1) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + n


def add(counts: dict[str, int]) -> None:
    for name, n in counts.items():
        count(name, n)
