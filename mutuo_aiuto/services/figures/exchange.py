"""Hours of help and reciprocity: who gave, who received, and how much of each.

Hours are placed in the month they were given (``MatchHours``); a pairing closed
with hours but none recorded by month puts them in the month it closed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME, RATIO_BANDS
from mutuo_aiuto.services.figures.loading import Pairing, Rows
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.windows import Windows


def given_hours(rows: Rows) -> Iterator[tuple[Pairing, date, float]]:
    """Each counted pairing's hours, with the day they count on."""
    by_month: dict[int, list[tuple[date, float]]] = defaultdict(list)
    for match, month, hours in rows.hours:
        by_month[match].append((month, hours))
    for pairing in rows.pairings:
        if not pairing.counted:
            continue
        if pairing.id in by_month:
            for month, hours in by_month[pairing.id]:
                yield pairing, month, hours
        elif pairing.closed is not None and pairing.hours:
            yield pairing, pairing.closed, float(pairing.hours)


def hours_cube(rows: Rows, windows: Windows) -> Cube:
    cube = Cube(BY_NAME["hours_of_help"], windows.cumulative, ("neighbourhood", "category"))
    for key, period in windows.each():
        for pairing, day, hours in given_hours(rows):
            if period.contains(day) and hours:
                cube.add(key, (pairing.family_place, pairing.category), hours, who=pairing.id)
    return cube


def ratio_band(given: float, received: float) -> str:
    """The band of hours given ÷ received (``RATIO_BANDS``)."""
    if not given:
        return RATIO_BANDS[0]
    if not received:
        return RATIO_BANDS[-1]
    ratio = given / received
    return RATIO_BANDS[1] if ratio < 0.5 else RATIO_BANDS[2] if ratio <= 2 else RATIO_BANDS[3]


def _roles(rows: Rows, period: ReportPeriod) -> dict[int, str]:
    gave: set[int] = set()
    received: set[int] = set()
    for p in rows.pairings:
        if p.counted and period.contains(p.confirmed):
            gave.add(p.helper)
            received.add(p.family)
    return {h: "both" if h in gave and h in received else "given" if h in gave else "received"
            for h in gave | received}


def reciprocity_cubes(rows: Rows, windows: Windows) -> list[Cube]:
    roles = Cube(BY_NAME["reciprocity_households"], windows.cumulative, ("category",))
    ratios = Cube(BY_NAME["hours_ratio_households"], windows.cumulative, ("category",))
    for key, period in windows.each():
        for _household, role in sorted(_roles(rows, period).items()):
            roles.add(key, (role,))
        given: dict[int, float] = defaultdict(float)
        received: dict[int, float] = defaultdict(float)
        for pairing, day, hours in given_hours(rows):
            if period.contains(day):
                given[pairing.helper] += hours
                received[pairing.family] += hours
        for household in sorted(given.keys() | received.keys()):
            if given[household] or received[household]:
                ratios.add(key, (ratio_band(given[household], received[household]),))
    return [roles, ratios]
