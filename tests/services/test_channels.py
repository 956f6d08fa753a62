"""Mail, SMS or both (issue 16): each member's choice, held where it can be, followed by
notifications, session reminders, group meeting reminders and expiry notices."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import NeedSlot, OutboxMessage, SmsMessage
from mutuo_aiuto.services import channels, notifications, reminders
from mutuo_aiuto.services.errors import DomainError

MOBILE, LANDLINE = "+39 333 123 4567", "+39 075 123 4567"
NOW = datetime(2026, 11, 8, 7, 30, tzinfo=UTC)  # 08:30 in Rome, Sunday
PARAMS = {"need": "Uscita da scuola per Amira", "helper": "Famiglia Rossi",
          "match_id": "abc123"}


def texts(session) -> list[SmsMessage]:
    return list(session.scalars(select(SmsMessage).order_by(SmsMessage.id)))


def mails(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


@pytest.mark.parametrize(("notify_by", "phone", "email", "mail", "sms"), [
    ("mail", MOBILE, "a@example.org", True, False),      # the default
    ("sms", MOBILE, "a@example.org", False, True),
    ("both", MOBILE, "a@example.org", True, True),
    ("sms", LANDLINE, "a@example.org", True, False),     # SMS impossible: mail instead
    ("both", None, "a@example.org", True, False),
    ("mail", MOBILE, "", False, True),                   # no email (front desk): SMS
    ("mail", LANDLINE, "", False, False),                # nothing to reach: inbox only
])
def test_the_choice_holds_where_it_can(make_household, notify_by, phone, email, mail, sms):
    user = make_household(phone=phone).user
    user.notify_by, user.email = notify_by, email
    assert (channels.wants_mail(user), channels.wants_sms(user)) == (mail, sms)


def test_staff_hear_by_mail_only(make_household, make_user):
    staff = make_household(user=make_user(role="facilitator", notify_by="both"),
                           phone=MOBILE).user
    assert (channels.wants_mail(staff), channels.wants_sms(staff)) == (True, False)


def test_sms_is_refused_without_a_mobile(make_household):
    landline = make_household(phone=LANDLINE).user
    with pytest.raises(DomainError) as refused:
        channels.check_notify_by(landline, "sms")
    assert refused.value.field == "notify_by"
    assert channels.check_notify_by(landline, "mail") == "mail"
    mobile = make_household(phone=MOBILE).user
    assert channels.check_notify_by(mobile, "both") == "both"
    with pytest.raises(DomainError):
        channels.check_notify_by(mobile, "pigeon")


def test_a_notification_by_sms_says_only_that_there_is_news(session, make_household,
                                                            make_user):
    user = make_household(user=make_user(locale="ar", notify_by="sms"), phone=MOBILE).user
    notifications.notify(session, user, "match_accepted", **PARAMS)
    assert mails(session) == []
    [text] = texts(session)
    assert text.recipient == "+393331234567" and text.kind == "match_accepted"
    assert text.body.startswith("مركز الأسر: لديك أخبار.")
    assert "/inbox" in text.body and "075 555 0100" in text.body  # the Hub's phone
    for private in ("Amira", "Rossi", "Uscita", "abc123"):
        assert private not in text.body


def test_both_sends_the_mail_and_the_text(session, make_household, make_user):
    user = make_household(user=make_user(locale="it", notify_by="both"), phone=MOBILE).user
    notifications.notify(session, user, "match_accepted", **PARAMS)
    assert [m.recipient for m in mails(session)] == [user.email]
    assert [t.body.split(".")[0] for t in texts(session)] == [
        "Centro per le Famiglie: hai novità"]


def test_the_inbox_only_notices_send_no_text(session, make_household, make_user):
    user = make_household(user=make_user(notify_by="sms"), phone=MOBILE).user
    notifications.notify(session, user, "calendar_link_changed", mail=False)
    assert texts(session) == [] and mails(session) == []


def test_a_member_without_email_is_still_told(session, make_household, make_user):
    user = make_household(user=make_user(locale="en"), phone=MOBILE).user
    user.email = ""  # the front desk's accounts have none (users.email nullable there)
    notifications.notify(session, user, "match_accepted", **PARAMS)
    assert mails(session) == [] and len(texts(session)) == 1


@pytest.fixture
def weekly(make_match, make_need, make_household, make_user):
    family = make_household(user=make_user(locale="en", notify_by="sms"), phone=MOBILE)
    need = make_need(household=family, status="active", ends_on=date(2027, 2, 1),
                     slots=[NeedSlot(weekday=1, start_minute=16 * 60, end_minute=18 * 60)])
    return make_match(need=need, confirmed_at=datetime(2026, 11, 1, tzinfo=UTC),
                      started_on=date(2026, 11, 2))


def test_session_reminders_by_sms_come_the_day_before_only(session, weekly):
    family = weekly.need.household.user
    # Two days ahead: the "week" reminder, by mail only (the helper's choice) …
    reminders.send_session_reminders(session, NOW)
    assert texts(session) == []
    assert [m.recipient for m in mails(session)] == [weekly.offer.household.user.email]
    # … the day before, the family's text with the time and nothing else.
    reminders.send_session_reminders(session, NOW + timedelta(days=1))
    [text] = texts(session)
    assert text.user_id == family.id and text.kind == "session_reminder"
    assert "tomorrow at 16:00" in text.body and "Hassan" not in text.body


def test_cannot_come_reaches_the_other_side_by_its_choice(session, weekly, make_user):
    helper = weekly.offer.household.user
    notice = reminders._notice(session, weekly, helper, date(2026, 11, 10),
                               weekly.need.slots[0])
    reminders.answer_session(session, helper, notice, "cannot", NOW)
    assert [t.user_id for t in texts(session)] == [weekly.need.household.user_id]
    assert weekly.need.household.user.email not in [m.recipient for m in mails(session)]


def test_a_group_meeting_reminder_by_sms_gives_the_time(session, make_household, make_user):
    user = make_household(user=make_user(locale="en", notify_by="sms"), phone=MOBILE).user
    notifications.notify(session, user, "activity_reminder", activity="Doposcuola",
                         activity_id="a1", day="2026-11-09", time="17:30",
                         place="Via del Macello 1")
    [text] = texts(session)
    assert "tomorrow at 17:30" in text.body
    assert "Doposcuola" not in text.body and "Macello" not in text.body


def test_expiry_notices_follow_the_choice(session, make_need, make_household, make_user):
    from mutuo_aiuto.services import expiry

    family = make_household(user=make_user(notify_by="sms"), phone=MOBILE)
    make_need(household=family, ends_on=date(2026, 11, 12))
    assert expiry.send_expiry_notices(session, date(2026, 11, 8), 7) >= 1
    assert [t.kind for t in texts(session)] == ["need_expiring"]
    assert family.user.email not in [m.recipient for m in mails(session)]
