"""Attendance at a group's meetings (issue 12, item 4): who came, tapped by the leader.

An activity's meetings are computed from its slots (each weekday slot on every
matching date, each dated slot on its date) in the Hub's calendar, from the
activity's first day to today: a meeting's row (``ActivityMeeting``) is created
only when attendance is first recorded. The leader or a facilitator
(``policy.can_record_attendance``) ticks the families present, one submit, and
may write notes (encrypted; in a self-help group, confidential). No Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    Activity,
    ActivityMeeting,
    ActivityMembership,
    ActivityStatus,
    Attendance,
    Household,
    MembershipStatus,
    User,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.activities import last_day
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.meeting_reminders import cannot_come

# How far back the list of meetings goes (recorded meetings older than this still show).
LOOKBACK_DAYS = 91
NOTES_MAX_CHARS = 4000


@dataclass(frozen=True)
class MeetingDay:
    """A meeting of the group: a date and its times, and what was recorded for it."""

    on_date: date
    start_minute: int
    end_minute: int
    recorded: bool = False
    present: int = 0

    @property
    def start(self) -> str:
        return format_minutes(self.start_minute)

    @property
    def end(self) -> str:
        return format_minutes(self.end_minute)


@dataclass(frozen=True)
class SheetRow:
    """One family on the attendance sheet: a tap target."""

    public_id: str
    name: str
    present: bool
    # The family answered the meeting's reminder "I can't come".
    cannot_come: bool = False


@dataclass(frozen=True)
class Sheet:
    meeting: MeetingDay
    rows: list[SheetRow]
    notes: str


def _require(actor: User, activity: Activity) -> None:
    if not policy.can_record_attendance(actor, activity):
        raise NotAllowed("not the leader of this activity")


def activity_by_public_id(session: Session, public_id: str) -> Activity:
    found = session.scalars(select(Activity).where(Activity.public_id == public_id)
                            .options(selectinload(Activity.slots))).first()
    if found is None:
        raise NotFound("no such activity")
    return found


def scheduled(activity: Activity, since: date, until: date) -> dict[date, tuple[int, int]]:
    """The activity's meetings from ``since`` to ``until`` by its slots: date -> times
    (two slots on one day: the earlier one is the meeting)."""
    first = max(since, activity.starts_on)
    last = min(until, activity.ends_on) if activity.ends_on else until
    found: dict[date, tuple[int, int]] = {}
    if first > last:
        return found
    for slot in activity.slots:
        if slot.on_date is not None:
            days = [slot.on_date] if first <= slot.on_date <= last else []
        else:
            assert slot.weekday is not None
            day = first + timedelta(days=(slot.weekday - first.weekday()) % 7)
            days = []
            while day <= last:
                days.append(day)
                day += timedelta(days=7)
        for day in days:
            times = (slot.start_minute, slot.end_minute)
            if day not in found or times < found[day]:
                found[day] = times
    return found


def meetings(session: Session, actor: User, activity: Activity, clock: HubClock) -> list[
        MeetingDay]:
    """The past and today's meetings, newest first, with the recorded ones' counts."""
    _require(actor, activity)
    today = clock.today()
    days = scheduled(activity, today - timedelta(days=LOOKBACK_DAYS), today)
    present = func.count(Attendance.id).filter(Attendance.present.is_(True))
    recorded = session.execute(
        select(ActivityMeeting.on_date, ActivityMeeting.start_minute,
               ActivityMeeting.end_minute, present)
        .outerjoin(Attendance, Attendance.meeting_id == ActivityMeeting.id)
        .where(ActivityMeeting.activity_id == activity.id)
        .group_by(ActivityMeeting.id)).all()
    result = {day: MeetingDay(day, start, end) for day, (start, end) in days.items()}
    for day, start, end, count in recorded:
        result[day] = MeetingDay(day, start, end, recorded=True, present=count)
    return sorted(result.values(), key=lambda m: m.on_date, reverse=True)


def _meeting_row(session: Session, activity: Activity, day: date) -> ActivityMeeting | None:
    return session.scalars(select(ActivityMeeting).where(
        ActivityMeeting.activity_id == activity.id, ActivityMeeting.on_date == day)
        .order_by(ActivityMeeting.start_minute)).first()


def meeting_on(session: Session, activity: Activity, day: date, clock: HubClock) -> tuple[
        MeetingDay, ActivityMeeting | None]:
    """The meeting on ``day``: one the slots give (up to today) or one already recorded."""
    row = _meeting_row(session, activity, day)
    if row is not None:
        return MeetingDay(day, row.start_minute, row.end_minute, recorded=True), row
    if day > clock.today():
        raise NotFound("this meeting has not happened yet")
    times = scheduled(activity, day, day).get(day)
    if times is None:
        raise NotFound("the group does not meet on this day")
    return MeetingDay(day, *times), None


def sheet(session: Session, actor: User, activity: Activity, day: date,
          clock: HubClock) -> Sheet:
    """The families to tick for the meeting on ``day``: those in the group, and any
    family already recorded (one who left since stays on the meeting's sheet)."""
    _require(actor, activity)
    meeting, row = meeting_on(session, activity, day, clock)
    marked: dict[int, bool] = {}
    if row is not None:
        marked = {household_id: here for household_id, here in session.execute(
            select(Attendance.household_id, Attendance.present)
            .where(Attendance.meeting_id == row.id))}
    joined = select(ActivityMembership.household_id).where(
        ActivityMembership.activity_id == activity.id,
        ActivityMembership.status == MembershipStatus.JOINED)
    households = session.execute(
        select(Household.id, Household.public_id, Household.name)
        .where(Household.id.in_(joined) | Household.id.in_(list(marked)))
        .order_by(Household.name, Household.id)).all()
    cannot = cannot_come(session, activity, day)
    rows = [SheetRow(public_id, name, marked.get(hid, False), hid in cannot)
            for hid, public_id, name in households]
    return Sheet(meeting, rows, (row.notes or "") if row is not None else "")


def record(session: Session, actor: User, activity: Activity, day: date,
           present: set[str], notes: str, clock: HubClock) -> ActivityMeeting:
    """Save who came to the meeting on ``day`` (household public ids) and the notes.

    The meeting's row is created on the first save; every family on the sheet gets a
    row, present or not, so a second save corrects the first.
    """
    _require(actor, activity)
    if activity.status == ActivityStatus.CANCELLED:
        raise DomainError(_l("This activity was cancelled: there is no meeting to record."))
    current = sheet(session, actor, activity, day, clock)
    known = {row.public_id for row in current.rows}
    if not present <= known:
        raise NotFound("a family not in this group")
    notes = notes.strip()
    if len(notes) > NOTES_MAX_CHARS:
        raise DomainError(_l("The notes can be at most %(count)s characters.",
                             count=NOTES_MAX_CHARS), field="notes")
    meeting = _meeting_row(session, activity, day)
    if meeting is None:
        meeting = ActivityMeeting(activity_id=activity.id, on_date=day,
                                  start_minute=current.meeting.start_minute,
                                  end_minute=current.meeting.end_minute)
        session.add(meeting)
        session.flush()
    meeting.notes = notes or None
    meeting.recorded_by_id = actor.id
    ids = {public_id: household_id for public_id, household_id in session.execute(
        select(Household.public_id, Household.id).where(Household.public_id.in_(known)))}
    existing = {a.household_id: a for a in session.scalars(
        select(Attendance).where(Attendance.meeting_id == meeting.id))}
    now = clock.now()
    for public_id, household_id in ids.items():
        here = public_id in present
        row = existing.get(household_id)
        if row is None:
            session.add(Attendance(meeting_id=meeting.id, household_id=household_id,
                                   present=here, recorded_at=now))
        elif row.present != here:
            row.present, row.recorded_at = here, now
    session.flush()
    audit.record(session, actor, audit.ATTENDANCE_RECORDED, target=meeting,
                 details={"activity": activity.public_id, "present": len(present)})
    return meeting


def next_meeting(activity: Activity, today: date) -> MeetingDay | None:
    """The group's next meeting from today on (within a year), by its slots."""
    days = scheduled(activity, today, today + timedelta(days=366))
    if not days:
        return None
    day = min(days)
    return MeetingDay(day, *days[day])


# An ended group stays on its leader's list this long, to record its last meetings.
ENDED_SHOWN_DAYS = 14


def activities_for(session: Session, actor: User, today: date | None = None) -> list[Activity]:
    """The open activities whose attendance ``actor`` records: all for facilitators, the
    ones they lead for anyone else; with ``today``, also those that ended in the last
    ``ENDED_SHOWN_DAYS`` (the daily job ends a group the day after its last meeting)."""
    statuses = [ActivityStatus.OPEN] + ([ActivityStatus.ENDED] if today is not None else [])
    query = (select(Activity).where(Activity.status.in_(statuses))
             .options(selectinload(Activity.slots), selectinload(Activity.neighbourhood),
                      selectinload(Activity.association))
             .order_by(Activity.title, Activity.id))
    if not policy.is_facilitator(actor):
        query = query.where(Activity.leader_id == actor.id)
    found = list(session.scalars(query))
    if today is None:
        return found
    since = today - timedelta(days=ENDED_SHOWN_DAYS)
    return [a for a in found if a.status == ActivityStatus.OPEN or last_day(a) >= since]
