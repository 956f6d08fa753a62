"""The lease: one holder at a time, taken over only after it expires."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from mutuo_aiuto.models import Lease
from mutuo_aiuto.services import leases

T0 = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


def test_first_holder_takes_a_free_lease(session):
    assert leases.acquire(session, "scheduler", "a", 60, T0)
    session.commit()
    assert leases.current_holder(session, "scheduler", T0) == "a"
    assert session.get(Lease, "scheduler").expires_at == T0 + timedelta(seconds=60)


def test_second_holder_is_refused_while_the_lease_lasts(session):
    assert leases.acquire(session, "scheduler", "a", 60, T0)
    assert not leases.acquire(session, "scheduler", "b", 60, T0 + timedelta(seconds=59))
    session.commit()
    assert leases.holds(session, "scheduler", "a", T0 + timedelta(seconds=59))
    assert not leases.holds(session, "scheduler", "b", T0 + timedelta(seconds=59))


def test_holder_renews_and_keeps_it(session):
    leases.acquire(session, "scheduler", "a", 60, T0)
    assert leases.acquire(session, "scheduler", "a", 60, T0 + timedelta(seconds=50))
    # Renewed: still a's after the first term would have ended.
    assert not leases.acquire(session, "scheduler", "b", 60, T0 + timedelta(seconds=100))
    assert leases.current_holder(session, "scheduler", T0 + timedelta(seconds=100)) == "a"


def test_expired_lease_is_taken_over(session):
    leases.acquire(session, "scheduler", "a", 60, T0)
    later = T0 + timedelta(seconds=60)
    assert leases.current_holder(session, "scheduler", later) is None
    assert leases.acquire(session, "scheduler", "b", 60, later)
    # The old holder cannot come back while b holds it.
    assert not leases.acquire(session, "scheduler", "a", 60, later + timedelta(seconds=1))
    assert leases.current_holder(session, "scheduler", later) == "b"


def test_release_frees_it_at_once_and_only_for_its_holder(session):
    leases.acquire(session, "scheduler", "a", 60, T0)
    assert not leases.release(session, "scheduler", "b")
    assert leases.current_holder(session, "scheduler", T0) == "a"
    assert leases.release(session, "scheduler", "a")
    assert leases.acquire(session, "scheduler", "b", 60, T0 + timedelta(seconds=1))


def test_leases_by_name_are_independent(session):
    assert leases.acquire(session, "scheduler", "a", 60, T0)
    assert leases.acquire(session, "other", "b", 60, T0)
    assert session.query(Lease).count() == 2


def test_two_sessions_race_for_a_new_lease_and_one_wins(app, session):
    """Both see no row; the primary key lets exactly one insert succeed."""
    from sqlalchemy.orm import Session

    from mutuo_aiuto.extensions import db

    other = Session(db.engine)
    try:
        first = leases.acquire(session, "scheduler", "a", 60, T0)
        session.commit()
        second = leases.acquire(other, "scheduler", "b", 60, T0)
        other.commit()
    finally:
        other.close()
    assert (first, second) == (True, False)
    assert leases.current_holder(session, "scheduler", T0) == "a"
