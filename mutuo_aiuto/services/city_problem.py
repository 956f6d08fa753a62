"""Realistic matching problems for benchmarks, tests and scale data, in the file format.

Two maps: ``hub`` is the programme's seven neighbourhoods around Fontivegge (one
Family Hub), ``city`` a grid of a whole city's neighbourhoods for scale. Needs
follow the rhythm of the families' week — school runs 07:30-08:30,
after-school 16:00-18:30, evenings, Saturday play groups — with one-off dated
needs, some wanting two helpers; the households speak the area's languages
(it, ar, ro, sq, uk, en, fr, es). Some pairs are already fixed.

    python benchmarks/generate_problem.py --needs 2000 --offers 2000 --seed 1 -o p.json

Everything is drawn from ``random.Random(seed)``: a seed gives one problem.
It lives in the package (pure Python, no database) because ``scale_data``
turns the same city into database rows for ``flask seed-scale``; the
benchmarks and the matcher's tests import it from here.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from typing import Any

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.fileformat import problem_from_dict
from mutuo_aiuto.matching.timeslots import any_overlap

# Fontivegge, by the station, touches Madonna Alta and Zona Cortonese to the
# south-west, Ponte della Pietra to the south-east and Filosofi towards the
# old town; Fonti Coperte lies past Madonna Alta, Pallotta past Ponte della Pietra.
HUB = {"fontivegge": 25, "madonna-alta": 15, "cortonese": 15, "ponte-della-pietra": 13,
       "pallotta": 10, "filosofi": 12, "fonti-coperte": 10}
HUB_ADJACENCY = [
    ("fontivegge", "madonna-alta"), ("fontivegge", "cortonese"),
    ("fontivegge", "ponte-della-pietra"), ("fontivegge", "filosofi"),
    ("madonna-alta", "cortonese"), ("madonna-alta", "fonti-coperte"),
    ("cortonese", "fonti-coperte"), ("ponte-della-pietra", "pallotta"),
    ("ponte-della-pietra", "filosofi"), ("pallotta", "filosofi"),
]

AFTER_SCHOOL = [("16:00", "18:30"), ("16:00", "18:00"), ("16:30", "18:30"),
                ("17:00", "18:30"), ("16:00", "17:30"), ("16:00", "17:00"), ("17:00", "18:00")]
EVENING = [("19:00", "21:00"), ("18:30", "20:30"), ("20:00", "22:00"), ("19:30", "21:30")]
TALK = [("18:00", "19:00"), ("20:00", "21:00"), ("17:00", "18:00"), ("21:00", "22:00")]
MORNING = [("09:00", "11:00"), ("10:00", "12:00"), ("09:30", "11:30"), ("15:00", "17:00")]
WEEKDAYS = (0, 1, 2, 3, 4)

# (skills, times, days, share requiring vetting, remote share, share wanting two, weight)
NEED_KINDS = [
    (("school-run",), [("07:30", "08:30")], WEEKDAYS, 0.9, 0.0, 0.05, 14),
    (("childcare",), AFTER_SCHOOL, WEEKDAYS, 0.9, 0.0, 0.05, 14),
    (("homework",), AFTER_SCHOOL, WEEKDAYS, 0.8, 0.1, 0.05, 14),
    (("elderly-care",), MORNING, WEEKDAYS, 0.7, 0.0, 0.1, 9),
    (("errands",), MORNING, (*WEEKDAYS, 5), 0.1, 0.0, 0.05, 8),
    (("meals",), [*EVENING, ("12:00", "13:30")], WEEKDAYS, 0.2, 0.0, 0.3, 6),
    (("listening",), TALK, (*WEEKDAYS, 5, 6), 0.0, 1.0, 0.0, 7),
    (("digital-help",), TALK + MORNING, WEEKDAYS, 0.0, 0.8, 0.0, 5),
    (("parenting-support",), TALK, WEEKDAYS, 0.3, 0.5, 0.0, 5),
    (("mediation",), TALK, WEEKDAYS, 0.5, 0.0, 0.0, 2),
    (("play-group",), [("09:30", "12:00"), ("15:00", "17:00")], (5, 6), 0.9, 0.0, 0.4, 6),
    (("childcare",), EVENING, (*WEEKDAYS, 5), 0.9, 0.0, 0.0, 5),
    (("childcare", "meals"), EVENING, WEEKDAYS, 0.9, 0.0, 0.1, 3),
    (("school-run", "childcare"), [("07:30", "08:30")], WEEKDAYS, 0.9, 0.0, 0.0, 2),
]

# Skills a helper tends to offer together.
SKILL_GROUPS = [
    (("childcare", "homework", "school-run", "play-group"), 40),
    (("elderly-care", "errands", "meals"), 25),
    (("listening", "parenting-support", "mediation"), 15),
    (("digital-help", "errands", "homework"), 10),
    (("childcare", "meals", "errands"), 10),
]
AVAILABILITY = [
    ([("07:00", "09:00"), ("07:15", "08:45")], WEEKDAYS, 20),
    ([("15:00", "19:00"), ("16:00", "19:00"), ("14:30", "18:30"), ("16:00", "18:30")],
     WEEKDAYS, 35),
    ([("08:30", "13:00"), ("09:00", "12:30"), ("14:30", "17:30")], WEEKDAYS, 20),
    ([("18:00", "22:00"), ("19:00", "21:30"), ("17:30", "21:00")], (*WEEKDAYS, 5), 20),
    ([("09:00", "13:00"), ("14:30", "18:00"), ("10:00", "18:00")], (5, 6), 12),
]
LANGUAGES = {"it": 55, "ar": 12, "ro": 8, "sq": 6, "uk": 5, "en": 4, "fr": 5, "es": 5}
HELPER_LANGUAGES = {"it": 75, "ar": 5, "ro": 4, "sq": 3, "uk": 3, "en": 4, "fr": 3, "es": 3}


def hub_map() -> tuple[list[str], list[list[str]], list[int]]:
    """The seven neighbourhoods of the programme, their adjacency and relative sizes."""
    return list(HUB), [list(edge) for edge in HUB_ADJACENCY], list(HUB.values())


def city_map(rows: int = 10, cols: int = 8) -> tuple[list[str], list[list[str]], list[int]]:
    """A grid of rows x cols neighbourhoods, each adjacent to its four neighbours."""
    names = [f"q{r:02d}-{c:02d}" for r in range(rows) for c in range(cols)]
    edges = [[f"q{r:02d}-{c:02d}", f"q{r + dr:02d}-{c + dc:02d}"]
             for r in range(rows) for c in range(cols) for dr, dc in ((0, 1), (1, 0))
             if r + dr < rows and c + dc < cols]
    return names, edges, [1] * len(names)


def pick(rng: random.Random, weighted: dict[str, int]) -> str:
    return rng.choices(list(weighted), weights=list(weighted.values()))[0]


def household_languages(rng: random.Random, table: dict[str, int]) -> list[str]:
    first = pick(rng, table)
    extra = "it" if first != "it" else rng.choice(["en", "fr", "es", "en"])
    return sorted({first, extra}) if rng.random() < 0.5 else [first]


def some_days(rng: random.Random, days: Sequence[int]) -> list[int]:
    count = min(len(days), rng.choices([1, 2, 3, 5], weights=[50, 25, 15, 10])[0])
    return sorted(rng.sample(list(days), count))


def need_slots(rng: random.Random, times: list[tuple[str, str]], days: Sequence[int],
               dated: bool) -> list[dict[str, Any]]:
    start, end = rng.choice(times)
    if dated:
        on = dt.date(2026, 12, 1) + dt.timedelta(days=rng.randrange(90))
        while on.weekday() not in days:
            on += dt.timedelta(days=1)
        return [{"date": on.isoformat(), "start": start, "end": end}]
    return [{"day": day, "start": start, "end": end} for day in some_days(rng, days)]


def make_need(rng: random.Random, i: int, place: str, household: str) -> dict[str, Any]:
    skills, times, days, vetted, remote, two, _ = rng.choices(
        NEED_KINDS, weights=[kind[-1] for kind in NEED_KINDS])[0]
    languages = [] if rng.random() < 0.15 else household_languages(rng, LANGUAGES)
    return {
        "id": f"n{i}", "household": household, "skills": list(skills),
        "neighbourhood": place, "slots": need_slots(rng, times, days, rng.random() < 0.2),
        "helpers": 2 if rng.random() < two else 1, "languages": languages,
        "requires_vetted": rng.random() < vetted,
        "max_hops": rng.choices([0, 1, 2, 3], weights=[5, 25, 60, 10])[0],
        "urgency": rng.choices([0, 1, 2, 3], weights=[40, 30, 20, 10])[0],
        "previous_helpers": [], "remote": rng.random() < remote,
    }


def make_offer(rng: random.Random, j: int, place: str, household: str) -> dict[str, Any]:
    group = rng.choices(SKILL_GROUPS, weights=[g[1] for g in SKILL_GROUPS])[0][0]
    skills = sorted(rng.sample(group, rng.choices([1, 2, 3], weights=[35, 40, 25])[0]))
    slots = []
    for times, days, _ in rng.sample(AVAILABILITY, rng.choice([1, 1, 2])):
        start, end = rng.choice(times)
        slots += [{"day": day, "start": start, "end": end} for day in some_days(rng, days)]
    return {
        "id": f"o{j}", "household": household, "skills": skills, "neighbourhood": place,
        "slots": sorted(slots, key=lambda s: (s["day"], s["start"])),
        "max_hops": rng.choices([1, 2, 3], weights=[25, 55, 20])[0],
        "capacity": rng.choices([1, 2, 3], weights=[50, 35, 15])[0],
        "languages": [] if rng.random() < 0.1 else household_languages(rng, HELPER_LANGUAGES),
        "vetted": rng.random() < 0.55,
    }


def generate(needs: int, offers: int, seed: int = 1, city: bool = False,
             fixed_share: float = 0.04) -> dict[str, Any]:
    """A problem in its file form (``load_problem`` reads it)."""
    rng = random.Random(seed)  # a repeatable city, no secret  # nosec B311
    places, adjacency, sizes = city_map() if city else hub_map()
    need_homes = [f"h{i}" for i in range(needs)]
    for i in range(1, needs):
        if rng.random() < 0.1:  # a family with several needs
            need_homes[i] = need_homes[rng.randrange(i)]
    need_list = [make_need(rng, i + 1, rng.choices(places, weights=sizes)[0], need_homes[i])
                 for i in range(needs)]
    offer_list = []
    for j in range(offers):
        # Some families both ask and give: rule 1 keeps them from serving themselves.
        home = rng.choice(need_homes) if need_homes and rng.random() < 0.08 else f"v{j}"
        offer_list.append(make_offer(rng, j + 1, rng.choices(places, weights=sizes)[0], home))
    data = {"format": 1, "neighbourhoods": places, "adjacency": adjacency,
            "needs": need_list, "offers": offer_list, "fixed": []}
    add_history(rng, data, fixed_share)
    return data


def add_history(rng: random.Random, data: dict[str, Any], fixed_share: float) -> None:
    """Fixed pairs a facilitator confirmed, and helpers some families had before."""
    problem = problem_from_dict(data)
    index = OfferIndex(problem)
    busy: dict[int, list[int]] = {}
    for pos, need in enumerate(problem.needs):
        allowed = index.allowed_offers(need)
        if allowed and rng.random() < 0.12:
            helpers = rng.sample(allowed, min(len(allowed), rng.choice([1, 1, 2])))
            data["needs"][pos]["previous_helpers"] = sorted(
                {problem.offers[o].household for o in helpers})
        if not allowed or rng.random() >= fixed_share:
            continue
        for o in rng.sample(allowed, len(allowed)):
            served = busy.setdefault(o, [])
            if len(served) < problem.offers[o].capacity and not any(
                    any_overlap(need.slots, problem.needs[m].slots) for m in served):
                served.append(pos)
                data["fixed"].append({"need": need.id, "offer": problem.offers[o].id})
                break
