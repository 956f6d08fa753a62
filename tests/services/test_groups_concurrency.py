"""Two families taking the last place of a group at once: exactly one gets it (PostgreSQL).

Each thread has its own app context, so its own session and connection. A short
pause after counting the places makes the race certain: both count while neither
has committed, and only the activity's row lock and its version decide.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    Association,
    AssociationCoordinator,
    Household,
)
from mutuo_aiuto.services import activities, groups
from mutuo_aiuto.services.activities import ActivityInput
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.slots import WeeklyRow
from tests import factories

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def slow_count(monkeypatch):
    """Hold each join between counting the places and taking one for a moment."""
    count = groups.joined_count

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = count(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(groups, "joined_count", slow)


def setup(app, families: int, capacity: int = 1) -> tuple[int, list[int]]:
    with app.app_context():
        session = db.session
        place = factories.make_neighbourhood(session)
        coordinator = factories.make_user(session)
        association = Association(name=f"Associazione {factories._n()}", status="approved")
        session.add(association)
        session.flush()
        session.add(AssociationCoordinator(association=association, user=coordinator))
        activity = activities.post_activity(
            session, coordinator, association,
            ActivityInput(kind="homework_club", title="Doposcuola", neighbourhood=place.slug,
                          place_kind="hub_room", place_name="Sala 2", capacity=capacity,
                          weekly=[WeeklyRow([2], "16:00", "18:00")]),
            date(2026, 12, 1))
        homes = [factories.make_household(session, neighbourhood=place)
                 for _ in range(families)]
        session.commit()
        return activity.id, [h.id for h in homes]


def race(app, activity_id: int, household_ids: list[int]) -> list[str]:
    barrier = threading.Barrier(len(household_ids))
    results: list[str] = []

    def sign_up(household_id: int) -> None:
        with app.app_context(), force_locale("en"):
            session = db.session
            household = session.get(Household, household_id)
            activity = session.get(Activity, activity_id)
            user = household.user
            barrier.wait()
            try:
                membership = groups.join(session, user, household, activity, now=NOW)
                session.commit()
                results.append(membership.status)
            except DomainError as error:
                session.rollback()
                results.append(str(error))
            finally:
                session.remove()

    threads = [threading.Thread(target=sign_up, args=(h,)) for h in household_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def joined(app, activity_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(ActivityMembership.id)).where(
            ActivityMembership.activity_id == activity_id,
            ActivityMembership.status == "joined")).scalar_one()


def test_one_place_two_families_one_is_in_the_other_waits(pg_app, slow_count):
    activity, homes = setup(pg_app, families=2)
    assert race(pg_app, activity, homes) == ["joined", "waiting"]
    assert joined(pg_app, activity) == 1


@pytest.mark.parametrize("round_", range(3))
def test_five_families_for_two_places_never_more_than_two(pg_app, round_):
    activity, homes = setup(pg_app, families=5, capacity=2)
    results = race(pg_app, activity, homes)
    assert results.count("joined") == 2
    assert joined(pg_app, activity) == 2
