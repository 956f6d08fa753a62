"""What the open API reads, a page at a time: a household's own requests and offers with
their pairings, and the facilitator's proposals and pairings.

Queries only: what a caller may see of each row (names, contacts, addresses) is
``policy``'s to say, and the web layer asks it row by row. Every list is ordered
by a unique key, so pages never repeat or skip a row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, joinedload, selectinload

from mutuo_aiuto.models import (
    Household,
    Match,
    Need,
    Offer,
    Proposal,
    ProposalStatus,
)
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.errors import NotFound

T = TypeVar("T")
MAX_LIMIT = 100
DEFAULT_LIMIT = 20


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total: int
    page: int
    limit: int

    @property
    def next_page(self) -> int | None:
        return self.page + 1 if self.page * self.limit < self.total else None


def paged(session: Session, query: Select[Any], page: int, limit: int) -> Page[Any]:
    """One page of ``query`` (already ordered) and the count of every row it finds."""
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = list(session.scalars(query.limit(limit).offset((page - 1) * limit)).unique())
    return Page(rows, int(total or 0), page, limit)


# Each side of a pairing with its household and account: names and contacts are read
# from there, for a whole page in a few queries.
_SIDES = (joinedload(Match.need).joinedload(Need.household).joinedload(Household.user),
          joinedload(Match.offer).joinedload(Offer.household).joinedload(Household.user))


def pairings_of(session: Session, needs: Sequence[Need] = (),
                offers: Sequence[Offer] = ()) -> dict[tuple[str, int], list[Match]]:
    """The pairings of these requests (keyed ``("need", id)``) and offers
    (``("offer", id)``), the oldest first."""
    need_ids, offer_ids = [n.id for n in needs], [o.id for o in offers]
    found: dict[tuple[str, int], list[Match]] = {}
    if not need_ids and not offer_ids:
        return found
    query = (select(Match).options(*_SIDES)
             .where(Match.need_id.in_(need_ids) | Match.offer_id.in_(offer_ids))
             .order_by(Match.confirmed_at, Match.id))
    for match in session.scalars(query).unique():
        if match.need_id in need_ids:
            found.setdefault(("need", match.need_id), []).append(match)
        if match.offer_id in offer_ids:
            found.setdefault(("offer", match.offer_id), []).append(match)
    return found


def own_needs(session: Session, household: Household | None, page: int,
              limit: int) -> Page[Need]:
    """The household's requests; an account with no household yet has none."""
    if household is None:
        return Page([], 0, page, limit)
    query = (select(Need).options(joinedload(Need.category), joinedload(Need.neighbourhood),
                                  selectinload(Need.skills))
             .where(Need.household_id == household.id)
             .order_by(Need.created_at.desc(), Need.id.desc()))
    return paged(session, query, page, limit)


def own_offers(session: Session, household: Household | None, page: int,
               limit: int) -> Page[Offer]:
    if household is None:
        return Page([], 0, page, limit)
    query = (select(Offer).options(joinedload(Offer.neighbourhood), selectinload(Offer.skills))
             .where(Offer.household_id == household.id)
             .order_by(Offer.created_at.desc(), Offer.id.desc()))
    return paged(session, query, page, limit)


def own_need(session: Session, user: Any, public_id: str) -> Need:
    """The caller's own request; another household's answers as one that does not exist."""
    need = session.scalars(select(Need).where(Need.public_id == public_id)).first()
    if need is None or not policy.owns(user, need.household):
        raise NotFound(_l("This request does not exist."))
    return need


def own_offer(session: Session, user: Any, public_id: str) -> Offer:
    offer = session.scalars(select(Offer).where(Offer.public_id == public_id)).first()
    if offer is None or not policy.owns(user, offer.household):
        raise NotFound(_l("This offer does not exist."))
    return offer


def open_proposals(session: Session, page: int, limit: int) -> Page[Proposal]:
    """The matcher's proposals a facilitator has yet to confirm or reject, best first."""
    query = (select(Proposal)
             .options(joinedload(Proposal.need).joinedload(Need.neighbourhood),
                      joinedload(Proposal.need).joinedload(Need.category),
                      joinedload(Proposal.offer).joinedload(Offer.neighbourhood))
             .where(Proposal.status == ProposalStatus.PROPOSED)
             .order_by(Proposal.need_id, Proposal.rank, Proposal.id))
    return paged(session, query, page, limit)


def pairings(session: Session, page: int, limit: int,
             status: str | None = None) -> Page[Match]:
    """Every pairing a facilitator confirmed, the newest first; ``status`` narrows it."""
    query = select(Match).options(*_SIDES).order_by(Match.confirmed_at.desc(), Match.id.desc())
    if status:
        query = query.where(Match.status == status)
    return paged(session, query, page, limit)
