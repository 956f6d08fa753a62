"""A need (richiesta): what a family asks for, when, where and from how many helpers."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import JSON, CheckConstraint, Column, ForeignKey, String, Table
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model, db
from mutuo_aiuto.models.catalogue import Category, Skill
from mutuo_aiuto.models.household import Household
from mutuo_aiuto.models.place import Neighbourhood
from mutuo_aiuto.models.slot import SlotColumns, slot_checks
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow


class NeedStatus(StrEnum):
    """Where a need is in its life; services.lifecycle says which may follow which.
    The column stays a string: the members equal the stored values."""

    DRAFT = "draft"
    OPEN = "open"
    PAUSED = "paused"
    PROPOSED = "proposed"
    MATCHED = "matched"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"
    EXPIRED = "expired"


# Plain strings, so the CHECK constraint's text stays as the migrations wrote it.
NEED_STATUSES = tuple(status.value for status in NeedStatus)

need_skills = Table(
    "need_skills",
    db.metadata,
    Column("need_id", ForeignKey("needs.id", ondelete="CASCADE"), primary_key=True),
    Column("skill_id", ForeignKey("skills.id", ondelete="RESTRICT"), primary_key=True),
)


class Need(Model):
    __tablename__ = "needs"
    __table_args__ = (
        CheckConstraint(f"status IN {NEED_STATUSES!r}", name="status"),
        CheckConstraint("helpers BETWEEN 1 AND 10", name="helpers"),
        CheckConstraint("urgency BETWEEN 0 AND 3", name="urgency"),
        CheckConstraint("max_hops BETWEEN 0 AND 10", name="max_hops"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="RESTRICT"))
    neighbourhood_id: Mapped[int] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"))
    status: Mapped[str] = mapped_column(String(12), default=NeedStatus.DRAFT.value,
                                        index=True)
    title: Mapped[str] = mapped_column(String(120))
    # Free text can tell of health, conflict or family trouble: encrypted at rest.
    description: Mapped[str | None] = mapped_column(EncryptedText())
    helpers: Mapped[int] = mapped_column(default=1)
    urgency: Mapped[int] = mapped_column(default=0)
    max_hops: Mapped[int] = mapped_column(default=1)
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    requires_vetted: Mapped[bool] = mapped_column(default=False)
    remote: Mapped[bool] = mapped_column(default=False)
    # Where the help happens: at the family's home (the helper then needs the address,
    # shown once they accepted) or elsewhere (school, outdoors, by phone): no address.
    at_home: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    starts_on: Mapped[date | None]
    ends_on: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The end date the owner was last warned about (scheduler, issue 5): a
    # second run sends nothing, a new end date gets a new notice.
    expiry_notice_for: Mapped[date | None]

    household: Mapped[Household] = relationship()
    category: Mapped[Category] = relationship()
    neighbourhood: Mapped[Neighbourhood] = relationship()
    skills: Mapped[list[Skill]] = relationship(secondary=need_skills, order_by="Skill.position")
    slots: Mapped[list[NeedSlot]] = relationship(
        back_populates="need", cascade="all, delete-orphan",
        order_by="(NeedSlot.on_date, NeedSlot.weekday, NeedSlot.start_minute)")

    def __repr__(self) -> str:
        return f"<Need {self.public_id} {self.status}>"


class NeedSlot(SlotColumns, Model):
    __tablename__ = "need_slots"
    __table_args__ = slot_checks("need_slot", dated=True)

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    on_date: Mapped[date | None]

    need: Mapped[Need] = relationship(back_populates="slots")
