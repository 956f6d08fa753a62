"""Vetting (the Hub's check, "controllo del casellario"): may this helper work with children
or vulnerable people?

Following Italian practice the facilitator records that the helper showed a
criminal-record certificate (certificato del casellario giudiziale), the day
it was checked and the day it expires. Nothing of the certificate is stored.
A vetting counts from the day it was checked up to and including the day it
expires, unless revoked. The matcher proposes only vetted helpers for needs
that require it; ``is_vetted`` / ``vetted_household_ids`` are what it asks.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session, defer, selectinload

from mutuo_aiuto.models import Category, Household, Need, Offer, Skill, User, Vetting
from mutuo_aiuto.models.need import need_skills
from mutuo_aiuto.models.offer import offer_skills
from mutuo_aiuto.services import channels, hubtime, policy, ports
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.lifecycle import NEED_SEEKING
from mutuo_aiuto.services.notifications import facilitators

WARN_DAYS = 30
# Certificates are valid for months, not years: a later date is a typo.
LONGEST_YEARS = 5


def _current(on: date) -> ColumnElement[bool]:
    return (Vetting.revoked_at.is_(None) & (Vetting.checked_on <= on)
            & (Vetting.expires_on >= on))


def current_vetting(session: Session, household: Household | int, on: date) -> Vetting | None:
    """The vetting that counts on ``on`` (the one lasting longest), or None."""
    household_id = household if isinstance(household, int) else household.id
    return session.scalars(select(Vetting).where(
        Vetting.household_id == household_id, _current(on))
        .order_by(Vetting.expires_on.desc(), Vetting.id.desc()).limit(1)).first()


def current_vettings(session: Session, household_ids: list[int],
                     on: date) -> dict[int, Vetting]:
    """``current_vetting`` of many households in one query: household id → vetting."""
    found: dict[int, Vetting] = {}
    rows = session.scalars(select(Vetting).where(
        Vetting.household_id.in_(household_ids), _current(on))
        .order_by(Vetting.expires_on.desc(), Vetting.id.desc()))
    for row in rows:
        found.setdefault(row.household_id, row)
    return found


def is_vetted(session: Session, household: Household | int, on: date) -> bool:
    """Whether the household may help children or vulnerable people on ``on``."""
    return current_vetting(session, household, on) is not None


# The most households ``vetted_household_ids`` names in its query.
MAX_LISTED = 2000


def vetted_household_ids(session: Session, on: date,
                         among: Iterable[int] | None = None) -> set[int]:
    """Every household vetted on ``on``, in one query (for a matching run); only those of
    ``among`` when given (a part of the problem: not every vetting of the Hub)."""
    query = select(Vetting.household_id).where(_current(on))
    wanted = None if among is None else set(among)
    # A long list of ids costs more to send than the Hub's vettings (and PostgreSQL takes
    # at most 65,535 parameters): past a few thousand, read them all and keep those.
    if wanted is not None and len(wanted) <= MAX_LISTED:
        query = query.where(Vetting.household_id.in_(sorted(wanted)))
    found = set(session.scalars(query))
    return found if wanted is None else found & wanted


def vettings_for(session: Session, household: Household) -> list[Vetting]:
    """The household's vetting history, the newest first."""
    return list(session.scalars(select(Vetting).where(Vetting.household_id == household.id)
                                .order_by(Vetting.recorded_at.desc(), Vetting.id.desc())))


def record_vetting(session: Session, actor: User, household: Household,
                   checked_on: date | None, expires_on: date | None, today: date) -> Vetting:
    """A facilitator saw the certificate on ``checked_on``; it expires on ``expires_on``."""
    policy.require_facilitator(actor)
    if checked_on is None or checked_on > today:
        raise DomainError(_l("Give the day you saw the certificate (not in the future)."),
                          field="checked_on")
    if expires_on is None or expires_on < today or expires_on <= checked_on:
        raise DomainError(_l("The certificate must still be valid: give a later expiry date."),
                          field="expires_on")
    if expires_on > checked_on + timedelta(days=365 * LONGEST_YEARS):
        raise DomainError(_l("The expiry date is too far ahead: check it."), field="expires_on")
    vetting = Vetting(household=household, checked_on=checked_on, expires_on=expires_on,
                      recorded_by_id=actor.id)
    session.add(vetting)
    session.flush()
    return vetting


def revoke_vetting(session: Session, actor: User, household: Household, now: datetime) -> int:
    """Withdraw every vetting of the household that still counts or will count."""
    policy.require_facilitator(actor)
    vettings = list(session.scalars(select(Vetting).where(
        Vetting.household_id == household.id, Vetting.revoked_at.is_(None))))
    if not vettings:
        raise NotFound(_l("This family has no vetting to revoke."))
    for vetting in vettings:
        vetting.revoked_at = now
    session.flush()
    return len(vettings)


# ---- which help needs the check, and who waits for it ----------------------------------


def kinds_needing_check(session: Session) -> list[Category]:
    """The active kinds of help only helpers with the Hub's check are proposed for."""
    return list(session.scalars(select(Category).where(
        Category.active.is_(True), Category.requires_vetted.is_(True))
        .order_by(Category.position, Category.id)))


def offer_check_kinds(offer: Offer) -> list[Category]:
    """The kinds of help of the offer that always need the Hub's check: the categories,
    requiring a vetted helper, of its skills."""
    return _sorted({skill.category.id: skill.category for skill in offer.skills
                    if skill.category is not None and skill.category.requires_vetted})


def _sorted(kinds: dict[int, Category]) -> list[Category]:
    return sorted(kinds.values(), key=lambda category: (category.position, category.id))


def _asked_for(today: date) -> Any:
    """Requests looking for help whose family asked for a helper with the Hub's check."""
    return (Need.requires_vetted.is_(True) & Need.status.in_(NEED_SEEKING)
            & (Need.ends_on >= today))


def check_kinds(session: Session, offers: list[Offer], today: date) -> dict[int, list[Category]]:
    """Offer id → the kinds of help it gives that need the Hub's check: those that always
    do (``offer_check_kinds``), and the kinds of requests looking for help, asking for
    a checked helper, that need one of its skills. One query for all the offers."""
    skill_ids = {skill.id for offer in offers for skill in offer.skills}
    asked: dict[int, dict[int, Category]] = defaultdict(dict)
    if skill_ids:
        pairs = session.execute(
            select(need_skills.c.skill_id, Need.category_id)
            .join(Need, Need.id == need_skills.c.need_id)
            .where(need_skills.c.skill_id.in_(skill_ids), _asked_for(today)).distinct()).all()
        categories = {category.id: category for category in session.scalars(
            select(Category).where(Category.id.in_({category for _skill, category in pairs})))
        } if pairs else {}
        for skill_id, category_id in pairs:
            asked[skill_id][category_id] = categories[category_id]
    found: dict[int, list[Category]] = {}
    for offer in offers:
        kinds = {category.id: category for category in offer_check_kinds(offer)}
        for skill in offer.skills:
            kinds.update(asked.get(skill.id, {}))
        found[offer.id] = _sorted(kinds)
    return found


@dataclass(frozen=True)
class CheckState:
    """Where a helper stands with the Hub's check, for the offers that need it.

    ``kinds``: offer id → its kinds of help that need the check. ``current``: the
    vetting that counts today. ``lapsed``: with none counting, the last one that
    expired or was revoked (None if the helper never had one).
    """

    kinds: dict[int, list[Category]] = field(default_factory=dict)
    current: Vetting | None = None
    lapsed: Vetting | None = None

    @property
    def needed(self) -> bool:
        return any(self.kinds.values())

    @property
    def waiting(self) -> bool:
        return self.needed and self.current is None


def _lapsed(session: Session, household_ids: list[int], today: date) -> dict[int, Vetting]:
    found: dict[int, Vetting] = {}
    rows = session.scalars(select(Vetting).where(
        Vetting.household_id.in_(household_ids), Vetting.checked_on <= today)
        .order_by(Vetting.expires_on.desc(), Vetting.id.desc()))
    for row in rows:
        found.setdefault(row.household_id, row)
    return found


def check_state(session: Session, household: Household, offers: list[Offer],
                today: date) -> CheckState:
    """The helper's check for ``offers`` (their own)."""
    current = current_vetting(session, household, today)
    lapsed = None if current else _lapsed(session, [household.id], today).get(household.id)
    return CheckState(check_kinds(session, offers, today), current, lapsed)


@dataclass
class WaitingHelper:
    """A helper with open offers that need the Hub's check and no valid one."""

    household: Household
    offers: list[Offer] = field(default_factory=list)
    lapsed: Vetting | None = None
    kinds: dict[int, list[Category]] = field(default_factory=dict)
    # Offer id → the day it was posted, in the Hub's time zone.
    since: dict[int, date] = field(default_factory=dict)


def waiting_for_check(session: Session, today: date) -> list[WaitingHelper]:
    """Every helper whose open offers give help that needs the Hub's check (``check_kinds``)
    while no vetting of theirs counts today, the longest waiting first, in a few queries."""
    always = select(Skill.id).join(Category, Category.id == Skill.category_id).where(
        Category.requires_vetted.is_(True))
    asked = select(need_skills.c.skill_id).join(Need, Need.id == need_skills.c.need_id).where(
        _asked_for(today))
    needing = select(offer_skills.c.offer_id).where(
        offer_skills.c.skill_id.in_(always) | offer_skills.c.skill_id.in_(asked))
    vetted = select(Vetting.household_id).where(_current(today))
    offers = list(session.scalars(
        select(Offer).where(Offer.status == "open", Offer.ends_on >= today,
                            Offer.id.in_(needing), Offer.household_id.not_in(vetted))
        .options(selectinload(Offer.household).options(
                     # The list shows the helper's name; the contacts stay encrypted.
                     defer(Household.phone), defer(Household.address),
                     defer(Household.care_notes), selectinload(Household.neighbourhood)),
                 selectinload(Offer.skills).selectinload(Skill.category))
        .order_by(Offer.created_at, Offer.id)))
    kinds = check_kinds(session, offers, today)
    helpers: dict[int, WaitingHelper] = {}
    for offer in offers:
        helper = helpers.setdefault(offer.household_id, WaitingHelper(offer.household))
        helper.offers.append(offer)
        helper.kinds[offer.id] = kinds[offer.id]
        helper.since[offer.id] = hubtime.local_date(offer.created_at)
    lapsed = _lapsed(session, list(helpers), today)
    for household_id, helper in helpers.items():
        helper.lapsed = lapsed.get(household_id)
    return list(helpers.values())


def expiring_vettings(session: Session, today: date, days: int = WARN_DAYS) -> list[Vetting]:
    """Vettings that count today and expire within ``days``, with no newer one after them."""
    candidates = session.scalars(select(Vetting).where(
        _current(today), Vetting.expires_on <= today + timedelta(days=days))
        .order_by(Vetting.expires_on, Vetting.id))
    return [v for v in candidates if _is_last(session, v)]


def _is_last(session: Session, vetting: Vetting) -> bool:
    later = session.scalar(select(Vetting.id).where(
        Vetting.household_id == vetting.household_id, Vetting.revoked_at.is_(None),
        Vetting.expires_on > vetting.expires_on).limit(1))
    return later is None


def warn_expiring(session: Session, today: date, now: datetime,
                  days: int = WARN_DAYS) -> int:
    """Tell the helper and the facilitators, once, that a vetting expires soon."""
    warned = 0
    for vetting in expiring_vettings(session, today, days):
        if vetting.warned_at is not None:
            continue
        _warn(session, vetting)
        vetting.warned_at = now
        warned += 1
    return warned


def _warn(session: Session, vetting: Vetting) -> None:
    helper = vetting.household.user
    if helper.active:
        channels.tell(session, helper, "vetting_expiring_helper",
                      _l("Please bring a new certificate to the Family Hub"), vetting=vetting)
    recorder = session.get(User, vetting.recorded_by_id) if vetting.recorded_by_id else None
    people = [recorder] if recorder and recorder.active and policy.is_facilitator(recorder) else (
        facilitators(session))
    for facilitator in people:
        ports.mailer().send(session, facilitator, "vetting_expiring",
                            _l("A helper's vetting expires soon"), vetting=vetting)
