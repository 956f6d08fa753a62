"""A facilitator confirming while the nightly run works gets no error and no overbooking
(PostgreSQL).

The run and the confirmation each have their own app context, so their own
session and connection. The run is held at two moments: while the matcher
solves (it has read the problem; the facilitator confirms and commits), and
while it writes its proposals (the facilitator confirms meanwhile and waits
for it, briefly, rather than meeting its row locks).
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Need, OfferSlot, Proposal, User
from mutuo_aiuto.services import matches, matching_runs
from mutuo_aiuto.services.errors import DomainError
from tests.concurrency import in_own_session, side_by_side
from tests.match_scenes import build_scene, tuesday
from tests.services.test_confirm_concurrency import holding

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)


def setup(app) -> tuple[int, int, int, int]:
    """An offer with one place, proposed by a full run to an urgent need; another need
    it fits. Returns the facilitator, the proposal, its need and the offer."""
    with app.app_context():
        scene = build_scene(db.session, slots=[tuesday(16, 17)], urgency=3)
        scene.offer.capacity = 1
        scene.offer.slots = [tuesday(8, 20, OfferSlot)]
        scene.another_need(slots=[tuesday(18, 19)])
        db.session.commit()
        matching_runs.run_full(db.session, now=NOW)
        db.session.commit()
        proposal = db.session.scalars(select(Proposal).where(
            Proposal.need_id == scene.need.id, Proposal.status == "proposed",
            Proposal.rank == 1)).one()
        return scene.facilitator.id, proposal.id, scene.need.id, scene.offer.id


def run_beside_a_confirmation(app, facilitator_id: int, proposal_id: int,
                              started: threading.Event, done: threading.Event
                              ) -> dict[str, str]:
    """The full run in one thread; in another, once ``started`` is set, the facilitator
    confirms the proposal (and sets ``done``)."""
    results: dict[str, str] = {}

    def run(session: Any) -> None:
        matching_runs.run_full(session, now=NOW)

    def confirm() -> None:
        with app.app_context(), force_locale("en"):
            session = db.session
            try:
                assert started.wait(timeout=30)
                actor = session.get(User, facilitator_id)
                proposal = session.get(Proposal, proposal_id)
                matches.confirm_proposal(session, actor, proposal, now=NOW, respond_hours=72)
                session.commit()
                results["confirm"] = "confirmed"
            except DomainError as error:
                session.rollback()
                results["confirm"] = str(error)
            except Exception as error:  # the test reports any failure
                session.rollback()
                results["confirm"] = repr(error)
            finally:
                done.set()
                session.remove()

    side_by_side(lambda: in_own_session(app, results, "run", run), confirm)
    return results


def after(app, need_id: int) -> tuple[str, int]:
    """The need's status and its live proposals."""
    with app.app_context():
        need = db.session.get(Need, need_id)
        live = db.session.scalars(select(Proposal).where(
            Proposal.need_id == need_id, Proposal.status == "proposed")).all()
        return need.status, len(live)


def test_a_confirmation_while_the_matcher_solves(pg_app, monkeypatch):
    facilitator, proposal, need, offer = setup(pg_app)
    solving, confirmed = threading.Event(), threading.Event()
    solve = matching_runs.matching.solve

    def held_solve(*args: Any, **kwargs: Any) -> Any:
        solving.set()
        confirmed.wait(timeout=30)
        return solve(*args, **kwargs)

    monkeypatch.setattr(matching_runs.matching, "solve", held_solve)
    results = run_beside_a_confirmation(pg_app, facilitator, proposal, solving, confirmed)
    assert results == {"run": "done", "confirm": "confirmed"}
    # The run read the need before it was confirmed: it leaves it as the facilitator did.
    assert after(pg_app, need) == ("matched", 0)
    assert holding(pg_app, offer) == 1


def test_a_confirmation_while_the_run_writes_waits_for_it(pg_app, monkeypatch):
    facilitator, proposal, need, offer = setup(pg_app)
    writing, confirming = threading.Event(), threading.Event()
    new_run = matching_runs._new_run

    def held_new_run(*args: Any, **kwargs: Any) -> Any:
        run = new_run(*args, **kwargs)
        writing.set()
        time.sleep(0.5)  # the confirmation arrives while the run holds its writes
        return run

    monkeypatch.setattr(matching_runs, "_new_run", held_new_run)
    started = time.monotonic()
    results = run_beside_a_confirmation(pg_app, facilitator, proposal, writing, confirming)
    assert results == {"run": "done", "confirm": "confirmed"}
    assert time.monotonic() - started < 20
    assert after(pg_app, need) == ("matched", 0)
    assert holding(pg_app, offer) == 1
