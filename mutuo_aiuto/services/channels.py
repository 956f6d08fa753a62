"""Which way a notice reaches a member: mail, SMS or both, as they chose (issue 16).

A member chooses on the account page (``User.notify_by``); the choice holds only
where it can: SMS needs a valid mobile number on the household, mail needs an
email address. A member who chose SMS but whose phone is now a landline gets
mail; an account without an email address (registered at the front desk) gets
SMS whatever the column says. Nobody with a way to be reached is left unheard.

``tell`` is the one place the services send a member's notice from: the mail
through ``ports.mailer()``, the text through ``ports.texter()``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from mutuo_aiuto.models import MEMBER, NOTIFY_BY, NotifyBy, User
from mutuo_aiuto.services import ports, sms_texts
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.sms_outbox import sms_number


def wants_sms(user: User) -> bool:
    """Whether notices go to ``user`` by SMS: a member who chose it (or has no email), with
    a mobile to send to. Staff hear of their work by mail (and are not asked)."""
    if user.role != MEMBER:
        return False
    chosen = user.notify_by in (NotifyBy.SMS, NotifyBy.BOTH) or not user.email
    return chosen and sms_number(user) is not None


def wants_mail(user: User) -> bool:
    """Whether notices go to ``user`` by mail: chosen, or SMS chosen but not possible."""
    if not user.email:
        return False
    return user.notify_by in (NotifyBy.MAIL, NotifyBy.BOTH) or not wants_sms(user)


def sms_possible(user: User) -> bool:
    """Whether the account page offers SMS: the household has a valid mobile number."""
    return sms_number(user) is not None


def check_notify_by(user: User, value: str) -> str:
    """A member's choice, refused when it names SMS and there is no mobile to send to."""
    if value not in NOTIFY_BY:
        raise DomainError(_l("Choose mail, SMS or both."), field="notify_by")
    if value != NotifyBy.MAIL and not sms_possible(user):
        raise DomainError(_l("Add a mobile number to your details first: text messages "
                             "go to that number."), field="notify_by")
    return value


def tell(session: Session, user: User, kind: str, subject: object, /, *,
         text: Any = sms_texts.NEWS, now: datetime | None = None,
         sms_values: dict[str, Any] | None = None, **mail_values: Any) -> None:
    """Send notice ``kind`` the ways ``user`` is reached: the mail ``kind`` with
    ``subject`` and ``mail_values``, and/or the SMS ``text`` with ``sms_values``
    (``text=None``: this notice has no SMS, only the mail)."""
    if wants_mail(user):
        ports.mailer().send(session, user, kind, subject, **mail_values)
    if text is not None and wants_sms(user):
        ports.texter().send(session, user, kind, text, now=now, **(sms_values or {}))
