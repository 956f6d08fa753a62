"""The windows a report computes each figure in: its periods, then the cumulative one.

A window's key is its ``ReportPeriod``, or ``TOTAL`` for the cumulative span (the
first period's start to the last one's end), so that in an additive cube the
cumulative cell is the sum of the periods' cells and a line of the table.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterator
from dataclasses import dataclass
from datetime import date

from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.suppression import TOTAL


@dataclass(frozen=True)
class Windows:
    """The periods (none for a cumulative report) and the span they make up."""

    periods: tuple[ReportPeriod, ...]
    cumulative: ReportPeriod
    today: date  # the day of the report: steps reached "so far" are up to it

    @classmethod
    def of(cls, periods: tuple[ReportPeriod, ...], today: date) -> Windows:
        return cls(periods, ReportPeriod(periods[0].start, periods[-1].end), today)

    def each(self) -> Iterator[tuple[Hashable, ReportPeriod]]:
        """Every period with its key, then ``(TOTAL, cumulative)``."""
        for period in self.periods:
            yield period, period
        yield TOTAL, self.cumulative

    def spans(self) -> dict[Hashable, ReportPeriod]:
        return {period: period for period in self.periods}
