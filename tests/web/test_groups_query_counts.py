"""The groups' pages and the group suggestions ask the database as often with many groups,
members, meetings and unmatched requests as with few (the test_query_counts pattern)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Activity, ActivityMeeting, ActivitySlot, Attendance, NeedSlot
from tests import factories
from tests.groups_scenes import join, make_activity
from tests.web.test_query_counts import LARGE, SMALL, Hub, _check, _load


class GroupHub(Hub):
    """The Hub of test_query_counts, with a parents' circle, its members and a recorded
    meeting, and an unmatched request for parenting support, per family added."""

    def __init__(self, session) -> None:
        super().__init__(session)
        self.parenting = factories.make_category(session, slug="parenting-support",
                                                 kind="relational")
        self.own_need = factories.make_need(session, household=self.family,
                                            category=self.parenting, languages=["it"])
        self.activity: Activity | None = None

    def reattach(self) -> None:
        super().reattach()
        self.parenting = self.session.merge(self.parenting)
        self.own_need = self.session.merge(self.own_need)

    def add_family(self) -> None:
        super().add_family()
        s = self.session
        yesterday = date.today() - timedelta(days=1)
        activity = make_activity(s, kind="parents_circle", neighbourhood=self.place,
                                 leader_id=self.facilitator.id, capacity=50, slots=[
                                     ActivitySlot(weekday=d, start_minute=17 * 60,
                                                  end_minute=19 * 60) for d in range(7)])
        meeting = ActivityMeeting(activity=activity, on_date=yesterday, start_minute=17 * 60,
                                  end_minute=19 * 60, notes="Incontro")
        s.add(meeting)
        for _ in range(2):
            member = factories.make_household(s, neighbourhood=self.place)
            join(s, activity, member)
            s.add(Attendance(meeting=meeting, household=member, present=True))
        factories.make_need(s, category=self.parenting, languages=["it"],
                            household=factories.make_household(s, neighbourhood=self.place),
                            slots=[NeedSlot(weekday=1, start_minute=17 * 60,
                                            end_minute=19 * 60)])
        self.activity = self.activity or activity


@pytest.fixture
def hub(app, session) -> GroupHub:
    hub = GroupHub(session)
    session.commit()
    return hub


def _paths(hub: GroupHub) -> list[str]:
    assert hub.activity is not None
    day = (date.today() - timedelta(days=1)).isoformat()
    return ["/groups", "/facilitator/unmatched", "/facilitator/impact",
            f"/facilitator/needs/{hub.own_need.public_id}",
            f"/groups/{hub.activity.public_id}/meetings",
            f"/groups/{hub.activity.public_id}/meetings/{day}"]


@pytest.mark.parametrize("page", range(6))
def test_the_groups_pages_ask_as_often_whatever_the_data(client, login, hub, page):
    login(hub.facilitator)
    hub.grow_to(SMALL)
    path = _paths(hub)[page]
    _load(client, path)
    small = _load(client, path)
    hub.reattach()
    hub.grow_to(LARGE)
    _check((len(small), len(_load(client, path))), path)


def test_the_familys_request_page_with_groups_asks_as_often(client, login, hub):
    login(hub.family.user)
    hub.grow_to(SMALL)
    path = f"/needs/{hub.own_need.public_id}"
    _load(client, path)
    small = _load(client, path)
    page = client.get(path)
    assert "A group could help too" in page.text or "gruppo" in page.text
    hub.reattach()
    hub.grow_to(LARGE)
    _check((len(small), len(_load(client, path))), path)
    db.session.rollback()
