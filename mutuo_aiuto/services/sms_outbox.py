"""The SMS outbox: texts stored in the caller's transaction, delivered by the scheduler.

The same rules as mail (services/outbox.py): a web request only queues
(``queue_sms``); the scheduler's ``jobs.deliver_sms`` sends every minute, each
text claimed, sent and marked in its own short transaction, so a delivery
killed mid-batch leaves every text it sent marked sent. A failure waits
(doubling from MAIL_RETRY_FIRST_SECONDS up to MAIL_RETRY_MAX_SECONDS) and is
given up SMS_GIVE_UP_HOURS after the first, or at once when the provider
refused the number; the given-up ones are listed with the undelivered mail and
sent again with ``flask outbox-retry``.

A text goes to the mobile number of the account's household, in E.164; an
account without one gets none (``queue_sms`` returns None, the caller's mail
or inbox notice stands alone).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.config import Settings
from mutuo_aiuto.models import SmsMessage, User
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.outbox import BATCH, claim, due_conditions, retry_delay
from mutuo_aiuto.services.phones import PhoneError, mobile_number
from mutuo_aiuto.services.sms import Send, Sms, SmsFailed, gateway, mask_number
from mutuo_aiuto.services.sms_segments import count

logger = logging.getLogger("mutuo_aiuto.sms")

FORGOTTEN = "[removed once sent]"


def sms_number(user: User) -> str | None:
    """The E.164 mobile number texts for ``user`` go to: its household's, if it is a mobile."""
    household = user.household
    return mobile_number(household.phone) if household is not None else None


def queue_sms(session: Session, to: User | str, body: str, kind: str,
              now: datetime | None = None, *, forget_body: bool = False) -> SmsMessage | None:
    """Store a text to be delivered; it leaves when the caller's transaction commits.

    ``to`` is an account (its household's mobile; None is returned when it has
    none) or a number as typed (``PhoneError`` unless it is a valid mobile).
    ``forget_body`` blanks the body once sent (a sign-in code).
    """
    if isinstance(to, User):
        number, user_id = sms_number(to), to.id
        if number is None:
            return None
    else:
        number, user_id = mobile_number(to), None
        if number is None:
            raise PhoneError(_l("This is not a mobile number: text messages cannot reach "
                                "it."), field="phone")
    message = SmsMessage(user_id=user_id, recipient=number, body=body, kind=kind[:40],
                         forget_body=forget_body, segments=count(body).segments,
                         created_at=now or hubtime.clock().now())
    session.add(message)
    session.flush()
    return message


def deliver_pending_sms(session: Session, settings: Settings, now: datetime | None = None,
                        send: Send | None = None) -> int:
    """Send the texts that are due; return how many left. Never raises on a gateway error.

    Commits: each text is claimed, then marked sent or failed, in a transaction of its own.
    """
    now = now or hubtime.clock().now()
    send = send or gateway(settings)
    due = list(session.scalars(select(SmsMessage.id).where(*due_conditions(now, SmsMessage))
                               .order_by(SmsMessage.id).limit(BATCH)))
    session.commit()
    sent = 0
    for message_id in due:
        message = claim(session, SmsMessage, message_id, now)
        if message is None:
            continue
        try:
            provider_id = send(Sms(message.recipient, message.body, message.public_id,
                                   secret=message.forget_body))
        except SmsFailed as error:
            _record_failure(session, message, error, settings, now)
            continue
        _mark_sent(session, message, provider_id, now)
        sent += 1
    return sent


def _mark_sent(session: Session, message: SmsMessage, provider_id: str, now: datetime) -> None:
    message.sent_at = now
    message.provider_id = provider_id[:64]
    message.last_error = None
    message.next_attempt_at = None
    if message.forget_body:
        message.body = FORGOTTEN
    session.commit()


def _record_failure(session: Session, message: SmsMessage, error: SmsFailed,
                    settings: Settings, now: datetime) -> None:
    message.last_error = str(error)[:500]
    if message.retry_until is None:
        message.retry_until = now + timedelta(hours=settings.sms_give_up_hours)
    if error.permanent or now >= message.retry_until:
        message.failed_at = now
        message.next_attempt_at = None
    else:
        message.next_attempt_at = now + retry_delay(message.attempts, settings)
    session.commit()
    logger.warning("SMS %s to %s not sent (attempt %s%s): %s", message.public_id,
                   mask_number(message.recipient), message.attempts,
                   ", given up" if message.failed_at else "", message.last_error)


def undelivered_sms(session: Session, limit: int = 200) -> list[SmsMessage]:
    """Texts given up, and texts still waiting after a failure; newest first."""
    query = (select(SmsMessage)
             .where(SmsMessage.sent_at.is_(None), SmsMessage.last_error.is_not(None))
             .order_by(SmsMessage.failed_at.is_(None), SmsMessage.created_at.desc(),
                       SmsMessage.id.desc())
             .limit(limit))
    return list(session.scalars(query))


def retry_sms(session: Session, public_id: str | None = None) -> int:
    """Put given-up texts (all, or the one with ``public_id``) back for the next delivery,
    each with a fresh horizon of tries; return how many. The caller commits."""
    query = select(SmsMessage).where(SmsMessage.sent_at.is_(None),
                                     SmsMessage.failed_at.is_not(None))
    if public_id is not None:
        query = query.where(SmsMessage.public_id == public_id)
    count = 0
    for message in session.scalars(query):
        message.failed_at = message.next_attempt_at = message.retry_until = None
        count += 1
    return count
