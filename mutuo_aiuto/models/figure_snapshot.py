"""The programme's figures computed ahead of time (issue 15), and the refreshes asked for.

Computing the report grows with the data (seconds at a few thousand households), so
the scheduler computes it and stores it here; the downloads and the impact pages
read the stored rows. One snapshot per granularity, replaced at each refresh.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, utcnow

SNAPSHOT_GRANULARITIES = ("month", "quarter", "year", "cumulative")


class FigureSnapshot(Model):
    """Every figure of one granularity over the standard span, as the report gave them
    (small counts and special-category cells already suppressed).

    ``rows`` is compact JSON, the same on PostgreSQL and SQLite and read in one go:
    ``{"periods": [[start, end], ...], "labels": {indicator: label},
    "rows": [[period index, indicator, code, neighbourhood, category, gender, age band,
    value, suppressed], ...]}`` (see ``services/figures/snapshots.py``).
    """

    __tablename__ = "figure_snapshots"
    __table_args__ = (
        CheckConstraint(f"granularity IN {SNAPSHOT_GRANULARITIES!r}", name="granularity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    granularity: Mapped[str] = mapped_column(String(12), unique=True)
    first_day: Mapped[date]
    last_day: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How long the computation took and how many rows it gave, for the operator.
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
