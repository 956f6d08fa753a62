"""Expiry: needs and offers whose end date has passed, and the notice before it.

A need still waiting for a helper (open, paused or proposed) expires the day
after its end date, and so does an offer (open, paused or full). Needs already
matched are left alone: a facilitator closes those. Owners get one notice a
few days before; ``expiry_notice_for`` remembers for which end date, so a
second run sends nothing and a changed end date gets a fresh notice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypeVar

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Need, NeedStatus, Offer, OfferStatus
from mutuo_aiuto.services import channels
from mutuo_aiuto.services.lifecycle import move_need, move_offer

NOTICE_DAYS = 7
NEED_EXPIRING = (NeedStatus.OPEN, NeedStatus.PAUSED, NeedStatus.PROPOSED)
OFFER_EXPIRING = (OfferStatus.OPEN, OfferStatus.PAUSED, OfferStatus.FULL)


@dataclass(frozen=True)
class Expired:
    needs: int
    offers: int


def expire_ends(session: Session, today: date, now: datetime) -> Expired:
    """Move every need and offer whose end date is before ``today`` to expired."""
    needs = _past(session, Need, NEED_EXPIRING, today)
    for need in needs:
        move_need(need, NeedStatus.EXPIRED, now)
    offers = _past(session, Offer, OFFER_EXPIRING, today)
    for offer in offers:
        move_offer(offer, OfferStatus.EXPIRED)
    session.flush()
    return Expired(needs=len(needs), offers=len(offers))


Post = TypeVar("Post", Need, Offer)


def _past(session: Session, model: type[Post], statuses: tuple[str, ...],
          today: date) -> list[Post]:
    return list(session.scalars(select(model).where(
        model.status.in_(statuses), model.ends_on < today).order_by(model.id)))


def send_expiry_notices(session: Session, today: date, days: int = NOTICE_DAYS) -> int:
    """Tell owners, once per end date, that a need or offer ends within ``days``."""
    sent = 0
    for model, statuses, template in ((Need, NEED_EXPIRING, "need_expiring"),
                                      (Offer, OFFER_EXPIRING, "offer_expiring")):
        for item in _ending_soon(session, model, statuses, today, days):
            user = item.household.user
            if user.active:
                channels.tell(session, user, template, _subject(model), item=item)
                sent += 1
            item.expiry_notice_for = item.ends_on
    session.flush()
    return sent


def _subject(model: type[Need] | type[Offer]) -> object:
    if model is Need:
        return _l("Your request ends soon")
    return _l("Your offer of help ends soon")


def _ending_soon(session: Session, model: type[Need] | type[Offer],
                 statuses: tuple[str, ...], today: date, days: int) -> list[Need | Offer]:
    return list(session.scalars(select(model).where(
        model.status.in_(statuses), model.ends_on >= today,
        model.ends_on <= today + timedelta(days=days),
        or_(model.expiry_notice_for.is_(None), model.expiry_notice_for != model.ends_on))
        .order_by(model.id)))
