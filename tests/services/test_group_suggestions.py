"""Matching meets groups (issue 12, item 5): which groups a request is shown, and why."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ActivitySlot, MatchingRun, Member, NeedSlot, Proposal
from mutuo_aiuto.services.group_suggestions import ages_welcome, suggestions
from tests import factories
from tests.groups_scenes import join, make_activity

TODAY = date.today()


@pytest.fixture
def world(app):
    s = db.session
    home = factories.make_neighbourhood(s, name="Fontivegge")
    near = factories.make_neighbourhood(s, name="Madonna Alta")
    far = factories.make_neighbourhood(s, name="Ponte della Pietra")
    factories.connect(s, home, near)
    factories.connect(s, near, far)
    parenting = factories.make_category(s, slug="parenting-support", kind="relational")
    family = factories.make_household(s, neighbourhood=home, languages=["ar", "it"])
    need = factories.make_need(s, household=family, category=parenting, languages=["ar"],
                               max_hops=1, slots=[NeedSlot(weekday=1, start_minute=17 * 60,
                                                           end_minute=19 * 60)])
    s.commit()
    return {"home": home, "near": near, "far": far, "need": need, "family": family}


def circle(world, **overrides):
    values = {"kind": "parents_circle", "title": "Cerchio dei genitori",
              "neighbourhood": world["near"], "languages": ["ar", "it"], "capacity": 5,
              "slots": [ActivitySlot(weekday=1, start_minute=18 * 60, end_minute=20 * 60)]}
    activity = make_activity(db.session, **(values | overrides))
    db.session.commit()
    return activity


def test_a_parents_circle_nearby_on_the_same_evening_in_arabic_is_suggested(world):
    activity = circle(world)
    for _ in range(2):
        join(db.session, activity, factories.make_household(db.session))
    db.session.commit()
    found = suggestions(db.session, [world["need"]], TODAY)[world["need"].id]
    assert [s.activity for s in found] == [activity]
    s = found[0]
    assert (s.neighbourhood, s.weekday, s.start, s.end, s.languages, s.places_left,
            s.hops) == ("Madonna Alta", 1, "18:00", "20:00", ("ar",), 3, 1)


@pytest.mark.parametrize("overrides", [
    {"neighbourhood": "far"},  # two hops away, the request allows one
    {"languages": ["uk"]},  # no shared language
    {"slots": [ActivitySlot(weekday=2, start_minute=18 * 60, end_minute=20 * 60)]},
    {"slots": [ActivitySlot(weekday=1, start_minute=10 * 60, end_minute=12 * 60)]},
    {"kind": "homework_club"},  # not what the request asks
    {"status": "cancelled"},
    {"ends_on": TODAY - timedelta(days=1), "starts_on": TODAY - timedelta(days=30)},
])
def test_groups_breaking_a_rule_are_not_suggested(world, overrides):
    if overrides.get("neighbourhood") == "far":
        overrides = {"neighbourhood": world["far"]}
    circle(world, **overrides)
    assert suggestions(db.session, [world["need"]], TODAY) == {}


def test_a_full_group_or_one_the_family_is_in_is_not_suggested(world):
    full = circle(world, capacity=1)
    join(db.session, full, factories.make_household(db.session))
    mine = circle(world, title="Un altro cerchio")
    join(db.session, mine, world["family"], status="waiting")
    db.session.commit()
    assert suggestions(db.session, [world["need"]], TODAY) == {}


def test_a_request_that_matches_well_one_to_one_is_shown_no_group(world):
    circle(world, kind="homework_club")
    homework = factories.make_category(db.session, slug="homework", kind="care")
    need = factories.make_need(db.session, household=world["family"], category=homework,
                               languages=["ar"], slots=[NeedSlot(
                                   weekday=1, start_minute=17 * 60, end_minute=19 * 60)])
    offer = factories.make_offer(db.session)
    db.session.add(Proposal(run=MatchingRun(kind="full"), need=need, offer=offer, score=30,
                            rank=1, reasons=[]))
    db.session.commit()
    # Homework help with a proposal waiting: no group; without one, the homework club.
    assert suggestions(db.session, [need], TODAY) == {}
    db.session.rollback()
    need2 = factories.make_need(db.session, household=world["family"], category=homework,
                                languages=["ar"], slots=[NeedSlot(
                                    weekday=1, start_minute=17 * 60, end_minute=19 * 60)])
    db.session.commit()
    assert suggestions(db.session, [need2], TODAY)[need2.id][0].activity.kind == "homework_club"


def test_a_group_for_children_only_to_a_family_with_a_child_of_its_ages(world):
    circle(world, min_child_age=0, max_child_age=3)
    assert suggestions(db.session, [world["need"]], TODAY) == {}  # no child
    db.session.add(Member(household=world["family"], kind="child",
                          birth_year=TODAY.year - 9))
    db.session.commit()
    assert suggestions(db.session, [world["need"]], TODAY) == {}  # nine: too old
    db.session.add(Member(household=world["family"], kind="child",
                          birth_year=TODAY.year - 2))
    db.session.commit()
    assert len(suggestions(db.session, [world["need"]], TODAY)[world["need"].id]) == 1
    group = make_activity(db.session, min_child_age=6, max_child_age=13)
    assert ages_welcome(group, [2026 - 13], 2026) and ages_welcome(group, [2026 - 14], 2026)
    assert not ages_welcome(group, [2026 - 15], 2026)
    assert not ages_welcome(group, [2026 - 5], 2026) and ages_welcome(group, [None], 2026)
