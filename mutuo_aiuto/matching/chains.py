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
free (label-correcting, one label per need, a few steps deep, looking at each
need's best offers only). Every chain that ends in a free place,
or with its last need let go while still gaining, and every cycle among the
labels is then checked against the market as it is at that moment and applied
if it still raises the total. The moves are tried again around what changed,
and rounds go on while they gain; then the search looks wider (``STAGES``).

Every loop runs in a fixed order (positions, and the market's insertion-ordered
dicts): the same market always ends the same way.
"""

from __future__ import annotations

from collections import deque

from mutuo_aiuto.matching.improve import improve
from mutuo_aiuto.matching.market import Market

# (steps, offers looked at per need, rounds at most), each stage run until a round
# gains nothing. Measured on the city problems: 6 steps over each need's 20 best
# offers gain as much as deeper or wider searches from the start (12 steps over
# all offers: less, for six times the work); once they stop, a wider look finds
# more (30,000 needs: +411, then +124 and +48 with the two later stages, for 3.1,
# 2.5 and 2.1 s; at 10,000 the later stages add a few points in 0.1 s).
STAGES = ((6, 20, 8), (8, 30, 4), (6, 60, 4))

# Below any gain: a need not reached yet.
_NONE = -(1 << 62)

Pair = tuple[int, int]
# A chain or cycle to apply at once: the places left, then the places taken.
Change = tuple[list[Pair], list[Pair]]


def improve_by_chains(market: Market,
                      stages: tuple[tuple[int, int, int], ...] = STAGES) -> None:
    """Apply improving chains and cycles, then the moves around them, while it helps."""
    for depth, width, rounds in stages:
        for _ in range(rounds):
            touched = _round(market, depth, width)
            if not touched:
                break
            improve(market, sorted(touched), 2)


def _round(market: Market, depth: int, width: int) -> set[int]:
    """One search and the changes it found that still gain; the offers they touched."""
    pushed_by, ends = _search(market, depth, width)
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


def _search(market: Market, depth: int, width: int) -> tuple[dict[int, tuple[int, int] | None],
                                     list[tuple[int, int, int, int]]]:
    """Labels from the needs with a slot free; returns who pushed each need out
    (need, offer; None for a start) and the chains' ends (gain, need, offer,
    the need pushed out and let go or -1)."""
    instance = market.instance
    pairs, scores, clash, capacity = instance.pairs, market.scores, market.clash, market.capacity
    holders, held, kinds = market.holders, market.held, market.kinds
    # Who a need would clash with at an offer depends only on its timetable's kind
    # while the search runs (it changes nothing): remembered per (offer, kind).
    kind_count = max(kinds, default=0) + 1
    met: dict[int, list[int]] = {}
    count = len(pairs)
    best, steps, waiting = [_NONE] * count, [0] * count, bytearray(count)
    pushed_by: dict[int, tuple[int, int] | None] = {}
    queue: deque[int] = deque()
    for need, row in enumerate(pairs):
        if row and not market.is_full(need):
            best[need], pushed_by[need], waiting[need] = 0, None, 1
            queue.append(need)
    ends: list[tuple[int, int, int, int]] = []
    while queue:
        need = queue.popleft()
        waiting[need] = 0
        gain, step = best[need], steps[need]
        if step >= depth:
            continue
        mine, kind = held[need], kinds[need]
        for offer, score in pairs[need][:width]:
            if offer in mine:
                continue
            there = holders[offer]
            key = offer * kind_count + kind
            clashing = met.get(key)
            if clashing is None:
                clashing = met[key] = [other for other in there if clash(need, other)]
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
                if after > best[other]:
                    best[other], pushed_by[other], steps[other] = after, (need, offer), step + 1
                    if not waiting[other]:
                        queue.append(other)
                        waiting[other] = 1
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
