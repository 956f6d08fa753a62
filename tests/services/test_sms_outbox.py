"""The SMS outbox (issue 16): queued in the transaction, delivered by the scheduler with
the mail outbox's claim, retry and backoff."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mutuo_aiuto import jobs
from mutuo_aiuto.models import SmsMessage
from mutuo_aiuto.scheduler import SCHEDULES
from mutuo_aiuto.services import sms_outbox
from mutuo_aiuto.services.phones import PhoneError
from mutuo_aiuto.services.sms import Sms, SmsFailed

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.fixture
def settings(app):
    return app.config["SETTINGS"].with_overrides(
        mail_retry_first_seconds=60, mail_retry_max_seconds=3600, sms_give_up_hours=24)


class Gateway:
    """A send function that fails the first ``failures`` calls."""

    def __init__(self, failures: int = 0, permanent: bool = False) -> None:
        self.failures, self.permanent = failures, permanent
        self.sent: list[Sms] = []

    def __call__(self, text: Sms) -> str:
        if self.failures:
            self.failures -= 1
            raise SmsFailed("HTTP 503: Twilio 20503 unavailable", permanent=self.permanent)
        self.sent.append(text)
        return f"SM{len(self.sent)}"


def test_a_member_gets_a_text_at_the_households_mobile(session, make_household):
    household = make_household(phone="+39 333 123 4567")
    message = sms_outbox.queue_sms(session, household.user, "Hai notizie", "match_accepted",
                                   NOW)
    session.commit()
    stored = session.get(SmsMessage, message.id)
    assert (stored.recipient, stored.body, stored.kind) == ("+393331234567", "Hai notizie",
                                                            "match_accepted")
    assert stored.user_id == household.user.id and stored.sent_at is None
    assert stored.segments == 1


def test_no_text_without_a_mobile(session, make_household, make_user):
    landline = make_household(phone="075 123 4567")
    assert sms_outbox.queue_sms(session, landline.user, "x", "k", NOW) is None
    assert sms_outbox.queue_sms(session, make_user(), "x", "k", NOW) is None  # no household
    assert session.query(SmsMessage).count() == 0


def test_a_bare_number_must_be_a_mobile(session):
    message = sms_outbox.queue_sms(session, "333 765 4321", "Il tuo codice: 123456",
                                   "sign_in_code", NOW, forget_body=True)
    assert message.recipient == "+393337654321" and message.user_id is None
    with pytest.raises(PhoneError) as refused:
        sms_outbox.queue_sms(session, "075 123 4567", "x", "k", NOW)
    assert refused.value.field == "phone" and "not a mobile number" in str(refused.value)


def test_the_number_is_encrypted_at_rest(session, make_household):
    household = make_household(phone="+39 333 123 4567")
    sms_outbox.queue_sms(session, household.user, "x", "k", NOW)
    session.commit()
    stored = session.connection().exec_driver_sql("SELECT recipient FROM sms_outbox").scalar()
    assert "3331234567" not in stored


def test_delivery_sends_each_due_text_once(session, settings, make_household):
    first = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "uno",
                                 "k", NOW)
    second = sms_outbox.queue_sms(session, make_household(phone="333 222 2222").user, "due",
                                  "k", NOW)
    session.commit()
    gateway = Gateway()
    assert sms_outbox.deliver_pending_sms(session, settings, NOW, gateway) == 2
    assert [(t.to, t.body, t.reference) for t in gateway.sent] == [
        ("+393331111111", "uno", first.public_id), ("+393332222222", "due", second.public_id)]
    assert first.sent_at == NOW and first.provider_id == "SM1" and first.attempts == 1
    assert sms_outbox.deliver_pending_sms(session, settings, NOW + timedelta(minutes=1),
                                          gateway) == 0
    assert len(gateway.sent) == 2


def test_a_failure_backs_off_doubling_then_gives_up(session, settings, make_household):
    message = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "x",
                                   "k", NOW)
    session.commit()
    down = Gateway(failures=1000)
    assert sms_outbox.deliver_pending_sms(session, settings, NOW, down) == 0
    assert message.attempts == 1 and "20503" in message.last_error
    assert message.next_attempt_at == NOW + timedelta(seconds=60)
    assert message.retry_until == NOW + timedelta(hours=24)
    # Not due before its time …
    sms_outbox.deliver_pending_sms(session, settings, NOW + timedelta(seconds=59), down)
    assert message.attempts == 1
    # … then 60 s, 120 s, 240 s: doubling.
    sms_outbox.deliver_pending_sms(session, settings, NOW + timedelta(seconds=60), down)
    assert message.next_attempt_at == NOW + timedelta(seconds=60 + 120)
    sms_outbox.deliver_pending_sms(session, settings, NOW + timedelta(seconds=180), down)
    assert message.next_attempt_at == NOW + timedelta(seconds=180 + 240)
    assert message.failed_at is None
    # Past the horizon the next failure gives it up, and it is listed.
    late = NOW + timedelta(hours=25)
    sms_outbox.deliver_pending_sms(session, settings, late, down)
    assert message.failed_at == late and message.next_attempt_at is None
    assert sms_outbox.undelivered_sms(session) == [message]


def test_a_text_sent_after_a_failure_leaves_the_list(session, settings, make_household):
    message = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "x",
                                   "k", NOW)
    session.commit()
    flaky = Gateway(failures=1)
    sms_outbox.deliver_pending_sms(session, settings, NOW, flaky)
    assert sms_outbox.undelivered_sms(session) == [message]
    sms_outbox.deliver_pending_sms(session, settings, NOW + timedelta(minutes=1), flaky)
    assert message.sent_at is not None and message.last_error is None
    assert sms_outbox.undelivered_sms(session) == []


def test_a_number_the_provider_refuses_is_given_up_at_once(session, settings, make_household):
    message = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "x",
                                   "k", NOW)
    session.commit()
    sms_outbox.deliver_pending_sms(session, settings, NOW, Gateway(failures=1, permanent=True))
    assert message.failed_at == NOW and message.attempts == 1


def test_a_secret_body_is_forgotten_once_sent(session, settings):
    message = sms_outbox.queue_sms(session, "333 765 4321", "Codice: 123456", "sign_in_code",
                                   NOW, forget_body=True)
    session.commit()
    sms_outbox.deliver_pending_sms(session, settings, NOW, Gateway())
    assert message.body == sms_outbox.FORGOTTEN


def test_a_text_claimed_by_another_delivery_is_not_sent_twice(session, settings,
                                                              make_household):
    message = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "x",
                                   "k", NOW)
    session.commit()
    # Another delivery claimed it a moment ago (the claim lasts ten minutes).
    message.next_attempt_at = NOW + timedelta(minutes=10)
    session.commit()
    gateway = Gateway()
    assert sms_outbox.deliver_pending_sms(session, settings, NOW, gateway) == 0
    assert gateway.sent == []


def test_the_scheduler_delivers_with_the_test_backend(app, session, make_household, sms_sent):
    assert any(s.func == "mutuo_aiuto.jobs:deliver_sms" for s in SCHEDULES)
    sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "Ciao", "k", NOW)
    session.commit()
    jobs.bind_app(app)
    try:
        jobs.run_task("deliver_sms", now=NOW)
    finally:
        jobs.bind_app(None)
    assert [(t.to, t.body) for t in sms_sent] == [("+393331111111", "Ciao")]


def test_erasure_and_export_find_the_texts_through_the_account(session):
    from mutuo_aiuto.services.gdpr.ownership import account_tables

    assert SmsMessage in account_tables()


def test_given_up_texts_are_sent_again_by_the_retry_command(app, session, runner,
                                                           make_household):
    message = sms_outbox.queue_sms(session, make_household(phone="333 111 1111").user, "x",
                                   "k", NOW)
    message.failed_at, message.retry_until = NOW, NOW
    session.commit()
    result = runner.invoke(args=["outbox-retry", "--", message.public_id])
    assert result.exit_code == 0 and "1 text message(s)" in result.output, result.output
    session.refresh(message)
    assert message.failed_at is None and message.retry_until is None
    assert sms_outbox.retry_sms(session) == 0  # nothing else was given up
