"""The Hub's front desk: families registered in person, and what the Hub does for them.

Many families first come to the desk with a phone and no email address they read
(issue 16). A facilitator registers the household for them, with the consent the
family gives there (when, which privacy notice, recorded by whom); the account has
no email and no usable password until the family claims it. The facilitator may
then act for the family, only through the family's own services (posting a request,
answering a pairing, saying it is done or that something is wrong), inside
``acting_for``: the audit trail then says "done by the facilitator for this family"
(``audit.ACTING_FOR``), and the family reads that list if it ever logs in.

Who may act for whom is ``policy.can_act_for``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import COMES_FOR, MEMBER, Household, Match, Member, Need, User
from mutuo_aiuto.services import audit, closing, households, matches, needs, policy
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.passwords import UNUSABLE

# The desk's list of families shows the newest this many.
DESK_LIST_LIMIT = 200


@dataclass(frozen=True)
class DeskRegistration:
    """What the facilitator writes down with the family at the desk."""

    name: str
    phone: str
    neighbourhood: str | None
    locale: str
    comes_for: str = "need"
    languages: Iterable[str] = ()
    address: str | None = None
    care_notes: str | None = None
    # The facilitator ticks it once the family heard the notice and said yes.
    consent: bool = False


def _check(data: DeskRegistration) -> None:
    if not data.consent:
        raise DomainError(_l("Read the privacy notice with the family and tick that it "
                             "agrees: without its consent nothing is registered."),
                          field="consent")
    if data.locale not in LANGUAGES:
        raise DomainError(_l("Choose a language from the list."), field="locale")
    if data.comes_for not in COMES_FOR:
        raise DomainError(_l("Choose what the family comes for."), field="comes_for")
    if not (data.phone or "").strip():
        raise DomainError(_l("Write the family's phone number: the Hub reaches it there."),
                          field="phone")


def register_family(session: Session, actor: User, data: DeskRegistration, *,
                    notice_version: str, now: datetime) -> Household:
    """Make the family's account (no email, no usable password) and household, with the
    consent given at the desk recorded on both and on the audit trail."""
    policy.require_facilitator(actor)
    _check(data)
    user = User(email=None, password_hash=UNUSABLE, role=MEMBER.value,
                name=(data.name or "").strip()[:households.NAME_MAX], locale=data.locale,
                comes_for=data.comes_for, consent_version=notice_version, consent_at=now)
    session.add(user)
    household = households.save_household(
        session, user, name=data.name, neighbourhood=data.neighbourhood,
        languages=data.languages, phone=data.phone, address=data.address,
        care_notes=data.care_notes)
    household.desk_consent_at = now
    household.desk_consent_version = notice_version
    household.desk_consent_by = actor
    session.flush()
    with acting_for(actor, household):
        audit.record(session, actor, audit.DESK_REGISTERED, target=household, at=now,
                     details={"version": notice_version})
    return household


@contextmanager
def acting_for(actor: User, household: Household) -> Iterator[User]:
    """Run the family's own services as the family, on the record as the facilitator's
    act for it; refused (``NotAllowed``) without the desk consent."""
    policy.require_act_for(actor, household)
    token = audit.ACTING_FOR.set((actor, household))
    try:
        yield household.user
    finally:
        audit.ACTING_FOR.reset(token)


def get_household(session: Session, actor: User, public_id: str) -> Household:
    """A household the actor may act for; any other is not found (ids cannot be probed)."""
    household = session.scalars(select(Household).filter_by(public_id=public_id)).first()
    if household is None or not policy.can_act_for(actor, household):
        raise NotFound(_l("This family is not registered at the front desk."))
    return household


def desk_households(session: Session, actor: User, *,
                    limit: int = DESK_LIST_LIMIT) -> list[Household]:
    """The families registered at the desk, the newest first (staff only); a bounded
    list, as every page's work is."""
    policy.require_facilitator(actor)
    query = (select(Household).where(Household.desk_consent_at.is_not(None))
             .options(selectinload(Household.neighbourhood))
             .order_by(Household.desk_consent_at.desc(), Household.id.desc()).limit(limit))
    return list(session.scalars(query))


def add_member(session: Session, actor: User, household: Household, *, this_year: int,
               **fields: Any) -> Member:
    """Add a person to the family, as the family's own form does."""
    with acting_for(actor, household):
        member = households.add_member(session, household, this_year=this_year, **fields)
        audit.record(session, actor, audit.DESK_MEMBER_ADDED, target=household,
                     details={"kind": member.kind})
    return member


def post_need(session: Session, actor: User, household: Household, data: NeedInput, *,
              publish: bool, today: date, now: datetime) -> Need:
    """Post the family's request for it, through the family's own service."""
    with acting_for(actor, household):
        need = needs.post_need(session, household, data, publish=publish, today=today,
                               now=now)
        audit.record(session, actor, audit.NEED_POSTED, target=need, household=household,
                     details={"published": publish})
    return need


def update_need(session: Session, actor: User, household: Household, need: Need,
                data: NeedInput, *, publish: bool, today: date) -> Need:
    """Change the family's request for it, while its status allows a change."""
    with acting_for(actor, household):
        needs.check_owner(household, need)
        needs.update_need(session, household, need, data, today=today, publish=publish)
        audit.record(session, actor, audit.NEED_EDITED, target=need, household=household)
    return need


def get_need(session: Session, actor: User, household: Household, public_id: str) -> Need:
    policy.require_act_for(actor, household)
    return needs.get_need(session, household, public_id)


def pairings_of(session: Session, actor: User, household: Household) -> list[Match]:
    """The family's pairings, as a side (asking or giving), the newest first."""
    policy.require_act_for(actor, household)
    return matches.matches_of(session, household.user)


def get_pairing(session: Session, actor: User, household: Household, public_id: str) -> Match:
    """One of the family's pairings; another's is not found."""
    policy.require_act_for(actor, household)
    match = session.scalars(select(Match).filter_by(public_id=public_id)).first()
    if match is None or not (policy.is_family(household.user, match)
                             or policy.is_helper(household.user, match)):
        raise NotFound(_l("This pairing does not exist."))
    return match


def accept(session: Session, actor: User, household: Household, match: Match, *,
           now: datetime, first_follow_up_days: int, follow_up_every_days: int) -> Match:
    """The family, as the helper, says yes to a pairing (told at the desk or by phone)."""
    with acting_for(actor, household) as family:
        matches.accept_match(session, family, match, now=now,
                             first_follow_up_days=first_follow_up_days,
                             follow_up_every_days=follow_up_every_days)
        audit.record(session, family, audit.MATCH_ACCEPTED, target=match, household=household,
                     at=now)
    return match


def decline(session: Session, actor: User, household: Household, match: Match, *,
            now: datetime) -> Match:
    """The family, as the helper, says no to a pairing."""
    with acting_for(actor, household) as family:
        matches.decline_match(session, family, match, now=now)
        audit.record(session, family, audit.MATCH_DECLINED, target=match, household=household,
                     at=now)
    return match


def report_done(session: Session, actor: User, household: Household, match: Match,
                now: datetime) -> None:
    """"It's done", said for the family (the closing service records it)."""
    with acting_for(actor, household) as family:
        closing.report_done(session, family, match, now)


def report_problem(session: Session, actor: User, household: Household, match: Match,
                   text: str | None, now: datetime) -> None:
    """"Something is wrong", said for the family (the closing service records it)."""
    with acting_for(actor, household) as family:
        closing.report_problem(session, family, match, text, now)
