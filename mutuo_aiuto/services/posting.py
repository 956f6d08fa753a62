"""Propose again when a family or a helper posts or changes something (the incremental run).

The families views call ``propose_after_commit`` once their own change is
committed: proposing is a courtesy on top of it, so a failure here is logged
and undone without touching what the family saved. A need is re-proposed
here (bounded work); an offer is queued for the scheduler's minute job, as
the needs it may serve can be many.
"""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.models import Need, Offer
from mutuo_aiuto.services import matching_runs
from mutuo_aiuto.services.errors import DomainError

log = logging.getLogger(__name__)


def propose_after_commit(session: Session, *, today: date, need: Need | None = None,
                         offer: Offer | None = None) -> bool:
    """Re-propose for a need now, or queue the needs an offer may now serve (or no longer).

    Commits its own work; on failure rolls it back, logs, and answers False
    (what the caller committed before stays saved).
    """
    try:
        if need is not None:
            matching_runs.propose_for(session, need, today=today)
        if offer is not None:
            matching_runs.queue_for_offer(session, offer)
        session.commit()
    except (SQLAlchemyError, ProblemError, DomainError):
        session.rollback()
        log.exception("proposing after a change failed; the change is saved")
        return False
    return True
