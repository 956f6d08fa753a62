"""A family answers a group meeting's reminder on a phone: from the notice's page and its
week; the leader's attendance sheet shows "said they can't come" (issue 12)."""

from __future__ import annotations

from datetime import date, timedelta
from html import unescape

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ActivitySlot, MeetingNotice, Notification
from tests import factories
from tests.groups_scenes import join, make_activity


@pytest.fixture
def meeting(app):
    s = db.session
    leader = factories.make_user(s, name="Leader", locale="en")
    today = date.today()
    # Meets every day, so today has a meeting whatever the day the tests run.
    activity = make_activity(s, leader_id=leader.id, starts_on=today - timedelta(days=3),
                             slots=[ActivitySlot(weekday=d, start_minute=23 * 60,
                                                 end_minute=23 * 60 + 59) for d in range(7)])
    family = factories.make_household(s, name="Famiglia Hassan",
                                      user=factories.make_user(s, locale="en"))
    join(s, activity, family)
    notice = MeetingNotice(activity=activity, household=family, on_date=today,
                           start_minute=23 * 60, end_minute=23 * 60 + 59)
    s.add(notice)
    s.commit()
    return leader, activity, family, notice


def test_the_family_says_it_cannot_come_and_the_leader_sees_it(client, login, meeting):
    leader, activity, family, notice = meeting
    login(family.user)
    week = client.get("/week")
    assert f"/activities/meetings/{notice.public_id}" in week.text
    page = client.get(f"/activities/meetings/{notice.public_id}")
    assert page.status_code == 200 and "Doposcuola del martedì" in page.text
    done = client.post(f"/activities/meetings/{notice.public_id}", data={"answer": "cannot"})
    assert done.status_code == 302
    assert "You said: I can't come" in unescape(client.get("/week").text)
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == leader.id)).one()
    assert told.kind == "meeting_cannot_come"
    client.post("/logout")
    login(leader)
    sheet = client.get(f"/groups/{activity.public_id}/meetings/{date.today().isoformat()}")
    assert "Famiglia Hassan (said they can't come)" in unescape(sheet.text)


def test_a_bad_answer_is_refused_in_words_and_changes_nothing(client, login, meeting):
    _, _, family, notice = meeting
    login(family.user)
    refused = client.post(f"/activities/meetings/{notice.public_id}", data={"answer": "maybe"})
    assert refused.status_code == 400 and "Say whether you are coming." in refused.text
    db.session.refresh(notice)
    assert notice.answer is None


def test_someone_elses_reminder_is_not_found(client, login, meeting):
    _, _, _, notice = meeting
    stranger = factories.make_household(db.session)
    db.session.commit()
    login(stranger.user)
    assert client.get(f"/activities/meetings/{notice.public_id}").status_code == 404
