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
page's request ids, the requests with what a row shows (their slots apart), each
one's best proposal with the helper's name. Only the columns a row shows are read:
at 10,000 households the whole rows (every alternative proposal, the JSON columns
decoded) were a third of the page's time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session, joinedload, load_only, selectinload

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

# What a row shows of a household: its name (its contacts are never read).
_NAME = load_only(Household.name)


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


def _kept(today: date, neighbourhood: str | None, category: str | None,
          urgency: int | None) -> list[Any]:
    """The conditions of a request in the queue, with these filters."""
    kept = [Need.status.in_(NEED_SEEKING), Need.ends_on >= today]
    if neighbourhood:
        kept.append(Need.neighbourhood_id.in_(
            select(Neighbourhood.id).where(Neighbourhood.slug == neighbourhood)))
    if category:
        kept.append(Need.category_id.in_(select(Category.id).where(Category.slug == category)))
    if urgency is not None:
        kept.append(Need.urgency >= urgency)
    return kept


def _ordered(kept: list[Any]) -> Any:
    """(need id, group, waiting since) of every request kept, and the queue's order.

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
    query = select(Need.id, group.label("grp"), since.label("since")).where(*kept)
    return query, (group, Need.urgency.desc(), since, Need.id)


def queue(session: Session, today: date, *, neighbourhood: str | None = None,
          category: str | None = None, urgency: int | None = None, page: int = 1,
          per_page: int | None = None) -> QueuePage:
    """One page of the queue (a page past the last shows the last), filtered."""
    per_page = per_page or QUEUE_PER_PAGE
    kept = _kept(today, neighbourhood, category, urgency)
    # The count needs no group: counting the rows alone skips both subqueries.
    total = session.scalar(select(func.count(Need.id)).where(*kept)) or 0
    query, order = _ordered(kept)
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    found = session.execute(query.order_by(*order).limit(per_page)
                            .offset((number - 1) * per_page)).all()
    ids = [row.id for row in found]
    # The one-to-one sides joined in the same query: each query costs a round trip.
    needs = {need.id: need for need in session.scalars(
        select(Need).where(Need.id.in_(ids)).options(
            load_only(Need.public_id, Need.urgency),
            joinedload(Need.household).options(_NAME),
            joinedload(Need.category), joinedload(Need.neighbourhood),
            selectinload(Need.slots)))}
    tops = _best_proposals(session, ids)
    return QueuePage([QueueRow(needs[row.id], row.grp, row.since, tops.get(row.id))
                      for row in found], number, pages, total)


def _best_proposals(session: Session, need_ids: list[int]) -> dict[int, Proposal]:
    """Each request's best waiting proposal: the matcher's choice, then the best score
    (its score and helper's name: the alternatives stay in the database)."""
    if not need_ids:
        return {}
    place = func.row_number().over(partition_by=Proposal.need_id, order_by=(
        Proposal.rank, Proposal.score.desc(), Proposal.id))
    ranked = (select(Proposal.id, place.label("place"))
              .where(Proposal.need_id.in_(need_ids),
                     Proposal.status == ProposalStatus.PROPOSED.value).subquery())
    query = (select(Proposal).join(ranked, ranked.c.id == Proposal.id)
             .where(ranked.c.place == 1)
             .options(load_only(Proposal.need_id, Proposal.score),
                      joinedload(Proposal.offer).load_only(Offer.household_id)
                      .joinedload(Offer.household).options(_NAME)))
    return {proposal.need_id: proposal for proposal in session.scalars(query)}


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
    at a time (names only: the households' contacts are not read).

    The page's matches are chosen first, then joined to their sides: joining every
    waiting match before sorting made PostgreSQL read all the requests and offers.
    """
    per_page = per_page or AWAITING_PER_PAGE
    waiting = Match.status == MatchStatus.AWAITING.value
    total = session.scalar(select(func.count(Match.id)).where(waiting)) or 0
    pages = paging.page_count(total, per_page)
    number = paging.clamp(page, pages)
    order = (Match.respond_by, Match.id)
    chosen = (select(Match.id).where(waiting).order_by(*order)
              .limit(per_page).offset((number - 1) * per_page).subquery())
    sides = (load_only(Match.respond_by),
             joinedload(Match.need).load_only(Need.public_id)
             .joinedload(Need.household).options(_NAME),
             joinedload(Match.offer).load_only(Offer.household_id)
             .joinedload(Offer.household).options(_NAME))
    shown = session.scalars(select(Match).join(chosen, chosen.c.id == Match.id)
                            .options(*sides).order_by(*order))
    return AwaitingPage(list(shown), number, pages, total)


def chosen_elsewhere(session: Session, need: Need, offer_ids: list[int]) -> set[int]:
    """Of these offers, those that are the matcher's choice (rank 1) for another request."""
    if not offer_ids:
        return set()
    return set(session.scalars(select(Proposal.offer_id).where(
        Proposal.offer_id.in_(offer_ids), Proposal.need_id != need.id, Proposal.rank == 1,
        Proposal.status == ProposalStatus.PROPOSED.value)))
