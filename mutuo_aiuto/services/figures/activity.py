"""Who is active, and who stays: active households and retention by joining month.

A household is active on a day it posts a request or an offer or comes to a group
meeting, and on every day of a pairing it takes part in, from its confirmation to
its close (to the report's day while it runs; a cancelled pairing only on the day
it was confirmed).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable
from datetime import date

from mutuo_aiuto.services.figures.cube import Cube, protected
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Rows
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod, add_months, periods
from mutuo_aiuto.services.figures.windows import Windows

RUNNING = ("awaiting", "active", "closed")


def spells(rows: Rows, today: date) -> dict[int, list[tuple[date, date]]]:
    """Each household's spans of activity (first day, last day), unsorted."""
    found: dict[int, list[tuple[date, date]]] = defaultdict(list)
    for household, day in [*rows.posted, *rows.attended]:
        found[household].append((day, day))
    for p in rows.pairings:
        if not p.counted:
            continue
        last = (p.closed or today) if p.status in RUNNING else p.confirmed
        for household in (p.family, p.helper):
            found[household].append((p.confirmed, max(last, p.confirmed)))
    return found


def _active_in(spans: list[tuple[date, date]], start: date, end: date) -> bool:
    return any(first <= end and last >= start for first, last in spans)


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    active = Cube(BY_NAME["active_households"], windows.cumulative, ("neighbourhood",))
    share = Cube(BY_NAME["active_share"], windows.cumulative, ("neighbourhood",))
    every = spells(rows, windows.today)
    for key, period in windows.each():
        registered: dict[str | None, int] = defaultdict(int)
        counted: dict[str | None, int] = defaultdict(int)
        for home in rows.homes.values():
            if home.joined > period.end:
                continue
            on = _active_in(every.get(home.id, []), period.start, period.end)
            for place in (home.place, None):
                registered[place] += 1
                counted[place] += on
            if on:
                active.add(key, (home.place,))
        for place, total in registered.items():
            share.put(key, (place,), round(counted[place] / total, 4), count=total)
    # A share gives its count away to whoever knows the registered households: hidden with it.
    share.also_hidden = protected(active)[1]
    return [active, share, *retention(rows, windows, every)]


def retention(rows: Rows, windows: Windows, every: dict[int, list[tuple[date, date]]]
              ) -> list[Cube]:
    """Households joined per month, and the share still active 3 and 6 months on."""
    months = periods(windows.cumulative.start, windows.cumulative.end, Granularity.MONTH)
    spans: dict[Hashable, ReportPeriod] = {month: month for month in months}
    joined = Cube(BY_NAME["households_joined"], windows.cumulative,
                  spans=spans)
    kept = {n: Cube(BY_NAME[f"retention_{n}_months"], windows.cumulative, spans=spans)
            for n in (3, 6)}
    for month in months:
        cohort = [h for h in rows.homes.values() if month.contains(h.joined)]
        for _home in cohort:
            joined.add(month, ())
        for n, cube in kept.items():
            since = add_months(month.start, n)
            if not cohort or since > windows.today:
                continue
            still = sum(_active_in(every.get(h.id, []), since, windows.today) for h in cohort)
            # Hidden when the cohort is under 5, or when the share tells a count of 1 to 4.
            cube.put(month, (), round(still / len(cohort), 4),
                     count=still if still else len(cohort))
    for home in rows.homes.values():
        if windows.cumulative.contains(home.joined):
            joined.add(None, ())
    for n, cube in kept.items():  # the cumulative: every cohort whose month has come
        cohort = [h for h in rows.homes.values() if windows.cumulative.contains(h.joined)
                  and add_months(h.joined, n) <= windows.today]
        if cohort:
            still = sum(_active_in(every.get(h.id, []), add_months(h.joined, n), windows.today)
                        for h in cohort)
            cube.put(None, (), round(still / len(cohort), 4),
                     count=still if still else len(cohort))
    return [joined, *kept.values()]
