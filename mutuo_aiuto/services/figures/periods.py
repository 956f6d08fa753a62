"""Reporting periods in the Hub's calendar (its ``TIMEZONE``): month, quarter, year, cumulative.

A period is a span of whole days, both ends included, read in the Hub's time zone:
a pairing confirmed at 23:30 UTC on 31 March belongs to April in Rome. ``bounds``
turns a period into the UTC moments the database stores.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from mutuo_aiuto.services.hubtime import HubClock


class Granularity(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUMULATIVE = "cumulative"


MONTHS_IN = {Granularity.MONTH: 1, Granularity.QUARTER: 3, Granularity.YEAR: 12}


@dataclass(frozen=True, order=True)
class ReportPeriod:
    """From ``start`` to ``end``, both days included."""

    start: date
    end: date

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def bounds(self, clock: HubClock) -> tuple[datetime, datetime]:
        """The period as UTC moments, ``[from, until)``."""
        return clock.start_of(self.start), clock.start_of(self.end + timedelta(days=1))


def add_months(day: date, count: int) -> date:
    """The first day of the month ``count`` months after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


def _first_month(day: date, granularity: Granularity) -> date:
    span = MONTHS_IN[granularity]
    return date(day.year, (day.month - 1) // span * span + 1, 1)


def period_of(day: date, granularity: Granularity) -> ReportPeriod:
    """The month, quarter or year ``day`` falls in."""
    if granularity is Granularity.CUMULATIVE:
        raise ValueError("a cumulative period has no single day's period")
    first = _first_month(day, granularity)
    return ReportPeriod(first, add_months(first, MONTHS_IN[granularity]) - timedelta(days=1))


def periods(first: date, last: date, granularity: Granularity) -> list[ReportPeriod]:
    """Every month, quarter or year from the one holding ``first`` to the one holding
    ``last``; cumulative: the one period from the start of ``first``'s month to ``last``."""
    if granularity is Granularity.CUMULATIVE:
        return [ReportPeriod(first.replace(day=1), last)]
    found, current = [], period_of(first, granularity)
    while current.start <= last:
        found.append(current)
        current = period_of(current.end + timedelta(days=1), granularity)
    return found


def label(period: ReportPeriod) -> str:
    """"2026-Q1", "2026-03", "2026" or "2025-01/2026-03" (the same in every language)."""
    start, end = period.start, period.end
    if start.day == 1 and end == add_months(start, 1) - timedelta(days=1):
        return f"{start:%Y-%m}"
    if (start.day == 1 and start.month % 3 == 1
            and end == add_months(start, 3) - timedelta(days=1)):
        return f"{start.year}-Q{(start.month - 1) // 3 + 1}"
    if start == date(start.year, 1, 1) and end == date(start.year, 12, 31):
        return str(start.year)
    return f"{start:%Y-%m}/{end:%Y-%m}"
