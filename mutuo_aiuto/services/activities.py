"""Group activities (issue 12): posting one, finding one, and when it meets.

An association's coordinator (or a facilitator, for the Hub's own) posts an
activity: a kind, a public place (a room of the Hub or a public place, never a
private home: there is no such choice), weekly times or dates, a capacity,
languages, the children's ages welcome and whether the leader must be vetted.
A self-help group is always by request and confidential. Joining, the waiting
list and the reminders are ``services/groups.py``'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    Activity,
    ActivityKind,
    ActivityMembership,
    ActivitySlot,
    ActivityStatus,
    Admission,
    Association,
    AssociationCoordinator,
    AssociationStatus,
    Household,
    MembershipStatus,
    Neighbourhood,
    Notification,
    PlaceKind,
    User,
)
from mutuo_aiuto.services import audit, places, policy, vetting
from mutuo_aiuto.services import slots as slot_input
from mutuo_aiuto.services.errors import (
    DomainError,
    InvalidTransition,
    NotAllowed,
    NotFound,
    Problems,
)
from mutuo_aiuto.services.households import active_neighbourhood, clean_languages, clean_text
from mutuo_aiuto.services.notifications import facilitators, notify
from mutuo_aiuto.services.slots import DatedRow, SlotValue, WeeklyRow

TITLE_MAX = 120
PLACE_MAX = 160
DESCRIPTION_MAX = 2000
CAPACITY_MAX = 200
AGE_MAX = 17
KINDS = tuple(kind.value for kind in ActivityKind)
PLACE_KINDS = tuple(kind.value for kind in PlaceKind)
ADMISSIONS = tuple(a.value for a in Admission)
# A weekly activity with no end date is shown (and put in calendars) for a year.
OPEN_ENDED_DAYS = 365


@dataclass(frozen=True)
class ActivityInput:
    """An activity as the form gives it; references are slugs and public ids."""

    kind: str | None
    title: str | None
    neighbourhood: str | None
    place_kind: str | None
    place_name: str | None
    capacity: int | None
    starts_on: date | None = None
    ends_on: date | None = None
    weekly: Sequence[WeeklyRow] = ()
    dated: Sequence[DatedRow] = ()
    languages: Sequence[str] = ()
    min_child_age: int | None = None
    max_child_age: int | None = None
    requires_vetted_leader: bool = False
    admission: str | None = Admission.OPEN.value
    leader: str | None = None
    description: str | None = None


# ---- reading --------------------------------------------------------------------


def get_activity(session: Session, public_id: str) -> Activity:
    """An activity by its public id (any status); a missing one is NotFound."""
    activity = session.scalars(select(Activity).where(Activity.public_id == public_id)).first()
    if activity is None:
        raise NotFound(_l("This activity was not found."))
    return activity


def joined_counts(session: Session, activity_ids: Iterable[int]) -> dict[int, int]:
    """How many families hold a place in each activity, in one query."""
    ids = list(activity_ids)
    if not ids:
        return {}
    rows = session.execute(
        select(ActivityMembership.activity_id, func.count(ActivityMembership.id))
        .where(ActivityMembership.activity_id.in_(ids),
               ActivityMembership.status == MembershipStatus.JOINED)
        .group_by(ActivityMembership.activity_id))
    return {row[0]: row[1] for row in rows}


def places_left(session: Session, activity: Activity) -> int:
    return max(0, activity.capacity - joined_counts(session, [activity.id]).get(activity.id, 0))


def _open(today: date) -> Any:
    """Taking families, not past its last day, and posted by the Hub or by an association
    an administrator approved (a suspended association's activities are not listed)."""
    approved = select(Association.id).where(Association.status == AssociationStatus.APPROVED)
    return ((Activity.status == ActivityStatus.OPEN)
            & ((Activity.ends_on.is_(None)) | (Activity.ends_on >= today))
            & (Activity.association_id.is_(None) | Activity.association_id.in_(approved)))


def list_open(session: Session, today: date, *, neighbourhood_ids: Sequence[int] | None = None,
              kind: str | None = None, limit: int = 100) -> list[Activity]:
    """Open activities (not past their last day), by neighbourhood and kind, soonest first."""
    query = (select(Activity).where(_open(today))
             .options(selectinload(Activity.slots), selectinload(Activity.neighbourhood),
                      selectinload(Activity.association))
             .order_by(Activity.starts_on, Activity.title, Activity.id).limit(limit))
    if neighbourhood_ids is not None:
        query = query.where(Activity.neighbourhood_id.in_(list(neighbourhood_ids)))
    if kind in KINDS:
        query = query.where(Activity.kind == kind)
    return list(session.scalars(query))


def near(session: Session, household: Household, today: date, limit: int = 5
         ) -> list[tuple[Activity, int]]:
    """Open activities in the household's neighbourhood or the next ones that still have
    places, the family's own first neighbourhood first: (activity, places left)."""
    place = household.neighbourhood
    if place is None:
        return []
    ids = [place.id, *(n.id for n in places.neighbours(session, place))]
    mine = select(ActivityMembership.activity_id).where(
        ActivityMembership.household_id == household.id,
        ActivityMembership.status.in_((MembershipStatus.JOINED, MembershipStatus.WAITING,
                                       MembershipStatus.REQUESTED)))
    taken = set(session.scalars(mine))
    rows = [a for a in list_open(session, today, neighbourhood_ids=ids, limit=50)
            if a.id not in taken]
    counts = joined_counts(session, [a.id for a in rows])
    found = [(a, a.capacity - counts.get(a.id, 0)) for a in rows]
    found = [(a, left) for a, left in found if left > 0]
    found.sort(key=lambda pair: (pair[0].neighbourhood_id != place.id, pair[0].starts_on))
    return found[:limit]


def household_memberships(session: Session, household: Household,
                          statuses: Sequence[str] = (MembershipStatus.JOINED,
                                                     MembershipStatus.WAITING,
                                                     MembershipStatus.REQUESTED)
                          ) -> list[ActivityMembership]:
    """The family's own groups (joined, waiting or asked) still meeting, with their
    activities."""
    query = (select(ActivityMembership)
             .where(ActivityMembership.household_id == household.id,
                    ActivityMembership.status.in_(list(statuses)),
                    # An ended or cancelled group leaves the family's page and week.
                    ActivityMembership.activity.has(Activity.status == ActivityStatus.OPEN))
             .options(selectinload(ActivityMembership.activity).selectinload(Activity.slots))
             .order_by(ActivityMembership.requested_at, ActivityMembership.id))
    return list(session.scalars(query))


def leader_choices(session: Session, actor: User, association: Association | None) -> list[User]:
    """Who may lead: the poster, the association's coordinators (the Hub's: facilitators)."""
    if association is None:
        people = list(session.scalars(select(User).where(
            User.role.in_(("facilitator", "admin")), User.active.is_(True)).order_by(User.id)))
    else:
        people = [c.user for c in association.coordinators if c.user.active]
    chosen = [actor, *[p for p in people if p.id != actor.id]]
    return chosen


# ---- when it meets --------------------------------------------------------------


def last_day(activity: Activity) -> date:
    if activity.ends_on is not None:
        return activity.ends_on
    dated = [slot.on_date for slot in activity.slots if slot.on_date is not None]
    return max(dated) if dated else activity.starts_on + timedelta(days=OPEN_ENDED_DAYS)


def end_finished(session: Session, today: date, now: datetime) -> list[Activity]:
    """The daily job: mark ended every open activity whose last day is before ``today``.

    It leaves the finder, the families' pages, weeks and calendars; its memberships,
    meetings and attendance stay, for the leader's history and the impact figures.
    """
    ended = [activity for activity in session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN)
        .options(selectinload(Activity.slots)).order_by(Activity.id))
        if last_day(activity) < today]
    for activity in ended:
        activity.status = ActivityStatus.ENDED.value
        audit.record(session, None, audit.ACTIVITY_ENDED, target=activity, at=now,
                     details={"last_day": last_day(activity).isoformat()})
    session.flush()
    return ended


def meeting_days(activity: Activity, start: date, end: date) -> list[tuple[date, ActivitySlot]]:
    """The activity's meetings from ``start`` to ``end`` (both included), in date order."""
    first, last = max(start, activity.starts_on), min(end, last_day(activity))
    days: list[tuple[date, ActivitySlot]] = []
    for slot in activity.slots:
        if slot.on_date is not None:
            days += [(slot.on_date, slot)] if first <= slot.on_date <= last else []
            continue
        day = first + timedelta(days=(int(slot.weekday or 0) - first.weekday()) % 7)
        while day <= last:
            days.append((day, slot))
            day += timedelta(days=7)
    return sorted(days, key=lambda pair: (pair[0], pair[1].start_minute))


# ---- posting --------------------------------------------------------------------


def _choose(value: Any, allowed: Sequence[Any], field: str, message: Any) -> Any:
    if value not in allowed:
        raise DomainError(message, field=field)
    return value


def _capacity(value: int | None) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= CAPACITY_MAX:
        raise DomainError(_l("Give how many families can take part, from 1 to %(max)d.",
                             max=CAPACITY_MAX), field="capacity")
    return value


def _age(value: int | None, field: str) -> int | None:
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= AGE_MAX:
        raise DomainError(_l("Give an age from 0 to %(max)d.", max=AGE_MAX), field=field)
    return value


def _ages(data: ActivityInput) -> tuple[int | None, int | None]:
    low, high = _age(data.min_child_age, "min_child_age"), _age(data.max_child_age,
                                                                "max_child_age")
    if low is not None and high is not None and high < low:
        raise DomainError(_l("The oldest age must not be below the youngest."),
                          field="max_child_age")
    return low, high


def _dates(data: ActivityInput, today: date, current: Activity | None) -> tuple[date, date | None]:
    starts_on = data.starts_on or (current.starts_on if current else today)
    if current is None and starts_on < today:
        raise DomainError(_l("The first day cannot be in the past."), field="starts_on")
    if data.ends_on is not None:
        if data.ends_on < max(starts_on, today):
            raise DomainError(_l("The last day must be after the first day and not in the "
                                 "past."), field="ends_on")
        if data.ends_on > slot_input.one_year_after(today):
            raise DomainError(_l("The last day must be within one year from today."),
                              field="ends_on")
    return starts_on, data.ends_on


def _slots(data: ActivityInput, today: date, starts_on: date,
           ends_on: date | None) -> list[SlotValue]:
    return slot_input.parse_slots(data.weekly, data.dated, today=today, ends_on=ends_on,
                                  starts_on=starts_on)


def _leader(session: Session, actor: User, association: Association | None,
            public_id: str | None) -> User:
    people = leader_choices(session, actor, association)
    if not public_id:
        return actor
    for person in people:
        if person.public_id == public_id:
            return person
    raise DomainError(_l("Choose the leader from the list."), field="leader")


def _check_vetted(session: Session, leader: User | None, required: bool, today: date) -> None:
    if not required or leader is None:
        return
    household = leader.household
    if household is None or not vetting.is_vetted(session, household, today):
        raise DomainError(_l("Children are welcome, so the leader must have a valid check by "
                             "the Family Hub: choose a checked leader, or ask the Hub for the "
                             "check first."), field="leader")


# ---- the leader's check (children welcome) -----------------------------------------------


def leader_check_lapsed(session: Session, activity: Activity, today: date) -> bool:
    """A group that welcomes children whose leader has no valid check by the Hub today
    (it expired or was revoked since the activity was posted, or the leader is gone):
    it waits for the leader's check, and its families are not reminded meanwhile."""
    return activity.id in leaders_waiting(session, [activity], today)


def leaders_waiting(session: Session, activities: Iterable[Activity], today: date) -> set[int]:
    """``leader_check_lapsed`` of many activities in one query: their ids."""
    needing = [a for a in activities if a.requires_vetted_leader]
    households = {a.id: a.leader.household.id for a in needing
                  if a.leader is not None and a.leader.household is not None}
    vetted = vetting.current_vettings(session, sorted(set(households.values())), today)
    return {a.id for a in needing if households.get(a.id) not in vetted}


# Told again every so often while a group waits, not every morning.
LEADER_CHECK_RETELL_DAYS = 14


def tell_leaders_waiting(session: Session, today: date, now: datetime) -> int:
    """The daily check: each open group waiting for its leader's check tells its leader
    and the facilitators (again every ``LEADER_CHECK_RETELL_DAYS`` while it lasts);
    returns how many groups were told about."""
    groups = list(session.scalars(select(Activity).where(
        Activity.status == ActivityStatus.OPEN, Activity.requires_vetted_leader.is_(True))
        .order_by(Activity.id)))
    waiting = leaders_waiting(session, groups, today)
    told = 0
    since = now - timedelta(days=LEADER_CHECK_RETELL_DAYS)
    for activity in (a for a in groups if a.id in waiting):
        if _told_since(session, activity, since):
            continue
        leader = activity.leader
        if leader is not None and leader.active:
            notify(session, leader, "activity_leader_check", now=now,
                   activity=activity.title, activity_id=activity.public_id)
        for person in facilitators(session):
            notify(session, person, "activity_leader_check_staff", now=now,
                   activity=activity.title, activity_id=activity.public_id,
                   leader=leader.name if leader is not None else "…")
        told += 1
    session.flush()
    return told


def _told_since(session: Session, activity: Activity, since: datetime) -> bool:
    rows = session.scalars(select(Notification.params).where(
        Notification.kind == "activity_leader_check_staff", Notification.created_at >= since))
    return any((params or {}).get("activity_id") == activity.public_id for params in rows)


def _values(session: Session, actor: User, association: Association | None,
            data: ActivityInput, today: date, current: Activity | None) -> dict[str, Any]:
    """Every field checked; all refusals raised together (``DomainErrors``)."""
    problems = Problems()
    kind = problems.check(_choose, data.kind, KINDS, "kind",
                          _l("Choose a kind of activity from the list."))
    title = problems.check(clean_text, data.title, limit=TITLE_MAX, field="title",
                           required_message=_l("Give the activity a short title."))
    dates = problems.check(_dates, data, today, current)
    slots = (problems.check(_slots, data, today, *dates) if dates else None)
    place = problems.check(active_neighbourhood, session, data.neighbourhood)
    place_kind = problems.check(_choose, data.place_kind, PLACE_KINDS, "place_kind",
                                _l("Choose a room of the Hub or a public place."))
    place_name = problems.check(clean_text, data.place_name, limit=PLACE_MAX,
                                field="place_name",
                                required_message=_l("Say where it meets, for example “Sala 2 of "
                                            "the Family Hub”."))
    capacity = problems.check(_capacity, data.capacity)
    languages = problems.check(clean_languages, data.languages)
    ages = problems.check(_ages, data)
    leader = problems.check(_leader, session, actor, association, data.leader)
    children = ages is not None and any(age is not None for age in ages)
    self_help = kind == ActivityKind.SELF_HELP
    vetted = bool(data.requires_vetted_leader) or children
    problems.check(_check_vetted, session, leader, vetted, today)
    admission = (Admission.BY_REQUEST.value if self_help else problems.check(
        _choose, data.admission or Admission.OPEN.value, ADMISSIONS, "admission",
        _l("Choose open to all or by request.")))
    description = problems.check(clean_text, data.description, limit=DESCRIPTION_MAX,
                                 field="description")
    problems.raise_any()
    assert dates is not None and slots is not None and ages is not None
    return {
        "kind": kind, "title": title, "starts_on": dates[0], "ends_on": dates[1],
        "slots": [ActivitySlot(weekday=s.weekday, on_date=s.on_date,
                               start_minute=s.start_minute, end_minute=s.end_minute)
                  for s in slots],
        "neighbourhood": place, "place_kind": place_kind, "place_name": place_name,
        "capacity": capacity, "languages": languages, "min_child_age": ages[0],
        "max_child_age": ages[1], "requires_vetted_leader": vetted, "admission": admission,
        "confidential": self_help, "leader": leader, "description": description or "",
    }


def check_activity(session: Session, actor: User, association: Association | None,
                   data: ActivityInput, today: date,
                   current: Activity | None = None) -> list[DomainError]:
    """The service's refusals without saving (for a form its own fields already refused)."""
    try:
        _values(session, actor, association, data, today, current)
    except DomainError as error:
        return list(getattr(error, "errors", [error]))
    return []


def post_activity(session: Session, actor: User, association: Association | None,
                  data: ActivityInput, today: date) -> Activity:
    """Create an open activity of the association (None: the Hub's own)."""
    if not policy.can_post_activity(actor, association):
        raise NotAllowed(_l("Only a coordinator of the association or a facilitator of the "
                            "Hub can post an activity."))
    values = _values(session, actor, association, data, today, None)
    activity = Activity(association=association, created_by_id=actor.id,
                        status=ActivityStatus.OPEN.value)
    _apply(activity, values)
    session.add(activity)
    session.flush()
    audit.record(session, actor, audit.ACTIVITY_POSTED, target=activity)
    return activity


def update_activity(session: Session, actor: User, activity: Activity, data: ActivityInput,
                    today: date) -> Activity:
    """Change an open activity; it cannot take fewer families than it holds."""
    if not policy.can_manage_activity(actor, activity):
        raise NotFound(_l("This activity was not found."))
    if activity.status != ActivityStatus.OPEN:
        raise InvalidTransition(_l("This activity can no longer be changed."))
    values = _values(session, actor, activity.association, data, today, activity)
    held = joined_counts(session, [activity.id]).get(activity.id, 0)
    if values["capacity"] < held:
        raise DomainError(_l("%(num)d families already take part: the activity cannot take "
                             "fewer.", num=held), field="capacity")
    _apply(activity, values)
    activity.version += 1
    session.flush()
    audit.record(session, actor, audit.ACTIVITY_EDITED, target=activity)
    return activity


def _apply(activity: Activity, values: dict[str, Any]) -> None:
    neighbourhood: Neighbourhood = values.pop("neighbourhood")
    leader: User = values.pop("leader")
    slots = values.pop("slots")
    for key, value in values.items():
        setattr(activity, key, value)
    activity.neighbourhood = neighbourhood
    activity.leader = leader
    activity.slots = slots


def managed_associations(session: Session, user: User) -> list[Association]:
    """The approved associations ``user`` may post activities for (an administrator: all)."""
    query = (select(Association).where(Association.status == AssociationStatus.APPROVED)
             .order_by(Association.name))
    if not policy.is_admin(user):
        query = query.where(Association.id.in_(
            select(AssociationCoordinator.association_id).where(
                AssociationCoordinator.user_id == user.id)))
    return [a for a in session.scalars(query) if policy.can_manage_association(user, a)]
