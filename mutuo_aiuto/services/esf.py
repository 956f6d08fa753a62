"""Who the programme reaches, as the European Social Fund (ESF+) counts people.

The one place for the answers a household member may give about themselves
(gender, employment at entry, education, citizenship, foreign background,
and — with a separate consent — disability and minority), their labels in the
reader's language and in Italian (the funder's exports are in Italian whatever
the reader's language), and the ESF+ common output indicator each answer counts
towards (Regulation (EU) 2021/1057, Annex I). The figures engine imports these
constants and ``age_band``; the household form and service read them too.

Stored codes live on the model (``models/household.py``) for its CHECK
constraints; this module gives them meaning and checks that both agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l

from mutuo_aiuto.models.household import (
    CITIZENSHIPS,
    EDUCATION_LEVELS,
    EMPLOYMENT_STATUSES,
    GENDERS,
    PREFER_NOT,
    YES_NO,
)

__all__ = [
    "AGE_BANDS", "CITIZENSHIP", "DISABILITY", "EDUCATION", "EMPLOYMENT", "FOREIGN_BACKGROUND",
    "GENDER", "MINORITY", "PREFER_NOT", "QUESTIONS", "SPECIAL_CATEGORY", "TOTAL_PARTICIPANTS",
    "AgeBand", "Option", "Question", "age_band", "age_in_year", "indicators_of",
]

# ESF+ common output indicator for the total number of participants.
TOTAL_PARTICIPANTS = "EECO11"


@dataclass(frozen=True)
class Option:
    """One answer: its stored code, the ESF+ indicator it counts towards (if any),
    its label in the reader's language and in Italian for the funder's exports."""

    code: str
    label: Any  # a lazy string: shown in the reader's language
    label_it: str
    esf_code: str | None = None


@dataclass(frozen=True)
class Question:
    """One question of the form: the member's column, its wording and its answers."""

    field: str
    label: Any
    hint: Any
    options: tuple[Option, ...]
    # Special-category data: asked only with the separate consent, never in small tables.
    special: bool = False

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(option.code for option in self.options)

    def option(self, code: str | None) -> Option | None:
        return next((option for option in self.options if option.code == code), None)


_PREFER_NOT = Option(PREFER_NOT, _l("Prefer not to say"), "Preferisce non rispondere")

GENDER = Question(
    "gender", _l("Gender"),
    _l("How the person describes themselves. The funder counts women, men and non-binary "
       "people separately."),
    (Option("woman", _l("Woman"), "Donna"),
     Option("man", _l("Man"), "Uomo"),
     Option("non_binary", _l("Non-binary"), "Non binario"),
     _PREFER_NOT))

# EECO01 counts the unemployed *including* the long-term unemployed: see indicators_of.
EMPLOYMENT = Question(
    "employment", _l("Work when joining the Hub"),
    _l("The situation when the person joined. Long-term unemployed means looking for work "
       "for more than 12 months (6 months under 25). Inactive means not working and not "
       "looking for work: studying, retired, caring for the family."),
    (Option("unemployed", _l("Unemployed"), "Disoccupato", "EECO01"),
     Option("long_term_unemployed", _l("Long-term unemployed"), "Disoccupato di lungo periodo",
            "EECO02"),
     Option("inactive", _l("Not working and not looking for work"), "Inattivo", "EECO03"),
     Option("employed", _l("Working, also self-employed"), "Occupato, anche autonomo",
            "EECO04"),
     _PREFER_NOT))

EDUCATION = Question(
    "education", _l("Highest school finished"),
    _l("The highest level of school or study completed, in Italy or elsewhere."),
    (Option("isced_0_2", _l("Up to middle school (ISCED 0–2)"),
            "Fino alla licenza media (ISCED 0-2)", "EECO08"),
     Option("isced_3_4", _l("High school or vocational diploma (ISCED 3–4)"),
            "Diploma di scuola superiore o professionale (ISCED 3-4)", "EECO09"),
     Option("isced_5_8", _l("University or higher (ISCED 5–8)"),
            "Università o superiore (ISCED 5-8)", "EECO10"),
     _PREFER_NOT))

CITIZENSHIP = Question(
    "citizenship", _l("Citizenship"),
    _l("Italian, of another European Union country, or of a country outside the Union."),
    (Option("italian", _l("Italian"), "Italiana"),
     Option("other_eu", _l("Another EU country"), "Altro paese UE"),
     Option("third_country", _l("A country outside the EU"), "Paese extra UE", "EECO13"),
     _PREFER_NOT))

FOREIGN_BACKGROUND = Question(
    "foreign_background", _l("Foreign background"),
    _l("Yes if the person, or both of their parents, were born outside Italy."),
    (Option("yes", _l("Yes"), "Sì", "EECO14"),
     Option("no", _l("No"), "No"),
     _PREFER_NOT))

DISABILITY = Question(
    "disability", _l("Disability"),
    _l("Yes if the person has a recognised disability or a long-term health condition "
       "that limits daily life."),
    (Option("yes", _l("Yes"), "Sì", "EECO12"),
     Option("no", _l("No"), "No"),
     _PREFER_NOT),
    special=True)

MINORITY = Question(
    "minority", _l("Minority"),
    _l("Yes if the person belongs to a minority, for example the Roma and Sinti communities."),
    (Option("yes", _l("Yes"), "Sì", "EECO15"),
     Option("no", _l("No"), "No"),
     _PREFER_NOT),
    special=True)

# In the order the form asks them.
QUESTIONS: tuple[Question, ...] = (GENDER, EMPLOYMENT, EDUCATION, CITIZENSHIP,
                                   FOREIGN_BACKGROUND)
SPECIAL_CATEGORY: tuple[Question, ...] = (DISABILITY, MINORITY)

# The model's CHECK constraints and this module speak of the same codes.
for _question, _stored in ((GENDER, GENDERS), (EMPLOYMENT, EMPLOYMENT_STATUSES),
                           (EDUCATION, EDUCATION_LEVELS), (CITIZENSHIP, CITIZENSHIPS),
                           (FOREIGN_BACKGROUND, YES_NO), (DISABILITY, YES_NO),
                           (MINORITY, YES_NO)):
    if _question.codes != _stored:  # pragma: no cover - a developer's slip, caught on import
        raise RuntimeError(f"ESF+ codes of {_question.field} differ from the model's")


# ---- age ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AgeBand:
    """An age band of the ESF+ breakdown: ages ``low``..``high`` (None: no upper bound)."""

    code: str
    low: int
    high: int | None
    label: Any
    label_it: str
    esf_code: str | None = None


# EECO07 is "55 years and above": both older bands count towards it.
AGE_BANDS: tuple[AgeBand, ...] = (
    AgeBand("under_18", 0, 17, _l("Under 18"), "Meno di 18 anni", "EECO05"),
    AgeBand("18_29", 18, 29, _l("18–29"), "18-29 anni", "EECO06"),
    AgeBand("30_54", 30, 54, _l("30–54"), "30-54 anni"),
    AgeBand("55_64", 55, 64, _l("55–64"), "55-64 anni", "EECO07"),
    AgeBand("65_plus", 65, None, _l("65 and over"), "65 anni e oltre", "EECO07"),
)


def age_in_year(birth_year: int | None, on_date: date) -> int | None:
    """The age a person reaches in ``on_date``'s year.

    Only the year of birth is asked (less to give away), so the age on a given
    day is known within one year; the ESF+ practice for such data is the age
    reached in the year, which this is. None when the year is unknown or later.
    """
    if birth_year is None or birth_year > on_date.year:
        return None
    return on_date.year - birth_year


def age_band(birth_year: int | None, on_date: date) -> str | None:
    """The code of the ESF+ age band (``AGE_BANDS``) of a person on ``on_date``;
    None when the year of birth is not known."""
    age = age_in_year(birth_year, on_date)
    if age is None:
        return None
    for band in AGE_BANDS:
        if age >= band.low and (band.high is None or age <= band.high):
            return band.code
    return None  # pragma: no cover - the bands cover every age from 0


def indicators_of(question: Question, code: str | None) -> tuple[str, ...]:
    """The ESF+ indicator codes an answer counts towards.

    The long-term unemployed count in EECO02 and also in EECO01 ("unemployed,
    including long-term unemployed"); any other answer counts in its own code,
    if it has one; "prefer not to say" and no answer count in none.
    """
    option = question.option(code)
    if option is None or option.esf_code is None:
        return ()
    if question is EMPLOYMENT and code == "long_term_unemployed":
        return ("EECO01", "EECO02")
    return (option.esf_code,)
