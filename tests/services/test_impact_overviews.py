"""The impact overview the scheduler stores: the same figures back, used only while fresh."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto import jobs
from mutuo_aiuto.models import ImpactOverview
from mutuo_aiuto.services import impact, impact_overviews
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.impact import Figures, Grain, GroupCell, GroupFigures, Impact, Period
from tests import factories

TZ = HubClock.named("Europe/Rome")
NOW = datetime(2026, 12, 6, 9, 30, tzinfo=UTC)
TODAY = TZ.date_of(NOW)
DEFAULT = impact.default_period(TODAY)

counts = st.integers(min_value=0, max_value=10_000)
amounts = st.floats(min_value=0, max_value=1e6, allow_nan=False, allow_infinity=False)
months = st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 12, 1)).map(
    lambda d: d.replace(day=1))
periods = st.builds(Period, months, months)
cells = st.builds(Figures, counts, counts, amounts, st.none() | amounts, counts, counts)
group_cells = st.builds(GroupCell, counts, counts, counts, counts)
CATEGORIES = {n: SimpleNamespace(id=n) for n in range(1, 6)}


@st.composite
def impacts(draw) -> Impact:
    groups = draw(st.none() | st.builds(
        GroupFigures, st.lists(st.tuples(months, group_cells), max_size=4),
        st.lists(st.tuples(st.sampled_from(["course", "meeting", "outing"]), group_cells),
                 max_size=3),
        group_cells, counts, counts, st.lists(st.tuples(periods, group_cells), max_size=4)))
    return Impact(
        period=draw(periods),
        by_month=draw(st.lists(st.tuples(months, cells), max_size=4)),
        by_neighbourhood=draw(st.lists(st.tuples(st.text(max_size=20), cells), max_size=4)),
        by_category=[(CATEGORIES[n], cell) for n, cell in draw(
            st.lists(st.tuples(st.sampled_from(sorted(CATEGORIES)), cells), max_size=4))],
        total=draw(cells), reciprocal=draw(counts),
        unmatched=draw(st.lists(st.tuples(st.text(max_size=12), counts), max_size=4)),
        groups=groups, grain=draw(st.sampled_from(list(Grain))),
        by_span=draw(st.lists(st.tuples(periods, cells), max_size=4)))


@given(impacts())
def test_the_stored_form_gives_the_same_figures_back(figures):
    stored = json.loads(json.dumps(impact_overviews.encode(figures)))
    back = impact_overviews.decode(stored, CATEGORIES)
    assert back == figures
    # ``closed`` is not part of a cell's identity, yet the hours' suppression reads it.
    assert [c.closed for _, c in back.by_month] == [c.closed for _, c in figures.by_month]
    assert back.total.public() == figures.total.public()


def _pairings(session, count: int) -> None:
    place = factories.make_neighbourhood(session)
    category = factories.make_category(session)
    for n in range(count):
        need = factories.make_need(
            session, household=factories.make_household(session, neighbourhood=place),
            category=category, status="active", opened_at=NOW - timedelta(days=20))
        factories.make_match(session, need=need, confirmed_at=NOW - timedelta(days=10 + n),
                             status="closed", closed_at=NOW - timedelta(days=2), hours=2)
    session.commit()


def test_without_stored_figures_the_page_computes_them(session):
    _pairings(session, 6)
    found = impact_overviews.overview(session, DEFAULT, Grain.MONTH, TZ, NOW)
    assert found.as_of is None
    assert found.figures.total.matches == 6


def test_a_refresh_stores_every_grouping_and_the_page_reads_them(session):
    _pairings(session, 6)
    assert impact_overviews.refresh(session, TZ, NOW) == len(Grain)
    session.commit()
    for grain in Grain:
        found = impact_overviews.overview(session, DEFAULT, grain, TZ, NOW + timedelta(minutes=3))
        assert found.as_of == NOW
        assert found.figures == impact.impact(session, DEFAULT, TODAY, TZ, grain)
    # Asked again within the minute (a job run twice): nothing to do.
    assert impact_overviews.refresh(session, TZ, NOW + timedelta(seconds=50)) == 0
    # Refreshed again: still one row per grouping.
    impact_overviews.refresh(session, TZ, NOW + timedelta(minutes=5))
    session.commit()
    assert session.scalar(select(func.count()).select_from(ImpactOverview)) == len(Grain)


def test_stale_figures_and_other_periods_are_computed_afresh(session):
    _pairings(session, 6)
    impact_overviews.refresh(session, TZ, NOW)
    session.commit()
    _pairings(session, 1)  # one more since the scheduler's run
    later = NOW + timedelta(minutes=impact_overviews.FRESH_MINUTES)
    assert impact_overviews.overview(session, DEFAULT, Grain.MONTH, TZ, later).as_of == NOW
    stale = impact_overviews.overview(session, DEFAULT, Grain.MONTH, TZ,
                                      later + timedelta(seconds=1))
    assert stale.as_of is None and stale.figures.total.matches == 7
    other = Period(DEFAULT.first, impact.add_months(DEFAULT.last, -1))
    assert impact_overviews.overview(session, other, Grain.MONTH, TZ, NOW).as_of is None


def test_the_scheduler_job_stores_them(app, session):
    _pairings(session, 2)
    assert jobs.run_task("refresh_impact_overview") == len(Grain)
    grains = session.scalars(select(ImpactOverview.grain)).all()
    assert sorted(grains) == sorted(g.value for g in Grain)
