"""``solve``: from a problem to its answer — candidates, optimisation, reasons, stats."""

from __future__ import annotations

import gc
import time
from collections.abc import Iterator
from contextlib import contextmanager

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.instance import Fixed, build_instance, clocks_of
from mutuo_aiuto.matching.model import Answer, Problem, Proposal, Stats
from mutuo_aiuto.matching.optimise import optimise
from mutuo_aiuto.matching.scoring import pair_reasons


def solve(problem: Problem, index: OfferIndex | None = None) -> Answer:
    """The best proposals for a valid problem (see ``load_problem``).

    ``index`` may be an ``OfferIndex`` the caller keeps for the same offers.
    """
    started = time.perf_counter()
    with _collector_paused():
        index = index or OfferIndex(problem)
        fixed = Fixed.of(problem, index)
        allowed, chosen = _choose(problem, index, fixed)
    proposals = tuple(sorted((_proposal(problem, index, fixed, i, j) for i, j in chosen),
                             key=lambda p: (p.need, p.offer)))
    served = [len(fixed.of_need[i]) for i in range(len(problem.needs))]
    for i, _ in chosen:
        served[i] += 1
    unmatched = tuple(sorted(need.id for i, need in enumerate(problem.needs)
                             if served[i] < need.helpers))
    seconds = round(time.perf_counter() - started, 2)
    return Answer(proposals, unmatched,
                  Stats(len(problem.needs), len(problem.offers), allowed, seconds))


def _choose(problem: Problem, index: OfferIndex, fixed: Fixed) -> tuple[int, list[tuple[int, int]]]:
    """The number of allowed pairs and the chosen (need, offer) positions. The
    instance and the auctions' state are gone once this returns."""
    instance, allowed = build_instance(problem, index, fixed, clocks_of(problem))
    return allowed, optimise(instance)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the solver builds its many small
    objects (none of them in cycles): it would otherwise rescan them over and
    over, about a tenth of the time on a large problem. Reference counting
    still frees memory as usual."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _proposal(problem: Problem, index: OfferIndex, fixed: Fixed, i: int, j: int) -> Proposal:
    need, offer = problem.needs[i], problem.offers[j]
    reasons = pair_reasons(need, offer, index.hops(need, offer), problem.weights,
                           len(fixed.of_offer[j]))
    return Proposal(need.id, offer.id, sum(r.points for r in reasons), reasons)
