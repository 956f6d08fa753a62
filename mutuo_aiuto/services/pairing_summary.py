"""The one-page summary of a confirmed pairing that the front desk hands to a family.

Who helps, when (the request's weekly times and dates), where, and the Hub's phone,
address and hours (issue 16). It is made for the family, so it shows exactly what
the family may see (``policy`` asked for the family's account), even when a
facilitator prints it: before the helper accepts, no helper name and no phone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Household, Match, NeedSlot, User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.errors import NotFound


@dataclass(frozen=True)
class PairingSummary:
    """What the printed page says, already filtered for the family."""

    match: Match
    family: Household
    title: str
    helper_name: str | None  # None until the helper accepted
    helper_phone: str | None  # None until the family may see contacts
    at_home: bool
    address: str | None  # the family's own, where the help is at its home
    remote: bool
    neighbourhood: str
    slots: list[NeedSlot]
    starts_on: date | None
    ends_on: date | None
    locale: str


def summary_for(session: Session, viewer: User, public_id: str) -> PairingSummary:
    """The summary, or ``NotFound`` for anyone ``policy.can_print_summary`` refuses. A
    helper's phone on the page is a read of contacts: it goes on the record."""
    match = session.scalars(select(Match).filter_by(public_id=public_id)).first()
    if match is None or not policy.can_print_summary(viewer, match):
        raise NotFound(_l("This pairing does not exist."))
    need, helper = match.need, match.offer.household
    family = need.household
    reader = family.user  # what the family may see, whoever prints it
    named = policy.can_see_names(reader, match)
    phone = helper.phone if policy.contacts_shown_in(reader, match) else None
    address = (family.address if need.at_home
               and policy.can_see_address(reader, family, match) else None)
    if phone:
        audit.record(session, viewer, audit.CONTACTS_VIEWED, target=helper,
                     details={"fields": ["phone"], "match": match.public_id})
    return PairingSummary(
        match=match, family=family, title=need.title,
        helper_name=helper.name if named else None, helper_phone=phone,
        at_home=bool(need.at_home), address=address, remote=bool(need.remote),
        neighbourhood=need.neighbourhood.name, slots=list(need.slots),
        starts_on=match.started_on or need.starts_on, ends_on=need.ends_on,
        locale=reader.locale or "it")
