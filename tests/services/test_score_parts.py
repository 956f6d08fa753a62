"""Every point of a proposal's score is listed, and the listed points add up to it.

The facilitator once read "30 points" over parts adding up to 20 (the starting
points were not listed). Here the matcher's own proposals, for random problems,
go through the stored form (``proposal_to_dict``) and ``reasons.describe`` as the
request page does, and their points must sum to the matcher's score.
"""

from __future__ import annotations

from types import SimpleNamespace

from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings

from mutuo_aiuto import matching
from mutuo_aiuto.matching.fileformat import proposal_to_dict
from mutuo_aiuto.matching.model import Problem
from mutuo_aiuto.services import reasons
from tests.matching.strategies import problems


def _listed(problem: Problem, proposal: matching.Proposal) -> list[reasons.ReasonLine]:
    need = next(n for n in problem.needs if n.id == proposal.need)
    # The time sentences read the rows' slots; they are worth no points.
    shown_need = SimpleNamespace(slots=[], urgency=need.urgency)
    stored = proposal_to_dict(proposal)["reasons"]
    return reasons.describe(stored, shown_need, SimpleNamespace(slots=[]),
                            load_weight=problem.weights.load)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(problem=problems())
def test_the_listed_points_add_up_to_the_matchers_score(app, problem):
    answer = matching.solve(problem)
    prepared = matching.prepare(problem, answer.proposals)
    ranked = [p for need in problem.needs for p in matching.ranked_for_need(prepared, need)]
    with force_locale("it"):
        for proposal in (*answer.proposals, *ranked):
            lines = _listed(problem, proposal)
            assert reasons.points_total(lines) == proposal.score
            # One line per part worth points: none left out, none counted twice.
            assert len([line for line in lines if line.points]) == len(
                [part for part in proposal.reasons if part.points])


def test_the_starting_points_are_listed(app):
    need = SimpleNamespace(slots=[], urgency=2)
    parts = [{"code": "base", "points": 10}, {"code": "urgency", "points": 10},
             {"code": "proximity", "points": 6, "hops": 0}, {"code": "language", "points": 4,
                                                             "shared": ["ar"]}]
    with force_locale("en"):
        lines = reasons.describe(parts, need, SimpleNamespace(slots=[]))
    assert [(line.text, line.points) for line in lines] == [
        ("Starting points of every pairing", 10), ("The family chose: Within a week", 10),
        ("Same neighbourhood", 6), ("Both speak Arabic", 4)]
    assert reasons.points_total(lines) == 30


def test_a_part_without_words_still_counts(app):
    need = SimpleNamespace(slots=[], urgency=0)
    # A load part the current weight does not divide (the weights changed since the run).
    lines = reasons.describe([{"code": "base", "points": 10}, {"code": "load", "points": -3}],
                             need, SimpleNamespace(slots=[]), load_weight=2)
    with force_locale("en"):
        assert reasons.points_total(lines) == 7
