"""The meaning of a problem: ranges, unique ids and references, named by path.

Used on every problem, from a file or built by the web app; the first fault
raises ``ProblemError``. Households are not declared in the file, so a
household "is known" when some need or offer of the problem belongs to it:
``previous_helpers`` may name only those (continuity points can only go to an
offer's household anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.matching.jsonfields import shown
from mutuo_aiuto.matching.model import FixedPair, Need, Offer, Problem, Slot, Weights

DAY_END = 24 * 60


def validate_problem(problem: Problem) -> None:
    places = _unique(problem.neighbourhoods, "neighbourhoods", "neighbourhood")
    for i, edge in enumerate(problem.adjacency):
        for j, name in enumerate(edge):
            _known(name, places, f"adjacency[{i}][{j}]", "neighbourhood")
    _check_weights(problem.weights)
    households = {n.household for n in problem.needs} | {o.household for o in problem.offers}
    for i, need in enumerate(problem.needs):
        validate_need(need, f"needs[{i}]", places, households)
    for i, offer in enumerate(problem.offers):
        _check_offer(offer, f"offers[{i}]", places)
    need_ids = _unique((n.id for n in problem.needs), "needs", "id", suffix=".id")
    offer_ids = _unique((o.id for o in problem.offers), "offers", "id", suffix=".id")
    _check_fixed(problem.fixed, need_ids, offer_ids)


def _unique(values: Iterable[str], path: str, what: str, suffix: str = "") -> set[str]:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            raise ProblemError(f"{path}[{i}]{suffix}", f"duplicate {what} {shown(value)}")
        seen.add(value)
    return seen


def _known(value: str, known: set[str], path: str, what: str) -> None:
    if value not in known:
        raise ProblemError(path, f"unknown {what} {shown(value)}")


def _at_least(value: int, low: int, path: str, high: int | None = None) -> None:
    if value < low or (high is not None and value > high):
        wanted = f"at least {low}" if high is None else f"from {low} to {high}"
        raise ProblemError(path, f"{value} is out of range (must be {wanted})")


def _check_weights(weights: Weights) -> None:
    for key in ("base", "urgency", "language", "continuity", "load"):
        _at_least(getattr(weights, key), 0, f"weights.{key}")
    for k, points in enumerate(weights.proximity):
        _at_least(points, 0, f"weights.proximity[{k}]")


def validate_need(need: Need, path: str, places: set[str], households: set[str]) -> None:
    """One need's fields: ranges, slots, and known neighbourhood and households."""
    _known(need.neighbourhood, places, f"{path}.neighbourhood", "neighbourhood")
    _check_slots(need.slots, f"{path}.slots", dated=True)
    _at_least(need.helpers, 1, f"{path}.helpers")
    _at_least(need.max_hops, 0, f"{path}.max_hops")
    _at_least(need.urgency, 0, f"{path}.urgency", high=3)
    for j, household in enumerate(need.previous_helpers):
        _known(household, households, f"{path}.previous_helpers[{j}]", "household")


def _check_offer(offer: Offer, path: str, places: set[str]) -> None:
    _known(offer.neighbourhood, places, f"{path}.neighbourhood", "neighbourhood")
    _check_slots(offer.slots, f"{path}.slots", dated=False)
    _at_least(offer.max_hops, 0, f"{path}.max_hops")
    _at_least(offer.capacity, 0, f"{path}.capacity")


def _check_slots(slots: Iterable[Slot], path: str, dated: bool) -> None:
    for j, slot in enumerate(slots):
        at = f"{path}[{j}]"
        if slot.date is not None and not dated:
            raise ProblemError(f"{at}.date", "only a need's slot may have a date")
        if slot.date is not None and slot.day != slot.date.weekday():
            raise ProblemError(f"{at}.day", f"{slot.day} is not the weekday of {slot.date}")
        if not 0 <= slot.day <= 6:
            raise ProblemError(f"{at}.day", f"{slot.day} is not a weekday (0 = Monday … 6 = "
                                            "Sunday)")
        if not 0 <= slot.start < DAY_END:
            raise ProblemError(f"{at}.start", f"{_hhmm(slot.start)} cannot start a slot")
        if not 0 < slot.end <= DAY_END:
            raise ProblemError(f"{at}.end", f"{_hhmm(slot.end)} cannot end a slot")
        if slot.end <= slot.start:
            raise ProblemError(f"{at}.end", f"{_hhmm(slot.end)} is not after the start "
                                            f"{_hhmm(slot.start)}")


def _hhmm(minutes: int) -> str:
    """``"16:30"`` for 990; a value that is no time of day shows as minutes."""
    if 0 <= minutes <= DAY_END:
        return f'"{minutes // 60:02d}:{minutes % 60:02d}"'
    return f"{minutes} minutes"


def _check_fixed(fixed: Iterable[FixedPair], need_ids: set[str], offer_ids: set[str]) -> None:
    seen: set[FixedPair] = set()
    for i, pair in enumerate(fixed):
        _known(pair.need, need_ids, f"fixed[{i}].need", "need")
        _known(pair.offer, offer_ids, f"fixed[{i}].offer", "offer")
        if pair in seen:
            raise ProblemError(f"fixed[{i}]", f"duplicate pair {shown(pair.need)}, "
                                              f"{shown(pair.offer)}")
        seen.add(pair)
