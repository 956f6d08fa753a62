"""Follow-ups ("colloqui di verifica"): scheduled calls by a facilitator with both sides of a match.

The first check-in falls a few days after the match starts, the next ones
every few weeks while it stays active. Planning is idempotent: an active
match has at most one follow-up waiting, so the scheduler may plan twice.

The local date lives in ``hubtime``; mails leave through ``ports.mailer()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, contains_eager, defer, load_only

from mutuo_aiuto.models import FollowUp, Household, Match, MatchStatus, Need, Offer, User
from mutuo_aiuto.services import belonging, paging, policy, ports
from mutuo_aiuto.services.errors import DomainError, InvalidTransition
from mutuo_aiuto.services.hubtime import aware, local_date
from mutuo_aiuto.services.notifications import facilitators

FIRST_DAYS = 7
EVERY_DAYS = 28
NOTES_MAX = 2000

FOLLOW_UP_OUTCOMES = {
    "going_well": _l("Going well"),
    "needs_support": _l("Needs support from the Hub"),
    "to_close": _l("Should be closed"),
    "unreachable": _l("Could not reach them"),
}


# ---- planning ---------------------------------------------------------------


def ensure_follow_up(session: Session, match: Match, first_days: int = FIRST_DAYS,
                     every_days: int = EVERY_DAYS) -> FollowUp | None:
    """Plan the next follow-up of an active match unless one is already waiting."""
    if match.status != MatchStatus.ACTIVE or _waiting(session, match) is not None:
        return None
    follow_up = FollowUp(match=match, due_on=_next_due(session, match, first_days, every_days))
    session.add(follow_up)
    session.flush()
    return follow_up


def plan_follow_ups(session: Session, first_days: int = FIRST_DAYS,
                    every_days: int = EVERY_DAYS) -> int:
    """Make sure every active match has its next follow-up; return how many were added."""
    matches = session.scalars(select(Match).where(Match.status == MatchStatus.ACTIVE)
                              .order_by(Match.id))
    return sum(ensure_follow_up(session, m, first_days, every_days) is not None for m in matches)


def _waiting(session: Session, match: Match) -> FollowUp | None:
    return session.scalars(select(FollowUp).where(
        FollowUp.match_id == match.id, FollowUp.done_at.is_(None)).limit(1)).first()


def _next_due(session: Session, match: Match, first_days: int, every_days: int) -> date:
    last_done = session.scalar(select(func.max(FollowUp.done_at)).where(
        FollowUp.match_id == match.id))
    if last_done is not None:
        return local_date(aware(last_done)) + timedelta(days=every_days)
    started = match.started_on or local_date(aware(match.accepted_at or match.confirmed_at))
    return started + timedelta(days=first_days)


# ---- lists for facilitators ---------------------------------------------------


def due_follow_ups(session: Session, today: date) -> list[FollowUp]:
    """Follow-ups of active matches due today or earlier, the oldest first."""
    return list(session.scalars(_open_query().where(_due(today))))


def upcoming_follow_ups(session: Session, today: date, days: int = 14) -> list[FollowUp]:
    """Follow-ups falling due in the next ``days`` days."""
    return list(session.scalars(_open_query().where(_upcoming(today, days))))


# The facilitators' lists, a page at a time: at a city's size hundreds are followed up.
PER_PAGE = 30


@dataclass(frozen=True)
class FollowUpPage:
    """One page of a list of follow-ups, which page it is, and how many there are."""

    items: list[FollowUp]
    number: int
    pages: int
    total: int


def due_page(session: Session, today: date, page: int | None = None) -> FollowUpPage:
    """A page of ``due_follow_ups`` (a page past the last shows the last)."""
    return _page(session, _due(today), page)


def upcoming_page(session: Session, today: date, page: int | None = None,
                  days: int = 14) -> FollowUpPage:
    """A page of ``upcoming_follow_ups``."""
    return _page(session, _upcoming(today, days), page)


def _due(today: date) -> Any:
    return FollowUp.due_on <= today


def _upcoming(today: date, days: int) -> Any:
    return (FollowUp.due_on > today) & (FollowUp.due_on <= today + timedelta(days=days))


def _page(session: Session, when: Any, page: int | None) -> FollowUpPage:
    total = session.scalar(select(func.count(FollowUp.id)).join(Match).where(
        FollowUp.done_at.is_(None), Match.status == MatchStatus.ACTIVE, when)) or 0
    pages = paging.page_count(total, PER_PAGE)
    number = paging.clamp(page, pages)
    items = session.scalars(_open_query(card=True).where(when).limit(PER_PAGE)
                            .offset((number - 1) * PER_PAGE))
    return FollowUpPage(list(items), number, pages, total)


def _open_query(card: bool = False) -> Any:
    """The follow-ups waiting, each with its pairing, both households and the kind of
    help; with ``card``, only the columns a card of the facilitators' list shows."""
    # The list shows both sides of each pairing and the request's kind of help: each row
    # has one of each, so they come joined in the same query (one query a list, not six
    # and one per kind of help). The households' contacts (encrypted at rest) are not on
    # the list: not decrypted.
    match = contains_eager(FollowUp.match)
    need = match.joinedload(Match.need, innerjoin=True)
    offer = match.joinedload(Match.offer, innerjoin=True)
    households = (need.joinedload(Need.household, innerjoin=True),
                  offer.joinedload(Offer.household, innerjoin=True))
    contacts = (defer(Household.phone), defer(Household.address), defer(Household.care_notes))
    shown = [need.joinedload(Need.category, innerjoin=True)]
    if card:
        # A card names the kind of help, the two households and the day: the rest of
        # each row (the request's and the offer's descriptions, the pairing's comments
        # and the follow-up's notes, all encrypted at rest) was read and decrypted for
        # nothing.
        shown += [load_only(FollowUp.public_id, FollowUp.match_id, FollowUp.due_on),
                  match.load_only(Match.public_id, Match.need_id, Match.offer_id),
                  need.load_only(Need.household_id, Need.category_id),
                  offer.load_only(Offer.household_id),
                  *(household.load_only(Household.name) for household in households)]
    else:
        shown += [household.options(*contacts) for household in households]
    return (select(FollowUp).join(Match)
            .where(FollowUp.done_at.is_(None), Match.status == MatchStatus.ACTIVE)
            .options(*shown).order_by(FollowUp.due_on, FollowUp.id))


# ---- recording ----------------------------------------------------------------


def record_follow_up(session: Session, actor: User, follow_up: FollowUp, outcome: str,
                     notes: str | None, now: datetime,
                     every_days: int = EVERY_DAYS, *, family_belonging: int | None = None,
                     helper_belonging: int | None = None) -> FollowUp | None:
    """Record how a follow-up went; plan the next one while the match goes on.

    ``family_belonging`` and ``helper_belonging`` are each side's answer (1-5) to
    the belonging question (services/belonging.py), None when not asked.
    Returns the next follow-up, if one was planned.
    """
    policy.require_facilitator(actor)
    if follow_up.done_at is not None or follow_up.match.status != MatchStatus.ACTIVE:
        raise InvalidTransition(_l("This follow-up has already been recorded."))
    if outcome not in FOLLOW_UP_OUTCOMES:
        raise DomainError(_l("Choose how it is going."), field="outcome")
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise DomainError(_l("Notes can be at most %(n)s characters.", n=NOTES_MAX),
                          field="notes")
    family_score = belonging.check_score(family_belonging, "family_belonging")
    helper_score = belonging.check_score(helper_belonging, "helper_belonging")
    follow_up.family_belonging, follow_up.helper_belonging = family_score, helper_score
    follow_up.done_at, follow_up.done_by_id = now, actor.id
    follow_up.outcome, follow_up.notes = outcome, notes or None
    session.flush()
    return ensure_follow_up(session, follow_up.match, every_days=every_days)


# ---- reminders ----------------------------------------------------------------


def remind_due_follow_ups(session: Session, today: date, now: datetime) -> int:
    """Mail each facilitator the follow-ups that fell due since the last reminder.

    Each follow-up is reminded once (``reminded_at``); returns the mails queued.
    """
    due = [f for f in due_follow_ups(session, today) if f.reminded_at is None]
    by_facilitator: dict[int, tuple[User, list[FollowUp]]] = {}
    for follow_up in due:
        for facilitator in _responsible(session, follow_up.match):
            by_facilitator.setdefault(facilitator.id, (facilitator, []))[1].append(follow_up)
        follow_up.reminded_at = now
    for facilitator, follow_ups in by_facilitator.values():
        ports.mailer().send(session, facilitator, "followups_due",
                            _l("Follow-ups due at the Family Hub"), follow_ups=follow_ups)
    return len(by_facilitator)


def _responsible(session: Session, match: Match) -> list[User]:
    """The facilitator who confirmed the match, or every facilitator when they left."""
    if match.confirmed_by_id is not None:
        confirmer = session.get(User, match.confirmed_by_id)
        if confirmer is not None and confirmer.active and policy.is_facilitator(confirmer):
            return [confirmer]
    return facilitators(session)
