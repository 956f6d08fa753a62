"""Allowed pairs (rules 1–6) found through indexes, never by trying every pair.

Offers are filed under (neighbourhood, skill, weekday). A need looks only in
the neighbourhoods it can reach, under its rarest skill and its first slot's
weekday, and checks the full rules on those few offers: the work grows with
the number of allowed pairs, not with needs × offers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from mutuo_aiuto.matching.graph import Distances, hop_distances, within
from mutuo_aiuto.matching.model import Need, Offer, Problem
from mutuo_aiuto.matching.timeslots import fits, weekly_windows


class OfferIndex:
    """The offers of a problem, ready to be searched for the needs that may pair with them.

    Build it once and keep it between incremental proposals; it reads only the
    offers and the neighbourhood graph.
    """

    def __init__(self, problem: Problem, distances: Distances | None = None) -> None:
        self.offers = problem.offers
        self.distances = distances or hop_distances(problem.neighbourhoods, problem.adjacency)
        self.places = tuple(sorted(self.distances))
        self.position = {offer.id: pos for pos, offer in enumerate(self.offers)}
        self._skills = [frozenset(offer.skills) for offer in self.offers]
        self._windows = [weekly_windows(offer.slots) for offer in self.offers]
        self._by_key: dict[tuple[str, str, int], list[int]] = defaultdict(list)
        self._by_place: dict[str, list[int]] = defaultdict(list)
        self._skill_count: Counter[str] = Counter()
        for pos, offer in enumerate(self.offers):
            self._file(pos, offer)

    def _file(self, pos: int, offer: Offer) -> None:
        self._by_place[offer.neighbourhood].append(pos)
        self._skill_count.update(self._skills[pos])
        for skill in self._skills[pos]:
            for day in self._windows[pos]:
                self._by_key[offer.neighbourhood, skill, day].append(pos)

    def allowed_offers(self, need: Need) -> list[int]:
        """Positions (in ``problem.offers``) of the offers that may serve ``need``, ascending."""
        if need.skills and not all(skill in self._skill_count for skill in need.skills):
            return []
        found = [pos for place, hops in self._reachable(need)
                 for pos in self._filed(need, place) if self._allowed(need, pos, hops)]
        return sorted(found)

    def _reachable(self, need: Need) -> Iterator[tuple[str, int | None]]:
        near = self.distances.get(need.neighbourhood, {})
        if need.remote:
            return ((place, near.get(place)) for place in self.places)
        return ((place, near[place]) for place in within(self.distances, need.neighbourhood,
                                                        need.max_hops))

    def _filed(self, need: Need, place: str) -> list[int]:
        if not (need.skills and need.slots):
            return self._by_place.get(place, [])
        skill = min(need.skills, key=lambda s: (self._skill_count[s], s))
        return self._by_key.get((place, skill, need.slots[0].day), [])

    def _allowed(self, need: Need, pos: int, hops: int | None) -> bool:
        """Rules 1–6; distance from the need's side is already within its limit."""
        offer = self.offers[pos]
        if offer.household == need.household:
            return False
        if not (need.remote or (hops is not None and hops <= offer.max_hops)):
            return False
        if need.requires_vetted and not offer.vetted:
            return False
        if need.languages and offer.languages and set(need.languages).isdisjoint(
                offer.languages):
            return False
        if not self._skills[pos].issuperset(need.skills):
            return False
        return fits(need.slots, self._windows[pos])

    def hops(self, need: Need, offer: Offer) -> int | None:
        return self.distances.get(need.neighbourhood, {}).get(offer.neighbourhood)
