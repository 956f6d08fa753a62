"""The demo's associations and group activities (issue 12), from ``demo_data/groups.json``.

Five approved associations across the seven neighbourhoods, each with a
coordinator account (the first one's is the demo account to try), and a dozen
activities — a confidential self-help group led by the Hub's facilitator, two
homework clubs, play groups, language cafés, parents' circles, a workshop, an
outing — with members, waiting lists and requests to join, and every meeting of
the last fourteen weeks with who came, so the groups' pages and the impact page
have something to show. Idempotent: an association or activity already there
(by name, by title) is left as it is. No Flask.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    Activity,
    ActivityMeeting,
    ActivityMembership,
    ActivitySlot,
    Association,
    AssociationCoordinator,
    Attendance,
    Household,
    MembershipStatus,
    Neighbourhood,
    User,
)
from mutuo_aiuto.services.attendance import scheduled

WEEKS = 14
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
SEED = 2026_12


@dataclass
class GroupsSummary:
    associations: int = 0
    coordinators: int = 0
    activities: int = 0
    memberships: int = 0
    meetings: int = 0
    attendances: int = 0


def _minutes(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def seed_groups(session: Session, data: dict[str, Any], today: date,
                households: dict[str, Household | None], facilitator: User | None,
                make_user: Any) -> GroupsSummary:
    """Add the associations and activities of ``data`` that are missing.

    ``households`` maps a family's key to its household (None: none, it is left
    out); ``make_user(email, name)`` creates a coordinator's account.
    """
    summary = GroupsSummary()
    rng = random.Random(SEED)  # repeatable attendance  # nosec B311
    places = {p.slug: p for p in session.scalars(select(Neighbourhood))}
    now = datetime.combine(today, time(9, 0), tzinfo=UTC)
    found = {key: household for key, household in households.items() if household is not None}
    coordinators: dict[str, User] = {}
    associations: dict[str, Association] = {}
    for seed in data["associations"]:
        association = session.scalars(
            select(Association).where(Association.name == seed["name"])).first()
        person = seed["coordinator"]
        user = session.scalars(select(User).where(User.email == person["email"])).first()
        if user is None:
            user = make_user(person["email"], person["name"])
            session.flush()
        coordinators[seed["key"]] = user
        if association is None:
            association = Association(
                name=seed["name"], legal_form=seed["legal_form"],
                description=seed["description"], languages=seed["languages"],
                public_email=seed["public_email"], public_phone=seed["public_phone"],
                status="approved", approved_at=now, created_by_id=user.id,
                neighbourhoods=[places[slug] for slug in seed["places"]])
            association.coordinators.append(AssociationCoordinator(user=user))
            session.add(association)
            summary.associations += 1
            summary.coordinators += 1
        associations[seed["key"]] = association
    session.flush()
    titles = set(session.scalars(select(Activity.title)))
    for seed in data["activities"]:
        if seed["title"] in titles:
            continue
        leader = seed["leader"]
        leader_user = (facilitator if leader == "facilitator"
                       else coordinators.get(seed["association"] or "")
                       if leader == "coordinator" else _user_of(found.get(leader)))
        activity = _activity(seed, today, places, associations, leader_user, facilitator)
        session.add(activity)
        session.flush()
        summary.activities += 1
        summary.memberships += _members(session, activity, seed, found, now, today)
        meetings, present = _meetings(session, activity, seed, found, today, rng, leader_user)
        summary.meetings += meetings
        summary.attendances += present
    session.flush()
    return summary


def _user_of(household: Household | None) -> User | None:
    return household.user if household is not None else None


def _activity(seed: dict[str, Any], today: date, places: dict[str, Neighbourhood],
              associations: dict[str, Association], leader: User | None,
              facilitator: User | None) -> Activity:
    return Activity(
        association=associations.get(seed["association"] or ""),
        kind=seed["kind"], title=seed["title"], description=seed["description"],
        neighbourhood=places[seed["place"]], place_kind=seed["place_kind"],
        place_name=seed["place_name"], capacity=seed["capacity"],
        languages=seed["languages"], min_child_age=seed.get("min_child_age"),
        max_child_age=seed.get("max_child_age"),
        requires_vetted_leader=seed.get("requires_vetted_leader", False),
        admission=seed.get("admission", "open"), confidential=seed.get("confidential", False),
        leader_id=leader.id if leader is not None else None,
        created_by_id=next((u.id for u in (leader, facilitator) if u is not None), None),
        starts_on=today - timedelta(weeks=WEEKS),
        slots=[ActivitySlot(weekday=DAYS.index(day), start_minute=_minutes(start),
                            end_minute=_minutes(end)) for day, start, end in seed["slots"]])


def _members(session: Session, activity: Activity, seed: dict[str, Any],
             found: dict[str, Household], now: datetime, today: date) -> int:
    added = 0
    since = datetime.combine(activity.starts_on, time(9, 0), tzinfo=UTC)
    lists = ((MembershipStatus.JOINED, seed.get("members", [])),
             (MembershipStatus.WAITING, seed.get("waiting", [])),
             (MembershipStatus.REQUESTED, seed.get("requested", [])))
    for status, keys in lists:
        for n, key in enumerate(keys):
            household = found.get(key)
            if household is None:
                continue
            joined = status == MembershipStatus.JOINED
            asked = since if joined else now - timedelta(days=10 - n)
            session.add(ActivityMembership(
                activity=activity, household=household, status=status.value,
                requested_at=asked, joined_at=since if joined else None))
            added += 1
    return added


def _meetings(session: Session, activity: Activity, seed: dict[str, Any],
              found: dict[str, Household], today: date, rng: random.Random,
              leader: User | None) -> tuple[int, int]:
    """Every meeting up to yesterday, each family in the group there three times in four."""
    members = [found[key] for key in seed.get("members", []) if key in found]
    notes = seed.get("notes", [])
    days = scheduled(activity, activity.starts_on, today - timedelta(days=1))
    present = 0
    for n, day in enumerate(sorted(days)):
        start, end = days[day]
        meeting = ActivityMeeting(activity=activity, on_date=day, start_minute=start,
                                  end_minute=end, notes=notes[n % len(notes)] if notes else None,
                                  recorded_by_id=leader.id if leader is not None else None)
        session.add(meeting)
        for household in members:
            here = rng.random() < 0.75
            present += here
            meeting.attendances.append(Attendance(household=household, present=here))
    return len(days), present
