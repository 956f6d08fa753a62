"""Households: a member's family profile and its members (who may read its contacts: policy)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, object_session

from mutuo_aiuto.models import MEMBER_KINDS, Household, Member, Neighbourhood, User
from mutuo_aiuto.services import audit, esf, phone_lookup
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.phones import clean_phone

# The languages a family can say it speaks, in the order the form lists them.
# The one list for households, needs and offers (codes as the matcher reads them).
LANGUAGE_CODES: tuple[str, ...] = ("it", "en", "fr", "es", "ro", "sq", "ar", "uk")

NAME_MAX = 120
ADDRESS_MAX = 200
NOTES_MAX = 2000
FIRST_NAME_MAX = 80
MAX_MEMBERS = 20
EARLIEST_BIRTH_YEAR = 1900


def household_of(session: Session, user: User) -> Household | None:
    """The household of an account, if it has made one yet. An account of ``session``
    reads it once and remembers it (its relationship) until the session commits: a page
    asks three or four times."""
    if object_session(user) is session:
        return user.household
    return session.execute(select(Household).filter_by(user_id=user.id)).scalar_one_or_none()


def clean_text(value: str | None, *, limit: int, field: str,
               required_message: object | None = None) -> str | None:
    """Strip a text; refuse it when too long, or empty when ``required_message`` is given."""
    text = (value or "").strip()
    if not text:
        if required_message is not None:
            raise DomainError(required_message, field=field)
        return None
    if len(text) > limit:
        raise DomainError(_l("Please write at most %(count)d characters.", count=limit),
                          field=field)
    return text


def clean_languages(codes: Iterable[str] | None, field: str = "languages") -> list[str]:
    """Known language codes only, once each, in the order of ``LANGUAGE_CODES``."""
    if codes is None:
        codes = ()
    if isinstance(codes, str | bytes) or not isinstance(codes, Iterable):
        raise DomainError(_l("Choose languages from the list."), field=field)
    chosen = set()
    for code in codes:
        if code not in LANGUAGE_CODES:
            raise DomainError(_l("Choose languages from the list."), field=field)
        chosen.add(code)
    return [code for code in LANGUAGE_CODES if code in chosen]


def active_neighbourhood(session: Session, slug: str | None,
                         field: str = "neighbourhood") -> Neighbourhood:
    """The active neighbourhood with this slug, or a message on ``field``."""
    if not slug:
        raise DomainError(_l("Choose a neighbourhood."), field=field)
    if not isinstance(slug, str):
        raise DomainError(_l("Choose a neighbourhood from the list."), field=field)
    place = session.execute(
        select(Neighbourhood).filter_by(slug=slug, active=True)).scalar_one_or_none()
    if place is None:
        raise DomainError(_l("Choose a neighbourhood from the list."), field=field)
    return place


def save_household(session: Session, user: User, *, name: str, neighbourhood: str | None,
                   languages: Iterable[str] = (), phone: str | None = None,
                   address: str | None = None, care_notes: str | None = None) -> Household:
    """Create the account's household on first save, or update it.

    ``neighbourhood`` is a slug; ``languages`` are codes of ``LANGUAGE_CODES``.
    """
    cleaned = clean_text(name, limit=NAME_MAX, field="name",
                      required_message=_l("Give your family a name, for example “Famiglia Rossi”."))
    place = active_neighbourhood(session, neighbourhood)
    codes = clean_languages(languages)
    phone = clean_phone(phone)
    address = clean_text(address, limit=ADDRESS_MAX, field="address")
    care_notes = clean_text(care_notes, limit=NOTES_MAX, field="care_notes")
    household = household_of(session, user)
    # clean_text raised if the required name was blank.
    name = cleaned or ""
    if household is None:
        household = Household(user=user, name=name)
        session.add(household)
    household.name = name
    household.neighbourhood = place
    household.languages = codes
    household.phone = phone
    phone_lookup.link_phone(session, user, phone)  # sign in by this number, if a mobile
    household.address = address
    household.care_notes = care_notes
    session.flush()
    return household


def save_helper_details(session: Session, user: User, *, neighbourhood: str | None,
                        languages: Iterable[str] = (), phone: str | None = None) -> Household:
    """A helper who is not a family says only where they are, what they speak and a phone.

    The matcher reads a helper's neighbourhood and languages from a household, so
    one is made (named after the person, no members, no address, no care notes);
    a later save updates those three and leaves anything else as it was.
    """
    place = active_neighbourhood(session, neighbourhood)
    codes = clean_languages(languages)
    phone = clean_phone(phone)
    household = household_of(session, user)
    if household is None:
        household = Household(user=user, name=(user.name or "").strip()[:NAME_MAX] or "-")
        session.add(household)
    household.neighbourhood = place
    household.languages = codes
    household.phone = phone
    phone_lookup.link_phone(session, user, phone)
    session.flush()
    return household


def _birth_year(value: int | None, this_year: int) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not (
            EARLIEST_BIRTH_YEAR <= value <= this_year):
        raise DomainError(_l("Give a year of birth between %(first)d and %(last)d.",
                             first=EARLIEST_BIRTH_YEAR, last=this_year), field="birth_year")
    return value


@dataclass(frozen=True)
class PersonAnswers:
    """What a person says about themselves for the programme's funder (ESF+), all optional.

    Each value is a code of ``services/esf.py`` or None (not answered). Disability
    and minority are kept only with ``special_consent``: the separate consent to
    special-category data, recorded with the notice version it was given under.
    """

    gender: str | None = None
    employment: str | None = None
    education: str | None = None
    citizenship: str | None = None
    foreign_background: str | None = None
    disability: str | None = None
    minority: str | None = None
    special_consent: bool = False


@dataclass(frozen=True)
class ConsentContext:
    """Who records the answers, when, and under which version of the privacy notice."""

    actor: User | None
    now: datetime
    notice_version: str


def _answer(question: esf.Question, value: str | None) -> str | None:
    if value is None or value == "":
        return None
    if not isinstance(value, str) or value not in question.codes:
        raise DomainError(_l("Choose an answer from the list."), field=question.field)
    return value


def _checked(answers: PersonAnswers) -> dict[str, str | None]:
    """Every answer checked (codes of ``esf``); special-category ones need the consent."""
    values = {q.field: _answer(q, getattr(answers, q.field))
              for q in (*esf.QUESTIONS, *esf.SPECIAL_CATEGORY)}
    if not answers.special_consent and any(
            values[q.field] is not None for q in esf.SPECIAL_CATEGORY):
        raise DomainError(_l("Tick the consent first: without it the Hub does not keep "
                             "answers about disability or minority."), field="special_consent")
    return values


def _apply_answers(session: Session, member: Member, answers: PersonAnswers,
                   context: ConsentContext | None) -> None:
    """Store checked answers; record or withdraw the special-category consent."""
    values = _checked(answers)
    if answers.special_consent and context is None:
        raise ValueError("a special-category consent needs a ConsentContext")
    for question in esf.QUESTIONS:
        setattr(member, question.field, values[question.field])
    had_consent = member.special_consent_at is not None
    if answers.special_consent and context is not None:
        for question in esf.SPECIAL_CATEGORY:
            setattr(member, question.field, values[question.field])
        if not had_consent:
            member.special_consent_at = context.now
            member.special_consent_version = context.notice_version
            session.flush()
            audit.record(session, context.actor, audit.SPECIAL_CONSENT_GIVEN,
                         target=member.household, at=context.now,
                         details={"member": member.public_id,
                                  "version": context.notice_version})
    elif had_consent:
        _clear_special(member)
        session.flush()
        audit.record(session, context.actor if context else None,
                     audit.SPECIAL_CONSENT_WITHDRAWN, target=member.household,
                     at=context.now if context else None,
                     details={"member": member.public_id})
    session.flush()


def _clear_special(member: Member) -> None:
    """Withdrawn consent: the answers go with it, and the record of when it was given."""
    member.disability = member.minority = None
    member.special_consent_at = None
    member.special_consent_version = None


def answers_of(member: Member) -> PersonAnswers:
    """A member's stored answers, to fill the form back."""
    values = {f.name: getattr(member, f.name) for f in fields(PersonAnswers)
              if f.name != "special_consent"}
    return PersonAnswers(**values, special_consent=member.special_consent_at is not None)


def add_member(session: Session, household: Household, *, kind: str, this_year: int,
               first_name: str | None = None, birth_year: int | None = None,
               answers: PersonAnswers | None = None,
               context: ConsentContext | None = None) -> Member:
    """Add a person to the household; every field but the kind is optional.

    ``context`` is needed only when ``answers`` carry the special-category consent.
    """
    if kind not in MEMBER_KINDS:
        raise DomainError(_l("Choose adult, child or elder."), field="kind")
    if len(household.members) >= MAX_MEMBERS:
        raise DomainError(_l("A family can list at most %(count)d people.", count=MAX_MEMBERS),
                          field="kind")
    answers = answers or PersonAnswers()
    member = Member(
        kind=kind,
        first_name=clean_text(first_name, limit=FIRST_NAME_MAX, field="first_name"),
        birth_year=_birth_year(birth_year, this_year),
    )
    _checked(answers)  # refused before the person is added
    household.members.append(member)
    _apply_answers(session, member, answers, context)
    return member


def member_of(household: Household, member_public_id: str) -> Member:
    """One person of this household; another household's member is not found."""
    member = next((m for m in household.members if m.public_id == member_public_id), None)
    if member is None:
        raise NotFound(_l("This person is not in your family."))
    return member


def update_member(session: Session, household: Household, member_public_id: str, *,
                  kind: str, this_year: int, first_name: str | None = None,
                  birth_year: int | None = None, answers: PersonAnswers,
                  context: ConsentContext) -> Member:
    """Change what is recorded about a person; unticking the consent clears the
    special-category answers (and is on the audit trail)."""
    member = member_of(household, member_public_id)
    if kind not in MEMBER_KINDS:
        raise DomainError(_l("Choose adult, child or elder."), field="kind")
    name = clean_text(first_name, limit=FIRST_NAME_MAX, field="first_name")
    year = _birth_year(birth_year, this_year)
    _checked(answers)  # every check before any change: a refusal leaves the person as was
    member.kind, member.first_name, member.birth_year = kind, name, year
    _apply_answers(session, member, answers, context)
    return member


def withdraw_special_consent(session: Session, household: Household, member_public_id: str,
                             context: ConsentContext) -> Member:
    """Withdraw a person's consent to special-category data: their answers are cleared."""
    member = member_of(household, member_public_id)
    if member.special_consent_at is None:
        raise DomainError(_l("There is no consent to withdraw for this person."))
    kept = answers_of(member)
    _apply_answers(session, member, PersonAnswers(
        **{q.field: getattr(kept, q.field) for q in esf.QUESTIONS}), context)
    return member


def remove_member(session: Session, household: Household, member_public_id: str) -> None:
    """Remove one person of this household; another household's member is not found."""
    member = member_of(household, member_public_id)
    household.members.remove(member)
    session.flush()


def active_neighbourhoods(session: Session) -> list[Neighbourhood]:
    """The neighbourhoods a family can choose, by name."""
    return list(session.execute(
        select(Neighbourhood).filter_by(active=True).order_by(Neighbourhood.name)).scalars())
