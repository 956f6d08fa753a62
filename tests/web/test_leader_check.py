"""Who sees that a children's group waits for its leader's check (issue 12): its leader and
the facilitators, on the activity's page and the groups list; never its families."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ActivitySlot, Vetting
from tests import factories
from tests.groups_scenes import join, make_activity

WAITING = "Waiting for the leader's check"


@pytest.fixture
def lapsed(app):
    s = db.session
    leader = factories.make_user(s, locale="en")
    household = factories.make_household(s, user=leader)
    today = date.today()
    s.add(Vetting(household=household, checked_on=today - timedelta(days=400),
                  expires_on=today - timedelta(days=2)))
    activity = make_activity(s, leader=leader, requires_vetted_leader=True, min_child_age=6,
                             slots=[ActivitySlot(weekday=1, start_minute=17 * 60,
                                                 end_minute=19 * 60)])
    family = factories.make_household(s, user=factories.make_user(s, locale="en"))
    join(s, activity, family)
    facilitator = factories.make_user(s, role="facilitator", locale="en")
    s.commit()
    return activity, leader, family, facilitator


def test_the_leader_and_the_facilitator_see_it(client, login, lapsed):
    activity, leader, _, facilitator = lapsed
    login(leader)
    assert WAITING in unescape(client.get(f"/activities/{activity.public_id}").text)
    client.post("/logout")
    login(facilitator)
    assert WAITING in unescape(client.get(f"/activities/{activity.public_id}").text)
    assert WAITING in unescape(client.get("/groups").text)


def test_the_families_do_not(client, login, lapsed):
    activity, _, family, _ = lapsed
    login(family.user)
    page = unescape(client.get(f"/activities/{activity.public_id}").text)
    assert activity.title in page and WAITING not in page
