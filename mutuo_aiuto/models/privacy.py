"""Erasure requests: a household asks to be forgotten, a facilitator confirms."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.types import UTCDateTime, new_public_id, utcnow


class ErasureStatus(StrEnum):
    """A request to be forgotten: waiting for a facilitator, then done, declined or withdrawn."""

    PENDING = "pending"
    DONE = "done"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


# Plain strings, so the CHECK constraint's text stays as the migrations wrote it.
ERASURE_STATUSES = tuple(status.value for status in ErasureStatus)


class ErasureRequest(Model):
    __tablename__ = "erasure_requests"
    __table_args__ = (CheckConstraint(f"status IN {ERASURE_STATUSES!r}", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    requested_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    requested_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    status: Mapped[str] = mapped_column(String(12), default=ErasureStatus.PENDING.value,
                                        index=True)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Told to the family when a facilitator declines (a legal hold, a safeguarding case).
    decline_reason: Mapped[str | None] = mapped_column(String(500))

    household: Mapped[Household] = relationship()

    def __repr__(self) -> str:
        return f"<ErasureRequest {self.public_id} {self.status}>"
