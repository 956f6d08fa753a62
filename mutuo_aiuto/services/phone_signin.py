"""Signing in with a one-time code sent by SMS, and claiming a front-desk account.

A family registered at the Hub's front desk has a phone and maybe no email:
it signs in with a six-digit code sent to its mobile number. The first such
sign-in of an account that never logged in is its "claim" (``needs_welcome``).

What keeps this safe:

- codes live ten minutes, open one session once, and allow five wrong tries;
- only keyed hashes are stored: ``phone_lookup`` for the number, ``code_hash``
  (salted) for the code, so a copied database reveals neither;
- every number, with or without an account, gets the same row, the same
  answer and the same per-number limits: a code is only *sent* to an account's
  number, and nothing on the page or in the timing says whether one was;
- the per-number limits are counted in the database, so they hold across
  every web worker (the per-address limit is Flask-Limiter's, on the routes).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.orm import Session

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import PhoneCode, User
from mutuo_aiuto.models.types import installed_fernet, installed_lookup_key
from mutuo_aiuto.services import accounts, audit, hubtime, policy
from mutuo_aiuto.services.accounts import LinkFor
from mutuo_aiuto.services.database import rowcount
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.passwords import hash_password
from mutuo_aiuto.services.phone_lookup import lookup_hash
from mutuo_aiuto.services.sms_outbox import queue_sms

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
# Codes one number may be sent: a few in a quarter of an hour (a slow SMS, a typo),
# and a day's worth. With five tries each, guessing a code stays below 1 in 10 000 a day.
BURST_LIMIT, BURST_WINDOW = 3, timedelta(minutes=15)
DAILY_LIMIT, DAILY_WINDOW = 10, timedelta(hours=24)
# Rows older than the daily window count for nothing: removed as new ones come.
KEEP_ROWS = DAILY_WINDOW + timedelta(hours=1)
SMS_KIND = "sign_in_code"


class TooManyCodes(DomainError):
    """The number was sent as many codes as it may for now (whether it has an account or not)."""


class CodeNotAccepted(DomainError):
    """The code is not right, has expired, was used, or was tried too many times."""


@dataclass(frozen=True)
class SignIn:
    """Who the code opened, and whether this is the account's first sign-in (its claim)."""

    user: User
    first_time: bool


def needs_welcome(user: User) -> bool:
    """An account made for the family at the front desk, never signed in: no
    password of its own (any value that is not an argon2 hash cannot match)."""
    return user.last_login_at is None and not (user.password_hash or "").startswith("$argon2")


def _code_key() -> bytes:
    # A key of its own for codes, derived from the lookup key: the two hashes never mix.
    return hmac.new(installed_lookup_key(), b"one-time-code", hashlib.sha256).digest()


def code_hash(salt: str, code: str) -> str:
    return hmac.new(_code_key(), f"{salt}:{code}".encode(), hashlib.sha256).hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"


def _lock_number(session: Session, lookup: str) -> None:
    """Serialise code requests for one number (PostgreSQL): two workers counting at once
    would both find room under the limit. SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": int(lookup[:15], 16)})


def _sent_since(session: Session, lookup: str, since: datetime) -> int:
    return session.scalar(select(func.count(PhoneCode.id)).where(
        PhoneCode.phone_lookup == lookup, PhoneCode.created_at > since)) or 0


def _check_limits(session: Session, lookup: str, now: datetime) -> None:
    if (_sent_since(session, lookup, now - BURST_WINDOW) >= BURST_LIMIT
            or _sent_since(session, lookup, now - DAILY_WINDOW) >= DAILY_LIMIT):
        raise TooManyCodes(_l("This number was sent several codes already. Please wait a "
                              "quarter of an hour, then ask for a new one."), field="phone")


def ask_for_code(session: Session, e164: str, *, locale: str,
                 now: datetime | None = None) -> str:
    """Make a code for this number and send it if the number opens an account.

    Returns the lookup hash the sign-in form carries on (never the number). Both
    paths do the same work up to the send, and the send only queues a message,
    so the time taken does not tell whether the number has an account.
    """
    now = now or hubtime.clock().now()
    lookup = lookup_hash(e164)
    _lock_number(session, lookup)
    _check_limits(session, lookup, now)
    session.execute(delete(PhoneCode).where(PhoneCode.created_at < now - KEEP_ROWS))
    user = session.scalars(select(User).filter_by(phone_lookup=lookup)).first()
    if user is not None and not policy.can_sign_in_by_phone(user):
        user = None  # answered exactly like a number without an account
    code, salt = new_code(), secrets.token_hex(16)
    row = PhoneCode(phone_lookup=lookup, user=user, salt=salt, code_hash=code_hash(salt, code),
                    created_at=now, expires_at=now + CODE_LIFETIME)
    session.add(row)
    session.flush()
    if user is not None:
        _send_code(session, e164, code, user.locale or locale, now)
    else:
        _as_long_as_sending(session, row, code, locale)
    return lookup


def _as_long_as_sending(session: Session, row: PhoneCode, code: str, locale: str) -> None:
    """For a number without an account: the work of ``_send_code`` without the SMS (the
    text written and encrypted, one row written), so the answer takes as long."""
    text = _code_text(code, locale)
    installed_fernet().encrypt(text.encode())
    session.execute(update(PhoneCode).where(PhoneCode.id == row.id)
                    .values(code_hash=row.code_hash))


def _send_code(session: Session, e164: str, code: str, locale: str, now: datetime) -> None:
    """The one way a code leaves the Hub: a short SMS in the account's language."""
    message = _code_text(code, locale)
    # Blanked in the SMS outbox once delivered: the code is in clear only until it leaves.
    queue_sms(session, e164, message, SMS_KIND, now, forget_body=True)


def _code_text(code: str, locale: str) -> str:
    with force_locale(locale if locale in LANGUAGES else "it"):
        return str(_("Your Family Hub code: %(code)s. It expires in %(minutes)d minutes. "
                 "Nobody from the Hub will ask you for it.",
                 code=code, minutes=CODE_LIFETIME // timedelta(minutes=1)))


def _wrong_code() -> CodeNotAccepted:
    return CodeNotAccepted(_l("This code is not right. Check the last SMS from the Family "
                              "Hub and type its six digits."), field="code")


def _no_live_code() -> CodeNotAccepted:
    return CodeNotAccepted(_l("This code has expired or can no longer be used. "
                              "Ask for a new one."), field="code")


def sign_in(session: Session, lookup: str, code: str, *,
            now: datetime | None = None) -> SignIn:
    """Open the account whose number was sent this code; ``CodeNotAccepted`` otherwise.

    Every live code of the number is tried (a first SMS may arrive after a second
    one was asked for). Each guess first spends a try of each live code, in one
    update that only counts rows still under the limit: guesses sent at the same
    moment from many places still get five tries a code in all. The code that
    opens the session is marked used, and the number's other codes with it.
    """
    now = now or hubtime.clock().now()
    code = (code or "").strip()
    live = select(PhoneCode.id).where(
        PhoneCode.phone_lookup == lookup, PhoneCode.used_at.is_(None),
        PhoneCode.expires_at > now, PhoneCode.attempts < MAX_ATTEMPTS)
    tried = session.execute(
        update(PhoneCode).where(PhoneCode.id.in_(live), PhoneCode.attempts < MAX_ATTEMPTS)
        .values(attempts=PhoneCode.attempts + 1)
        .returning(PhoneCode.id, PhoneCode.salt, PhoneCode.code_hash, PhoneCode.user_id)
        .execution_options(synchronize_session=False)).all()
    if not tried:
        raise _no_live_code()
    matching = next((row for row in tried if hmac.compare_digest(
        row.code_hash, code_hash(row.salt, code))), None)
    if matching is None or matching.user_id is None:
        raise _wrong_code()  # the caller commits the spent tries before answering
    won = session.execute(update(PhoneCode).where(
        PhoneCode.id == matching.id, PhoneCode.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False))
    if rowcount(won) != 1:  # another request used it a moment ago
        raise _no_live_code()
    session.execute(update(PhoneCode).where(
        PhoneCode.phone_lookup == lookup, PhoneCode.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False))
    user = session.get(User, matching.user_id)
    if user is None:
        raise _wrong_code()
    return _open(session, user, now)


def _open(session: Session, user: User, now: datetime) -> SignIn:
    if not policy.can_sign_in_by_phone(user):  # deactivated, or made staff, since the code
        raise _wrong_code()
    first_time = needs_welcome(user)
    user.last_login_at = now
    audit.record(session, user, audit.PHONE_SIGNED_IN, target=user,
                 details={"first_time": first_time}, at=now)
    return SignIn(user=user, first_time=first_time)


def welcome(session: Session, user: User, *, locale: str, email: str | None,
            password: str | None, secret: str, confirm_link_for: LinkFor,
            reset_link_for: LinkFor, now: datetime | None = None) -> bool:
    """The family takes over the account the Hub made for it: its language, and if it
    wishes an email address (confirmed by a link, as at sign-up) and a password.

    Returns whether the password changed (the caller then logs in again: every
    older session is ended). An address that already has an account is not
    taken over: its owner is told, and the family sees the same answer.
    """
    if locale not in LANGUAGES:
        raise DomainError(_l("This language is not available."), field="locale")
    email = accounts.normalise_email(email) if email else None
    if email is not None and user.email is None:
        if not accounts.looks_like_email(email):
            raise DomainError(_l("This is not a valid email address."), field="email")
        if accounts.mixes_scripts(email):
            raise DomainError(accounts.MIXED_SCRIPTS_MESSAGE, field="email")
    if password:
        accounts.check_password_strength(password, email or user.email or "",
                                         name=user.name or "")
    user.locale = locale
    if email is not None and user.email is None:
        _add_email(session, user, email, secret=secret, confirm_link_for=confirm_link_for,
                   reset_link_for=reset_link_for, now=now)
    if password:
        user.password_hash = hash_password(password)
        accounts.end_all_sessions(user)
    audit.record(session, user, audit.ACCOUNT_CLAIMED, target=user,
                 details={"email_added": user.email is not None,
                          "password_set": bool(password)}, at=now)
    return bool(password)


def _add_email(session: Session, user: User, email: str, *, secret: str,
               confirm_link_for: LinkFor, reset_link_for: LinkFor,
               now: datetime | None) -> None:
    if accounts.find_user(session, email) is not None:
        accounts.warn_email_taken(session, email, secret=secret, link_for=reset_link_for)
        return
    user.email, user.email_confirmed_at = email, None
    session.flush()
    accounts.send_confirmation(session, user, secret=secret, link_for=confirm_link_for, now=now)
