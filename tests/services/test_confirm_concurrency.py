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
from mutuo_aiuto.models import MATCH_HOLDING, Match, Need, NeedSlot, Offer, OfferSlot, User
from mutuo_aiuto.services import matches, matching_runs
from mutuo_aiuto.services.errors import DomainError
from tests.match_scenes import build_scene, tuesday

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


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
    return race_pairs(app, facilitator_id, [(need_id, offer_id) for need_id in need_ids])


def race_pairs(app, facilitator_id: int, pairs: list[tuple[int, int]]) -> list[str]:
    """Confirm each (need, offer) pair in its own thread, all starting together."""
    barrier = threading.Barrier(len(pairs))
    results: list[str] = []

    def confirm(need_id: int, offer_id: int) -> None:
        with app.app_context(), force_locale("en"):
            session = db.session
            actor = session.get(User, facilitator_id)
            need, offer = session.get(Need, need_id), session.get(Offer, offer_id)
            barrier.wait()
            try:
                matches.pair_by_hand(session, actor, need, offer, now=NOW, respond_hours=72)
                session.commit()
                results.append("confirmed")
            except DomainError as error:
                session.rollback()
                results.append(str(error))
            finally:
                session.remove()

    threads = [threading.Thread(target=confirm, args=pair) for pair in pairs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return sorted(results)


def holding(app, offer_id: int) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Match.id)).where(
            Match.offer_id == offer_id, Match.status.in_(MATCH_HOLDING))).scalar_one()


def monday(start: int, end: int, slot: type = NeedSlot) -> NeedSlot | OfferSlot:
    """A weekly Monday slot, times in minutes after midnight."""
    return slot(weekday=0, start_minute=start, end_minute=end)


def two_offers_of_one_helper(app) -> tuple[int, list[tuple[int, int]]]:
    """The fault trials' case: one helper with two offers, two families asking for
    Monday 09:00–10:00 and 09:30–10:30, each fitting one of the offers."""
    with app.app_context():
        scene = build_scene(db.session, slots=[monday(9 * 60, 10 * 60)])
        scene.offer.slots = [monday(8 * 60, 11 * 60, OfferSlot)]
        second = scene.another_offer(household=scene.helper,
                                     slots=[monday(8 * 60, 12 * 60, OfferSlot)])
        other_need = scene.another_need(slots=[monday(9 * 60 + 30, 10 * 60 + 30)])
        db.session.commit()
        return scene.facilitator.id, [(scene.need.id, scene.offer.id),
                                      (other_need.id, second.id)]


def helper_bookings(app, offer_ids: list[int]) -> int:
    with app.app_context():
        return db.session.execute(select(func.count(Match.id)).where(
            Match.offer_id.in_(offer_ids), Match.status.in_(MATCH_HOLDING))).scalar_one()


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


def test_one_helper_two_offers_overlapping_times_one_wins(pg_app, slow_check):
    """Two facilitators confirm, together, two of one helper's offers for overlapping
    Monday mornings: the helper's household is locked, so the second sees the first."""
    facilitator, pairs = two_offers_of_one_helper(pg_app)
    results = race_pairs(pg_app, facilitator, pairs)
    assert results == ["This helper is already committed at that time.", "confirmed"]
    assert helper_bookings(pg_app, [offer for _, offer in pairs]) == 1


@pytest.mark.parametrize("round_", range(5))
def test_one_helper_two_offers_without_the_pause_never_both(pg_app, round_):
    """Without the pause the race is the fault trials' own: never two bookings."""
    facilitator, pairs = two_offers_of_one_helper(pg_app)
    results = race_pairs(pg_app, facilitator, pairs)
    assert results.count("confirmed") == 1
    assert helper_bookings(pg_app, [offer for _, offer in pairs]) == 1
