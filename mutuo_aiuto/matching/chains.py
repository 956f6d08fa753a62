"""Ejection chains after the moves: needs changing places in a long line, found at once.

The improving moves (``improve``) re-choose one offer's needs at a time. What
they cannot see is a chain across the city: a need with a helper slot free
takes a place, the need it pushes out takes another, pushing out a third, and
so on, each step small and the sum positive; or the same around a cycle. Such
chains are most of what was left between the moves' answer and the optimum
(at 10,000 needs, compared with the integer programme's optimum: long
alternating runs of needs each moving to another offer).

A round labels each need with the best gain so far of a chain that ends with
that need pushed out of its place, starting from the needs with a helper slot
free (label-correcting, one label per need, at most ``DEPTH`` steps, looking
at each need's ``WIDTH`` best offers). Every chain that ends in a free place,
or with its last need let go while still gaining, and every cycle among the
labels is then checked against the market as it is at that moment and applied
if it still raises the total. The moves are tried again around what changed,
and rounds go on while they gain, at most ``ROUNDS``.

Every loop runs in a fixed order (positions, and the market's insertion-ordered
dicts): the same market always ends the same way.
"""

from __future__ import annotations

from collections import deque

from mutuo_aiuto.matching.improve import improve
from mutuo_aiuto.matching.market import Market

# Measured on the city problems (10,000 and 30,000 needs): 6 steps and the 20
# best offers of each need gain as much as deeper or wider searches (12 steps,
# all offers: less, for six times the work); the rounds stop gaining after 5-7.
DEPTH = 6
WIDTH = 20
ROUNDS = 8

Pair = tuple[int, int]
# A chain or cycle to apply at once: the places left, then the places taken.
Change = tuple[list[Pair], list[Pair]]


def improve_by_chains(market: Market, rounds: int = ROUNDS) -> None:
    """Apply improving chains and cycles, then the moves around them, while it helps."""
    for _ in range(rounds):
        touched = _round(market)
        if not touched:
            return
        improve(market, sorted(touched), 2)


def _round(market: Market) -> set[int]:
    """One search and the changes it found that still gain; the offers they touched."""
    pushed_by, ends = _search(market)
    found = _cycles(pushed_by) + [change for change in (
        _chain(pushed_by, end) for end in sorted(ends, key=lambda e: (-e[0], e[1:])))
        if change is not None]
    touched: set[int] = set()
    for leaving, joining in found:
        if _gain(market, leaving, joining) > 0:
            _apply(market, leaving, joining)
            touched.update(offer for _, offer in leaving)
            touched.update(offer for _, offer in joining)
    return touched


def _search(market: Market) -> tuple[dict[int, tuple[int, int] | None],
                                     list[tuple[int, int, int, int]]]:
    """Labels from the needs with a slot free; returns who pushed each need out
    (need, offer; None for a start) and the chains' ends (gain, need, offer,
    the need pushed out and let go or -1)."""
    instance = market.instance
    pairs, scores, clash, capacity = instance.pairs, market.scores, market.clash, market.capacity
    holders, held = market.holders, market.held
    best: dict[int, int] = {}
    pushed_by: dict[int, tuple[int, int] | None] = {}
    steps: dict[int, int] = {}
    queue: deque[int] = deque()
    for need, row in enumerate(pairs):
        if row and not market.is_full(need):
            best[need], pushed_by[need], steps[need] = 0, None, 0
            queue.append(need)
    waiting = set(queue)
    ends: list[tuple[int, int, int, int]] = []
    while queue:
        need = queue.popleft()
        waiting.discard(need)
        gain, step = best[need], steps[need]
        if step >= DEPTH:
            continue
        mine = held[need]
        for offer, score in pairs[need][:WIDTH]:
            if offer in mine:
                continue
            there = holders[offer]
            clashing = [other for other in there if clash(need, other)]
            if not clashing:
                if len(there) < capacity[offer]:
                    if gain + score > 0:
                        ends.append((gain + score, need, offer, -1))
                    continue
                out = list(there)
            elif len(clashing) == 1:
                out = clashing
            else:
                continue  # two or more to push out: not a chain
            for other in out:
                after = gain + score - scores[other][offer]
                if after > 0:
                    ends.append((after, need, offer, other))
                if after > best.get(other, after - 1):
                    best[other], pushed_by[other], steps[other] = after, (need, offer), step + 1
                    if other not in waiting:
                        queue.append(other)
                        waiting.add(other)
    return pushed_by, ends


def _chain(pushed_by: dict[int, tuple[int, int] | None],
           end: tuple[int, int, int, int]) -> Change | None:
    """The chain ending at ``end``, back to its start; None if it meets itself."""
    _, need, offer, let_go = end
    leaving = [(let_go, offer)] if let_go >= 0 else []
    joining = [(need, offer)]
    seen = {need, let_go}
    while (back := pushed_by.get(need)) is not None:
        previous, place = back
        if previous in seen:
            return None
        seen.add(previous)
        leaving.append((need, place))
        joining.append((previous, place))
        need = previous
    return leaving, joining


def _cycles(pushed_by: dict[int, tuple[int, int] | None]) -> list[Change]:
    """Cycles among the labels: each need takes the place of the next one."""
    found: list[Change] = []
    done: set[int] = set()
    for start in pushed_by:
        walk: dict[int, int] = {}
        need: int | None = start
        while need is not None and need not in done and need not in walk:
            walk[need] = len(walk)
            back = pushed_by.get(need)
            need = back[0] if back is not None else None
        if need is not None and need in walk:
            ring = list(walk)[walk[need]:]
            # (who took the place, the place) for each need of the ring
            places = [back for n in ring if (back := pushed_by[n]) is not None]
            found.append(([(n, offer) for n, (_, offer) in zip(ring, places, strict=True)],
                          places))
        done.update(walk)
    return found


def _gain(market: Market, leaving: list[Pair], joining: list[Pair]) -> int:
    """What the change adds to the total now, or 0 if it breaks a rule (7-9)."""
    holders: dict[int, set[int]] = {}
    held: dict[int, set[int]] = {}
    gain = 0
    for need, offer in leaving:
        there = holders.setdefault(offer, set(market.holders[offer]))
        if need not in there:
            return 0
        there.discard(need)
        held.setdefault(need, set(market.held[need])).discard(offer)
        gain -= market.scores[need][offer]
    for need, offer in joining:
        mine = held.setdefault(need, set(market.held[need]))
        if offer in mine:
            return 0
        mine.add(offer)
        holders.setdefault(offer, set(market.holders[offer])).add(need)
        gain += market.scores[need][offer]
    clash = market.clash
    for offer, there in holders.items():
        if len(there) > market.capacity[offer]:
            return 0
        ordered = sorted(there)
        if any(clash(a, b) for x, a in enumerate(ordered) for b in ordered[x + 1:]):
            return 0
    if any(len(mine) > market.helpers[need] for need, mine in held.items()):
        return 0
    return max(gain, 0)


def _apply(market: Market, leaving: list[Pair], joining: list[Pair]) -> None:
    """Make the change; a need taking a place pays what the one it replaced paid."""
    freed: dict[int, list[int]] = {}
    for need, offer in leaving:
        freed.setdefault(offer, []).append(market.holders[offer][need])
        market.remove(need, offer)
    for need, offer in joining:
        prices = freed.get(offer)
        market.place(need, offer, prices.pop() if prices else market.step)
