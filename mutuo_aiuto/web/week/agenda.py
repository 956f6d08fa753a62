"""A member's week: their requests, their availability and their confirmed sessions, by day.

Plain functions over the session and the member, no Flask: the view only
picks the week and renders what ``member_week`` returns. Slot times are
wall-clock minutes in the Hub's time zone, so a day's entries need no conversion.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import get_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    ActivityStatus,
    Household,
    Match,
    MatchStatus,
    MembershipStatus,
    Need,
    NeedStatus,
    Offer,
    OfferStatus,
    User,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.activities import household_memberships, meeting_days
from mutuo_aiuto.services.meeting_reminders import week_notices

# Requests still waiting for help; once matched they show as sessions instead.
WAITING_NEEDS = (NeedStatus.OPEN, NeedStatus.PROPOSED)
# Availability that still stands (a full offer keeps its hours for its matches).
STANDING_OFFERS = (OfferStatus.OPEN, OfferStatus.FULL)

NEED, OFFER, HELPING, HELPED = "need", "offer", "helping", "helped"
# A meeting of a group activity the family joined (issue 12).
GROUP = "group"
# Same time: sessions and group meetings first, then requests, then availability.
_KIND_ORDER = {HELPING: 0, HELPED: 0, GROUP: 0, NEED: 1, OFFER: 2}

# A week far outside these years is a mistyped address, not a plan.
FIRST_YEAR, LAST_YEAR = 2000, 2100
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@dataclass(frozen=True)
class Entry:
    """One block of time on one day."""

    kind: str
    title: str
    start_minute: int
    end_minute: int
    # For a session: the match's status ("awaiting" the helper, or "active").
    status: str = ""
    # For a session: the other side's name, once the helper accepted ("" before).
    who: str = ""
    # For a group's meeting once its first reminder went: the notice to answer, and
    # the answer given ("coming", "cannot" or "").
    notice_id: str = ""
    answer: str = ""

    @property
    def start(self) -> str:
        return format_minutes(self.start_minute)

    @property
    def end(self) -> str:
        return format_minutes(self.end_minute)

    @property
    def is_session(self) -> bool:
        return self.kind in (HELPING, HELPED)


@dataclass(frozen=True)
class Day:
    on: date
    entries: list[Entry] = field(default_factory=list)


@dataclass(frozen=True)
class _Span:
    """A slot reduced to what placing it needs: a weekday or a date, and minutes."""

    weekday: int | None
    on_date: date | None
    start_minute: int
    end_minute: int

    def falls_on(self, day: date) -> bool:
        if self.on_date is not None:
            return self.on_date == day
        return self.weekday == day.weekday()


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def parse_week_start(text: object, today: date) -> date:
    """The Monday of the week named by ``?start=YYYY-MM-DD``; this week when unreadable."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text.strip()):
        return monday_of(today)
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return monday_of(today)
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        return monday_of(today)
    return monday_of(day)


def _spans(slots: Iterable[object]) -> list[_Span]:
    return [_Span(getattr(s, "weekday", None), getattr(s, "on_date", None),
                  s.start_minute, s.end_minute) for s in slots]  # type: ignore[attr-defined]


def shared_spans(need: Need, offer: Offer) -> list[_Span]:
    """When a pairing meets: each need slot cut to the offer's hours on that weekday.

    A facilitator may pair by hand outside the offer's hours: then the need's
    own times are the best guess of when the help happens.
    """
    offer_spans = _spans(offer.slots)
    shared: list[_Span] = []
    need_spans = _spans(need.slots)
    for wanted in need_spans:
        day = wanted.on_date.weekday() if wanted.on_date is not None else wanted.weekday
        for given in offer_spans:
            start = max(wanted.start_minute, given.start_minute)
            end = min(wanted.end_minute, given.end_minute)
            if given.weekday == day and start < end:
                shared.append(_Span(wanted.weekday, wanted.on_date, start, end))
    return shared or need_spans


def _in_range(day: date, starts_on: date | None, ends_on: date | None) -> bool:
    return (starts_on is None or starts_on <= day) and (ends_on is None or day <= ends_on)


def _entries_on(day: date, spans: list[_Span], kind: str, title: str,
                status: str = "", who: str = "") -> Iterator[Entry]:
    for span in spans:
        if span.falls_on(day):
            yield Entry(kind, title, span.start_minute, span.end_minute, status, who)


def _need_entries(day: date, needs: Iterable[Need]) -> Iterator[Entry]:
    for need in needs:
        if _in_range(day, need.starts_on, need.ends_on):
            yield from _entries_on(day, _spans(need.slots), NEED, need.title)


def _offer_entries(day: date, offers: Iterable[Offer]) -> Iterator[Entry]:
    for offer in offers:
        if _in_range(day, None, offer.ends_on):
            yield from _entries_on(day, _spans(offer.slots), OFFER, offer.title)


def _session_entries(day: date, matches: Iterable[Match], user: User,
                     household_id: int) -> Iterator[Entry]:
    for match in matches:
        need, offer = match.need, match.offer
        ends_on = min(need.ends_on, offer.ends_on)
        if not _in_range(day, match.started_on or need.starts_on, ends_on):
            continue
        kind = HELPING if offer.household_id == household_id else HELPED
        other = need.household if kind == HELPING else offer.household
        # Whom one meets: a name only once the helper accepted (policy's contacts rule).
        who = other.name if policy.contacts_shown_in(user, match) else ""
        # Until the helper accepts, the family's own words are not theirs to read.
        title = need.title if kind == HELPED or match.status == MatchStatus.ACTIVE else (
            need.category.label(str(get_locale() or "it")))
        yield from _entries_on(day, shared_spans(need, offer), kind, title, match.status, who)


def _load(session: Session, household_id: int) -> tuple[list[Need], list[Offer], list[Match]]:
    needs = session.scalars(
        select(Need).where(Need.household_id == household_id,
                           Need.status.in_(WAITING_NEEDS))
        .options(selectinload(Need.slots)).order_by(Need.id)).all()
    offers = session.scalars(
        select(Offer).where(Offer.household_id == household_id,
                            Offer.status.in_(STANDING_OFFERS))
        .options(selectinload(Offer.slots)).order_by(Offer.id)).all()
    matches = session.scalars(
        select(Match).where(Match.status.in_(MATCH_HOLDING), Match.involving(household_id))
        .options(selectinload(Match.need).selectinload(Need.slots),
                 selectinload(Match.need).selectinload(Need.household),
                 selectinload(Match.need).selectinload(Need.category),
                 selectinload(Match.offer).selectinload(Offer.slots),
                 selectinload(Match.offer).selectinload(Offer.household))
        .order_by(Match.id)).all()
    return list(needs), list(offers), list(matches)


def _group_entries(session: Session, household: Household, monday: date
                   ) -> dict[date, list[Entry]]:
    """The meetings of the groups the family takes part in, by day of the week."""
    by_day: dict[date, list[Entry]] = {}
    sunday = monday + timedelta(days=6)
    notices = week_notices(session, household, monday, sunday)
    for membership in household_memberships(session, household, (MembershipStatus.JOINED,)):
        activity = membership.activity
        if activity.status != ActivityStatus.OPEN:
            continue
        for day, slot in meeting_days(activity, monday, sunday):
            notice = notices.get((activity.id, day, slot.start_minute))
            by_day.setdefault(day, []).append(
                Entry(GROUP, activity.title, slot.start_minute, slot.end_minute,
                      who=activity.place_name,
                      notice_id=notice.public_id if notice is not None else "",
                      answer=(notice.answer or "") if notice is not None else ""))
    return by_day


def member_week(session: Session, user: User, monday: date) -> list[Day]:
    """The seven days from ``monday``, each with the member's entries in time order."""
    days = [Day(monday + timedelta(days=n)) for n in range(7)]
    household = user.household
    if household is None:
        return days
    needs, offers, matches = _load(session, household.id)
    meetings = _group_entries(session, household, monday)
    for day in days:
        entries = [*meetings.get(day.on, []),
                   *_session_entries(day.on, matches, user, household.id),
                   *_need_entries(day.on, needs), *_offer_entries(day.on, offers)]
        entries.sort(key=lambda e: (e.start_minute, _KIND_ORDER[e.kind], e.end_minute, e.title))
        day.entries.extend(entries)
    return days
