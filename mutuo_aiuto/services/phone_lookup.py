"""Finding an account by its mobile number without storing the number in clear.

``users.phone_lookup`` holds a keyed hash (HMAC-SHA256) of the number in E.164:
the same number always gives the same hash, so the account is found with one
indexed query, and a copied database without the key tells nobody's number.
The number itself lives only encrypted, on the household.

``mobile_e164`` reads a number typed to sign in with ``services/phones.py``
(Italian by default, foreign numbers with their country code).
"""

from __future__ import annotations

import hashlib
import hmac

from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Household, User
from mutuo_aiuto.models.types import installed_lookup_key
from mutuo_aiuto.services.phones import MAX_LENGTH, mobile_number

# The longest number the form takes, spaces included.
MAX_INPUT = MAX_LENGTH


def mobile_e164(raw: str | None) -> str | None:
    """The number in E.164 ("+393331234567") if ``raw`` is a valid mobile number, else None."""
    return mobile_number((raw or "").strip())


def lookup_hash(e164: str, key: bytes | None = None) -> str:
    """The keyed hash stored in ``users.phone_lookup`` for a number in E.164."""
    return hmac.new(key or installed_lookup_key(), e164.encode(), hashlib.sha256).hexdigest()


def user_by_phone(session: Session, e164: str) -> User | None:
    return session.scalars(select(User).filter_by(phone_lookup=lookup_hash(e164))).first()


def link_phone(session: Session, user: User, phone: str | None) -> bool:
    """Point the account's lookup at this number, if it is a mobile one.

    A number that is not a mobile (a landline cannot receive a code), or that
    already opens another account, leaves the account without phone sign-in:
    one number opens one account. Returns whether the account can now sign in by phone.
    """
    e164 = mobile_e164(phone)
    wanted = lookup_hash(e164) if e164 else None
    if wanted is not None:
        holder = session.scalars(select(User.id).filter_by(phone_lookup=wanted)).first()
        if holder is not None and holder != user.id:
            wanted = None
    user.phone_lookup = wanted
    return wanted is not None


def refresh_all(session: Session) -> int:
    """Recompute every account's lookup from its household's phone (after the secret
    key changed, or to repair); returns how many accounts can sign in by phone."""
    linked = 0
    users = session.scalars(select(User).join(Household, Household.user_id == User.id)
                            .order_by(User.id)).all()
    for user in users:
        user.phone_lookup = None
    session.flush()
    for user in users:
        household = user.household
        linked += link_phone(session, user, household.phone if household else None)
        session.flush()
    return linked
