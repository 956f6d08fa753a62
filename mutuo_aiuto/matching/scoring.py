"""A pair's score and its reasons, as the format page defines them.

``pair_score`` is the fast form used on every allowed pair; ``pair_reasons``
builds the parts only for what is proposed. Both read the same parts, so the
reasons always sum to the score. A part worth zero points is not listed (it
is not a reason): with the default weights, ``base`` is always there.
"""

from __future__ import annotations

from mutuo_aiuto.matching.graph import Distances
from mutuo_aiuto.matching.model import Need, Offer, Problem, Reason, Weights


def shared_languages(need: Need, offer: Offer) -> tuple[str, ...]:
    """Languages in both lists, sorted; empty when either list is empty."""
    return tuple(sorted(set(need.languages) & set(offer.languages)))


def proximity_points(weights: Weights, hops: int | None) -> int:
    if hops is None or hops >= len(weights.proximity):
        return 0
    return weights.proximity[hops]


def pair_score(need: Need, offer: Offer, hops: int | None, weights: Weights,
               fixed_load: int) -> int:
    """The score of an allowed pair; ``fixed_load`` is the offer's number of fixed pairs."""
    score = weights.base + weights.urgency * need.urgency + proximity_points(weights, hops)
    if need.languages and offer.languages and not set(need.languages).isdisjoint(
            offer.languages):
        score += weights.language
    if offer.household in need.previous_helpers:
        score += weights.continuity
    return score - weights.load * fixed_load


def pair_reasons(need: Need, offer: Offer, hops: int | None, weights: Weights,
                 fixed_load: int) -> tuple[Reason, ...]:
    shared = shared_languages(need, offer)
    parts = (
        Reason("base", weights.base),
        Reason("urgency", weights.urgency * need.urgency),
        Reason("proximity", proximity_points(weights, hops), hops=hops),
        Reason("language", weights.language if shared else 0, shared=shared),
        Reason("continuity", weights.continuity if offer.household in need.previous_helpers
               else 0),
        Reason("load", -weights.load * fixed_load),
    )
    return tuple(part for part in parts if part.points != 0)


class PairScorer:
    """``pair_score`` for many pairs of one problem: each side's parts computed once."""

    def __init__(self, problem: Problem, distances: Distances, fixed_loads: list[int]) -> None:
        w = problem.weights
        self._needs = [(w.base + w.urgency * n.urgency, frozenset(n.languages),
                        frozenset(n.previous_helpers), distances.get(n.neighbourhood, {}))
                       for n in problem.needs]
        self._offers = [(frozenset(o.languages), o.household, o.neighbourhood,
                         w.load * fixed_loads[j]) for j, o in enumerate(problem.offers)]
        self._proximity, self._language, self._continuity = w.proximity, w.language, w.continuity

    def row(self, need: int, offers: list[int]) -> list[tuple[int, int]]:
        """(offer, score) for each of these offers: ``score`` in one loop, for speed."""
        base, languages, previous, near = self._needs[need]
        proximity, language, continuity = self._proximity, self._language, self._continuity
        reach, parts, found = len(proximity), self._offers, []
        for offer in offers:
            their_languages, household, place, load = parts[offer]
            hops = near.get(place)
            score = base - load
            if hops is not None and hops < reach:
                score += proximity[hops]
            if languages and their_languages and not languages.isdisjoint(their_languages):
                score += language
            if household in previous:
                score += continuity
            found.append((offer, score))
        return found

    def score(self, need: int, offer: int) -> int:
        base, languages, previous, near = self._needs[need]
        their_languages, household, place, load = self._offers[offer]
        hops = near.get(place)
        score = base - load
        if hops is not None and hops < len(self._proximity):
            score += self._proximity[hops]
        if languages and their_languages and not languages.isdisjoint(their_languages):
            score += self._language
        if household in previous:
            score += self._continuity
        return score
