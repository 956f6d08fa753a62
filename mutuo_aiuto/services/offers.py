"""Offers (disponibilità): a helper posts, edits, pauses, resumes or cancels one.

The same shape as needs (see ``services/needs.py``, whose field checks are
shared): weekly availability only, created open, and a capacity of families
served at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Household, Offer, OfferSlot
from mutuo_aiuto.services import slots as slot_input
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.households import active_neighbourhood, clean_languages
from mutuo_aiuto.services.lifecycle import OFFER_EDITABLE, move_offer, status_label
from mutuo_aiuto.services.needs import (
    HOPS,
    active_skills,
    choose,
    clean_description,
    clean_title,
)
from mutuo_aiuto.services.slots import WeeklyRow

CAPACITIES = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class OfferInput:
    """An offer as a form (or a future API) gives it; references are slugs.

    ``neighbourhood`` and ``languages`` left as None take the household's.
    """

    title: str
    skills: Sequence[str]
    ends_on: date | None
    weekly: Sequence[WeeklyRow] = ()
    neighbourhood: str | None = None
    max_hops: int = 1
    capacity: int = 1
    languages: Sequence[str] | None = None
    description: str | None = None


def _not_found() -> NotFound:
    return NotFound(_l("This offer was not found."))


def check_owner(household: Household | None, offer: Offer | None) -> Offer:
    if household is None or offer is None or offer.household_id != household.id:
        raise _not_found()
    return offer


def get_offer(session: Session, household: Household | None, public_id: str) -> Offer:
    """One of the household's offers by its public id; any other offer is not found."""
    offer = session.execute(select(Offer).filter_by(public_id=public_id)).scalar_one_or_none()
    return check_owner(household, offer)


def list_offers(session: Session, household: Household) -> list[Offer]:
    """The household's offers, newest first."""
    return list(session.execute(
        select(Offer).filter_by(household_id=household.id)
        .order_by(Offer.created_at.desc(), Offer.id.desc())).scalars())


def _values(session: Session, household: Household, data: OfferInput, today: date) -> dict:
    """Every field checked, in the order the form shows them (the first fault is reported)."""
    title = clean_title(data.title)
    skills = active_skills(session, data.skills)
    slot_input.check_period(today=today, ends_on=data.ends_on)
    slots = slot_input.parse_slots(data.weekly, (), today=today, ends_on=data.ends_on,
                                   allow_dated=False)
    place = (active_neighbourhood(session, data.neighbourhood) if data.neighbourhood
             else household.neighbourhood)
    if place is None:
        raise DomainError(_l("Choose a neighbourhood."), field="neighbourhood")
    languages = household.languages if data.languages is None else data.languages
    return {
        "title": title, "skills": skills, "ends_on": data.ends_on,
        "slots": [OfferSlot(weekday=s.weekday, start_minute=s.start_minute,
                            end_minute=s.end_minute) for s in slots],
        "neighbourhood": place,
        "max_hops": choose(data.max_hops, HOPS, "max_hops"),
        "capacity": choose(data.capacity, CAPACITIES, "capacity"),
        "languages": clean_languages(languages),
        "description": clean_description(data.description),
    }


def _apply(offer: Offer, values: dict) -> None:
    for name, value in values.items():
        setattr(offer, name, value)


def post_offer(session: Session, household: Household, data: OfferInput, today: date) -> Offer:
    """Create an offer; offers are open from the start (there is no draft)."""
    offer = Offer(household=household, status="open")
    _apply(offer, _values(session, household, data, today))
    session.add(offer)
    session.flush()
    return offer


def update_offer(session: Session, household: Household, offer: Offer, data: OfferInput,
                 today: date) -> Offer:
    """Change an offer while its status allows it; an expired one is reopened."""
    check_owner(household, offer)
    if offer.status not in OFFER_EDITABLE:
        raise InvalidTransition(_l("This offer can no longer be changed."))
    _apply(offer, _values(session, household, data, today))
    if offer.status == "expired":
        move_offer(offer, "open")
    session.flush()
    return offer


def _move_from(household: Household, offer: Offer, expected: Iterable[str],
               status: str) -> Offer:
    check_owner(household, offer)
    if offer.status not in expected:
        raise InvalidTransition(_l("This cannot be done now: the status is “%(status)s”.",
                                   status=status_label(offer.status)))
    move_offer(offer, status)
    return offer


def pause_offer(session: Session, household: Household, offer: Offer) -> Offer:
    """Stop being proposed for a while (open or full → paused)."""
    return _move_from(household, offer, {"open", "full"}, "paused")


def resume_offer(session: Session, household: Household, offer: Offer,
                 today: date | None = None) -> Offer:
    """Paused → open; a paused offer whose end date has passed must be edited first."""
    check_owner(household, offer)
    if offer.status == "paused" and offer.ends_on < (today or date.today()):
        raise DomainError(_l("The end date has passed: change it to offer help again."),
                          field="ends_on")
    return _move_from(household, offer, {"paused"}, "open")


def cancel_offer(session: Session, household: Household, offer: Offer) -> Offer:
    """The helper withdraws the offer; the lifecycle says from which statuses."""
    check_owner(household, offer)
    move_offer(offer, "cancelled")
    return offer
