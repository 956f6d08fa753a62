"""The problem and answer files (format 1): JSON to dataclasses and back.

Reading checks the shape of every value (``jsonfields``), then the meaning of
the whole problem (``validate``), so a problem from a file and one the web app
builds pass the same checks. Any fault raises ``ProblemError`` naming the field.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, NoReturn

from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.matching.jsonfields import (
    array,
    boolean,
    date,
    field,
    fields,
    integer,
    object_pairs,
    text,
    time,
)
from mutuo_aiuto.matching.model import (
    Answer,
    FixedPair,
    Need,
    Offer,
    Problem,
    Proposal,
    Slot,
    Weights,
)
from mutuo_aiuto.matching.validate import validate_problem

FORMAT = 1
_TOP = ("format", "neighbourhoods", "adjacency", "weights", "needs", "offers", "fixed")
_NEED = ("id", "household", "skills", "neighbourhood", "slots", "helpers", "languages",
         "requires_vetted", "max_hops", "urgency", "previous_helpers", "remote")
_OFFER = ("id", "household", "skills", "neighbourhood", "slots", "max_hops", "capacity",
          "languages", "vetted")
_WEIGHTS = ("base", "urgency", "proximity", "language", "continuity", "load")


def load_problem(source: str | os.PathLike[str] | Mapping[str, Any]) -> Problem:
    """A valid problem from a file path, or from the decoded JSON of one."""
    data = read_json(source) if isinstance(source, str | os.PathLike) else source
    problem = problem_from_dict(data)
    validate_problem(problem)
    return problem


def read_json(path: str | os.PathLike[str]) -> Any:
    name = os.fspath(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as error:
        raise ProblemError(name, f"cannot read the file ({error.strerror})") from None
    try:
        return json.loads(raw.decode("utf-8-sig"), object_pairs_hook=object_pairs,
                          parse_constant=_no_constant)
    except UnicodeDecodeError:
        raise ProblemError(name, "is not UTF-8 text") from None
    except json.JSONDecodeError as error:
        raise ProblemError(name, f"malformed JSON at line {error.lineno}, column "
                                 f"{error.colno}: {error.msg}") from None
    except (ValueError, RecursionError) as error:
        raise ProblemError(name, f"malformed JSON: {error}") from None


def _no_constant(name: str) -> NoReturn:
    raise ValueError(f"{name} is not a JSON number")


def problem_from_dict(data: Any) -> Problem:
    """The problem a decoded file describes, with every value's type checked."""
    if not isinstance(data, dict):
        raise ProblemError("", "the problem must be a JSON object")
    obj = fields(data, _TOP)
    version = field(obj, "format", integer)
    if version != FORMAT:
        raise ProblemError("format", f"{version} is not a supported format (expected 1)")
    return Problem(
        neighbourhoods=field(obj, "neighbourhoods", array(text)),
        adjacency=field(obj, "adjacency", array(_edge), ()),
        weights=field(obj, "weights", _weights, Weights()),
        needs=field(obj, "needs", array(_need)),
        offers=field(obj, "offers", array(_offer)),
        fixed=field(obj, "fixed", array(_fixed), ()),
    )


def _edge(value: Any) -> tuple[str, str]:
    pair = array(text)(value)
    if len(pair) != 2:
        raise ProblemError("", f"expected a pair of neighbourhoods, got {len(pair)} items")
    return pair[0], pair[1]


def _weights(value: Any) -> Weights:
    obj = fields(value, _WEIGHTS)
    default = Weights()
    values: dict[str, Any] = {
        key: field(obj, key, array(integer) if key == "proximity" else integer,
                   getattr(default, key)) for key in _WEIGHTS}
    return Weights(**values)


def _need(value: Any) -> Need:
    obj = fields(value, _NEED)
    return Need(
        id=field(obj, "id", text),
        household=field(obj, "household", text),
        skills=field(obj, "skills", array(text)),
        neighbourhood=field(obj, "neighbourhood", text),
        slots=field(obj, "slots", array(_need_slot)),
        helpers=field(obj, "helpers", integer, 1),
        languages=field(obj, "languages", array(text), ()),
        requires_vetted=field(obj, "requires_vetted", boolean, False),
        max_hops=field(obj, "max_hops", integer, 2),
        urgency=field(obj, "urgency", integer, 0),
        previous_helpers=field(obj, "previous_helpers", array(text), ()),
        remote=field(obj, "remote", boolean, False),
    )


def _offer(value: Any) -> Offer:
    obj = fields(value, _OFFER)
    return Offer(
        id=field(obj, "id", text),
        household=field(obj, "household", text),
        skills=field(obj, "skills", array(text)),
        neighbourhood=field(obj, "neighbourhood", text),
        slots=field(obj, "slots", array(_offer_slot)),
        max_hops=field(obj, "max_hops", integer, 2),
        capacity=field(obj, "capacity", integer, 1),
        languages=field(obj, "languages", array(text), ()),
        vetted=field(obj, "vetted", boolean, False),
    )


def _need_slot(value: Any) -> Slot:
    obj = fields(value, ("day", "date", "start", "end"))
    if "date" not in obj:
        return _weekly_slot(obj)
    if "day" in obj:
        raise ProblemError("day", "a slot has a day or a date, not both")
    on = field(obj, "date", date)
    return Slot.on_date(on, field(obj, "start", time), field(obj, "end", time))


def _offer_slot(value: Any) -> Slot:
    obj = fields(value, ("day", "date", "start", "end"))
    if "date" in obj:
        raise ProblemError("date", "only a need's slot may have a date")
    return _weekly_slot(obj)


def _weekly_slot(obj: dict[str, Any]) -> Slot:
    return Slot(day=field(obj, "day", integer), start=field(obj, "start", time),
                end=field(obj, "end", time))


def _fixed(value: Any) -> FixedPair:
    obj = fields(value, ("need", "offer"))
    return FixedPair(need=field(obj, "need", text), offer=field(obj, "offer", text))


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def problem_to_dict(problem: Problem) -> dict[str, Any]:
    """The file form of a problem; ``load_problem`` reads it back unchanged."""
    w = problem.weights
    return {
        "format": FORMAT,
        "neighbourhoods": list(problem.neighbourhoods),
        "adjacency": [list(edge) for edge in problem.adjacency],
        "weights": {"base": w.base, "urgency": w.urgency, "proximity": list(w.proximity),
                    "language": w.language, "continuity": w.continuity, "load": w.load},
        "needs": [_need_to_dict(need) for need in problem.needs],
        "offers": [_offer_to_dict(offer) for offer in problem.offers],
        "fixed": [{"need": pair.need, "offer": pair.offer} for pair in problem.fixed],
    }


def _slot_to_dict(slot: Slot) -> dict[str, Any]:
    when: dict[str, Any] = {"date": slot.date.isoformat()} if slot.date else {"day": slot.day}
    return when | {"start": format_time(slot.start), "end": format_time(slot.end)}


def _need_to_dict(need: Need) -> dict[str, Any]:
    return {"id": need.id, "household": need.household, "skills": list(need.skills),
            "neighbourhood": need.neighbourhood,
            "slots": [_slot_to_dict(slot) for slot in need.slots], "helpers": need.helpers,
            "languages": list(need.languages), "requires_vetted": need.requires_vetted,
            "max_hops": need.max_hops, "urgency": need.urgency,
            "previous_helpers": list(need.previous_helpers), "remote": need.remote}


def _offer_to_dict(offer: Offer) -> dict[str, Any]:
    return {"id": offer.id, "household": offer.household, "skills": list(offer.skills),
            "neighbourhood": offer.neighbourhood,
            "slots": [_slot_to_dict(slot) for slot in offer.slots],
            "max_hops": offer.max_hops, "capacity": offer.capacity,
            "languages": list(offer.languages), "vetted": offer.vetted}


def answer_to_dict(answer: Answer) -> dict[str, Any]:
    """The answer's file form, keys in the order of the format page."""
    stats = answer.stats
    return {
        "format": FORMAT,
        "proposals": [proposal_to_dict(p) for p in answer.proposals],
        "unmatched": list(answer.unmatched),
        "stats": {"needs": stats.needs, "offers": stats.offers,
                  "allowed_pairs": stats.allowed_pairs, "seconds": stats.seconds},
    }


def proposal_to_dict(proposal: Proposal) -> dict[str, Any]:
    reasons = []
    for reason in proposal.reasons:
        item: dict[str, Any] = {"code": reason.code, "points": reason.points}
        if reason.hops is not None:
            item["hops"] = reason.hops
        if reason.shared is not None:
            item["shared"] = list(reason.shared)
        reasons.append(item)
    return {"need": proposal.need, "offer": proposal.offer, "score": proposal.score,
            "reasons": reasons}


def dumps(data: Any) -> str:
    """Stable JSON text: same data, same bytes."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
