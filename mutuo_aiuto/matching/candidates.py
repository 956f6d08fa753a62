"""Allowed pairs (rules 1-6) found through indexes, never by trying every pair.

Offers are filed under (neighbourhood, skill, weekday, hour) for every hour
their slots touch, each list sorted by reach (``max_hops``) so a walk can stop
at the first offer that cannot reach so far. A need looks only in the
neighbourhoods it can reach, under its rarest skill and the weekday and hour
of its first slot, and checks the full rules on those few offers: the work
grows with the number of allowed pairs, not with needs x offers.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from mutuo_aiuto.matching.graph import Distances, hop_distances, within
from mutuo_aiuto.matching.model import Need, Offer, Problem
from mutuo_aiuto.matching.timeslots import (
    FULL_WEEK,
    fits,
    week_mask,
    weekly_windows,
    windows_touch,
)

Key = tuple[str, str, int, int]


class OfferIndex:
    """The offers of a problem, filed to find quickly those that may serve a need.

    Build it once and keep it between incremental proposals: it reads only the
    offers and the neighbourhood graph.
    """

    def __init__(self, problem: Problem, distances: Distances | None = None) -> None:
        self.offers = problem.offers
        self.distances = distances or hop_distances(problem.neighbourhoods, problem.adjacency)
        self.places = tuple(sorted(self.distances))
        self.position = {offer.id: pos for pos, offer in enumerate(self.offers)}
        windows = [weekly_windows(offer.slots) for offer in self.offers]
        skills = [frozenset(offer.skills) for offer in self.offers]
        # What rules 1, 3, 5 and 6 read, gathered per offer for the inner loop.
        self._facts = [(offer.household, offer.vetted, frozenset(offer.languages), skills[pos],
                        FULL_WEEK ^ week_mask(offer.slots), windows_touch(windows[pos]))
                       for pos, offer in enumerate(self.offers)]
        self._windows = windows
        self._reach = [offer.max_hops for offer in self.offers]
        self._skill_count = Counter(skill for offer_skills in skills for skill in offer_skills)
        self._by_key = _file_by_key(self.offers, skills, windows)
        self._by_place: dict[str, list[int]] = defaultdict(list)
        for pos in sorted(range(len(self.offers)), key=lambda p: (-self._reach[p], p)):
            self._by_place[self.offers[pos].neighbourhood].append(pos)  # farthest-reaching first
        self._near: dict[tuple[str, int], list[tuple[str, int]]] = {}
        self._lists_seen: dict[tuple[Any, ...], list[tuple[list[int], int]]] = {}

    def allowed_offers(self, need: Need) -> list[int]:
        """Positions (in ``problem.offers``) of the offers that may serve ``need``, ascending."""
        if not all(skill in self._skill_count for skill in need.skills):
            return []
        reach, facts = self._reach, self._facts
        langs, skills, busy = frozenset(need.languages), frozenset(need.skills), week_mask(
            need.slots)
        household, vetted, remote = need.household, need.requires_vetted, need.remote
        found = []
        for filed, hops in self._lists(need):
            for pos in filed:
                if not remote and reach[pos] < hops:
                    break  # the rest of the list reaches even less far
                home, is_vetted, offer_langs, offer_skills, gaps, touch = facts[pos]
                if ((vetted and not is_vetted) or busy & gaps or home == household
                        or (langs and offer_langs and langs.isdisjoint(offer_langs))
                        or not offer_skills >= skills
                        or (touch and not fits(need.slots, self._windows[pos]))):
                    continue
                found.append(pos)
        found.sort()
        return found

    def _reachable(self, need: Need) -> list[tuple[str, int]]:
        """(neighbourhood, hops) to search; a remote need searches them all (hops unused)."""
        if need.remote:
            return [(place, 0) for place in self.places]
        key = (need.neighbourhood, need.max_hops)
        if key not in self._near:
            near = self.distances.get(need.neighbourhood, {})
            self._near[key] = [(place, near[place]) for place in within(
                self.distances, need.neighbourhood, need.max_hops)]
        return self._near[key]

    def _lists(self, need: Need) -> list[tuple[list[int], int]]:
        """The filed lists to read, with their hops: in each neighbourhood the need
        reaches, the list under its rarest skill and the weekday and hour of one
        of its slots - the slot whose lists are shortest (every slot must fit)."""
        reachable = self._reachable(need)
        if not (need.skills and need.slots):
            return [(self._by_place.get(place, []), hops) for place, hops in reachable]
        skill = min(need.skills, key=lambda s: (self._skill_count[s], s))
        by_key, best, shortest = self._by_key, [], -1
        for when in sorted({(slot.day, slot.start // 60) for slot in need.slots})[:3]:
            found = [(filed, hops) for place, hops in reachable
                     if (filed := by_key.get((place, skill, *when)))]
            size = sum(len(filed) for filed, _ in found)
            if shortest < 0 or size < shortest:
                best, shortest = found, size
        return best

    def hops(self, need: Need, offer: Offer) -> int | None:
        return self.distances.get(need.neighbourhood, {}).get(offer.neighbourhood)


def _file_by_key(offers: tuple[Offer, ...], skills: list[frozenset[str]],
                 windows: list[dict[int, tuple[tuple[int, int], ...]]]) -> dict[Key, list[int]]:
    filed: dict[Key, set[int]] = defaultdict(set)
    for pos, offer in enumerate(offers):
        for day, spans in windows[pos].items():
            hours = {h for start, end in spans for h in range(start // 60, (end - 1) // 60 + 1)}
            for skill in skills[pos]:
                for hour in hours:
                    filed[offer.neighbourhood, skill, day, hour].add(pos)
    # Farthest-reaching first, so a search stops at the first one out of reach.
    return {key: sorted(found, key=lambda pos: (-offers[pos].max_hops, pos))
            for key, found in filed.items()}
