"""Attendance (issue 12, item 4): meetings from the slots, the sheet, who may record."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select, text

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ActivityMeeting, ActivitySlot, Attendance
from mutuo_aiuto.services import attendance, policy
from mutuo_aiuto.services.errors import NotAllowed, NotFound
from mutuo_aiuto.services.hubtime import HubClock
from tests import factories
from tests.groups_scenes import join, make_activity

# Thursday 10 December 2026, 12:00 in Perugia.
CLOCK = HubClock.named("Europe/Rome", lambda: datetime(2026, 12, 10, 11, 0, tzinfo=UTC))
TUESDAY = date(2026, 12, 8)


@pytest.fixture
def scene(app):
    s = db.session
    leader = factories.make_user(s, name="Leader")
    activity = make_activity(s, leader_id=leader.id, starts_on=date(2026, 11, 1))
    families = [factories.make_household(s, name=f"Famiglia {n}") for n in "ABC"]
    for household in families:
        join(s, activity, household)
    join(s, activity, factories.make_household(s, name="Famiglia Attesa"), status="waiting")
    s.commit()
    return leader, activity, families


def test_meetings_are_the_slots_dates_up_to_today_newest_first(scene):
    leader, activity, _ = scene
    days = attendance.meetings(db.session, leader, activity, CLOCK)
    # Tuesdays from 3 November (the first after 1 November) to 8 December.
    assert [d.on_date for d in days] == [date(2026, 12, 8), date(2026, 12, 1),
                                        date(2026, 11, 24), date(2026, 11, 17),
                                        date(2026, 11, 10), date(2026, 11, 3)]
    assert (days[0].start, days[0].end, days[0].recorded) == ("17:00", "19:00", False)


def test_a_dated_slot_counts_once_and_a_future_day_is_no_meeting(scene):
    leader, activity, _ = scene
    activity.slots.append(ActivitySlot(on_date=date(2026, 12, 5), start_minute=600,
                                       end_minute=720))
    db.session.commit()
    assert date(2026, 12, 5) in [d.on_date for d in
                                 attendance.meetings(db.session, leader, activity, CLOCK)]
    with pytest.raises(NotFound):
        attendance.sheet(db.session, leader, activity, date(2026, 12, 15), CLOCK)
    with pytest.raises(NotFound):  # a Wednesday: the group does not meet
        attendance.sheet(db.session, leader, activity, date(2026, 12, 9), CLOCK)


def test_the_leader_records_two_of_three_and_corrects_it(scene):
    leader, activity, (a, b, c) = scene
    sheet = attendance.sheet(db.session, leader, activity, TUESDAY, CLOCK)
    # The families in the group, not the one waiting.
    assert [r.name for r in sheet.rows] == ["Famiglia A", "Famiglia B", "Famiglia C"]
    assert db.session.scalar(select(ActivityMeeting.id)) is None
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id, b.public_id},
                      "  Compiti di matematica.  ", CLOCK)
    db.session.commit()
    meeting = db.session.scalars(select(ActivityMeeting)).one()
    assert (meeting.on_date, meeting.start_minute, meeting.notes) == (
        TUESDAY, 17 * 60, "Compiti di matematica.")
    present = {h for h, p in db.session.execute(
        select(Attendance.household_id, Attendance.present)) if p}
    assert present == {a.id, b.id}
    days = attendance.meetings(db.session, leader, activity, CLOCK)
    assert (days[0].recorded, days[0].present) == (True, 2)
    attendance.record(db.session, leader, activity, TUESDAY, {c.public_id}, "", CLOCK)
    db.session.commit()
    assert db.session.scalars(select(ActivityMeeting)).one().notes is None
    assert attendance.meetings(db.session, leader, activity, CLOCK)[0].present == 1


def test_notes_are_stored_encrypted(scene):
    leader, activity, (a, _, _) = scene
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id},
                      "Parlato della separazione", CLOCK)
    db.session.commit()
    stored = db.session.execute(text("SELECT notes FROM activity_meetings")).scalar_one()
    assert "separazione" not in str(stored)


def test_a_family_outside_the_group_cannot_be_marked(scene):
    leader, activity, _ = scene
    stranger = factories.make_household(db.session)
    with pytest.raises(NotFound):
        attendance.record(db.session, leader, activity, TUESDAY, {stranger.public_id}, "",
                          CLOCK)


def test_only_the_leader_and_facilitators_record(scene):
    leader, activity, (a, _, _) = scene
    facilitator = factories.make_user(db.session, role="facilitator")
    member = a.user
    coordinator = factories.make_user(db.session)
    assert policy.can_record_attendance(leader, activity)
    assert policy.can_record_attendance(facilitator, activity)
    assert not policy.can_record_attendance(member, activity)
    assert not policy.can_record_attendance(coordinator, activity)
    assert not policy.can_record_attendance(None, activity)
    with pytest.raises(NotAllowed):
        attendance.sheet(db.session, member, activity, TUESDAY, CLOCK)
    with pytest.raises(NotAllowed):
        attendance.record(db.session, coordinator, activity, TUESDAY, set(), "", CLOCK)


def test_the_groups_list_and_next_meeting(scene):
    leader, activity, _ = scene
    facilitator = factories.make_user(db.session, role="facilitator")
    assert attendance.activities_for(db.session, facilitator) == [activity]
    assert attendance.activities_for(db.session, leader) == [activity]
    assert attendance.activities_for(db.session, factories.make_user(db.session)) == []
    upcoming = attendance.next_meeting(activity, date(2026, 12, 10))
    assert upcoming is not None and upcoming.on_date == date(2026, 12, 15)


def test_attendance_goes_with_the_household(scene):
    leader, activity, (a, b, _) = scene
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id, b.public_id},
                      "", CLOCK)
    db.session.commit()
    db.session.delete(a)
    db.session.commit()
    left = db.session.scalars(select(Attendance.household_id)).all()
    assert sorted(left) == sorted([b.id, scene[2][2].id])


def test_a_coordinator_of_another_association_never_reads_attendance_or_notes(scene):
    from mutuo_aiuto.models import Association, AssociationCoordinator
    leader, activity, (a, _, _) = scene
    ours = Association(name="Famiglie in cammino", status="approved")
    theirs = Association(name="Altra associazione", status="approved")
    coordinator = factories.make_user(db.session)
    db.session.add_all([ours, theirs, AssociationCoordinator(association=theirs,
                                                             user=coordinator)])
    activity.association = ours
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id}, "Riservato", CLOCK)
    db.session.commit()
    assert not policy.can_record_attendance(coordinator, activity)
    with pytest.raises(NotAllowed):
        attendance.meetings(db.session, coordinator, activity, CLOCK)
    with pytest.raises(NotAllowed):
        attendance.sheet(db.session, coordinator, activity, TUESDAY, CLOCK)
    assert attendance.activities_for(db.session, coordinator) == []


def test_the_export_has_the_familys_own_groups_and_attendance_only(scene):
    from mutuo_aiuto.services.gdpr import export
    leader, activity, (a, b, _) = scene
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id, b.public_id},
                      "Note del leader", CLOCK)
    db.session.commit()
    data = export.export_household(db.session, a.user)
    assert [m["activity"] for m in data["group_memberships"]] == [activity.public_id]
    assert [(r["on_date"], r["present"]) for r in data["group_attendance"]] == [
        (TUESDAY.isoformat(), True)]
    assert "Note del leader" not in str(data)
    assert b.public_id not in str(data) and b.name not in str(data)


def test_erasure_takes_the_family_out_of_its_groups(scene):
    from mutuo_aiuto.models import ActivityMembership
    from mutuo_aiuto.services.gdpr import erasure
    leader, activity, (a, b, _) = scene
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id, b.public_id}, "",
                      CLOCK)
    db.session.commit()
    summary = erasure.anonymise_household(db.session, a)
    db.session.commit()
    assert summary.groups == 1
    assert db.session.scalar(select(ActivityMembership.id).where(
        ActivityMembership.household_id == a.id)) is None
    # An open group's attendance stays, anonymous, for the counts.
    assert db.session.scalar(select(Attendance.id).where(Attendance.household_id == a.id))


def test_erasure_deletes_attendance_at_a_confidential_group(scene):
    from mutuo_aiuto.services.gdpr import erasure
    leader, activity, (a, _, _) = scene
    activity.kind, activity.admission, activity.confidential = "self_help", "by_request", True
    attendance.record(db.session, leader, activity, TUESDAY, {a.public_id}, "", CLOCK)
    db.session.commit()
    erasure.anonymise_household(db.session, a)
    db.session.commit()
    assert db.session.scalar(select(Attendance.id).where(
        Attendance.household_id == a.id)) is None
