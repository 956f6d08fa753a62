"""The daily job that marks ended the activities whose last day passed (issue 12): they leave
the finder and the family's page, and keep their attendance for the impact figures."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import select

from mutuo_aiuto.models import ActivityMeeting, ActivitySlot, Attendance, AuditEvent
from mutuo_aiuto.services import activities, attendance, impact
from mutuo_aiuto.services.hubtime import HubClock
from tests import factories
from tests.groups_scenes import join, make_activity

TODAY = date(2026, 12, 5)
NOW = datetime(2026, 12, 4, 23, 25, tzinfo=UTC)


def test_an_activity_past_its_last_day_ends_and_keeps_its_attendance(session):
    place = factories.make_neighbourhood(session)
    family = factories.make_household(session, neighbourhood=place)
    done = make_activity(session, neighbourhood=place, title="Laboratorio d'autunno",
                         starts_on=date(2026, 10, 6), ends_on=date(2026, 12, 1))
    last_today = make_activity(session, neighbourhood=place, starts_on=date(2026, 11, 1),
                               ends_on=TODAY)
    one_date = make_activity(session, neighbourhood=place, kind="outing",
                             starts_on=date(2026, 11, 20),
                             slots=[ActivitySlot(on_date=date(2026, 11, 29),
                                                 start_minute=600, end_minute=720)])
    open_ended = make_activity(session, neighbourhood=place, starts_on=date(2026, 9, 1))
    join(session, done, family)
    meeting = ActivityMeeting(activity=done, on_date=date(2026, 12, 1), start_minute=17 * 60,
                              end_minute=19 * 60)
    session.add(meeting)
    session.flush()
    session.add(Attendance(meeting=meeting, household=family, present=True))
    session.flush()
    assert done in activities.list_open(session, date(2026, 11, 30))

    ended = activities.end_finished(session, TODAY, NOW)

    assert ended == [done, one_date]
    assert (done.status, one_date.status) == ("ended", "ended")
    assert (last_today.status, open_ended.status) == ("open", "open")
    assert activities.end_finished(session, TODAY, NOW) == []  # once
    listed = activities.list_open(session, TODAY)
    assert done not in listed and one_date not in listed
    assert activities.household_memberships(session, family) == []
    # The attendance stays, and the impact figures still count it.
    assert session.scalars(select(Attendance)).one().present
    clock = HubClock.named("Europe/Rome", lambda: NOW)
    figures = impact.groups_impact(session, impact.Period(date(2026, 12, 1), date(2026, 12, 1)),
                                   clock)
    assert (figures.total.participants, figures.total.sessions) == (1, 1)
    events = session.scalars(select(AuditEvent).where(
        AuditEvent.action == "activity.ended")).all()
    assert [(e.target_id, e.actor_id) for e in events] == [(done.public_id, None),
                                                          (one_date.public_id, None)]
    assert events[0].at == NOW


def test_an_ended_group_stays_on_the_leaders_list_for_a_fortnight(session):
    leader = factories.make_user(session)
    club = make_activity(session, leader=leader, starts_on=date(2026, 10, 6),
                         ends_on=date(2026, 12, 1))
    activities.end_finished(session, TODAY, NOW)
    assert attendance.activities_for(session, leader) == []  # the open ones only
    assert attendance.activities_for(session, leader, TODAY) == [club]
    assert attendance.activities_for(session, leader, date(2026, 12, 16)) == []
