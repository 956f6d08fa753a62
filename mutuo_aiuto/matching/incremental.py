"""Proposals for one new or edited need, against the present state, without solving again.

The state is the problem's fixed pairs plus, optionally, the proposals other
needs hold now: together they take offers' places and times. The need gets
the best offers that still have room and are free at its times; as all its
helpers serve the same slots, taking the best few, one per offer, is the
best it can get. ``solve`` stays the way to re-optimise everything.

Keep a ``Prepared`` between calls (``prepare(problem, current)``) to answer in
milliseconds; a bare problem works too, and prepares itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.errors import ProblemError
from mutuo_aiuto.matching.instance import Clock, clocks_clash
from mutuo_aiuto.matching.jsonfields import shown
from mutuo_aiuto.matching.model import Need, Problem, Proposal
from mutuo_aiuto.matching.scoring import pair_reasons
from mutuo_aiuto.matching.validate import validate_need

Pair = Proposal | tuple[str, str]


@dataclass(frozen=True)
class Prepared:
    """A problem with its offer index and who takes each offer's places now."""

    problem: Problem
    index: OfferIndex
    fixed_load: tuple[int, ...]
    # For each offer position: (need id, its clock) of the fixed needs and current proposals.
    taken: tuple[tuple[tuple[str, Clock], ...], ...]


def prepare(problem: Problem, current: Iterable[Pair] = (),
            index: OfferIndex | None = None) -> Prepared:
    """Index the offers and record what the fixed pairs and ``current`` take."""
    index = index or OfferIndex(problem)
    clocks = {need.id: Clock.of(need) for need in problem.needs}
    fixed_load = [0] * len(problem.offers)
    taken: list[list[tuple[str, Clock]]] = [[] for _ in problem.offers]
    for pair in problem.fixed:
        fixed_load[index.position[pair.offer]] += 1
        taken[index.position[pair.offer]].append((pair.need, clocks[pair.need]))
    for i, item in enumerate(current):
        need_id, offer_id = (item.need, item.offer) if isinstance(item, Proposal) else item
        if need_id not in clocks or offer_id not in index.position:
            raise ProblemError(f"current[{i}]", f"unknown pair {shown(need_id)}, "
                                                f"{shown(offer_id)}")
        taken[index.position[offer_id]].append((need_id, clocks[need_id]))
    return Prepared(problem, index, tuple(fixed_load), tuple(tuple(t) for t in taken))


def propose_for_need(source: Problem | Prepared, need: Need,
                     current: Iterable[Pair] | None = None) -> tuple[Proposal, ...]:
    """The best proposals for ``need``, sorted by offer id; they break no rule.

    ``need`` may be new or replace the problem's need with the same id; the
    proposals of that id in the state are ignored (they are what is redone),
    its fixed pairs are kept and count towards its helpers. ``current`` adds
    other needs' proposals to a problem (or replaces a ``Prepared``'s).
    """
    if isinstance(source, Problem):
        prepared = prepare(source, current or ())
    elif current is not None:
        prepared = prepare(source.problem, current, source.index)
    else:
        prepared = source
    _check(prepared.problem, need)
    problem, index = prepared.problem, prepared.index
    mine = {pair.offer for pair in problem.fixed if pair.need == need.id}
    wanted = need.helpers - len(mine)
    if wanted <= 0:
        return ()
    clock, options = Clock.of(need), []
    for j in index.allowed_offers(need):
        offer = problem.offers[j]
        if offer.id in mine:
            continue
        others = [c for need_id, c in prepared.taken[j] if need_id != need.id]
        if len(others) >= offer.capacity or any(clocks_clash(clock, c) for c in others):
            continue
        reasons = pair_reasons(need, offer, index.hops(need, offer), problem.weights,
                               prepared.fixed_load[j])
        score = sum(reason.points for reason in reasons)
        if score > 0:
            options.append(Proposal(need.id, offer.id, score, reasons))
    options.sort(key=lambda p: (-p.score, p.offer))
    return tuple(sorted(options[:wanted], key=lambda p: p.offer))


def _check(problem: Problem, need: Need) -> None:
    """The need must be valid against the problem's neighbourhoods and households."""
    households = {n.household for n in problem.needs if n.id != need.id}
    households |= {o.household for o in problem.offers} | {need.household}
    validate_need(need, "need", set(problem.neighbourhoods), households)
