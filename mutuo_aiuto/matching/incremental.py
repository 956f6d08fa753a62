"""Proposals for one new or edited need, against the present state, without solving again.

The state is the problem's fixed pairs plus, optionally, the proposals other
needs hold now: together they take offers' places and times. The need gets
the best offers that still have room and are free at its times; as all its
helpers serve the same slots, taking the best few, one per offer, is the
best it can get. ``solve`` stays the way to re-optimise everything.

Besides the contract's rules, proposals here keep one more (see the package's
list of choices): a helper household is in one place at a time, so an offer is
not proposed for a need while another offer of the same household serves
(fixed or currently proposed) a different need at an overlapping time.
``busy_elsewhere`` is that rule, and ``keep_one_place`` applies it to a whole
answer; the web app checks confirmations with the same function.

Keep a ``Prepared`` between calls (``prepare(problem, current)``) to answer in
milliseconds; a bare problem works too, and prepares itself.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

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
    # Read-only here; a caller that proposes need after need may pass lists it updates.
    taken: Sequence[Sequence[tuple[str, Clock]]]
    # For each household: the positions of its offers.
    households: Mapping[str, tuple[int, ...]] = field(default_factory=dict)


def prepare(problem: Problem, current: Iterable[Pair] = (),
            index: OfferIndex | None = None) -> Prepared:
    """Index the offers and record what the fixed pairs and ``current`` take."""
    index = index or OfferIndex(problem)
    needs = {need.id: need for need in problem.needs}
    clocks: dict[str, Clock] = {}

    def clock(need_id: str) -> Clock:  # only the needs that take a place: prepare is frequent
        if need_id not in clocks:
            clocks[need_id] = Clock.of(needs[need_id])
        return clocks[need_id]

    fixed_load = [0] * len(problem.offers)
    taken: list[list[tuple[str, Clock]]] = [[] for _ in problem.offers]
    for pair in problem.fixed:
        fixed_load[index.position[pair.offer]] += 1
        taken[index.position[pair.offer]].append((pair.need, clock(pair.need)))
    for i, item in enumerate(current):
        need_id, offer_id = (item.need, item.offer) if isinstance(item, Proposal) else item
        if need_id not in needs or offer_id not in index.position:
            raise ProblemError(f"current[{i}]", f"unknown pair {shown(need_id)}, "
                                                f"{shown(offer_id)}")
        taken[index.position[offer_id]].append((need_id, clock(need_id)))
    households: dict[str, list[int]] = defaultdict(list)
    for pos, offer in enumerate(problem.offers):
        households[offer.household].append(pos)
    return Prepared(problem, index, tuple(fixed_load), tuple(tuple(t) for t in taken),
                    {household: tuple(pos) for household, pos in households.items()})


def busy_elsewhere(prepared: Prepared, need: Need, offer_id: str) -> bool:
    """The household rule: another offer of ``offer_id``'s household serves, fixed or
    currently proposed, a need other than ``need`` at a time that overlaps ``need``'s."""
    return _busy(prepared, prepared.taken, need, prepared.index.position[offer_id])


def _busy(prepared: Prepared, taken: Sequence[Iterable[tuple[str, Clock]]], need: Need,
          j: int) -> bool:
    clock = Clock.of(need)
    return any(other != need.id and clocks_clash(clock, c)
               for k in prepared.households.get(prepared.problem.offers[j].household, ())
               if k != j for other, c in taken[k])


def keep_one_place(problem: Problem, proposals: Iterable[Proposal]) -> tuple[Proposal, ...]:
    """``proposals`` (say ``solve``'s) without those that would put a helper household in
    two places: best score first, a proposal is dropped when ``busy_elsewhere`` says so
    against the fixed pairs and the proposals kept before it. Sorted as given."""
    proposals = tuple(proposals)
    prepared = prepare(problem)
    taken = [list(t) for t in prepared.taken]
    needs = {need.id: need for need in problem.needs}
    dropped: set[tuple[str, str]] = set()
    for p in sorted(proposals, key=lambda p: (-p.score, p.need, p.offer)):
        if _busy(prepared, taken, needs[p.need], prepared.index.position[p.offer]):
            dropped.add((p.need, p.offer))
        else:
            taken[prepared.index.position[p.offer]].append((p.need, Clock.of(needs[p.need])))
    return tuple(p for p in proposals if (p.need, p.offer) not in dropped)


def propose_for_need(source: Problem | Prepared, need: Need,
                     current: Iterable[Pair] | None = None,
                     exclude: Iterable[str] = ()) -> tuple[Proposal, ...]:
    """The best proposals for ``need``, sorted by offer id; they break no rule.

    ``need`` may be new or replace the problem's need with the same id; the
    proposals of that id in the state are ignored (they are what is redone),
    its fixed pairs are kept and count towards its helpers. ``current`` adds
    other needs' proposals to a problem (or replaces a ``Prepared``'s).
    Offers in ``exclude`` are not proposed (see ``ranked_for_need``).
    """
    if isinstance(source, Problem):
        prepared = prepare(source, current or ())
    elif current is not None:
        prepared = prepare(source.problem, current, source.index)
    else:
        prepared = source
    _check(prepared.problem, need)
    mine = {pair.offer for pair in prepared.problem.fixed if pair.need == need.id}
    wanted = need.helpers - len(mine)
    if wanted <= 0:
        return ()
    best = ranked_for_need(prepared, need, wanted, exclude)
    return tuple(sorted(best, key=lambda p: p.offer))


def ranked_for_need(prepared: Prepared, need: Need, limit: int | None = None,
                    exclude: Iterable[str] = ()) -> list[Proposal]:
    """Every offer ``need`` may get now, best score first (then offer id), at most ``limit``.

    An offer qualifies when rules 1-6 allow the pair, it scores above 0, it
    has room and time beside the fixed pairs and the state's proposals of
    other needs (rules 8-9), its household is not busy elsewhere, it does not
    serve the need already, and its id is not in ``exclude`` (pairs someone
    turned down, for instance). ``propose_for_need`` takes the first few.
    """
    problem, index = prepared.problem, prepared.index
    skip = set(exclude) | {pair.offer for pair in problem.fixed if pair.need == need.id}
    clock, options = Clock.of(need), []
    for j in index.allowed_offers(need):
        offer = problem.offers[j]
        if offer.id in skip:
            continue
        others = [c for need_id, c in prepared.taken[j] if need_id != need.id]
        if len(others) >= offer.capacity or any(clocks_clash(clock, c) for c in others):
            continue
        if busy_elsewhere(prepared, need, offer.id):
            continue
        reasons = pair_reasons(need, offer, index.hops(need, offer), problem.weights,
                               prepared.fixed_load[j])
        score = sum(reason.points for reason in reasons)
        if score > 0:
            options.append(Proposal(need.id, offer.id, score, reasons))
    options.sort(key=lambda p: (-p.score, p.offer))
    return options if limit is None else options[:limit]


def _check(problem: Problem, need: Need) -> None:
    """The need must be valid against the problem's neighbourhoods and households."""
    households = {n.household for n in problem.needs if n.id != need.id}
    households |= {o.household for o in problem.offers} | {need.household}
    validate_need(need, "need", set(problem.neighbourhoods), households)
