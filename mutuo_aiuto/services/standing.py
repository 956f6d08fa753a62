"""Where a family's request stands, in plain words: one sentence and the next step.

``standings(session, viewer, needs, clock)`` reads every pairing of the listed
requests in one query and says, for each, what the family should know now:
"We are looking for someone", "We asked a helper; we are waiting for their
answer", "Giulia can help you from Monday 7 December" (the helper's name and
phone only when ``policy.contacts_shown_in`` allows), "Giulia will stop on 30
June", closed, cancelled or expired and what happens next. Proposals the
facilitator has not confirmed are never mentioned. Texts are rendered in the
current language, dates by Babel, days in the Hub's time zone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from mutuo_aiuto.models import Household, Match, MatchStatus, Need, NeedStatus, Offer, User
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.hubtime import HubClock

DRAFT, SEEKING, PAUSED, ASKED, HELPING, CLOSED, CANCELLED, EXPIRED = (
    "draft", "seeking", "paused", "asked", "helping", "closed", "cancelled", "expired")
# Which pairing of a request the family hears about: the running one first.
_PRIORITY: dict[str, int] = {MatchStatus.ACTIVE: 0, MatchStatus.AWAITING: 1, MatchStatus.CLOSED: 2}


@dataclass(frozen=True)
class Standing:
    """What the family reads about one request."""

    state: str
    sentence: str
    next_step: str
    match: Match | None = None
    # The helper's name and phone: only once the helper accepted.
    helper_name: str | None = None
    phone: str | None = None
    ends: str | None = None
    # The family has not said how it went yet.
    feedback_due: bool = False

    @property
    def helper(self) -> Household | None:
        return self.match.offer.household if self.match and self.helper_name else None


def long_day(day: date) -> str:
    """"lunedì 7 dicembre 2026", "Monday, December 7, 2026": the page's language's full date."""
    return str(format_date(day, "full"))


def _matches_by_need(session: Session, needs: list[Need]) -> dict[int, Match]:
    ids = [need.id for need in needs]
    if not ids:
        return {}
    rows = session.scalars(
        select(Match).where(Match.need_id.in_(ids), Match.status.in_(tuple(_PRIORITY)))
        .options(selectinload(Match.offer).selectinload(Offer.household))
        .order_by(Match.id.desc()))
    chosen: dict[int, Match] = {}
    for match in rows:
        held = chosen.get(match.need_id)
        if held is None or _PRIORITY[match.status] < _PRIORITY[held.status]:
            chosen[match.need_id] = match
    return chosen


def standings(session: Session, viewer: User, needs: Iterable[Need],
              clock: HubClock) -> dict[int, Standing]:
    """Each request's standing, by the request's id, for a family (or a facilitator)."""
    listed = list(needs)
    matches = _matches_by_need(session, listed)
    return {need.id: standing_of(viewer, need, matches.get(need.id), clock) for need in listed}


def standing_of(viewer: User, need: Need, match: Match | None, clock: HubClock) -> Standing:
    status = need.status
    if match is not None and match.status == MatchStatus.ACTIVE:
        return _helping(viewer, need, match, clock)
    if match is not None and match.status == MatchStatus.AWAITING:
        return Standing(ASKED, _("We asked a helper; we are waiting for their answer."),
                        _("They have until %(day)s to answer. If they cannot, we look for "
                          "someone else.", day=long_day(clock.date_of(match.respond_by)))
                        if match.respond_by else "", match)
    if status == NeedStatus.CLOSED:
        return _closed(match)
    return _simple(status)


def _simple(status: str) -> Standing:
    texts: dict[str, tuple[str, str, str]] = {
        NeedStatus.DRAFT: (DRAFT, _("This request is a draft: nobody sees it yet."),
                           _("Publish it when it is ready.")),
        NeedStatus.PAUSED: (PAUSED, _("This request is paused: we are not looking for "
                                      "anyone."),
                            _("Resume it when you want us to look again.")),
        NeedStatus.CANCELLED: (CANCELLED, _("You cancelled this request."),
                               _("If you need help again, ask for help: it takes a few "
                                 "minutes.")),
        NeedStatus.EXPIRED: (EXPIRED, _("The end date passed before we found someone."),
                             _("To look again, edit the request and give a new end date.")),
    }
    state, sentence, next_step = texts.get(status, (
        SEEKING, _("We are looking for someone to help you."),
        _("Nothing to do for now: we will write to you as soon as someone can help.")))
    return Standing(state, sentence, next_step)


def _helping(viewer: User, need: Need, match: Match, clock: HubClock) -> Standing:
    today = clock.today()
    helper = match.offer.household
    shown = policy.contacts_shown_in(viewer, match)
    name = helper.name if shown else None
    start = match.started_on or need.starts_on or (
        clock.date_of(match.accepted_at) if match.accepted_at else today)
    end = min(need.ends_on, match.offer.ends_on)
    if name is None:
        sentence = _("A helper is helping you.")
    elif start > today:
        sentence = _("%(name)s can help you from %(day)s.", name=name, day=long_day(start))
    else:
        sentence = _("%(name)s is helping you.", name=name)
    ends = (_("%(name)s will stop on %(day)s.", name=name, day=long_day(end)) if name
            else _("The help ends on %(day)s.", day=long_day(end)))
    next_step = _("Agree the details together. When the help is over, or if something is "
                  "wrong, tell us on the pairing's page.")
    return Standing(HELPING, sentence, next_step, match, name,
                    helper.phone if shown else None, ends)


def _closed(match: Match | None) -> Standing:
    due = match is not None and match.family_rating is None
    return Standing(CLOSED, _("This request is closed: the help is over."),
                    _("Tell us how it went: it takes a minute.") if due
                    else _("Thank you for telling us how it went. If you need help again, "
                           "ask for help."),
                    match, feedback_due=due)
