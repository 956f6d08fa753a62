"""The outbox: mails stored first, then sent with SMTP or written to the log."""

from __future__ import annotations

import logging
import smtplib
from typing import Any

import pytest
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.services import outbox


class FakeSMTP:
    """Records what the outbox asks of an SMTP connection."""

    def __init__(self, calls: list[tuple[Any, ...]], refuse: set[str] = frozenset()) -> None:
        self.calls = calls
        self.refuse = refuse

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

    assert outbox.deliver_pending(session, settings, smtp_factory=unreachable) == 0
    assert message.sent_at is None
    assert message.attempts == 1
    assert "connection refused" in message.last_error
    outbox.deliver_pending(session, settings, smtp_factory=unreachable)
    assert message.attempts == 2


def test_one_refused_recipient_does_not_stop_the_others(session, settings):
    refused = outbox.queue_mail(session, "gone@example.org", "One", "Body")
    fine = outbox.queue_mail(session, "b@example.org", "Two", "Body")
    calls: list[tuple[Any, ...]] = []
    factory = FakeSMTP(calls, refuse={"gone@example.org"})
    assert outbox.deliver_pending(session, settings, smtp_factory=factory) == 1
    assert refused.sent_at is None and refused.attempts == 1
    assert "SMTPRecipientsRefused" in refused.last_error
    assert fine.sent_at is not None


def test_messages_failing_too_often_wait_for_a_person(session, settings):
    message = outbox.queue_mail(session, "a@example.org", "One", "Body")
    message.attempts = outbox.MAX_ATTEMPTS
    calls: list[tuple[Any, ...]] = []
    assert outbox.deliver_pending(session, settings, smtp_factory=FakeSMTP(calls)) == 0
    assert calls == []


def test_without_mail_server_mail_goes_to_the_log(session, app, caplog):
    message = outbox.queue_mail(session, "a@example.org", "Reset", "Open https://x/reset/abc")
    settings = app.config["SETTINGS"].with_overrides(mail_server="")

    def no_smtp(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("SMTP must not be used without a mail server")

    with caplog.at_level(logging.INFO, logger="mutuo_aiuto.mail"):
        assert outbox.deliver_pending(session, settings, smtp_factory=no_smtp) == 1
    assert "a@example.org" in caplog.text and "https://x/reset/abc" in caplog.text
    assert all(record.name == "mutuo_aiuto.mail" for record in caplog.records)
    assert message.sent_at is not None


class LocaleProbe:
    """A subject that says which language was active when it was turned into text."""

    def __str__(self) -> str:
        return f"subject in {get_locale()}"


@pytest.mark.parametrize("locale", ["en", "it"])
def test_templated_mail_is_rendered_in_the_recipients_language(session, make_user, monkeypatch,
                                                               locale):
    user = make_user(locale=locale, email="r@example.org")
    monkeypatch.setattr(outbox, "render_template",
                        lambda name, **context: f"{name} in {get_locale()} for "
                                                f"{context['user'].name}, {context['link']}")
    message = outbox.send_templated(session, user, "reset_password.txt", LocaleProbe(),
                                    link="https://x/y")
    assert message.recipient == "r@example.org"
    assert message.subject == f"subject in {locale}"
    assert message.body == f"mail/reset_password.txt in {locale} for {user.name}, https://x/y"
    assert str(get_locale()) == "en"  # the caller's language (English in tests) is back


def test_templated_mail_uses_the_real_template(session, make_user):
    user = make_user(locale="en", name="Amina D'Amico")
    message = outbox.send_templated(session, user, "reset_password.txt",
                                    _l("Reset your Mutuo Aiuto password"),
                                    link="https://example.org/reset/TOKEN")
    assert message.subject == "Reset your Mutuo Aiuto password"
    # Plain text: the apostrophe is not HTML-escaped.
    assert "Hello Amina D'Amico," in message.body
    assert "https://example.org/reset/TOKEN" in message.body
