"""A children's group whose leader's check by the Hub lapsed (issue 12): it waits for the
leader's check; its leader and the facilitators are told by the daily check; its families
are not reminded of its meetings meanwhile; the activity page says so to who runs it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import ActivitySlot, Notification, Vetting
from mutuo_aiuto.services import activities, meeting_reminders
from mutuo_aiuto.services.hubtime import HubClock
from tests import factories
from tests.groups_scenes import join, make_activity

TODAY = date(2026, 12, 7)  # a Monday; the club meets on Tuesdays
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Europe/Rome")).astimezone(UTC)


@pytest.fixture
def club(session):
    leader = factories.make_user(session, name="Giulia Guida")
    household = factories.make_household(session, user=leader)
    check = Vetting(household=household, checked_on=date(2026, 1, 10),
                    expires_on=date(2026, 12, 31))
    session.add(check)
    activity = make_activity(session, leader=leader, requires_vetted_leader=True,
                             min_child_age=6, max_child_age=11, starts_on=date(2026, 11, 3),
                             slots=[ActivitySlot(weekday=1, start_minute=17 * 60,
                                                 end_minute=19 * 60)])
    family = factories.make_household(session)
    join(session, activity, family)
    facilitator = factories.make_user(session, role="facilitator")
    session.commit()
    return activity, check, leader, family, facilitator


def kinds(session, user) -> list[str]:
    return list(session.scalars(select(Notification.kind).where(
        Notification.user_id == user.id).order_by(Notification.id)))


def test_a_valid_check_lets_the_group_go_on(session, club):
    activity, _, _, family, _ = club
    assert not activities.leader_check_lapsed(session, activity, TODAY)
    assert activities.tell_leaders_waiting(session, TODAY, NOW) == 0
    clock = HubClock.named("Europe/Rome", lambda: NOW)
    assert meeting_reminders.send_meeting_reminders(session, NOW, clock) == 1
    assert kinds(session, family.user) == ["meeting_reminder_day"]


@pytest.mark.parametrize("lapse", ["expired", "revoked", "no leader"])
def test_a_lapsed_check_is_caught_told_and_holds_the_reminders(session, club, lapse):
    activity, check, leader, family, facilitator = club
    if lapse == "expired":
        check.expires_on = TODAY - timedelta(days=1)
    elif lapse == "revoked":
        check.revoked_at = NOW - timedelta(days=3)
    else:
        activity.leader = None
    session.commit()
    assert activities.leader_check_lapsed(session, activity, TODAY)
    assert activities.tell_leaders_waiting(session, TODAY, NOW) == 1
    assert kinds(session, facilitator) == ["activity_leader_check_staff"]
    if lapse != "no leader":
        assert kinds(session, leader) == ["activity_leader_check"]
    # Told once, then again a fortnight later if nothing changed.
    assert activities.tell_leaders_waiting(session, TODAY + timedelta(days=1),
                                           NOW + timedelta(days=1)) == 0
    later = NOW + timedelta(days=activities.LEADER_CHECK_RETELL_DAYS + 1)
    assert activities.tell_leaders_waiting(session, later.date(), later) == 1
    # The families are not reminded of a meeting that should not take place like this.
    clock = HubClock.named("Europe/Rome", lambda: NOW)
    assert meeting_reminders.send_meeting_reminders(session, NOW, clock) == 0
    assert kinds(session, family.user) == []


def test_a_new_check_lets_the_reminders_go_again(session, club):
    activity, check, leader, _, _ = club
    check.expires_on = TODAY - timedelta(days=1)
    session.add(Vetting(household=leader.household, checked_on=TODAY,
                        expires_on=TODAY + timedelta(days=365)))
    session.commit()
    assert not activities.leader_check_lapsed(session, activity, TODAY)
    clock = HubClock.named("Europe/Rome", lambda: NOW)
    assert meeting_reminders.send_meeting_reminders(session, NOW, clock) == 1


def test_a_group_without_children_never_waits(session, club):
    activity, check, *_ = club
    activity.requires_vetted_leader = False
    check.expires_on = TODAY - timedelta(days=1)
    session.commit()
    assert not activities.leader_check_lapsed(session, activity, TODAY)
    assert activities.tell_leaders_waiting(session, TODAY, NOW) == 0
