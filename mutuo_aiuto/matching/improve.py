"""Improving moves after the auction: re-choose the whole set of needs of one offer.

The auction lets one need displace others; it cannot see that two needs
together are worth more than the one multi-day need that blocks both, nor
chains (a need leaves an offer, someone else fills its place). So each offer
in turn weighs every need it could serve — by what taking it would cost the
rest of the answer — and picks its best set of non-clashing needs within its
capacity (exactly, by a small search). Two valuations propose sets:

* market prices: a need is worth its score less what it keeps elsewhere now;
* local effects: a need is worth its score less the place it would leave,
  plus whoever would fill that place; a need now served is worth its score
  less where else it could go.

A proposed set is tried for real — the offer takes it, the needs it lets go
and the places left empty are settled by the auction, or else greedily — and
kept only if the total score rose; otherwise the undo log restores the state.
Every kept move raises the total, so the search ends.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable

from mutuo_aiuto.matching.market import SCALE, STEP, Market

Clash = Callable[[int, int], bool]

# A tried move whose knock-on bids exceed this is given up (and undone).
REPAIR_BIDS = 50


def improve(market: Market, offers: list[int], passes: int = 3) -> None:
    """Try moves offer by offer, in passes, until none helps or ``passes`` are done.

    The first pass looks at every offer; the next ones only at offers near a
    kept move. Measured: the third pass adds about 0.01% of the total, a
    fourth next to nothing.
    """
    pending = sorted(offers)
    while pending and passes > 0:
        passes -= 1
        market.best_free = _best_free_takers(market)
        touched: set[int] = set()
        for offer in pending:
            if _move(market, offer):
                touched.update(_touched(market, market.log or []))
            market.log = None
        pending = sorted(touched)


def _move(market: Market, offer: int) -> bool:
    """Try the two valuations' proposals for the offer; keep the first that helps.

    A proposal that failed once is not tried again while the offer keeps the
    same needs: it would most likely fail the same way.
    """
    holding = tuple(sorted(market.holders[offer]))
    for propose, greedy_too in ((priced_set, False), (local_set, True)):
        wanted = propose(market, offer)
        key = (offer, greedy_too, holding, tuple(sorted(wanted or ())))
        if wanted is None or key in market.failed:
            continue
        market.log = []
        if _try_auction(market, offer, wanted) or (
                greedy_too and _try_greedy(market, offer, wanted)):
            return True
        market.failed.add(key)
    return False


def _best_free_takers(market: Market) -> list[int]:
    """Per offer, the best score of a need with a free helper slot (0 if none)."""
    held, helpers = market.held, market.helpers
    return [next((score for need, score in takers if len(held[need]) < helpers[need]), 0)
            for takers in market.instance.takers]


def _touched(market: Market, log: list[tuple[int, int, int | None]]) -> set[int]:
    """Offers worth another look after a move: those whose needs changed, and
    those a need now left with a free helper slot could join."""
    offers = {offer for _, offer, _ in log}
    for need in {need for need, _, _ in log}:
        if not market.is_full(need):
            offers.update(offer for offer, _ in market.bids[need])
    return offers


def best_set(items: list[tuple[int, int]], room: int, clash: Clash) -> tuple[int, tuple[int, ...]]:
    """The non-clashing set of at most ``room`` needs with the largest total value.

    ``items`` are (value, need) with value > 0. Depth-first in decreasing value,
    cut when even the best remaining values cannot beat the best set found.
    """
    items = sorted(items, key=lambda item: (-item[0], item[1]))
    if room == 1 or len(items) <= 1:
        return (items[0][0], (items[0][1],)) if items and room else (0, ())
    best = [0, ()]
    _search(items, room, clash, 0, [], 0, best)
    return best[0], best[1]


def _search(items: list[tuple[int, int]], room: int, clash: Clash, start: int,
            chosen: list[int], total: int, best: list) -> None:
    if total > best[0]:
        best[0], best[1] = total, tuple(chosen)
    left = room - len(chosen)
    for m in range(start, len(items) if left else start):
        if total + sum(value for value, _ in items[m:m + left]) <= best[0]:
            return
        value, need = items[m]
        if not any(clash(need, other) for other in chosen):
            chosen.append(need)
            _search(items, room, clash, m + 1, chosen, total + value, best)
            chosen.pop()


def priced_set(market: Market, offer: int) -> set[int] | None:
    """The offer's best set when each need costs what it keeps elsewhere now."""
    holders = market.holders[offer]
    items = []
    for need, score in market.instance.takers[offer]:
        value = holders[need] if need in holders else (
            score * SCALE - market.utility(need) - STEP)
        if value > 0:
            items.append((value, need))
    return _better(market, offer, items, sum(holders.values()))


def local_set(market: Market, offer: int) -> set[int] | None:
    """The offer's best set valued by the moves around it, one step deep.

    Cheap bounds come first: a need served elsewhere is valued as if the best
    free taker of its place would fill in, a need served here as if it could
    go to its best other offer. Only if that could beat the offer's present
    set are the real values worked out.
    """
    holders, instance = market.holders[offer], market.instance
    sure, maybe, floor = [], [], 0
    for need, score in instance.takers[offer]:
        if need in holders:
            best_other = next((s for o, s in instance.pairs[need] if o != offer), 0)
            floor += score - best_other
        elif not market.is_full(need):
            sure.append((score, need))
        else:
            held = market.held[need]
            bound = score - (_leaving_bound(market, need, next(iter(held))) if len(held) == 1
                             else min(_leaving_bound(market, need, o) for o in held))
            if bound > 0:
                maybe.append((bound, need))
    room = market.capacity[offer]
    if _hopeless(sure + maybe, room, floor):
        return None  # the present set's worst case already beats the best hope
    now = 0
    for need in holders:
        value = market.scores[need][offer] - _elsewhere(market, need, offer)
        now += value
        if value > 0:
            sure.append((value, need))
    maybe.sort(key=lambda item: (-item[0], item[1]))
    for k, (_, need) in enumerate(maybe):
        if _hopeless(sure + maybe[k:], room, now):
            break  # the needs left, even at their bounds, cannot make a better set
        value = market.scores[need][offer] - min(_leaving_cost(market, need, other)
                                                 for other in sorted(market.held[need]))
        if value > 0:
            sure.append((value, need))
    return _better(market, offer, sure, now)


def _hopeless(items: list[tuple[int, int]], room: int, now: int) -> bool:
    """Whether even the ``room`` best values, clashes aside, do not beat ``now``."""
    return sum(heapq.nlargest(room, (value for value, _ in items))) <= now


def _leaving_bound(market: Market, need: int, offer: int) -> int:
    """About ``_leaving_cost`` or less: as if the best need that had a free helper
    slot at the start of the pass filled the place (only used to skip work)."""
    return market.scores[need][offer] - market.best_free[offer]


def _better(market: Market, offer: int, items: list[tuple[int, int]],
            now: int) -> set[int] | None:
    room = market.capacity[offer]
    if _hopeless(items, room, now):
        return None  # even without clashes no set would beat the present one
    value, chosen = best_set(items, room, market.clash)
    if value <= now or set(chosen) == set(market.holders[offer]):
        return None
    return set(chosen)


def _elsewhere(market: Market, need: int, offer: int) -> int:
    """The best score the need could get by joining another offer as it is."""
    return _remembered(market, "elsewhere", need, offer, _first_place)


def _first_place(market: Market, need: int, offer: int) -> int:
    for other, score in market.instance.pairs[need]:  # best first
        if other != offer and market.fits(need, other):
            return score
    return 0


def _leaving_cost(market: Market, need: int, offer: int) -> int:
    """What the total loses if the need leaves the offer and the best free need fills in."""
    return market.scores[need][offer] - _remembered(market, "refill", need, offer, _refill)


def _refill(market: Market, need: int, offer: int) -> int:
    held, helpers = market.held, market.helpers
    for other, score in market.instance.takers[offer]:  # best first
        if (other != need and len(held[other]) < helpers[other]
                and market.fits(other, offer, need)):
            return score
    return 0


def _remembered(market: Market, kind: str, need: int, offer: int,
                compute: Callable[[Market, int, int], int]) -> int:
    """``compute(market, need, offer)``, kept until the market next changes."""
    memo = market.memo
    if memo.get("version") != market.version:
        memo.clear()
        memo["version"] = market.version
    key = (kind, need, offer)
    if key not in memo:
        memo[key] = compute(market, need, offer)
    return memo[key]


def _apply_set(market: Market, offer: int, wanted: set[int],
               price: Callable[[int], int]) -> tuple[list[int], list[int]]:
    """Give the offer exactly ``wanted``; returns the needs let go and the places emptied."""
    holders = market.holders[offer]
    let_go = sorted(need for need in holders if need not in wanted)
    joining = sorted(need for need in wanted if need not in holders)
    prices = {need: price(need) for need in joining}
    for need in let_go:
        market.remove(need, offer)
    emptied = []
    for need in joining:
        if market.is_full(need):
            worst = min(sorted(market.held[need]),
                        key=lambda other: _leaving_cost(market, need, other))
            market.remove(need, worst)
            emptied.append(worst)
        market.place(need, offer, prices[need])
    return let_go, emptied


def _try_auction(market: Market, offer: int, wanted: set[int]) -> bool:
    before, holders = market.total, market.holders[offer]
    joining = [need for need in wanted if need not in holders]
    asks = {need: market.scores[need][offer] * SCALE - market.utility(need) - STEP
            for need in joining}
    surplus = sum(holders[n] for n in wanted if n in holders) + sum(asks.values())
    extra = max(0, surplus - sum(holders.values())) // max(1, len(joining))
    let_go, emptied = _apply_set(market, offer, wanted,
                                 lambda need: max(STEP, asks[need] - extra))
    free = [need for place in emptied for need, _ in market.instance.takers[place]
            if not market.is_full(need)]
    if not market.run(let_go + sorted(set(free)), max_bids=REPAIR_BIDS):
        return _undo(market)
    return _keep_if_better(market, before)


def _try_greedy(market: Market, offer: int, wanted: set[int]) -> bool:
    before = market.total
    let_go, emptied = _apply_set(market, offer, wanted, lambda need: STEP)
    for place in emptied:
        free = [(score, -need) for need, score in market.instance.takers[place]
                if not market.is_full(need) and market.fits(need, place)]
        if free:
            market.place(-max(free)[1], place, STEP)
    for need in let_go:
        if market.is_full(need):
            continue
        scores = market.scores[need]
        spots = [(scores[other], -other) for other, _ in market.bids[need]
                 if other != offer and market.fits(need, other)]
        if spots:
            market.place(need, -max(spots)[1], STEP)
    return _keep_if_better(market, before)


def _keep_if_better(market: Market, before: int) -> bool:
    return market.total > before or _undo(market)


def _undo(market: Market) -> bool:
    """Take back the move being tried; always False, to read as a failed try."""
    market.undo(market.log or [])
    market.log = []
    return False
