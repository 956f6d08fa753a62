"""Reminders before each group meeting, as for the sessions, and "I'm coming" / "I can't
come" (issue 12): a week before, the day before, the morning; once each; the leader told."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mutuo_aiuto.models import (
    ActivitySlot,
    AuditEvent,
    MeetingNotice,
    Notification,
    OutboxMessage,
)
from mutuo_aiuto.services import attendance, groups, meeting_reminders
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.gdpr import erasure, export
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.reminders import send_due_reminders
from tests import factories
from tests.groups_scenes import join, make_activity

ROME = ZoneInfo("Europe/Rome")
# The club meets on Tuesdays 17:00–19:00; Tuesday 8 December 2026 is the meeting.
MEETING = date(2026, 12, 8)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=ROME).astimezone(UTC)


def Fixed(moment: datetime) -> HubClock:
    """The Hub's clock stopped at ``moment``."""
    return HubClock.named("Europe/Rome", wall=lambda: moment)


@pytest.fixture
def club(app, session):
    leader = factories.make_user(session, locale="it")
    activity = make_activity(session, leader=leader, starts_on=date(2026, 11, 3),
                             slots=[ActivitySlot(weekday=1, start_minute=17 * 60,
                                                 end_minute=19 * 60)])
    family = factories.make_household(session, user=factories.make_user(session, locale="ar"))
    join(session, activity, family)
    waiting = factories.make_household(session)
    join(session, activity, waiting, status="waiting")
    session.commit()
    return activity, family, leader


def kinds(session, user) -> list[str]:
    return [n.kind for n in session.scalars(select(Notification).where(
        Notification.user_id == user.id).order_by(Notification.id))]


def send(session, moment: datetime) -> int:
    sent = meeting_reminders.send_meeting_reminders(session, moment, Fixed(moment))
    session.commit()
    return sent


def test_a_week_a_day_and_the_morning_before_each_only_once(session, club):
    _, family, _ = club
    assert send(session, at(date(2026, 12, 2), 10)) == 1    # six days ahead: the week one
    assert send(session, at(date(2026, 12, 3), 10)) == 0    # already sent
    assert send(session, at(date(2026, 12, 7), 10)) == 1    # the day before
    # 06:30 on the day: too early for its morning one, but a week before the next.
    assert send(session, at(MEETING, 6, 30)) == 1
    assert send(session, at(MEETING, 8)) == 1               # the morning
    assert send(session, at(MEETING, 9)) == 0
    assert send(session, at(MEETING, 18)) == 0              # started: nothing
    assert kinds(session, family.user) == [
        "meeting_reminder_week", "meeting_reminder_day", "meeting_reminder_week",
        "meeting_reminder_morning"]
    notice, following = session.scalars(select(MeetingNotice)
                                         .order_by(MeetingNotice.on_date)).all()
    assert (notice.on_date, notice.start_minute) == (MEETING, 17 * 60)
    assert notice.week_sent_at and notice.day_sent_at and notice.morning_sent_at
    assert following.on_date == MEETING + timedelta(days=7) and not following.day_sent_at


def test_the_mail_is_in_the_familys_language_and_links_to_the_answer(session, club):
    _, family, _ = club
    send(session, at(date(2026, 12, 7), 10))
    mail = session.scalars(select(OutboxMessage)).one()
    notice = session.scalars(select(MeetingNotice)).one()
    assert mail.recipient == family.user.email
    assert "Doposcuola del martedì" in mail.subject and "Tomorrow" not in mail.subject
    assert f"/activities/meetings/{notice.public_id}" in mail.body


def test_the_hourly_job_sends_them_with_the_sessions(session, club):
    moment = at(date(2026, 12, 7), 10)
    assert send_due_reminders(session, moment, Fixed(moment)) == 1


def test_a_self_help_groups_reminders_do_not_name_it(session):
    leader = factories.make_user(session, role="facilitator")
    group = make_activity(session, kind="self_help", title="Genitori separati",
                          confidential=True, admission="by_request", leader=leader,
                          starts_on=date(2026, 11, 3))
    family = factories.make_household(session)
    join(session, group, family)
    session.commit()
    send(session, at(date(2026, 12, 7), 10))
    mail = session.scalars(select(OutboxMessage)).one()
    assert "Genitori separati" not in mail.subject + mail.body
    assert kinds(session, family.user) == ["group_reminder_day"]
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 7), 11)
    meeting_reminders.answer_meeting(session, family.user, notice, "cannot", moment,
                                     Fixed(moment))
    session.commit()
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == leader.email)).one()
    assert family.name not in told.subject + told.body
    assert "Genitori separati" not in told.subject + told.body
    assert kinds(session, leader) == ["group_cannot_come"]


def test_i_cant_come_tells_the_leader_stops_reminders_and_shows_on_the_sheet(session, club):
    activity, family, leader = club
    send(session, at(date(2026, 12, 2), 10))
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 2), 11)
    with force_locale("it"):
        assert meeting_reminders.answer_meeting(session, family.user, notice, "cannot",
                                                moment, Fixed(moment))
    session.commit()
    assert kinds(session, leader) == ["meeting_cannot_come"]
    told = session.scalars(select(OutboxMessage).where(
        OutboxMessage.recipient == leader.email)).one()
    assert family.name in told.subject
    assert send(session, at(date(2026, 12, 7), 10)) == 0     # no more reminders
    event = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "activity.meeting_answered")).one()
    assert event.details == {"answer": "cannot"}
    on_the_day = Fixed(at(MEETING, 17, 30))
    sheet = attendance.sheet(session, leader, activity, MEETING, on_the_day)
    assert [(row.name, row.cannot_come) for row in sheet.rows] == [(family.name, True)]


def test_answering_twice_the_same_changes_nothing(session, club):
    _, family, leader = club
    send(session, at(date(2026, 12, 2), 10))
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 2), 11)
    assert meeting_reminders.answer_meeting(session, family.user, notice, "coming", moment,
                                            Fixed(moment))
    assert not meeting_reminders.answer_meeting(session, family.user, notice, "coming",
                                                moment, Fixed(moment))
    assert kinds(session, leader) == []


def test_bad_answers_other_peoples_notices_and_past_meetings_are_refused(session, club):
    _, family, _ = club
    send(session, at(date(2026, 12, 2), 10))
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 2), 11)
    with pytest.raises(DomainError):
        meeting_reminders.answer_meeting(session, family.user, notice, "maybe", moment,
                                         Fixed(moment))
    stranger = factories.make_user(session)
    with pytest.raises(NotFound):
        meeting_reminders.get_notice(session, stranger, notice.public_id)
    with pytest.raises(NotFound):
        meeting_reminders.answer_meeting(session, stranger, notice, "cannot", moment,
                                         Fixed(moment))
    later = at(MEETING + timedelta(days=1), 9)
    with pytest.raises(InvalidTransition):
        meeting_reminders.answer_meeting(session, family.user, notice, "cannot", later,
                                         Fixed(later))
    assert notice.answer is None


def test_a_family_that_left_cannot_answer(session, club):
    activity, family, _ = club
    send(session, at(date(2026, 12, 2), 10))
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 2), 11)
    groups.leave(session, family.user, family, activity, now=moment)
    with pytest.raises(InvalidTransition):
        meeting_reminders.answer_meeting(session, family.user, notice, "cannot", moment,
                                         Fixed(moment))


def test_the_familys_export_holds_its_reminders_and_answers(session, club):
    _, family, _ = club
    send(session, at(date(2026, 12, 2), 10))
    notice = session.scalars(select(MeetingNotice)).one()
    moment = at(date(2026, 12, 2), 11)
    meeting_reminders.answer_meeting(session, family.user, notice, "coming", moment,
                                     Fixed(moment))
    data = export.export_household(session, family.user, now=moment)
    assert [(row["on_date"], row["answer"], row["activity_title"])
            for row in data["group_meeting_answers"]] == [
        ("2026-12-08", "coming", "Doposcuola del martedì")]


def test_erasure_deletes_the_familys_notices(session, club):
    _, family, _ = club
    send(session, at(date(2026, 12, 2), 10))
    erasure.anonymise_household(session, family, now=at(date(2026, 12, 2), 12))
    session.commit()
    assert session.scalars(select(MeetingNotice)).all() == []
