"""Who the programme reaches, as ESF+ counts people: participants by gender × age band,
employment and education at entry, citizenship, foreign background, disability.

A household takes part on the day of its first counted pairing (either side) or
first group meeting; every member it lists is a participant from then (a household
listing nobody is one person, the account holder, with nothing recorded). The
answers are read from the members defensively (``loading.person``): before the
ESF+ fields exist every answer is "not recorded". The stored codes and the ESF+
indicator codes are those of ``services/esf.py`` (the ESF+ branch), repeated here
so the engine runs with or without it.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date

from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Person, Rows
from mutuo_aiuto.services.figures.windows import Windows

NOT_RECORDED = "not_recorded"
# ESF+ age bands (product.md): code, lowest age, highest (None: no limit), ESF+ code.
AGE_BANDS: tuple[tuple[str, int, int | None, str | None], ...] = (
    ("under_18", 0, 17, "EECO05"), ("18_29", 18, 29, "EECO06"), ("30_54", 30, 54, None),
    ("55_64", 55, 64, "EECO07"), ("65_plus", 65, None, "EECO07"))
# The ESF+ common output indicator each answer counts towards (Regulation 2021/1057, Annex I).
ANSWER_CODES: dict[str, dict[str, str]] = {
    "employment": {"unemployed": "EECO01", "long_term_unemployed": "EECO02",
                   "inactive": "EECO03", "employed": "EECO04"},
    "education": {"isced_0_2": "EECO08", "isced_3_4": "EECO09", "isced_5_8": "EECO10"},
    "citizenship": {"third_country": "EECO13"},
    "foreign_background": {"yes": "EECO14"},
}


def age_band(birth_year: int | None, on: date) -> str | None:
    """The ESF+ age band of the age reached in ``on``'s year (only the year is asked)."""
    if birth_year is None or birth_year > on.year:
        return None
    age = on.year - birth_year
    return next(code for code, low, high, _esf in AGE_BANDS
                if age >= low and (high is None or age <= high))


def entries(rows: Rows) -> dict[int, date]:
    """The day each household first took part."""
    first: dict[int, date] = {}
    days = [(h, p.confirmed) for p in rows.pairings if p.counted for h in (p.family, p.helper)]
    for household, day in [*days, *rows.attended]:
        first[household] = min(day, first.get(household, day))
    return first


def _age_code(parts: Mapping[str, Hashable]) -> str | None:
    if parts.get("gender") is None and parts.get("age_band") is None:
        return "EECO11"
    if parts.get("gender") is None:
        return next((esf for code, *_r, esf in AGE_BANDS if code == parts["age_band"]), None)
    return None


def _answer_code(field: str) -> Callable[[Mapping[str, Hashable]], str | None]:
    def code(parts: Mapping[str, Hashable]) -> str | None:
        return ANSWER_CODES[field].get(str(parts.get("category")))
    return code


def cubes(rows: Rows, windows: Windows) -> list[Cube]:
    entered = entries(rows)
    people = Cube(BY_NAME["participants"], windows.cumulative, ("gender", "age_band"),
                  code_for=_age_code)
    by = {field: Cube(BY_NAME[f"participants_by_{field}"], windows.cumulative, ("category",),
                      code_for=_answer_code(field))
          for field in ANSWER_CODES}
    disability = Cube(BY_NAME["participants_with_disabilities"], windows.cumulative)
    for key, period in windows.each():
        for household, day in sorted(entered.items()):
            if not period.contains(day):
                continue
            for person in rows.people.get(household) or [Person(household, None)]:
                people.add(key, (person.gender or NOT_RECORDED,
                                 age_band(person.birth_year, day) or NOT_RECORDED))
                for field, cube in by.items():
                    cube.add(key, (getattr(person, field) or NOT_RECORDED,))
                disability.add(key, (), int(person.disability))
        disability.values.setdefault((key,), 0)
    return [people, *by.values(), disability]
