"""An offer (disponibilità): what a helper gives, when, where and to how many families."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, Index, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model, db
from mutuo_aiuto.models.catalogue import Skill
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.place import Neighbourhood
from mutuo_aiuto.models.slot import SlotColumns, slot_checks
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow


class OfferStatus(StrEnum):
    """Where an offer is in its life (the column stays a string of these values)."""

    OPEN = "open"
    PAUSED = "paused"
    FULL = "full"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# Plain strings, so the CHECK constraint's text stays as the migrations wrote it.
OFFER_STATUSES = tuple(status.value for status in OfferStatus)

offer_skills = Table(
    "offer_skills",
    db.metadata,
    Column("offer_id", ForeignKey("offers.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True),
    # The open offers with a request's skills, found from the skill when a request is
    # posted (``matching_problem.build_for_need``); the key only serves offer → skills.
    Index("ix_offer_skills_skill_id", "skill_id", "offer_id"),
)


class Offer(Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint(f"status IN {OFFER_STATUSES!r}", name="status"),
        CheckConstraint("capacity BETWEEN 1 AND 20", name="capacity"),
        CheckConstraint("max_hops BETWEEN 0 AND 10", name="max_hops"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default=OfferStatus.OPEN.value,
                                        index=True)
    title: Mapped[str] = mapped_column(String(120))
    description: Mapped[str | None] = mapped_column(EncryptedText())
    capacity: Mapped[int] = mapped_column(default=1)
    max_hops: Mapped[int] = mapped_column(default=1)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    ends_on: Mapped[date]
    # Raised by every confirmation that takes capacity or time from the offer,
    # so that two facilitators confirming at once cannot both succeed.
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    # The end date the owner was last warned about (scheduler, issue 5).
    expiry_notice_for: Mapped[date | None]

    household: Mapped[Household] = relationship()
    neighbourhood: Mapped[Neighbourhood] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=offer_skills,
                                               order_by="Skill.position")
    slots: Mapped[list[OfferSlot]] = relationship(
        back_populates="offer", cascade="all, delete-orphan",
        order_by="(OfferSlot.weekday, OfferSlot.start_minute)")

    def __repr__(self) -> str:
        return f"<Offer {self.public_id} {self.status}>"


class OfferSlot(SlotColumns, Model):
    __tablename__ = "offer_slots"
    __table_args__ = slot_checks("offer_slot", dated=False)

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          index=True)

    offer: Mapped[Offer] = relationship(back_populates="slots")
