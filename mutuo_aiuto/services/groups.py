"""Joining a group activity (issue 12): sign up, ask, accept, leave, the waiting list.

An open activity takes a family at once while it has places, else puts it on
the waiting list; a by-request one (every self-help group) waits for the
leader or a facilitator to accept, which puts the family in or on the waiting
list. A family may leave at any time; the place it frees goes to the first
family waiting (by when it asked), who is told by notice and mail in its
language.

No place is ever given twice: every change locks the activity's row (on
PostgreSQL) and raises its ``version`` with a compare-and-set, so of two
families taking the last place at once exactly one gets it — also on SQLite,
which ignores row locks (the same guard as ``matches._confirm``).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    ActivityStatus,
    Household,
    MembershipStatus,
    Notification,
    User,
)
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.activities import meeting_days
from mutuo_aiuto.services.database import rowcount
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotAllowed, NotFound
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.hubtime import clock as hub_clock
from mutuo_aiuto.services.notifications import facilitators, notify

NOTE_MAX = 1000
ACTIVE = (MembershipStatus.JOINED, MembershipStatus.WAITING, MembershipStatus.REQUESTED)
CHANGED_MEANWHILE = _l("Someone else changed this activity at the same moment: please try "
                       "again.")
NOT_FOUND = _l("This activity was not found.")


def _lock(session: Session, activity_id: int) -> Activity:
    """The activity, read afresh and locked until the transaction ends (PostgreSQL)."""
    query = (select(Activity).where(Activity.id == activity_id).with_for_update()
             .execution_options(populate_existing=True))
    return session.execute(query).scalar_one()


def _claim(session: Session, activity: Activity) -> None:
    """Compare-and-set on the activity's version: fails if another transaction changed it
    since it was read (what protects SQLite, where the lock does nothing)."""
    claimed = session.execute(
        update(Activity).where(Activity.id == activity.id, Activity.version == activity.version)
        .values(version=Activity.version + 1).execution_options(synchronize_session=False))
    if rowcount(claimed) != 1:
        raise DomainError(CHANGED_MEANWHILE)
    session.expire(activity, ["version"])


def joined_count(session: Session, activity: Activity) -> int:
    return session.execute(select(func.count(ActivityMembership.id)).where(
        ActivityMembership.activity_id == activity.id,
        ActivityMembership.status == MembershipStatus.JOINED)).scalar_one()


def membership_of(session: Session, activity: Activity,
                  household: Household | None) -> ActivityMembership | None:
    if household is None:
        return None
    return session.scalars(select(ActivityMembership).where(
        ActivityMembership.activity_id == activity.id,
        ActivityMembership.household_id == household.id)).first()


def _params(activity: Activity) -> dict[str, Any]:
    return {"activity": activity.title, "activity_id": activity.public_id}


def _free_status(session: Session, activity: Activity) -> MembershipStatus:
    """In while the activity has a place, else on the waiting list."""
    if joined_count(session, activity) < activity.capacity:
        return MembershipStatus.JOINED
    return MembershipStatus.WAITING


def _place_or_wait(session: Session, activity: Activity, membership: ActivityMembership,
                   now: datetime) -> None:
    membership.status = _free_status(session, activity)
    if membership.status == MembershipStatus.JOINED:
        membership.joined_at = now


def join(session: Session, user: User, household: Household, activity: Activity, *,
         now: datetime, note: str | None = None) -> ActivityMembership:
    """Sign up to an open activity (in, or on the waiting list when it is full), or ask to
    join a by-request one (with an optional note, kept encrypted)."""
    if not policy.can_join(user, activity) or household.user_id != user.id:
        raise NotAllowed(_l("This activity is not taking families now."))
    activity = _lock(session, activity.id)
    if activity.status != ActivityStatus.OPEN:
        raise InvalidTransition(_l("This activity is not taking families now."))
    membership = membership_of(session, activity, household)
    if membership is not None and membership.status in ACTIVE:
        raise InvalidTransition(_l("Your family has already signed up or asked."))
    if membership is not None and membership.status == MembershipStatus.DECLINED:
        raise InvalidTransition(_l("The leader could not take your family in this group: "
                                   "ask the Family Hub."))
    text = (note or "").strip() or None
    if text is not None and len(text) > NOTE_MAX:
        raise DomainError(_l("Please write at most %(count)d characters.", count=NOTE_MAX),
                          field="note")
    by_request = policy.joins_by_request(activity)
    status = (MembershipStatus.REQUESTED if by_request
              else _free_status(session, activity))
    if membership is None:
        membership = ActivityMembership(activity=activity, household=household)
        session.add(membership)
    membership.status = status
    membership.requested_at, membership.left_at = now, None
    membership.joined_at = now if status == MembershipStatus.JOINED else None
    membership.note = text if by_request else None
    if by_request:
        _tell_managers(session, activity, "activity_request", now)
    _claim(session, activity)
    session.flush()
    return membership


def _tell_managers(session: Session, activity: Activity, kind: str, now: datetime) -> None:
    """The leader (or, with no leader, the facilitators) hears of a family asking."""
    people = [activity.leader] if activity.leader is not None else facilitators(session)
    for person in people:
        if person is not None and person.active:
            notify(session, person, kind, now=now, **_params(activity))


def leave(session: Session, user: User, household: Household, activity: Activity, *,
          now: datetime) -> ActivityMembership:
    """The family leaves (or stops asking, or leaves the waiting list) at any time; a
    place it frees goes to the first family waiting."""
    if household.user_id != user.id:
        raise NotFound(NOT_FOUND)
    activity = _lock(session, activity.id)
    membership = membership_of(session, activity, household)
    if membership is None or membership.status not in ACTIVE:
        raise InvalidTransition(_l("Your family is not in this activity."))
    freed = membership.status == MembershipStatus.JOINED
    membership.status, membership.left_at, membership.note = MembershipStatus.LEFT, now, None
    session.flush()
    if freed:
        move_up(session, activity, now)
    _claim(session, activity)
    session.flush()
    return membership


def move_up(session: Session, activity: Activity, now: datetime) -> list[ActivityMembership]:
    """Fill free places from the waiting list, first asked first; each family is told.
    The caller holds the activity's lock."""
    if activity.status != ActivityStatus.OPEN:
        return []
    free = activity.capacity - joined_count(session, activity)
    if free <= 0:
        return []
    waiting = list(session.scalars(
        select(ActivityMembership).where(ActivityMembership.activity_id == activity.id,
                                         ActivityMembership.status == MembershipStatus.WAITING)
        .order_by(ActivityMembership.requested_at, ActivityMembership.id).limit(free)))
    for membership in waiting:
        membership.status, membership.joined_at = MembershipStatus.JOINED, now
        notify(session, membership.household.user, "activity_moved_up", now=now,
               **_params(activity))
    session.flush()
    return waiting


def get_membership(session: Session, user: User, public_id: str) -> ActivityMembership:
    """A membership the user may decide on (leader, facilitators, own coordinators)."""
    membership = session.scalars(select(ActivityMembership).where(
        ActivityMembership.public_id == public_id)).first()
    if membership is None or not policy.can_see_members(user, membership.activity):
        raise NotFound(_l("This request was not found."))
    return membership


def accept(session: Session, user: User, membership: ActivityMembership, *,
           now: datetime) -> ActivityMembership:
    """The leader (or a facilitator) takes a family in: in, or on the waiting list."""
    if not policy.can_manage_activity(user, membership.activity):
        raise NotFound(_l("This request was not found."))
    activity = _lock(session, membership.activity_id)
    session.refresh(membership)
    if membership.status != MembershipStatus.REQUESTED:
        raise InvalidTransition(_l("This request was already answered."))
    _place_or_wait(session, activity, membership, now)
    kind = ("activity_accepted" if membership.status == MembershipStatus.JOINED
            else "activity_accepted_waiting")
    notify(session, membership.household.user, kind, now=now, **_params(activity))
    _claim(session, activity)
    session.flush()
    audit.record(session, user, audit.GROUP_REQUEST_ACCEPTED, target=membership, at=now)
    return membership


def decline(session: Session, user: User, membership: ActivityMembership, *,
            now: datetime) -> ActivityMembership:
    """The leader (or a facilitator) cannot take the family; its note is erased."""
    if not policy.can_manage_activity(user, membership.activity):
        raise NotFound(_l("This request was not found."))
    if membership.status != MembershipStatus.REQUESTED:
        raise InvalidTransition(_l("This request was already answered."))
    membership.status, membership.note, membership.left_at = MembershipStatus.DECLINED, None, now
    notify(session, membership.household.user, "activity_declined", now=now,
           **_params(membership.activity))
    session.flush()
    audit.record(session, user, audit.GROUP_REQUEST_DECLINED, target=membership, at=now)
    return membership


def cancel_activity(session: Session, user: User, activity: Activity, *,
                    now: datetime) -> Activity:
    """Cancel the activity: every family in it, waiting or asking is told."""
    if not policy.can_manage_activity(user, activity):
        raise NotFound(NOT_FOUND)
    activity = _lock(session, activity.id)
    if activity.status != ActivityStatus.OPEN:
        raise InvalidTransition(_l("This activity can no longer be changed."))
    activity.status = ActivityStatus.CANCELLED.value
    for membership in members(session, activity, ACTIVE):
        notify(session, membership.household.user, "activity_cancelled", now=now,
               **_params(activity))
    _claim(session, activity)
    session.flush()
    audit.record(session, user, audit.ACTIVITY_CANCELLED, target=activity, at=now)
    return activity


def members(session: Session, activity: Activity,
            statuses: tuple[str, ...] = ACTIVE) -> list[ActivityMembership]:
    """The activity's memberships with these statuses, in the order they asked. Callers
    check ``policy.can_see_members`` first."""
    return list(session.scalars(
        select(ActivityMembership).where(ActivityMembership.activity_id == activity.id,
                                         ActivityMembership.status.in_(list(statuses)))
        .options(selectinload(ActivityMembership.household).selectinload(Household.user))
        .order_by(ActivityMembership.requested_at, ActivityMembership.id)))


# ---- reminders ------------------------------------------------------------------


def _joined_activities(session: Session, today: date) -> list[Activity]:
    return list(session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN,
                               (Activity.ends_on.is_(None)) | (Activity.ends_on >= today),
                               Activity.memberships.any(
                                   ActivityMembership.status == MembershipStatus.JOINED))
        .order_by(Activity.id)))


def _already_reminded(session: Session, user_id: int, since: datetime) -> set[tuple[str, str]]:
    rows = session.scalars(select(Notification).where(
        Notification.user_id == user_id, Notification.kind == "activity_reminder",
        Notification.created_at >= since))
    return {(str(n.params.get("activity_id")), str(n.params.get("day"))) for n in rows}


def send_meeting_reminders(session: Session, now: datetime,
                           clock: HubClock | None = None) -> int:
    """The day before each meeting, each family in the group is reminded (a notice, and
    mail and/or SMS as it chose: ``notify``), in its language, once; return how many."""
    hub = clock or hub_clock()
    tomorrow = hub.local(now).date() + timedelta(days=1)
    sent = 0
    for activity in _joined_activities(session, tomorrow):
        days = meeting_days(activity, tomorrow, tomorrow)
        if not days:
            continue
        day, slot = days[0]
        for membership in members(session, activity, (MembershipStatus.JOINED,)):
            user = membership.household.user
            done = _already_reminded(session, user.id, now - timedelta(days=2))
            if not user.active or (activity.public_id, day.isoformat()) in done:
                continue
            notify(session, user, "activity_reminder", now=now, day=day.isoformat(),
                   time=f"{slot.start_minute // 60:02d}:{slot.start_minute % 60:02d}",
                   place=activity.place_name, **_params(activity))
            sent += 1
    session.flush()
    return sent
