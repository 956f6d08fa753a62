"""The format page's example gives exactly the format page's answer."""

from __future__ import annotations

from mutuo_aiuto.matching import answer_to_dict, check_answer, load_problem, solve
from tests.matching.factories import EXAMPLE_ANSWER, example


def _without_seconds(answer: dict) -> dict:
    return answer | {"stats": {k: v for k, v in answer["stats"].items() if k != "seconds"}}


def test_the_example_answer():
    problem = load_problem(example())
    answer = solve(problem)
    assert _without_seconds(answer_to_dict(answer)) == _without_seconds(EXAMPLE_ANSWER)
    assert check_answer(problem, answer) == []


def test_n1_scores_33_for_the_reasons_given():
    proposal = solve(load_problem(example())).proposals[0]
    assert (proposal.need, proposal.offer, proposal.score) == ("n1", "o1", 33)
    assert [r.code for r in proposal.reasons] == [
        "base", "urgency", "proximity", "language", "continuity", "load"]
    assert sum(r.points for r in proposal.reasons) == 33


def test_the_fixed_n9_is_satisfied_so_only_n2_is_unmatched():
    answer = solve(load_problem(example()))
    assert answer.unmatched == ("n2",)
    assert all(p.need != "n9" for p in answer.proposals)
    assert answer.stats.allowed_pairs == 2  # n1-o1 and the fixed n9-o1


def test_seconds_is_a_small_number():
    assert 0 <= solve(load_problem(example())).stats.seconds < 5
