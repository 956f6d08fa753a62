"""The life of a need and of an offer: which status may follow which, and what a row allows.

Every status change goes through ``move_need`` / ``move_offer``; anything
else raises ``InvalidTransition`` with a message for the person.
``allowed_actions(row, actor)`` says which buttons a need, an offer or a
pairing offers to this person, from the same tables and from
``services.policy``; the services refuse every action it leaves out.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext

from mutuo_aiuto.models import Match, MatchStatus, Need, NeedStatus, Offer, OfferStatus, User
from mutuo_aiuto.services import hubtime, policy
from mutuo_aiuto.services.errors import InvalidTransition

_N, _O = NeedStatus, OfferStatus  # short names, so each table reads as one line per status

NEED_TRANSITIONS: dict[str, frozenset[NeedStatus]] = {
    _N.DRAFT: frozenset({_N.OPEN, _N.CANCELLED}),
    _N.OPEN: frozenset({_N.PAUSED, _N.PROPOSED, _N.MATCHED, _N.CANCELLED, _N.EXPIRED}),
    _N.PAUSED: frozenset({_N.OPEN, _N.CANCELLED, _N.EXPIRED}),
    _N.PROPOSED: frozenset({_N.OPEN, _N.PAUSED, _N.MATCHED, _N.CANCELLED, _N.EXPIRED}),
    # A helper who declines or never answers sends the need back to open.
    _N.MATCHED: frozenset({_N.ACTIVE, _N.OPEN, _N.PROPOSED, _N.CANCELLED, _N.CLOSED}),
    _N.ACTIVE: frozenset({_N.CLOSED, _N.OPEN, _N.CANCELLED}),
    _N.CLOSED: frozenset(),
    _N.CANCELLED: frozenset(),
    # A family may reopen an expired need by giving it a new end date.
    _N.EXPIRED: frozenset({_N.OPEN, _N.CANCELLED}),
}

OFFER_TRANSITIONS: dict[str, frozenset[OfferStatus]] = {
    _O.OPEN: frozenset({_O.PAUSED, _O.FULL, _O.CANCELLED, _O.EXPIRED}),
    _O.PAUSED: frozenset({_O.OPEN, _O.CANCELLED, _O.EXPIRED}),
    _O.FULL: frozenset({_O.OPEN, _O.PAUSED, _O.CANCELLED, _O.EXPIRED}),
    _O.CANCELLED: frozenset(),
    _O.EXPIRED: frozenset({_O.OPEN, _O.CANCELLED}),
}

# Needs in these statuses are waiting for a helper: the matcher looks at them.
NEED_SEEKING = frozenset({_N.OPEN, _N.PROPOSED})
# Needs that can still be edited by the family.
NEED_EDITABLE = frozenset({_N.DRAFT, _N.OPEN, _N.PAUSED, _N.PROPOSED, _N.EXPIRED})
NEED_FINISHED = frozenset({_N.CLOSED, _N.CANCELLED, _N.EXPIRED})
OFFER_EDITABLE = frozenset({_O.OPEN, _O.PAUSED, _O.FULL, _O.EXPIRED})
# What a household's own "pause" button moves from.
NEED_PAUSABLE = frozenset({_N.OPEN, _N.PROPOSED})
OFFER_PAUSABLE = frozenset({_O.OPEN, _O.FULL})


def _move(obj: Need | Offer, status: str,
          table: dict[str, frozenset[NeedStatus]] | dict[str, frozenset[OfferStatus]]) -> None:
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
    if status == NeedStatus.OPEN and need.opened_at is None:
        need.opened_at = now
    if status in NEED_FINISHED:
        need.closed_at = now


def move_offer(offer: Offer, status: str) -> None:
    _move(offer, status, OFFER_TRANSITIONS)


# A context of their own: the status of a request or an offer agrees in gender
# with those nouns, unlike the same English word said of an account or a pairing.
STATUS_LABELS: dict[str, Any] = {
    NeedStatus.DRAFT: lazy_pgettext("request or offer status", "draft"),
    NeedStatus.OPEN: lazy_pgettext("request or offer status", "open"),
    NeedStatus.PAUSED: lazy_pgettext("request or offer status", "paused"),
    NeedStatus.PROPOSED: lazy_pgettext("request or offer status", "proposed"),
    # A helper was asked and has not answered yet (the request is "matched" until every
    # helper asked has answered): the words the pairing and the family's page use.
    NeedStatus.MATCHED: _l("waiting for the helper's answer"),
    NeedStatus.ACTIVE: lazy_pgettext("request or offer status", "active"),
    NeedStatus.CLOSED: lazy_pgettext("request or offer status", "closed"),
    NeedStatus.CANCELLED: lazy_pgettext("request or offer status", "cancelled"),
    NeedStatus.EXPIRED: lazy_pgettext("request or offer status", "expired"),
    OfferStatus.FULL: lazy_pgettext("request or offer status", "full"),
}


def status_label(status: str) -> str:
    label = STATUS_LABELS.get(status)
    return str(label) if label is not None else status


class Action(StrEnum):
    """What a person can do to a row: the buttons and forms a page shows.

    String members, so a template tests ``'pause' in actions``."""

    EDIT = "edit"
    PUBLISH = "publish"
    PAUSE = "pause"
    RESUME = "resume"
    CANCEL = "cancel"
    ACCEPT = "accept"
    DECLINE = "decline"
    FEEDBACK = "feedback"
    CLOSE = "close"
    # A side's "it's done" and "something is wrong"; the helper's hours per month.
    REPORT = "report"
    HOURS = "hours"
    SEE_HOURS = "see_hours"


def _need_actions(need: Need) -> set[Action]:
    status = need.status
    allowed = set()
    if status in NEED_EDITABLE:
        allowed.add(Action.EDIT)
    if status == NeedStatus.DRAFT:
        allowed.add(Action.PUBLISH)
    if status in NEED_PAUSABLE:
        allowed.add(Action.PAUSE)
    if status == NeedStatus.PAUSED:
        allowed.add(Action.RESUME)
    if NeedStatus.CANCELLED in NEED_TRANSITIONS[status]:
        allowed.add(Action.CANCEL)
    return allowed


def _offer_actions(offer: Offer) -> set[Action]:
    status = offer.status
    allowed = set()
    if status in OFFER_EDITABLE:
        allowed.add(Action.EDIT)
    if status in OFFER_PAUSABLE:
        allowed.add(Action.PAUSE)
    if status == OfferStatus.PAUSED:
        allowed.add(Action.RESUME)
    if OfferStatus.CANCELLED in OFFER_TRANSITIONS[status]:
        allowed.add(Action.CANCEL)
    return allowed


def _match_actions(match: Match, actor: User | None) -> set[Action]:
    allowed = set()
    if policy.can_act_on_match(actor, match, policy.RESPOND):
        allowed |= {Action.ACCEPT, Action.DECLINE}
    if policy.can_act_on_match(actor, match, policy.FEEDBACK):
        allowed.add(Action.FEEDBACK)
    if (policy.can_act_on_match(actor, match, policy.MANAGE)
            and match.status == MatchStatus.ACTIVE):
        allowed.add(Action.CLOSE)
    if policy.can_act_on_match(actor, match, policy.REPORT):
        allowed.add(Action.REPORT)
    if policy.can_act_on_match(actor, match, policy.RECORD_HOURS):
        allowed.add(Action.HOURS)
    if policy.can_act_on_match(actor, match, policy.SEE_HOURS):
        allowed.add(Action.SEE_HOURS)
    return allowed


def allowed_actions(row: Need | Offer | Match, actor: User | None) -> frozenset[Action]:
    """The actions ``row`` allows ``actor`` now. A need or an offer: only its own household
    changes it (facilitators see it, and change it through pairings). A pairing: the helper
    accepts or declines while it awaits an answer, its two sides give feedback once it runs,
    a facilitator closes a running one. The end date is not looked at: publishing or
    resuming a row whose end date has passed is refused with a message asking to change it."""
    if isinstance(row, Need):
        return frozenset(_need_actions(row) if policy.owns(actor, row.household) else ())
    if isinstance(row, Offer):
        return frozenset(_offer_actions(row) if policy.owns(actor, row.household) else ())
    return frozenset(_match_actions(row, actor))
