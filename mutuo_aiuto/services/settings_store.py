"""The administrator's matching weights, stored in one row, defaulting to the contract's.

The matcher reads them as its ``Weights`` dataclass; the admin page edits them
through ``save_weights``, which refuses values the matcher would refuse.
"""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from mutuo_aiuto.matching.model import Weights
from mutuo_aiuto.models import MatchingWeights, User
from mutuo_aiuto.services.errors import DomainError

SCALAR_WEIGHTS = ("base", "urgency", "language", "continuity", "load")
MAX_POINTS = 100
# Points for 0, 1, 2 … hops: more than a few would reward distance nobody walks.
MAX_PROXIMITY_STEPS = 5


def _row(session: Session) -> MatchingWeights | None:
    return session.execute(select(MatchingWeights).order_by(MatchingWeights.id).limit(1)
                           ).scalar_one_or_none()


def get_weights(session: Session) -> Weights:
    """The weights in force: the stored ones, or the contract's defaults."""
    row = _row(session)
    if row is None:
        return Weights()
    return Weights(base=row.base, urgency=row.urgency, proximity=tuple(row.proximity),
                   language=row.language, continuity=row.continuity, load=row.load)


def _points(value: object, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_POINTS:
        raise DomainError(_l("Give a whole number from 0 to %(max)d.", max=MAX_POINTS),
                          field=field)
    return value


def _proximity(values: Sequence[object]) -> tuple[int, ...]:
    if not 1 <= len(values) <= MAX_PROXIMITY_STEPS:
        raise DomainError(_l("Give from 1 to %(max)d numbers, separated by commas.",
                             max=MAX_PROXIMITY_STEPS), field="proximity")
    return tuple(_points(value, "proximity") for value in values)


def save_weights(session: Session, user: User, *, base: object, urgency: object,
                 proximity: Sequence[object], language: object, continuity: object,
                 load: object) -> Weights:
    """Store new weights for every later matching run."""
    values = {"base": base, "urgency": urgency, "language": language,
              "continuity": continuity, "load": load}
    checked = {key: _points(value, key) for key, value in values.items()}
    steps = list(_proximity(proximity))
    row = _row(session) or MatchingWeights()
    for key, value in checked.items():
        setattr(row, key, value)
    row.proximity = steps
    row.updated_by_id = user.id
    session.add(row)
    session.flush()
    return get_weights(session)
