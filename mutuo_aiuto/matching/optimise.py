"""The best set of pairs: auction, improving moves, and the exact optimum where small.

1. The auction (``market``) gives every need a good place, displacing by price.
2. Improving moves (``improve``) re-choose each offer's set of needs while the
   total rises.
3. The pair graph is split into connected components; a component small
   enough is solved exactly by networkx min-cost flow and branching
   (``exact``), starting from the answer of steps 1-2, so it only gets better.

Nothing here reads the clock, and every loop runs in a sorted order: the same
instance always gives the same pairs. Work is bounded by counts, not time.
"""

from __future__ import annotations

from mutuo_aiuto.matching.exact import best_assignment
from mutuo_aiuto.matching.improve import improve
from mutuo_aiuto.matching.instance import Instance
from mutuo_aiuto.matching.market import Market

Pair = tuple[int, int]

# A component with at most this many pairs is solved exactly, within this many flows.
EXACT_PAIRS = 400
EXACT_FLOWS = 60


def optimise(instance: Instance) -> list[Pair]:
    """Pairs (need, offer) by position, sorted; they respect rules 7-9."""
    needs = [i for i, row in enumerate(instance.pairs) if row]
    offers = sorted({j for i in needs for j, _ in instance.pairs[i]})
    market = Market(instance)
    market.run(needs)
    improve(market, offers)
    chosen = market.assignment()
    for component in components(instance, needs):
        size = sum(len(instance.pairs[i]) for i in component)
        if size <= EXACT_PAIRS and _may_improve(instance, component):
            inside = set(component)
            mine = [pair for pair in chosen if pair[0] in inside]
            better, _ = best_assignment(instance, component, mine, EXACT_FLOWS)
            chosen = sorted([pair for pair in chosen if pair[0] not in inside] + better)
    return chosen


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
