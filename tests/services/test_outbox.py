"""The outbox: mails stored first, then sent with SMTP or written to the log."""

from __future__ import annotations

import logging
import smtplib
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.services import accounts, outbox, tokens

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class Killed(BaseException):
    """The scheduler process killed (SIGKILL, a power cut) in the middle of a send."""


class FakeSMTP:
    """Records what the outbox asks of an SMTP connection."""

    def __init__(self, calls: list[tuple[Any, ...]], refuse: set[str] = frozenset(),
                 die_at: int | None = None) -> None:
        self.calls = calls
        self.refuse = refuse
        self.die_at = die_at  # the process dies while sending the die_at-th mail (from 1)
        self.message_ids: list[str] = []

    def __call__(self, host: str, port: int, timeout: float) -> FakeSMTP:
        self.calls.append(("connect", host, port))
        return self

    def __enter__(self) -> FakeSMTP:
        return self

    def __exit__(self, *exc: object) -> None:
        self.calls.append(("quit",))

    def starttls(self, *, context: Any) -> None:
        self.calls.append(("starttls",))

    def login(self, user: str, password: str) -> None:
        self.calls.append(("login", user, password))

    def send_message(self, msg: Any) -> None:
        self.message_ids.append(msg["Message-ID"])
        if self.die_at is not None and len(self.message_ids) == self.die_at:
            raise Killed
        if msg["To"] in self.refuse:
            raise smtplib.SMTPRecipientsRefused({msg["To"]: (550, b"no such user")})
        self.calls.append(("send", msg["To"], msg["Subject"], msg["From"], msg.get_content()))


@pytest.fixture
def settings(app):
    return app.config["SETTINGS"].with_overrides(
        mail_server="smtp.example.org", mail_port=2525, mail_username="hub",
        mail_password="secret", mail_use_tls=True, mail_sender="Hub <hub@example.org>")


def test_queue_mail_stores_an_unsent_row(session):
    message = outbox.queue_mail(session, "a@example.org", "Hello", "Body")
    session.commit()
    stored = session.get(OutboxMessage, message.id)
    assert (stored.recipient, stored.subject, stored.body) == ("a@example.org", "Hello", "Body")
    assert stored.sent_at is None and stored.attempts == 0


def test_smtp_delivery_uses_tls_login_and_marks_sent(session, settings):
    first = outbox.queue_mail(session, "a@example.org", "One", "Body one")
    second = outbox.queue_mail(session, "b@example.org", "Two", "Body two")
    calls: list[tuple[Any, ...]] = []

    assert outbox.deliver_pending(session, settings, smtp_factory=FakeSMTP(calls)) == 2

    assert calls[:3] == [("connect", "smtp.example.org", 2525), ("starttls",),
                         ("login", "hub", "secret")]
    assert calls[3][:4] == ("send", "a@example.org", "One", "Hub <hub@example.org>")
    assert calls[3][4].strip() == "Body one"
    assert calls[4][1] == "b@example.org"
    assert first.sent_at is not None and second.sent_at is not None


def test_smtp_without_tls_or_username_skips_them(session, settings):
    outbox.queue_mail(session, "a@example.org", "One", "Body")
    calls: list[tuple[Any, ...]] = []
    plain = settings.with_overrides(mail_use_tls=False, mail_username="")
    outbox.deliver_pending(session, plain, smtp_factory=FakeSMTP(calls))
    assert [call[0] for call in calls] == ["connect", "send", "quit"]


def test_sent_mail_is_not_sent_again(session, settings):
    outbox.queue_mail(session, "a@example.org", "One", "Body")
    calls: list[tuple[Any, ...]] = []
    outbox.deliver_pending(session, settings, smtp_factory=FakeSMTP(calls))
    calls.clear()
    assert outbox.deliver_pending(session, settings, smtp_factory=FakeSMTP(calls)) == 0
    assert calls == []


def test_connection_failure_is_recorded_not_raised(session, settings):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("connection refused")

    assert outbox.deliver_pending(session, settings, NOW, smtp_factory=unreachable) == 0
    assert message.sent_at is None
    assert message.attempts == 1
    assert "connection refused" in message.last_error
    outbox.deliver_pending(session, settings, NOW + timedelta(minutes=1),
                           smtp_factory=unreachable)
    assert message.attempts == 2


def test_the_smtp_connection_has_the_configured_timeout(session, settings):
    outbox.queue_mail(session, "a@example.org", "One", "Body")
    seen: dict[str, Any] = {}

    def factory(host: str, port: int, timeout: float) -> FakeSMTP:
        seen["timeout"] = timeout
        return FakeSMTP([])

    outbox.deliver_pending(session, settings.with_overrides(mail_timeout_seconds=7), NOW,
                           smtp_factory=factory)
    assert seen == {"timeout": 7}


def test_one_refused_recipient_does_not_stop_the_others(session, settings):
    refused = outbox.queue_mail(session, "gone@example.org", "One", "Body")
    fine = outbox.queue_mail(session, "b@example.org", "Two", "Body")
    calls: list[tuple[Any, ...]] = []
    factory = FakeSMTP(calls, refuse={"gone@example.org"})
    assert outbox.deliver_pending(session, settings, smtp_factory=factory) == 1
    assert refused.sent_at is None and refused.attempts == 1
    assert "SMTPRecipientsRefused" in refused.last_error
    assert fine.sent_at is not None


# ---- backoff, giving up, retrying (issue 13, item 12) ----------------------------------


def test_failures_back_off_exponentially_up_to_the_most(settings):
    delays = [outbox.retry_delay(n, settings).total_seconds() for n in range(1, 12)]
    assert delays[:4] == [60, 120, 240, 480]
    assert max(delays) == settings.mail_retry_max_seconds == 6 * 3600
    assert delays == sorted(delays)


def test_a_failed_mail_waits_for_its_next_attempt(session, settings):
    message = outbox.queue_mail(session, "gone@example.org", "One", "Body")
    calls: list[tuple[Any, ...]] = []
    refusing = FakeSMTP(calls, refuse={"gone@example.org"})
    outbox.deliver_pending(session, settings, NOW, smtp_factory=refusing)
    assert message.next_attempt_at == NOW + timedelta(minutes=1)
    # The web actions no longer deliver; and a delivery run before the time does nothing.
    for seconds in (0, 10, 59):
        outbox.deliver_pending(session, settings, NOW + timedelta(seconds=seconds),
                               smtp_factory=refusing)
    assert message.attempts == 1
    outbox.deliver_pending(session, settings, NOW + timedelta(seconds=60),
                           smtp_factory=refusing)
    assert message.attempts == 2
    assert message.next_attempt_at == NOW + timedelta(seconds=60 + 120)


def test_a_short_outage_does_not_give_mails_up(session, settings):
    """The fault trial: a 3-second SMTP outage took mails to 10 attempts and lost them."""
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("connection refused")

    for second in range(0, 3):
        for _ in range(5):  # many web actions and job runs during the outage
            outbox.deliver_pending(session, settings, NOW + timedelta(seconds=second),
                                   smtp_factory=unreachable)
    assert message.attempts == 1 and message.failed_at is None
    calls: list[tuple[Any, ...]] = []
    outbox.deliver_pending(session, settings, NOW + timedelta(minutes=1),
                           smtp_factory=FakeSMTP(calls))
    assert message.sent_at is not None


def test_a_mail_is_given_up_only_after_the_horizon(session, settings):
    message = outbox.queue_mail(session, "gone@example.org", "One", "Body")
    refusing = FakeSMTP([], refuse={"gone@example.org"})
    now = NOW
    outbox.deliver_pending(session, settings, now, smtp_factory=refusing)
    while message.failed_at is None:
        assert now - NOW < timedelta(hours=settings.mail_give_up_hours)
        now = message.next_attempt_at
        outbox.deliver_pending(session, settings, now, smtp_factory=refusing)
    assert message.failed_at - NOW >= timedelta(hours=72)
    assert 15 <= message.attempts <= 25  # days of tries, not seconds
    # Given up: no delivery touches it any more.
    calls: list[tuple[Any, ...]] = []
    assert outbox.deliver_pending(session, settings, now + timedelta(days=30),
                                  smtp_factory=FakeSMTP(calls)) == 0
    assert calls == []


def test_retry_puts_given_up_mails_back(session, settings):
    given_up = outbox.queue_mail(session, "a@example.org", "One", "Body")
    other = outbox.queue_mail(session, "b@example.org", "Two", "Body")
    for message in (given_up, other):
        message.failed_at = message.retry_until = NOW
        message.attempts, message.last_error = 20, "SMTPServerDisconnected: gone"
    session.commit()
    assert outbox.retry(session, given_up.public_id) == 1
    session.commit()
    calls: list[tuple[Any, ...]] = []
    assert outbox.deliver_pending(session, settings, NOW, smtp_factory=FakeSMTP(calls)) == 1
    assert given_up.sent_at is not None and other.sent_at is None
    assert outbox.retry(session) == 1
    assert other.failed_at is None and other.retry_until is None


def test_outbox_retry_command(app, session, runner):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")
    message.failed_at = NOW
    session.commit()
    assert runner.invoke(args=["outbox-retry"]).exit_code != 0
    assert runner.invoke(args=["outbox-retry", "nosuchmail"]).exit_code != 0
    # "--": a random public id may begin with "-", which click would read as an option.
    result = runner.invoke(args=["outbox-retry", "--", message.public_id])
    assert result.exit_code == 0, result.output
    session.refresh(message)
    assert message.failed_at is None
    message.failed_at = NOW
    session.commit()
    result = runner.invoke(args=["outbox-retry", "--all"])
    assert result.exit_code == 0 and "1 mail" in result.output
    session.refresh(message)
    assert message.failed_at is None


def test_undelivered_lists_failed_and_waiting_mails_only(session, settings):
    sent = outbox.queue_mail(session, "a@example.org", "One", "Body")
    waiting = outbox.queue_mail(session, "gone@example.org", "Two", "Body")
    fresh = outbox.queue_mail(session, "c@example.org", "Three", "Body")
    outbox.deliver_pending(session, settings, NOW, smtp_factory=FakeSMTP(
        [], refuse={"gone@example.org"}))
    fresh.sent_at = None
    assert sent.sent_at is not None
    assert outbox.undelivered(session) == [waiting]


def test_addresses_are_masked():
    assert outbox.mask_address("maria.rossi@example.org") == "m•••@example.org"
    assert outbox.mask_addresses("SMTPRecipientsRefused: {'gone@example.org': (550, b'no')}") \
        == "SMTPRecipientsRefused: {'g•••@example.org': (550, b'no')}"


# ---- one mail at a time, and its Message-ID (items 15 and 20) ---------------------------


def test_the_message_id_is_the_outbox_rows_public_id(session, settings):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")
    smtp = FakeSMTP([])
    outbox.deliver_pending(session, settings, NOW, smtp_factory=smtp)
    assert smtp.message_ids == [f"<outbox.{message.public_id}@example.org>"]


def test_a_delivery_killed_mid_batch_resends_only_the_mail_it_was_sending(session, settings):
    mails = [outbox.queue_mail(session, f"m{n}@example.org", f"Mail {n}", "Body")
             for n in range(6)]
    session.commit()
    ids = [mail.id for mail in mails]
    killed = FakeSMTP([], die_at=3)
    with pytest.raises(Killed):
        outbox.deliver_pending(session, settings, NOW, smtp_factory=killed)
    session.rollback()  # what the dead process had not committed is lost
    session.expire_all()
    stored = [session.get(OutboxMessage, i) for i in ids]
    assert [m.sent_at is not None for m in stored] == [True, True, False, False, False, False]
    assert [m.attempts for m in stored] == [1, 1, 1, 0, 0, 0]  # the third one was claimed

    # The next run delivers the rest at once; the interrupted mail once its claim lapses,
    # under the same Message-ID, so the resend is recognisable.
    calls: list[tuple[Any, ...]] = []
    second = FakeSMTP(calls)
    assert outbox.deliver_pending(session, settings, NOW + timedelta(minutes=1),
                                  smtp_factory=second) == 3
    third = FakeSMTP([])
    assert outbox.deliver_pending(session, settings, NOW + outbox.CLAIM,
                                  smtp_factory=third) == 1
    assert third.message_ids == [killed.message_ids[2]]
    assert [c[1] for c in calls if c[0] == "send"] == ["m3@example.org", "m4@example.org",
                                                      "m5@example.org"]


def test_a_mail_claimed_by_one_delivery_is_not_claimed_by_another(session):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")
    session.commit()
    assert outbox._claim(session, message.id, NOW) is not None
    assert outbox._claim(session, message.id, NOW) is None


def test_a_delivered_mail_has_no_last_error(session, settings):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")

    def unreachable(*args: Any, **kwargs: Any) -> Any:
        raise ConnectionRefusedError("connection refused")

    outbox.deliver_pending(session, settings, NOW, smtp_factory=unreachable)
    assert message.last_error
    outbox.deliver_pending(session, settings, NOW + timedelta(minutes=1),
                           smtp_factory=FakeSMTP([]))
    assert message.sent_at is not None
    assert message.last_error is None and message.next_attempt_at is None


# ---- live secrets (item 1) ----------------------------------------------------------------


@pytest.fixture
def reset_mail(app, session, make_user):
    user = make_user(email="staff@example.org", locale="en", role="facilitator")
    secret = app.config["SETTINGS"].secret_key
    mail = accounts.send_reset_link(session, user.email, secret=secret,
                                    link_for=lambda token: f"https://hub.example/reset/{token}",
                                    signup_link="https://hub.example/register", locale="en")
    session.commit()
    token = mail.body.split("https://hub.example/reset/")[1].split()[0]
    assert tokens.user_for_reset_token(session, token, secret, 3600) == user
    return mail, token


def test_a_delivered_mail_keeps_no_live_token(session, settings, reset_mail):
    mail, token = reset_mail
    smtp = FakeSMTP(calls := [])
    outbox.deliver_pending(session, settings, smtp_factory=smtp)
    [sent] = [call for call in calls if call[0] == "send"]
    assert token in sent[4]  # the recipient got the working link
    session.expire_all()
    stored = session.get(OutboxMessage, mail.id)
    assert token not in stored.body
    assert "https://hub.example/reset/[token removed, sha256:" in stored.body


def test_confirmation_links_are_redacted_too(app, session, settings, make_user):
    user = make_user(email="new@example.org", locale="en")
    mail = accounts.send_confirmation(session, user, secret=app.config["SETTINGS"].secret_key,
                                      link_for=lambda token: f"https://hub.example/confirm/{token}")
    path = accounts.confirmation_link_in(mail.body)
    outbox.deliver_pending(session, settings, smtp_factory=FakeSMTP([]))
    session.expire_all()
    assert path.removeprefix("/confirm/") not in session.get(OutboxMessage, mail.id).body


def test_host_names_and_plain_text_are_not_redacted():
    text = "Open https://mutuo.aiuto.example.org/needs/Ab3_d-EfGh12 at 09.30.2026 please"
    assert outbox.redact_tokens(text) == text


def test_the_log_backend_never_writes_a_live_token(session, app, caplog, reset_mail):
    mail, token = reset_mail
    settings = app.config["SETTINGS"].with_overrides(mail_server="", mail_backend="log")

    def no_smtp(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("SMTP must not be used with the log backend")

    with caplog.at_level(logging.INFO, logger="mutuo_aiuto.mail"):
        assert outbox.deliver_pending(session, settings, smtp_factory=no_smtp) == 1
    assert "staff@example.org" in caplog.text and "https://hub.example/reset/" in caplog.text
    assert token not in caplog.text
    assert token not in session.get(OutboxMessage, mail.id).body


def test_in_development_the_log_shows_the_links(session, app, caplog, reset_mail):
    mail, token = reset_mail
    settings = app.config["SETTINGS"].with_overrides(environment="development", mail_server="")
    with caplog.at_level(logging.INFO, logger="mutuo_aiuto.mail"):
        assert outbox.deliver_pending(session, settings) == 1
    assert token in caplog.text
    assert all(record.name == "mutuo_aiuto.mail" for record in caplog.records)
    assert token not in session.get(OutboxMessage, mail.id).body
