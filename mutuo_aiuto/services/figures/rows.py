"""The long-form row every figure is exported as, and the texts that name a figure.

One ``Figure`` is one number: an indicator for one period, broken down (or not)
by neighbourhood, category, gender and age band. ``None`` in a breakdown column
means "all of them" (the margin of a table). The texts are English msgids marked
with ``N_`` so Babel extracts them: the pages translate them into the reader's
language, the exports into Italian (``italian``), whoever downloads them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from babel.support import NullTranslations, Translations

# The catalogues Flask-Babel reads (``i18n.TRANSLATIONS_DIR``), found the same way here
# so that the package stays free of Flask: the exports are made outside requests too.
TRANSLATIONS_DIR = Path(__file__).resolve().parents[3] / "translations"


def N_(msgid: str) -> str:  # Babel's default keyword: "mark, do not translate"
    """Mark ``msgid`` for extraction; it is translated where it is shown."""
    return msgid


@functools.cache
def _italian() -> NullTranslations:
    return Translations.load(str(TRANSLATIONS_DIR), ["it"])


def italian(msgid: str) -> str:
    """``msgid`` in Italian, the language of the funder's exports, whatever the reader's."""
    return _italian().gettext(msgid)


@dataclass(frozen=True)
class Indicator:
    """What an indicator is: its name, its ESF+ code where one applies, label and definition."""

    name: str
    label: str  # msgid
    definition: str  # msgid
    code: str | None = None
    # Counts that add up along a table's rows, columns and periods: only these can be
    # worked out by subtraction, so only these get secondary suppression.
    additive: bool = False
    # Counts of events (a request posted, a person's first day): the periods add up to the
    # cumulative figure, so time is a line of the table too. Not so for distinct households.
    over_time: bool = False
    # Special-category data (health, minority): never shown with a cell under 5, zero included.
    special: bool = False


@dataclass(frozen=True)
class Figure:
    """One row of the long-form export (the columns of ``COLUMNS``, in that order)."""

    period_start: date
    period_end: date
    indicator: str
    code: str | None
    label: str  # Italian
    neighbourhood: str | None = None
    category: str | None = None
    gender: str | None = None
    age_band: str | None = None
    value: float | int | None = None
    suppressed: bool = False


COLUMNS = ("period_start", "period_end", "indicator", "code", "label", "neighbourhood",
           "category", "gender", "age_band", "value", "suppressed")
