"""Reminders before each session, and "I'm coming" / "I can't come"."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import NeedSlot, OutboxMessage
from mutuo_aiuto.models.match import SessionNotice
from mutuo_aiuto.services import reminders
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound

ROME = ZoneInfo("Europe/Rome")
# Sunday 8 November 2026, 08:00 in Rome; the sessions are on Tuesdays 16:00–18:00.
NOW = datetime(2026, 11, 8, 8, 0, tzinfo=ROME).astimezone(UTC)


def mails(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.fixture
def weekly(make_match, make_need, make_household, make_user):
    family = make_household(user=make_user(locale="en"), name="Famiglia Hassan")
    need = make_need(household=family, status="active", ends_on=date(2027, 2, 1),
                     slots=[NeedSlot(weekday=1, start_minute=16 * 60, end_minute=18 * 60)])
    return make_match(need=need, confirmed_at=datetime(2026, 11, 1, tzinfo=UTC),
                      started_on=date(2026, 11, 2))


@pytest.mark.parametrize(("day", "local_time", "kind"), [
    (date(2026, 11, 17), "08:00", None),        # 9 days ahead: nothing yet
    (date(2026, 11, 15), "08:00", "week"),
    (date(2026, 11, 10), "08:00", "week"),      # 2 days ahead
    (date(2026, 11, 9), "08:00", "day"),
    (date(2026, 11, 8), "06:30", None),         # too early in the morning
    (date(2026, 11, 8), "08:00", "morning"),
    (date(2026, 11, 8), "17:00", None),         # already started
])
def test_which_reminder_is_due(day, local_time, kind):
    hour, minute = map(int, local_time.split(":"))
    local_now = datetime(2026, 11, 8, hour, minute, tzinfo=ROME)
    assert reminders.due_kind(day, 16 * 60, local_now) == kind


def test_both_sides_are_reminded_once(session, weekly):
    # Tuesday 10 November is two days ahead: the "week" reminder.
    assert reminders.send_session_reminders(session, NOW) == 2
    assert {m.recipient for m in mails(session)} == {
        weekly.need.household.user.email, weekly.offer.household.user.email}
    english = next(m for m in mails(session) if m.recipient == weekly.need.household.user.email)
    assert english.subject == "Reminder of your session with the Family Hub"
    notice = session.scalars(select(SessionNotice).where(
        SessionNotice.user_id == weekly.need.household.user_id)).one()
    assert f"/sessions/{notice.public_id}" in english.body
    session.commit()
    assert reminders.send_session_reminders(session, NOW + timedelta(minutes=30)) == 0
    assert len(mails(session)) == 2
    # The day before, the next reminder goes.
    assert reminders.send_session_reminders(session, NOW + timedelta(days=1)) == 2


def test_no_reminders_for_matches_not_running(session, weekly):
    weekly.status = "awaiting"
    assert reminders.send_session_reminders(session, NOW) == 0


def test_cannot_come_tells_the_other_side_and_the_hub(session, weekly, make_user):
    facilitator = make_user(role="facilitator")
    reminders.send_session_reminders(session, NOW)
    family = weekly.need.household.user
    notice = session.scalars(select(SessionNotice).where(
        SessionNotice.user_id == family.id)).one()
    before = len(mails(session))
    assert reminders.answer_session(session, family, notice, "cannot", NOW)
    told = {m.recipient for m in mails(session)[before:]}
    assert told == {weekly.offer.household.user.email, facilitator.email}
    # Saying it again changes nothing and tells nobody twice.
    assert not reminders.answer_session(session, family, notice, "cannot", NOW)
    assert len(mails(session)) == before + 2
    # No more reminders for a session one cannot come to.
    session.commit()
    assert reminders.send_session_reminders(session, NOW + timedelta(days=1)) == 1


def test_answers_are_checked(session, weekly, make_user):
    reminders.send_session_reminders(session, NOW)
    family = weekly.need.household.user
    notice = session.scalars(select(SessionNotice).where(
        SessionNotice.user_id == family.id)).one()
    with pytest.raises(DomainError) as error:
        reminders.answer_session(session, family, notice, "maybe", NOW)
    assert error.value.field == "answer"
    with pytest.raises(NotFound):
        reminders.answer_session(session, make_user(), notice, "coming", NOW)
    with pytest.raises(NotFound):
        reminders.get_notice(session, make_user(), notice.public_id)
    with pytest.raises(InvalidTransition):
        reminders.answer_session(session, family, notice, "coming", NOW + timedelta(days=5))
    assert notice.answer is None
    assert session.scalar(select(func.count(SessionNotice.id))) == 2
