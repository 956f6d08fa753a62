"""What the facilitator's pages read of the matcher's work: the waiting proposals, one
page at a time; the needs left without one, with the reason stored when the matcher
last looked; whether re-proposals are still queued. Reading only: nothing here runs
the matcher or changes a row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, selectinload

from mutuo_aiuto.models import (
    Category,
    Household,
    MatchingRun,
    Need,
    Neighbourhood,
    Offer,
    Proposal,
    QueuedNeed,
    QueuedOffer,
    UnmatchedReason,
)
from mutuo_aiuto.services import paging
from mutuo_aiuto.services.lifecycle import NEED_SEEKING

# A need the matcher has not looked at since it was posted (the scheduler will).
PENDING = "pending"


@dataclass
class NeedProposals:
    need: Need
    chosen: list[Proposal] = field(default_factory=list)
    alternatives: list[Proposal] = field(default_factory=list)


# A household's contacts are encrypted at rest; the lists never show them.
_NO_CONTACTS = (defer(Household.phone), defer(Household.address), defer(Household.care_notes))


def _shown(model: type, name: str) -> Any:
    loaded = selectinload(getattr(model, name))
    return loaded.options(*_NO_CONTACTS) if name == "household" else loaded


# What the dashboard shows of both sides, loaded in a few queries for all the
# proposals at once rather than a few queries per proposal.
_SIDES_SHOWN = tuple(
    selectinload(side).options(*(_shown(model, name) for name in related))
    for side, model, related in (
        (Proposal.need, Need, ("household", "category", "neighbourhood", "skills", "slots")),
        (Proposal.offer, Offer, ("household", "neighbourhood", "skills", "slots")),
    ))


@dataclass(frozen=True)
class ProposalPage:
    """One page of the dashboard: its needs with their proposals, and where it stands."""

    groups: list[NeedProposals]
    number: int
    pages: int
    needs: int  # needs with waiting proposals, on every page


# Needs per dashboard page: about 120 KB of HTML at most, under the 150 KB a phone page may weigh.
PROPOSALS_PER_PAGE = 12


def live_proposals(session: Session, *, neighbourhood: str | None = None,
                   category: str | None = None, urgency: int | None = None,
                   page: int = 1, per_page: int | None = None) -> ProposalPage:
    """Waiting proposals grouped by need, the most urgent and oldest needs first, one
    page of needs at a time (a page past the last shows the last)."""
    per_page = per_page or PROPOSALS_PER_PAGE
    waiting = select(Proposal.need_id).where(Proposal.status == "proposed")
    needs = _filtered(select(Need.id).where(Need.status.in_(NEED_SEEKING), Need.id.in_(waiting)),
                      neighbourhood, category, urgency)
    total = session.scalar(select(func.count()).select_from(needs.subquery())) or 0
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    shown = list(session.scalars(needs.order_by(Need.urgency.desc(), Need.opened_at, Need.id)
                                 .limit(per_page).offset((number - 1) * per_page)))
    query = (select(Proposal).join(Need, Need.id == Proposal.need_id)
             .where(Proposal.status == "proposed", Proposal.need_id.in_(shown))
             .options(*_SIDES_SHOWN)
             .order_by(Need.urgency.desc(), Need.opened_at, Need.id, Proposal.rank,
                       Proposal.score.desc(), Proposal.id))
    grouped: dict[int, NeedProposals] = {}
    for proposal in session.scalars(query):
        group = grouped.setdefault(proposal.need_id, NeedProposals(proposal.need))
        (group.chosen if proposal.rank == 1 else group.alternatives).append(proposal)
    return ProposalPage(list(grouped.values()), number, pages, total)


def _filtered(query: Any, neighbourhood: str | None, category: str | None,
              urgency: int | None) -> Any:
    if neighbourhood:
        query = query.where(Need.neighbourhood_id.in_(
            select(Neighbourhood.id).where(Neighbourhood.slug == neighbourhood)))
    if category:
        query = query.where(Need.category_id.in_(
            select(Category.id).where(Category.slug == category)))
    if urgency is not None:
        query = query.where(Need.urgency >= urgency)
    return query


@dataclass(frozen=True)
class Unmatched:
    need: Need
    reason: str
    # When the matcher last looked at the need (None: not since it was posted).
    checked_at: datetime | None = None


def _unmatched_ids(today: date, neighbourhood: str | None, category: str | None,
                   urgency: int | None) -> Any:
    proposed = select(Proposal.need_id).where(Proposal.status == "proposed", Proposal.rank == 1)
    return _filtered(select(Need.id).where(Need.status.in_(NEED_SEEKING), Need.ends_on >= today,
                                           Need.id.not_in(proposed)),
                     neighbourhood, category, urgency)


def unmatched_needs(session: Session, today: date, *, neighbourhood: str | None = None,
                    category: str | None = None, urgency: int | None = None,
                    limit: int | None = None, offset: int = 0) -> list[Unmatched]:
    """Needs looking for help with no pairing proposed, each with the reason the last full
    run or incremental proposal stored, and when (``pending`` if it has not looked yet);
    ``limit`` of them from ``offset`` (one page), or all."""
    needs = _unmatched_ids(today, neighbourhood, category, urgency)
    query = (select(Need, UnmatchedReason)
             .outerjoin(UnmatchedReason, UnmatchedReason.need_id == Need.id)
             .where(Need.id.in_(needs))
             .options(selectinload(Need.neighbourhood), selectinload(Need.category),
                      # The list shows the family's name; its contacts stay encrypted.
                      selectinload(Need.household).options(*_NO_CONTACTS))
             .order_by(Need.urgency.desc(), func.coalesce(Need.opened_at, Need.created_at),
                       Need.id)
             .limit(limit).offset(offset))
    return [Unmatched(need, stored.reason if stored else PENDING,
                      stored.checked_at if stored else None)
            for need, stored in session.execute(query)]


def count_unmatched(session: Session, today: date, *, neighbourhood: str | None = None,
                    category: str | None = None, urgency: int | None = None) -> int:
    """How many needs ``unmatched_needs`` lists with these filters, in one count."""
    needs = _unmatched_ids(today, neighbourhood, category, urgency)
    return session.scalar(select(func.count()).select_from(needs.subquery())) or 0


def unmatched_by_reason(session: Session, today: date) -> dict[str, int]:
    """The needs ``unmatched_needs`` lists, counted per stored reason (``pending``
    when the matcher has not looked yet), in one aggregate query."""
    reason = func.coalesce(UnmatchedReason.reason, PENDING)
    query = (select(reason, func.count(Need.id)).select_from(Need)
             .outerjoin(UnmatchedReason, UnmatchedReason.need_id == Need.id)
             .where(Need.id.in_(_unmatched_ids(today, None, None, None))).group_by(reason))
    return {code: count for code, count in session.execute(query)}


def last_run(session: Session) -> MatchingRun | None:
    return session.scalars(select(MatchingRun).order_by(MatchingRun.id.desc()).limit(1)).first()


def updating(session: Session, offer: Offer | None = None) -> bool:
    """Whether re-proposals are waiting for the scheduler (for ``offer``, when given; the
    needs a confirmation queued count for the whole list)."""
    query = select(QueuedOffer.offer_id)
    if offer is not None:
        query = query.where(QueuedOffer.offer_id == offer.id)
        return session.scalar(query.limit(1)) is not None
    either = query.union_all(select(QueuedNeed.need_id))
    return session.scalar(select(either.subquery().c[0]).limit(1)) is not None
