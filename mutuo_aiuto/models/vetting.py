"""Vetting ("controllo del casellario"): a facilitator saw a helper's criminal-record certificate.

Following Italian practice, only the fact, the date and its expiry are kept:
nothing of the certificate itself is stored.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.types import UTCDateTime, utcnow


class Vetting(Model):
    __tablename__ = "vettings"
    __table_args__ = (CheckConstraint("expires_on > checked_on", name="dates"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date]
    expires_on: Mapped[date] = mapped_column(index=True)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    warned_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    household: Mapped[Household] = relationship()
