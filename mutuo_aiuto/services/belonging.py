"""Belonging: whether people know someone nearby to ask for help, before and after (issue 14).

At each follow-up the facilitator may read both sides one sentence, "I know
people in my neighbourhood I can ask for help", and note how much each agrees
(1 to 5; optional). The answers are columns of the follow-up (``FollowUp.
family_belonging`` / ``helper_belonging``), dated by when it was done, and
belong to the household on that side of the match.

For the figures engine: ``answers`` lists every answer; ``before_after`` gives
each household's first and latest answer; ``summarise`` the aggregate; and
``satisfaction`` the mean rating each side gave its pairings (the feedback
asked when a pairing closes, ``Match.family_rating`` / ``helper_rating``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from statistics import fmean
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from mutuo_aiuto.models import FollowUp, Household, Match, Need, Offer
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.hubtime import aware, local_date

QUESTION = _l("I know people in my neighbourhood I can ask for help")
# The funder's exports are in Italian whatever the reader's language.
QUESTION_IT = "Conosco persone nel mio quartiere a cui posso chiedere aiuto"
SCALE: dict[int, Any] = {
    1: _l("Strongly disagree"),
    2: _l("Disagree"),
    3: _l("Neither agree nor disagree"),
    4: _l("Agree"),
    5: _l("Strongly agree"),
}
SCALE_IT = {1: "Per niente d'accordo", 2: "Poco d'accordo", 3: "Né d'accordo né in disaccordo",
            4: "D'accordo", 5: "Del tutto d'accordo"}
SIDES = ("family", "helper")


def check_score(value: object, field: str) -> int | None:
    """An answer on the five-point scale, or None when the question was not answered."""
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value not in SCALE:
        raise DomainError(_l("Choose from 1 to 5, or leave it empty."), field=field)
    return value


# ---- reading ----------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One household's answer at one follow-up."""

    household_id: int
    neighbourhood_id: int | None
    follow_up_id: int
    side: str  # "family" or "helper"
    answered_on: date  # the Hub's local day the follow-up was done
    score: int


def answers(session: Session, since: date | None = None,
            until: date | None = None) -> list[Answer]:
    """Every answer given on ``since``..``until`` (inclusive, either open), oldest first."""
    family, helper = aliased(Household), aliased(Household)
    rows = session.execute(
        select(FollowUp.id, FollowUp.done_at, FollowUp.family_belonging,
               FollowUp.helper_belonging, family.id, family.neighbourhood_id,
               helper.id, helper.neighbourhood_id)
        .join(Match, Match.id == FollowUp.match_id)
        .join(Need, Need.id == Match.need_id).join(family, family.id == Need.household_id)
        .join(Offer, Offer.id == Match.offer_id).join(helper, helper.id == Offer.household_id)
        .where(FollowUp.done_at.is_not(None),
               (FollowUp.family_belonging.is_not(None))
               | (FollowUp.helper_belonging.is_not(None)))
        .order_by(FollowUp.done_at, FollowUp.id)).all()
    found = []
    for (follow_up_id, done_at, family_score, helper_score, family_id, family_place,
         helper_id, helper_place) in rows:
        if done_at is None:  # pragma: no cover - the query keeps done follow-ups only
            continue
        day = local_date(aware(done_at))
        if (since is not None and day < since) or (until is not None and day > until):
            continue
        for side, score, household_id, place in (
                ("family", family_score, family_id, family_place),
                ("helper", helper_score, helper_id, helper_place)):
            if score is not None:
                found.append(Answer(household_id, place, follow_up_id, side, day, score))
    return found


@dataclass(frozen=True)
class HouseholdChange:
    """A household's first and latest answer (the latest on or before the period's end)."""

    household_id: int
    neighbourhood_id: int | None
    first_on: date
    first: int
    latest_on: date
    latest: int
    answers: int

    @property
    def change(self) -> int:
        return self.latest - self.first


def before_after(session: Session, until: date | None = None) -> list[HouseholdChange]:
    """Each household that answered at least twice by ``until``: first against latest.

    A household answers as a family and as a helper alike: every answer of it
    counts, whichever side it was on. Sorted by household id.
    """
    return changes_of(answers(session, until=until))


def changes_of(given: Iterable[Answer]) -> list[HouseholdChange]:
    """First against latest answer of each household with two answers or more."""
    by_household: dict[int, list[Answer]] = {}
    for answer in given:
        by_household.setdefault(answer.household_id, []).append(answer)
    changes = []
    for household_id, own in sorted(by_household.items()):
        if len(own) < 2:
            continue
        own.sort(key=lambda a: (a.answered_on, a.follow_up_id))
        first, latest = own[0], own[-1]
        changes.append(HouseholdChange(household_id, latest.neighbourhood_id, first.answered_on,
                                       first.score, latest.answered_on, latest.score, len(own)))
    return changes


@dataclass(frozen=True)
class BelongingSummary:
    """The aggregate before/after: households compared, mean first and latest answer,
    mean change, and how many moved up, stayed, moved down."""

    households: int
    mean_before: float | None
    mean_after: float | None
    mean_change: float | None
    improved: int
    unchanged: int
    worse: int


def summarise(changes: Sequence[HouseholdChange]) -> BelongingSummary:
    if not changes:
        return BelongingSummary(0, None, None, None, 0, 0, 0)
    return BelongingSummary(
        households=len(changes),
        mean_before=fmean(c.first for c in changes),
        mean_after=fmean(c.latest for c in changes),
        mean_change=fmean(c.change for c in changes),
        improved=sum(c.change > 0 for c in changes),
        unchanged=sum(c.change == 0 for c in changes),
        worse=sum(c.change < 0 for c in changes),
    )


# ---- satisfaction -----------------------------------------------------------------


@dataclass(frozen=True)
class Satisfaction:
    """The mean rating (1-5) each side gave the pairings closed in a period, and how many."""

    family_mean: float | None
    family_ratings: int
    helper_mean: float | None
    helper_ratings: int


def satisfaction(session: Session, since: datetime | None = None,
                 until: datetime | None = None) -> Satisfaction:
    """Ratings of pairings closed in ``[since, until)`` (either open)."""
    statement = select(Match.family_rating, Match.helper_rating).where(
        Match.closed_at.is_not(None))
    if since is not None:
        statement = statement.where(Match.closed_at >= since)
    if until is not None:
        statement = statement.where(Match.closed_at < until)
    return satisfaction_of((family, helper) for family, helper in session.execute(statement))


def satisfaction_of(ratings: Iterable[tuple[int | None, int | None]]) -> Satisfaction:
    """The means of ``(family_rating, helper_rating)`` pairs, each side's missing ones left out."""
    pairs = list(ratings)
    family = [f for f, _h in pairs if f is not None]
    helper = [h for _f, h in pairs if h is not None]
    return Satisfaction(fmean(family) if family else None, len(family),
                        fmean(helper) if helper else None, len(helper))
