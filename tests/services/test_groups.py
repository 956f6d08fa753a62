"""Group activities: posting, joining, the waiting list, requests, leaving, reminders and who
sees the members (issue 12)."""

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
    OutboxMessage,
    Vetting,
)
from mutuo_aiuto.services import activities, groups, policy
from mutuo_aiuto.services.activities import ActivityInput
from mutuo_aiuto.services.errors import DomainError, DomainErrors, NotAllowed, NotFound
from mutuo_aiuto.services.gdpr import erasure, export
from mutuo_aiuto.services.slots import WeeklyRow
from tests import factories

TODAY = date(2026, 12, 1)  # a Tuesday
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def association(session, *, status="approved", coordinator=None) -> Association:
    place = Association(name=f"Associazione {factories._n()}", status=status)
    session.add(place)
    session.flush()
    if coordinator is not None:
        session.add(AssociationCoordinator(association=place, user=coordinator))
        session.flush()
    return place


def data(neighbourhood, **overrides) -> ActivityInput:
    values = dict(kind="homework_club", title="Doposcuola del martedì",
                  neighbourhood=neighbourhood.slug, place_kind="hub_room",
                  place_name="Sala 2 del Centro per le Famiglie", capacity=1,
                  weekly=[WeeklyRow([2], "16:00", "18:00")], languages=["it", "ar"])
    return ActivityInput(**(values | overrides))


@pytest.fixture
def scene(app):
    session = db.session
    place = factories.make_neighbourhood(session)
    coordinator = factories.make_user(session)
    assoc = association(session, coordinator=coordinator)
    activity = activities.post_activity(session, coordinator, assoc, data(place), TODAY)
    families = [factories.make_household(session, neighbourhood=place) for _ in range(3)]
    session.commit()
    return {"place": place, "coordinator": coordinator, "association": assoc,
            "activity": activity, "families": families}


def join(family: Household, activity: Activity, note: str | None = None) -> ActivityMembership:
    membership = groups.join(db.session, family.user, family, activity, now=NOW, note=note)
    db.session.commit()
    return membership


def test_a_coordinator_posts_and_the_poster_leads_by_default(scene):
    activity = scene["activity"]
    assert activity.leader_id == scene["coordinator"].id
    assert [(s.weekday, s.start_minute, s.end_minute) for s in activity.slots] == [(2, 960, 1080)]
    assert activity.admission == "open" and not activity.confidential


def test_every_problem_is_refused_at_once(scene):
    bad = data(scene["place"], kind="party", title=" ", place_name="", capacity=0,
               weekly=[], place_kind="home")
    with pytest.raises(DomainErrors) as refused:
        activities.post_activity(db.session, scene["coordinator"], scene["association"], bad,
                                 TODAY)
    fields = {error.field for error in refused.value.errors}
    assert {"kind", "title", "place_name", "capacity", "place_kind", "weekly-0-days"} <= fields


def test_someone_who_is_not_a_coordinator_cannot_post(scene):
    stranger = factories.make_user(db.session)
    with pytest.raises(NotAllowed):
        activities.post_activity(db.session, stranger, scene["association"],
                                 data(scene["place"]), TODAY)


def test_a_suspended_associations_coordinator_cannot_post(scene):
    scene["association"].status = "suspended"
    assert not policy.can_manage_association(scene["coordinator"], scene["association"])
    with pytest.raises(NotAllowed):
        activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                 data(scene["place"]), TODAY)


def test_children_welcome_force_a_vetted_leader(scene):
    with pytest.raises(DomainError) as refused:
        activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                 data(scene["place"], min_child_age=6, max_child_age=10), TODAY)
    assert refused.value.field == "leader"
    household = factories.make_household(db.session, user=scene["coordinator"])
    db.session.add(Vetting(household=household, checked_on=TODAY,
                           expires_on=date(2027, 12, 1)))
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], min_child_age=6,
                                             max_child_age=10), TODAY)
    assert activity.requires_vetted_leader


def test_a_self_help_group_is_always_by_request_and_confidential(scene):
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], kind="self_help",
                                             admission="open"), TODAY)
    assert activity.admission == "by_request" and activity.confidential


def test_join_then_full_then_waiting(scene):
    first, second, _ = scene["families"]
    assert join(first, scene["activity"]).status == "joined"
    assert join(second, scene["activity"]).status == "waiting"
    assert activities.places_left(db.session, scene["activity"]) == 0


def test_leaving_moves_the_first_waiting_family_up_and_tells_it(scene):
    first, second, third = scene["families"]
    activity = scene["activity"]
    join(first, activity)
    join(second, activity)
    join(third, activity)
    groups.leave(db.session, first.user, first, activity, now=NOW)
    db.session.commit()
    statuses = {m.household_id: m.status for m in db.session.scalars(select(ActivityMembership))}
    assert statuses == {first.id: "left", second.id: "joined", third.id: "waiting"}
    told = db.session.scalars(select(Notification).where(
        Notification.user_id == second.user_id)).all()
    assert [n.kind for n in told] == ["activity_moved_up"]
    assert db.session.scalars(select(OutboxMessage).where(
        OutboxMessage.kind == "activity_moved_up")).first() is not None


def test_a_family_may_join_again_after_leaving(scene):
    first = scene["families"][0]
    join(first, scene["activity"])
    groups.leave(db.session, first.user, first, scene["activity"], now=NOW)
    assert join(first, scene["activity"]).status == "joined"


def test_by_request_flow_accept_and_decline(scene):
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], kind="self_help", capacity=1),
                                        TODAY)
    first, second, third = scene["families"]
    asked = join(first, activity, note="Siamo separati da poco")
    assert asked.status == "requested" and asked.note == "Siamo separati da poco"
    leader_told = db.session.scalars(select(Notification).where(
        Notification.user_id == scene["coordinator"].id)).all()
    assert [n.kind for n in leader_told] == ["activity_request"]
    groups.accept(db.session, scene["coordinator"], asked, now=NOW)
    assert asked.status == "joined"
    waiting = join(second, activity)
    groups.accept(db.session, scene["coordinator"], waiting, now=NOW)
    assert waiting.status == "waiting"
    refused = join(third, activity, note="Un testo")
    groups.decline(db.session, scene["coordinator"], refused, now=NOW)
    assert refused.status == "declined" and refused.note is None


def test_the_note_is_stored_encrypted(scene):
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], kind="self_help"), TODAY)
    join(scene["families"][0], activity, note="Nostro figlio ha una disabilità")
    raw = db.session.execute(db.text("SELECT note FROM activity_memberships")).scalar_one()
    assert b"disabilit" not in (raw if isinstance(raw, bytes) else str(raw).encode())


def test_cancelling_tells_every_family(scene):
    first, second, _ = scene["families"]
    join(first, scene["activity"])
    join(second, scene["activity"])
    groups.cancel_activity(db.session, scene["coordinator"], scene["activity"], now=NOW)
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id.in_([first.user_id, second.user_id]))).all()
    assert sorted(kinds) == ["activity_cancelled", "activity_cancelled"]
    with pytest.raises(NotAllowed):
        groups.join(db.session, scene["families"][2].user, scene["families"][2],
                    scene["activity"], now=NOW)


# ---- who sees the members ----------------------------------------------------------


def test_a_coordinator_of_another_association_sees_no_sign_ups(scene):
    other = factories.make_user(db.session)
    association(db.session, coordinator=other)
    assert policy.can_see_members(scene["coordinator"], scene["activity"])
    assert not policy.can_see_members(other, scene["activity"])
    assert not policy.can_manage_activity(other, scene["activity"])


def test_only_the_leader_and_facilitators_see_a_self_help_groups_members(scene):
    leader = factories.make_user(db.session)
    db.session.add(AssociationCoordinator(association=scene["association"], user=leader))
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], kind="self_help",
                                             leader=leader.public_id), TODAY)
    facilitator = factories.make_user(db.session, role="facilitator")
    member = scene["families"][0]
    join(member, activity)
    # The poster is a coordinator of the same association, but not the group's leader.
    assert not policy.can_see_members(scene["coordinator"], activity)
    assert policy.can_see_members(leader, activity)
    assert policy.can_see_members(facilitator, activity)
    assert not policy.can_see_members(member.user, activity)
    with pytest.raises(NotFound):
        groups.get_membership(db.session, scene["coordinator"],
                              groups.members(db.session, activity)[0].public_id)


def test_a_member_sees_no_members_of_an_open_group(scene):
    first = scene["families"][0]
    join(first, scene["activity"])
    assert not policy.can_see_members(first.user, scene["activity"])


def test_erasing_a_household_removes_its_memberships(scene):
    first = scene["families"][0]
    join(first, scene["activity"])
    db.session.execute(db.delete(Household).where(Household.id == first.id))
    db.session.commit()
    assert db.session.scalars(select(ActivityMembership)).all() == []


def test_the_export_holds_the_familys_groups_with_its_own_note(scene):
    activity = activities.post_activity(db.session, scene["coordinator"], scene["association"],
                                        data(scene["place"], kind="self_help"), TODAY)
    first = scene["families"][0]
    join(first, scene["activity"])
    join(first, activity, note="La nostra nota")
    exported = export.export_household(db.session, first.user, now=NOW)["group_memberships"]
    assert sorted((g["activity_title"], g["status"], g["note"]) for g in exported) == [
        ("Doposcuola del martedì", "joined", None),
        ("Doposcuola del martedì", "requested", "La nostra nota")]
    other = export.export_household(db.session, scene["families"][1].user, now=NOW)
    assert other["group_memberships"] == []


def test_erasure_takes_the_memberships_and_frees_the_place(scene):
    first, second, _ = scene["families"]
    join(first, scene["activity"])
    join(second, scene["activity"])
    erasure.anonymise_household(db.session, first, now=NOW)
    db.session.commit()
    rows = db.session.scalars(select(ActivityMembership)).all()
    assert [(m.household_id, m.status) for m in rows] == [(second.id, "joined")]


def test_a_suspended_associations_activities_are_not_listed(scene):
    listed = activities.list_open(db.session, TODAY)
    assert listed == [scene["activity"]]
    scene["association"].status = "suspended"
    db.session.flush()
    assert activities.list_open(db.session, TODAY) == []
    assert activities.near(db.session, scene["families"][0], TODAY) == []


def test_posting_editing_answering_and_cancelling_are_audited(scene):
    """The same audit as everything else (issue 12, item 6): who did what to which group."""
    from mutuo_aiuto.models import AuditEvent
    from mutuo_aiuto.services import audit

    coordinator = scene["coordinator"]
    activity = activities.post_activity(db.session, coordinator, scene["association"],
                                        data(scene["place"], kind="self_help"), TODAY)
    activities.update_activity(db.session, coordinator, activity,
                               data(scene["place"], kind="self_help", capacity=4), TODAY)
    first, second, _ = scene["families"]
    groups.accept(db.session, coordinator, join(first, activity), now=NOW)
    groups.decline(db.session, coordinator, join(second, activity), now=NOW)
    groups.cancel_activity(db.session, coordinator, activity, now=NOW)
    events = db.session.scalars(select(AuditEvent).where(
        AuditEvent.actor_id == coordinator.id,
        AuditEvent.action.like("activity.%")).order_by(AuditEvent.id)).all()
    assert [(e.action, e.target_type) for e in events][-5:] == [
        (audit.ACTIVITY_POSTED, "activity"), (audit.ACTIVITY_EDITED, "activity"),
        (audit.GROUP_REQUEST_ACCEPTED, "activitymembership"),
        (audit.GROUP_REQUEST_DECLINED, "activitymembership"),
        (audit.ACTIVITY_CANCELLED, "activity")]
    # The family's own transparency page lists what was decided about it, and only that.
    assert {e.household_id for e in events[-3:-1]} == {first.id, second.id}
