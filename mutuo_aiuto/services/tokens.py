"""Signed, expiring links: the password-reset token and the address-confirmation token.

A reset token names the account and carries a fingerprint of its current
password hash. Setting a new password changes the hash (argon2 salts every
hash), so a link works once: after a reset, the same link is refused.

A confirmation token names the account and a fingerprint of the address it was
mailed to, so it confirms that address and no other; whether it was already
used is the account's ``email_confirmed_at``, checked by the caller.
"""

from __future__ import annotations

import hashlib
import hmac

from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import User
from mutuo_aiuto.services.errors import DomainError

RESET_SALT = "mutuo-aiuto.password-reset"
CONFIRMATION_SALT = "mutuo-aiuto.email-confirmation"
# Long enough for someone who reads mail once or twice a week.
CONFIRMATION_MAX_AGE = 3 * 24 * 3600


class ResetLinkInvalid(DomainError):
    """The link is damaged, was already used, or its account cannot log in."""


class ResetLinkExpired(ResetLinkInvalid):
    """The link was valid but is older than the allowed age."""


class ConfirmationLinkInvalid(DomainError):
    """The confirmation link is damaged, or its account is gone or cannot log in."""


class ConfirmationLinkExpired(ConfirmationLinkInvalid):
    """The confirmation link was valid but is older than the allowed age."""


def _serializer(secret: str, salt: str = RESET_SALT) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=salt)


def password_fingerprint(password_hash: str) -> str:
    # A digest, not the hash itself: the token is signed, not encrypted, and
    # the argon2 hash must not travel in mail.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:24]


def make_reset_token(user: User, secret: str) -> str:
    payload = {"u": user.public_id, "f": password_fingerprint(user.password_hash)}
    return _serializer(secret).dumps(payload)


def user_for_reset_token(session: Session, token: str, secret: str, max_age: int) -> User:
    """The account a reset link belongs to, or ``ResetLinkInvalid``/``ResetLinkExpired``."""
    try:
        payload = _serializer(secret).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ResetLinkExpired(_l("This link has expired. Please ask for a new one.")) from error
    except BadSignature as error:
        raise _invalid() from error
    if not isinstance(payload, dict):
        raise _invalid()
    user = session.scalars(select(User).filter_by(public_id=str(payload.get("u")))).first()
    # An account without an address (registered at the front desk) has none to confirm.
    if user is None or not user.active or not user.email or not hmac.compare_digest(
            password_fingerprint(user.password_hash), str(payload.get("f"))):
        raise _invalid()
    return user


def _invalid() -> ResetLinkInvalid:
    return ResetLinkInvalid(_l("This link is not valid or was already used. "
                               "Please ask for a new one."))


# ---- address confirmation ------------------------------------------------------------------

def email_fingerprint(email: str | None) -> str:
    return hashlib.sha256((email or "").strip().lower().encode()).hexdigest()[:24]


def make_confirmation_token(user: User, secret: str) -> str:
    payload = {"u": user.public_id, "e": email_fingerprint(user.email)}
    return _serializer(secret, CONFIRMATION_SALT).dumps(payload)


def user_for_confirmation_token(session: Session, token: str, secret: str,
                                max_age: int = CONFIRMATION_MAX_AGE) -> User:
    """The account a confirmation link belongs to, confirmed or not.

    Raises ``ConfirmationLinkExpired`` or ``ConfirmationLinkInvalid``.
    """
    try:
        payload = _serializer(secret, CONFIRMATION_SALT).loads(token, max_age=max_age)
    except SignatureExpired as error:
        raise ConfirmationLinkExpired(_l(
            "This confirmation link has expired. Log in with your email and password: "
            "we will send you a new one.")) from error
    except BadSignature as error:
        raise _confirmation_invalid() from error
    if not isinstance(payload, dict):
        raise _confirmation_invalid()
    user = session.scalars(select(User).filter_by(public_id=str(payload.get("u")))).first()
    # An account without an address (registered at the front desk) has none to confirm.
    if user is None or not user.active or not user.email or not hmac.compare_digest(
            email_fingerprint(user.email), str(payload.get("e"))):
        raise _confirmation_invalid()
    return user


def _confirmation_invalid() -> ConfirmationLinkInvalid:
    return ConfirmationLinkInvalid(_l(
        "This confirmation link is not valid. Check that you copied all of it, or log in "
        "with your email and password: we will send you a new one."))
