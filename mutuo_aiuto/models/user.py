"""Accounts: who can log in, in which role, with which consent."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mutuo_aiuto.extensions import Model
from mutuo_aiuto.models.types import UTCDateTime, new_public_id, utcnow

if TYPE_CHECKING:
    from mutuo_aiuto.models.household import Household

class Role(StrEnum):
    """What an account may do: a family or helper, a facilitator, an administrator."""

    MEMBER = "member"
    FACILITATOR = "facilitator"
    ADMIN = "admin"


MEMBER = Role.MEMBER
FACILITATOR = Role.FACILITATOR
ADMIN = Role.ADMIN
# Plain strings, so the CHECK constraint's text stays as the migrations wrote it.
ROLES = tuple(role.value for role in Role)


class ComesFor(StrEnum):
    """What a person comes to the Hub for, asked at sign-up: help, to help, or both."""

    NEED = "need"
    GIVE = "give"
    BOTH = "both"


COMES_FOR = tuple(kind.value for kind in ComesFor)
# Accounts made before the question was asked, and by an operator: they could always
# ask and offer, so "both" hides nothing they had.
COMES_FOR_DEFAULT = ComesFor.BOTH.value


class NotifyBy(StrEnum):
    """How a member hears of news and reminders (issue 16): mail, SMS, or both."""

    MAIL = "mail"
    SMS = "sms"
    BOTH = "both"


NOTIFY_BY = tuple(way.value for way in NotifyBy)
NOTIFY_BY_DEFAULT = NotifyBy.MAIL.value


class User(UserMixin, Model):  # type: ignore[misc]  # flask_login ships no types
    __tablename__ = "users"
    __table_args__ = (
        CheckConstraint(f"role IN {ROLES!r}", name="role"),
        CheckConstraint(f"comes_for IN {COMES_FOR!r}", name="comes_for"),
        CheckConstraint(f"notify_by IN {NOTIFY_BY!r}", name="notify_by"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(16), unique=True, default=new_public_id)
    # None for a family registered at the Hub's front desk without an address it reads:
    # it cannot log in with a password, and hears from the Hub by other means (issue 16).
    # Unique all the same: several NULLs never collide.
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    # Never empty: an account with no usable password holds a value no hash matches
    # (``passwords.UNUSABLE``), so verification answers no without a special case.
    password_hash: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str] = mapped_column(String(8), default="it")
    role: Mapped[str] = mapped_column(String(20), default=MEMBER.value)
    active: Mapped[bool] = mapped_column(default=True)
    # need / give / both: which pages and menu the person sees (policy.py decides).
    comes_for: Mapped[str] = mapped_column(String(8), default=COMES_FOR_DEFAULT,
                                           server_default=COMES_FOR_DEFAULT)
    # mail / sms / both: where notices go (services/channels.py decides, falling back
    # to whichever the account can receive).
    notify_by: Mapped[str] = mapped_column(String(8), default=NOTIFY_BY_DEFAULT,
                                           server_default=NOTIFY_BY_DEFAULT)
    # Raised on logout, password change and "sign out everywhere": every
    # session cookie carries the version it was issued with.
    session_version: Mapped[int] = mapped_column(default=1)
    consent_version: Mapped[str | None] = mapped_column(String(20))
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Until the owner opens the link mailed at registration (or resets the
    # password) the account cannot log in: registering then tells nobody
    # whether an address already had an account. Operators' accounts start confirmed.
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the last confirmation link left, so repeated logins do not flood the mailbox.
    confirmation_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The secret in the address of the private calendar feed; revocable.
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    # A keyed hash (HMAC-SHA256) of the account's mobile number in E.164, to find the
    # account when someone signs in by phone; the number itself is stored only
    # encrypted (households.phone). See ``services/phone_lookup.py``.
    phone_lookup: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)
    # The last day a facilitator's daily digest was sent (one a day, issue 5).
    digest_sent_on: Mapped[date | None]

    household: Mapped[Household | None] = relationship(back_populates="user",
                                                       foreign_keys="Household.user_id")

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.public_id}:{self.session_version}"

    @property
    def is_facilitator(self) -> bool:
        return self.role in (FACILITATOR, ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == ADMIN

    def __repr__(self) -> str:
        return f"<User {self.public_id} {self.role}>"
