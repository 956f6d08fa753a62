"""Group activities for tests (issue 12): an activity with its weekly slot, families in it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from mutuo_aiuto.models import Activity, ActivityMembership, ActivitySlot, Household
from tests import factories


def make_activity(session: Session, **overrides: Any) -> Activity:
    """A homework club meeting on Tuesdays 17–19 since ten weeks ago (``slots`` to change)."""
    neighbourhood = overrides.pop("neighbourhood", None) or factories.make_neighbourhood(session)
    slots = overrides.pop("slots", None) or [
        ActivitySlot(weekday=1, start_minute=17 * 60, end_minute=19 * 60)]
    values = {"kind": "homework_club", "title": "Doposcuola del martedì",
              "place_name": "Sala 2 del Centro per le Famiglie", "capacity": 10,
              "languages": ["it"], "starts_on": date.today() - timedelta(days=70)} | overrides
    activity = Activity(neighbourhood=neighbourhood, slots=slots, **values)
    session.add(activity)
    session.flush()
    return activity


def join(session: Session, activity: Activity, household: Household,
         status: str = "joined") -> ActivityMembership:
    membership = ActivityMembership(activity=activity, household=household, status=status)
    session.add(membership)
    session.flush()
    return membership
