"""The facilitator's queue: one row per request looking for help, what needs a decision first.

The order (``QUEUE_ORDER``), the same on every page:

1. ``DECIDE`` — requests whose pairing the matcher proposed and nobody has confirmed
   or rejected yet: the facilitator's decision is all that is missing;
2. ``REPAIR`` — requests without a proposal whose helper declined or did not answer
   in time: the family was already told someone was found, so they come next;
3. ``NO_PROPOSAL`` — the other requests without a proposal (the matcher found no
   one, or has not looked yet): only pairing by hand can help them now.

Within each group the family's own urgency comes first (``Within days`` before
``Not urgent``), then the family that has waited longest since it published the
request (the "waiting" the row shows).

Reading only, in a fixed number of queries whatever the data: a count, the
page's request ids, the requests with what a row shows (their slots apart), their
proposals with the helpers' names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from mutuo_aiuto.models import (
    Category,
    Household,
    Match,
    MatchStatus,
    Need,
    Neighbourhood,
    Offer,
    Proposal,
    ProposalStatus,
)
from mutuo_aiuto.services import paging
from mutuo_aiuto.services.lifecycle import NEED_SEEKING

DECIDE, REPAIR, NO_PROPOSAL = 0, 1, 2
QUEUE_ORDER = (DECIDE, REPAIR, NO_PROPOSAL)
# A helper's "no", or no answer in time: the request is to be paired again.
TURNED_DOWN = (MatchStatus.DECLINED.value, MatchStatus.UNANSWERED.value)
# Rows per page: twelve fit in one and a half laptop screens.
QUEUE_PER_PAGE = 12

_NO_CONTACTS = (defer(Household.phone), defer(Household.address), defer(Household.care_notes))


@dataclass(frozen=True)
class QueueRow:
    """One request of the queue: the request, its group, since when the family waits
    (the request's publication), its best proposal (None when it has none)."""

    need: Need
    group: int
    waiting_since: datetime
    top: Proposal | None


@dataclass(frozen=True)
class QueuePage:
    rows: list[QueueRow]
    number: int
    pages: int
    total: int  # requests in the queue with these filters, on every page


def _ordered(today: date, neighbourhood: str | None, category: str | None,
             urgency: int | None) -> Any:
    """(need id, group, waiting since) of every request in the queue, and the queue's order.

    Both groups are ``IN`` subqueries, which PostgreSQL hashes once whatever its
    statistics say (a join on a grouped subquery chose a nested loop of seconds on
    freshly loaded rows); ``ix_proposals_waiting_choice`` answers the first.
    """
    chosen = select(Proposal.need_id).where(Proposal.status == ProposalStatus.PROPOSED.value,
                                            Proposal.rank == 1)
    turned = select(Match.need_id).where(Match.status.in_(TURNED_DOWN))
    group = case((Need.id.in_(chosen), DECIDE), (Need.id.in_(turned), REPAIR),
                 else_=NO_PROPOSAL)
    since = func.coalesce(Need.opened_at, Need.created_at)
    query = (select(Need.id, group.label("grp"), since.label("since"))
             .where(Need.status.in_(NEED_SEEKING), Need.ends_on >= today))
    if neighbourhood:
        query = query.where(Need.neighbourhood_id.in_(
            select(Neighbourhood.id).where(Neighbourhood.slug == neighbourhood)))
    if category:
        query = query.where(Need.category_id.in_(
            select(Category.id).where(Category.slug == category)))
    if urgency is not None:
        query = query.where(Need.urgency >= urgency)
    return query, (group, Need.urgency.desc(), since, Need.id)


def queue(session: Session, today: date, *, neighbourhood: str | None = None,
          category: str | None = None, urgency: int | None = None, page: int = 1,
          per_page: int | None = None) -> QueuePage:
    """One page of the queue (a page past the last shows the last), filtered."""
    per_page = per_page or QUEUE_PER_PAGE
    query, order = _ordered(today, neighbourhood, category, urgency)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    found = session.execute(query.order_by(*order).limit(per_page)
                            .offset((number - 1) * per_page)).all()
    ids = [row.id for row in found]
    # The one-to-one sides joined in the same query: each query costs a round trip.
    needs = {need.id: need for need in session.scalars(
        select(Need).where(Need.id.in_(ids)).options(
            joinedload(Need.household).options(*_NO_CONTACTS),
            joinedload(Need.category), joinedload(Need.neighbourhood),
            selectinload(Need.slots)))}
    tops = _best_proposals(session, ids)
    return QueuePage([QueueRow(needs[row.id], row.grp, row.since, tops.get(row.id))
                      for row in found], number, pages, total)


def _best_proposals(session: Session, need_ids: list[int]) -> dict[int, Proposal]:
    """Each request's best waiting proposal: the matcher's choice, then the best score."""
    best: dict[int, Proposal] = {}
    if not need_ids:
        return best
    query = (select(Proposal).where(Proposal.need_id.in_(need_ids),
                                    Proposal.status == ProposalStatus.PROPOSED.value)
             .options(joinedload(Proposal.offer).joinedload(Offer.household)
                      .options(*_NO_CONTACTS))
             .order_by(Proposal.need_id, Proposal.rank, Proposal.score.desc(), Proposal.id))
    for proposal in session.scalars(query):
        best.setdefault(proposal.need_id, proposal)
    return best


@dataclass(frozen=True)
class AwaitingPage:
    matches: list[Match]
    number: int
    pages: int
    total: int


# Confirmations waiting for the helper's answer, per page of the queue's second list.
AWAITING_PER_PAGE = 12


def awaiting(session: Session, *, page: int = 1, per_page: int | None = None) -> AwaitingPage:
    """Confirmations waiting for the helper's answer, the nearest deadline first, a page
    at a time (names only: the households' contacts are not read)."""
    per_page = per_page or AWAITING_PER_PAGE
    waiting = Match.status == MatchStatus.AWAITING.value
    total = session.scalar(select(func.count(Match.id)).where(waiting)) or 0
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    sides = (joinedload(Match.need).joinedload(Need.household).options(*_NO_CONTACTS),
             joinedload(Match.offer).joinedload(Offer.household).options(*_NO_CONTACTS))
    shown = session.scalars(select(Match).where(waiting).options(*sides)
                            .order_by(Match.respond_by, Match.id)
                            .limit(per_page).offset((number - 1) * per_page))
    return AwaitingPage(list(shown), number, pages, total)


def chosen_elsewhere(session: Session, need: Need, offer_ids: list[int]) -> set[int]:
    """Of these offers, those that are the matcher's choice (rank 1) for another request."""
    if not offer_ids:
        return set()
    return set(session.scalars(select(Proposal.offer_id).where(
        Proposal.offer_id.in_(offer_ids), Proposal.need_id != need.id, Proposal.rank == 1,
        Proposal.status == ProposalStatus.PROPOSED.value)))
