"""The impact page's overview, computed by the scheduler rather than by the page (issue 15).

``impact.impact`` reads every pairing of the period: at 10,000 households a year of
them takes a few hundred milliseconds, and facilitators open the page all day. The
scheduler computes the page's default period (the last twelve months) at each
grouping every ``REFRESH_MINUTES`` and stores the raw figures; the page shows them,
with the time they were computed, while they are at most ``FRESH_MINUTES`` old. Any
other period, or stored figures gone stale (no scheduler running), is computed in
the request as before, so the page never shows figures older than that.

Public API:

- ``refresh(session, clock, now) -> int``: compute and store the default period at
  every grouping, replacing the previous ones (flushed; the caller commits); nothing
  when they are less than a minute old;
- ``overview(session, period, grain, clock, now) -> Overview``: the stored figures
  when fresh, otherwise computed here (``as_of`` None);
- ``encode(figures) -> dict`` / ``decode(payload, categories) -> Impact``: the stored form.
"""

from __future__ import annotations

import time
from dataclasses import astuple, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from mutuo_aiuto.models import Category, ImpactOverview
from mutuo_aiuto.services import impact
from mutuo_aiuto.services.hubtime import HubClock, aware
from mutuo_aiuto.services.impact import Figures, Grain, GroupCell, GroupFigures, Impact, Period

__all__ = ["FRESH_MINUTES", "REFRESH_MINUTES", "Overview", "decode", "encode", "overview",
           "refresh"]

# The scheduler's pace, and how old stored figures may be before the page computes its
# own: two missed refreshes (a busy night, a scheduler failing over) are tolerated.
REFRESH_MINUTES = 5
FRESH_MINUTES = 3 * REFRESH_MINUTES


@dataclass(frozen=True)
class Overview:
    """The page's figures, and when the scheduler computed them (None: just now, here)."""

    figures: Impact
    as_of: datetime | None


def refresh(session: Session, clock: HubClock, now: datetime) -> int:
    """Store the default period's figures at every grouping as of ``now``; returns how
    many were stored: none when they were computed less than a minute ago (a job run
    twice changes nothing). Readers see the previous ones until the caller commits."""
    newest = session.scalar(select(func.max(ImpactOverview.computed_at)))
    if newest is not None and aware(newest) > now - timedelta(minutes=1):
        return 0
    today = clock.date_of(now)
    period = impact.default_period(today)
    session.execute(delete(ImpactOverview))
    for grain in Grain:
        started = time.perf_counter()
        figures = impact.impact(session, period, today, clock, grain)
        session.add(ImpactOverview(
            grain=grain.value, period_first=period.first, period_last=period.last,
            computed_at=now, seconds=round(time.perf_counter() - started, 3),
            figures=encode(figures)))
    session.flush()
    return len(Grain)


def overview(session: Session, period: Period, grain: Grain, clock: HubClock,
             now: datetime) -> Overview:
    """The figures of ``period`` at ``grain``: the scheduler's when it stored them less
    than ``FRESH_MINUTES`` ago, else computed now."""
    stored = session.execute(
        select(ImpactOverview.figures, ImpactOverview.computed_at).where(
            ImpactOverview.grain == grain.value, ImpactOverview.period_first == period.first,
            ImpactOverview.period_last == period.last,
            ImpactOverview.computed_at >= now - timedelta(minutes=FRESH_MINUTES))).first()
    if stored is not None:
        payload, computed_at = stored
        ids = {row[0] for row in payload["by_category"]}
        categories = {c.id: c for c in session.scalars(
            select(Category).where(Category.id.in_(ids)))} if ids else {}
        # A category deleted since (the catalogue is edited rarely): compute afresh.
        if ids <= categories.keys():
            return Overview(decode(payload, categories), aware(computed_at))
    return Overview(impact.impact(session, period, clock.date_of(now), clock, grain), None)


# ---- the stored form -------------------------------------------------------------------


def _period(period: Period) -> list[str]:
    return [period.first.isoformat(), period.last.isoformat()]


def _unperiod(value: list[str]) -> Period:
    return Period(date.fromisoformat(value[0]), date.fromisoformat(value[1]))


def encode(figures: Impact) -> dict[str, Any]:
    """The figures as JSON: each cell a flat list of its fields, months and periods as
    ISO dates, categories by id."""
    groups = figures.groups
    return {
        "period": _period(figures.period),
        "grain": figures.grain.value,
        "by_month": [[m.isoformat(), list(astuple(f))] for m, f in figures.by_month],
        "by_neighbourhood": [[name, list(astuple(f))] for name, f in figures.by_neighbourhood],
        "by_category": [[c.id, list(astuple(f))] for c, f in figures.by_category],
        "total": list(astuple(figures.total)),
        "reciprocal": figures.reciprocal,
        "unmatched": [[code, count] for code, count in figures.unmatched],
        "by_span": [[_period(p), list(astuple(f))] for p, f in figures.by_span],
        "groups": None if groups is None else {
            "by_month": [[m.isoformat(), list(astuple(c))] for m, c in groups.by_month],
            "by_kind": [[kind, list(astuple(c))] for kind, c in groups.by_kind],
            "total": list(astuple(groups.total)),
            "group_to_pairing": groups.group_to_pairing,
            "pairing_to_group": groups.pairing_to_group,
            "by_span": [[_period(p), list(astuple(c))] for p, c in groups.by_span],
        },
    }


def decode(payload: dict[str, Any], categories: dict[int, Category]) -> Impact:
    """``encode``'s figures back, with ``categories`` (by id) for the category rows."""
    groups = payload["groups"]
    return Impact(
        period=_unperiod(payload["period"]),
        grain=Grain(payload["grain"]),
        by_month=[(date.fromisoformat(m), Figures(*f)) for m, f in payload["by_month"]],
        by_neighbourhood=[(name, Figures(*f)) for name, f in payload["by_neighbourhood"]],
        by_category=[(categories[c], Figures(*f)) for c, f in payload["by_category"]],
        total=Figures(*payload["total"]),
        reciprocal=payload["reciprocal"],
        unmatched=[(code, count) for code, count in payload["unmatched"]],
        by_span=[(_unperiod(p), Figures(*f)) for p, f in payload["by_span"]],
        groups=None if groups is None else GroupFigures(
            by_month=[(date.fromisoformat(m), GroupCell(*c)) for m, c in groups["by_month"]],
            by_kind=[(kind, GroupCell(*c)) for kind, c in groups["by_kind"]],
            total=GroupCell(*groups["total"]),
            group_to_pairing=groups["group_to_pairing"],
            pairing_to_group=groups["pairing_to_group"],
            by_span=[(_unperiod(p), GroupCell(*c)) for p, c in groups["by_span"]]),
    )
