"""Propose again when a family or a helper posts or changes something (the incremental run).

The families views call ``propose_after_commit`` once their own change is
committed: proposing is a courtesy on top of it, so a failure here is logged
and undone without touching what the family saved. A need is re-proposed
here (bounded work); an offer is queued for the scheduler's minute job, as
the needs it may serve can be many.
"""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import SQLAlchemyError

from mutuo_aiuto.extensions import db
from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.models import Need, Offer
from mutuo_aiuto.services import matching_runs
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.helpers import hub_clock


def propose_after_commit(need: Need | None = None, offer: Offer | None = None) -> None:
    """Re-propose for a need now, or queue the needs an offer may now serve (or no longer)."""
    today = hub_clock().today()
    try:
        if need is not None:
            matching_runs.propose_for(db.session, need, today=today)
        if offer is not None:
            matching_runs.queue_for_offer(db.session, offer)
        db.session.commit()
    except (SQLAlchemyError, ProblemError, DomainError):
        db.session.rollback()
        current_app.logger.exception("proposing after a change failed; the change is saved")
