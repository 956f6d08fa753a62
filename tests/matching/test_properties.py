"""Properties on random problems: no rule broken, the best total, the same answer each time."""

from __future__ import annotations

import dataclasses

from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.matching import (
    Answer,
    check_answer,
    prepare,
    problem_from_dict,
    problem_to_dict,
    propose_for_need,
    solve,
)
from tests.matching.strategies import SETTINGS, THOROUGH, brute_force_optimum, problems


def total(answer: Answer) -> int:
    return sum(p.score for p in answer.proposals)


@SETTINGS
@given(problems())
def test_no_answer_breaks_a_rule(problem):
    answer = solve(problem)
    assert check_answer(problem, answer) == []
    for proposal in answer.proposals:
        assert proposal.score == sum(r.points for r in proposal.reasons) > 0


@SETTINGS
@given(problems())
def test_fixed_pairs_are_kept_out_of_proposals_and_counted(problem):
    answer = solve(problem)
    fixed = {(p.need, p.offer) for p in problem.fixed}
    assert not fixed & {(p.need, p.offer) for p in answer.proposals}
    for need in problem.needs:
        got = sum(p.need == need.id for p in answer.proposals) + sum(
            p.need == need.id for p in problem.fixed)
        assert (need.id in answer.unmatched) == (got < need.helpers)
    assert answer.stats.allowed_pairs >= len(fixed)


@SETTINGS
@given(problems())
def test_the_same_problem_gives_the_same_answer(problem):
    first, second = solve(problem), solve(problem)
    again = solve(problem_from_dict(problem_to_dict(problem)))
    assert first.proposals == second.proposals == again.proposals
    assert first.unmatched == second.unmatched == again.unmatched


@THOROUGH
@given(problems(max_needs=6, max_offers=4))
def test_the_total_is_the_exhaustive_optimum(problem):
    assert total(solve(problem)) == brute_force_optimum(problem)


@SETTINGS
@given(problems(), st.data())
def test_an_incremental_proposal_breaks_no_rule(problem, data):
    if not problem.needs:
        return
    answer = solve(problem)
    need = data.draw(st.sampled_from(problem.needs))
    # An edit: other times, more helpers. A need with a confirmed (fixed) helper
    # keeps its times: the app refuses that edit (services/listings.keep_commitments),
    # as it could put the helper in two places at once.
    confirmed = any(pair.need == need.id for pair in problem.fixed)
    if not confirmed and data.draw(st.booleans()):
        need = dataclasses.replace(need, helpers=need.helpers + 1,
                                   slots=data.draw(st.sampled_from(
                                       [n.slots for n in problem.needs])))
        problem = dataclasses.replace(problem, needs=tuple(
            need if n.id == need.id else n for n in problem.needs))
    current = tuple(p for p in answer.proposals if p.need != need.id)
    mine = propose_for_need(prepare(problem, current), need)
    assert mine == propose_for_need(problem, need, current)
    combined = tuple(sorted(current + mine, key=lambda p: (p.need, p.offer)))
    served = {n.id: sum(p.need == n.id for p in combined + tuple(problem.fixed))
              for n in problem.needs}
    unmatched = tuple(sorted(n.id for n in problem.needs if served[n.id] < n.helpers))
    stats = dataclasses.replace(answer.stats, allowed_pairs=solve(problem).stats.allowed_pairs)
    assert check_answer(problem, Answer(combined, unmatched, stats)) == []


@SETTINGS
@given(problems(), st.data())
def test_an_incremental_proposal_is_the_best_the_need_can_get(problem, data):
    if not problem.needs:
        return
    need = data.draw(st.sampled_from(problem.needs))
    current = tuple(p for p in solve(problem).proposals if p.need != need.id)
    mine = propose_for_need(problem, need, current)
    assert sum(p.score for p in mine) == _best_for_one(problem, need, current)


def _best_for_one(problem, need, current) -> int:
    """From the rules alone: the best scores of free offers, one per helper still wanted.

    An offer is not free when another offer of its household serves (fixed or
    proposed) another need at a time that overlaps this need's: one household is
    not in two places at once."""
    from mutuo_aiuto.matching.check import pair_faults
    from mutuo_aiuto.matching.graph import hop_distances
    from mutuo_aiuto.matching.scoring import pair_score
    from mutuo_aiuto.matching.timeslots import any_overlap

    distances = hop_distances(problem.neighbourhoods, problem.adjacency)
    needs = {n.id: n for n in problem.needs}
    taken = [(p.need, p.offer) for p in problem.fixed] + [(p.need, p.offer) for p in current]
    mine = {o for n, o in taken if n == need.id}
    wanted = need.helpers - sum(p.need == need.id for p in problem.fixed)
    household = {o.id: o.household for o in problem.offers}
    scores = []
    for offer in problem.offers:
        others = [needs[n] for n, o in taken if o == offer.id and n != need.id]
        elsewhere = [needs[n] for n, o in taken
                     if o != offer.id and household[o] == offer.household and n != need.id]
        if any(any_overlap(need.slots, n.slots) for n in elsewhere):
            continue
        load = sum(p.offer == offer.id for p in problem.fixed)
        if offer.id in mine or pair_faults(need, offer, distances) or len(others) >= (
                offer.capacity) or any(any_overlap(need.slots, n.slots) for n in others):
            continue
        hops = distances[need.neighbourhood].get(offer.neighbourhood)
        score = pair_score(need, offer, hops, problem.weights, load)
        if score > 0:
            scores.append(score)
    return sum(sorted(scores, reverse=True)[:max(0, wanted)])
