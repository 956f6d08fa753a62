"""Two pieces of work side by side, each in its own app context (its own session and
PostgreSQL connection), as two gunicorn threads or the scheduler and a page would be."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from flask import Flask
from sqlalchemy.orm import Session

from mutuo_aiuto.extensions import db


def in_own_session(app: Flask, results: dict[str, Any], key: str,
                   work: Callable[[Session], Any]) -> None:
    """``work(session)`` in an app context of its own, committed: ``results[key]`` is what
    it returned ("done" for None), or the error it raised (rolled back; the test reports
    it). The session is removed either way."""
    with app.app_context():
        try:
            outcome = work(db.session)
            db.session.commit()
            results[key] = "done" if outcome is None else outcome
        except Exception as error:  # the test reports any failure
            db.session.rollback()
            results[key] = repr(error)
        finally:
            db.session.remove()


def side_by_side(*targets: Callable[[], None], timeout: float = 60) -> None:
    """Run each target in a thread of its own, all at once, and wait for them."""
    threads = [threading.Thread(target=target) for target in targets]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
