"""Two saves sent together (a double tap, two tabs) while closing: one row, one report (PostgreSQL).

Each thread has its own app context, so its own session and connection. A
short pause after each side has looked for an earlier row and before it
writes makes the race certain: without the pairing's row lock both would
find nothing, and the second insert of a month would break the unique key
(a 500) or a second "it's done" would tell the facilitators twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Match, MatchHours, MatchReport, Notification, User
from mutuo_aiuto.services import closing
from tests import factories

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
TODAY = date(2026, 12, 5)
MONTH = date(2026, 11, 1)


def pause_after(monkeypatch, name: str) -> None:
    """Hold each call of ``closing.<name>`` for a moment after it ran."""
    real = getattr(closing, name)

    def slow(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        time.sleep(0.3)
        return result

    monkeypatch.setattr(closing, name, slow)


def setup(app) -> tuple[int, int]:
    """A running pairing and a facilitator to be told; returns the helper's and match's ids."""
    with app.app_context():
        match = factories.make_match(db.session, started_on=date(2026, 10, 12))
        factories.make_user(db.session, role="facilitator", locale="en")
        db.session.commit()
        return match.offer.household.user.id, match.id


def together(app, user_id: int, match_id: int, calls: list[Callable[..., Any]]) -> list[str]:
    """Run each call (session, user, match) in its own thread, all starting together."""
    barrier = threading.Barrier(len(calls))
    results: list[str] = []

    def run(call: Callable[..., Any]) -> None:
        with app.app_context(), force_locale("en"):
            session = db.session
            user, match = session.get(User, user_id), session.get(Match, match_id)
            barrier.wait()
            try:
                call(session, user, match)
                session.commit()
                results.append("saved")
            except Exception as error:  # the test reports what went wrong
                session.rollback()
                results.append(type(error).__name__)
            finally:
                session.remove()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def hours_call(hours: str) -> Callable[..., Any]:
    return lambda session, user, match: closing.record_hours(
        session, user, match, MONTH, hours, today=TODAY, now=NOW)


def test_two_saves_of_one_month_at_once_keep_one_row(pg_app, monkeypatch):
    pause_after(monkeypatch, "_month_row")
    helper, match_id = setup(pg_app)
    assert together(pg_app, helper, match_id, [hours_call("4"), hours_call("6")]) == [
        "saved", "saved"]
    with pg_app.app_context():
        rows = db.session.scalars(select(MatchHours).where(MatchHours.match_id == match_id)).all()
        assert len(rows) == 1 and rows[0].hours in (4, 6)
        # The pairing's sum is the month's one value, whichever save came last.
        assert db.session.get(Match, match_id).hours == rows[0].hours


def test_two_its_done_at_once_make_one_report_and_one_notice(pg_app, monkeypatch):
    pause_after(monkeypatch, "notify_facilitators")
    helper, match_id = setup(pg_app)
    done = lambda session, user, match: closing.report_done(session, user, match, NOW)  # noqa: E731
    assert together(pg_app, helper, match_id, [done, done]) == ["saved", "saved"]
    with pg_app.app_context():
        count = db.session.scalar(select(func.count()).select_from(MatchReport)
                                  .where(MatchReport.match_id == match_id))
        notices = db.session.scalar(select(func.count()).select_from(Notification)
                                    .where(Notification.kind == "match_done_helper"))
        assert (count, notices) == (1, 1)
