"""Matching runs and the proposals they produced, with their score and reasons; the
offers waiting for their re-proposals; why each need was last left without one."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.need import Need
from mutuo_aiuto.models.offer import Offer
from mutuo_aiuto.models.types import UTCDateTime, new_public_id, utcnow


class RunKind(StrEnum):
    FULL = "full"
    INCREMENTAL = "incremental"
    MANUAL = "manual"


class ProposalStatus(StrEnum):
    """A suggestion waiting for a facilitator, and what became of it."""

    PROPOSED = "proposed"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"
    CONFIRMED = "confirmed"


# Plain strings, so the CHECK constraints' text stays as the migrations wrote it.
RUN_KINDS = tuple(kind.value for kind in RunKind)
PROPOSAL_STATUSES = tuple(status.value for status in ProposalStatus)


class MatchingRun(Model):
    __tablename__ = "matching_runs"
    __table_args__ = (CheckConstraint(f"kind IN {RUN_KINDS!r}", name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(12))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The matcher's stats: needs, offers, allowed pairs, seconds.
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"))


class Proposal(Model):
    """A pairing the matcher suggests. ``rank`` 1 is the chosen one, then alternatives."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(f"status IN {PROPOSAL_STATUSES!r}", name="status"),
        # The facilitator's queue: which requests have the matcher's choice waiting. Partial,
        # so it stays the size of the waiting choices while superseded proposals pile up.
        Index("ix_proposals_waiting_choice", "need_id",
              postgresql_where=text("status = 'proposed' AND rank = 1"),
              sqlite_where=text("status = 'proposed' AND rank = 1")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    run_id: Mapped[int] = mapped_column(ForeignKey("matching_runs.id", ondelete="CASCADE"),
                                        index=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          index=True)
    rank: Mapped[int] = mapped_column(default=1)
    score: Mapped[int]
    # The matcher's reasons, as in the answer file: [{"code": ..., "points": ...}, …]
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(12), default=ProposalStatus.PROPOSED.value,
                                        index=True)
    rejected_reason: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    run: Mapped[MatchingRun] = relationship()
    need: Mapped[Need] = relationship()
    offer: Mapped[Offer] = relationship()


class QueuedOffer(Model):
    """An offer posted or changed whose fitting needs the scheduler is to propose again.

    Re-proposing grows with the open needs, so the web request queues it here and
    the minute job (or the nightly run) does it; one row per offer however often
    it changes before then.
    """

    __tablename__ = "queued_offers"

    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id", ondelete="CASCADE"),
                                          primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class QueuedNeed(Model):
    """A need whose proposals the scheduler's minute job is to make again: freed by a
    helper's "no" (or no answer in time), or its choice's offer taken by a confirmation.
    Re-proposing in the web request would grow with the data; the job does it."""

    __tablename__ = "queued_needs"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"),
                                         primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class UnmatchedReason(Model):
    """Why the need got no proposal the last time the matcher looked at it, and when.

    Stored by the full run and by each incremental proposal, so the page of
    requests without a proposal reads it instead of solving again.
    """

    __tablename__ = "unmatched_reasons"

    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"),
                                         primary_key=True)
    # A code of ``matching.diagnose`` or ``taken`` (see ``services.reasons``).
    reason: Mapped[str] = mapped_column(String(20))
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # With ``not_vetted``: how many helpers every other rule allows, waiting for the
    # Hub's check (so the page can say "2 helpers could help but are waiting").
    waiting_helpers: Mapped[int | None] = mapped_column()


class UnmatchedSpell(Model):
    """A span of time a need was left without a proposal for one reason (issue 14).

    ``UnmatchedReason`` holds only the latest reason; the figures count unmatched
    requests by reason over past periods, so each change of reason opens a spell
    here and closes the one before (``until``); a proposal closes it too. Written only
    when the reason changes, never on a run that finds the same reason again.
    """

    __tablename__ = "unmatched_spells"

    id: Mapped[int] = mapped_column(primary_key=True)
    need_id: Mapped[int] = mapped_column(ForeignKey("needs.id", ondelete="CASCADE"),
                                         index=True)
    reason: Mapped[str] = mapped_column(String(20))
    since: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # None while the need is still without a proposal for this reason.
    until: Mapped[datetime | None] = mapped_column(UTCDateTime())
