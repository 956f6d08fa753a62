"""Random small problems (hypothesis) and the exhaustive optimum to judge answers by.

The problems are small and crowded on purpose: few neighbourhoods, skills,
languages and households, and slots drawn from a handful of times, so that
every rule — clashes above all — comes into play often. Fixed pairs are any
need-offer pairs, allowed or not: a facilitator may have overridden a rule.
"""

from __future__ import annotations

import datetime as dt
import os
from collections import defaultdict

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from mutuo_aiuto.matching import FixedPair, Need, Offer, Problem, Slot, Weights
from mutuo_aiuto.matching.check import pair_faults
from mutuo_aiuto.matching.graph import hop_distances
from mutuo_aiuto.matching.scoring import pair_score
from mutuo_aiuto.matching.timeslots import any_overlap

# MATCHING_EXAMPLES=1000 for a long run; the default keeps the suite quick.
EXAMPLES = int(os.environ.get("MATCHING_EXAMPLES", "60"))
SETTINGS = settings(max_examples=EXAMPLES, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Comparisons with the exhaustive optimum are quick and catch the rarest faults.
THOROUGH = settings(SETTINGS, max_examples=EXAMPLES * 4)

PLACES = ("a", "b", "c", "d")
EDGES = (("a", "b"), ("b", "c"), ("a", "c"), ("c", "d"))
TIMES = ((480, 540), (960, 1080), (1020, 1140), (1080, 1140), (960, 1140), (1140, 1260))
DATES = (dt.date(2026, 12, 1), dt.date(2026, 12, 8), dt.date(2026, 12, 2))


@st.composite
def need_slots(draw: st.DrawFn) -> tuple[Slot, ...]:
    slots = []
    for _ in range(draw(st.integers(1, 2))):
        start, end = draw(st.sampled_from(TIMES))
        if draw(st.integers(0, 4)) == 0:
            slots.append(Slot.on_date(draw(st.sampled_from(DATES)), start, end))
        else:
            slots.append(Slot(draw(st.integers(0, 2)), start, end))
    return tuple(slots)


@st.composite
def offer_slots(draw: st.DrawFn) -> tuple[Slot, ...]:
    spans = ((450, 600), (900, 1200), (960, 1140), (1080, 1320), (0, 1440))
    days = draw(st.lists(st.integers(0, 2), min_size=1, max_size=3, unique=True))
    return tuple(Slot(day, *draw(st.sampled_from(spans))) for day in sorted(days))


@st.composite
def problems(draw: st.DrawFn, max_needs: int = 7, max_offers: int = 5) -> Problem:
    homes = ("h1", "h2", "h3", "h4", "h5")
    langs = st.lists(st.sampled_from(("it", "ar", "en")), max_size=2, unique=True).map(tuple)
    skills = st.lists(st.sampled_from(("care", "homework", "talk")), max_size=2,
                      unique=True).map(tuple)
    needs = tuple(Need(
        id=f"n{i}", household=draw(st.sampled_from(homes)), skills=draw(skills),
        neighbourhood=draw(st.sampled_from(PLACES)), slots=draw(need_slots()),
        helpers=draw(st.integers(1, 2)), languages=draw(langs),
        requires_vetted=draw(st.booleans()), max_hops=draw(st.integers(0, 2)),
        urgency=draw(st.integers(0, 3)), remote=draw(st.integers(0, 5)) == 0,
        previous_helpers=tuple(draw(st.lists(st.sampled_from(homes), max_size=1))),
    ) for i in range(draw(st.integers(0, max_needs))))
    offers = tuple(Offer(
        id=f"o{j}", household=draw(st.sampled_from(homes)),
        skills=draw(skills.map(lambda s: (*s, "care"))),
        neighbourhood=draw(st.sampled_from(PLACES)), slots=draw(offer_slots()),
        max_hops=draw(st.integers(0, 2)), capacity=draw(st.integers(0, 3)),
        languages=draw(langs), vetted=draw(st.booleans()),
    ) for j in range(draw(st.integers(0, max_offers))))
    fixed: list[FixedPair] = []
    if needs and offers:
        pairs = st.tuples(st.sampled_from(needs), st.sampled_from(offers))
        for need, offer in draw(st.lists(pairs, max_size=3, unique=True)):
            fixed.append(FixedPair(need.id, offer.id))
    load = draw(st.integers(0, 12))
    used = {h for n in needs for h in (n.household,)} | {o.household for o in offers}
    needs = tuple(_known_helpers(need, used) for need in needs)
    return Problem(PLACES, EDGES, needs, offers, tuple(fixed),
                   Weights(load=load, proximity=draw(st.sampled_from(((6, 3, 1), (2,), ())))))


def _known_helpers(need: Need, households: set[str]) -> Need:
    """Previous helpers must be households of the problem (the contract's rule)."""
    from dataclasses import replace
    return replace(need, previous_helpers=tuple(h for h in need.previous_helpers
                                                if h in households))


def brute_force_optimum(problem: Problem) -> int:
    """The best total by exhaustive search, from the rules alone (no matcher code)."""
    distances = hop_distances(problem.neighbourhoods, problem.adjacency)
    needs, offers = problem.needs, problem.offers
    fixed_of_offer: dict[str, list[str]] = defaultdict(list)
    helpers_left = {n.id: n.helpers for n in needs}
    for pair in problem.fixed:
        fixed_of_offer[pair.offer].append(pair.need)
        helpers_left[pair.need] -= 1
    by_id = {n.id: n for n in needs}
    fixed_pairs = {(p.need, p.offer) for p in problem.fixed}
    options: list[list[tuple[Offer, int]]] = []
    for need in needs:
        row = []
        for offer in offers:
            if (need.id, offer.id) in fixed_pairs or pair_faults(need, offer, distances):
                continue
            hops = distances.get(need.neighbourhood, {}).get(offer.neighbourhood)
            score = pair_score(need, offer, hops, problem.weights, len(fixed_of_offer[offer.id]))
            if score > 0:
                row.append((offer, score))
        options.append(row)
    served = {o.id: [by_id[n] for n in fixed_of_offer[o.id]] for o in offers}
    best = [0]
    bounds = [sum(sorted((s for _, s in row), reverse=True)[:max(0, helpers_left[n.id])])
              for n, row in zip(needs, options, strict=True)]

    def search(k: int, total: int) -> None:
        if total + sum(bounds[k:]) <= best[0]:
            return
        if k == len(needs):
            best[0] = total
            return
        _choose(k, 0, max(0, helpers_left[needs[k].id]), total)

    def _choose(k: int, start: int, room: int, total: int) -> None:
        search(k + 1, total)
        for m in range(start, len(options[k]) if room else start):
            offer, score = options[k][m]
            taken = served[offer.id]
            if len(taken) >= offer.capacity or any(
                    any_overlap(needs[k].slots, other.slots) for other in taken):
                continue
            taken.append(needs[k])
            _choose(k, m + 1, room - 1, total + score)
            taken.pop()

    search(0, 0)
    return best[0]
