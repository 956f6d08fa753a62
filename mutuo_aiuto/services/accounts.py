"""Accounts: register, authenticate, reset a password, change preferences."""

from __future__ import annotations

from sqlalchemy.orm import Session

from mutuo_aiuto.models import User


def set_locale(session: Session, user: User, locale: str) -> None:
    """Remember the language a member chose."""
    user.locale = locale
