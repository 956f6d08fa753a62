"""The shortcuts that keep matching fast at city scale give the matcher's own answers.

``Built.why_unmatched`` names the same rule as ``Diagnosis.why_unmatched``
without judging every offer by every rule; ``build_for_need`` reads only the
households with an offer the rules allow, and the reason it stores for a
request with none is the rule the whole problem names.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import object_session

from mutuo_aiuto.matching.diagnose import NO_SKILL, NO_TIME, RULES, TOO_FAR, Diagnosis
from mutuo_aiuto.matching.fileformat import load_problem
from mutuo_aiuto.models import Need, NeedSlot, Skill, UnmatchedReason
from mutuo_aiuto.services import matching_runs, scale_data
from mutuo_aiuto.services.city_problem import generate
from mutuo_aiuto.services.lifecycle import NEED_SEEKING
from mutuo_aiuto.services.matching_problem import SQL_RULES, Built, build_for_need

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
RULE_CODES = {code for code, _ in RULES}


@pytest.mark.parametrize(("seed", "city"), [(1, False), (2, False), (3, True)])
def test_the_reason_is_the_diagnosis_for_every_need(seed, city):
    problem = load_problem(generate(300, 200, seed=seed, city=city))
    diagnosis = Diagnosis(problem)
    built = Built(problem=problem, needs={}, offers={})
    found = Counter()
    for need in problem.needs:
        expected = diagnosis.why_unmatched(need.id)
        assert built.why_unmatched(need.id) == expected, need.id
        found[expected] += 1
    # The problems name several rules, and leave some needs an offer.
    assert len(found) >= 3 and found[None] > 0


def test_a_request_read_in_part_gets_the_reason_the_whole_problem_names(session):
    scale_data.seed_scale(session, 120, TODAY)
    matching_runs.run_full(session, now=NOW, today=TODAY)
    whole = matching_runs.build_problem(session, TODAY)
    seeking = list(session.scalars(select(Need).where(Need.status.in_(NEED_SEEKING),
                                                      Need.ends_on >= TODAY)
                                   .order_by(Need.id)))
    named = Counter()
    for need in seeking:
        expected = whole.diagnosis.why_unmatched(need.public_id)
        part = build_for_need(session, need, TODAY)
        assert part.why_unmatched(need.public_id) == expected, need.public_id
        named[expected] += 1
        if expected not in RULE_CODES:
            continue  # stored as taken or not at all: that depends on the proposals
        # Narrowed to the households an offer of which the rules allow: none here.
        assert list(part.offers) == []
        later = NOW + timedelta(minutes=5)
        matching_runs.propose_for(session, need, today=TODAY, now=later)
        stored = session.get(UnmatchedReason, need.id)
        assert (stored.reason, stored.checked_at) == (expected, later)
    assert len(named.keys() & RULE_CODES) >= 2 and named[None] > 0


def test_a_request_read_in_part_leaves_out_households_no_rule_allows(session):
    scale_data.seed_scale(session, 120, TODAY)
    whole = matching_runs.build_problem(session, TODAY)
    need = next(whole.needs[n] for n in whole.seeking
                if whole.index.allowed_offers(whole.diagnosis.needs[n])
                and not whole.diagnosis.helped[n])
    part = build_for_need(session, need, TODAY)
    allowed = {whole.problem.offers[pos].household
               for pos in whole.index.allowed_offers(whole.diagnosis.needs[need.public_id])}
    assert {offer.household.public_id for offer in part.offers.values()} == allowed
    assert len(part.offers) < len(whole.offers)


def _far(need):
    need.max_hops = 0


def _at_night(need):
    need.slots = [NeedSlot(weekday=6, start_minute=3 * 60, end_minute=4 * 60)]


def _on_a_date(need):
    need.slots = [NeedSlot(on_date=TODAY + timedelta(days=9), start_minute=10 * 60,
                           end_minute=11 * 60)]


def _remote_and_far(need):
    need.max_hops, need.remote = 0, True


def _no_one_has_the_skills(need):
    # Every skill of the Hub: no offer has them all.
    need.skills = list(object_session(need).scalars(select(Skill).order_by(Skill.id)))


@pytest.mark.parametrize(("change", "some_named"), [
    (_far, TOO_FAR), (_at_night, NO_TIME), (_on_a_date, None), (_remote_and_far, None),
    (_no_one_has_the_skills, NO_SKILL)])
def test_the_rules_asked_of_the_database_name_what_the_whole_problem_names(session, change,
                                                                          some_named):
    # The skills, the time and the distance are conditions of the query that narrows a
    # request's problem (``SQL_RULES``): changed requests give the same answers.
    scale_data.seed_scale(session, 120, TODAY)
    seeking = list(session.scalars(select(Need).where(Need.status.in_(NEED_SEEKING),
                                                      Need.ends_on >= TODAY)
                                   .order_by(Need.id).limit(12)))
    for need in seeking:
        change(need)
    session.flush()
    whole = matching_runs.build_problem(session, TODAY)
    named = Counter()
    for need in seeking:
        expected = whole.diagnosis.why_unmatched(need.public_id)
        assert build_for_need(session, need, TODAY).why_unmatched(need.public_id) == expected
        named[expected] += 1
    assert named[some_named] > 0


def test_the_rules_asked_of_the_database_come_first_in_the_contract():
    assert tuple(code for code, _ in RULES[:len(SQL_RULES)]) == SQL_RULES
