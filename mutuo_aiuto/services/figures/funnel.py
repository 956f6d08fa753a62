"""The funnel: requests posted in a period, and how far each has got so far.

posted → proposed → confirmed → accepted → closed with a good outcome, by the
request's neighbourhood and category, with the median days of each step. Each
step counts a request once, on the first day it got there; a request paired by
hand (no proposal) counts as proposed on the day it was confirmed, and one closed
well as accepted, so the steps never grow along the funnel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from statistics import median

from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME, GOOD_OUTCOMES
from mutuo_aiuto.services.figures.loading import Request, Rows
from mutuo_aiuto.services.figures.windows import Windows

STEPS = ("requests_posted", "requests_proposed", "requests_confirmed", "requests_accepted",
         "requests_closed_well")
MEDIANS = ("median_days_to_proposal", "median_days_to_confirmation",
           "median_days_to_acceptance", "median_days_to_good_close")


@dataclass(frozen=True)
class Path:
    """The first day a request reached each step (None: not yet)."""

    request: Request
    days: tuple[date | None, ...]  # posted, proposed, confirmed, accepted, closed well


def _first(*days: date | None) -> date | None:
    known = [day for day in days if day is not None]
    return min(known) if known else None


def paths(rows: Rows, today: date) -> list[Path]:
    """Each posted request's path, as far as it got by ``today``."""
    confirmed: dict[int, date] = {}
    accepted: dict[int, date] = {}
    closed_well: dict[int, date] = {}
    for p in rows.pairings:
        confirmed[p.need] = min(p.confirmed, confirmed.get(p.need, p.confirmed))
        if p.accepted is not None:
            accepted[p.need] = min(p.accepted, accepted.get(p.need, p.accepted))
        if p.closed is not None and p.outcome in GOOD_OUTCOMES:
            closed_well[p.need] = min(p.closed, closed_well.get(p.need, p.closed))
    found = []
    for request in rows.requests:
        # Not posted yet as of the report's day (a clock a little ahead, a report "as of" a
        # past day): no path, rather than a path with no first step.
        if request.opened is None or request.opened > today:
            continue
        good = closed_well.get(request.id)
        days = (request.opened, _first(request.proposed, confirmed.get(request.id)),
                confirmed.get(request.id), _first(accepted.get(request.id), good), good)
        found.append(Path(request, tuple(d if d is None or d <= today else None
                                         for d in days)))
    return found


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    every = paths(rows, windows.today)
    steps = [Cube(BY_NAME[name], windows.cumulative, ("neighbourhood", "category"))
             for name in STEPS]
    medians = [Cube(BY_NAME[name], windows.cumulative, ("neighbourhood",)) for name in MEDIANS]
    for key, period in windows.each():
        cohort = [p for p in every if period.contains(p.days[0])]  # type: ignore[arg-type]
        for path in cohort:
            parts = (path.request.place, path.request.category)
            for index, cube in enumerate(steps):
                if path.days[index] is not None:
                    cube.add(key, parts)
        places: list[str | None] = [*sorted({p.request.place for p in cohort if p.request.place})]
        for place in [*places, None]:  # None: every neighbourhood
            here = [p for p in cohort if place is None or p.request.place == place]
            for index, cube in enumerate(medians):
                waits = [(p.days[index + 1] - p.days[index]).days for p in here  # type: ignore[operator]
                         if p.days[index + 1] is not None and p.days[index] is not None]
                if waits:
                    cube.put(key, (place,), round(float(median(waits)), 1), count=len(waits))
    return [*steps, *medians]
