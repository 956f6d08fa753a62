"""The Hub's front desk: where it is and when it is open, from the settings.

A helper who offers help with children or vulnerable people brings the
certificato del casellario giudiziale to the Hub's desk; the pages say where
(``HUB_ADDRESS``) and when (``HUB_HOURS``). The hours are written once, in a
short form that is the same in every language, and shown in the page's
language with Babel's day names::

    HUB_HOURS="mon,wed,fri 09:00-13:00; tue-thu 15:00-18:00"

``parse_hours`` checks that form (the settings refuse a wrong one at start);
``hours_lines`` says it in the reader's language.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from babel import Locale
from babel.dates import get_day_names
from babel.lists import format_list
from flask_babel import gettext as _

from mutuo_aiuto.models.slot import format_minutes

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_TIMES = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")


class HoursError(ValueError):
    """``HUB_HOURS`` is not in the form ``mon-fri 09:00-13:00; sat 09:00-12:00``."""


@dataclass(frozen=True)
class OpeningHours:
    """Some days of the week (0 = Monday) and the hours the desk is open on them."""

    days: tuple[int, ...]
    hours: tuple[tuple[int, int], ...]  # (start, end) in minutes from midnight


def _day(name: str) -> int:
    if name not in DAYS:
        raise HoursError(f"unknown day {name!r}: use {', '.join(DAYS)}")
    return DAYS.index(name)


def _days(text: str) -> tuple[int, ...]:
    found: list[int] = []
    for part in text.split(","):
        first, _dash, last = part.strip().partition("-")
        start = _day(first.strip())
        end = _day(last.strip()) if last else start
        if end < start:
            raise HoursError(f"{part.strip()!r}: the days go from Monday to Sunday")
        found += [day for day in range(start, end + 1) if day not in found]
    return tuple(sorted(found))


def _hours(text: str) -> tuple[int, int]:
    match = _TIMES.match(text.strip())
    if not match:
        raise HoursError(f"{text.strip()!r}: give hours as 09:00-13:00")
    h1, m1, h2, m2 = (int(group) for group in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or not 0 <= start < end <= 24 * 60:
        raise HoursError(f"{text.strip()!r}: the desk must open before it closes")
    return start, end


def parse_hours(text: str) -> tuple[OpeningHours, ...]:
    """``"mon-fri 09:00-13:00; tue,thu 15:00-18:00"`` as opening hours (HoursError if not)."""
    rows = []
    for entry in (part.strip() for part in text.split(";")):
        if not entry:
            continue
        days, _space, times = entry.partition(" ")
        if not times.strip():
            raise HoursError(f"{entry!r}: give the days, a space, then the hours")
        rows.append(OpeningHours(_days(days.lower()),
                                 tuple(_hours(t) for t in times.split(",") if t.strip())))
    return tuple(rows)


def _day_names(days: tuple[int, ...], locale: Locale) -> str:
    names = get_day_names("wide", locale=locale)
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    said = [_("%(first)s to %(last)s", first=names[run[0]], last=names[run[-1]])
            if len(run) > 2 else format_list([names[d] for d in run], locale=locale)
            for run in runs]
    return format_list(said, locale=locale)


def _span(start: int, end: int, locale: Locale) -> str:
    span = f"{format_minutes(start)}–{format_minutes(end)}"
    # Right to left, "09:00–13:00" would read "13:00–09:00": keep it left to right.
    return f"\u2066{span}\u2069" if locale.character_order == "right-to-left" else span


def hours_lines(hours: tuple[OpeningHours, ...], locale: Locale) -> list[str]:
    """One line per entry, in the reader's language: "Monday to Friday, 09:00–13:00"."""
    return [_("%(days)s, %(hours)s", days=_day_names(row.days, locale),
              hours=format_list([_span(start, end, locale) for start, end in row.hours],
                                locale=locale))
            for row in hours]
