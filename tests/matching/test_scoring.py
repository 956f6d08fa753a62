"""Each part of a pair's score, and the reasons that list the parts worth points."""

from __future__ import annotations

from hypothesis import given

from mutuo_aiuto.matching import Reason, Weights, solve
from mutuo_aiuto.matching.graph import hop_distances
from mutuo_aiuto.matching.scoring import PairScorer, pair_reasons, pair_score
from tests.matching.factories import make_need, make_offer, make_problem
from tests.matching.strategies import SETTINGS, problems


def reasons_of(need=None, offer=None, weights=None, fixed=()):
    needs = [need or make_need()]
    extra = [make_need(id=f"x{k}", household=f"x{k}", slots=()) for k, _ in enumerate(fixed)]
    problem = make_problem(needs + extra, [offer or make_offer(capacity=5)],
                           fixed=tuple((f"x{k}", "o1") for k, _ in enumerate(fixed)),
                           weights=weights)
    (proposal,) = [p for p in solve(problem).proposals if p.need == "n1"]
    assert proposal.score == sum(r.points for r in proposal.reasons)
    return {r.code: r for r in proposal.reasons}


def test_base_and_same_neighbourhood():
    parts = reasons_of()
    assert parts == {"base": Reason("base", 10), "proximity": Reason("proximity", 6, hops=0)}


def test_urgency_counts_per_level():
    assert reasons_of(make_need(urgency=3))["urgency"] == Reason("urgency", 15)


def test_proximity_by_hops_and_none_beyond_the_list():
    assert reasons_of(make_need(neighbourhood="madonna-alta"))["proximity"] == Reason(
        "proximity", 3, hops=1)
    assert reasons_of(make_need(neighbourhood="cortonese"))["proximity"] == Reason(
        "proximity", 1, hops=2)
    far = reasons_of(make_need(neighbourhood="pallotta", remote=True))
    assert "proximity" not in far  # 3 hops: past the list, zero points, not a reason


def test_language_lists_the_shared_ones_sorted():
    parts = reasons_of(make_need(languages=("ro", "it", "en")),
                       make_offer(languages=("en", "it"), capacity=5))
    assert parts["language"] == Reason("language", 4, shared=("en", "it"))


def test_no_language_points_when_a_side_states_none():
    assert "language" not in reasons_of(make_need(languages=("ar",)))


def test_continuity_for_a_previous_helper():
    need = make_need(previous_helpers=("helper",))
    assert reasons_of(need)["continuity"] == Reason("continuity", 8)


def test_load_takes_points_per_fixed_pair_of_the_offer():
    assert reasons_of(fixed=("x", "y"))["load"] == Reason("load", -4)


def test_zero_weights_give_no_reason():
    weights = Weights(base=0, urgency=0, proximity=(), language=0, continuity=0, load=0)
    need = make_need(urgency=2, previous_helpers=("helper",), languages=("it",))
    problem = make_problem([need], [make_offer(languages=("it",))], weights=weights)
    assert solve(problem).proposals == ()  # every pair scores 0: nothing to propose


def test_the_spec_weights_are_the_defaults():
    assert Weights() == Weights(base=10, urgency=5, proximity=(6, 3, 1), language=4,
                                continuity=8, load=2)


@SETTINGS
@given(problems())
def test_fast_scores_equal_the_reference_and_the_reasons(problem):
    distances = hop_distances(problem.neighbourhoods, problem.adjacency)
    loads = [sum(p.offer == o.id for p in problem.fixed) for o in problem.offers]
    scorer = PairScorer(problem, distances, loads)
    for i, need in enumerate(problem.needs):
        for j, offer in enumerate(problem.offers):
            hops = distances[need.neighbourhood].get(offer.neighbourhood)
            reference = pair_score(need, offer, hops, problem.weights, loads[j])
            assert scorer.score(i, j) == reference
            reasons = pair_reasons(need, offer, hops, problem.weights, loads[j])
            assert sum(r.points for r in reasons) == reference
            assert all(r.points != 0 for r in reasons)
