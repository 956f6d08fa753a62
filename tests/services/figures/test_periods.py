"""Reporting periods in the Hub's calendar: months, quarters, years, cumulative."""

from __future__ import annotations

from datetime import UTC, date, datetime
from types import SimpleNamespace

import pytest

from mutuo_aiuto.services.figures.loading import person
from mutuo_aiuto.services.figures.participants import age_band
from mutuo_aiuto.services.figures.periods import (
    Granularity,
    ReportPeriod,
    label,
    period_of,
    periods,
)
from mutuo_aiuto.services.hubtime import HubClock

ROME = HubClock.named("Europe/Rome")


@pytest.mark.parametrize(("granularity", "expected"), [
    (Granularity.MONTH, ReportPeriod(date(2026, 2, 1), date(2026, 2, 28))),
    (Granularity.QUARTER, ReportPeriod(date(2026, 1, 1), date(2026, 3, 31))),
    (Granularity.YEAR, ReportPeriod(date(2026, 1, 1), date(2026, 12, 31))),
])
def test_the_period_a_day_falls_in(granularity, expected):
    assert period_of(date(2026, 2, 14), granularity) == expected


def test_quarters_from_one_day_to_another_cover_whole_quarters():
    found = periods(date(2025, 11, 20), date(2026, 4, 2), Granularity.QUARTER)
    assert [label(p) for p in found] == ["2025-Q4", "2026-Q1", "2026-Q2"]
    assert found[0].start == date(2025, 10, 1) and found[-1].end == date(2026, 6, 30)


def test_cumulative_is_one_span_from_the_first_month():
    assert periods(date(2025, 11, 20), date(2026, 4, 2), Granularity.CUMULATIVE) == [
        ReportPeriod(date(2025, 11, 1), date(2026, 4, 2))]
    assert label(ReportPeriod(date(2025, 11, 1), date(2026, 4, 2))) == "2025-11/2026-04"


def test_labels():
    assert label(ReportPeriod(date(2026, 3, 1), date(2026, 3, 31))) == "2026-03"
    assert label(ReportPeriod(date(2026, 1, 1), date(2026, 12, 31))) == "2026"


def test_a_period_is_read_in_rome_across_summer_time():
    """The first quarter ends at midnight in Rome, 22:00 UTC on 31 March (summer time
    began on 29 March 2026); the year starts at 23:00 UTC on 31 December."""
    start, until = ReportPeriod(date(2026, 1, 1), date(2026, 3, 31)).bounds(ROME)
    assert start == datetime(2025, 12, 31, 23, tzinfo=UTC)
    assert until == datetime(2026, 3, 31, 22, tzinfo=UTC)
    # 23:30 UTC on 31 March is already April in Rome.
    assert ROME.date_of(datetime(2026, 3, 31, 22, 30, tzinfo=UTC)) == date(2026, 4, 1)


def test_age_bands_are_the_esf_ones_by_the_year_reached():
    on = date(2026, 6, 1)
    assert [age_band(year, on) for year in (2009, 2008, 1997, 1996, 1972, 1971, 1962, 1961,
                                            None, 2030)] == [
        "under_18", "18_29", "18_29", "30_54", "30_54", "55_64", "55_64", "65_plus",
        None, None]


def test_members_are_read_before_and_after_the_esf_fields():
    """Before the ESF+ fields a member has a birth year and a disability flag only; after,
    the answers (and disability as yes / no / prefer not to say)."""
    before = person(SimpleNamespace(household_id=1, birth_year=1980, has_disability=True))
    assert (before.gender, before.citizenship, before.disability) == (None, None, True)
    after = person(SimpleNamespace(household_id=1, birth_year=1980, gender="woman",
                                   employment="employed", education="isced_3_4",
                                   citizenship="third_country", foreign_background="yes",
                                   disability="prefer_not"))
    assert (after.gender, after.employment, after.education, after.citizenship,
            after.foreign_background, after.disability) == (
        "woman", "employed", "isced_3_4", "third_country", "yes", False)
