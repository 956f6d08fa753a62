"""The demo's answers for the funder (ESF+) and its follow-ups' belonging answers (issue 14).

Read from ``demo_data/esf.json``: each person's answers are drawn from a
random generator seeded with the family's key and the person's name, and each
follow-up's from the household and the day, so a run gives the same answers
whatever other rows exist, and the demo's other random draws are untouched.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from mutuo_aiuto.models.household import PREFER_NOT
from mutuo_aiuto.services.households import PersonAnswers

# Follow-ups as services/followups.py plans them: a week after the start, then every 4 weeks.
FIRST_DAYS = 7
EVERY_DAYS = 28
# Children younger than this answer only gender, citizenship and foreign background.
SCHOOL_LEAVING_AGE = 16


def _rng(*parts: object) -> random.Random:
    # A string seed is hashed the same way on every run and every machine.
    return random.Random("/".join(str(p) for p in parts))  # demo data only  # nosec B311


def _pick(rng: random.Random, weighted: Sequence[Sequence[Any]]) -> Any:
    values = [pair[0] for pair in weighted]
    weights = [pair[1] for pair in weighted]
    return rng.choices(values, weights)[0]


def person_answers(config: dict[str, Any], family: dict[str, Any], kind: str, name: str,
                   age: int) -> PersonAnswers:
    """A demo person's answers: plausible for their age, their family's origin and kind."""
    rng = _rng("esf", family["key"], name)
    if rng.random() < config["skip_all"]:
        return PersonAnswers()  # some people leave the questions unanswered
    origin = config["origin"].get(family["key"], "italian")
    gender = "woman" if name in config["women"] else "man"
    citizenship = origin
    if origin != "italian" and kind != "child" and rng.random() < config["naturalised"]:
        citizenship = "italian"
    values: dict[str, Any] = {
        "gender": gender, "citizenship": citizenship,
        "foreign_background": "no" if origin == "italian" else "yes"}
    if kind != "child" or age >= SCHOOL_LEAVING_AGE:
        group = "elder" if kind == "elder" else "adult"
        values["employment"] = (_pick(rng, config["employment"][group]) if kind != "child"
                                else "inactive")
        values["education"] = (_pick(rng, config["education"][group]) if kind != "child"
                               else "isced_0_2")
    values |= config["people"].get(f"{family['key']}/{name}", {})
    if rng.random() < config["special_consent"]:
        values["special_consent"] = True
        values["disability"] = _special(rng, config, config["disability"][kind])
        values["minority"] = _special(rng, config, config["minority"])
    return PersonAnswers(**values)


def _special(rng: random.Random, config: dict[str, Any], chance_yes: float) -> str:
    if rng.random() < config["special_prefer_not"]:
        return PREFER_NOT
    return "yes" if rng.random() < chance_yes else "no"


def follow_up_days(started_on: date, before: date) -> list[date]:
    """The days follow-ups fall due from a pairing's start, all before ``before``."""
    days = []
    day = started_on + timedelta(days=FIRST_DAYS)
    while day < before:
        days.append(day)
        day += timedelta(days=EVERY_DAYS)
    return days


def belonging_answer(config: dict[str, Any], household_key: str, first_side: str,
                     since: date, on_day: date) -> int | None:
    """A household's answer on ``on_day``, 1-5, or None when not asked that day.

    Each household starts where the side it first took part on tends to
    (families lower, helpers higher) — one start whichever side it answers on
    later — then rises a little per month since it first took part (``since``),
    with an occasional step either way.
    """
    trend = _rng("belonging", household_key)
    start = int(_pick(trend, config["start"][first_side]))
    per_month = float(_pick(trend, config["per_month"]))
    day = _rng("belonging", household_key, on_day.isoformat())
    if day.random() < config["skipped"]:
        return None
    score: float = start + per_month * (on_day - since).days / 30
    if day.random() < config["wobble"]:
        score += day.choice((-1, 1))
    return max(1, min(5, round(score)))
