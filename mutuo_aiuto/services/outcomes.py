"""Outcomes: closing a match, each side's feedback, and the reciprocity ledger.

The facilitator closes a match with its outcome and the hours given; each
side rates how it went (1–5) with an optional comment. The ledger of a
household (hours given and received) is computed from closed matches every
time, never stored, so it cannot drift from the matches themselves.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from flask_babel import format_decimal
from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    OUTCOMES,
    FollowUp,
    Household,
    Match,
    MatchStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    User,
)
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.hubtime import local_date
from mutuo_aiuto.services.lifecycle import move_need, move_offer
from mutuo_aiuto.services.notifications import notify

# A match can run for months, but not thousands of hours: beyond this it is a typo.
MAX_HOURS = 1000
COMMENT_MAX = 1000
FAMILY, HELPER = "family", "helper"
# Matches whose two sides may still tell how it went.
FEEDBACK_STATUSES = (MatchStatus.ACTIVE, MatchStatus.CLOSED)

OUTCOME_LABELS = {
    "resolved": _l("Resolved: the need was met"),
    "partly": _l("Partly resolved"),
    "not_resolved": _l("Not resolved"),
    "stopped": _l("Stopped early"),
}


@dataclass(frozen=True)
class Ledger:
    """A household's reciprocity: what it gave and what it received."""

    hours_given: float
    hours_received: float
    matches_given: int
    matches_received: int

    @property
    def gave_and_received(self) -> bool:
        return self.matches_given > 0 and self.matches_received > 0


def close_match(session: Session, actor: User, match: Match, outcome: str,
                hours: float | Decimal | None, now: datetime) -> Match:
    """Close an active match: record outcome and hours, end the need, free the offer, and
    ask both sides how it went."""
    policy.require_facilitator(actor)
    if match.status != MatchStatus.ACTIVE:
        raise InvalidTransition(_l("Only an active match can be closed."))
    if outcome not in OUTCOMES:
        raise DomainError(_l("Choose an outcome."), field="outcome")
    match.status, match.outcome, match.closed_at = MatchStatus.CLOSED, outcome, now
    match.hours = check_hours(hours)
    session.flush()
    _end_need(session, match.need, now)
    _free_offer(session, match.offer, local_date(now))
    # Check-ins planned for later have no purpose once the match is over.
    session.execute(delete(FollowUp).where(FollowUp.match_id == match.id,
                                           FollowUp.done_at.is_(None)))
    _ask_how_it_went(session, match, now)
    return match


def _ask_how_it_went(session: Session, match: Match, now: datetime) -> None:
    """Both sides hear the pairing closed, each in their language, with the feedback link."""
    for household in (match.need.household, match.offer.household):
        notify(session, household.user, "match_closed", now=now, need=match.need.title,
               match_id=match.public_id)


def check_hours(hours: float | Decimal | None) -> float:
    """Hours given, between 0 and ``MAX_HOURS``, kept to two decimals as the column is."""
    if hours is None or not math.isfinite(float(hours)):
        raise DomainError(_l("Give the hours of help, 0 if none."), field="hours")
    if not 0 <= float(hours) <= MAX_HOURS:
        raise DomainError(_l("Hours must be between 0 and %(max)s.",
                             max=format_decimal(MAX_HOURS)),
                          field="hours")
    return round(float(hours), 2)


def _holding(session: Session, *where: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count(Match.id)).where(
        Match.status.in_(MATCH_HOLDING), *where)) or 0


def _end_need(session: Session, need: Need, now: datetime) -> None:
    # A need that wanted two helpers goes on while the other helper is still there.
    if need.status in (NeedStatus.MATCHED, NeedStatus.ACTIVE) and not _holding(
            session, Match.need_id == need.id):
        move_need(need, NeedStatus.CLOSED, now)


def _free_offer(session: Session, offer: Offer, today: date) -> None:
    # An offer past its end date stays as it is: the nightly expiry takes it.
    if offer.status == OfferStatus.FULL and offer.ends_on >= today and _holding(
            session, Match.offer_id == offer.id) < offer.capacity:
        move_offer(offer, OfferStatus.OPEN)


# ---- feedback -------------------------------------------------------------------


def side_of(user: User, match: Match) -> str | None:
    """Which side of the match the user's household is on, if any."""
    household = user.household
    if household is None:
        return None
    if match.need.household_id == household.id:
        return FAMILY
    if match.offer.household_id == household.id:
        return HELPER
    return None


def give_feedback(session: Session, user: User, match: Match, rating: int | None,
                  comment: str | None) -> str:
    """Record one side's rating (1–5) and comment; a side may change its own later."""
    side = side_of(user, match)
    if side is None:
        raise NotFound(_l("This match does not exist."))
    if match.status not in FEEDBACK_STATUSES:
        raise InvalidTransition(_l("Feedback can be given once the help has started."))
    if rating is None or not 1 <= int(rating) <= 5:
        raise DomainError(_l("Choose from 1 to 5."), field="rating")
    comment = (comment or "").strip()
    if len(comment) > COMMENT_MAX:
        raise DomainError(_l("The comment can be at most %(n)s characters.", n=COMMENT_MAX),
                          field="comment")
    setattr(match, f"{side}_rating", int(rating))
    setattr(match, f"{side}_comment", comment or None)
    session.flush()
    return side


def awaiting_feedback(session: Session, household: Household) -> list[Match]:
    """The household's active or closed matches whose feedback it has not given yet."""
    # Two indexed lookups, not an OR across joined needs and offers (read whole).
    own_needs = select(Need.id).where(Need.household_id == household.id)
    own_offers = select(Offer.id).where(Offer.household_id == household.id)
    family = Match.need_id.in_(own_needs) & Match.family_rating.is_(None)
    helper = Match.offer_id.in_(own_offers) & Match.helper_rating.is_(None)
    return list(session.scalars(
        select(Match).where(Match.status.in_(FEEDBACK_STATUSES), family | helper)
        .options(selectinload(Match.need).selectinload(Need.category))
        .order_by(Match.created_at.desc(), Match.id.desc())))


# ---- ledger ---------------------------------------------------------------------


def ledger(session: Session, household: Household) -> Ledger:
    """Hours and matches the household gave (as helper) and received (as family)."""
    given = _totals(session, Offer, Match.offer_id, household)
    received = _totals(session, Need, Match.need_id, household)
    return Ledger(hours_given=given[0], hours_received=received[0],
                  matches_given=given[1], matches_received=received[1])


def _totals(session: Session, model: type[Need] | type[Offer], key: object,
            household: Household) -> tuple[float, int]:
    hours, count = session.execute(
        select(func.coalesce(func.sum(Match.hours), 0), func.count(Match.id))
        .join(model, key == model.id)
        .where(model.household_id == household.id, Match.status == MatchStatus.CLOSED)).one()
    return float(hours or 0), int(count)
