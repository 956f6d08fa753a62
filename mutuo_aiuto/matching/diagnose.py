"""Why a need has no offer, and which rules one pairing breaks, in the contract's terms.

``why_unmatched`` narrows a need's possible offers rule by rule and names the
rule that leaves none, so the facilitator reads "no time fits" rather than a
bare "unmatched". ``pair_blockers`` lists every rule one need–offer pair
breaks, fixed pairs included (rules 7–9): the web app checks a confirmation
with it against the confirmed pairings of the moment. ``Diagnosis`` does both
for many needs of one problem, reading the problem once.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from mutuo_aiuto.matching.graph import Distances, hop_distances
from mutuo_aiuto.matching.model import Need, Offer, Problem
from mutuo_aiuto.matching.timeslots import any_overlap, fits, weekly_windows

SAME_HOUSEHOLD = "same_household"
NO_SKILL = "no_skill"
NO_TIME = "no_time"
TOO_FAR = "too_far"
LANGUAGE = "language"
NOT_VETTED = "not_vetted"
ALL_FULL = "all_full"
# For one pair: the offer has no capacity left, or serves a need at the same time,
# or the need already has all the helpers it asked for.
FULL = "full"
BUSY = "busy"
HELPERS = "helpers"

Rule = Callable[[Need, Offer, Distances], bool]


def _skills(need: Need, offer: Offer, distances: Distances) -> bool:
    return set(need.skills) <= set(offer.skills)


def _time(need: Need, offer: Offer, distances: Distances) -> bool:
    return fits(need.slots, weekly_windows(offer.slots))


def _distance(need: Need, offer: Offer, distances: Distances) -> bool:
    if need.remote:
        return True
    hops = distances.get(need.neighbourhood, {}).get(offer.neighbourhood)
    return hops is not None and hops <= min(need.max_hops, offer.max_hops)


def _language(need: Need, offer: Offer, distances: Distances) -> bool:
    return not (need.languages and offer.languages) or bool(
        set(need.languages) & set(offer.languages))


def _vetting(need: Need, offer: Offer, distances: Distances) -> bool:
    return offer.vetted or not need.requires_vetted


# Rules 2–6 in the order a facilitator reads them: the first that empties the
# list of offers is the reason given.
RULES: tuple[tuple[str, Rule], ...] = (
    (NO_SKILL, _skills),
    (NO_TIME, _time),
    (TOO_FAR, _distance),
    (LANGUAGE, _language),
    (NOT_VETTED, _vetting),
)


class Diagnosis:
    """One problem read once: its needs and offers by id and what the fixed pairs hold."""

    def __init__(self, problem: Problem, distances: Distances | None = None) -> None:
        self.problem = problem
        self.distances = distances if distances is not None else hop_distances(
            problem.neighbourhoods, problem.adjacency)
        self.needs = {need.id: need for need in problem.needs}
        self.offers = {offer.id: offer for offer in problem.offers}
        self.served: dict[str, list[str]] = defaultdict(list)
        self.helped: dict[str, int] = defaultdict(int)
        for pair in problem.fixed:
            self.served[pair.offer].append(pair.need)
            self.helped[pair.need] += 1

    def why_unmatched(self, need_id: str) -> str | None:
        """The rule that leaves the need with no offer, or None when an offer is free for it.

        ``all_full`` means some offers fit by every rule but each has no capacity
        left or already serves a need at the same time.
        """
        need = self.needs[need_id]
        offers = [o for o in self.problem.offers if o.household != need.household]
        for code, rule in RULES:
            offers = [o for o in offers if rule(need, o, self.distances)]
            if not offers:
                return code
        if not any(self.is_free(need_id, offer.id) for offer in offers):
            return ALL_FULL
        return None

    def pair_blockers(self, need_id: str, offer_id: str) -> tuple[str, ...]:
        """Every rule the pair breaks (empty when it may be paired now), in the contract's order.

        A pair that is already fixed is judged without itself.
        """
        need, offer = self.needs[need_id], self.offers[offer_id]
        broken = [SAME_HOUSEHOLD] if need.household == offer.household else []
        broken += [code for code, rule in RULES if not rule(need, offer, self.distances)]
        already = need_id in self.served[offer_id]
        if self.helped[need_id] - already >= need.helpers:
            broken.append(HELPERS)
        broken += self._availability(need, offer)
        return tuple(broken)

    def is_free(self, need_id: str, offer_id: str) -> bool:
        """Rules 8 and 9 only: the offer has room and time for the need."""
        return not self._availability(self.needs[need_id], self.offers[offer_id])

    def _availability(self, need: Need, offer: Offer) -> list[str]:
        served = [other for other in self.served[offer.id] if other != need.id]
        broken = [FULL] if len(served) >= offer.capacity else []
        if any(any_overlap(need.slots, self.needs[other].slots) for other in served):
            broken.append(BUSY)
        return broken


def why_unmatched(problem: Problem, need_id: str) -> str | None:
    """``Diagnosis(problem).why_unmatched(need_id)``, for one need."""
    return Diagnosis(problem).why_unmatched(need_id)


def pair_blockers(problem: Problem, need_id: str, offer_id: str) -> tuple[str, ...]:
    """``Diagnosis(problem).pair_blockers(need_id, offer_id)``, for one pair."""
    return Diagnosis(problem).pair_blockers(need_id, offer_id)
