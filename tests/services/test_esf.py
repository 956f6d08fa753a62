"""The ESF+ answers module: codes, indicator codes, and the age bands the figures count by."""

from __future__ import annotations

from datetime import date

import pytest

from mutuo_aiuto.models.household import (
    CITIZENSHIPS,
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    GENDERS,
    YES_NO,
)
from mutuo_aiuto.services import esf

ON = date(2026, 6, 30)


@pytest.mark.parametrize(("birth_year", "band"), [
    (2026, "under_18"), (2009, "under_18"),  # 17 in 2026
    (2008, "18_29"), (1997, "18_29"),  # 18 and 29
    (1996, "30_54"), (1972, "30_54"),  # 30 and 54
    (1971, "55_64"), (1962, "55_64"),  # 55 and 64
    (1961, "65_plus"), (1920, "65_plus"),
    (None, None), (2027, None),  # unknown, or born after the day
])
def test_age_band_edges(birth_year, band):
    assert esf.age_band(birth_year, ON) == band


def test_the_age_is_the_one_reached_in_the_year():
    # Only the year of birth is known: on 1 January and 31 December alike.
    assert esf.age_band(2008, date(2026, 1, 1)) == esf.age_band(2008, date(2026, 12, 31))
    assert esf.age_band(2008, date(2025, 12, 31)) == "under_18"
    assert esf.age_in_year(1990, ON) == 36


def test_the_bands_cover_every_age_once():
    for age in range(0, 120):
        matching = [b for b in esf.AGE_BANDS
                    if age >= b.low and (b.high is None or age <= b.high)]
        assert len(matching) == 1, age


def test_the_questions_use_the_models_codes_and_always_offer_prefer_not():
    pairs = {esf.GENDER: GENDERS, esf.EMPLOYMENT: EMPLOYMENT_STATUSES,
             esf.EDUCATION: EDUCATION_LEVELS, esf.CITIZENSHIP: CITIZENSHIPS,
             esf.FOREIGN_BACKGROUND: YES_NO, esf.DISABILITY: YES_NO, esf.MINORITY: YES_NO}
    for question, codes in pairs.items():
        assert question.codes == codes
        assert esf.PREFER_NOT in question.codes
    assert [q.field for q in esf.SPECIAL_CATEGORY] == ["disability", "minority"]
    assert all(q.special for q in esf.SPECIAL_CATEGORY)
    assert not any(q.special for q in esf.QUESTIONS)


@pytest.mark.parametrize(("question", "code", "indicators"), [
    (esf.EMPLOYMENT, "unemployed", ("EECO01",)),
    (esf.EMPLOYMENT, "long_term_unemployed", ("EECO01", "EECO02")),
    (esf.EMPLOYMENT, "inactive", ("EECO03",)),
    (esf.EMPLOYMENT, "employed", ("EECO04",)),
    (esf.EDUCATION, "isced_0_2", ("EECO08",)),
    (esf.EDUCATION, "isced_3_4", ("EECO09",)),
    (esf.EDUCATION, "isced_5_8", ("EECO10",)),
    (esf.DISABILITY, "yes", ("EECO12",)),
    (esf.CITIZENSHIP, "third_country", ("EECO13",)),
    (esf.CITIZENSHIP, "other_eu", ()),
    (esf.FOREIGN_BACKGROUND, "yes", ("EECO14",)),
    (esf.MINORITY, "yes", ("EECO15",)),
    (esf.GENDER, "woman", ()),
    (esf.EMPLOYMENT, "prefer_not", ()),
    (esf.EMPLOYMENT, None, ()),
    (esf.EMPLOYMENT, "astronaut", ()),
])
def test_indicator_codes(question, code, indicators):
    assert esf.indicators_of(question, code) == indicators


def test_every_answer_has_an_italian_label_for_the_funder():
    for question in (*esf.QUESTIONS, *esf.SPECIAL_CATEGORY):
        assert all(option.label_it for option in question.options)
    assert [b.esf_code for b in esf.AGE_BANDS] == ["EECO05", "EECO06", None, "EECO07", "EECO07"]
