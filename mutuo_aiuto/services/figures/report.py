"""A report: every figure of a span of periods, protected, as long-form rows.

``compute`` is pure (rows in, figures out); ``report`` reads the rows first.
Both take the day of the report, so nothing reads the wall clock but the caller's
``HubClock``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from sqlalchemy.orm import Session

from mutuo_aiuto.models import User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.figures import (
    activity,
    belonging_rows,
    exchange,
    funnel,
    network_rows,
    participants,
    unmatched,
)
from mutuo_aiuto.services.figures.cube import Cube, figures
from mutuo_aiuto.services.figures.loading import Rows, load
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod, periods
from mutuo_aiuto.services.figures.rows import Figure
from mutuo_aiuto.services.figures.suppression import TOTAL
from mutuo_aiuto.services.figures.windows import Windows
from mutuo_aiuto.services.hubtime import HubClock

# Each part of the report, in the order the export lists them.
PARTS: tuple[Callable[[Rows, Windows], list[Cube]], ...] = (
    funnel.cubes,
    unmatched.cubes,
    lambda rows, windows: [exchange.hours_cube(rows, windows)],
    activity.cubes,
    exchange.reciprocity_cubes,
    network_rows.cubes,
    participants.cubes,
    belonging_rows.cubes,
)


def windows_for(granularity: Granularity, first: date, last: date, today: date) -> Windows:
    """The periods from ``first``'s to ``last``'s, or for a cumulative report none but the
    span from ``first``'s month to ``last``."""
    if granularity is Granularity.CUMULATIVE:
        return Windows((), ReportPeriod(first.replace(day=1), last), today)
    return Windows.of(tuple(periods(first, last, granularity)), today)


def compute(rows: Rows, windows: Windows) -> list[Figure]:
    """Every figure of ``windows``, small counts suppressed."""
    found: list[Figure] = []
    for part in PARTS:
        for cube in part(rows, windows):
            # Every indicator has its overall row in every period: a count with nothing
            # to count is a zero, a median or share with nothing to stand on is empty.
            keys = [] if not cube.overall else [TOTAL] if cube.spans else [
                key for key, _period in windows.each()]
            for key in keys:
                cube.values.setdefault((key, *[TOTAL] * len(cube.axes)),
                                       0 if cube.indicator.additive else None)
            found += figures(cube, windows.spans())
    return found


def report(session: Session, clock: HubClock, granularity: Granularity, first: date,
           last: date) -> list[Figure]:
    """The figures by ``granularity`` from ``first`` to ``last`` (the Hub's days), with
    their cumulative rows, read from the database as of ``clock``'s today."""
    today = clock.today()
    last = min(last, today)
    windows = windows_for(granularity, first, last, today)
    return compute(load(session, windows.cumulative.end, clock), windows)


def exported(session: Session, actor: User, clock: HubClock, granularity: Granularity,
             first: date, last: date, file_format: str) -> list[Figure]:
    """``report`` for a facilitator's download, recorded in the audit trail."""
    policy.require_facilitator(actor)
    found = report(session, clock, granularity, first, last)
    audit.record(session, actor, audit.IMPACT_EXPORTED,
                 details={"since": f"{first:%Y-%m}", "until": f"{last:%Y-%m}",
                          "by": granularity.value, "format": file_format})
    return found
