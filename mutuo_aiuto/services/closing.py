"""Closing by the people: "it's done", "something is wrong" and the helper's hours per month.

Either side of a running pairing may tell the Hub the help is over (a request
to close: the facilitator closes it with an outcome, on a page prefilled with
what the sides said and the hours) or that something is wrong (a short text
for the facilitators only, never shown to the other side). The helper records
the hours given month by month; their sum is the pairing's ``hours``, the one
figure the ledger and the impact pages read.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Match, MatchHours, MatchReport, ReportKind, User
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotFound
from mutuo_aiuto.services.notifications import notify_facilitators
from mutuo_aiuto.services.outcomes import side_of

PROBLEM_MAX = 1000
MONTH_HOURS_MAX = 200
# How far back a helper may record: a pairing rarely runs longer than two years.
MONTHS_BACK = 24


def lock(session: Session, match: Match) -> None:
    """Hold the pairing's row until the transaction ends, reading it afresh.

    Two "it's done" or two saves of one month sent together (a double tap, two
    tabs) queue here, so the second sees what the first wrote: one report, one
    row per month. (SQLite has no row locks; its one writer at a time does it.)
    """
    session.execute(select(Match.id).where(Match.id == match.id).with_for_update())
    session.refresh(match, ["status"])


def _reportable(user: User, match: Match) -> str:
    side = side_of(user, match)
    if side is None:
        raise NotFound(_l("This pairing does not exist."))
    if not policy.can_act_on_match(user, match, policy.REPORT):
        raise InvalidTransition(_l("This pairing is not under way any more."))
    return side


def _params(match: Match, side: str) -> dict[str, str]:
    return {"need": match.need.title, "family": match.need.household.name,
            "helper": match.offer.household.name, "match_id": match.public_id,
            "side": side}


def report_done(session: Session, user: User, match: Match, now: datetime) -> MatchReport:
    """A side says the help is over: the facilitators are asked at once to close it.
    Saying it twice tells them once."""
    lock(session, match)
    side = _reportable(user, match)
    earlier = session.scalars(select(MatchReport).filter_by(
        match_id=match.id, side=side, kind=ReportKind.DONE)).first()
    if earlier is not None:
        return earlier
    report = MatchReport(match=match, user_id=user.id, side=side, kind=ReportKind.DONE,
                         created_at=now)
    session.add(report)
    audit.record(session, user, audit.MATCH_DONE_REPORTED, target=match,
                 household=user.household, details={"match": match.public_id}, at=now)
    notify_facilitators(session, f"match_done_{side}", now=now, **_params(match, side))
    session.flush()
    return report


def report_problem(session: Session, user: User, match: Match, text: str | None,
                   now: datetime) -> MatchReport:
    """A side says something is wrong: stored for the facilitators only (the other side
    never sees it), recorded on the reporter's own trail, and the facilitators are told."""
    side = _reportable(user, match)
    text = (text or "").strip()
    if not text:
        raise DomainError(_l("Tell us in a few words what is wrong."), field="text")
    if len(text) > PROBLEM_MAX:
        raise DomainError(_l("Keep it under %(max)d characters.", max=PROBLEM_MAX),
                          field="text")
    report = MatchReport(match=match, user_id=user.id, side=side, kind=ReportKind.PROBLEM,
                         text=text, created_at=now)
    session.add(report)
    # The reporter's household, not the pairing's: the other side's page never lists it.
    audit.record(session, user, audit.MATCH_PROBLEM_REPORTED, target=match,
                 household=user.household, details={"match": match.public_id}, at=now)
    notify_facilitators(session, f"match_problem_{side}", now=now, **_params(match, side))
    session.flush()
    return report


def reports_for(session: Session, actor: User, match: Match) -> list[MatchReport]:
    """What the sides told the Hub about this pairing: facilitators only."""
    if not policy.can_act_on_match(actor, match, policy.READ_REPORTS):
        raise NotFound(_l("This pairing does not exist."))
    return list(session.scalars(select(MatchReport).where(MatchReport.match_id == match.id)
                                .order_by(MatchReport.created_at, MatchReport.id)))


def done_requested(session: Session, match: Match) -> set[str]:
    """Which sides ("family", "helper") said the help is over (not what they wrote)."""
    return set(session.scalars(select(MatchReport.side).where(
        MatchReport.match_id == match.id, MatchReport.kind == ReportKind.DONE)))


# ---- hours per month ---------------------------------------------------------------


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def recordable_months(match: Match, today: date) -> list[date]:
    """The months a helper may record, the latest first: from the month the pairing was
    confirmed (at most ``MONTHS_BACK`` ago) to this one."""
    start = first_of_month(match.started_on or match.confirmed_at.date())
    month = first_of_month(today)
    months: list[date] = []
    while month >= start and len(months) < MONTHS_BACK:
        months.append(month)
        month = date(month.year - (month.month == 1), (month.month - 2) % 12 + 1, 1)
    return months or [first_of_month(today)]


def record_hours(session: Session, user: User, match: Match, month: date | None,
                 hours: Decimal | float | None, *, today: date, now: datetime) -> MatchHours:
    """The helper's hours for one month of a running pairing (0–200, two decimals); a month
    recorded again is corrected. The pairing's ``hours`` becomes the sum of its months."""
    if not policy.can_act_on_match(user, match, policy.SEE_HOURS):
        raise NotFound(_l("This pairing does not exist."))
    lock(session, match)
    if not policy.can_act_on_match(user, match, policy.RECORD_HOURS):
        raise InvalidTransition(_l("Hours can be recorded while the pairing is under way."))
    if month is None or first_of_month(month) not in recordable_months(match, today):
        raise DomainError(_l("Choose a month of this pairing."), field="month")
    if hours is None:
        raise DomainError(_l("Give the hours of help, 0 if none."), field="hours")
    value = Decimal(str(hours))
    if not value.is_finite() or not 0 <= value <= MONTH_HOURS_MAX:
        raise DomainError(_l("Hours in a month must be between 0 and %(max)s.",
                             max=MONTH_HOURS_MAX), field="hours")
    month = first_of_month(month)
    row = _month_row(session, match, month)
    row.hours, row.updated_at = float(round(value, 2)), now
    session.flush()
    match.hours = float(session.scalar(select(func.coalesce(func.sum(MatchHours.hours), 0))
                                       .where(MatchHours.match_id == match.id)) or 0)
    audit.record(session, user, audit.MATCH_HOURS_RECORDED, target=match,
                 household=user.household,
                 details={"match": match.public_id, "month": month.isoformat()}, at=now)
    return row


def _month_row(session: Session, match: Match, month: date) -> MatchHours:
    """The month's row, created when missing; a row another save created meanwhile (the
    lock makes it rare) is found again rather than refused by the unique key."""
    query = select(MatchHours).filter_by(match_id=match.id, month=month)
    row = session.scalars(query).first()
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = MatchHours(match=match, month=month, hours=0)
            session.add(row)
    except IntegrityError:
        row = session.scalars(query).one()
    return row


def hours_by_month(session: Session, actor: User, match: Match) -> list[MatchHours]:
    """The months recorded, the latest first: the helper and facilitators only."""
    if not policy.can_act_on_match(actor, match, policy.SEE_HOURS):
        raise NotFound(_l("This pairing does not exist."))
    return list(session.scalars(select(MatchHours).where(MatchHours.match_id == match.id)
                                .order_by(MatchHours.month.desc())))
