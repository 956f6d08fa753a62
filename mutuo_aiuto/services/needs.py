"""Needs (richieste): a family posts, edits, publishes, pauses, resumes or cancels one.

Every function checks that the need belongs to the acting household (else
``NotFound``, so ids cannot be probed) and the domain rules, raising
``DomainError(field=...)`` for the form field at fault. Nothing commits here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, selectinload

from mutuo_aiuto.models import Category, Household, Need, NeedSlot, NeedStatus, Skill
from mutuo_aiuto.services import listings
from mutuo_aiuto.services import slots as slot_input
from mutuo_aiuto.services.errors import DomainError, DomainErrors, Problems
from mutuo_aiuto.services.households import clean_languages, clean_text
from mutuo_aiuto.services.lifecycle import (
    NEED_EDITABLE,
    NEED_FINISHED,
    NEED_PAUSABLE,
    move_need,
)
from mutuo_aiuto.services.slots import DatedRow, WeeklyRow

TITLE_MAX = 120
DESCRIPTION_MAX = 2000
HOPS = (0, 1, 2)
HELPERS = (1, 2, 3)
URGENCIES = (0, 1, 2, 3)
# "Until when", left empty with weekly times: about three months from today.
DEFAULT_PERIOD = timedelta(weeks=13)


@dataclass(frozen=True)
class NeedInput:
    """A need as a form (or a future API) gives it; references are slugs.

    ``neighbourhood`` and ``languages`` left as None take the household's;
    ``remote`` left as None takes the category's. ``requires_vetted`` can only
    add to the category's rule, never lift it. ``skills`` left empty are the
    category's default skills; ``ends_on`` left as None is the last date given,
    or ``DEFAULT_PERIOD`` after today for weekly times.
    """

    title: str
    category: str
    skills: Sequence[str]
    ends_on: date | None
    weekly: Sequence[WeeklyRow] = ()
    dated: Sequence[DatedRow] = ()
    starts_on: date | None = None
    neighbourhood: str | None = None
    max_hops: int = 1
    helpers: int = 1
    urgency: int = 0
    languages: Sequence[str] | None = None
    requires_vetted: bool = False
    remote: bool | None = None
    # The help happens at the family's home: the helper sees the address once accepted.
    at_home: bool = False
    description: str | None = None


# -- checks shared with offers ------------------------------------------------------------

def clean_title(value: str | None) -> str:
    title = clean_text(value, limit=TITLE_MAX, field="title",
                       required_message=_l("Give a short title."))
    assert title is not None
    return title


def clean_description(value: str | None) -> str | None:
    return clean_text(value, limit=DESCRIPTION_MAX, field="description")


def choose(value: object, allowed: Iterable[int], field: str) -> int:
    """One of a few whole numbers (a radio button's value)."""
    allowed = tuple(allowed)
    if isinstance(value, bool) or value not in allowed:
        raise DomainError(_l("Choose one of the options."), field=field)
    return int(value)


def active_skills(session: Session, slugs: Iterable[str] | None) -> list[Skill]:
    """At least one skill, every one existing and active."""
    if slugs is None:
        slugs = ()
    if isinstance(slugs, str | bytes) or not isinstance(slugs, Iterable):
        raise DomainError(_l("Choose skills from the list."), field="skills")
    chosen = list(slugs)
    if not all(isinstance(slug, str) for slug in chosen):
        raise DomainError(_l("Choose skills from the list."), field="skills")
    wanted = set(chosen)
    if not wanted:
        raise DomainError(_l("Choose at least one skill."), field="skills")
    found = session.execute(
        select(Skill).where(Skill.slug.in_(wanted), Skill.active.is_(True))
        .order_by(Skill.position, Skill.id)).scalars().all()
    if len(found) != len(wanted):
        raise DomainError(_l("Choose skills from the list."), field="skills")
    return list(found)


def active_category(session: Session, slug: str | None) -> Category:
    category = None
    if isinstance(slug, str) and slug:
        category = session.execute(
            select(Category).filter_by(slug=slug, active=True)).scalar_one_or_none()
    if category is None:
        raise DomainError(_l("Choose a kind of help from the list."), field="category")
    return category


# -- reading ------------------------------------------------------------------------------

def active_categories(session: Session) -> list[Category]:
    """The kinds of help a family can choose, in the administrator's order."""
    return list(session.execute(
        select(Category).filter_by(active=True).order_by(Category.position, Category.id))
        .scalars())


def active_skill_list(session: Session) -> list[Skill]:
    """Active skills grouped by category (in category order), uncategorised ones last,
    each with its category (read by the same join: the forms group by it)."""
    return list(session.execute(
        select(Skill).outerjoin(Skill.category).options(contains_eager(Skill.category))
        .where(Skill.active.is_(True))
        .order_by(Category.id.is_(None), Category.position, Category.id,
                  Skill.position, Skill.id)).scalars())


NEEDS = listings.Kind(Need, move_need, NEED_EDITABLE,
                      not_found=_l("This request was not found."),
                      not_editable=_l("This request can no longer be changed."))


def get_need(session: Session, household: Household | None, public_id: str) -> Need:
    """One of the household's needs by its public id; any other need is not found."""
    return listings.get_own(NEEDS, session, household, public_id)


def check_owner(household: Household | None, need: Need | None) -> Need:
    return listings.check_owner(NEEDS, household, need)


def list_needs(session: Session, household: Household) -> list[Need]:
    """The household's needs, newest first."""
    return listings.list_own(NEEDS, session, household)


def current_needs(session: Session, household: Household) -> list[Need]:
    """The household's requests still under way (not closed, cancelled or expired), newest first.

    One query with the category (the family page shows its name and icon).
    """
    return list(session.execute(
        select(Need).filter_by(household_id=household.id)
        .where(Need.status.not_in([status.value for status in NEED_FINISHED]))
        .options(selectinload(Need.category))
        .order_by(Need.created_at.desc(), Need.id.desc())).scalars())


# -- writing ------------------------------------------------------------------------------

def skills_for(session: Session, slugs: Sequence[str] | None,
               category: Category | None) -> list[Skill]:
    """The skills chosen, or, when none is, the kind of help's default skills."""
    if slugs:
        return active_skills(session, slugs)
    if category is None:  # the kind of help is refused already: no second message
        return []
    defaults = [skill for skill in category.default_skills if skill.active]
    if not defaults:
        raise DomainError(_l("Choose at least one skill."), field="skills")
    return defaults


def default_ends_on(data: NeedInput, today: date) -> date | None:
    """The end date given; else the last date of the dated rows, or weeks from today."""
    if data.ends_on is not None:
        return data.ends_on
    dates: list[date] = []
    for row in data.dated:
        with suppress(DomainError):  # a date that cannot be read is refused on its row
            dates.append(slot_input.parse_date(row.on_date))
    return max(dates) if dates else today + DEFAULT_PERIOD


def _values(session: Session, household: Household, data: NeedInput,
            today: date) -> dict[str, Any]:
    """Every field checked; every refusal reported at once (``DomainErrors``), in form order."""
    problems = Problems()
    title = problems.check(clean_title, data.title)
    category = problems.check(active_category, session, data.category)
    skills = problems.check(skills_for, session, data.skills, category)
    ends_on = default_ends_on(data, today)
    problems.check(slot_input.check_period, today=today, ends_on=ends_on,
                   starts_on=data.starts_on)
    slots = problems.check(slot_input.parse_slots, data.weekly, data.dated, today=today,
                           ends_on=ends_on if slot_input.is_date(ends_on) else None,
                           starts_on=data.starts_on if slot_input.is_date(data.starts_on)
                           else None) or []
    place = problems.check(listings.place_of, session, household, data.neighbourhood)
    max_hops = problems.check(choose, data.max_hops, HOPS, "max_hops")
    helpers = problems.check(choose, data.helpers, HELPERS, "helpers")
    urgency = problems.check(choose, data.urgency, URGENCIES, "urgency")
    languages = problems.check(
        clean_languages, household.languages if data.languages is None else data.languages)
    description = problems.check(clean_description, data.description)
    problems.raise_any()
    assert category is not None
    return {
        "title": title, "category": category, "skills": skills,
        "starts_on": data.starts_on, "ends_on": ends_on,
        "slots": [NeedSlot(weekday=s.weekday, on_date=s.on_date, start_minute=s.start_minute,
                           end_minute=s.end_minute) for s in slots],
        "neighbourhood": place, "max_hops": max_hops, "helpers": helpers, "urgency": urgency,
        "languages": languages,
        # The category's rule protects children and vulnerable people: never lifted.
        "requires_vetted": bool(data.requires_vetted) or category.requires_vetted,
        "remote": category.remote if data.remote is None else bool(data.remote),
        "at_home": bool(data.at_home),
        "description": description,
    }


def check_need(session: Session, household: Household, data: NeedInput,
               today: date) -> list[DomainError]:
    """What ``post_need`` would refuse, without saving: every problem, in form order."""
    try:
        _values(session, household, data, today)
    except DomainErrors as errors:
        return errors.errors
    except DomainError as error:
        return [error]
    return []


def post_need(session: Session, household: Household, data: NeedInput, publish: bool,
              today: date, now: datetime | None = None) -> Need:
    """Create a need as a draft, or published (open) straight away (opened at ``now``)."""
    values = _values(session, household, data, today)
    need = Need(household=household, status=NeedStatus.DRAFT)
    listings.apply(need, values)
    session.add(need)
    if publish:
        move_need(need, NeedStatus.OPEN, now)
    session.flush()
    return need


def update_need(session: Session, household: Household, need: Need, data: NeedInput,
                today: date, publish: bool = False) -> Need:
    """Change a need while its status allows it.

    An expired need given a new (valid, so future) end date is reopened; a
    draft can be published in the same step.
    """
    listings.check_editable(NEEDS, household, need)
    values = _values(session, household, data, today)
    listings.keep_commitments(session, need, values, _l(
        "A helper is already confirmed for this request, so its times, skills and "
        "neighbourhood cannot change now. Ask the Family Hub, or post a new request."))
    listings.apply(need, values)
    if need.status == NeedStatus.EXPIRED or (publish and need.status == NeedStatus.DRAFT):
        move_need(need, NeedStatus.OPEN)
    session.flush()
    return need


def publish_need(session: Session, household: Household, need: Need,
                 today: date | None = None) -> Need:
    """Draft → open; a draft whose end date has passed must be edited first."""
    return listings.reopen(NEEDS, household, need, NeedStatus.DRAFT, today,
                           _l("The end date has passed: change it before publishing."))


def pause_need(session: Session, household: Household, need: Need) -> Need:
    """Stop looking for a helper for a while (open or proposed → paused)."""
    return listings.move_from(NEEDS, household, need, NEED_PAUSABLE, NeedStatus.PAUSED)


def resume_need(session: Session, household: Household, need: Need,
                today: date | None = None) -> Need:
    """Paused → open; a paused need whose end date has passed must be edited first."""
    return listings.reopen(NEEDS, household, need, NeedStatus.PAUSED, today,
                           _l("The end date has passed: change it to look for help again."))


def cancel_need(session: Session, household: Household, need: Need) -> Need:
    """The family no longer needs help; the lifecycle says from which statuses."""
    return listings.cancel(NEEDS, household, need)
