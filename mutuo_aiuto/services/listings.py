"""What a household's needs and offers share: ownership, lookup and the status buttons.

``services.needs`` and ``services.offers`` describe their side with a ``Kind``
and keep their own public functions; the steps that are the same for both
live here. Nothing commits here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Generic, TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import (
    MATCH_HOLDING,
    Household,
    Match,
    Need,
    NeedStatus,
    Neighbourhood,
    Offer,
    OfferStatus,
)
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.households import active_neighbourhood
from mutuo_aiuto.services.lifecycle import status_label

Row = TypeVar("Row", Need, Offer)


@dataclass(frozen=True)
class Kind(Generic[Row]):
    """Needs or offers, as far as the shared steps care (messages are lazy strings)."""

    model: type[Row]
    move: Callable[[Row, str], None]
    editable: frozenset[str]
    not_found: object
    not_editable: object


def check_owner(kind: Kind[Row], household: Household | None, row: Row | None) -> Row:
    # Another household's row answers like a missing one, so ids cannot be probed.
    if household is None or row is None or row.household_id != household.id:
        raise NotFound(kind.not_found)
    return row


def get_own(kind: Kind[Row], session: Session, household: Household | None,
            public_id: str) -> Row:
    """One of the household's rows by its public id; any other row is not found."""
    row = session.execute(
        select(kind.model).filter_by(public_id=public_id)).scalar_one_or_none()
    return check_owner(kind, household, row)


def list_own(kind: Kind[Row], session: Session, household: Household,
             *also: Any) -> list[Row]:
    """The household's rows, newest first, with the slots and skills the list shows (and
    the loader options ``also``)."""
    model = kind.model
    return list(session.execute(
        select(model).filter_by(household_id=household.id)
        .options(selectinload(model.slots), selectinload(model.skills), *also)
        .order_by(model.created_at.desc(), model.id.desc())).scalars())


def place_of(session: Session, household: Household, slug: str | None) -> Neighbourhood:
    """The neighbourhood chosen on the form, or the household's own when none is."""
    place = active_neighbourhood(session, slug) if slug else household.neighbourhood
    if place is None:
        raise DomainError(_l("Choose a neighbourhood."), field="neighbourhood")
    return place


def check_editable(kind: Kind[Row], household: Household, row: Row) -> None:
    check_owner(kind, household, row)
    if row.status not in kind.editable:
        raise InvalidTransition(kind.not_editable)


def holding_matches(session: Session, row: Need | Offer) -> int:
    """How many confirmed pairings (awaiting an answer or under way) hold ``row``."""
    side = Match.need_id if isinstance(row, Need) else Match.offer_id
    return session.scalar(select(func.count(Match.id)).where(
        side == row.id, Match.status.in_(MATCH_HOLDING))) or 0


def _slot_keys(slots: Iterable[Any]) -> set[tuple[Any, ...]]:
    return {(s.weekday, getattr(s, "on_date", None), s.start_minute, s.end_minute)
            for s in slots}


def keep_commitments(session: Session, row: Need | Offer, values: dict[str, Any],
                     message: object) -> None:
    """While a pairing holds, the times, skills and place it was confirmed for stay:
    the other side agreed to them, and the helper's other pairings were checked
    against them. Everything else (title, description, end date…) may change."""
    if not holding_matches(session, row):
        return
    changed = (_slot_keys(values["slots"]) != _slot_keys(row.slots)
               or {s.id for s in values["skills"]} != {s.id for s in row.skills}
               or values["neighbourhood"].id != row.neighbourhood_id)
    if changed:
        raise DomainError(message)


def apply(row: Need | Offer, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


def move_from(kind: Kind[Row], household: Household, row: Row, expected: Iterable[str],
              status: str) -> Row:
    """A household's own status change: only from the statuses the button is meant for."""
    check_owner(kind, household, row)
    if row.status not in expected:
        # lifecycle words the refusal; it would also refuse, or allow a move
        # (expired → open) that must go through an edit with a new end date.
        raise InvalidTransition(_l("This cannot be done now: the status is “%(status)s”.",
                                   status=status_label(row.status)))
    kind.move(row, status)
    return row


def reopen(kind: Kind[Row], household: Household, row: Row, from_status: str,
           today: date | None, ended: object) -> Row:
    """``from_status`` → open, unless the end date has passed (``ended`` says to edit it)."""
    check_owner(kind, household, row)
    if row.status == from_status and row.ends_on < (today or hubtime.clock().today()):
        raise DomainError(ended, field="ends_on")
    opened = OfferStatus.OPEN if isinstance(row, Offer) else NeedStatus.OPEN
    return move_from(kind, household, row, {from_status}, opened)


def cancel(kind: Kind[Row], household: Household, row: Row) -> Row:
    """Cancel or withdraw; the lifecycle says from which statuses."""
    check_owner(kind, household, row)
    kind.move(row, OfferStatus.CANCELLED if isinstance(row, Offer) else NeedStatus.CANCELLED)
    return row
