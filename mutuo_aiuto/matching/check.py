"""``check_answer``: every way an answer breaks the contract, in plain sentences.

It re-reads the rules from the slots themselves (``timeslots``), not from the
week masks the optimiser uses, so the two ways of reading time check each
other. Fixed pairs are facts: a rule they break on their own (an offer the
facilitator overbooked) is not the answer's fault, so rules 7-9 are checked
only where a proposal is involved.
"""

from __future__ import annotations

from collections import defaultdict
from itertools import combinations

from mutuo_aiuto.matching.candidates import OfferIndex
from mutuo_aiuto.matching.graph import Distances, hop_distances
from mutuo_aiuto.matching.model import Answer, Need, Offer, Problem, Proposal
from mutuo_aiuto.matching.scoring import pair_reasons
from mutuo_aiuto.matching.timeslots import any_overlap, fits, weekly_windows

CODES = ("base", "urgency", "proximity", "language", "continuity", "load")


def check_answer(problem: Problem, answer: Answer) -> list[str]:
    """The rule violations of ``answer`` for ``problem``; empty when it is valid."""
    needs = {need.id: need for need in problem.needs}
    offers = {offer.id: offer for offer in problem.offers}
    distances = hop_distances(problem.neighbourhoods, problem.adjacency)
    fixed_load: dict[str, int] = defaultdict(int)
    for fixed_pair in problem.fixed:
        fixed_load[fixed_pair.offer] += 1
    faults: list[str] = []
    seen: set[tuple[str, str]] = set()
    fixed = {(pair.need, pair.offer) for pair in problem.fixed}
    for proposal in answer.proposals:
        pair = (proposal.need, proposal.offer)
        name = f"proposal ({proposal.need}, {proposal.offer})"
        if proposal.need not in needs or proposal.offer not in offers:
            faults.append(f"{name}: unknown need or offer")
            continue
        if pair in seen or pair in fixed:
            faults.append(f"{name}: {'proposed twice' if pair in seen else 'already fixed'}")
        seen.add(pair)
        need, offer = needs[proposal.need], offers[proposal.offer]
        faults += [f"{name}: {fault}" for fault in pair_faults(need, offer, distances)]
        faults += [f"{name}: {fault}" for fault in _score_faults(
            proposal, need, offer, distances, problem, fixed_load[offer.id])]
    faults += _load_faults(problem, answer, needs, offers)
    faults += _summary_faults(problem, answer)
    return faults


def pair_faults(need: Need, offer: Offer, distances: Distances) -> list[str]:
    """Which of rules 1-6 the pair breaks."""
    faults = []
    if need.household == offer.household:
        faults.append("rule 1: the need and the offer are the same household")
    missing = sorted(set(need.skills) - set(offer.skills))
    if missing:
        faults.append(f"rule 2: the offer lacks {', '.join(missing)}")
    if not fits(need.slots, weekly_windows(offer.slots)):
        faults.append("rule 3: a slot of the need is outside the offer's slots")
    hops = distances.get(need.neighbourhood, {}).get(offer.neighbourhood)
    if not need.remote and (hops is None or hops > min(need.max_hops, offer.max_hops)):
        faults.append(f"rule 4: {'unreachable' if hops is None else f'{hops} hops'} is too far")
    if need.languages and offer.languages and not set(need.languages) & set(offer.languages):
        faults.append("rule 5: no shared language")
    if need.requires_vetted and not offer.vetted:
        faults.append("rule 6: the offer is not vetted")
    return faults


def _score_faults(proposal: Proposal, need: Need, offer: Offer, distances: Distances,
                  problem: Problem, load: int) -> list[str]:
    hops = distances.get(need.neighbourhood, {}).get(offer.neighbourhood)
    expected = pair_reasons(need, offer, hops, problem.weights, load)
    faults = []
    if proposal.score != sum(reason.points for reason in expected):
        faults.append(f"score {proposal.score} is not the pair's score "
                      f"{sum(reason.points for reason in expected)}")
    if proposal.score != sum(reason.points for reason in proposal.reasons):
        faults.append("the reasons do not sum to the score")
    if any(reason.code not in CODES for reason in proposal.reasons):
        faults.append("a reason has an unknown code")
    if tuple(proposal.reasons) != expected:
        faults.append("the reasons are not the pair's reasons")
    if proposal.score <= 0:
        faults.append("a pair worth 0 or less is never proposed")
    return faults


def _load_faults(problem: Problem, answer: Answer, needs: dict[str, Need],
                 offers: dict[str, Offer]) -> list[str]:
    """Rules 7-9, fixed pairs counted, wherever a proposal is involved."""
    helpers: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    served: dict[str, list[tuple[str, bool]]] = defaultdict(list)
    for pair in problem.fixed:
        helpers[pair.need].append((pair.offer, False))
        served[pair.offer].append((pair.need, False))
    for p in answer.proposals:
        if p.need in needs and p.offer in offers:
            helpers[p.need].append((p.offer, True))
            served[p.offer].append((p.need, True))
    faults = []
    for need_id, got in sorted(helpers.items()):
        if any(new for _, new in got) and len(got) > needs[need_id].helpers:
            faults.append(f"rule 7: need {need_id} gets {len(got)} helpers, "
                          f"asks for {needs[need_id].helpers}")
    for offer_id, got in sorted(served.items()):
        if not any(new for _, new in got):
            continue
        if len(got) > offers[offer_id].capacity:
            faults.append(f"rule 8: offer {offer_id} serves {len(got)} needs, "
                          f"capacity {offers[offer_id].capacity}")
        for (a, new_a), (b, new_b) in combinations(got, 2):
            if (new_a or new_b) and any_overlap(needs[a].slots, needs[b].slots):
                faults.append(f"rule 9: offer {offer_id} would be at {a} and {b} at once")
    return faults


def _summary_faults(problem: Problem, answer: Answer) -> list[str]:
    count: dict[str, int] = defaultdict(int)
    for pair in problem.fixed:
        count[pair.need] += 1
    for p in answer.proposals:
        count[p.need] += 1
    expected = tuple(sorted(n.id for n in problem.needs if count[n.id] < n.helpers))
    faults = []
    if tuple(answer.unmatched) != expected:
        faults.append(f"unmatched should be {list(expected)}")
    pairs = [(p.need, p.offer) for p in answer.proposals]
    if pairs != sorted(pairs):
        faults.append("proposals are not sorted by need, then offer")
    stats = answer.stats
    if (stats.needs, stats.offers) != (len(problem.needs), len(problem.offers)):
        faults.append("stats: wrong number of needs or offers")
    if stats.allowed_pairs != allowed_pairs(problem):
        faults.append(f"stats: allowed_pairs should be {allowed_pairs(problem)}")
    return faults


def allowed_pairs(problem: Problem) -> int:
    """Pairs that rules 1-6 allow, plus the fixed pairs they do not."""
    index = OfferIndex(problem)
    allowed = {(need.id, problem.offers[j].id) for need in problem.needs
               for j in index.allowed_offers(need)}
    return len(allowed | {(pair.need, pair.offer) for pair in problem.fixed})
