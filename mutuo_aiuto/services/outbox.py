"""The outbox: every mail is stored first, then delivered by the scheduler's ``deliver_pending``.

Storing first means a mail is never lost when the mail server is down (it is
retried later) and is committed or rolled back together with the change that
caused it. Web requests only queue: the scheduler process delivers every
minute (``jobs.deliver_mail``), so a hung mail server never holds up a page.

Delivery claims, sends and marks one mail at a time, each in its own short
transaction: a delivery killed mid-batch leaves every mail it sent marked
sent. The one mail it was sending when it died is sent again once its claim
lapses, with the same Message-ID (the outbox row's public id), so the resend
is recognisable. A failed mail waits (exponential backoff) and is given up
after a horizon of days; given-up mails are listed for the facilitators and
retried with ``flask outbox-retry``.

Links with a signed token (password reset, address confirmation) are live
secrets: once a mail is delivered its body keeps only a digest of each token,
and the log backend never writes a live token outside development.
"""

from __future__ import annotations

import hashlib
import logging
import re
import smtplib
import ssl
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from typing import Any, Protocol, TypeVar, cast

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from mutuo_aiuto.config import Settings
from mutuo_aiuto.models import OutboxMessage, SmsMessage
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.database import rowcount

logger = logging.getLogger("mutuo_aiuto.mail")

# A claimed mail is not claimed again before this: long enough for one send
# (MAIL_TIMEOUT_SECONDS per network step), short enough that a delivery that
# died is resumed soon by the next one.
CLAIM = timedelta(minutes=10)
# Mails per run of the delivery job; the rest wait for the next minute.
BATCH = 50
# A signed token as itsdangerous writes it: [.]payload.timestamp.signature.
TOKEN = re.compile(r"\.?[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{20,}")
ADDRESS = re.compile(r"[^\s<>'\"(),:;]+@[^\s<>'\"(),:;]+")


class SMTPClient(Protocol):
    """The part of ``smtplib.SMTP`` the outbox uses (tests pass a fake)."""

    def __enter__(self) -> SMTPClient: ...
    def __exit__(self, *exc: object) -> Any: ...
    def starttls(self, *, context: ssl.SSLContext) -> Any: ...
    def login(self, user: str, password: str) -> Any: ...
    def send_message(self, msg: EmailMessage) -> Any: ...


SMTPFactory = Callable[..., SMTPClient]
# The standard library's client, seen through the part of it the outbox uses.
SMTP = cast(SMTPFactory, smtplib.SMTP)


def queue_mail(session: Session, recipient: str, subject: str, body: str,
               kind: str = "mail") -> OutboxMessage:
    """Store a mail to be delivered; it leaves when the caller's transaction commits."""
    message = OutboxMessage(recipient=recipient, subject=str(subject)[:200], body=body,
                            kind=kind[:40])
    session.add(message)
    session.flush()
    return message


# ---- secrets in mails ----------------------------------------------------------------


def redact_tokens(text: str) -> str:
    """The text with every signed token replaced by a short digest of it.

    The digest still lets support match a link someone reports against the
    mail it came in, without the outbox holding a link that works.
    """
    def digest(found: re.Match[str]) -> str:
        return f"[token removed, sha256:{hashlib.sha256(found.group(0).encode()).hexdigest()[:12]}]"

    return TOKEN.sub(digest, text)


def mask_address(address: str) -> str:
    """``maria@example.org`` → ``m•••@example.org``: enough to tell mails apart."""
    local, at, domain = address.partition("@")
    return f"{local[:1]}•••{at}{domain}" if at else "•••"


def mask_addresses(text: str) -> str:
    return ADDRESS.sub(lambda found: mask_address(found.group(0)), text)


# ---- delivery (the scheduler's job) ---------------------------------------------------


def deliver_pending(session: Session, settings: Settings, now: datetime | None = None,
                    smtp_factory: SMTPFactory = SMTP) -> int:
    """Deliver the mails that are due; return how many left. Never raises on mail errors.

    Commits: each mail is claimed, then marked sent or failed, in a
    transaction of its own (see the module's docstring).
    """
    now = now or hubtime.clock().now()
    due = list(session.scalars(select(OutboxMessage.id).where(*due_conditions(now))
                               .order_by(OutboxMessage.id).limit(BATCH)))
    session.commit()
    if not due:
        return 0
    if settings.mail_logged:
        return _write_to_log(session, due, settings, now)
    return _send_with_smtp(session, due, settings, now, smtp_factory)


# The SMS outbox (services/sms_outbox.py) has the same delivery columns and shares
# these two: one way of claiming a message, whatever carries it.
Queued = TypeVar("Queued", OutboxMessage, SmsMessage)


def due_conditions(now: datetime,
                   model: type[OutboxMessage | SmsMessage] = OutboxMessage) -> tuple[Any, ...]:
    """Not sent, not given up, and not waiting (a backoff or another delivery's claim)."""
    return (model.sent_at.is_(None), model.failed_at.is_(None),
            or_(model.next_attempt_at.is_(None), model.next_attempt_at <= now))


def claim(session: Session, model: type[Queued], message_id: int,
          now: datetime) -> Queued | None:
    """Take one due message for this delivery (compare-and-set), or None if another has it.

    The attempt is counted here, so a delivery that dies while sending still
    shows in ``attempts``.
    """
    claimed = session.execute(
        update(model).where(model.id == message_id, *due_conditions(now, model))
        .values(next_attempt_at=now + CLAIM, attempts=model.attempts + 1)
        .execution_options(synchronize_session=False))
    session.commit()
    if rowcount(claimed) != 1:
        return None
    return session.get(model, message_id, populate_existing=True)


def _claim(session: Session, message_id: int, now: datetime) -> OutboxMessage | None:
    return claim(session, OutboxMessage, message_id, now)


def _mark_sent(session: Session, message: OutboxMessage, now: datetime) -> None:
    message.sent_at = now
    message.last_error = None
    message.next_attempt_at = None
    message.body = redact_tokens(message.body)
    session.commit()


def _write_to_log(session: Session, due: list[int], settings: Settings, now: datetime) -> int:
    written = 0
    for message_id in due:
        message = _claim(session, message_id, now)
        if message is None:
            continue
        # Live links only where the data are not real: a developer follows them.
        body = message.body if settings.is_development else redact_tokens(message.body)
        # WARNING, not INFO: without logging configured (plain `flask run`) Python
        # shows only warnings, and a developer must see the links in these mails.
        logger.warning("MAIL_BACKEND is log: this mail is written here instead of sent.\n"
                       "To: %s\nSubject: %s\n\n%s", message.recipient, message.subject, body)
        _mark_sent(session, message, now)
        written += 1
    return written


# One refused address or malformed mail must not hold back the rest of the batch.
_ONE_MAIL_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused,
                    smtplib.SMTPDataError, ValueError)


def _send_with_smtp(session: Session, due: list[int], settings: Settings, now: datetime,
                    smtp_factory: SMTPFactory) -> int:
    sent = 0
    remaining = list(due)
    current: int | None = None  # the mail claimed and being sent
    try:
        with smtp_factory(settings.mail_server, settings.mail_port,
                          timeout=settings.mail_timeout_seconds) as smtp:
            if settings.mail_use_tls:
                smtp.starttls(context=ssl.create_default_context())
            if settings.mail_username:
                smtp.login(settings.mail_username, settings.mail_password)
            while remaining:
                message = _claim(session, remaining[0], now)
                if message is not None:
                    current = message.id
                    sent += _send_one(session, smtp, message, settings, now)
                    current = None
                remaining.pop(0)
    except (smtplib.SMTPException, OSError) as error:
        # The connection failed: the mail being sent and those after it wait.
        session.rollback()
        for message_id in remaining:
            message = (session.get(OutboxMessage, message_id, populate_existing=True)
                       if message_id == current else _claim(session, message_id, now))
            if message is not None:
                _record_failure(session, message, error, settings, now)
    return sent


def _send_one(session: Session, smtp: SMTPClient, message: OutboxMessage, settings: Settings,
              now: datetime) -> int:
    try:
        smtp.send_message(_email(message, settings))
    except _ONE_MAIL_ERRORS as error:
        _record_failure(session, message, error, settings, now)
        return 0
    _mark_sent(session, message, now)
    return 1


def retry_delay(attempts: int, settings: Settings) -> timedelta:
    """The wait after the ``attempts``-th failure: doubling from the first, up to the most."""
    seconds = settings.mail_retry_first_seconds * 2 ** min(max(attempts - 1, 0), 30)
    return timedelta(seconds=min(seconds, settings.mail_retry_max_seconds))


def _record_failure(session: Session, message: OutboxMessage, error: BaseException,
                    settings: Settings, now: datetime) -> None:
    message.last_error = f"{type(error).__name__}: {error}"[:500]
    if message.retry_until is None:
        message.retry_until = now + timedelta(hours=settings.mail_give_up_hours)
    if now >= message.retry_until:
        message.failed_at = now
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + retry_delay(message.attempts, settings)
    session.commit()
    logger.warning("mail %s to %s not sent (attempt %s%s): %s", message.public_id,
                   mask_address(message.recipient), message.attempts,
                   ", given up" if message.failed_at else "", mask_addresses(message.last_error))


def _email(message: OutboxMessage, settings: Settings) -> EmailMessage:
    email = EmailMessage()
    email["From"] = settings.mail_sender
    email["To"] = message.recipient
    email["Subject"] = message.subject
    email["Date"] = format_datetime(message.created_at or hubtime.clock().now())
    email["Message-ID"] = message_id(message, settings)
    email.set_content(message.body)
    return email


def message_id(message: OutboxMessage, settings: Settings) -> str:
    """The same for every try of one mail: the idempotency key a resend is known by."""
    return f"<outbox.{message.public_id}@{_sender_domain(settings.mail_sender)}>"


def _sender_domain(sender: str) -> str:
    address = sender.rpartition("<")[2].rstrip(">")
    return address.rpartition("@")[2] or "localhost"


# ---- what could not be delivered -------------------------------------------------------


def undelivered(session: Session, limit: int = 200) -> list[OutboxMessage]:
    """Mails given up, and mails still waiting after a failure; newest first."""
    query = (select(OutboxMessage)
             .where(OutboxMessage.sent_at.is_(None), OutboxMessage.last_error.is_not(None))
             .order_by(OutboxMessage.failed_at.is_(None), OutboxMessage.created_at.desc(),
                       OutboxMessage.id.desc())
             .limit(limit))
    return list(session.scalars(query))


def retry(session: Session, public_id: str | None = None) -> int:
    """Put given-up mails (all, or the one with ``public_id``) back for the next delivery.

    Each gets a fresh horizon of tries; returns how many. The caller commits.
    """
    query = select(OutboxMessage).where(OutboxMessage.sent_at.is_(None),
                                        OutboxMessage.failed_at.is_not(None))
    if public_id is not None:
        query = query.where(OutboxMessage.public_id == public_id)
    count = 0
    for message in session.scalars(query):
        message.failed_at = None
        message.next_attempt_at = None
        message.retry_until = None
        count += 1
    return count
