"""The outbox: every mail is stored first, then delivered by ``deliver_pending``.

Storing first means a mail is never lost when the mail server is down (it is
retried later) and is committed or rolled back together with the change that
caused it. Without a mail server (development) delivery writes each mail to
the log instead, so the developer sees links such as password resets at once.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from collections.abc import Callable
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, Protocol

from flask import render_template
from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.config import Settings
from mutuo_aiuto.models import OutboxMessage, User
from mutuo_aiuto.models.types import utcnow

logger = logging.getLogger("mutuo_aiuto.mail")

# After this many failed attempts a message waits for a person to look at it.
MAX_ATTEMPTS = 10
SMTP_TIMEOUT_SECONDS = 20


class SMTPClient(Protocol):
    """The part of ``smtplib.SMTP`` the outbox uses (tests pass a fake)."""

    def __enter__(self) -> SMTPClient: ...
    def __exit__(self, *exc: object) -> Any: ...
    def starttls(self, *, context: ssl.SSLContext) -> Any: ...
    def login(self, user: str, password: str) -> Any: ...
    def send_message(self, msg: EmailMessage) -> Any: ...


SMTPFactory = Callable[..., SMTPClient]


def queue_mail(session: Session, recipient: str, subject: str, body: str) -> OutboxMessage:
    """Store a mail to be delivered; it leaves when the caller's transaction commits."""
    message = OutboxMessage(recipient=recipient, subject=str(subject)[:200], body=body)
    session.add(message)
    session.flush()
    return message


def send_templated(session: Session, user: User, template_name: str, subject: object,
                   **context: Any) -> OutboxMessage:
    """Queue a mail to ``user`` rendered from ``templates/mail/<template_name>``.

    Subject and body are rendered in the recipient's language, not the
    reader's: pass the subject as a lazy string (``_l("…")``) so that it is
    translated here. The template receives ``user`` and ``context``.
    """
    with force_locale(user.locale or "it"):
        rendered_subject = str(subject)
        body = render_template(f"mail/{template_name}", user=user, **context)
    return queue_mail(session, user.email, rendered_subject, body)


def deliver_pending(session: Session, settings: Settings,
                    smtp_factory: SMTPFactory = smtplib.SMTP) -> int:
    """Deliver every unsent mail; return how many left. Never raises.

    The caller commits afterwards, so ``sent_at``, ``attempts`` and
    ``last_error`` are kept.
    """
    pending = _pending(session)
    if not pending:
        return 0
    if not settings.mail_server:
        return _write_to_log(pending)
    return _send_with_smtp(pending, settings, smtp_factory)


def _pending(session: Session) -> list[OutboxMessage]:
    # skip_locked: two processes delivering at once never send the same mail
    # twice on PostgreSQL (SQLite ignores the clause; it has one writer anyway).
    query = (select(OutboxMessage)
             .where(OutboxMessage.sent_at.is_(None), OutboxMessage.attempts < MAX_ATTEMPTS)
             .order_by(OutboxMessage.id)
             .with_for_update(skip_locked=True))
    return list(session.scalars(query))


def _write_to_log(pending: list[OutboxMessage]) -> int:
    # WARNING, not INFO: without logging configured (plain `flask run`) Python
    # shows only warnings, and a developer must see the links in these mails.
    for message in pending:
        logger.warning("MAIL_SERVER is not set: this mail is written here instead of sent.\n"
                       "To: %s\nSubject: %s\n\n%s",
                       message.recipient, message.subject, message.body)
        message.sent_at = utcnow()
    return len(pending)


def _send_with_smtp(pending: list[OutboxMessage], settings: Settings,
                    smtp_factory: SMTPFactory) -> int:
    sent = 0
    try:
        with smtp_factory(settings.mail_server, settings.mail_port,
                          timeout=SMTP_TIMEOUT_SECONDS) as smtp:
            if settings.mail_use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            for message in pending:
                sent += _send_one(smtp, message, settings)
    except (smtplib.SMTPException, OSError) as error:
        # The connection itself failed: every mail not yet sent waits for next time.
        for message in pending:
            if message.sent_at is None:
                _record_failure(message, error)
    return sent


def _send_one(smtp: SMTPClient, message: OutboxMessage, settings: Settings) -> int:
    try:
        smtp.send_message(_email(message, settings))
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError, ValueError) as error:
        # One refused address or malformed mail must not hold back the rest of the batch.
        _record_failure(message, error)
        return 0
    message.sent_at = utcnow()
    return 1


def _record_failure(message: OutboxMessage, error: BaseException) -> None:
    message.attempts = (message.attempts or 0) + 1
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    logger.warning("mail %s to %s not sent (attempt %s): %s", message.id, message.recipient,
                   message.attempts, message.last_error)


def _email(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at or utcnow())
    email["Message-ID"] = make_msgid(domain=_sender_domain(settings.mail_sender))
    email.set_content(message.body)
    return email


def _sender_domain(sender: str) -> str:
    address = sender.rpartition("<")[2].rstrip(">")
    return address.rpartition("@")[2] or "localhost"
