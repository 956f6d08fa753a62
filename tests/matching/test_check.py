"""``check_answer`` finds every kind of broken answer."""

from __future__ import annotations

import dataclasses

import pytest

from mutuo_aiuto.matching import Proposal, Reason, check_answer, solve
from mutuo_aiuto.matching.scoring import pair_reasons
from tests.matching.factories import make_need, make_offer, make_problem, weekly


def proposal(problem, need_id, offer_id, load=0):
    need = next(n for n in problem.needs if n.id == need_id)
    offer = next(o for o in problem.offers if o.id == offer_id)
    reasons = pair_reasons(need, offer, 0, problem.weights, load)
    return Proposal(need_id, offer_id, sum(r.points for r in reasons), reasons)


def with_proposals(problem, answer, *proposals):
    return dataclasses.replace(answer, proposals=tuple(sorted(
        answer.proposals + proposals, key=lambda p: (p.need, p.offer))))


BREAKS = {
    "rule 1": dict(household="helper"),
    "rule 2": dict(skills=("mediation",)),
    "rule 3": dict(slots=(weekly(1, "08:00", "09:00"),)),
    "rule 4": dict(neighbourhood="pallotta", max_hops=1),
    "rule 5": dict(languages=("ar",)),
    "rule 6": dict(requires_vetted=True),
}


@pytest.mark.parametrize(("rule", "fields"), BREAKS.items(), ids=BREAKS.keys())
def test_a_proposal_breaking_rules_1_to_6(rule, fields):
    offer = make_offer(languages=("it",), vetted=False)
    problem = make_problem([make_need(**fields)], [offer])
    answer = solve(problem)
    assert answer.proposals == ()
    bad = with_proposals(problem, answer, proposal(problem, "n1", "o1"))
    assert any(rule in fault for fault in check_answer(problem, bad))


def test_rules_7_8_9_and_the_summary():
    needs = [make_need(id="a", household="fa"), make_need(id="b", household="fb")]
    offers = [make_offer(id="o1", household="v1"), make_offer(id="o2", household="v2")]
    problem = make_problem(needs, offers)
    answer = solve(problem)
    assert check_answer(problem, answer) == []
    extra = {(p.need, p.offer) for p in answer.proposals}
    missing = [(n, o) for n in ("a", "b") for o in ("o1", "o2") if (n, o) not in extra]
    bad = with_proposals(problem, answer, *(proposal(problem, n, o) for n, o in missing))
    faults = " | ".join(check_answer(problem, bad))
    assert "rule 7" in faults and "rule 8" in faults and "rule 9" in faults
    assert "unmatched" not in faults


def test_scores_reasons_order_and_stats():
    problem = make_problem([make_need()], [make_offer()])
    answer = solve(problem)
    (good,) = answer.proposals
    cases = {
        "not the pair's score": dataclasses.replace(good, score=good.score + 1),
        "do not sum": dataclasses.replace(good, reasons=good.reasons[:1]),
        "unknown code": dataclasses.replace(good, reasons=(
            *good.reasons[:-1], Reason("bonus", good.reasons[-1].points))),
    }
    for fault, broken in cases.items():
        bad = dataclasses.replace(answer, proposals=(broken,))
        assert any(fault in f for f in check_answer(problem, bad)), fault
    twice = dataclasses.replace(answer, proposals=(good, good))
    assert any("proposed twice" in f for f in check_answer(problem, twice))
    lost = dataclasses.replace(answer, unmatched=("n1",))
    assert any("unmatched" in f for f in check_answer(problem, lost))
    wrong = dataclasses.replace(answer, stats=dataclasses.replace(answer.stats, allowed_pairs=9))
    assert any("allowed_pairs" in f for f in check_answer(problem, wrong))
    ghost = dataclasses.replace(answer, proposals=(dataclasses.replace(good, offer="o9"),))
    assert any("unknown" in f for f in check_answer(problem, ghost))


def test_a_fixed_pair_proposed_again():
    problem = make_problem([make_need(helpers=2)], [make_offer(capacity=2)],
                           fixed=(("n1", "o1"),))
    answer = solve(problem)
    bad = with_proposals(problem, answer, proposal(problem, "n1", "o1", load=1))
    assert any("already fixed" in f for f in check_answer(problem, bad))


def test_an_overbooked_fixed_offer_is_not_the_answers_fault():
    needs = [make_need(id="a", household="fa"), make_need(id="b", household="fb")]
    problem = make_problem(needs, [make_offer(capacity=1)], fixed=(("a", "o1"), ("b", "o1")))
    assert check_answer(problem, solve(problem)) == []
