"""The demo's associations and groups (issue 12): loaded once, counted by the impact page."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select

from mutuo_aiuto.models import (
    Activity,
    ActivityMeeting,
    ActivityMembership,
    Association,
    Attendance,
    User,
)
from mutuo_aiuto.services import impact
from mutuo_aiuto.services.hubtime import HubClock


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def test_the_demo_has_associations_groups_and_attendance_once(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    assert count(session, Association) == 5
    assert count(session, Activity) == 12
    coordinator = session.scalars(select(User).where(
        User.email == "associazione@mutuoaiuto.example")).one()
    assert session.scalar(select(func.count()).select_from(Activity).where(
        Activity.leader_id == coordinator.id)) == 2
    self_help = session.scalars(select(Activity).where(Activity.kind == "self_help")).one()
    assert self_help.confidential and self_help.leader.role == "facilitator"
    statuses = dict(session.execute(select(ActivityMembership.status, func.count())
                                    .group_by(ActivityMembership.status)).all())
    assert statuses["waiting"] == 3 and statuses["requested"] == 1
    before = tuple(count(session, m) for m in (Activity, ActivityMembership,
                                               ActivityMeeting, Attendance, User))
    assert before[2] > 150
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert tuple(count(session, m) for m in (Activity, ActivityMembership, ActivityMeeting,
                                             Attendance, User)) == before
    clock = HubClock.named("Europe/Rome", lambda: datetime.now(UTC))
    period = impact.default_period(clock.today())
    groups = impact.groups_impact(session, period, clock)
    assert groups.total.participants >= 50 and groups.total.sessions == before[2]
    assert groups.total.new_ties > 50
    assert "self_help" not in dict(groups.by_kind)
    print("demo groups:", groups.total, groups.group_to_pairing, groups.pairing_to_group)
