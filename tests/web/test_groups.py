"""The groups pages (issue 12, item 4): the leader ticks who came, on a phone, no script."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ActivityMeeting, ActivitySlot, Attendance, AuditEvent
from tests import factories
from tests.groups_scenes import join, make_activity


@pytest.fixture
def group(app):
    s = db.session
    leader = factories.make_user(s, name="Leader", locale="en")
    today = date.today()
    # Meets every day of the week, so today is always a meeting day.
    activity = make_activity(s, leader_id=leader.id, slots=[
        ActivitySlot(weekday=d, start_minute=17 * 60, end_minute=19 * 60) for d in range(7)],
        starts_on=today - timedelta(days=3), confidential=True, kind="self_help",
        admission="by_request", title="Genitori separati")
    families = [factories.make_household(s, name=f"Famiglia {n}") for n in "ABC"]
    for household in families:
        join(s, activity, household)
    s.commit()
    return leader, activity, families


def test_the_leader_records_who_came_with_one_submit(client, login, group):
    leader, activity, (a, b, _) = group
    login(leader)
    page = client.get(f"/groups/{activity.public_id}/meetings")
    assert page.status_code == 200
    day = date.today() - timedelta(days=1)
    assert f"/groups/{activity.public_id}/meetings/{day.isoformat()}" in page.text
    assert "Confidential group" in page.text
    sheet = client.get(f"/groups/{activity.public_id}/meetings/{day.isoformat()}")
    assert sheet.status_code == 200
    assert sheet.text.count('class="tap-input"') == 3
    assert "Seen only by the group" in sheet.text
    answer = client.post(f"/groups/{activity.public_id}/meetings/{day.isoformat()}",
                         data={"present": [a.public_id, b.public_id], "start": "17:00",
                               "notes": "Primo incontro"})
    assert answer.status_code == 302
    assert db.session.scalar(select(ActivityMeeting.on_date)) == day
    assert len(db.session.scalars(select(Attendance).where(Attendance.present)).all()) == 2
    again = client.get(f"/groups/{activity.public_id}/meetings/{day.isoformat()}")
    assert len(re.findall(r'class="tap-input"[^>]*checked|checked[^>]*class="tap-input"',
                          again.text)) == 2
    assert "Primo incontro" in again.text
    # The confidential group's notes were read: on the record.
    reads = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sensitive.viewed")).all()
    assert [(r.target_id, r.details["fields"]) for r in reads] == [(activity.public_id,
                                                                     ["notes"])]


def test_a_stale_or_hostile_sheet_is_refused(client, login, group):
    leader, activity, (a, _, _) = group
    login(leader)
    url = f"/groups/{activity.public_id}/meetings/{date.today().isoformat()}"
    assert client.post(url, data={"present": [a.public_id], "start": "09:00"}).status_code == 400
    assert client.post(url, data={"present": ["nope"], "start": "17:00"}).status_code == 400
    assert client.post(url, data={"present": [a.public_id]}).status_code == 400
    assert db.session.scalar(select(ActivityMeeting.id)) is None
    future = (date.today() + timedelta(days=2)).isoformat()
    assert client.get(f"/groups/{activity.public_id}/meetings/{future}").status_code == 404
    assert client.get(f"/groups/{activity.public_id}/meetings/2026-13-40").status_code == 404


def test_others_get_404_and_the_list_is_for_staff(client, login, group):
    _, activity, (a, _, _) = group
    login(a.user)
    assert client.get(f"/groups/{activity.public_id}/meetings").status_code == 404
    assert client.get("/groups").status_code == 403
    login(factories.make_user(db.session, role="facilitator", locale="en"))
    db.session.commit()
    listing = client.get("/groups")
    assert listing.status_code == 200 and "Genitori separati" in listing.text
    assert client.get(f"/groups/{activity.public_id}/meetings").status_code == 200


def test_the_impact_page_counts_the_groups(client, login, group):
    leader, activity, families = group
    login(leader)
    day = (date.today() - timedelta(days=1)).isoformat()
    client.post(f"/groups/{activity.public_id}/meetings/{day}",
                data={"present": [h.public_id for h in families], "start": "17:00"})
    login(factories.make_user(db.session, role="facilitator", locale="en"))
    db.session.commit()
    page = client.get("/facilitator/impact")
    assert page.status_code == 200
    section = page.text[page.text.index('id="groups"'):]
    assert "Families who took part" in section and "Meetings held" in section
    # Three families: fewer than 5, shown as "<5"; the self-help group has no row of its own.
    assert "&lt;5" in section
    assert "Group activities by kind" not in section


def test_the_family_and_the_facilitator_see_a_group_that_could_help(client, login, app):
    s = db.session
    place = factories.make_neighbourhood(s, name="Fontivegge")
    parenting = factories.make_category(s, slug="parenting-support", kind="relational")
    family = factories.make_household(s, neighbourhood=place, languages=["ar"],
                                      user=factories.make_user(s, locale="en"))
    need = factories.make_need(s, household=family, category=parenting, languages=["ar"])
    make_activity(s, kind="parents_circle", title="Cerchio dei genitori", neighbourhood=place,
                  languages=["ar"], capacity=6,
                  slots=[ActivitySlot(weekday=1, start_minute=17 * 60, end_minute=19 * 60)])
    s.commit()
    login(family.user)
    page = client.get(f"/needs/{need.public_id}")
    assert page.status_code == 200
    assert "A group could help too" in page.text
    text = re.sub(r"\s+", " ", page.text)
    assert ("Cerchio dei genitori</strong></a>: Parents&#39; circle in Fontivegge, every Tuesday, "
            "17:00–19:00, in Arabic, 6 places left") in text
    login(factories.make_user(s, role="facilitator", locale="en"))
    s.commit()
    staff = client.get(f"/facilitator/needs/{need.public_id}")
    assert "Groups that could help" in staff.text and "Cerchio dei genitori" in staff.text
    unmatched = client.get("/facilitator/unmatched")
    assert 'data-reason="group"' in unmatched.text and "Cerchio dei genitori" in unmatched.text
