"""The facilitators' daily digest: what is new and what waits for them.

One mail per facilitator per day (``User.digest_sent_on``), so running the job
twice sends nothing more. A mail leaves the service's protection, so the digest
carries counts, categories and neighbourhoods, never a family's own words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import FollowUp, Match, MatchStatus, Need, Proposal, ProposalStatus
from mutuo_aiuto.services import ports
from mutuo_aiuto.services.followups import due_follow_ups
from mutuo_aiuto.services.notifications import facilitators


@dataclass(frozen=True)
class Digest:
    new_needs: list[Need]
    proposals_waiting: int
    awaiting_answer: list[Match]
    overdue_answers: list[Match]
    follow_ups_due: list[FollowUp]

    @property
    def empty(self) -> bool:
        return not (self.new_needs or self.proposals_waiting or self.awaiting_answer
                    or self.follow_ups_due)


def build_digest(session: Session, now: datetime, today: date) -> Digest:
    """Gather the day's figures (the same for every facilitator)."""
    awaiting = list(session.scalars(select(Match).where(Match.status == MatchStatus.AWAITING)
                                    .order_by(Match.respond_by, Match.id)))
    return Digest(
        new_needs=list(session.scalars(select(Need).where(
            Need.opened_at >= now - timedelta(days=1)).order_by(Need.opened_at, Need.id))),
        proposals_waiting=session.scalar(select(func.count(Proposal.id)).where(
            Proposal.status == ProposalStatus.PROPOSED, Proposal.rank == 1)) or 0,
        awaiting_answer=awaiting,
        overdue_answers=[m for m in awaiting if m.respond_by is not None and m.respond_by < now],
        follow_ups_due=due_follow_ups(session, today),
    )


def send_digests(session: Session, now: datetime, today: date) -> int:
    """Mail today's digest to every facilitator who has not had it; return how many."""
    pending = [f for f in facilitators(session) if f.digest_sent_on != today]
    if not pending:
        return 0
    digest = build_digest(session, now, today)
    if digest.empty:
        return 0
    for facilitator in pending:
        ports.mailer().send(session, facilitator, "digest", _l("Family Hub: today's summary"),
                            digest=digest, today=today)
        facilitator.digest_sent_on = today
    session.flush()
    return len(pending)
