"""Who the programme reaches, as ESF+ counts people: participants by gender × age band,
employment and education at entry, citizenship, foreign background, disability.

A household takes part on the day of its first counted pairing (either side) or
first group meeting; every member it lists is a participant from then (a household
listing nobody is one person, the account holder, with nothing recorded). The
answers are read from the members defensively (``loading.person``): before the
ESF+ fields exist every answer is "not recorded". The stored codes, the ESF+
indicator codes and the age bands are those of ``services/esf.py``: one place.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from datetime import date

from mutuo_aiuto.services import esf
from mutuo_aiuto.services.figures.cube import Cube
from mutuo_aiuto.services.figures.indicators import BY_NAME
from mutuo_aiuto.services.figures.loading import Person, Rows
from mutuo_aiuto.services.figures.windows import Windows

NOT_RECORDED = "not_recorded"
# The ESF+ common output indicator each answer counts towards, from ``esf`` (Regulation
# 2021/1057, Annex I). The long-term unemployed's own row is EECO02; that EECO01 counts
# them too is said in the indicator's definition (``esf.indicators_of``).
ANSWER_CODES: dict[str, dict[str, str]] = {
    question.field: {option.code: option.esf_code for option in question.options
                     if option.esf_code is not None}
    for question in (esf.EMPLOYMENT, esf.EDUCATION, esf.CITIZENSHIP,
                     esf.FOREIGN_BACKGROUND)}
AGE_BANDS = esf.AGE_BANDS
age_band = esf.age_band


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
        return next((band.esf_code for band in AGE_BANDS if band.code == parts["age_band"]),
                    None)
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
