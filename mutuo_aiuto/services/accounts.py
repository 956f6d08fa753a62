"""Accounts: sign up and confirm the address, authenticate, reset a password, preferences.

Every function takes the session and leaves the commit to the caller. Messages
never tell whether an email address has an account: ``sign_up`` answers a
taken address by mailing its owner, and the account it creates cannot log in
until the link mailed to the address is opened, so the person signing up sees
the same thing either way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session
from zxcvbn import zxcvbn

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import COMES_FOR, COMES_FOR_DEFAULT, MEMBER, ROLES, OutboxMessage, User
from mutuo_aiuto.services import calendar_feed, channels, hubtime, ports, tokens
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.passwords import hash_password, needs_rehash, verify_password

MIN_PASSWORD_LENGTH = 10
# zxcvbn scores (0-4) a password needs: a member's, and a facilitator's or administrator's.
MEMBER_SCORE, STAFF_SCORE = 3, 4
ZXCVBN_MAX_LENGTH = 72
# Words anyone who knows the service would try first.
SERVICE_WORDS = ("mutuo", "aiuto", "mutuoaiuto", "mutuo aiuto", "perugia", "family hub",
                 "centro per le famiglie")
MIXED_SCRIPTS_MESSAGE = _l("This address mixes letters of different alphabets: please check "
                           "that you typed it as it is.")
# Turns a token into the absolute address mailed (see "mails about the account").
LinkFor = Callable[[str], str]
# A new confirmation link at most this often, however many times one logs in.
CONFIRMATION_RESEND_AFTER = timedelta(minutes=5)
# A local part this short ("al@…") would forbid too many good passwords.
MIN_LOCAL_PART_CHECKED = 3

# Passwords of 10+ characters that top the leaked-password lists (shorter ones
# already fail the length rule), with a few Italian favourites. Compared in
# lower case.
COMMON_PASSWORDS = frozenset({
    "1234567890", "12345678910", "0123456789", "0987654321", "1111111111", "0000000000",
    "1234512345", "1122334455", "123456789a", "a123456789", "1q2w3e4r5t", "1qaz2wsx3edc",
    "qwertyuiop", "qwerty1234", "qwerty12345", "qwertyuiop123", "asdfghjkl1", "zxcvbnm123",
    "password12", "password123", "password1234", "password!1", "passw0rd12", "passwordpassword",
    "iloveyou12", "iloveyou123", "football123", "baseball123", "superman123", "princess123",
    "sunshine123", "letmein123", "welcome123", "welcome1234", "trustno1234", "abc1234567",
    "abcdefghij", "abcdefgh12", "changeme123", "administrator", "admin12345", "admin123456",
    "mutuoaiuto", "mutuoaiuto1", "mutuoaiuto123", "mutuo-aiuto", "perugia123", "perugia2024",
    "perugia2025", "perugia2026", "ciaociao12", "ciaociao123", "ti amo per sempre",
    "tiamo12345", "tiamotanto", "juventus123", "forzajuve1", "forzainter", "forzamilan",
    "forzaroma1", "napoli1926", "amoremio123", "passwordpassword1",
})


class EmailTaken(DomainError):
    """The address already has an account (the view must not reveal this)."""


class WeakPassword(DomainError):
    """The password breaks one of the strength rules; the message says which."""


class WrongPassword(DomainError):
    """The current password given to change it is not the right one."""


class EmailNotConfirmed(DomainError):
    """The password was right, but the address was never confirmed: no login yet.

    Only someone who knows the password gets this, so it reveals nothing about
    which addresses have accounts. ``user`` is the account, to mail it a new link.
    """

    def __init__(self, user: User) -> None:
        super().__init__(_l("Confirm your address first."))
        self.user = user


class AlreadyConfirmed(DomainError):
    """A confirmation link was opened again after it had done its work."""


def normalise_email(email: str) -> str:
    """Addresses are compared and stored in NFKC form, trimmed and in lower case: a
    full-width "ａ" or a ligature is the letter it looks like, so it cannot make a
    second account for the same address."""
    return unicodedata.normalize("NFKC", email).strip().lower()


def scripts_of(text: str) -> set[str]:
    """The writing systems of the letters in ``text`` ("LATIN", "CYRILLIC", "GREEK" …)."""
    return {unicodedata.name(ch, "?").split(" ")[0] for ch in text if ch.isalpha()}


def mixes_scripts(email: str) -> bool:
    """Whether the local part mixes alphabets (a Cyrillic "а" among Latin letters):
    the look-alike of another address, refused rather than told apart."""
    return len(scripts_of(normalise_email(email).rpartition("@")[0])) > 1


def looks_like_email(email: str) -> bool:
    """A light check for callers without a form (the CLI); forms validate fully."""
    local, at, domain = email.partition("@")
    return bool(local and at and "." in domain.strip(".") and "@" not in domain
                and not any(ch.isspace() for ch in email))


def check_password_strength(password: str, email: str = "", *, name: str = "",
                            staff: bool = False) -> None:
    """Raise ``WeakPassword(field="password")`` naming the first rule broken.

    Beyond the length and the address, the strength is estimated by zxcvbn (its
    dictionaries of common passwords, words, names, keyboard walks and sequences),
    given the person's own words (address, name) and the service's, which make
    a password easy to guess for whoever knows them. Staff accounts open every
    family's data: they need the top score.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(_l("The password must be at least %(n)s characters long.",
                              n=MIN_PASSWORD_LENGTH), field="password")
    lowered = password.lower()
    if lowered.strip() in COMMON_PASSWORDS or lowered.strip() == _demo_password():
        raise WeakPassword(_l("This password is too common and easy to guess: "
                              "please choose another one."), field="password")
    local_part = normalise_email(email).partition("@")[0]
    if len(local_part) >= MIN_LOCAL_PART_CHECKED and local_part in lowered:
        raise WeakPassword(_l("The password must not contain your email address."),
                           field="password")
    score = password_score(password, [email, local_part, name, *name.split()])
    if score < (STAFF_SCORE if staff else MEMBER_SCORE):
        raise WeakPassword(
            _l("Staff accounts need a stronger password: use a longer one, for example a "
               "few words that belong together only for you.") if staff else
            _l("This password is too easy to guess: use a longer one, for example a few "
               "words that belong together only for you."), field="password")


def password_score(password: str, own_words: list[str]) -> int:
    """zxcvbn's score from 0 (guessed at once) to 4 (very hard to guess)."""
    words = [word for word in own_words if word] + [*SERVICE_WORDS, _demo_password()]
    # zxcvbn refuses more than 72 characters: a password whose first 72 are strong is.
    return int(zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=words)["score"])


def _demo_password() -> str:
    from mutuo_aiuto.services.demo import DEMO_PASSWORD

    return DEMO_PASSWORD


def find_user(session: Session, email: str) -> User | None:
    return session.scalars(
        select(User).where(func.lower(User.email) == normalise_email(email))).first()


def create_user(session: Session, *, email: str, password: str, name: str,
                role: str = MEMBER, locale: str = "it", confirmed: bool = True,
                now: datetime | None = None) -> User:
    """Create an account, refusing weak passwords and taken addresses.

    An operator who creates an account vouches for its address, so it starts
    confirmed; ``register`` passes ``confirmed=False``.
    """
    if role not in ROLES:
        raise DomainError(_l("Unknown role."), field="role")
    email = normalise_email(email)
    if not looks_like_email(email):
        raise DomainError(_l("This is not a valid email address."), field="email")
    if mixes_scripts(email):
        raise DomainError(MIXED_SCRIPTS_MESSAGE, field="email")
    check_password_strength(password, email, name=name, staff=role != MEMBER)
    # Hash before looking the address up, so that a taken address answers
    # as slowly as a new one.
    password_hash = hash_password(password)
    if find_user(session, email) is not None:
        raise EmailTaken(_l("An account with this email address already exists."),
                         field="email")
    confirmed_at = (now or hubtime.clock().now()) if confirmed else None
    user = User(email=email, password_hash=password_hash, name=name.strip(), role=role,
                locale=locale, email_confirmed_at=confirmed_at)
    session.add(user)
    session.flush()
    return user


def check_comes_for(comes_for: str | None) -> str:
    """``need``, ``give`` or ``both``; anything else is refused on the form's field."""
    if comes_for not in COMES_FOR:
        raise DomainError(_l("Choose whether you need help, can help, or both."),
                          field="comes_for")
    return comes_for


def register(session: Session, *, email: str, password: str, name: str, locale: str,
             consent_version: str, comes_for: str = COMES_FOR_DEFAULT,
             now: datetime | None = None) -> User:
    """A member account with the consent recorded, not confirmed yet (``EmailTaken`` if taken)."""
    comes_for = check_comes_for(comes_for)
    user = create_user(session, email=email, password=password, name=name, role=MEMBER,
                       locale=locale, confirmed=False, now=now)
    user.comes_for = comes_for
    user.consent_version = consent_version
    user.consent_at = now or hubtime.clock().now()
    return user


def sign_up(session: Session, *, email: str, password: str, name: str, locale: str,
            consent_version: str, secret: str, confirm_link_for: LinkFor,
            reset_link_for: LinkFor, comes_for: str = COMES_FOR_DEFAULT,
            now: datetime | None = None) -> User | None:
    """A family or volunteer signs up; the caller answers the same whatever happens here.

    A new address gets an unconfirmed account and a confirmation link; a taken
    one gets no account, and its owner a mail saying someone tried (``None``
    is returned). Invalid input raises before the address is looked up, so
    errors do not depend on it either.
    """
    # Both branches cost about the same, so response times do not tell them
    # apart: ``create_user`` hashes the password before looking the address up
    # (argon2 is by far the slowest step), then each branch queues one mail.
    try:
        user = register(session, email=email, password=password, name=name, locale=locale,
                        consent_version=consent_version, comes_for=comes_for, now=now)
    except EmailTaken:
        warn_email_taken(session, email, secret=secret, link_for=reset_link_for)
        return None
    send_confirmation(session, user, secret=secret, link_for=confirm_link_for, now=now)
    return user


def confirm_email(session: Session, *, token: str, secret: str,
                  max_age: int = tokens.CONFIRMATION_MAX_AGE,
                  now: datetime | None = None) -> User:
    """Confirm the address a link was mailed to; the caller then logs the person in.

    Raises ``tokens.ConfirmationLinkInvalid``/``ConfirmationLinkExpired``, or
    ``AlreadyConfirmed`` when the link was used before (it logs nobody in twice).
    """
    user = tokens.user_for_confirmation_token(session, token, secret, max_age)
    if user.email_confirmed_at is not None:
        raise AlreadyConfirmed(_l("Your address is already confirmed: please log in."))
    user.email_confirmed_at = user.last_login_at = now or hubtime.clock().now()
    return user


def authenticate(session: Session, email: str, password: str,
                 now: datetime | None = None) -> User | None:
    """The active account these credentials open, or None whatever was wrong.

    With the right password for an account whose address was never confirmed,
    raises ``EmailNotConfirmed`` instead. A success records the login time and
    rehashes the password when the argon2 parameters have changed since it was stored.
    """
    user = find_user(session, email)
    # Verify even without an account, so both failures take the same time.
    if not verify_password(user.password_hash if user else None, password):
        return None
    if user is None or not user.active:
        return None
    if user.email_confirmed_at is None:
        raise EmailNotConfirmed(user)
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = now or hubtime.clock().now()
    return user


def end_all_sessions(user: User) -> None:
    """Invalidate every session cookie of the account, on every device, and the
    calendar feed's secret address with them (the person is told in the inbox)."""
    user.session_version = (user.session_version or 1) + 1
    session = object_session(user)
    if session is not None:
        calendar_feed.replace_after_sign_out(session, user)


def set_password(user: User, password: str) -> None:
    """Store a new password (strength checked) and end every other session."""
    check_password_strength(password, user.email or "", name=user.name or "",
                            staff=user.is_facilitator)
    user.password_hash = hash_password(password)
    end_all_sessions(user)


def change_password(session: Session, user: User, *, current_password: str,
                    new_password: str) -> None:
    if not verify_password(user.password_hash, current_password):
        raise WrongPassword(_l("The current password is not correct."),
                            field="current_password")
    set_password(user, new_password)


def reset_password(session: Session, *, token: str, password: str, secret: str,
                   max_age: int, now: datetime | None = None) -> User:
    """Set the password of the account a reset link was sent to; the link then stops working.

    It also confirms the address: the link was read in that mailbox.
    """
    user = tokens.user_for_reset_token(session, token, secret, max_age)
    set_password(user, password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now or hubtime.clock().now()
    return user


def update_account(session: Session, user: User, *, name: str, locale: str,
                   comes_for: str | None = None, notify_by: str | None = None) -> None:
    """Name and language; for a member also what they come for and how they hear of
    news: mail, SMS or both (None keeps each)."""
    if locale not in LANGUAGES:
        raise DomainError(_l("This language is not available."), field="locale")
    chosen_way = channels.check_notify_by(user, notify_by) if notify_by is not None else None
    if comes_for is not None:
        user.comes_for = check_comes_for(comes_for)
    if chosen_way is not None:
        user.notify_by = chosen_way
    user.name = name.strip()
    set_locale(session, user, locale)


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the language a member chose."""
    user.locale = locale


# ---- mails about the account -------------------------------------------------
# ``link_for(token)`` turns a token into an absolute address: the web layer
# builds it from the configured base URL, never from the request's Host.

CONFIRMATION_PATH = re.compile(r"/confirm/[A-Za-z0-9_.-]+")


def send_confirmation(session: Session, user: User, *, secret: str, link_for: LinkFor,
                      now: datetime | None = None) -> OutboxMessage | None:
    """Mail the link that confirms the account's address, in the account's language."""
    user.confirmation_sent_at = now or hubtime.clock().now()
    link = link_for(tokens.make_confirmation_token(user, secret))
    return ports.mailer().send(session, user, "confirm_email",
                               _l("Confirm your address for Mutuo Aiuto"), link=link,
                               days=tokens.CONFIRMATION_MAX_AGE // (24 * 3600))


def resend_confirmation(session: Session, user: User, *, secret: str, link_for: LinkFor,
                        now: datetime | None = None) -> OutboxMessage | None:
    """A new confirmation link, unless one left in the last few minutes (then None)."""
    now = now or hubtime.clock().now()
    last = user.confirmation_sent_at
    if last is not None and now - last < CONFIRMATION_RESEND_AFTER:
        return None
    return send_confirmation(session, user, secret=secret, link_for=link_for, now=now)


def confirmation_link_in(body: str) -> str | None:
    """The path (``/confirm/<token>``) of the confirmation link in a mail, for tests and tools."""
    found = CONFIRMATION_PATH.search(body)
    return found.group(0) if found else None


def send_reset_link(session: Session, email: str, *, secret: str, link_for: LinkFor,
                    signup_link: str, locale: str) -> OutboxMessage | None:
    """Mail a reset link to the active account with this address, or else a mail saying
    that no account uses it (with the sign-up link, in the language of the request).

    Both paths do the same work (sign a reset token, render a mail, queue it), so the
    answer takes as long whether the address has an account or not: a response time
    must not tell who uses the service.
    """
    user = find_user(session, email)
    recipient = user if user is not None and user.active else _stand_in(email, locale)
    known = recipient is user
    reset_link = link_for(tokens.make_reset_token(recipient, secret))
    if known:
        return ports.mailer().send(session, recipient, "reset_password",
                                   _l("Reset your Mutuo Aiuto password"), link=reset_link)
    return ports.mailer().send(session, recipient, "no_account",
                               _l("Reset your Mutuo Aiuto password"), link=signup_link)


def _stand_in(email: str, locale: str) -> User:
    """An account-shaped recipient for an address without an account; never stored."""
    # An empty hash, never stored: the stand-in only addresses a mail.
    return User(email=normalise_email(email), name="", locale=locale, public_id="-",
                password_hash="")  # nosec B106


def warn_email_taken(session: Session, email: str, *, secret: str,
                     link_for: LinkFor) -> OutboxMessage | None:
    """Tell the owner of an address that someone tried to register with it."""
    user = find_user(session, email)
    if user is None:
        return None
    link = link_for(tokens.make_reset_token(user, secret))
    return ports.mailer().send(session, user, "email_taken",
                               _l("Someone tried to register with your address"), link=link)


def send_password_changed(session: Session, user: User) -> OutboxMessage | None:
    """Tell the owner, so a change they did not make does not go unnoticed."""
    return ports.mailer().send(session, user, "password_changed",
                               _l("Your Mutuo Aiuto password was changed"))
