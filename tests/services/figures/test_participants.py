"""ESF+ participants from members with the ESF+ answers (as after the ESF+ fields land)."""

from __future__ import annotations

from datetime import date

from mutuo_aiuto.services.figures import participants
from mutuo_aiuto.services.figures.cube import figures
from mutuo_aiuto.services.figures.loading import Pairing, Person, Rows
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.windows import Windows

Q1 = ReportPeriod(date(2026, 1, 1), date(2026, 3, 31))


def _rows() -> Rows:
    """Six pairings in February: families 1–6 (a woman of 40, Italian, employed), helpers
    11–16 (a man of 25, outside the EU, unemployed); helper 16 also a woman who said she
    has a disability."""
    rows = Rows()
    for n in range(1, 7):
        rows.pairings.append(Pairing(n, n, n, 10 + n, "A", "B", "Cura", "active",
                                     date(2026, 2, n), None, None, None, None))
        rows.people[n].append(Person(n, 1986, "woman", "employed", "isced_3_4", "italian",
                                     "no"))
        rows.people[10 + n].append(Person(10 + n, 2001, "man", "unemployed", "isced_0_2",
                                          "third_country", "yes"))
    rows.people[16].append(Person(16, 1990, "woman", None, None, None, None, disability=True))
    return rows


def published(name: str) -> dict[tuple, tuple]:
    windows = Windows.of((Q1,), date(2026, 4, 1))
    cubes = {c.indicator.name: c for c in participants.cubes(_rows(), windows)}
    return {(f.period_start, f.period_end, f.gender, f.age_band, f.category): (f.value, f.code)
            for f in figures(cubes[name], {Q1: Q1}) if f.period_end == Q1.end
            and f.period_start == Q1.start}


def test_gender_by_age_band_with_the_esf_codes():
    found = published("participants")
    q = (Q1.start, Q1.end)
    assert found[(*q, "woman", "30_54", None)] == (7, None)
    assert found[(*q, "man", "18_29", None)] == (6, None)
    assert found[(*q, None, "18_29", None)] == (6, "EECO06")
    assert found[(*q, None, None, None)] == (13, "EECO11")


def test_citizenship_and_employment_codes():
    citizenship = published("participants_by_citizenship")
    q = (Q1.start, Q1.end)
    assert citizenship[(*q, None, None, "third_country")] == (6, "EECO13")
    # The one person with nothing recorded is hidden; beside the total, the smallest other
    # cell goes with it (Italian, 6, tied with outside the EU and first in the line).
    assert citizenship[(*q, None, None, "not_recorded")] == (None, None)
    assert citizenship[(*q, None, None, "italian")] == (None, None)
    employment = published("participants_by_employment")
    assert employment[(*q, None, None, "unemployed")] == (6, "EECO01")


def test_one_person_with_a_disability_is_never_shown():
    assert published("participants_with_disabilities")[(Q1.start, Q1.end, None, None, None)] \
        == (None, "EECO12")
