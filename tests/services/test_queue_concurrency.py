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

    def job() -> None:
        with pg_app.app_context():
            try:
                matching_runs.run_queued(db.session, today=TODAY, now=NOW)
                db.session.commit()
                results["job"] = "done"
            except Exception as error:  # the test reports any failure
                db.session.rollback()
                results["job"] = repr(error)
            finally:
                db.session.remove()

    def helper() -> None:
        with pg_app.app_context():
            try:
                assert working.wait(timeout=30)
                started = time.monotonic()
                offer = db.session.get(Offer, offer_id)
                matching_runs.queue_for_offer(db.session, offer, now=NOW + timedelta(minutes=1))
                db.session.commit()
                results["helper"] = time.monotonic() - started
            except Exception as error:  # the test reports any failure
                db.session.rollback()
                results["helper"] = repr(error)
            finally:
                queued_again.set()
                db.session.remove()

    threads = [threading.Thread(target=job), threading.Thread(target=helper)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert results["job"] == "done"
    assert isinstance(results["helper"], float), results["helper"]
    assert results["helper"] < 5  # not behind the job's transaction
    with pg_app.app_context():
        [row] = db.session.scalars(select(QueuedOffer)).all()
        # The job took the first queueing; the second waits for the next run.
        assert (row.offer_id, row.queued_at) == (offer_id, NOW + timedelta(minutes=1))
