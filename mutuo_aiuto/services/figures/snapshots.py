"""The figures computed ahead of time, so that no web request computes them (issue 15).

The report grows with the data: at 2,000 households a quarterly report takes seconds.
The scheduler computes every granularity (month, quarter, year, cumulative) over the
standard span — the programme's first month, at most ``SPAN_MONTHS`` back, to the
current period — and stores the rows as the report gives them (small counts and
special-category cells already suppressed). The pages and the downloads read them.

Public API:

- ``refresh(session, clock, now) -> list[FigureSnapshot]``: compute and store the four
  snapshots, replacing the previous ones (the nightly job and the queued one call it);
- ``latest(session, granularity, first=None, last=None) -> Snapshot | None``: the stored
  figures of ``granularity``, only the periods that overlap ``first``..``last`` when given
  (with the cumulative rows of the whole span), and when they were computed; ``None``
  before the first refresh;
- ``queue_refresh(session, actor, now)`` / ``refresh_queued(session, clock, now)``: a
  facilitator's "refresh now", done by the scheduler's next minute;
- ``exported(session, actor, granularity, first, last, file_format)``: ``latest`` for a
  download, audited.

A subset of the periods of a protected table is safe to publish: whatever it lets one
work out, the whole table (all of it published) already did.
"""

from __future__ import annotations

import time
from collections.abc import Hashable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import FigureSnapshot, Household, Need, QueuedFigureRefresh, User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.figures.loading import Rows, load
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod, add_months
from mutuo_aiuto.services.figures.report import compute, windows_for
from mutuo_aiuto.services.figures.rows import Figure
from mutuo_aiuto.services.figures.windows import Windows
from mutuo_aiuto.services.hubtime import HubClock

__all__ = ["SPAN_MONTHS", "Snapshot", "decode", "encode", "exported", "latest", "pending",
           "queue_refresh", "refresh", "refresh_queued", "standard_span"]

# The months a facilitator may choose on the impact page (``impact.SELECTABLE_MONTHS``):
# five years, an ESF+ programme's span.
SPAN_MONTHS = 60


@dataclass(frozen=True)
class Snapshot:
    """Stored figures of one granularity, and when they were computed (UTC)."""

    granularity: Granularity
    first: date
    last: date
    computed_at: datetime
    cumulative: ReportPeriod  # the span of the cumulative rows
    rows: list[Figure]


# ---- computing ------------------------------------------------------------------------


def standard_span(session: Session, today: date) -> tuple[date, date]:
    """From the month of the programme's first household or request (at most
    ``SPAN_MONTHS`` back) to today: no years of empty periods before it began."""
    oldest = add_months(today.replace(day=1), 1 - SPAN_MONTHS)
    starts = [session.scalar(select(func.min(Household.created_at))),
              session.scalar(select(func.min(Need.created_at))),
              session.scalar(select(func.min(Need.opened_at)))]
    known = [moment.date() for moment in starts if moment is not None]
    if known:
        # A naive UTC time on SQLite, aware on PostgreSQL: the day is the same to a few
        # hours either way, and the span starts on the first of the month before it.
        oldest = max(oldest, add_months(min(known).replace(day=1), -1))
    return oldest, today


def refresh(session: Session, clock: HubClock, now: datetime) -> list[FigureSnapshot]:
    """Compute every granularity's figures as of ``now`` and store them, replacing the
    previous snapshots (flushed; the caller commits). Returns each granularity's
    cumulative row."""
    today = clock.date_of(now)
    first, last = standard_span(session, today)
    stored: list[FigureSnapshot] = []
    loaded: dict[date, Rows] = {}
    for granularity in Granularity:
        started = time.perf_counter()
        windows = windows_for(granularity, first, last, today)
        # The rows up to the end of the last period, as ``report.report`` reads them;
        # months and quarters ending on the same day share one load.
        end = windows.cumulative.end
        if end not in loaded:
            loaded[end] = load(session, end, clock)
        figures = compute(loaded[end], windows)
        stored.append(_store(session, granularity, first, last, now, figures, windows,
                             time.perf_counter() - started))
        del figures
    session.flush()
    return stored


def _store(session: Session, granularity: Granularity, first: date, last: date,
           now: datetime, figures: list[Figure], windows: Windows,
           seconds: float) -> FigureSnapshot:
    """Replace the granularity's rows: one per period, the cumulative one last. Readers
    see the previous ones until the caller commits."""
    session.execute(delete(FigureSnapshot).where(
        FigureSnapshot.granularity == granularity.value))
    cumulative = windows.cumulative
    # A span of one period is its own cumulative span: its rows are stored once, as the
    # period's (the report repeats them).
    spans = {(p.start, p.end) for p in windows.periods}
    by_period: dict[tuple[bool, date, date], list[Figure]] = {}
    for f in figures:
        is_cumulative = ((f.period_start, f.period_end) == (cumulative.start, cumulative.end)
                         and (f.period_start, f.period_end) not in spans)
        by_period.setdefault((is_cumulative, f.period_start, f.period_end), []).append(f)
    # Every granularity has its cumulative row, even with nothing to count yet.
    by_period.setdefault((True, cumulative.start, cumulative.end), [])
    stored = []
    for (is_cumulative, start, end), rows in by_period.items():
        found = list(dict.fromkeys(rows))  # the repeated rows of a one-period span once
        stored.append(FigureSnapshot(
            granularity=granularity.value, cumulative=is_cumulative, period_start=start,
            period_end=end, first_day=first, last_day=last, computed_at=now,
            seconds=round(seconds, 3), row_count=len(found), rows=encode(found)))
    session.add_all(stored)
    session.flush()
    # One granularity's rows at a time in memory: a city's monthly figures are large.
    for row in stored:
        session.expunge(row)
    return stored[-1]


def encode(figures: list[Figure]) -> dict[str, Any]:
    """One period's figures as compact JSON: each label once, a row a short list."""
    labels: dict[str, str] = {}
    rows = []
    for f in figures:
        labels.setdefault(f.indicator, f.label)
        rows.append([f.indicator, f.code, f.neighbourhood, f.category, f.gender,
                     f.age_band, f.value, 1 if f.suppressed else 0])
    return {"labels": labels, "rows": rows}


def decode(data: dict[str, Any], start: date, end: date) -> list[Figure]:
    """The figures of one stored period."""
    labels = data["labels"]
    return [Figure(start, end, name, code, labels[name], place, category, gender, age,
                   value, bool(hidden))
            for name, code, place, category, gender, age, value, hidden in data["rows"]]


# ---- reading --------------------------------------------------------------------------


def latest(session: Session, granularity: Granularity | str, first: date | None = None,
           last: date | None = None) -> Snapshot | None:
    """The stored figures of ``granularity`` (one query, whatever the data), only the
    periods overlapping ``first``..``last`` when given, then the cumulative rows;
    ``None`` before the first refresh."""
    granularity = Granularity(granularity)
    query = select(FigureSnapshot).where(FigureSnapshot.granularity == granularity.value)
    if first is not None:
        query = query.where(FigureSnapshot.cumulative | (FigureSnapshot.period_end >= first))
    if last is not None:
        query = query.where(FigureSnapshot.cumulative | (FigureSnapshot.period_start <= last))
    stored = session.scalars(query.order_by(
        FigureSnapshot.cumulative, FigureSnapshot.period_start,
        FigureSnapshot.period_end)).all()
    if not stored:
        return None
    total = stored[-1]  # the cumulative row, always stored, sorts last
    rows = [f for part in stored for f in decode(part.rows, part.period_start,
                                                  part.period_end)]
    return Snapshot(granularity, total.first_day, total.last_day, total.computed_at,
                    ReportPeriod(total.period_start, total.period_end), rows)


def computed_at(session: Session) -> datetime | None:
    """When the oldest of the stored snapshots was computed; ``None`` if one is missing."""
    found = session.execute(select(func.count(func.distinct(FigureSnapshot.granularity)),
                                   func.min(FigureSnapshot.computed_at))).one()
    return found[1] if found[0] == len(Granularity) else None


def exported(session: Session, actor: User, granularity: Granularity, first: date,
             last: date, file_format: str) -> Snapshot | None:
    """``latest`` for a facilitator's download, recorded in the audit trail."""
    policy.require_facilitator(actor)
    found = latest(session, granularity, first, last)
    if found is not None:
        audit.record(session, actor, audit.IMPACT_EXPORTED,
                     details={"since": f"{first:%Y-%m}", "until": f"{last:%Y-%m}",
                              "by": granularity.value, "format": file_format,
                              "computed_at": found.computed_at.isoformat()})
    return found


# ---- the queue ------------------------------------------------------------------------


def pending(session: Session) -> bool:
    """Whether a refresh is waiting for the scheduler."""
    return session.scalar(select(QueuedFigureRefresh.id).limit(1)) is not None


def queue_refresh(session: Session, actor: User | None, now: datetime) -> bool:
    """Ask the scheduler to compute the figures at its next minute; ``False`` when a
    refresh is already waiting (nothing added). ``actor`` ``None``: a page found no
    snapshot at all."""
    if actor is not None:
        policy.require_facilitator(actor)
    if pending(session):
        return False
    session.add(QueuedFigureRefresh(queued_at=now, queued_by_id=actor.id if actor else None))
    if actor is not None:
        audit.record(session, actor, audit.FIGURES_REFRESH_QUEUED)
    session.flush()
    return True


def refresh_queued(session: Session, clock: HubClock, now: datetime) -> int:
    """Refresh if asked (the scheduler's minute job); the requests seen are done, one
    made while computing waits for the next minute. How many snapshots were stored."""
    asked: list[Hashable] = list(session.scalars(select(QueuedFigureRefresh.id)))
    if not asked:
        return 0
    stored = refresh(session, clock, now)
    session.execute(delete(QueuedFigureRefresh).where(QueuedFigureRefresh.id.in_(asked)))
    return len(stored)
