"""The service's own rows, read once as slim records for every figure of a report.

A handful of queries, each returning plain tuples (no ORM objects but the
members, whose ESF+ answers are read with ``getattr``: the columns may not
exist yet on a database without the ESF+ fields, and the figures work either
way). Everything up to ``until`` is read, since cumulative figures and "new
ties" need the history before a period.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from mutuo_aiuto.models import (
    ActivityMeeting,
    Attendance,
    Category,
    Household,
    Match,
    MatchHours,
    Member,
    Need,
    Neighbourhood,
    Offer,
    Proposal,
    UnmatchedSpell,
)
from mutuo_aiuto.services.belonging import Answer, answers
from mutuo_aiuto.services.hubtime import HubClock

# Pairings a helper declined or never answered gave no help: not counted (as in ``impact``).
NOT_COUNTED = ("declined", "unanswered")
# Not posted: a draft is not a request yet.
NOT_POSTED = ("draft",)


@dataclass(frozen=True)
class Pairing:
    id: int
    need: int
    family: int
    helper: int
    family_place: str | None
    helper_place: str | None
    category: str
    status: str
    confirmed: date  # the Hub's days
    accepted: date | None
    closed: date | None
    outcome: str | None
    hours: float | None

    @property
    def counted(self) -> bool:
        return self.status not in NOT_COUNTED


@dataclass(frozen=True)
class Request:
    id: int
    household: int
    place: str | None
    category: str
    opened: date | None
    proposed: date | None  # the first proposal the matcher made for it


@dataclass(frozen=True)
class Spell:
    """A request without a proposal for ``reason`` from ``since`` to ``until`` (None:
    still), ended early by the request closing or getting a pairing."""

    need: int
    reason: str
    place: str | None
    since: date
    until: date | None


@dataclass(frozen=True)
class Person:
    """One member of a household, with the ESF+ answers where the model has them."""

    household: int
    birth_year: int | None
    gender: str | None = None
    employment: str | None = None
    education: str | None = None
    citizenship: str | None = None
    foreign_background: str | None = None
    disability: bool = False


@dataclass(frozen=True)
class Home:
    id: int
    place: str | None
    joined: date
    languages: frozenset[str]


@dataclass
class Rows:
    """Everything a report reads."""

    pairings: list[Pairing] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    # (match id, first day of the month, hours given that month)
    hours: list[tuple[int, date, float]] = field(default_factory=list)
    homes: dict[int, Home] = field(default_factory=dict)
    people: dict[int, list[Person]] = field(default_factory=lambda: defaultdict(list))
    # Days each household posted a request or an offer, or came to a group.
    posted: list[tuple[int, date]] = field(default_factory=list)
    attended: list[tuple[int, date]] = field(default_factory=list)
    unmatched: list[Spell] = field(default_factory=list)
    # Every belonging answer (``services/belonging.py``), and the ratings each side gave
    # its pairing at the close: (the Hub's day it closed, family's, helper's).
    belonging: list[Answer] = field(default_factory=list)
    ratings: list[tuple[date, int | None, int | None]] = field(default_factory=list)


def _day(moment: datetime | None, clock: HubClock) -> date | None:
    return clock.date_of(moment) if moment is not None else None


def _names(session: Session, model: Any, locale: str = "it") -> dict[int, str]:
    rows = session.scalars(select(model))
    return {row.id: row.label(locale) if hasattr(row, "label") else row.name for row in rows}


def load(session: Session, until: date, clock: HubClock) -> Rows:
    """Every row the figures read, up to the end of ``until`` (the Hub's day)."""
    end = clock.start_of(until + timedelta(days=1))
    places = _names(session, Neighbourhood)
    categories = _names(session, Category)
    rows = Rows()
    rows.pairings = _pairings(session, end, clock, places, categories)
    rows.requests = _requests(session, end, clock, places, categories)
    rows.hours = [(m, month, float(h)) for m, month, h in session.execute(
        select(MatchHours.match_id, MatchHours.month, MatchHours.hours)
        .where(MatchHours.month <= until))]
    for id_, place, created, languages in session.execute(
            select(Household.id, Household.neighbourhood_id, Household.created_at,
                   Household.languages).where(Household.created_at < end)):
        rows.homes[id_] = Home(id_, places.get(place) if place else None,
                               clock.date_of(created), frozenset(languages or ()))
    for member in session.execute(select(*_member_columns())):
        rows.people[member.household_id].append(person(member))
    rows.posted = _posted(session, end, clock)
    rows.unmatched = _spells(session, end, clock, places, rows.pairings)
    rows.attended = [(h, day) for h, day in session.execute(
        select(Attendance.household_id, ActivityMeeting.on_date)
        .join(ActivityMeeting, ActivityMeeting.id == Attendance.meeting_id)
        .where(Attendance.present.is_(True), ActivityMeeting.on_date <= until))]
    rows.belonging = answers(session, until=until)
    rows.ratings = [(clock.date_of(closed), family, helper)
                    for closed, family, helper in
                    session.execute(select(Match.closed_at, Match.family_rating,
                                           Match.helper_rating)
                                    .where(Match.closed_at < end,
                                           (Match.family_rating.is_not(None))
                                           | (Match.helper_rating.is_not(None))))
                    if closed is not None]
    return rows


# What the figures read of a member, where the model has it (the ESF+ fields may not be
# there yet): plain columns, so a city's members load as tuples, not objects.
MEMBER_FIELDS = ("household_id", "birth_year", "gender", "employment", "education",
                 "citizenship", "foreign_background", "disability", "has_disability")


def _member_columns() -> list[Any]:
    columns = Member.__table__.c
    return [columns[name] for name in MEMBER_FIELDS if name in columns]


def person(member: Any) -> Person:
    """A member's answers, read defensively: before the ESF+ fields exist they are None.
    Disability is ``has_disability`` (a flag) on the older model, ``disability``
    ("yes", "no", "prefer_not") with the ESF+ fields."""
    disability = getattr(member, "disability", None)
    flag = disability == "yes" if disability is not None else bool(
        getattr(member, "has_disability", False))
    return Person(household=member.household_id, birth_year=member.birth_year,
                  gender=getattr(member, "gender", None),
                  employment=getattr(member, "employment", None),
                  education=getattr(member, "education", None),
                  citizenship=getattr(member, "citizenship", None),
                  foreign_background=getattr(member, "foreign_background", None),
                  disability=flag)


def _pairings(session: Session, end: datetime, clock: HubClock, places: dict[int, str],
              categories: dict[int, str]) -> list[Pairing]:
    helper = aliased(Offer)
    query = (select(Match.id, Match.need_id, Need.household_id, helper.household_id,
                    Need.neighbourhood_id, helper.neighbourhood_id, Need.category_id,
                    Match.status, Match.confirmed_at, Match.accepted_at, Match.closed_at,
                    Match.outcome, Match.hours)
             .join(Need, Need.id == Match.need_id).join(helper, helper.id == Match.offer_id)
             .where(Match.confirmed_at < end).order_by(Match.id))
    found = []
    for (id_, need, family, helper_id, place, helper_place, category, status, confirmed,
         accepted, closed, outcome, hours) in session.execute(query):
        found.append(Pairing(
            id_, need, family, helper_id, places.get(place), places.get(helper_place),
            categories.get(category, ""), status, clock.date_of(confirmed),
            _day(accepted, clock), _day(closed, clock) if closed and closed < end else None,
            outcome if closed and closed < end else None, hours))
    return found


def _requests(session: Session, end: datetime, clock: HubClock, places: dict[int, str],
              categories: dict[int, str]) -> list[Request]:
    first = (select(Proposal.need_id, func.min(Proposal.created_at).label("at"))
             .group_by(Proposal.need_id).subquery())
    query = (select(Need.id, Need.household_id, Need.neighbourhood_id, Need.category_id,
                    Need.opened_at, first.c.at)
             .outerjoin(first, first.c.need_id == Need.id)
             .where(Need.status.not_in(NOT_POSTED), Need.opened_at < end).order_by(Need.id))
    return [Request(id_, household, places.get(place), categories.get(category, ""),
                    _day(opened, clock), _day(proposed, clock) if proposed and proposed < end
                    else None)
            for id_, household, place, category, opened, proposed in session.execute(query)]


def _spells(session: Session, end: datetime, clock: HubClock, places: dict[int, str],
            pairings: list[Pairing]) -> list[Spell]:
    """The unmatched spells, each ended at the latest when its request closed or got its
    next confirmed pairing: a run does not look at a request that stopped seeking, so an
    open spell may outlive it."""
    confirmed: dict[int, list[date]] = defaultdict(list)
    for pairing in pairings:
        confirmed[pairing.need].append(pairing.confirmed)
    query = (select(UnmatchedSpell.need_id, UnmatchedSpell.reason, UnmatchedSpell.since,
                    UnmatchedSpell.until, Need.neighbourhood_id, Need.closed_at)
             .join(Need, Need.id == UnmatchedSpell.need_id)
             .where(UnmatchedSpell.since < end).order_by(UnmatchedSpell.id))
    found = []
    for need, reason, since, until, place, closed in session.execute(query):
        start = clock.date_of(since)
        ends = [day for day in (_day(until, clock), _day(closed, clock)) if day is not None]
        ends += [day for day in confirmed.get(need, []) if day >= start]
        found.append(Spell(need, reason, places.get(place), start, min(ends) if ends else None))
    return found


def _posted(session: Session, end: datetime, clock: HubClock) -> list[tuple[int, date]]:
    found: list[tuple[int, date]] = []
    queries: Sequence[Any] = (
        select(Need.household_id, Need.created_at).where(Need.status.not_in(NOT_POSTED),
                                                         Need.created_at < end),
        select(Offer.household_id, Offer.created_at).where(Offer.created_at < end))
    for query in queries:
        found += [(household, clock.date_of(at)) for household, at in session.execute(query)]
    return found
