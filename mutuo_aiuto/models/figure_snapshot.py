"""The programme's figures computed ahead of time (issue 15), and the refreshes asked for.

Computing the report grows with the data (seconds at a few thousand households), so
the scheduler computes it and stores it here; the downloads and the impact pages
read the stored rows. One row per granularity and period (and one for the cumulative
span), replaced together at each refresh, so that a download reads only the periods
it asks for: at 10,000 households a month of figures is some 15,000 rows.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, utcnow

SNAPSHOT_GRANULARITIES = ("month", "quarter", "year", "cumulative")


class FigureSnapshot(Model):
    """Every figure of one period of one granularity, as the report gave them (small
    counts and special-category cells already suppressed); ``cumulative``: the rows of
    the whole span (``first_day`` to ``last_day``, the span the refresh computed).

    ``rows`` is compact JSON, the same on PostgreSQL and SQLite and read in one go:
    ``{"labels": {indicator: label}, "rows": [[indicator, code, neighbourhood, category,
    gender, age band, value, suppressed], ...]}`` (see ``services/figures/snapshots.py``).
    """

    __tablename__ = "figure_snapshots"
    __table_args__ = (
        CheckConstraint(f"granularity IN {SNAPSHOT_GRANULARITIES!r}", name="granularity"),
        UniqueConstraint("granularity", "cumulative", "period_start", "period_end"),
        Index("ix_figure_snapshots_granularity_period", "granularity", "period_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    granularity: Mapped[str] = mapped_column(String(12))
    cumulative: Mapped[bool] = mapped_column(default=False)
    period_start: Mapped[date]
    period_end: Mapped[date]
    first_day: Mapped[date]
    last_day: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How long the granularity took and how many rows this period has, for the operator.
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    row_count: Mapped[int] = mapped_column(default=0)
    rows: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QueuedFigureRefresh(Model):
    """A facilitator asked for the figures to be computed again (or a page found none):
    the scheduler's minute job does it, never the web request."""

    __tablename__ = "queued_figure_refreshes"

    id: Mapped[int] = mapped_column(primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    queued_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
