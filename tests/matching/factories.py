"""Small problems for matcher tests: ``make_need(**overrides)`` and friends.

Every field has a default under which the need and the offer pair up, so a
test names only what it is about.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from mutuo_aiuto.matching import FixedPair, Need, Offer, Problem, Slot, Weights

EXAMPLE = json.loads((Path(__file__).parent / "example_problem.json").read_text())
EXAMPLE_ANSWER = json.loads((Path(__file__).parent / "example_answer.json").read_text())

PLACES = ("fontivegge", "madonna-alta", "cortonese", "pallotta")
# A line: fontivegge - madonna-alta - cortonese - pallotta.
LINE = (("fontivegge", "madonna-alta"), ("madonna-alta", "cortonese"),
        ("cortonese", "pallotta"))


def example() -> dict[str, Any]:
    """A fresh copy of the format page's example problem (file form)."""
    return copy.deepcopy(EXAMPLE)


def weekly(day: int, start: str, end: str) -> Slot:
    return Slot(day, _minutes(start), _minutes(end))


def _minutes(text: str) -> int:
    hours, minutes = text.split(":")
    return int(hours) * 60 + int(minutes)


def make_need(**overrides: Any) -> Need:
    fields: dict[str, Any] = dict(id="n1", household="family", skills=("childcare",),
                                  neighbourhood="fontivegge",
                                  slots=(weekly(1, "16:00", "18:00"),))
    fields.update(overrides)
    return Need(**fields)


def make_offer(**overrides: Any) -> Offer:
    fields: dict[str, Any] = dict(id="o1", household="helper", skills=("childcare", "homework"),
                                  neighbourhood="fontivegge",
                                  slots=(weekly(1, "15:00", "19:00"),), capacity=1)
    fields.update(overrides)
    return Offer(**fields)


def make_problem(needs: tuple[Need, ...] = (), offers: tuple[Offer, ...] = (),
                 fixed: tuple[tuple[str, str], ...] = (), weights: Weights | None = None,
                 ) -> Problem:
    return Problem(neighbourhoods=PLACES, adjacency=LINE, needs=tuple(needs),
                   offers=tuple(offers), fixed=tuple(FixedPair(n, o) for n, o in fixed),
                   weights=weights or Weights())
