"""The best set of needs for one offer, under two ways of valuing each need.

``best_set`` picks, exactly, the non-clashing needs within the offer's
capacity with the largest total value. The values say what taking a need
would cost the rest of the answer:

* ``priced_set``, market prices: its score less what it keeps elsewhere now;
* ``local_set``, local effects one step deep: its score less the place it
  would leave, plus the best need with a free helper slot that could fill
  that place; for a need served here, its score less where else it could go.

Both return the set only when it beats what the offer holds now, by their
own measure; ``improve`` then tries it for real.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mutuo_aiuto.matching.market import SCALE, Market

Clash = Callable[[int, int], bool]


@dataclass
class Scratch:
    """What the valuations remember while ``improve`` runs, beside the market."""

    market: Market
    memo: dict[Any, Any] = field(default_factory=dict)
    # Proposals that failed, by (offer, kind, its needs then, the set proposed).
    failed: set[tuple[Any, ...]] = field(default_factory=set)
    # The needs' free helper slots at the pass's start, and what ``best_free`` found.
    room_then: list[int] = field(default_factory=list)
    free_then: dict[int, int] = field(default_factory=dict)

    def refresh(self) -> None:
        self.room_then = list(self.market.room)
        self.free_then = {}

    def best_free(self, offer: int) -> int:
        """The best score of a need with a free helper slot at the pass's start.
        Worked out for the offers asked about only: a pass over a few offers
        (after a chain) would otherwise pay for all of them."""
        found = self.free_then.get(offer)
        if found is None:
            room = self.room_then
            found = self.free_then[offer] = next(
                (s for need, s in self.market.instance.takers[offer] if room[need] > 0), 0)
        return found


def best_set(items: list[tuple[int, int]], room: int, clash: Clash) -> tuple[int, tuple[int, ...]]:
    """The non-clashing set of at most ``room`` needs with the largest total value.

    ``items`` are (value, need) with value > 0. Depth-first in decreasing value,
    cut when even the best remaining values cannot beat the best set found.
    """
    items = sorted(items, key=lambda item: (-item[0], item[1]))
    if room == 1 or len(items) <= 1:
        return (items[0][0], (items[0][1],)) if items and room else (0, ())
    # running[m] is the sum of the m best values: the bound of any continuation.
    running = [0]
    for value, _ in items:
        running.append(running[-1] + value)
    best: list[Any] = [0, ()]
    _search(items, running, room, clash, 0, [], 0, best)
    return best[0], best[1]


def _search(items: list[tuple[int, int]], running: list[int], room: int, clash: Clash,
            start: int, chosen: list[int], total: int, best: list[Any]) -> None:
    if total > best[0]:
        best[0], best[1] = total, tuple(chosen)
    left = room - len(chosen)
    last = len(items)
    for m in range(start, last if left else start):
        if total + running[min(m + left, last)] - running[m] <= best[0]:
            return
        value, need = items[m]
        if not any(clash(need, other) for other in chosen):
            chosen.append(need)
            _search(items, running, room, clash, m + 1, chosen, total + value, best)
            chosen.pop()


def priced_set(scratch: Scratch, offer: int) -> set[int] | None:
    """The offer's best set when each need costs what it keeps elsewhere now."""
    market = scratch.market
    holders = market.holders[offer]
    items = []
    for need, score in market.instance.takers[offer]:
        value = holders[need] if need in holders else (
            score * SCALE - market.utility(need) - market.step)
        if value > 0:
            items.append((value, need))
    return _better(market, offer, items, sum(holders.values()))


def local_set(scratch: Scratch, offer: int) -> set[int] | None:
    """The offer's best set valued by the moves around it, one step deep.

    Cheap bounds come first: a need served elsewhere is valued as if the best
    free taker of its place would fill in, a need served here as if it could
    go to its best other offer. Only if that could beat the offer's present
    set are the real values worked out.
    """
    market = scratch.market
    holders, instance = market.holders[offer], market.instance
    all_held, room, scores = market.held, market.room, market.scores
    best_free = scratch.best_free
    sure, maybe, floor = [], [], 0
    for need, score in instance.takers[offer]:
        if need in holders:
            best_other = next((s for o, s in instance.pairs[need] if o != offer), 0)
            floor += score - best_other
            continue
        if room[need] > 0:
            sure.append((score, need))
            continue
        held = all_held[need]
        # At most what leaving costs: as if the best need with a free helper slot
        # at the start of the pass filled the place (only used to skip work).
        mine, least = scores[need], None
        for other in held:
            cost = mine[other] - best_free(other)
            if least is None or cost < least:
                least = cost
        bound = score - least  # type: ignore[operator]
        if bound > 0:
            maybe.append((bound, need))
    places = market.capacity[offer]
    if _hopeless(sure + maybe, places, floor):
        return None  # the present set's worst case already beats the best hope
    now = 0
    for need in holders:
        value = market.scores[need][offer] - _elsewhere(scratch, need, offer)
        now += value
        if value > 0:
            sure.append((value, need))
    maybe.sort(key=lambda item: (-item[0], item[1]))
    # The ``places`` best sure values, kept as a heap: with the best bounds left
    # (the next ``places`` of ``maybe``) they are the best any set could still reach.
    best_sure = heapq.nlargest(places, (value for value, _ in sure))
    heapq.heapify(best_sure)
    for k, (_, need) in enumerate(maybe):
        if _hopeless([(v, 0) for v in best_sure] + maybe[k:k + places], places, now):
            break  # the needs left, even at their bounds, cannot make a better set
        value = market.scores[need][offer] - min(leaving_cost(scratch, need, other)
                                                 for other in sorted(market.held[need]))
        if value > 0:
            sure.append((value, need))
            if len(best_sure) < places:
                heapq.heappush(best_sure, value)
            elif value > best_sure[0]:
                heapq.heapreplace(best_sure, value)
    return _better(market, offer, sure, now)


def _hopeless(items: list[tuple[int, int]], room: int, now: int) -> bool:
    """Whether even the ``room`` best values, clashes aside, do not beat ``now``."""
    values = [value for value, _ in items]
    if len(values) > room:
        values.sort()
        values = values[len(values) - room:]
    return sum(values) <= now


def _better(market: Market, offer: int, items: list[tuple[int, int]],
            now: int) -> set[int] | None:
    room = market.capacity[offer]
    if _hopeless(items, room, now):
        return None  # even without clashes no set would beat the present one
    value, chosen = best_set(items, room, market.clash)
    if value <= now or set(chosen) == set(market.holders[offer]):
        return None
    return set(chosen)


def _elsewhere(scratch: Scratch, need: int, offer: int) -> int:
    """The best score the need could get by joining another offer as it is."""
    return _remembered(scratch, "elsewhere", need, offer, _first_place)


def _first_place(market: Market, need: int, offer: int) -> int:
    for other, score in market.instance.pairs[need]:  # best first
        if other != offer and market.fits(need, other):
            return score
    return 0


def leaving_cost(scratch: Scratch, need: int, offer: int) -> int:
    """What the total loses if the need leaves the offer and the best free need fills in."""
    return scratch.market.scores[need][offer] - _remembered(scratch, "refill", need, offer,
                                                            _refill)


def _refill(market: Market, need: int, offer: int) -> int:
    room = market.room
    for other, score in market.instance.takers[offer]:  # best first
        if room[other] > 0 and other != need and market.fits(other, offer, need):
            return score
    return 0


def _remembered(scratch: Scratch, kind: str, need: int, offer: int,
                compute: Callable[[Market, int, int], int]) -> int:
    """``compute(market, need, offer)``, kept until the market next changes."""
    memo, market = scratch.memo, scratch.market
    if memo.get("version") != market.version:
        memo.clear()
        memo["version"] = market.version
    key = (kind, need, offer)
    if key not in memo:
        memo[key] = compute(market, need, offer)
    found: int = memo[key]
    return found
