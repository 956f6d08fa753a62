"""What ``/healthz`` reports: the database, the rate-limit store, the encryption keys.

Each check is cheap (one query, one ping with a short timeout, one value per
encrypted column), so a monitor may call it every few seconds.
"""

from __future__ import annotations

import logging
from typing import Any

from cryptography.fernet import MultiFernet
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

OK, DEGRADED, ERROR = "ok", "degraded", "error"


def check(session: Session, limiter: Any, fernet: MultiFernet,
          ratelimit_storage_uri: str) -> dict[str, Any]:
    """The report: each part's state and the overall status (ok, degraded or error);
    ``fernet`` holds the configured encryption keys."""
    report: dict[str, Any] = {"database": _database(session)}
    report["encryption"] = (_encryption(session, fernet) if report["database"] == OK
                            else "unknown")
    report["rate_limits"] = _rate_limits(limiter, ratelimit_storage_uri)
    if report["database"] != OK or report["encryption"] != OK:
        report["status"] = ERROR
    elif report["rate_limits"] == "unavailable":
        report["status"] = DEGRADED
    else:
        report["status"] = OK
    return report


def _database(session: Session) -> str:
    try:
        session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        session.rollback()
        return "unavailable"
    return OK


def _encryption(session: Session, fernet: MultiFernet) -> str:
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import keys

    try:
        unreadable = keys.sample_unreadable(session, db.metadata, fernet)
    except SQLAlchemyError:
        session.rollback()
        return "unknown"
    if unreadable:
        logger.error("the configured keys cannot open %s", ", ".join(unreadable))
        return "undecryptable"
    return OK


def _rate_limits(limiter: Any, storage_uri: str) -> str:
    """"memory" when counted per process on purpose; Redis answering a ping or not."""
    if storage_uri.startswith("memory"):
        return "memory"
    return OK if limiter.storage.check() else "unavailable"
