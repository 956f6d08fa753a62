"""Requests left without a proposal, by reason, over a period (not only today).

From the unmatched spells (``UnmatchedSpell``): a request counts in a period when
one of its spells overlaps it, once, under the reason it had last in the period.
"""

from __future__ import annotations

from datetime import date

from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Rows, Spell
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.windows import Windows


def last_reasons(spells: list[Spell], period: ReportPeriod, today: date) -> dict[int, Spell]:
    """Each request's spell last seen in ``period``."""
    found: dict[int, tuple[tuple[date, date], Spell]] = {}
    for spell in spells:
        until = spell.until or today
        if spell.since > period.end or until < period.start:
            continue
        rank = (min(until, period.end), spell.since)
        if spell.need not in found or rank >= found[spell.need][0]:
            found[spell.need] = (rank, spell)
    return {need: spell for need, (_rank, spell) in found.items()}


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    cube = Cube(BY_NAME["unmatched_requests"], windows.cumulative, ("neighbourhood", "category"))
    for key, period in windows.each():
        for spell in last_reasons(rows.unmatched, period, windows.today).values():
            cube.add(key, (spell.place, spell.reason))
    return [cube]
