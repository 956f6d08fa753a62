"""What the facilitator's pages read of the matcher's work (the queue itself is
``facilitator_queue``): the needs left without a proposal, with the reason stored
when the matcher last looked; whether re-proposals are still queued. Reading only: nothing here runs
the matcher or changes a row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, defer, joinedload, selectinload

from mutuo_aiuto.models import (
    Category,
    Household,
    Match,
    MatchingRun,
    Need,
    Neighbourhood,
    Offer,
    Proposal,
    ProposalStatus,
    QueuedNeed,
    QueuedOffer,
    UnmatchedReason,
)
from mutuo_aiuto.services import paging
from mutuo_aiuto.services.lifecycle import NEED_SEEKING

# A need the matcher has not looked at since it was posted (the scheduler will).
PENDING = "pending"


# A household's contacts are encrypted at rest; the lists never show them.
_NO_CONTACTS = (defer(Household.phone), defer(Household.address), defer(Household.care_notes))

# What the facilitator's page of a request or an offer shows of it: its one category,
# neighbourhood and household (with the account, for the email) joined in its own row,
# its skills and times a query each (loader options for ``matches.get_need``/``get_offer``).
NEED_PAGE = (joinedload(Need.category, innerjoin=True),
             joinedload(Need.neighbourhood, innerjoin=True),
             joinedload(Need.household, innerjoin=True).joinedload(Household.user,
                                                                   innerjoin=True),
             selectinload(Need.skills), selectinload(Need.slots))
OFFER_PAGE = (joinedload(Offer.neighbourhood, innerjoin=True),
              joinedload(Offer.household, innerjoin=True).joinedload(Household.user,
                                                                     innerjoin=True),
              selectinload(Offer.skills), selectinload(Offer.slots))


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
    # With ``not_vetted``: helpers every other rule allows, waiting for the Hub's check.
    waiting_helpers: int | None = None


def _unmatched_ids(today: date, neighbourhood: str | None, category: str | None,
                   urgency: int | None) -> Any:
    proposed = select(Proposal.need_id).where(Proposal.status == "proposed", Proposal.rank == 1)
    return _filtered(select(Need.id).where(Need.status.in_(NEED_SEEKING), Need.ends_on >= today,
                                           Need.id.not_in(proposed)),
                     neighbourhood, category, urgency)


# Most urgent first, then the longest waiting.
_ORDER = (Need.urgency.desc(), func.coalesce(Need.opened_at, Need.created_at), Need.id)


def unmatched_needs(session: Session, today: date, *, neighbourhood: str | None = None,
                    category: str | None = None, urgency: int | None = None
                    ) -> list[Unmatched]:
    """Needs looking for help with no pairing proposed, each with the reason the last full
    run or incremental proposal stored, and when (``pending`` if it has not looked yet);
    all of them (the facilitator's list reads them a page at a time: ``unmatched_page``)."""
    return _unmatched_rows(session, _unmatched_ids(today, neighbourhood, category, urgency),
                           None, 0)[0]


@dataclass(frozen=True)
class UnmatchedPage:
    """One page of ``unmatched_needs``, which page it is, and how many there are."""

    items: list[Unmatched]
    number: int
    pages: int
    total: int


def unmatched_page(session: Session, today: date, page: int | None, per_page: int, *,
                   neighbourhood: str | None = None, category: str | None = None,
                   urgency: int | None = None) -> UnmatchedPage:
    """A page of ``unmatched_needs`` and how many they are, from one scan of the needs
    (at 10,000 households a count apart scanned them again: 5 ms); a page past the last
    (a stale link) shows the last."""
    ids = _unmatched_ids(today, neighbourhood, category, urgency)
    number = paging.clamp(page)
    items, total = _unmatched_rows(session, ids, per_page, (number - 1) * per_page)
    if not items and number > 1:
        # Past the last page no row carries the count: counted apart, then the last page.
        total = session.scalar(select(func.count()).select_from(ids.subquery())) or 0
        number = paging.page_count(total, per_page)
        items, total = _unmatched_rows(session, ids, per_page, (number - 1) * per_page)
    return UnmatchedPage(items, number, paging.page_count(total, per_page), total)


def _unmatched_rows(session: Session, ids: Any, limit: int | None,
                    offset: int) -> tuple[list[Unmatched], int]:
    """``limit`` of the needs ``ids`` selects from ``offset``, and how many it selects."""
    # The page's ids are chosen first, and only they are joined to their reasons and read
    # whole: not the thousands waiting at a city's size (EXPLAIN ANALYZE at 10,000
    # households: 13.7 ms to 7.2 ms). The count of them all is a window over the same
    # scan, computed before the limit.
    page = (ids.add_columns(func.count().over().label("total")).order_by(*_ORDER)
            .limit(limit).offset(offset).subquery())
    query = (select(Need, UnmatchedReason, page.c.total)
             .join(page, page.c.id == Need.id)
             .outerjoin(UnmatchedReason, UnmatchedReason.need_id == Need.id)
             .options(selectinload(Need.neighbourhood), selectinload(Need.category),
                      # The list shows the family's name and the request's title: its
                      # contacts and the description stay encrypted (fifty decryptions
                      # a page for nothing).
                      defer(Need.description),
                      selectinload(Need.household).options(*_NO_CONTACTS))
             .order_by(*_ORDER))
    rows = session.execute(query).all()
    return ([Unmatched(need, stored.reason if stored else PENDING,
                       stored.checked_at if stored else None,
                       stored.waiting_helpers if stored else None)
             for need, stored, _total in rows], rows[0].total if rows else 0)


def unmatched_by_reason(session: Session, today: date) -> dict[str, int]:
    """The needs ``unmatched_needs`` lists, counted per stored reason (``pending``
    when the matcher has not looked yet), in one aggregate query."""
    reason = func.coalesce(UnmatchedReason.reason, PENDING)
    query = (select(reason, func.count(Need.id)).select_from(Need)
             .outerjoin(UnmatchedReason, UnmatchedReason.need_id == Need.id)
             .where(Need.id.in_(_unmatched_ids(today, None, None, None))).group_by(reason))
    return {code: count for code, count in session.execute(query)}


def waiting_proposals(session: Session, need: Need) -> list[Proposal]:
    """The proposals waiting for a decision on ``need``, the matcher's choice first, each
    offer loaded with what its card shows (a fixed number of queries for any number)."""
    # Each proposal has one offer, household and neighbourhood: joined in its row (three
    # queries fewer than a query each); the skills and times are lists, a query each.
    offer = joinedload(Proposal.offer, innerjoin=True)
    return list(session.scalars(
        select(Proposal).where(Proposal.need_id == need.id,
                               Proposal.status == ProposalStatus.PROPOSED)
        .options(offer.joinedload(Offer.household, innerjoin=True).options(*_NO_CONTACTS),
                 offer.joinedload(Offer.neighbourhood, innerjoin=True),
                 offer.selectinload(Offer.skills), offer.selectinload(Offer.slots))
        .order_by(Proposal.rank, Proposal.score.desc(), Proposal.id)))


def pairings_of(session: Session, need: Need) -> list[Match]:
    """Every pairing of ``need``, the latest first, with the helper's name loaded."""
    return list(session.scalars(
        select(Match).where(Match.need_id == need.id)
        .options(joinedload(Match.offer, innerjoin=True)
                 .joinedload(Offer.household, innerjoin=True).options(*_NO_CONTACTS))
        .order_by(Match.confirmed_at.desc())))


def pairings_of_offer(session: Session, offer: Offer) -> list[Match]:
    """Every pairing of ``offer``, the latest first, with the family's name loaded."""
    return list(session.scalars(
        select(Match).where(Match.offer_id == offer.id)
        .options(joinedload(Match.need, innerjoin=True)
                 .joinedload(Need.household, innerjoin=True).options(*_NO_CONTACTS))
        .order_by(Match.confirmed_at.desc())))


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
