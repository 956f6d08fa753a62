"""Leases: a named row in the database that one holder keeps for a while.

The scheduler takes the lease called ``scheduler`` so that, even when it is
started twice, only one process runs the jobs. Taking and renewing are one
conditional statement each, so two holders can never both succeed: the
database decides, not a read followed by a write.

The caller commits (the lease means nothing until it does).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Lease
from mutuo_aiuto.services.database import rowcount


def acquire(session: Session, name: str, holder: str, ttl_seconds: int,
            now: datetime) -> bool:
    """Take or renew the lease for ``ttl_seconds``; False while someone else holds it."""
    expires_at = now + timedelta(seconds=ttl_seconds)
    taken = session.execute(
        update(Lease)
        .where(Lease.name == name, (Lease.holder == holder) | (Lease.expires_at <= now))
        .values(holder=holder, expires_at=expires_at)
        .execution_options(synchronize_session=False))
    if rowcount(taken) == 1:
        return True
    return _insert(session, Lease(name=name, holder=holder, expires_at=expires_at))


def renew(session: Session, name: str, holder: str, ttl_seconds: int, now: datetime) -> bool:
    """Extend ``holder``'s lease, even if it lapsed, as long as nobody else took it."""
    renewed = session.execute(
        update(Lease).where(Lease.name == name, Lease.holder == holder)
        .values(expires_at=now + timedelta(seconds=ttl_seconds))
        .execution_options(synchronize_session=False))
    return rowcount(renewed) == 1


def _insert(session: Session, lease: Lease) -> bool:
    # The row may not exist yet: the primary key lets only one first insert win.
    try:
        with session.begin_nested():
            session.add(lease)
    except IntegrityError:
        return False
    return True


def holds(session: Session, name: str, holder: str, now: datetime) -> bool:
    """Whether ``holder`` holds the lease at ``now`` (not expired)."""
    return current_holder(session, name, now) == holder


def current_holder(session: Session, name: str, now: datetime) -> str | None:
    """Who holds the lease now, or None when nobody does."""
    lease = session.execute(
        select(Lease.holder, Lease.expires_at).where(Lease.name == name)).one_or_none()
    if lease is None or lease.expires_at <= now:
        return None
    holder: str = lease.holder
    return holder


def release(session: Session, name: str, holder: str) -> bool:
    """Give the lease up at once (a clean stop), so a standby takes over without waiting."""
    gone = session.execute(
        delete(Lease).where(Lease.name == name, Lease.holder == holder)
        .execution_options(synchronize_session=False))
    return rowcount(gone) == 1
