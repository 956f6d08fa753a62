"""The engine's figures as the impact pages read them: one door, ``page_figures``.

Every figure the pages show goes through ``page_figures``: it reads the snapshot
the scheduler keeps (``snapshots.latest``, one query whatever the data), and
runs the report itself (``report.report``) only on a Hub whose first snapshot is
not computed yet — the impact page has then queued it for the scheduler's next
minute. The rest of this module looks figures up in the rows it returned, and
knows nothing of the database.

The lookups speak of the report's long-form rows (``rows.Figure``): a period
(one of ``periods``, or ``whole`` for the cumulative row) and the breakdowns
(``None``: "all of them").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy.orm import Session

from mutuo_aiuto.services.figures import report, snapshots
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod
from mutuo_aiuto.services.figures.rows import Figure
from mutuo_aiuto.services.hubtime import HubClock

# (indicator, period start, period end, neighbourhood, category, gender, age band)
Key = tuple[str, date, date, str | None, str | None, str | None, str | None]
# The next coarser period, offered where a breakdown is mostly hidden.
COARSER = {Granularity.MONTH: Granularity.QUARTER, Granularity.QUARTER: Granularity.YEAR,
           Granularity.YEAR: Granularity.CUMULATIVE}


def _key(figure: Figure) -> Key:
    return (figure.indicator, figure.period_start, figure.period_end, figure.neighbourhood,
            figure.category, figure.gender, figure.age_band)


@dataclass(frozen=True)
class PageFigures:
    """The report of a span, with lookups by indicator, period and breakdown."""

    granularity: Granularity
    whole: ReportPeriod
    figures: tuple[Figure, ...]
    _index: dict[Key, Figure] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._index.update((_key(figure), figure) for figure in self.figures)

    @property
    def coarser(self) -> Granularity | None:
        return COARSER.get(self.granularity)

    def periods(self, name: str) -> list[ReportPeriod]:
        """The periods ``name`` has rows for, oldest first, without the whole span
        (the report's periods; months for retention, whatever the report's periods)."""
        return sorted({ReportPeriod(f.period_start, f.period_end) for f in self.rows(name)}
                      - {self.whole})

    def rows(self, name: str) -> list[Figure]:
        return [figure for figure in self.figures if figure.indicator == name]

    def get(self, name: str, period: ReportPeriod | None = None,
            parts: Mapping[str, str | None] | None = None) -> Figure | None:
        """The one figure of ``name`` in ``period`` (the whole span by default) with the
        breakdowns ``parts`` (neighbourhood, category, gender, age_band; absent: "all");
        None when the report has no such row."""
        span, parts = period or self.whole, parts or {}
        return self._index.get((name, span.start, span.end, parts.get("neighbourhood"),
                                parts.get("category"), parts.get("gender"),
                                parts.get("age_band")))

    def values(self, name: str, axis: str) -> list[str]:
        """The values ``name`` is broken down by along ``axis`` ("category", …), sorted."""
        return sorted({getattr(f, axis) for f in self.rows(name)} - {None})


def page_figures(session: Session, clock: HubClock, granularity: Granularity, first: date,
                 last: date) -> PageFigures:
    """Every figure of the impact pages from ``first`` to ``last`` by ``granularity``.

    The one place the pages get the engine's figures from: the scheduler's snapshot, or
    (before its first refresh) the report computed here.
    """
    stored = snapshots.latest(session, granularity, first, last)
    if stored is not None:
        # Its cumulative rows span the programme to the day of the refresh.
        return PageFigures(granularity, stored.cumulative, tuple(stored.rows))
    today = clock.today()
    whole = report.windows_for(granularity, first, min(last, today), today).cumulative
    found = report.report(session, clock, granularity, first, last)
    return PageFigures(granularity, whole, tuple(found))
