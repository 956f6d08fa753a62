"""Codes asked for one number at the same moment from several workers never exceed the
per-number limit, and one code opens one session however many try it at once (PostgreSQL).

Each thread has its own app context, so its own session and connection. A pause
between counting the number's codes and writing the new one makes the race certain:
without the per-number lock every thread would count the same room and write.
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
from mutuo_aiuto.models import AuditEvent, PhoneCode
from mutuo_aiuto.services import audit, phone_lookup, phone_signin
from mutuo_aiuto.services.errors import DomainError
from tests import factories
from tests.phone_sms import SentCodes

pytestmark = pytest.mark.postgres

NUMBER = "+393331234567"
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
THREADS = 6


def _together(app, work: Any, commit_refusals: bool = False) -> list[str]:
    """Run ``work`` in THREADS threads at once; each result is "done" or the refusal.
    ``commit_refusals``: commit after a refusal too, as the code page does (a spent try
    stays spent)."""
    barrier = threading.Barrier(THREADS)
    results: list[str] = []

    def run() -> None:
        with app.app_context(), force_locale("en"):
            barrier.wait()
            try:
                work(db.session)
                db.session.commit()
                results.append("done")
            except DomainError as error:
                if commit_refusals:
                    db.session.commit()
                else:
                    db.session.rollback()
                results.append(str(error.message) if commit_refusals
                               else type(error).__name__)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return sorted(results)


def test_codes_asked_at_once_stay_within_the_limit(pg_app, monkeypatch):
    check = phone_signin._check_limits

    def slow(*args: Any) -> None:
        check(*args)
        time.sleep(0.3)

    monkeypatch.setattr(phone_signin, "_check_limits", slow)
    results = _together(pg_app, lambda session: phone_signin.ask_for_code(
        session, NUMBER, locale="it", now=NOW))
    assert results == ["TooManyCodes"] * (THREADS - phone_signin.BURST_LIMIT) + [
        "done"] * phone_signin.BURST_LIMIT
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(PhoneCode)) == \
            phone_signin.BURST_LIMIT


def test_one_code_tried_at_once_opens_one_session(pg_app):
    with pg_app.app_context():
        user = factories.make_user(db.session)
        user.phone_lookup = phone_lookup.lookup_hash(NUMBER)
        db.session.flush()
        lookup = phone_signin.ask_for_code(db.session, NUMBER, locale="it", now=NOW)
        code = SentCodes(db.session).last_code()
        db.session.commit()
    results = _together(pg_app, lambda session: phone_signin.sign_in(
        session, lookup, code, now=NOW))
    assert results == ["CodeNotAccepted"] * (THREADS - 1) + ["done"]
    with pg_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == audit.PHONE_SIGNED_IN)) == 1


def test_guesses_sent_at_once_get_no_more_tries_than_the_limit(pg_app, monkeypatch):
    """Six wrong guesses at the same moment at a code with two tries left: two are
    judged wrong, the others find the code used up, and the count stops at the limit."""
    with pg_app.app_context():
        user = factories.make_user(db.session)
        user.phone_lookup = phone_lookup.lookup_hash(NUMBER)
        db.session.flush()
        lookup = phone_signin.ask_for_code(db.session, NUMBER, locale="it", now=NOW)
        code = SentCodes(db.session).last_code()
        db.session.scalars(select(PhoneCode)).one().attempts = phone_signin.MAX_ATTEMPTS - 2
        db.session.commit()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    hash_code = phone_signin.code_hash

    def slow_hash(*args: Any) -> str:
        time.sleep(0.2)  # each guess holds its spent try a moment before answering
        return hash_code(*args)

    monkeypatch.setattr(phone_signin, "code_hash", slow_hash)
    results = _together(pg_app, lambda session: phone_signin.sign_in(
        session, lookup, wrong, now=NOW), commit_refusals=True)
    judged = [r for r in results if "not right" in r]
    assert len(judged) == 2 and len(results) == THREADS
    assert all("expired" in r for r in results if r not in judged)
    with pg_app.app_context():
        assert db.session.scalar(select(PhoneCode.attempts)) == phone_signin.MAX_ATTEMPTS
