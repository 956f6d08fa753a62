"""Two facilitators confirming at the same moment never overbook an offer (PostgreSQL).

Each thread has its own app context, so its own session and connection. A
short pause between checking the rules and claiming the offer makes the race
certain: both threads check while neither has committed, and only the row
locks and the offer's version decide.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import MATCH_HOLDING, Match, Need, Offer, OfferSlot, User
from mutuo_aiuto.services import matches, matching_runs
from mutuo_aiuto.services.errors import DomainError
from tests.match_scenes import build_scene, tuesday

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


@pytest.fixture
def pg_app(make_app, postgres_url):
    app = make_app(database_url=postgres_url)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    return app


@pytest.fixture
def slow_check(monkeypatch):
    """Hold each confirmation between its rule check and its claim for a moment."""
    check = matching_runs.check_pair

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = check(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(matching_runs, "check_pair", slow)


def setup(app, capacity: int, slots: list[tuple[int, int]]) -> tuple[int, int, list[int]]:
    """One offer and one need per slot; returns the facilitator, offer and need ids."""
    with app.app_context():
        scene = build_scene(db.session, slots=[tuesday(*slots[0])])
        scene.offer.capacity = capacity
        scene.offer.slots = [tuesday(8, 20, OfferSlot)]
        needs = [scene.need] + [scene.another_need(slots=[tuesday(*s)]) for s in slots[1:]]
        db.session.commit()
        return scene.facilitator.id, scene.offer.id, [n.id for n in needs]


def race(app, facilitator_id: int, offer_id: int, need_ids: list[int]) -> list[str]:
    """Confirm each need with the offer in its own thread, all starting together (by hand:
    the proposals of one need to an offer another need took are withdrawn, by design)."""
    barrier = threading.Barrier(len(need_ids))
    results: list[str] = []

    def confirm(need_id: int) -> None:
        with app.app_context(), force_locale("en"):
            session = db.session
            actor = session.get(User, facilitator_id)
            need, offer = session.get(Need, need_id), session.get(Offer, offer_id)
            barrier.wait()
            try:
                matches.pair_by_hand(session, actor, need, offer, now=NOW, respond_days=3)
                session.commit()
                results.append("confirmed")
            except DomainError as error:
                session.rollback()
                results.append(str(error))
            finally:
                session.remove()

    threads = [threading.Thread(target=confirm, args=(need_id,)) for need_id in need_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def holding(app, offer_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Match.id)).where(
            Match.offer_id == offer_id, Match.status.in_(MATCH_HOLDING))).scalar_one()


def test_one_place_left_two_confirmations_one_wins(pg_app, slow_check):
    facilitator, offer, needs = setup(pg_app, capacity=1, slots=[(16, 17), (18, 19)])
    results = race(pg_app, facilitator, offer, needs)
    assert results == ["This offer has no capacity left.", "confirmed"]
    assert holding(pg_app, offer) == 1


def test_room_for_two_but_the_same_hour_one_wins(pg_app, slow_check):
    facilitator, offer, needs = setup(pg_app, capacity=2, slots=[(16, 18), (17, 19)])
    results = race(pg_app, facilitator, offer, needs)
    assert results == ["This helper is already committed at that time.", "confirmed"]
    assert holding(pg_app, offer) == 1


def test_room_for_two_at_different_hours_both_win(pg_app, slow_check):
    facilitator, offer, needs = setup(pg_app, capacity=2, slots=[(16, 17), (17, 18)])
    assert race(pg_app, facilitator, offer, needs) == ["confirmed", "confirmed"]
    assert holding(pg_app, offer) == 2
