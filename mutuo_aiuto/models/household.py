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

# What a person may say about themselves for the programme's funder (ESF+). The
# stored codes only: labels, explanations and the ESF+ indicator codes are in
# services/esf.py. "prefer_not" is an answer ("I would rather not say"); NULL
# means the question was not answered at all.
PREFER_NOT = "prefer_not"
GENDERS = ("woman", "man", "non_binary", PREFER_NOT)
EMPLOYMENT_STATUSES = ("unemployed", "long_term_unemployed", "inactive", "employed", PREFER_NOT)
EDUCATION_LEVELS = ("isced_0_2", "isced_3_4", "isced_5_8", PREFER_NOT)
CITIZENSHIPS = ("italian", "other_eu", "third_country", PREFER_NOT)
YES_NO = ("yes", "no", PREFER_NOT)


def _one_of(column: str, values: tuple[str, ...]) -> CheckConstraint:
    return CheckConstraint(f"{column} IS NULL OR {column} IN {values!r}", name=column)


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
        _one_of("gender", GENDERS),
        _one_of("employment", EMPLOYMENT_STATUSES),
        _one_of("education", EDUCATION_LEVELS),
        _one_of("citizenship", CITIZENSHIPS),
        _one_of("foreign_background", YES_NO),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    household_id: Mapped[int] = mapped_column(
        ForeignKey("households.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(10), default="adult")
    first_name: Mapped[str | None] = mapped_column(String(80))
    birth_year: Mapped[int | None]
    # ESF+ questions, all optional (codes above). Employment is the status "at entry":
    # asked when the person is added, kept as it was then.
    gender: Mapped[str | None] = mapped_column(String(12))
    employment: Mapped[str | None] = mapped_column(String(24))
    education: Mapped[str | None] = mapped_column(String(12))
    citizenship: Mapped[str | None] = mapped_column(String(16))
    foreign_background: Mapped[str | None] = mapped_column(String(12))
    # Special-category data (GDPR art. 9): kept only with the separate consent recorded
    # below, encrypted at rest, one of YES_NO. Withdrawing the consent clears both.
    disability: Mapped[str | None] = mapped_column(EncryptedText())
    minority: Mapped[str | None] = mapped_column(EncryptedText())
    special_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    special_consent_version: Mapped[str | None] = mapped_column(String(20))

    household: Mapped[Household] = relationship(back_populates="members")
