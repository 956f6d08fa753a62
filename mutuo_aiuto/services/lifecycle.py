"""The life of a need and of an offer: which status may follow which.

Every status change goes through ``move_need`` / ``move_offer``; anything
else raises ``InvalidTransition`` with a message for the person.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from mutuo_aiuto.models import Need, Offer
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.errors import InvalidTransition

NEED_TRANSITIONS: dict[str, frozenset[str]] = {
    "draft": frozenset({"open", "cancelled"}),
    "open": frozenset({"paused", "proposed", "matched", "cancelled", "expired"}),
    "paused": frozenset({"open", "cancelled", "expired"}),
    "proposed": frozenset({"open", "paused", "matched", "cancelled", "expired"}),
    # A helper who declines or never answers sends the need back to open.
    "matched": frozenset({"active", "open", "proposed", "cancelled", "closed"}),
    "active": frozenset({"closed", "open", "cancelled"}),
    "closed": frozenset(),
    "cancelled": frozenset(),
    # A family may reopen an expired need by giving it a new end date.
    "expired": frozenset({"open", "cancelled"}),
}

OFFER_TRANSITIONS: dict[str, frozenset[str]] = {
    "open": frozenset({"paused", "full", "cancelled", "expired"}),
    "paused": frozenset({"open", "cancelled", "expired"}),
    "full": frozenset({"open", "paused", "cancelled", "expired"}),
    "cancelled": frozenset(),
    "expired": frozenset({"open", "cancelled"}),
}

# Needs in these statuses are waiting for a helper: the matcher looks at them.
NEED_SEEKING = frozenset({"open", "proposed"})
# Needs that can still be edited by the family.
NEED_EDITABLE = frozenset({"draft", "open", "paused", "proposed", "expired"})
NEED_FINISHED = frozenset({"closed", "cancelled", "expired"})
OFFER_EDITABLE = frozenset({"open", "paused", "full", "expired"})

def _move(obj: Need | Offer, status: str, table: dict[str, frozenset[str]]) -> None:
    if status not in table:
        raise ValueError(f"unknown status {status!r}")
    if status not in table[obj.status]:
        raise InvalidTransition(_l("This cannot be done now: the status is “%(status)s”.",
                                   status=status_label(obj.status)))
    obj.status = status


def move_need(need: Need, status: str, now: datetime | None = None) -> None:
    """Change a need's status if its life allows it, stamping when it opened or ended."""
    _move(need, status, NEED_TRANSITIONS)
    now = now or hubtime.clock().now()
    if status == "open" and need.opened_at is None:
        need.opened_at = now
    if status in NEED_FINISHED:
        need.closed_at = now


def move_offer(offer: Offer, status: str) -> None:
    _move(offer, status, OFFER_TRANSITIONS)


# A context of their own: the status of a request or an offer agrees in gender
# with those nouns, unlike the same English word said of an account or a pairing.
STATUS_LABELS = {
    "draft": lazy_pgettext("request or offer status", "draft"),
    "open": lazy_pgettext("request or offer status", "open"),
    "paused": lazy_pgettext("request or offer status", "paused"),
    "proposed": lazy_pgettext("request or offer status", "proposed"),
    "matched": lazy_pgettext("request or offer status", "matched"),
    "active": lazy_pgettext("request or offer status", "active"),
    "closed": lazy_pgettext("request or offer status", "closed"),
    "cancelled": lazy_pgettext("request or offer status", "cancelled"),
    "expired": lazy_pgettext("request or offer status", "expired"),
    "full": lazy_pgettext("request or offer status", "full"),
}


def status_label(status: str) -> str:
    return str(STATUS_LABELS.get(status, status))
