"""The impact figures: a small scene whose answers are known, suppression, the period."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.services import impact
from mutuo_aiuto.services.gdpr import erasure
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.impact import FEWER_THAN_5, HIDDEN, Figures, Period, public_count
from tests import factories

TZ = HubClock.named("Europe/Rome")
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)
PERIOD = Period(JAN, MAR)
TODAY = date(2026, 3, 15)


def at(month: int, day: int, hour: int = 9, minute: int = 0, year: int = 2026) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


class Scene:
    """Two neighbourhoods, two categories; fam1 and fam2 in A, helper1 in B, helper2 in A."""

    def __init__(self, session):
        self.session = session
        self.a = factories.make_neighbourhood(session, name="Fontivegge")
        self.b = factories.make_neighbourhood(session, name="Pallotta")
        self.care = factories.make_category(session, position=1)
        self.meals = factories.make_category(session, position=2)
        self.fam1 = factories.make_household(session, neighbourhood=self.a)
        self.fam2 = factories.make_household(session, neighbourhood=self.a)
        self.fam3 = factories.make_household(session, neighbourhood=self.b)
        self.helper1 = factories.make_household(session, neighbourhood=self.b)
        self.helper2 = factories.make_household(session, neighbourhood=self.a)

    def match(self, family, helper, category, opened, confirmed, **values):
        need = factories.make_need(self.session, household=family, category=category,
                                   opened_at=opened, status="active")
        offer = factories.make_offer(self.session, household=helper)
        return factories.make_match(self.session, need=need, offer=offer,
                                    confirmed_at=confirmed, **values)


@pytest.fixture
def scene(session):
    s = Scene(session)
    # January: two confirmed (4 and 10 days), one across neighbourhoods.
    s.match(s.fam1, s.helper1, s.care, at(1, 1), at(1, 5), status="closed",
            closed_at=at(2, 10), hours=6.5)
    s.match(s.fam2, s.helper2, s.care, at(1, 2), at(1, 12))
    # February: fam1 again, across neighbourhoods, 2 days; closed in March.
    s.match(s.fam1, s.helper1, s.meals, at(2, 1), at(2, 3), status="closed",
            closed_at=at(3, 2), hours=3)
    # 28 Feb 23:30 UTC is 1 March in Rome: a March match. helper1's family receives help
    # from fam2: both gave and received.
    s.match(s.helper1, s.fam2, s.meals, at(2, 1), at(2, 28, 23, 30))
    # Not counted: the helper declined or never answered.
    s.match(s.fam3, s.helper2, s.care, at(1, 10), at(1, 20), status="declined", hours=9)
    s.match(s.fam3, s.helper2, s.care, at(1, 10), at(1, 21), status="unanswered")
    # Confirmed before the period, closed in January: its hours count, the match does not.
    s.match(s.fam3, s.helper2, s.care, at(11, 1, year=2025), at(12, 1, year=2025),
            status="closed", closed_at=at(1, 15), hours=2)
    session.commit()
    return s


def figures(session):
    return impact.impact(session, PERIOD, TODAY, TZ)


def test_by_month(session, scene):
    assert figures(session).by_month == [
        (JAN, Figures(matches=2, families=2, hours=2.0, median_days=7.0, cross_ties=1)),
        (FEB, Figures(matches=1, families=1, hours=6.5, median_days=2.0, cross_ties=1)),
        (MAR, Figures(matches=1, families=1, hours=3.0, median_days=27.6, cross_ties=1)),
    ]


def test_by_neighbourhood_of_the_request(session, scene):
    assert figures(session).by_neighbourhood == [
        ("Fontivegge", Figures(matches=3, families=2, hours=9.5, median_days=4.0,
                               cross_ties=2)),
        ("Pallotta", Figures(matches=1, families=1, hours=2.0, median_days=27.6, cross_ties=1)),
    ]


def test_by_category(session, scene):
    assert figures(session).by_category == [
        (scene.care, Figures(matches=2, families=2, hours=8.5, median_days=7.0, cross_ties=1)),
        (scene.meals, Figures(matches=2, families=2, hours=3.0, median_days=14.8,
                              cross_ties=2)),
    ]


def test_whole_period_counts_each_family_once(session, scene):
    found = figures(session)
    assert found.total == Figures(matches=4, families=3, hours=11.5, median_days=7.0,
                                  cross_ties=3)
    assert found.reciprocal == 2  # helper1 and fam2


def test_a_month_without_pairings_is_listed_with_zeros(session, scene):
    found = impact.impact(session, Period(date(2025, 6, 1), date(2025, 7, 1)), TODAY, TZ)
    assert found.by_month == [(date(2025, 6, 1), Figures()), (date(2025, 7, 1), Figures())]
    assert (found.by_neighbourhood, found.by_category, found.reciprocal) == ([], [], 0)


def test_erased_families_still_count(session, scene):
    before = figures(session)
    erasure.anonymise_household(session, scene.fam1, now=at(3, 10))
    session.commit()
    after = figures(session)
    assert (after.by_month, after.total, after.reciprocal) == (
        before.by_month, before.total, before.reciprocal)


def test_needs_without_a_proposal_are_counted_by_reason(session):
    factories.make_need(session, opened_at=at(3, 1))
    session.commit()
    counts = dict(impact.unmatched_by_reason(session, date.today()))
    assert sum(counts.values()) == 1
    assert set(counts) >= {"no_skill", "no_time", "too_far", "taken"}


# ---- suppression ---------------------------------------------------------------------


@pytest.mark.parametrize(("count", "shown"), [(0, 0), (1, FEWER_THAN_5), (4, FEWER_THAN_5),
                                               (5, 5), (12, 12)])
def test_counts_from_1_to_4_are_suppressed(count, shown):
    assert public_count(count) == shown


@given(st.integers(min_value=0, max_value=10_000))
def test_a_shown_count_is_either_the_count_or_fewer_than_5(count):
    shown = public_count(count)
    assert shown == count if count == 0 or count >= 5 else shown == FEWER_THAN_5


def test_hours_of_a_few_closed_pairings_are_hidden_too():
    # A month with nothing confirmed but two pairings closing: their hours would
    # tell what those two families received.
    few = Figures(hours=18.0, closed=2).public()
    assert (few.matches, few.families, few.hours) == (0, 0, HIDDEN)
    assert Figures(hours=40.0, closed=5).public().hours == 40.0
    assert Figures().public().hours == 0.0


def test_hours_and_median_are_hidden_with_a_suppressed_count():
    small = Figures(matches=3, families=2, hours=14.5, median_days=3.0, cross_ties=0).public()
    assert (small.matches, small.families, small.hours, small.median_days, small.cross_ties) \
        == (FEWER_THAN_5, FEWER_THAN_5, HIDDEN, HIDDEN, 0)
    large = Figures(matches=6, families=5, hours=14.5, median_days=3.0, cross_ties=2).public()
    assert (large.matches, large.families, large.hours, large.median_days, large.cross_ties) \
        == (6, 5, 14.5, 3.0, FEWER_THAN_5)


def test_the_export_suppresses_small_counts(session, scene):
    rows = impact.export_rows(figures(session), lambda c: c.name, str)
    assert ("month", "2026-01", "families_helped", "<5") in rows
    assert ("month", "2026-01", "hours_given", HIDDEN) in rows
    assert ("period", "2026-01/2026-03", "families_gave_and_received", "<5") in rows
    assert ("unmatched_now", "no_skill", "needs", "0") in rows
    assert not any(value in {"1", "2", "3", "4"} for *_key, measure, value in rows
                   if measure not in {"hours_given", "median_days_to_match"})


def test_a_name_read_as_a_formula_is_quoted(session, scene):
    scene.a.name = "=HYPERLINK(1)"
    session.commit()
    rows = impact.export_rows(figures(session), lambda c: c.name, str)
    assert ("neighbourhood", "'=HYPERLINK(1)", "matches_confirmed", "<5") in rows


# ---- the period ----------------------------------------------------------------------


def test_the_default_period_is_the_last_twelve_months_with_this_one():
    period = impact.default_period(date(2026, 11, 26))
    assert (period.first, period.last) == (date(2025, 12, 1), date(2026, 11, 1))
    assert len(period.months()) == 12


def test_months_cross_the_year():
    assert Period(date(2025, 11, 1), date(2026, 2, 1)).months() == [
        date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1), date(2026, 2, 1)]


def test_selectable_months_go_back_five_years_from_this_one():
    months = impact.selectable_months(date(2026, 11, 26))
    assert (months[0], months[-1], len(months)) == (date(2026, 11, 1), date(2021, 12, 1), 60)


# ---- quarters, years and the running total ---------------------------------------------

Q1 = Figures(matches=4, families=3, hours=11.5, median_days=7.0, cross_ties=3)


def test_a_quarter_counts_each_family_once_not_month_by_month(session, scene):
    found = impact.impact(session, PERIOD, TODAY, TZ, grain=impact.Grain.QUARTER)
    # fam1 is helped in January and in February: 3 families, not 2 + 1 + 1.
    assert found.by_span == [(Period(JAN, MAR), Q1)]


def test_a_period_is_widened_to_whole_quarters(session, scene):
    found = impact.impact(session, Period(date(2025, 12, 1), JAN), TODAY, TZ,
                          grain=impact.Grain.QUARTER)
    assert [span for span, _ in found.by_span] == [
        Period(date(2025, 10, 1), date(2025, 12, 1)), Period(JAN, MAR)]
    # Q4 2025: the match confirmed on 1 December (opened 30 days before), closed later.
    assert found.by_span[0][1] == Figures(matches=1, families=1, hours=0.0,
                                          median_days=30.0, cross_ties=1)
    assert found.by_span[1][1] == Q1
    # The period's own figures stay the period's: December and January only.
    assert found.total.matches == 3


def test_a_year_is_the_whole_calendar_year(session, scene):
    found = impact.impact(session, Period(FEB, MAR), TODAY, TZ, grain=impact.Grain.YEAR)
    assert found.by_span == [(Period(JAN, date(2026, 12, 1)), Q1)]


def test_the_running_total_grows_month_by_month(session, scene):
    found = impact.impact(session, PERIOD, TODAY, TZ, grain=impact.Grain.CUMULATIVE)
    assert found.by_span == [
        (Period(JAN, JAN), Figures(matches=2, families=2, hours=2.0, median_days=7.0,
                                   cross_ties=1)),
        (Period(JAN, FEB), Figures(matches=3, families=2, hours=8.5, median_days=4.0,
                                   cross_ties=2)),
        (Period(JAN, MAR), Q1),
    ]


def test_months_by_default_are_the_monthly_figures(session, scene):
    found = figures(session)
    assert [(span.first, cell) for span, cell in found.by_span] == found.by_month


@pytest.mark.parametrize(("grain", "first", "last"), [
    (impact.Grain.MONTH, date(2025, 11, 1), date(2026, 2, 1)),
    (impact.Grain.QUARTER, date(2025, 10, 1), date(2026, 3, 1)),
    (impact.Grain.YEAR, date(2025, 1, 1), date(2026, 12, 1)),
])
def test_snapped_periods(grain, first, last):
    assert impact.snapped(Period(date(2025, 11, 1), date(2026, 2, 1)), grain) == Period(
        first, last)


def test_mostly_suppressed_asks_for_wider_spans():
    small, big = Figures(matches=2, families=2), Figures(matches=9, families=7)
    def made(*cells):
        return impact.Impact(period=PERIOD, by_month=[], by_neighbourhood=[], by_category=[],
                             total=Figures(), reciprocal=0, unmatched=[],
                             by_span=[(PERIOD, cell) for cell in cells])
    assert made(small, small, big, Figures()).mostly_suppressed()
    assert not made(small, big, Figures()).mostly_suppressed()  # one of two: not most
    assert not made(Figures(), Figures()).mostly_suppressed()  # nobody: nothing hidden


@given(moments=st.lists(st.datetimes(min_value=datetime(2000, 1, 1),
                                     max_value=datetime(2040, 12, 31), timezones=st.just(UTC)),
                        min_size=1, max_size=30),
       zone=st.sampled_from(["Europe/Rome", "Asia/Kathmandu", "Australia/Lord_Howe",
                             "America/St_Johns", "Pacific/Chatham", "UTC"]))
def test_the_remembered_month_is_the_month_of_the_local_day(moments, zone):
    # The month of a pairing is remembered per UTC quarter of an hour (impact._month_reader):
    # the same as reading it from the clock, in zones whose offsets are half and three
    # quarters of an hour, and across their changes of time, from memory or not.
    clock = HubClock.named(zone)
    month = impact._month_reader(clock)
    for moment in moments + [m.replace(minute=59, second=59) for m in moments]:
        assert month(moment) == impact.month_of(clock.date_of(moment)), moment
