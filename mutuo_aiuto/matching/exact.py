"""The exact optimum of a small component: min-cost flow (networkx) and branching on clashes.

Without rule 9 the problem is a min-cost flow: source → needs (helpers) →
offers (capacity) → sink, each pair an arc of capacity 1 and cost -score,
plus a source → sink arc for the help left unassigned. Rule 9 is partly built
in: an offer's needs are split into groups that all clash with each other,
and each group passes through a node of capacity 1. When the flow still gives
an offer two clashing needs, the search branches (one or the other pair is
forbidden) and bounds each branch by its flow value; a branch no better than
the best answer known is cut. The search stops after a number of flows, so
its time is bounded; the caller keeps the best answer found either way.
"""

from __future__ import annotations

import networkx as nx

from mutuo_aiuto.matching.instance import Instance

Pair = tuple[int, int]


def best_assignment(instance: Instance, needs: list[int], incumbent: list[Pair],
                    max_flows: int) -> tuple[list[Pair], bool]:
    """The best assignment of the component's needs, and whether it is proven optimal."""
    search = _Search(instance, needs, incumbent)
    stack: list[frozenset[Pair]] = [frozenset()]
    while stack:
        if search.flows >= max_flows:
            return search.best, False
        search.explore(stack.pop(), stack)
    return search.best, True


class _Search:
    def __init__(self, instance: Instance, needs: list[int], incumbent: list[Pair]) -> None:
        self.instance = instance
        self.needs = sorted(needs)
        self.best = sorted(incumbent)
        self.best_value = sum(instance.score(i, j) for i, j in incumbent)
        self.flows = 0

    def explore(self, forbidden: frozenset[Pair], stack: list[frozenset[Pair]]) -> None:
        bound, chosen = self._flow(forbidden)
        if bound <= self.best_value:
            return
        clash = self._first_clash(chosen)
        if clash is None:
            self.best, self.best_value = sorted(chosen), bound
            return
        offer, a, b = clash
        stack.append(forbidden | {(b, offer)})
        stack.append(forbidden | {(a, offer)})

    def _flow(self, forbidden: frozenset[Pair]) -> tuple[int, list[Pair]]:
        self.flows += 1
        graph = _network(self.instance, self.needs, forbidden)
        _, flow = nx.network_simplex(graph)
        chosen, value = [], 0
        for need in self.needs:
            for target, units in flow[("need", need)].items():
                if units:
                    chosen.append((need, target[1]))
                    value += self.instance.score(need, target[1])
        return value, chosen

    def _first_clash(self, chosen: list[Pair]) -> tuple[int, int, int] | None:
        by_offer: dict[int, list[int]] = {}
        for need, offer in sorted(chosen):
            by_offer.setdefault(offer, []).append(need)
        for offer in sorted(by_offer):
            served = by_offer[offer]
            for x, a in enumerate(served):
                for b in served[x + 1:]:
                    if self.instance.clash(a, b):
                        return offer, a, b
        return None


def _network(instance: Instance, needs: list[int], forbidden: frozenset[Pair]) -> nx.DiGraph:
    supply = sum(instance.helpers[i] for i in needs)
    graph = nx.DiGraph()
    graph.add_node("source", demand=-supply)
    graph.add_node("sink", demand=supply)
    graph.add_edge("source", "sink", capacity=supply, weight=0)
    takers: dict[int, list[tuple[int, int]]] = {}
    for need in needs:
        graph.add_edge("source", ("need", need), capacity=instance.helpers[need], weight=0)
        for offer, score in instance.pairs[need]:
            if (need, offer) not in forbidden:
                takers.setdefault(offer, []).append((need, score))
    for offer in sorted(takers):
        graph.add_edge(("offer", offer), "sink", capacity=instance.capacity[offer], weight=0)
        for group, members in enumerate(_clique_groups(instance, takers[offer])):
            target = ("offer", offer) if len(members) == 1 else ("group", offer, group)
            for need, score in members:
                graph.add_edge(("need", need), target, capacity=1, weight=-score)
            if len(members) > 1:
                graph.add_edge(target, ("offer", offer), capacity=1, weight=0)
    return graph


def _clique_groups(instance: Instance,
                   takers: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Split an offer's needs into groups whose members all clash with each other."""
    groups: list[list[tuple[int, int]]] = []
    for need, score in sorted(takers, key=lambda t: (-t[1], t[0])):
        for group in groups:
            if all(instance.clash(need, other) for other, _ in group):
                group.append((need, score))
                break
        else:
            groups.append([(need, score)])
    return groups
