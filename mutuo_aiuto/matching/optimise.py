"""The best set of pairs: auctions, improving moves, chains, recombination, exact where small.

1. An auction (``market``) gives every need a good place, displacing by price;
   improving moves (``improve``) then re-choose each offer's set of needs
   while the total rises, and ejection chains (``chains``) move needs along
   long lines and cycles of places that no one offer's move sees. On problems
   of up to ``RECOMBINE_PAIRS`` pairs this runs three times, with three bid
   steps, which end in different answers.
2. Their pairs together are recombined (``recombine``): the best answer made
   of them, found exactly component by component by networkx min-cost flow.
3. A component of the whole problem small enough is solved exactly
   (``exact``), starting from that answer, so it only gets better.

Nothing here reads the clock, and every loop runs in a sorted order: the same
instance always gives the same pairs. Work is bounded by counts, not time.
"""

from __future__ import annotations

from mutuo_aiuto.matching.chains import improve_by_chains
from mutuo_aiuto.matching.exact import best_assignment
from mutuo_aiuto.matching.improve import improve
from mutuo_aiuto.matching.instance import Instance
from mutuo_aiuto.matching.market import Market
from mutuo_aiuto.matching.recombine import recombine

Pair = tuple[int, int]

# Bid steps, in quarter points, of the auctions run; the first is the one used alone.
STEPS = (2, 3, 1)
# Up to this many pairs, all steps are run and recombined (measured: about
# +0.15% of the total at 2,000 needs, for three times the work), and the
# improving moves get a third pass (+0.01%); above it, one auction, two passes.
RECOMBINE_PAIRS = 50_000
RECOMBINE_FLOWS = 30
# A component with at most this many pairs is solved exactly, within this many flows.
EXACT_PAIRS = 400
EXACT_FLOWS = 60


def optimise(instance: Instance) -> list[Pair]:
    """Pairs (need, offer) by position, sorted; they respect rules 7-9."""
    needs = [i for i, row in enumerate(instance.pairs) if row]
    offers = sorted({j for i in needs for j, _ in instance.pairs[i]})
    size = sum(len(instance.pairs[i]) for i in needs)
    small = size <= RECOMBINE_PAIRS
    answers = sorted((_auction(instance, needs, offers, step, 3 if small else 2)
                      for step in (STEPS if small else STEPS[:1])), key=lambda found: -found[0])
    chosen = recombine(instance, [pairs for _, pairs in answers], components, RECOMBINE_FLOWS)
    for part in components(instance, needs):
        if sum(len(instance.pairs[i]) for i in part) <= EXACT_PAIRS and _may_improve(
                instance, part):
            inside = set(part)
            mine = [pair for pair in chosen if pair[0] in inside]
            better, _ = best_assignment(instance, part, mine, EXACT_FLOWS)
            chosen = sorted([pair for pair in chosen if pair[0] not in inside] + better)
    return chosen


def _auction(instance: Instance, needs: list[int], offers: list[int], step: int,
             passes: int) -> tuple[int, list[Pair]]:
    market = Market(instance, step)
    market.run(needs)
    improve(market, offers, passes)
    improve_by_chains(market)
    return market.total, market.assignment()


def components(instance: Instance, needs: list[int]) -> list[list[int]]:
    """The needs of each connected component of the need-offer graph, sorted.

    Union-find over the offers each need links: on 100,000 pairs it is several
    times quicker than building the same graph in networkx.
    """
    parent = list(range(len(instance.capacity)))

    def root(offer: int) -> int:
        while parent[offer] != offer:
            parent[offer] = parent[parent[offer]]
            offer = parent[offer]
        return offer

    for need in needs:
        first = root(instance.pairs[need][0][0])
        for offer, _ in instance.pairs[need][1:]:
            other = root(offer)
            if other != first:
                parent[other] = first
    groups: dict[int, list[int]] = {}
    for need in needs:
        groups.setdefault(root(instance.pairs[need][0][0]), []).append(need)
    return sorted(groups.values())


def _may_improve(instance: Instance, needs: list[int]) -> bool:
    """A lone need, or one offer, is already solved by the auction."""
    return len(needs) > 1 and len({j for i in needs for j, _ in instance.pairs[i]}) > 1
