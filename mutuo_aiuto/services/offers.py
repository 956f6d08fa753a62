"""Offers (disponibilità): a helper posts, edits, pauses, resumes or cancels one.

The same shape as needs (see ``services/needs.py``, whose field checks are
shared, and ``services/listings.py`` for the steps both take): weekly
availability only, created open, and a capacity of families served at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_ngettext
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import Household, Offer, OfferSlot, OfferStatus, Skill
from mutuo_aiuto.services import listings
from mutuo_aiuto.services import slots as slot_input
from mutuo_aiuto.services.errors import DomainError, Problems, all_errors
from mutuo_aiuto.services.households import clean_languages
from mutuo_aiuto.services.lifecycle import OFFER_EDITABLE, OFFER_PAUSABLE, move_offer
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


OFFERS = listings.Kind(Offer, move_offer, OFFER_EDITABLE,
                       not_found=_l("This offer was not found."),
                       not_editable=_l("This offer can no longer be changed."))


def check_owner(household: Household | None, offer: Offer | None) -> Offer:
    return listings.check_owner(OFFERS, household, offer)


def get_offer(session: Session, household: Household | None, public_id: str) -> Offer:
    """One of the household's offers by its public id; any other offer is not found."""
    return listings.get_own(OFFERS, session, household, public_id)


def list_offers(session: Session, household: Household) -> list[Offer]:
    """The household's offers, newest first, with their skills' categories (which say
    whether an offer needs the Hub's check) loaded in one more query."""
    return listings.list_own(OFFERS, session, household,
                             selectinload(Offer.skills).selectinload(Skill.category))


def _values(session: Session, household: Household, data: OfferInput,
            today: date) -> dict[str, Any]:
    """Every field checked; every refusal reported at once (``DomainErrors``), in form order."""
    problems = Problems()
    title = problems.check(clean_title, data.title)
    skills = problems.check(active_skills, session, data.skills)
    problems.check(slot_input.check_period, today=today, ends_on=data.ends_on)
    slots = problems.check(slot_input.parse_slots, data.weekly, (), today=today,
                           ends_on=data.ends_on if slot_input.is_date(data.ends_on) else None,
                           allow_dated=False) or []
    place = problems.check(listings.place_of, session, household, data.neighbourhood)
    max_hops = problems.check(choose, data.max_hops, HOPS, "max_hops")
    capacity = problems.check(choose, data.capacity, CAPACITIES, "capacity")
    languages = problems.check(
        clean_languages, household.languages if data.languages is None else data.languages)
    description = problems.check(clean_description, data.description)
    problems.raise_any()
    return {
        "title": title, "skills": skills, "ends_on": data.ends_on,
        "slots": [OfferSlot(weekday=s.weekday, start_minute=s.start_minute,
                            end_minute=s.end_minute) for s in slots],
        "neighbourhood": place, "max_hops": max_hops, "capacity": capacity,
        "languages": languages, "description": description,
    }


def check_offer(session: Session, household: Household, data: OfferInput,
                today: date) -> list[DomainError]:
    """What ``post_offer`` would refuse, without saving: every problem, in form order."""
    try:
        _values(session, household, data, today)
    except DomainError as error:
        return all_errors(error)
    return []


def post_offer(session: Session, household: Household, data: OfferInput, today: date) -> Offer:
    """Create an offer; offers are open from the start (there is no draft)."""
    offer = Offer(household=household, status=OfferStatus.OPEN)
    listings.apply(offer, _values(session, household, data, today))
    session.add(offer)
    session.flush()
    return offer


def update_offer(session: Session, household: Household, offer: Offer, data: OfferInput,
                 today: date) -> Offer:
    """Change an offer while its status allows it; an expired one is reopened."""
    listings.check_editable(OFFERS, household, offer)
    values = _values(session, household, data, today)
    listings.keep_commitments(session, offer, values, _l(
        "A family is already paired with this offer, so its times, skills and "
        "neighbourhood cannot change now. Ask the Family Hub, or post a new offer."))
    held = listings.holding_matches(session, offer)
    if values["capacity"] < held:
        raise DomainError(lazy_ngettext(
            "This offer already helps %(num)d family: it cannot take fewer.",
            "This offer already helps %(num)d families: it cannot take fewer.", held),
            field="capacity")
    listings.apply(offer, values)
    if offer.status == OfferStatus.EXPIRED:
        move_offer(offer, OfferStatus.OPEN)
    session.flush()
    return offer


def pause_offer(session: Session, household: Household, offer: Offer) -> Offer:
    """Stop being proposed for a while (open or full → paused)."""
    return listings.move_from(OFFERS, household, offer, OFFER_PAUSABLE, OfferStatus.PAUSED)


def resume_offer(session: Session, household: Household, offer: Offer,
                 today: date | None = None) -> Offer:
    """Paused → open; a paused offer whose end date has passed must be edited first."""
    return listings.reopen(OFFERS, household, offer, OfferStatus.PAUSED, today,
                           _l("The end date has passed: change it to offer help again."))


def cancel_offer(session: Session, household: Household, offer: Offer) -> Offer:
    """The helper withdraws the offer; the lifecycle says from which statuses."""
    return listings.cancel(OFFERS, household, offer)
