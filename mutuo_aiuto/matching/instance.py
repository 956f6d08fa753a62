"""The optimisation instance: what is left to decide once the fixed pairs are counted.

Needs and offers become integer positions. A pair enters the instance only
if it could ever be chosen: allowed (rules 1-6), not fixed, a need with helpers
still to find, an offer with room left, no clash with the offer's fixed needs,
and a score above zero (a pair worth 0 or less never raises the total, so it
is never proposed). Clashes between needs (rule 9) are read from week masks.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.model import Need, Problem
from mutuo_aiuto.matching.scoring import PairScorer
from mutuo_aiuto.matching.timeslots import week_mask

Row = list[tuple[int, int]]


@dataclass(frozen=True)
class Clock:
    """When a need takes place, as week masks: its weekly minutes, all its
    minutes on their weekdays, and the minutes of each date of its dated slots."""

    weekly: int
    span: int
    dated: frozendict | None = None

    @classmethod
    def of(cls, need: Need) -> Clock:
        weekly = week_mask(s for s in need.slots if s.date is None)
        dated: dict[object, int] = {}
        for slot in need.slots:
            if slot.date is not None:
                dated[slot.date] = dated.get(slot.date, 0) | week_mask((slot,))
        return cls(weekly, weekly | week_mask(need.slots), frozendict(dated) if dated else None)


class frozendict(dict[Any, Any]):
    """A dict that can be hashed, so equal timetables are recognised."""

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(tuple(sorted(self.items())))


def clocks_clash(a: Clock, b: Clock) -> bool:
    """Rule 9 between two needs. Weekly time meets anything on its weekday;
    dated time meets dated time only on the same date."""
    if a.weekly & b.span or a.span & b.weekly:
        return True
    if a.dated is None or b.dated is None:
        return False
    return any(mask & b.dated.get(day, 0) for day, mask in a.dated.items())


def timetable_kinds(clocks: list[Clock]) -> list[int]:
    """Each need's timetable as a small integer: equal clocks, equal kinds."""
    kinds: dict[Clock, int] = {}
    return [kinds.setdefault(clock, len(kinds)) for clock in clocks]


def clash_test(clocks: list[Clock], kind: list[int] | None = None) -> Callable[[int, int], bool]:
    """``clash(a, b)`` between needs by position, remembered per pair of distinct
    timetables (needs often share one: the same school run, the same evening).
    ``kind`` is ``timetable_kinds(clocks)`` if the caller has it already."""
    kind = kind if kind is not None else timetable_kinds(clocks)
    unique: dict[int, Clock] = {}
    for clock, k in zip(clocks, kind, strict=True):
        unique.setdefault(k, clock)
    width = len(unique)
    known: dict[int, bool] = {}

    def clash(a: int, b: int) -> bool:
        key = kind[a] * width + kind[b]
        found = known.get(key)
        if found is None:
            found = known[key] = clocks_clash(unique[kind[a]], unique[kind[b]])
        return found

    return clash


class Instance:
    """``pairs[i]``: need i's (offer, score), best first; ``takers[j]``: offer j's (need, score).

    ``kinds[i]`` names need i's timetable: two needs of one kind clash with the
    same needs, so what depends only on clashes can be remembered per kind
    (by default every need is its own kind)."""

    def __init__(self, helpers: list[int], capacity: list[int], pairs: list[Row],
                 clash: Callable[[int, int], bool], kinds: list[int] | None = None) -> None:
        self.helpers = helpers
        self.kinds = kinds if kinds is not None else list(range(len(helpers)))
        self.capacity = capacity
        self.pairs = [sorted(row, key=_best_first) for row in pairs]
        self.scores = [dict(row) for row in pairs]
        self.clash = clash
        self.takers: list[Row] = [[] for _ in capacity]
        for need, row in enumerate(self.pairs):
            for offer, score in row:
                self.takers[offer].append((need, score))
        for row in self.takers:
            row.sort(key=_best_first)

    def score(self, need: int, offer: int) -> int:
        return self.scores[need][offer]

    def restricted(self, keep: set[tuple[int, int]]) -> Instance:
        """The same needs and offers with only the pairs in ``keep``."""
        pairs = [[(j, s) for j, s in row if (i, j) in keep] for i, row in enumerate(self.pairs)]
        return Instance(self.helpers, self.capacity, pairs, self.clash, self.kinds)


def _best_first(item: tuple[int, int]) -> tuple[int, int]:
    return -item[1], item[0]


@dataclass(frozen=True)
class Fixed:
    """The fixed pairs by position: each offer's needs, each need's offers."""

    of_offer: list[list[int]]
    of_need: list[set[int]]

    @classmethod
    def of(cls, problem: Problem, index: OfferIndex) -> Fixed:
        need_at = {need.id: pos for pos, need in enumerate(problem.needs)}
        of_offer: list[list[int]] = [[] for _ in problem.offers]
        of_need: list[set[int]] = [set() for _ in problem.needs]
        for pair in problem.fixed:
            need, offer = need_at[pair.need], index.position[pair.offer]
            of_offer[offer].append(need)
            of_need[need].add(offer)
        return cls(of_offer, of_need)


def build_instance(problem: Problem, index: OfferIndex, fixed: Fixed,
                   clocks: list[Clock]) -> tuple[Instance, int]:
    """The instance, and the number of allowed pairs (fixed ones counted)."""
    helpers = [max(0, n.helpers - len(fixed.of_need[i])) for i, n in enumerate(problem.needs)]
    capacity = [max(0, o.capacity - len(fixed.of_offer[j]))
                for j, o in enumerate(problem.offers)]
    scorer = PairScorer(problem, index.distances, [len(f) for f in fixed.of_offer])
    kinds = timetable_kinds(clocks)
    clash = clash_test(clocks, kinds)
    allowed, pairs, of_offer = 0, [], fixed.of_offer
    for i in range(len(problem.needs)):
        offers = index.allowed_offers(problem.needs[i])
        mine = fixed.of_need[i]
        allowed += len(offers) + len(mine.difference(offers)) if mine else len(offers)
        row = []
        if helpers[i]:
            row = [(j, value) for j, value in scorer.row(i, offers) if value > 0 and capacity[j]
                   and not (of_offer[j] and (j in mine or any(clash(i, k) for k in of_offer[j])))]
        pairs.append(row)
    return Instance(helpers, capacity, pairs, clash, kinds), allowed


def clocks_of(problem: Problem) -> list[Clock]:
    return [Clock.of(need) for need in problem.needs]
