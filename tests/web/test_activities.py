"""The activities pages: post, find, join, the waiting list, requests, who sees the members."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    Activity,
    ActivityMembership,
    Association,
    AssociationCoordinator,
    Household,
    Notification,
    User,
)
from mutuo_aiuto.services import activities, groups, hubtime
from mutuo_aiuto.services.activities import ActivityInput
from mutuo_aiuto.services.slots import WeeklyRow
from tests import factories
from tests.web.test_query_counts import counted

TODAY = date(2026, 12, 1)


@pytest.fixture(autouse=True)
def frozen(app, monkeypatch):
    """The Hub's clock stopped on Tuesday 1 December 2026, 10:00 in Perugia."""
    clock = hubtime.HubClock(app.extensions[hubtime.EXTENSION].tz,
                             lambda: datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    monkeypatch.setitem(app.extensions, hubtime.EXTENSION, clock)
    previous = hubtime.clock()
    hubtime.install(clock)
    yield
    hubtime.install(previous)


def make_association(coordinator, status="approved") -> Association:
    association = Association(name=f"Associazione {factories._n()}", status=status)
    db.session.add(association)
    db.session.flush()
    db.session.add(AssociationCoordinator(association=association, user=coordinator))
    db.session.commit()
    return association


def post(coordinator, association, place, **overrides) -> Activity:
    values = dict(kind="homework_club", title="Doposcuola", neighbourhood=place.slug,
                  place_kind="hub_room", place_name="Sala 2", capacity=1,
                  weekly=[WeeklyRow([2], "16:00", "18:00")], languages=["it"])
    activity = activities.post_activity(db.session, coordinator, association,
                                        ActivityInput(**(values | overrides)), TODAY)
    db.session.commit()
    return activity


FORM = {"posted_by": "", "kind": "homework_club", "title": "Doposcuola del mercoledì",
        "weekly-0-days": "2", "weekly-0-start": "16:00", "weekly-0-end": "18:00",
        "neighbourhood": "", "place_kind": "hub_room", "place_name": "Sala 2",
        "capacity": "1", "languages": "it", "admission": "open", "leader": ""}


def test_a_coordinator_posts_an_activity(client, login, make_user, make_neighbourhood):
    coordinator = make_user()
    association = make_association(coordinator)
    place = make_neighbourhood()
    login(coordinator)
    assert client.get("/activities/new").status_code == 200
    answer = client.post("/activities/new", data=FORM | {
        "posted_by": association.public_id, "neighbourhood": place.slug,
        "leader": coordinator.public_id})
    assert answer.status_code == 302
    activity = db.session.scalars(select(Activity)).one()
    assert activity.association_id == association.id and activity.capacity == 1
    assert client.get(answer.location).status_code == 200


def test_every_error_is_shown_at_once_and_nothing_typed_is_lost(client, login, make_user):
    coordinator = make_user()
    association = make_association(coordinator)
    login(coordinator)
    answer = client.post("/activities/new", data=FORM | {
        "posted_by": association.public_id, "title": "", "capacity": "0",
        "place_name": "", "weekly-0-days": "", "description": "Merenda inclusa"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert page.count('class="error"') >= 4
    assert "Merenda inclusa" in page


def test_a_member_who_coordinates_nothing_cannot_post(client, login, make_household):
    family = make_household()
    login(family.user)
    assert client.get("/activities/new").status_code == 403


def test_a_family_finds_signs_up_and_the_second_waits(client, login, make_user,
                                                      make_household, make_neighbourhood):
    coordinator = make_user()
    place = make_neighbourhood()
    activity = post(coordinator, make_association(coordinator), place)
    first, second = make_household(neighbourhood=place), make_household(neighbourhood=place)
    login(first.user)
    page = client.get("/family").get_data(as_text=True)
    assert "Doposcuola" in page
    assert "Doposcuola" in client.get("/activities").get_data(as_text=True)
    assert client.post(f"/activities/{activity.public_id}/join").status_code == 302
    login(second.user)
    client.post(f"/activities/{activity.public_id}/join")
    statuses = sorted(m.status for m in db.session.scalars(select(ActivityMembership)))
    assert statuses == ["joined", "waiting"]
    login(first.user)
    client.post(f"/activities/{activity.public_id}/leave")
    db.session.expire_all()
    waiting = db.session.scalars(select(ActivityMembership).where(
        ActivityMembership.household_id == second.id)).one()
    assert waiting.status == "joined"


def test_the_week_and_the_calendar_show_the_groups_meetings(client, login, make_user,
                                                           make_household,
                                                           make_neighbourhood):
    coordinator = make_user()
    place = make_neighbourhood()
    activity = post(coordinator, make_association(coordinator), place)
    family = make_household(neighbourhood=place)
    groups.join(db.session, family.user, family, activity,
                now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    db.session.commit()
    login(family.user)
    week = client.get("/week?start=2026-11-30").get_data(as_text=True)
    assert "Doposcuola" in week
    from mutuo_aiuto.services.calendar_feed import build_feed
    feed = build_feed(db.session, family.user).decode()
    assert "Doposcuola" in feed and "RRULE:FREQ=WEEKLY" in feed and "BYDAY=WE" in feed


def test_a_confidential_groups_requests_only_for_the_leader_and_facilitators(
        client, login, make_user, make_household, make_neighbourhood):
    coordinator, other_coordinator = make_user(), make_user()
    place = make_neighbourhood()
    association = make_association(coordinator)
    make_association(other_coordinator)
    activity = post(coordinator, association, place, kind="self_help", title="Genitori separati")
    family = make_household(neighbourhood=place)
    login(family.user)
    client.post(f"/activities/{activity.public_id}/join", data={"note": "Una nota riservata"})
    membership = db.session.scalars(select(ActivityMembership)).one()
    assert membership.status == "requested"
    page = client.get(f"/activities/{activity.public_id}").get_data(as_text=True)
    assert "Una nota riservata" not in page  # the family's own page: no members listed
    login(other_coordinator)
    page = client.get(f"/activities/{activity.public_id}").get_data(as_text=True)
    assert family.name not in page and "Una nota riservata" not in page
    assert client.post(f"/activities/requests/{membership.public_id}/accept").status_code == 404
    facilitator = make_user(role="facilitator")
    login(facilitator)
    page = client.get(f"/activities/{activity.public_id}").get_data(as_text=True)
    assert family.name in page and "Una nota riservata" in page
    assert client.post(f"/activities/requests/{membership.public_id}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(ActivityMembership, membership.id).status == "joined"


def test_the_pages_ask_as_often_with_many_groups_and_families(client, login, make_user,
                                                              make_household,
                                                              make_neighbourhood):
    """/activities, an activity's page (with its members), the family page and the week:
    the same number of queries with two groups of two families as with six of six."""
    coordinator = make_user()
    association = make_association(coordinator)
    place = make_neighbourhood()
    family = make_household(neighbourhood=place)
    first = post(coordinator, association, place, capacity=50)
    ids = {"coordinator": coordinator.id, "family": family.id, "association": association.id,
           "place": place.id}
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def grow(groups_wanted: int, members: int) -> None:
        session = db.session
        author = session.get(User, ids["coordinator"])
        home = session.get(Household, ids["family"])
        where = session.get(type(place), ids["place"])
        have = session.scalars(select(Activity)).all()
        for _ in range(groups_wanted - len(have)):
            post(author, session.get(Association, ids["association"]), where, capacity=50,
                 weekly=[WeeklyRow([1, 3], "10:00", "11:00")])
        for activity in session.scalars(select(Activity)).all():
            while len(groups.members(session, activity)) < members:
                other = factories.make_household(session, neighbourhood=where)
                groups.join(session, other.user, other, activity, now=now)
            if groups.membership_of(session, activity, home) is None:
                groups.join(session, home.user, home, activity, now=now)
        session.commit()

    def load(user_id: int, path: str) -> int:
        login(db.session.get(User, user_id))
        client.get(path)
        db.session.expunge_all()
        with counted() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    family_user = family.user_id
    pages = [(ids["coordinator"], "/activities"),
             (ids["coordinator"], f"/activities/{first.public_id}"),
             (family_user, "/family"), (family_user, "/week?start=2026-11-30")]
    grow(2, 2)
    small = [load(user, path) for user, path in pages]
    grow(6, 6)
    large = [load(user, path) for user, path in pages]
    assert small == large


def test_the_leader_edits_and_cancels_and_the_family_is_told(client, login, make_user,
                                                            make_household,
                                                            make_neighbourhood):
    coordinator = make_user()
    place = make_neighbourhood()
    activity = post(coordinator, make_association(coordinator), place, capacity=2)
    family = make_household(neighbourhood=place)
    groups.join(db.session, family.user, family, activity,
                now=datetime(2026, 12, 1, 9, 0, tzinfo=UTC))
    db.session.commit()
    login(coordinator)
    page = client.get(f"/activities/{activity.public_id}/edit").get_data(as_text=True)
    assert 'value="Doposcuola"' in page
    answer = client.post(f"/activities/{activity.public_id}/edit", data=FORM | {
        "kind": "homework_club", "title": "Doposcuola nuovo", "neighbourhood": place.slug,
        "capacity": "3", "leader": coordinator.public_id, "weekly-0-days": "4"})
    assert answer.status_code == 302
    db.session.expire_all()
    changed = db.session.get(Activity, activity.id)
    assert (changed.title, changed.capacity, changed.slots[0].weekday) == (
        "Doposcuola nuovo", 3, 4)
    # Fewer places than families in it: refused, on its field.
    answer = client.post(f"/activities/{activity.public_id}/edit", data=FORM | {
        "title": "Doposcuola nuovo", "neighbourhood": place.slug, "capacity": "0",
        "leader": coordinator.public_id})
    assert answer.status_code == 400
    assert client.post(f"/activities/{activity.public_id}/cancel").status_code == 302
    db.session.expire_all()
    assert db.session.get(Activity, activity.id).status == "cancelled"
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == family.user_id)).all()
    assert kinds == ["activity_cancelled"]


def test_children_welcome_need_a_checked_leader_said_on_the_form(client, login, make_user):
    coordinator = make_user()
    association = make_association(coordinator)
    place = factories.make_neighbourhood(db.session)
    db.session.commit()
    login(coordinator)
    answer = client.post("/activities/new", data=FORM | {
        "posted_by": association.public_id, "neighbourhood": place.slug,
        "leader": coordinator.public_id, "min_child_age": "6", "max_child_age": "10"})
    assert answer.status_code == 400
    assert 'id="leader-error"' in answer.get_data(as_text=True)
    assert db.session.scalars(select(Activity)).first() is None


def test_the_leader_finds_the_meetings_from_the_activity_page(client, login, make_user,
                                                             make_household,
                                                             make_neighbourhood):
    """The leader's way in to record who came; a family of the group has none."""
    coordinator = make_user()
    place = make_neighbourhood()
    activity = post(coordinator, make_association(coordinator), place)
    meetings = f"/groups/{activity.public_id}/meetings"
    login(coordinator)
    assert f'href="{meetings}"' in client.get(f"/activities/{activity.public_id}").text
    family = make_household(neighbourhood=place)
    login(family.user)
    assert f'href="{meetings}"' not in client.get(f"/activities/{activity.public_id}").text
