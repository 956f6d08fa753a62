"""A helper changing an offer while the scheduler's job works through the queue
(PostgreSQL): the change is queued again, at once, without an error.

Found under load: the job deleted the rows it took at its start and held them
deleted for its seconds of work; a helper cancelling an offer then waited for it
(4 s) and the re-queue matched no row (StaleDataError, logged, the re-proposal lost).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Offer, OfferSlot, QueuedOffer
from mutuo_aiuto.services import matching_runs
from tests.concurrency import in_own_session, side_by_side
from tests.match_scenes import build_scene, tuesday

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = NOW.date()


def test_an_offer_queued_again_during_the_job_waits_for_nothing_and_stays_queued(
        pg_app, monkeypatch):
    with pg_app.app_context():
        scene = build_scene(db.session, slots=[tuesday(16, 17)])
        scene.offer.slots = [tuesday(8, 20, OfferSlot)]
        matching_runs.queue_for_offer(db.session, scene.offer, now=NOW)
        db.session.commit()
        offer_id = scene.offer.id
    working, queued_again = threading.Event(), threading.Event()
    propose = matching_runs._propose_for_offers

    def slow_propose(*args: Any, **kwargs: Any) -> Any:
        working.set()
        queued_again.wait(timeout=30)
        return propose(*args, **kwargs)

    monkeypatch.setattr(matching_runs, "_propose_for_offers", slow_propose)
    results: dict[str, Any] = {}

    def job(session: Any) -> None:
        matching_runs.run_queued(session, today=TODAY, now=NOW)

    def requeue(session: Any) -> float:
        assert working.wait(timeout=30)
        started = time.monotonic()
        matching_runs.queue_for_offer(session, session.get(Offer, offer_id),
                                      now=NOW + timedelta(minutes=1))
        return time.monotonic() - started

    def helper() -> None:
        try:
            in_own_session(pg_app, results, "helper", requeue)
        finally:
            queued_again.set()

    side_by_side(lambda: in_own_session(pg_app, results, "job", job), helper)
    assert results["job"] == "done"
    assert isinstance(results["helper"], float), results["helper"]
    assert results["helper"] < 5  # not behind the job's transaction
    with pg_app.app_context():
        [row] = db.session.scalars(select(QueuedOffer)).all()
        # The job took the first queueing; the second waits for the next run.
        assert (row.offer_id, row.queued_at) == (offer_id, NOW + timedelta(minutes=1))
