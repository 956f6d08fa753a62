"""Consent: whether a member agreed to the current version of the privacy notice."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from mutuo_aiuto.models import User
from mutuo_aiuto.services import audit, hubtime, policy


def needs_consent(user: Any, version: str) -> bool:
    """A member whose consent is for another version of the notice (or none)."""
    if not policy.is_member(user):
        return False
    return bool(user.consent_version != version)


def give_consent(session: Session, user: User, version: str, *, now: datetime | None = None,
                 request_id: str | None = None) -> None:
    """Record the member's agreement to this version; the audit keeps the history."""
    user.consent_version = version
    user.consent_at = now or hubtime.clock().now()
    audit.record(session, user, audit.CONSENT_GIVEN, target=user,
                 details={"version": version}, request_id=request_id)
