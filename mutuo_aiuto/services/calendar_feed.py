"""The private calendar feed (iCalendar) of each family and helper.

One event per session of a confirmed pairing (awaiting the helper's answer:
tentative; active: confirmed). Weekly slots become recurring events in
the Hub's time zone until the need or the offer ends, so a calendar app keeps the
wall-clock time across daylight saving; one-off dates become single events.

The feed is reached by a secret address, without logging in, so it says
only what the person could tell anyone: the kind of help and the other
family's name. No contacts, no addresses, no free text from the request.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta

from flask_babel import force_locale, get_locale, gettext
from icalendar import Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    ActivityMembership,
    ActivityStatus,
    Household,
    Match,
    MatchStatus,
    MembershipStatus,
    NeedSlot,
    User,
)
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.activities import household_memberships, last_day

ICAL_DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TOKEN_BYTES = 32
UID_DOMAIN = "mutuo-aiuto"


# ---- tokens ---------------------------------------------------------------------


def ensure_calendar_token(session: Session, user: User) -> str:
    """The user's feed token, created on first use."""
    if not user.calendar_token:
        user.calendar_token = secrets.token_urlsafe(TOKEN_BYTES)
        session.flush()
    return user.calendar_token


def regenerate_calendar_token(session: Session, user: User) -> str:
    """A new secret address; the old one stops working at once (revocation)."""
    user.calendar_token = secrets.token_urlsafe(TOKEN_BYTES)
    session.flush()
    return user.calendar_token


def make_calendar_address(session: Session, user: User) -> bool:
    """The person asked for a (new) address: True when it replaced an older one, which
    then stops working at once; False for the first address, when nothing was revoked."""
    replaced = bool(user.calendar_token)
    regenerate_calendar_token(session, user)
    return replaced


def replace_after_sign_out(session: Session, user: User) -> bool:
    """Sessions were ended everywhere: the feed's address changes too, and the person
    finds a notice in their inbox. A phone kept by someone else (the threat model's
    ex-partner) loses the calendar with the session. False when there was no address."""
    if not user.calendar_token:
        return False
    from mutuo_aiuto.services.notifications import notify

    regenerate_calendar_token(session, user)
    notify(session, user, "calendar_link_changed", mail=False)
    return True


def user_for_calendar_token(session: Session, token: str) -> User | None:
    """The active account whose feed this token opens, or None."""
    if not token or len(token) > 64:
        return None
    user = session.scalars(select(User).where(User.calendar_token == token)).first()
    return user if user is not None and user.active else None


# ---- the feed -------------------------------------------------------------------


def feed_matches(session: Session, household: Household) -> list[Match]:
    """The household's pairings that hold time: as family or as helper."""
    return list(session.scalars(
        select(Match).where(Match.status.in_(MATCH_HOLDING), Match.involving(household.id))
        .order_by(Match.id)))


def feed_memberships(session: Session, household: Household) -> list[ActivityMembership]:
    """The groups the household takes part in, while they meet (issue 12)."""
    return [m for m in household_memberships(session, household, (MembershipStatus.JOINED,))
            if m.activity.status == ActivityStatus.OPEN]


def group_events(membership: ActivityMembership) -> list[Event]:
    """One event per slot of a group the family joined: weekly ones recur until its last
    day. The summary is the activity's title and its public place, nothing about who."""
    activity = membership.activity
    stamp = membership.joined_at or membership.requested_at
    start = max(activity.starts_on, hubtime.clock().date_of(stamp))
    last = last_day(activity)
    until = (hubtime.clock().start_of(last + timedelta(days=1))
             - timedelta(seconds=1)).astimezone(UTC)
    events = []
    for slot in activity.slots:
        if slot.on_date is not None:
            first: date | None = slot.on_date if start <= slot.on_date <= last else None
        else:
            first = start + timedelta(days=(int(slot.weekday or 0) - start.weekday()) % 7)
            first = first if first <= last else None
        if first is None:
            continue
        event = Event()
        event.add("uid", f"{activity.public_id}-{slot.id}@{UID_DOMAIN}")
        event.add("dtstamp", stamp)
        event.add("summary", activity.title)
        event.add("location", activity.place_name)
        event.add("description", gettext("A group activity of the Family Hub of Perugia."))
        event.add("status", "CONFIRMED")
        event.add("dtstart", _at(first, slot.start_minute))
        event.add("dtend", _at(first, slot.end_minute))
        if slot.weekday is not None:
            event.add("rrule", {"freq": "weekly", "byday": ICAL_DAYS[slot.weekday],
                                "until": until})
        events.append(event)
    return events


def build_feed(session: Session, user: User,
               link: Callable[[Match], str] | None = None) -> bytes:
    """The iCalendar document of ``user``'s sessions, in the user's language."""
    calendar = Calendar()
    calendar.add("prodid", "-//Mutuo Aiuto//Family Hub//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-timezone", str(hubtime.clock().tz))
    with force_locale(user.locale or "it"):
        calendar.add("x-wr-calname", gettext("Mutuo Aiuto"))
        household = user.household
        if household is not None:
            for match in feed_matches(session, household):
                for event in match_events(match, household, link):
                    calendar.add_component(event)
            for membership in feed_memberships(session, household):
                for event in group_events(membership):
                    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical


def match_events(match: Match, household: Household,
                 link: Callable[[Match], str] | None = None) -> list[Event]:
    """One event per slot of the need: weekly ones recur until the pairing ends."""
    other = match.offer.household if match.need.household_id == household.id else (
        match.need.household)
    category = match.need.category.label(_locale())
    if match.status == MatchStatus.ACTIVE:
        summary = gettext("%(category)s with %(name)s", category=category, name=other.name)
    else:  # the helper has not accepted yet: nobody is named to the other side
        summary = gettext("%(category)s (waiting for the helper's answer)", category=category)
    description = gettext("Arranged by the Family Hub of Perugia.")
    if link is not None:
        description = f"{description}\n{link(match)}"
    events = []
    for slot in match.need.slots:
        first = _first_day(match, slot)
        if first is None:
            continue
        event = _event(match, slot, first, summary, description)
        if slot.weekday is not None:
            event.add("rrule", {"freq": "weekly", "byday": ICAL_DAYS[slot.weekday],
                                "until": _until(match)})
        events.append(event)
    return events


def _locale() -> str:
    return str(get_locale() or "it")


def _event(match: Match, slot: NeedSlot, day: date, summary: str, description: str) -> Event:
    event = Event()
    event.add("uid", f"{match.public_id}-{slot.id}@{UID_DOMAIN}")
    event.add("dtstamp", match.accepted_at or match.confirmed_at)
    event.add("summary", summary)
    event.add("description", description)
    event.add("status", "CONFIRMED" if match.status == MatchStatus.ACTIVE else "TENTATIVE")
    event.add("dtstart", _at(day, slot.start_minute))
    event.add("dtend", _at(day, slot.end_minute))
    return event


def _at(day: date, minute: int) -> datetime:
    # 24:00 is the next day's midnight; times are wall-clock times in the Hub.
    return datetime.combine(day, time(), hubtime.clock().tz) + timedelta(minutes=minute)


def _start_day(match: Match) -> date:
    confirmed = hubtime.clock().date_of(match.confirmed_at)
    return max(d for d in (match.need.starts_on, match.started_on, confirmed) if d is not None)


def _last_day(match: Match) -> date:
    return min(match.need.ends_on, match.offer.ends_on)


def _until(match: Match) -> datetime:
    # RFC 5545: with a DTSTART in a time zone, UNTIL must be given in UTC.
    end_of_last_day = hubtime.clock().start_of(_last_day(match) + timedelta(days=1))
    return (end_of_last_day - timedelta(seconds=1)).astimezone(UTC)


def _first_day(match: Match, slot: NeedSlot) -> date | None:
    start, last = _start_day(match), _last_day(match)
    if slot.on_date is not None:
        return slot.on_date if start <= slot.on_date <= last else None
    first = start + timedelta(days=(slot.day - start.weekday()) % 7)
    return first if first <= last else None


def session_days(match: Match, start: date, end: date) -> list[tuple[date, NeedSlot]]:
    """The match's sessions from ``start`` to ``end`` (both included), in date order."""
    first, last = max(start, _start_day(match)), min(end, _last_day(match))
    days = []
    for slot in match.need.slots:
        if slot.on_date is not None:
            days += [(slot.on_date, slot)] if first <= slot.on_date <= last else []
            continue
        day = first + timedelta(days=(slot.day - first.weekday()) % 7)
        while day <= last:
            days.append((day, slot))
            day += timedelta(days=7)
    return sorted(days, key=lambda pair: (pair[0], pair[1].start_minute))
