"""The programme's impact figures, by month, neighbourhood and category.

What product.md asks the Hub to report: matches confirmed, families helped,
hours given, time from request to match, new ties across neighbourhoods,
reciprocity and the needs left unmatched and why. Months are the Hub's
(its ``HubClock``). The figures are anonymous counts: erased families still count,
and ``public_count`` hides the small ones before anyone sees them.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from statistics import median
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from mutuo_aiuto.models import (
    Activity,
    ActivityKind,
    ActivityMeeting,
    Attendance,
    Category,
    Match,
    MatchStatus,
    Need,
    Neighbourhood,
    Offer,
)
from mutuo_aiuto.services import proposal_queries
from mutuo_aiuto.services.hubtime import HubClock, aware
from mutuo_aiuto.services.reasons import UNMATCHED_REASONS

# A helper who declined or never answered gave no help: not counted.
NOT_COUNTED = (MatchStatus.DECLINED, MatchStatus.UNANSWERED)
DEFAULT_MONTHS = 12
SELECTABLE_MONTHS = 60  # five years: an ESF+ programme's span
SMALL_COUNT = 5
FEWER_THAN_5 = "<5"
# Hours and medians of a cell whose count is suppressed: they would tell the same.
HIDDEN = "suppressed"


def public_count(count: int) -> int | str:
    """A count as it may be shown: 1 to 4 becomes ``FEWER_THAN_5``.

    Small counts of families in a neighbourhood or a month can point at one
    family, so public figures suppress any count under 5 (product.md). Zero
    says nobody and is shown, like any count of 5 or more.
    """
    return FEWER_THAN_5 if 0 < count < SMALL_COUNT else count


# ---- months -------------------------------------------------------------------------


def month_of(day: date) -> date:
    return day.replace(day=1)


def add_months(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 + count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """From the first day of ``first`` to the end of ``last``, both months included."""

    first: date
    last: date

    def months(self) -> list[date]:
        count = (self.last.year - self.first.year) * 12 + self.last.month - self.first.month
        return [add_months(self.first, n) for n in range(count + 1)]


class Grain(StrEnum):
    """How the page groups the months: each month, quarter or year on its own, or
    the running total from the period's first month (figures that only grow, so few
    of them stay under 5)."""

    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUMULATIVE = "cumulative"


_SPAN_MONTHS = {Grain.MONTH: 1, Grain.QUARTER: 3, Grain.YEAR: 12, Grain.CUMULATIVE: 1}


def span_start(month: date, grain: Grain) -> date:
    """The first month of the quarter or year ``month`` falls in (itself otherwise)."""
    if grain is Grain.QUARTER:
        return date(month.year, (month.month - 1) // 3 * 3 + 1, 1)
    if grain is Grain.YEAR:
        return date(month.year, 1, 1)
    return month_of(month)


def snapped(period: Period, grain: Grain) -> Period:
    """``period`` widened to whole quarters or years, so that no quarter is cut short."""
    last = add_months(span_start(period.last, grain), _SPAN_MONTHS[grain] - 1)
    return Period(span_start(period.first, grain), last)


def spans(period: Period, grain: Grain) -> list[Period]:
    """The rows of the page at ``grain``: each month, quarter or year of ``period``
    (snapped first), or for the running total each month's span from the first."""
    period = snapped(period, grain)
    if grain is Grain.CUMULATIVE:
        return [Period(period.first, month) for month in period.months()]
    size = _SPAN_MONTHS[grain]
    return [Period(month, add_months(month, size - 1))
            for month in period.months()[::size]]


def selectable_months(today: date, count: int = SELECTABLE_MONTHS) -> list[date]:
    """The months a period may start or end in, the most recent first."""
    return [add_months(month_of(today), -n) for n in range(count)]


def default_period(today: date, months: int = DEFAULT_MONTHS) -> Period:
    """The last ``months`` months, the current one included."""
    return Period(add_months(month_of(today), 1 - months), month_of(today))


def _start(month: date, clock: HubClock) -> datetime:
    return clock.start_of(month.replace(day=1))


def _local_month(moment: datetime, clock: HubClock) -> date:
    return month_of(clock.date_of(moment))


# ---- the figures ----------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    """One cell of a table: a month, a neighbourhood, a category or the whole period."""

    matches: int = 0
    families: int = 0
    hours: float = 0.0
    median_days: float | None = None
    cross_ties: int = 0
    # How many closed pairings the hours add up: a sum of one or two pairings'
    # hours tells as much as their count would. Not part of a cell's identity.
    closed: int = field(default=0, compare=False)

    def public(self) -> PublicFigures:
        """The cell as shown: small counts hidden, and the hours and median with them."""
        families, matches = public_count(self.families), public_count(self.matches)
        return PublicFigures(
            matches=matches, families=families, cross_ties=public_count(self.cross_ties),
            hours=(HIDDEN if FEWER_THAN_5 in (families, public_count(self.closed))
                   else round(self.hours, 2)),
            median_days=HIDDEN if matches == FEWER_THAN_5 else self.median_days)


@dataclass(frozen=True)
class PublicFigures:
    matches: int | str
    families: int | str
    hours: float | str  # HIDDEN with a suppressed families count
    median_days: float | str | None  # None: no match; HIDDEN with a suppressed count
    cross_ties: int | str


@dataclass(frozen=True)
class Impact:
    period: Period
    by_month: list[tuple[date, Figures]]
    by_neighbourhood: list[tuple[str, Figures]]
    by_category: list[tuple[Category, Figures]]
    total: Figures
    reciprocal: int  # households that both gave and received in the period
    unmatched: list[tuple[str, int]]  # (reason code, needs), every reason listed
    groups: GroupFigures | None = None  # the group activities' figures (issue 12)
    grain: Grain = Grain.MONTH
    # The figures at ``grain`` (by_month again for months), over the period snapped.
    by_span: list[tuple[Period, Figures]] = field(default_factory=list)

    def mostly_suppressed(self) -> bool:
        """Whether most rows that counted somebody show "<5" instead: then quarters or
        the running total say more than a row of "<5"."""
        counted = [cell for _, cell in self.by_span if cell.families]
        hidden = [cell for cell in counted if cell.families < SMALL_COUNT]
        return bool(counted) and len(hidden) * 2 > len(counted)


@dataclass(frozen=True)
class Counted:
    """What the figures read of one counted pairing: its two sides by id, loaded as one
    slim row (no objects), with the months it is counted in."""

    confirmed_at: datetime
    closed_at: datetime | None
    hours: float | None
    family: int  # the need's household
    helper: int  # the offer's household
    opened_at: datetime | None
    place: int  # the need's neighbourhood
    helper_place: int
    category: int
    confirmed_month: date
    closed_month: date | None
    # Days from the request's opening to the confirmation (None: no opening known),
    # worked out once: every cell the pairing falls in reads it.
    days: float | None = None


def _days_to_match(confirmed_at: datetime, opened_at: datetime | None) -> float | None:
    if opened_at is None:
        return None
    return max((confirmed_at - opened_at).total_seconds() / 86400, 0.0)


def figures(confirmed: list[Counted], closed: list[Counted]) -> Figures:
    """The figures of the matches confirmed and of those closed in one cell."""
    days = [m.days for m in confirmed if m.days is not None]
    return Figures(
        matches=len(confirmed),
        families=len({m.family for m in confirmed}),
        hours=float(sum(m.hours or 0 for m in closed)), closed=len(closed),
        median_days=round(median(days), 1) if days else None,
        cross_ties=sum(m.place != m.helper_place for m in confirmed))


def _load(session: Session, period: Period, clock: HubClock) -> list[Counted]:
    start, end = _start(period.first, clock), _start(add_months(period.last, 1), clock)
    helper = aliased(Offer)
    query = (select(Match.confirmed_at, Match.closed_at, Match.hours, Need.household_id,
                    helper.household_id, Need.opened_at, Need.neighbourhood_id,
                    helper.neighbourhood_id, Need.category_id)
             .join(Need, Need.id == Match.need_id).join(helper, helper.id == Match.offer_id)
             .where(Match.status.not_in(NOT_COUNTED),
                    or_(Match.confirmed_at.between(start, end),
                        Match.closed_at.between(start, end))))
    # between() includes the end: the month filter in ``_cells`` drops that instant.
    month = _month_reader(clock)
    return [Counted(*row, confirmed_month=month(row[0]),
                    closed_month=month(row[1]) if row[1] else None,
                    days=_days_to_match(row[0], row[5]))
            for row in session.execute(query)]


def _month_reader(clock: HubClock) -> Callable[[datetime], date]:
    """``month_of(clock.date_of(moment))``, remembered per UTC quarter of an hour: every
    zone's offsets are whole quarters of an hour and change on one, so the local date
    (and midnight) never changes inside a quarter; thousands of pairings share them."""
    months: dict[datetime, date] = {}

    def month(moment: datetime) -> date:
        moment = aware(moment)
        quarter = moment.replace(minute=moment.minute - moment.minute % 15, second=0,
                                 microsecond=0)
        found = months.get(quarter)
        if found is None:
            found = months[quarter] = month_of(clock.date_of(quarter))
        return found

    return month


def _cells(matches: list[Counted], period: Period,
           key: Callable[[Counted, date], Any]) -> dict[Any, Figures]:
    """Figures per key: the matches confirmed in the period, and the hours of those closed
    in it; ``key`` gets the match and the month it is counted in (confirmed or closed)."""
    months = set(period.months())
    confirmed: dict[Any, list[Counted]] = {}
    closed: dict[Any, list[Counted]] = {}
    for match in matches:
        if match.confirmed_month in months:
            confirmed.setdefault(key(match, match.confirmed_month), []).append(match)
        if match.closed_month is not None and match.closed_month in months:
            closed.setdefault(key(match, match.closed_month), []).append(match)
    return {k: figures(confirmed.get(k, []), closed.get(k, []))
            for k in confirmed.keys() | closed.keys()}


def reciprocal_households(matches: Iterable[Counted]) -> int:
    """Households on the offer side of a counted match and on the need side of another."""
    matches = list(matches)
    gave = {m.helper for m in matches}
    received = {m.family for m in matches}
    return len(gave & received)


def unmatched_by_reason(session: Session, today: date) -> list[tuple[str, int]]:
    """Needs looking for help with no proposal now, counted per reason (every reason)."""
    counts = Counter(proposal_queries.unmatched_by_reason(session, today))
    known = [(code, counts.pop(code, 0)) for code in UNMATCHED_REASONS]
    return known + sorted(counts.items())


def by_span(matches: list[Counted], period: Period, grain: Grain) -> list[tuple[Period, Figures]]:
    """The figures of each span of ``spans(period, grain)``, from the loaded matches
    (which must cover the snapped period): distinct families and medians are counted
    again per span, never added up from months."""
    rows = spans(period, grain)
    if grain is Grain.CUMULATIVE:
        return [(span, _cells(matches, span, lambda m, month: "all").get("all", Figures()))
                for span in rows]
    starts = {span.first: span for span in rows}
    cells = _cells(matches, snapped(period, grain),
                   lambda m, month: span_start(month, grain))
    return [(span, cells.get(span.first, Figures())) for span in starts.values()]


def impact(session: Session, period: Period, today: date, clock: HubClock,
           grain: Grain = Grain.MONTH) -> Impact:
    """Every figure of the impact page for ``period``; counts raw (see ``public_count``).
    ``by_span`` holds them at ``grain``, over the period widened to whole quarters or
    years; every other figure is the period's own."""
    # The wider load is harmless below: every cell keeps to its own months.
    matches = _load(session, snapped(period, grain), clock)
    by_month = _cells(matches, period, lambda m, month: month)
    places = _cells(matches, period, lambda m, month: m.place)
    categories = _cells(matches, period, lambda m, month: m.category)
    total = _cells(matches, period, lambda m, month: "all")
    named = {row.id: row for row in session.scalars(
        select(Neighbourhood).where(Neighbourhood.id.in_(list(places))))}
    kinds = {row.id: row for row in session.scalars(
        select(Category).where(Category.id.in_(list(categories))))}
    months = set(period.months())
    confirmed = [m for m in matches if m.confirmed_month in months]
    return Impact(
        period=period,
        by_month=[(month, by_month.get(month, Figures())) for month in period.months()],
        by_neighbourhood=sorted(((named[p].name, f) for p, f in places.items()),
                                key=lambda i: i[0]),
        by_category=sorted(((kinds[c], f) for c, f in categories.items()),
                           key=lambda i: (i[0].position, i[0].name)),
        total=total.get("all", Figures()),
        reciprocal=reciprocal_households(confirmed),
        unmatched=unmatched_by_reason(session, today),
        groups=groups_impact(session, period, clock, grain),
        grain=grain, by_span=by_span(matches, period, grain))


# ---- group activities (issue 12) -------------------------------------------------------


@dataclass(frozen=True)
class Present:
    """One family present at one meeting (an attendance row, slim)."""

    meeting: int
    household: int
    on_date: date
    kind: str  # the activity's kind


@dataclass(frozen=True)
class GroupCell:
    """The groups' figures of a month, a kind of activity or the whole period."""

    participants: int = 0  # distinct families present at least once
    sessions: int = 0  # meetings with somebody present
    attendances: int = 0  # families present, meeting by meeting
    new_ties: int = 0  # pairs of families who met for the first time in a group

    def public(self) -> GroupCell:
        """Shown with every count under 5 (but 0) as "<5"."""
        return GroupCell(*(public_count(n) for n in (  # type: ignore[arg-type]
            self.participants, self.sessions, self.attendances, self.new_ties)))


@dataclass(frozen=True)
class GroupFigures:
    by_month: list[tuple[date, GroupCell]]
    # Every kind but the self-help groups: they count in the totals only (special category).
    by_kind: list[tuple[str, GroupCell]]
    total: GroupCell
    group_to_pairing: int  # first came to a group, then got their first pairing (in period)
    pairing_to_group: int  # first paired, then first came to a group (in period)
    # The figures of each of ``spans(period, grain)``, like the pairings' ``by_span``.
    by_span: list[tuple[Period, GroupCell]] = field(default_factory=list)


def _group_cell(present: list[Present], ties: int = 0) -> GroupCell:
    return GroupCell(participants=len({p.household for p in present}),
                     sessions=len({p.meeting for p in present}),
                     attendances=len(present), new_ties=ties)


def _pair(a: int, b: int) -> tuple[int, int]:
    return (a, b) if a < b else (b, a)


def group_figures(present: Iterable[Present], pairings: Iterable[tuple[int, int, date]],
                  period: Period, grain: Grain = Grain.MONTH) -> GroupFigures:
    """The groups' figures from every attendance up to the period's end (``present``) and
    every counted pairing (family, helper, day confirmed).

    A new tie is a pair of families present at the same meeting in the period who had
    neither been paired with each other on or before that day nor met at an earlier
    meeting; it counts once, in the month they first met. A family went from a group
    to a pairing when its first attendance came before its first pairing and that
    pairing falls in the period; the other way round likewise. ``by_span`` counts the
    spans of ``grain`` over the period widened to whole quarters or years (the
    attendances given must reach its end); every other figure is the period's own.
    """
    months = set(period.months())
    wide = set(snapped(period, grain).months())
    everything = sorted(present, key=lambda p: (p.on_date, p.meeting))
    month_of_row = {id(row): month_of(row.on_date) for row in everything}
    paired_on: dict[tuple[int, int], date] = {}
    first_pairing: dict[int, date] = {}
    for family, helper, day in pairings:
        key = _pair(family, helper)
        paired_on[key] = min(day, paired_on.get(key, day))
        for household in (family, helper):
            first_pairing[household] = min(day, first_pairing.get(household, day))
    first_attended: dict[int, date] = {}
    by_meeting: dict[int, list[Present]] = {}
    for row in everything:
        first_attended.setdefault(row.household, row.on_date)
        by_meeting.setdefault(row.meeting, []).append(row)
    met: set[tuple[int, int]] = set()
    ties: Counter[date] = Counter()
    for rows in by_meeting.values():  # in date order: dicts keep the insertion order
        month = month_of(rows[0].on_date)
        households = sorted({r.household for r in rows})
        for n, a in enumerate(households):
            for b in households[n + 1:]:
                key = (a, b)
                if key in met:
                    continue
                met.add(key)
                earlier = paired_on.get(key)
                if month in wide and (earlier is None or earlier > rows[0].on_date):
                    ties[month] += 1
    shown = [p for p in everything if month_of_row[id(p)] in months]
    per_month: dict[date, list[Present]] = {}
    per_kind: dict[str, list[Present]] = {}
    for row in shown:
        per_month.setdefault(month_of_row[id(row)], []).append(row)
        if row.kind != ActivityKind.SELF_HELP:
            per_kind.setdefault(row.kind, []).append(row)
    kinds = [k.value for k in ActivityKind if k.value in per_kind]
    by_span = []
    for span in spans(period, grain):
        inside = set(span.months())
        by_span.append((span, _group_cell(
            [p for p in everything if month_of_row[id(p)] in inside],
            sum(ties[m] for m in inside))))
    return GroupFigures(
        by_month=[(m, _group_cell(per_month.get(m, []), ties[m])) for m in period.months()],
        by_kind=[(k, _group_cell(per_kind[k])) for k in kinds],
        total=_group_cell(shown, sum(ties[m] for m in months)),
        group_to_pairing=sum(1 for h, day in first_pairing.items()
                             if month_of(day) in months and h in first_attended
                             and first_attended[h] < day),
        pairing_to_group=sum(1 for h, day in first_attended.items()
                             if month_of(day) in months and h in first_pairing
                             and first_pairing[h] < day),
        by_span=by_span)


def groups_impact(session: Session, period: Period, clock: HubClock,
                  grain: Grain = Grain.MONTH) -> GroupFigures:
    """``group_figures`` over the database: two queries, slim rows."""
    last = add_months(snapped(period, grain).last, 1)
    rows = session.execute(
        select(ActivityMeeting.id, Attendance.household_id, ActivityMeeting.on_date,
               Activity.kind)
        .join(Attendance, Attendance.meeting_id == ActivityMeeting.id)
        .join(Activity, Activity.id == ActivityMeeting.activity_id)
        .where(Attendance.present.is_(True), ActivityMeeting.on_date < last))
    helper = aliased(Offer)
    matched = session.execute(
        select(Need.household_id, helper.household_id, Match.confirmed_at)
        .join(Need, Need.id == Match.need_id).join(helper, helper.id == Match.offer_id)
        .where(Match.status.not_in(NOT_COUNTED), Match.confirmed_at < _start(last, clock)))
    return group_figures([Present(*row) for row in rows],
                         [(family, helper_id, clock.date_of(at))
                          for family, helper_id, at in matched], period, grain)


# ---- the export -------------------------------------------------------------------------

EXPORT_HEADER = ("breakdown", "group", "measure", "value")


def _measures(cell: Figures) -> list[tuple[str, object]]:
    shown = cell.public()
    return [("matches_confirmed", shown.matches), ("families_helped", shown.families),
            ("hours_given", shown.hours), ("median_days_to_match", shown.median_days),
            ("new_ties_across_neighbourhoods", shown.cross_ties)]


def export_rows(figures: Impact, category_label: Callable[[Category], str],
                reason_label: Callable[[str], str]) -> list[tuple[str, str, str, str]]:
    """Every figure as one tidy row (breakdown, group, measure, value), counts suppressed."""
    period = f"{figures.period.first:%Y-%m}/{figures.period.last:%Y-%m}"
    groups = [*(("month", f"{m:%Y-%m}", cell) for m, cell in figures.by_month),
              *(("neighbourhood", name, cell) for name, cell in figures.by_neighbourhood),
              *(("category", category_label(c), cell) for c, cell in figures.by_category),
              ("period", period, figures.total)]
    rows = [(kind, group, measure, value) for kind, group, cell in groups
            for measure, value in _measures(cell)]
    rows.append(("period", period, "families_gave_and_received",
                 public_count(figures.reciprocal)))
    rows += [("unmatched_now", reason_label(code), "needs", public_count(count))
             for code, count in figures.unmatched]
    if figures.groups is not None:
        rows += _group_rows(figures.groups, period)
    return [(kind, _plain(group), measure, "" if value is None else str(value))
            for kind, group, measure, value in rows]


def _group_rows(groups: GroupFigures, period: str) -> list[tuple[str, str, str, object]]:
    cells = [*(("groups_month", f"{m:%Y-%m}", cell) for m, cell in groups.by_month),
             *(("groups_kind", kind, cell) for kind, cell in groups.by_kind),
             ("groups_period", period, groups.total)]
    rows: list[tuple[str, str, str, object]] = []
    for kind, group, cell in cells:
        shown = cell.public()
        rows += [(kind, group, "participants", shown.participants),
                 (kind, group, "sessions_held", shown.sessions),
                 (kind, group, "attendances", shown.attendances),
                 (kind, group, "new_ties_in_groups", shown.new_ties)]
    rows += [("groups_period", period, "from_group_to_pairing",
              public_count(groups.group_to_pairing)),
             ("groups_period", period, "from_pairing_to_group",
              public_count(groups.pairing_to_group))]
    return rows


def _plain(text: str) -> str:
    """A name a spreadsheet would read as a formula ("=…", "+…") is quoted as text."""
    return f"'{text}" if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


# ---- the public figures (/numbers) -------------------------------------------------------

# The measures the city's website may show, each a count of the cell.
PUBLIC_MEASURES = ("families", "matches", "hours", "cross_ties")


def _primary(value: float | None) -> float | None:
    return None if value is None or 0 < value < SMALL_COUNT else value


def withhold(values: list[float | None], total: float | None) -> list[float | None]:
    """Cells safe to publish next to their ``total``: under 5 (but 0) withheld (None;
    a None given stays withheld), and when that leaves exactly one withheld while the
    total is shown, the smallest other non-zero cell too, so that the total minus the
    cells shown never gives the small one back."""
    shown = [_primary(v) for v in values]
    hidden = [n for n, v in enumerate(shown) if v is None]
    if len(hidden) == 1 and _primary(total) is not None:
        others = [(v, n) for n, v in enumerate(shown) if v]
        if others:
            shown[min(others)[1]] = None
    return shown


@dataclass(frozen=True)
class PublicRow:
    """One row of the public page: each measure a number of 5 or more, 0, or None."""

    families: float | None
    matches: float | None
    hours: float | None
    cross_ties: float | None


@dataclass(frozen=True)
class PublicImpact:
    since: date | None  # the first month with a counted pairing; None: none yet
    total: PublicRow
    by_year: list[tuple[Period, PublicRow]]
    by_neighbourhood: list[tuple[str, float | None]]  # families helped, all years


def _publishable(cell: Figures) -> list[float | None]:
    # Hours of fewer than 5 families or closed pairings would tell as much as the
    # count: withheld with them (as on the staff page).
    few = any(0 < n < SMALL_COUNT for n in (cell.families, cell.closed))
    return [float(cell.families), float(cell.matches),
            None if few else round(cell.hours, 1), float(cell.cross_ties)]


def _whole(matches: list[Counted], span: Period) -> Figures:
    return _cells(matches, span, lambda m, month: "all").get("all", Figures())


def _public_years(matches: list[Counted], period: Period) -> list[Period]:
    """The calendar years of ``period``, a year with fewer than 5 families helped joined
    to the next one (the last to the one before): "2025–2026" says more than a year
    withheld, and withholding one year would take another with it (see ``withhold``)."""
    joined: list[Period] = []
    for year in spans(period, Grain.YEAR):
        if joined and _whole(matches, joined[-1]).families < SMALL_COUNT:
            joined[-1] = Period(joined[-1].first, year.last)
        else:
            joined.append(year)
    if len(joined) > 1 and _whole(matches, joined[-1]).families < SMALL_COUNT:
        last = joined.pop()
        joined[-1] = Period(joined[-1].first, last.last)
    return joined


def public_impact(session: Session, today: date, clock: HubClock) -> PublicImpact:
    """Every pairing since the first, by calendar year and in all, and the families
    helped by neighbourhood: no figure under 5, no special-category data (no groups,
    no categories of need), nothing a subtraction could give back."""
    first = session.scalar(select(func.min(Match.confirmed_at))
                           .where(Match.status.not_in(NOT_COUNTED)))
    if first is None:
        return PublicImpact(None, PublicRow(0, 0, 0, 0), [], [])
    period = Period(month_of(clock.date_of(first)), month_of(today))
    matches = _load(session, snapped(period, Grain.YEAR), clock)
    total = _cells(matches, period, lambda m, month: "all").get("all", Figures())
    years = [(span, _whole(matches, span)) for span in _public_years(matches, period)]
    whole = _publishable(total)
    whole_shown = [_primary(v) for v in whole]
    columns = [withhold([_publishable(cell)[n] for _, cell in years], whole[n])
               for n in range(len(PUBLIC_MEASURES))]
    places = _cells(matches, period, lambda m, month: m.place)
    named = dict(session.execute(select(Neighbourhood.id, Neighbourhood.name)
                                 .where(Neighbourhood.id.in_(list(places)))).all())
    ordered = sorted(places.items(), key=lambda item: named[item[0]])
    families = withhold([float(cell.families) for _, cell in ordered], whole[0])
    return PublicImpact(
        since=period.first, total=PublicRow(*whole_shown),
        by_year=[(span, PublicRow(*(column[n] for column in columns)))
                 for n, (span, _) in enumerate(years)],
        by_neighbourhood=[(named[p], shown) for (p, _), shown in zip(ordered, families,
                                                                      strict=True)])
