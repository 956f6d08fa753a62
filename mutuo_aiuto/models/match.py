"""A match (abbinamento): a pairing a facilitator confirmed, followed until it closes."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Numeric,
    String,
    UniqueConstraint,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.need import Need
from mutuo_aiuto.models.offer import Offer
from mutuo_aiuto.models.types import EncryptedText, UTCDateTime, new_public_id, utcnow


class MatchStatus(StrEnum):
    """Where a pairing is (the column stays a string of these values)."""

    # Confirmed by a facilitator, waiting for the helper to accept.
    AWAITING = "awaiting"
    ACTIVE = "active"
    CLOSED = "closed"
    DECLINED = "declined"
    UNANSWERED = "unanswered"
    CANCELLED = "cancelled"


class MatchOutcome(StrEnum):
    """How a facilitator closed a pairing."""

    RESOLVED = "resolved"
    PARTLY = "partly"
    NOT_RESOLVED = "not_resolved"
    STOPPED = "stopped"


class FollowUpOutcome(StrEnum):
    """What a facilitator found at a check with both sides."""

    GOING_WELL = "going_well"
    NEEDS_SUPPORT = "needs_support"
    TO_CLOSE = "to_close"
    UNREACHABLE = "unreachable"


# Plain strings, so the CHECK constraint's text stays as the migrations wrote it.
MATCH_STATUSES = tuple(status.value for status in MatchStatus)
# Matches that hold the offer's capacity and time.
MATCH_HOLDING = (MatchStatus.AWAITING, MatchStatus.ACTIVE)
OUTCOMES = tuple(MatchOutcome)


class Match(Model):
    __tablename__ = "matches"
    __table_args__ = (
        CheckConstraint(f"status IN {MATCH_STATUSES!r}", name="status"),
        CheckConstraint("family_rating IS NULL OR family_rating BETWEEN 1 AND 5",
                        name="family_rating"),
        CheckConstraint("helper_rating IS NULL OR helper_rating BETWEEN 1 AND 5",
                        name="helper_rating"),
        CheckConstraint("hours IS NULL OR hours >= 0", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          index=True)
    proposal_id: Mapped[int | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(12), default=MatchStatus.AWAITING.value,
                                        index=True)
    score: Mapped[int | None]
    confirmed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))
    # Indexed (as closed_at): the impact pages select pairings by period.
    confirmed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    respond_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    started_on: Mapped[date | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Rules a facilitator overrode when pairing by hand ("distance", "language").
    overrides: Mapped[str | None] = mapped_column(String(60))
    override_reason: Mapped[str | None] = mapped_column(String(500))
    outcome: Mapped[str | None] = mapped_column(String(20))
    hours: Mapped[float | None] = mapped_column(Numeric(7, 2, asdecimal=False))
    family_rating: Mapped[int | None]
    family_comment: Mapped[str | None] = mapped_column(EncryptedText())
    helper_rating: Mapped[int | None]
    helper_comment: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()

    def __repr__(self) -> str:
        return f"<Match {self.public_id} {self.status}>"

    @classmethod
    def involving(cls, household_id: int) -> ColumnElement[bool]:
        """Pairings where the household asks (its need) or helps (its offer).

        Two lookups by the households' indexes; the same ``OR`` across joined
        needs and offers makes PostgreSQL read both tables whole.
        """
        return or_(cls.need_id.in_(select(Need.id).where(Need.household_id == household_id)),
                   cls.offer_id.in_(select(Offer.id).where(Offer.household_id == household_id)))


class FollowUp(Model):
    """A scheduled follow-up ("colloquio di verifica") with both sides, and its outcome."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        CheckConstraint("family_belonging IS NULL OR family_belonging BETWEEN 1 AND 5",
                        name="family_belonging"),
        CheckConstraint("helper_belonging IS NULL OR helper_belonging BETWEEN 1 AND 5",
                        name="helper_belonging"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"),
                                          index=True)
    due_on: Mapped[date] = mapped_column(index=True)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    outcome: Mapped[str | None] = mapped_column(String(20))
    notes: Mapped[str | None] = mapped_column(EncryptedText())
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Belonging (issue 14): each side's answer, 1-5, to "I know people in my
    # neighbourhood I can ask for help", asked at every check; dated by ``done_at``.
    # Columns of the check, as the ratings are of the match, so that each side's
    # export holds its own answer only (services/belonging.py reads them).
    family_belonging: Mapped[int | None]
    helper_belonging: Mapped[int | None]

    match: Mapped[Match] = relationship()


class SessionNotice(Model):
    """One person's reminders of one session of a match, and their answer (issue 5).

    A row per (match, person, day, start): which reminders went (a week before,
    the day before, the morning) and whether they said they are coming.
    """

    __tablename__ = "session_notices"
    __table_args__ = (
        UniqueConstraint("match_id", "user_id", "on_date", "start_minute", name="one_per_session"),
        CheckConstraint("answer IS NULL OR answer IN ('coming', 'cannot')", name="answer"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    on_date: Mapped[date] = mapped_column(index=True)
    start_minute: Mapped[int]
    end_minute: Mapped[int]
    week_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    day_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    morning_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    answer: Mapped[str | None] = mapped_column(String(10))
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    match: Mapped[Match] = relationship()


class ReportKind(StrEnum):
    """What a side of a pairing tells the Hub from the pairing's page."""

    # "It's done": a request to the facilitators to close the pairing.
    DONE = "done"
    # "Something is wrong": a short text for the facilitators only.
    PROBLEM = "problem"


REPORT_KINDS = tuple(kind.value for kind in ReportKind)


class MatchReport(Model):
    """One side's "it's done" or "something is wrong" about a pairing (issue 11).

    Read by facilitators only: the other side never sees it. The text is encrypted.
    """

    __tablename__ = "match_reports"
    __table_args__ = (CheckConstraint(f"kind IN {REPORT_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"),
                                          index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    side: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(EncryptedText())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    match: Mapped[Match] = relationship()


class MatchHours(Model):
    """Hours the helper gave in one month of a pairing; their sum is the pairing's hours."""

    __tablename__ = "match_hours"
    __table_args__ = (
        UniqueConstraint("match_id", "month", name="one_per_month"),
        CheckConstraint("hours >= 0 AND hours <= 200", name="hours"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    match_id: Mapped[int] = mapped_column(ForeignKey("matches.id", ondelete="CASCADE"),
                                          index=True)
    # The first day of the month.
    month: Mapped[date]
    hours: Mapped[float] = mapped_column(Numeric(5, 2, asdecimal=False))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    match: Mapped[Match] = relationship()
