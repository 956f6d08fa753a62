"""The administrator's matching weights: one row, the points of each part of a score.

No row means the defaults of the matching contract (``matching.model.Weights``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, utcnow


class MatchingWeights(Model):
    __tablename__ = "matching_weights"
    __table_args__ = (
        CheckConstraint("base >= 0 AND urgency >= 0 AND language >= 0 AND continuity >= 0 "
                        "AND load >= 0", name="not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    base: Mapped[int]
    urgency: Mapped[int]
    # Points for a distance of 0, 1, 2 … hops; farther gets none.
    proximity: Mapped[list[int]] = mapped_column(JSON, default=list)
    language: Mapped[int]
    continuity: Mapped[int]
    load: Mapped[int]
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
