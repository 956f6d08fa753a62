"""Reminders before each group meeting, as for the pairings' sessions (issue 12, item 3).

Every family in a group (joined, not waiting or asking) is reminded a week before,
the day before and the morning of each meeting, by the same rule as the sessions
(``reminders.due_kind``: nothing before ``MORNING_HOUR`` on the day itself), in its
language, by notice and mail. A ``MeetingNotice`` per family and meeting remembers
which reminders went, so the hourly job never sends one twice, and the family's
answer: "I can't come" tells the leader (or, with no leader, the facilitators) and
shows on the leader's attendance sheet; no more reminders go for that meeting.

A self-help group is confidential: its reminders and the leader's notice neither
name the group nor the family (a mail's subject is read over a shoulder or on a
locked phone); the page they link to, behind the sign-in, shows what the member
already sees on their own page.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    ActivitySlot,
    ActivityStatus,
    Household,
    MeetingNotice,
    MembershipStatus,
    User,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import audit
from mutuo_aiuto.services.activities import leaders_waiting, meeting_days
from mutuo_aiuto.services.errors import InvalidTransition, NotFound
from mutuo_aiuto.services.groups import members, membership_of
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.hubtime import clock as hub_clock
from mutuo_aiuto.services.notifications import facilitators, notify
from mutuo_aiuto.services.reminders import check_answer, due_kind, mark_sent, reminder_due

# How far ahead a meeting gets its first reminder (the week-before one).
AHEAD_DAYS = 7
NOT_FOUND = _l("This meeting does not exist.")


def _reminded_activities(session: Session, today: date) -> list[Activity]:
    """Open activities with at least one family in them, still meeting from ``today``."""
    return list(session.scalars(
        select(Activity).where(Activity.status == ActivityStatus.OPEN,
                               (Activity.ends_on.is_(None)) | (Activity.ends_on >= today),
                               Activity.memberships.any(
                                   ActivityMembership.status == MembershipStatus.JOINED))
        .order_by(Activity.id)))


def send_meeting_reminders(session: Session, now: datetime,
                           clock: HubClock | None = None) -> int:
    """Send every group reminder that is due and not yet sent; return how many."""
    local_now = (clock or hub_clock()).local(now)
    today = local_now.date()
    sent = 0
    reminded = _reminded_activities(session, today)
    # A children's group whose leader's check lapsed does not go on as if nothing
    # happened: no reminders until the check is renewed or another leader is chosen
    # (its leader and the facilitators are told by the daily check).
    waiting = leaders_waiting(session, reminded, today)
    for activity in (a for a in reminded if a.id not in waiting):
        families = members(session, activity, (MembershipStatus.JOINED,))
        for day, slot in meeting_days(activity, today, today + timedelta(days=AHEAD_DAYS)):
            kind = due_kind(day, slot.start_minute, local_now)
            if kind is None:
                continue
            for membership in families:
                sent += _remind(session, activity, membership.household, day, slot, kind, now)
    session.flush()
    return sent


def _remind(session: Session, activity: Activity, household: Household, day: date,
            slot: ActivitySlot, kind: str, now: datetime) -> int:
    user = household.user
    notice = _notice(session, activity, household, day, slot)
    if not reminder_due(notice, kind, user.active):
        return 0
    prefix = "group_reminder" if activity.confidential else "meeting_reminder"
    notify(session, user, f"{prefix}_{kind}", now=now, notice_id=notice.public_id,
           day=day.isoformat(), time=format_minutes(slot.start_minute),
           place=activity.place_name, activity=activity.title)
    mark_sent(notice, kind, now)
    return 1


def _notice(session: Session, activity: Activity, household: Household, day: date,
            slot: ActivitySlot) -> MeetingNotice:
    notice = session.scalars(select(MeetingNotice).where(
        MeetingNotice.activity_id == activity.id, MeetingNotice.household_id == household.id,
        MeetingNotice.on_date == day,
        MeetingNotice.start_minute == slot.start_minute)).first()
    if notice is None:
        notice = MeetingNotice(activity=activity, household=household, on_date=day,
                               start_minute=slot.start_minute, end_minute=slot.end_minute)
        session.add(notice)
        session.flush()
    return notice


def get_notice(session: Session, user: User, public_id: str) -> MeetingNotice:
    """A family's own meeting notice; anyone else's does not exist for them."""
    notice = session.scalars(select(MeetingNotice).where(
        MeetingNotice.public_id == public_id)).first()
    if notice is None or notice.household.user_id != user.id:
        raise NotFound(NOT_FOUND)
    return notice


def answer_meeting(session: Session, user: User, notice: MeetingNotice, answer: str | None,
                   now: datetime, clock: HubClock | None = None) -> bool:
    """Record "coming" or "cannot"; return False when nothing changed.

    "I can't come" is told at once to the group's leader (the facilitators when it
    has none) and shows on the meeting's attendance sheet.
    """
    if notice.household.user_id != user.id:
        raise NotFound(NOT_FOUND)
    answer = check_answer(answer)
    activity = notice.activity
    membership = membership_of(session, activity, notice.household)
    if (notice.on_date < (clock or hub_clock()).date_of(now)
            or activity.status != ActivityStatus.OPEN):
        raise InvalidTransition(_l("This meeting is over."))
    if membership is None or membership.status != MembershipStatus.JOINED:
        raise InvalidTransition(_l("Your family is not in this activity."))
    if notice.answer == answer:
        return False
    notice.answer, notice.answered_at = answer, now
    if answer == "cannot":
        _tell_leader(session, notice, now)
    session.flush()
    audit.record(session, user, audit.MEETING_ANSWERED, target=notice, at=now,
                 details={"answer": answer})
    return True


def _tell_leader(session: Session, notice: MeetingNotice, now: datetime) -> None:
    activity = notice.activity
    people = [activity.leader] if activity.leader is not None else facilitators(session)
    kind = "group_cannot_come" if activity.confidential else "meeting_cannot_come"
    for person in people:
        if person is not None and person.active:
            notify(session, person, kind, now=now, activity=activity.title,
                   activity_id=activity.public_id, family=notice.household.name,
                   day=notice.on_date.isoformat(), time=format_minutes(notice.start_minute))


def cannot_come(session: Session, activity: Activity, day: date) -> set[int]:
    """The households that said they can't come to the meeting on ``day`` (the
    attendance sheet's "said they can't come")."""
    return set(session.scalars(select(MeetingNotice.household_id).where(
        MeetingNotice.activity_id == activity.id, MeetingNotice.on_date == day,
        MeetingNotice.answer == "cannot")))


def week_notices(session: Session, household: Household, first: date,
                 last: date) -> dict[tuple[int, date, int], MeetingNotice]:
    """The family's notices of meetings from ``first`` to ``last``, by (activity id, day,
    start minute): the week page links each meeting to its answer."""
    rows = session.scalars(select(MeetingNotice).where(
        MeetingNotice.household_id == household.id, MeetingNotice.on_date >= first,
        MeetingNotice.on_date <= last))
    return {(n.activity_id, n.on_date, n.start_minute): n for n in rows}
