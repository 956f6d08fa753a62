"""A household: the family behind an account, its members and its private contacts."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.place import Neighbourhood
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow

if TYPE_CHECKING:
    from mutuo_aiuto.models.user import User

MEMBER_KINDS = ("adult", "child", "elder")


class Household(Model):
    __tablename__ = "households"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"),
                                         unique=True)
    name: Mapped[str] = mapped_column(String(120))
    neighbourhood_id: Mapped[int | None] = mapped_column(
        ForeignKey("neighbourhoods.id", ondelete="RESTRICT"))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Private: only the household itself, facilitators and (later) its
    # confirmed counterpart may read these. Encrypted at rest.
    phone: Mapped[str | None] = mapped_column(EncryptedText())
    address: Mapped[str | None] = mapped_column(EncryptedText())
    care_notes: Mapped[str | None] = mapped_column(EncryptedText())
    # Raised by every confirmation of one of the household's offers: of two
    # facilitators booking the same helper at once, one fails even where the
    # database has no row locks (SQLite). Nobody is in two places at once.
    version: Mapped[int] = mapped_column(default=1, server_default="1")
    # Consent given in person at the Hub's front desk (issue 16): when, which version of
    # the privacy notice, and which facilitator recorded it. Only a household with this
    # may be acted for by the Hub (``policy.can_act_for``).
    desk_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    desk_consent_version: Mapped[str | None] = mapped_column(String(20))
    desk_consent_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow,
                                                 onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="household", foreign_keys=[user_id])
    desk_consent_by: Mapped[User | None] = relationship(foreign_keys=[desk_consent_by_id])
    neighbourhood: Mapped[Neighbourhood | None] = relationship()
    members: Mapped[list[Member]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Member.id")

    def __repr__(self) -> str:
        return f"<Household {self.public_id}>"


class Member(Model):
    """One person of a household; every field is optional and explained in the form."""

    __tablename__ = "household_members"
    __table_args__ = (
        CheckConstraint(f"kind IN {MEMBER_KINDS!r}", name="kind"),
        CheckConstraint("birth_year IS NULL OR (birth_year BETWEEN 1900 AND 2100)",
                        name="birth_year"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="adult")
    first_name: Mapped[str | None] = mapped_column(String(80))
    birth_year: Mapped[int | None]
    has_disability: Mapped[bool] = mapped_column(default=False)

    household: Mapped[Household] = relationship(back_populates="members")
