"""Belonging before and after, and the satisfaction of both sides, on hand-worked data.

Four pairings: A is helped by H (m1), B is helped by H (m2), C by D (m3).

    follow-up  pairing  day (Rome)   family  helper
    f1         m1       2026-03-10   A 2     H 4
    f3         m2       2026-03-20   B 1     H 4
    f5         m3       2026-04-01   C 3     D –
    f2         m1       2026-04-07   A 3     H –
    f4         m2       2026-05-15   B 4     H 5
    f6         m1       2026-06-01   A 5     H 3
    (a check of m3 still due, with nothing recorded)

First against latest: A 2→5 (+3, 3 answers), B 1→4 (+3, 2), H 4→3 (−1, 4: it
answers as the helper of two pairings), C answered once (left out), D never.
Aggregate: 3 households, before 7/3, after 4, change 5/3, 2 up, 0 same, 1 down.
By 30 April: A 2→3 (+1), H 4→4 (0); B answered once then: 2 households,
before 3, after 3.5, change 0.5, 1 up, 1 same, 0 down.
"""

from __future__ import annotations

from datetime import date, datetime

import pytest

from mutuo_aiuto.models import FollowUp
from mutuo_aiuto.services import belonging, followups
from mutuo_aiuto.services.errors import DomainError


def _at(day: str) -> datetime:
    return datetime.fromisoformat(f"{day}T10:00:00+00:00")


@pytest.fixture
def world(session, make_household, make_need, make_offer, make_match):
    people = {name: make_household(name=f"Famiglia {name}") for name in "ABCDH"}

    def pairing(family: str, helper: str):
        return make_match(need=make_need(household=people[family], status="active"),
                          offer=make_offer(household=people[helper]))

    m1, m2, m3 = pairing("A", "H"), pairing("B", "H"), pairing("C", "D")
    for match, day, family, helper in ((m1, "2026-03-10", 2, 4), (m2, "2026-03-20", 1, 4),
                                       (m3, "2026-04-01", 3, None), (m1, "2026-04-07", 3, None),
                                       (m2, "2026-05-15", 4, 5), (m1, "2026-06-01", 5, 3)):
        session.add(FollowUp(match=match, due_on=date.fromisoformat(day), done_at=_at(day),
                             outcome="going_well", family_belonging=family,
                             helper_belonging=helper))
    session.add(FollowUp(match=m3, due_on=date(2026, 7, 1)))
    session.commit()
    return {name: household.id for name, household in people.items()}


def test_each_household_first_against_latest(session, world):
    changes = {c.household_id: c for c in belonging.before_after(session)}
    assert set(changes) == {world["A"], world["B"], world["H"]}
    a, b, h = changes[world["A"]], changes[world["B"]], changes[world["H"]]
    assert (a.first, a.latest, a.change, a.answers) == (2, 5, 3, 3)
    assert (a.first_on, a.latest_on) == (date(2026, 3, 10), date(2026, 6, 1))
    assert (b.first, b.latest, b.change, b.answers) == (1, 4, 3, 2)
    assert (h.first, h.latest, h.change, h.answers) == (4, 3, -1, 4)


def test_the_aggregate(session, world):
    summary = belonging.summarise(belonging.before_after(session))
    assert summary.households == 3
    assert summary.mean_before == pytest.approx(7 / 3)
    assert summary.mean_after == pytest.approx(4)
    assert summary.mean_change == pytest.approx(5 / 3)
    assert (summary.improved, summary.unchanged, summary.worse) == (2, 0, 1)


def test_the_aggregate_at_the_end_of_a_period(session, world):
    changes = belonging.before_after(session, until=date(2026, 4, 30))
    assert {c.household_id: c.change for c in changes} == {world["A"]: 1, world["H"]: 0}
    summary = belonging.summarise(changes)
    assert (summary.households, summary.mean_before, summary.mean_after,
            summary.mean_change) == (2, 3, 3.5, 0.5)
    assert (summary.improved, summary.unchanged, summary.worse) == (1, 1, 0)


def test_answers_of_a_period_with_their_side_and_day(session, world):
    found = belonging.answers(session, since=date(2026, 4, 1), until=date(2026, 4, 30))
    assert [(a.household_id, a.side, a.answered_on, a.score) for a in found] == [
        (world["C"], "family", date(2026, 4, 1), 3),
        (world["A"], "family", date(2026, 4, 7), 3)]
    assert len(belonging.answers(session)) == 10


def test_nobody_to_compare(session):
    summary = belonging.summarise(belonging.before_after(session))
    assert summary == belonging.BelongingSummary(0, None, None, None, 0, 0, 0)


def test_satisfaction_of_both_sides(session, make_match):
    make_match(status="closed", closed_at=_at("2026-03-05"), family_rating=5, helper_rating=4)
    make_match(status="closed", closed_at=_at("2026-05-05"), family_rating=3)
    make_match(status="closed", closed_at=_at("2026-05-06"))  # no feedback
    make_match(family_rating=1)  # still running: not counted
    assert belonging.satisfaction(session) == belonging.Satisfaction(4.0, 2, 4.0, 1)
    assert belonging.satisfaction(session, since=_at("2026-04-01")) == belonging.Satisfaction(
        3.0, 1, None, 0)
    assert belonging.satisfaction(session, until=_at("2026-04-01")) == belonging.Satisfaction(
        5.0, 1, 4.0, 1)


def test_a_follow_up_records_both_sides_answers(session, make_match, make_user):
    facilitator = make_user(role="facilitator")
    follow_up = followups.ensure_follow_up(session, make_match())
    followups.record_follow_up(session, facilitator, follow_up, "going_well", None,
                               _at("2026-11-10"), family_belonging=2, helper_belonging=None)
    assert (follow_up.family_belonging, follow_up.helper_belonging) == (2, None)


@pytest.mark.parametrize(("family", "helper", "field"), [
    (0, None, "family_belonging"), (None, 6, "helper_belonging"),
    ("4", None, "family_belonging"), (True, None, "family_belonging"),
])
def test_an_answer_off_the_scale_records_nothing(session, make_match, make_user, family,
                                                 helper, field):
    facilitator = make_user(role="facilitator")
    follow_up = followups.ensure_follow_up(session, make_match())
    with pytest.raises(DomainError) as caught:
        followups.record_follow_up(session, facilitator, follow_up, "going_well", None,
                                   _at("2026-11-10"), family_belonging=family,
                                   helper_belonging=helper)
    assert caught.value.field == field
    assert follow_up.done_at is None and follow_up.family_belonging is None
