"""Reading, validating and writing the file format: every fault named by its field."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from mutuo_aiuto.matching import (
    ProblemError,
    Slot,
    Weights,
    answer_to_dict,
    dumps,
    load_problem,
    problem_to_dict,
    solve,
)
from tests.matching.factories import example

Edit = Callable[[dict[str, Any]], Any]


def test_the_example_reads_with_its_defaults():
    problem = load_problem(example())
    n2 = problem.needs[1]
    assert n2.helpers == 1 and n2.languages == () and not n2.requires_vetted
    assert n2.max_hops == 2 and n2.urgency == 0 and n2.previous_helpers == () and n2.remote
    assert n2.slots == (Slot.on_date(dt.date(2026, 12, 1), 18 * 60, 19 * 60),)
    assert n2.slots[0].day == 1  # 1 December 2026 is a Tuesday
    assert problem.offers[0].slots == (Slot(1, 15 * 60, 19 * 60),)
    assert problem.weights == Weights()


def test_weights_fill_in_missing_keys():
    data = example() | {"weights": {"load": 5, "proximity": [9]}}
    assert load_problem(data).weights == Weights(load=5, proximity=(9,))


def test_weights_adjacency_and_fixed_may_be_left_out():
    data = example()
    for key in ("weights", "adjacency", "fixed"):
        del data[key]
    problem = load_problem(data)
    assert problem.adjacency == () and problem.fixed == () and problem.weights == Weights()


def test_a_problem_survives_the_round_trip():
    problem = load_problem(example())
    assert load_problem(json.loads(json.dumps(problem_to_dict(problem)))) == problem


def test_reading_from_a_path(tmp_path):
    path = tmp_path / "problem.json"
    path.write_text(json.dumps(example()), encoding="utf-8")
    assert load_problem(path) == load_problem(str(path)) == load_problem(example())


def test_24_00_ends_a_slot():
    data = example()
    data["offers"][0]["slots"][0]["end"] = "24:00"
    assert load_problem(data).offers[0].slots[0].end == 1440


def test_the_answer_file_is_stable_text():
    answer = solve(load_problem(example()))
    text = dumps(answer_to_dict(answer))
    assert text.endswith("\n") and json.loads(text)["format"] == 1
    assert dumps(answer_to_dict(answer)) == text


def _set(path: str, value: Any) -> Edit:
    """An edit that sets ``data[path]`` (a dotted path, list indexes as numbers)."""
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        target[int(last) if last.isdigit() else last] = value
    return edit


def _drop(path: str) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target: Any = data
        for key in parents:
            target = target[int(key)] if key.isdigit() else target[key]
        del target[last]
    return edit


def _append(path: str, value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        data[path].append(value)
    return edit


NEED = {"id": "n4", "household": "h4", "skills": [], "neighbourhood": "cortonese",
        "slots": [{"day": 2, "start": "10:00", "end": "11:00"}]}

INVALID: list[tuple[str, Edit, str, str]] = [
    ("end past midnight", _set("needs.0.slots.0.end", "25:00"),
     "needs[0].slots[0].end", '"25:00" is not a time HH:MM'),
    ("time without leading zero", _set("needs.0.slots.0.start", "9:00"),
     "needs[0].slots[0].start", "is not a time HH:MM"),
    ("minutes out of range", _set("offers.0.slots.0.start", "15:60"),
     "offers[0].slots[0].start", "is not a time HH:MM"),
    ("time as a number", _set("needs.0.slots.0.start", 960),
     "needs[0].slots[0].start", "is not a time HH:MM"),
    ("end before start", _set("needs.0.slots.0.end", "15:00"),
     "needs[0].slots[0].end", "is not after the start"),
    ("empty slot", _set("needs.0.slots.0.end", "16:00"),
     "needs[0].slots[0].end", "is not after the start"),
    ("24:00 as a start", _set("offers.0.slots.0.start", "24:00"),
     "offers[0].slots[0].start", "cannot start a slot"),
    ("weekday 7", _set("needs.0.slots.0.day", 7), "needs[0].slots[0].day", "not a weekday"),
    ("negative weekday", _set("offers.0.slots.0.day", -1), "offers[0].slots[0].day",
     "not a weekday"),
    ("day as text", _set("needs.0.slots.0.day", "1"), "needs[0].slots[0].day",
     "expected an integer"),
    ("bad date", _set("needs.1.slots.0.date", "2026-02-30"), "needs[1].slots[0].date",
     "is not a date YYYY-MM-DD"),
    ("date in another form", _set("needs.1.slots.0.date", "01/12/2026"),
     "needs[1].slots[0].date", "is not a date"),
    ("both day and date", _set("needs.1.slots.0.day", 1), "needs[1].slots[0].day",
     "a day or a date, not both"),
    ("dated offer slot", _set("offers.0.slots.0.date", "2026-12-01"), "offers[0].slots[0].date",
     "only a need's slot"),
    ("slot without a day", _drop("needs.0.slots.0.day"), "needs[0].slots[0].day",
     "required field is missing"),
    ("negative capacity", _set("offers.0.capacity", -1), "offers[0].capacity", "out of range"),
    ("no helpers", _set("needs.0.helpers", 0), "needs[0].helpers", "out of range"),
    ("urgency 4", _set("needs.0.urgency", 4), "needs[0].urgency", "out of range"),
    ("negative urgency", _set("needs.0.urgency", -1), "needs[0].urgency", "out of range"),
    ("negative need hops", _set("needs.0.max_hops", -1), "needs[0].max_hops", "out of range"),
    ("negative offer hops", _set("offers.0.max_hops", -2), "offers[0].max_hops", "out of range"),
    ("true for an integer", _set("needs.0.helpers", True), "needs[0].helpers",
     "expected an integer, got a boolean"),
    ("a float for an integer", _set("offers.0.capacity", 2.0), "offers[0].capacity",
     "expected an integer, got a number"),
    ("a number for a boolean", _set("offers.0.vetted", 1), "offers[0].vetted",
     "expected true or false"),
    ("a string for a list", _set("needs.0.skills", "childcare"), "needs[0].skills",
     "expected an array"),
    ("a number for a skill", _set("needs.0.skills", [3]), "needs[0].skills[0]",
     "expected a string"),
    ("an empty id", _set("needs.0.id", ""), "needs[0].id", "must not be empty"),
    ("a need that is not an object", _set("needs.0", "n1"), "needs[0]", "expected an object"),
    ("missing id", _drop("needs.0.id"), "needs[0].id", "required field is missing"),
    ("missing household", _drop("offers.0.household"), "offers[0].household",
     "required field is missing"),
    ("missing skills", _drop("needs.2.skills"), "needs[2].skills", "required field is missing"),
    ("missing slots", _drop("offers.0.slots"), "offers[0].slots", "required field is missing"),
    ("missing neighbourhoods", _drop("neighbourhoods"), "neighbourhoods",
     "required field is missing"),
    ("missing needs", _drop("needs"), "needs", "required field is missing"),
    ("missing format", _drop("format"), "format", "required field is missing"),
    ("format 2", _set("format", 2), "format", "not a supported format"),
    ("format as text", _set("format", "1"), "format", "expected an integer"),
    ("an unknown field", _set("needs.0.colour", "red"), "needs[0].colour", "unknown field"),
    ("an unknown top field", _set("version", 1), "version", "unknown field"),
    ("an unknown weight", _set("weights.bonus", 1), "weights.bonus", "unknown field"),
    ("a negative weight", _set("weights.load", -2), "weights.load", "out of range"),
    ("a float weight", _set("weights.base", 10.5), "weights.base", "expected an integer"),
    ("proximity not a list", _set("weights.proximity", 6), "weights.proximity",
     "expected an array"),
    ("a negative proximity", _set("weights.proximity", [6, -3]), "weights.proximity[1]",
     "out of range"),
    ("unknown neighbourhood", _set("needs.0.neighbourhood", "perugia"), "needs[0].neighbourhood",
     'unknown neighbourhood "perugia"'),
    ("unknown offer place", _set("offers.0.neighbourhood", "x"), "offers[0].neighbourhood",
     "unknown neighbourhood"),
    ("adjacency to nowhere", _set("adjacency.1.1", "ponte"), "adjacency[1][1]",
     'unknown neighbourhood "ponte"'),
    ("adjacency of three", _set("adjacency.0", ["fontivegge", "madonna-alta", "cortonese"]),
     "adjacency[0]", "expected a pair"),
    ("duplicate neighbourhood", _append("neighbourhoods", "cortonese"), "neighbourhoods[3]",
     "duplicate neighbourhood"),
    ("duplicate need id", _append("needs", NEED | {"id": "n2"}), "needs[3].id",
     'duplicate id "n2"'),
    ("duplicate offer id", _append("offers", {"id": "o1", "household": "h9", "skills": [],
                                              "neighbourhood": "cortonese", "slots": []}),
     "offers[1].id", "duplicate id"),
    ("unknown previous helper", _set("needs.0.previous_helpers", ["h99"]),
     "needs[0].previous_helpers[0]", 'unknown household "h99"'),
    ("fixed to an unknown need", _append("fixed", {"need": "n7", "offer": "o1"}),
     "fixed[1].need", 'unknown need "n7"'),
    ("fixed to an unknown offer", _append("fixed", {"need": "n1", "offer": "o7"}),
     "fixed[1].offer", 'unknown offer "o7"'),
    ("a fixed pair twice", _append("fixed", {"need": "n9", "offer": "o1"}), "fixed[1]",
     "duplicate pair"),
    ("a fixed pair without offer", _append("fixed", {"need": "n9"}), "fixed[1].offer",
     "required field is missing"),
    ("needs not a list", _set("needs", {}), "needs", "expected an array"),
]


@pytest.mark.parametrize(("edit", "path", "message"), [case[1:] for case in INVALID],
                         ids=[case[0] for case in INVALID])
def test_an_invalid_problem_names_its_field(edit: Edit, path: str, message: str):
    data = example()
    edit(data)
    with pytest.raises(ProblemError) as raised:
        load_problem(data)
    assert raised.value.path == path
    assert message in raised.value.message
    assert str(raised.value) == f"{path}: {raised.value.message}"
    assert "\n" not in str(raised.value)


def test_a_top_level_array_is_rejected():
    with pytest.raises(ProblemError, match="must be a JSON object"):
        load_problem([])  # type: ignore[arg-type]


@pytest.mark.parametrize(("text", "message"), [
    ('{"format": 1,', "malformed JSON at line 1"),
    ("", "malformed JSON"),
    ('{"format": NaN}', "NaN is not a JSON number"),
    ('{"format": 1, "format": 1}', "format: duplicate key"),
    ("[" * 100_000, "malformed JSON"),
])
def test_a_file_that_is_not_valid_json(tmp_path, text: str, message: str):
    path = tmp_path / "problem.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ProblemError) as raised:
        load_problem(path)
    assert message in str(raised.value)


def test_a_file_that_is_not_utf8(tmp_path):
    path = tmp_path / "problem.json"
    path.write_bytes(b'{"format": 1, "neighbourhoods": ["\xff"]}')
    with pytest.raises(ProblemError, match="not UTF-8"):
        load_problem(path)


def test_a_missing_file(tmp_path):
    with pytest.raises(ProblemError, match="cannot read the file"):
        load_problem(tmp_path / "nowhere.json")
