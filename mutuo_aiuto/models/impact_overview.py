"""The impact page's overview computed ahead of time by the scheduler (issue 15).

The overview (pairings, families, hours, medians by month, neighbourhood, category
and group activities) reads a year of pairings: a few hundred milliseconds at
10,000 households, too much for a page facilitators open all day. The scheduler
computes the default period at each grouping every few minutes and stores it here;
the page reads it while it is fresh and computes any other period itself.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Float, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, utcnow

OVERVIEW_GRAINS = ("month", "quarter", "year", "cumulative")


class ImpactOverview(Model):
    """The raw figures of one period at one grouping, as compact JSON (the page hides
    the small counts when it shows them, as it does for figures it computes)."""

    __tablename__ = "impact_overviews"
    __table_args__ = (
        CheckConstraint(f"grain IN {OVERVIEW_GRAINS!r}", name="grain"),
        UniqueConstraint("grain", "period_first", "period_last"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    grain: Mapped[str] = mapped_column(String(12))
    period_first: Mapped[date]
    period_last: Mapped[date]
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # How long computing it took, for the operator.
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
