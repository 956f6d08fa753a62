"""Signed, expiring links: the password-reset token.

The token names the account and carries a fingerprint of its current password
hash. Setting a new password changes the hash (argon2 salts every hash), so a
link works once: after a reset, the same link is refused.
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


class ResetLinkInvalid(DomainError):
    """The link is damaged, was already used, or its account cannot log in."""


class ResetLinkExpired(ResetLinkInvalid):
    """The link was valid but is older than the allowed age."""


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt=RESET_SALT)


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
    if user is None or not user.active or not hmac.compare_digest(
            password_fingerprint(user.password_hash), str(payload.get("f"))):
        raise _invalid()
    return user


def _invalid() -> ResetLinkInvalid:
    return ResetLinkInvalid(_l("This link is not valid or was already used. "
                               "Please ask for a new one."))
