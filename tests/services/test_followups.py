"""Follow-ups: planned when a match runs, listed when due, recorded, reminded once."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import FollowUp, OutboxMessage
from mutuo_aiuto.services import followups, hubtime
from mutuo_aiuto.services.errors import DomainError, InvalidTransition, NotAllowed

NOW = datetime(2026, 11, 10, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 10)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def test_first_follow_up_falls_days_after_the_start(session, make_match):
    match = make_match(started_on=date(2026, 11, 1))
    follow_up = followups.ensure_follow_up(session, match, first_days=7)
    assert follow_up.due_on == date(2026, 11, 8)


def test_planning_twice_adds_nothing(session, make_match):
    make_match(), make_match()
    assert followups.plan_follow_ups(session) == 2
    session.commit()
    assert followups.plan_follow_ups(session) == 0
    assert count(session, FollowUp) == 2


@pytest.mark.parametrize("status", ["awaiting", "closed", "declined", "cancelled"])
def test_only_active_matches_get_follow_ups(session, make_match, status):
    make_match(status=status)
    assert followups.plan_follow_ups(session) == 0
    assert count(session, FollowUp) == 0


def test_due_and_upcoming_lists(session, make_match):
    due = FollowUp(match=make_match(), due_on=TODAY)
    late = FollowUp(match=make_match(), due_on=TODAY - timedelta(days=5))
    soon = FollowUp(match=make_match(), due_on=TODAY + timedelta(days=3))
    closed = FollowUp(match=make_match(status="closed"), due_on=TODAY)
    session.add_all([due, late, soon, closed])
    session.flush()
    assert followups.due_follow_ups(session, TODAY) == [late, due]
    assert followups.upcoming_follow_ups(session, TODAY) == [soon]


def test_recording_plans_the_next_check_in(session, make_match, make_user):
    facilitator = make_user(role="facilitator")
    follow_up = followups.ensure_follow_up(session, make_match())
    following = followups.record_follow_up(session, facilitator, follow_up, "going_well",
                                           "  Tutto bene.  ", NOW, every_days=28)
    assert follow_up.done_at == NOW and follow_up.done_by_id == facilitator.id
    assert follow_up.outcome == "going_well" and follow_up.notes == "Tutto bene."
    assert following.due_on == TODAY + timedelta(days=28)
    assert following.done_at is None


def test_plan_after_a_recorded_follow_up_counts_from_it(session, make_match, make_user):
    match = make_match()
    session.add(FollowUp(match=match, due_on=TODAY, done_at=NOW, outcome="going_well"))
    session.flush()
    follow_up = followups.ensure_follow_up(session, match, every_days=28)
    assert follow_up.due_on == TODAY + timedelta(days=28)


@pytest.mark.parametrize(("outcome", "notes", "field"), [
    ("", None, "outcome"),
    ("wonderful", None, "outcome"),
    ("going_well", "x" * (followups.NOTES_MAX + 1), "notes"),
])
def test_invalid_follow_up_saves_nothing(session, make_match, make_user, outcome, notes, field):
    facilitator = make_user(role="facilitator")
    follow_up = followups.ensure_follow_up(session, make_match())
    session.commit()
    with pytest.raises(DomainError) as error:
        followups.record_follow_up(session, facilitator, follow_up, outcome, notes, NOW)
    assert error.value.field == field
    session.rollback()
    assert follow_up.done_at is None
    assert count(session, FollowUp) == 1


def test_members_cannot_record_follow_ups(session, make_match, make_user):
    follow_up = followups.ensure_follow_up(session, make_match())
    with pytest.raises(NotAllowed):
        followups.record_follow_up(session, make_user(), follow_up, "going_well", "", NOW)


def test_a_follow_up_is_recorded_once(session, make_match, make_user):
    facilitator = make_user(role="facilitator")
    follow_up = followups.ensure_follow_up(session, make_match())
    followups.record_follow_up(session, facilitator, follow_up, "going_well", "", NOW)
    with pytest.raises(InvalidTransition):
        followups.record_follow_up(session, facilitator, follow_up, "problem", "", NOW)


def test_reminders_go_once_to_the_confirming_facilitator(session, make_match, make_user):
    confirmer = make_user(role="facilitator", locale="en")
    make_user(role="facilitator")
    match = make_match(confirmed_by_id=confirmer.id)
    session.add(FollowUp(match=match, due_on=TODAY))
    session.flush()
    assert followups.remind_due_follow_ups(session, TODAY, NOW) == 1
    mail = session.scalars(select(OutboxMessage)).one()
    assert mail.recipient == confirmer.email
    assert mail.subject == "Follow-ups due at the Family Hub"
    assert match.need.household.name in mail.body or "due on" in mail.body
    session.commit()
    assert followups.remind_due_follow_ups(session, TODAY, NOW) == 0
    assert count(session, OutboxMessage) == 1


def test_reminders_fall_back_to_every_facilitator(session, make_match, make_user):
    facilitators = [make_user(role="facilitator"), make_user(role="facilitator")]
    session.add(FollowUp(match=make_match(), due_on=TODAY - timedelta(days=1)))
    session.flush()
    assert followups.remind_due_follow_ups(session, TODAY, NOW) == 2
    assert {m.recipient for m in session.scalars(select(OutboxMessage))} == {
        f.email for f in facilitators}


def test_no_reminder_for_a_follow_up_not_yet_due(session, make_match, make_user):
    make_user(role="facilitator")
    session.add(FollowUp(match=make_match(), due_on=TODAY + timedelta(days=1)))
    session.flush()
    assert followups.remind_due_follow_ups(session, TODAY, NOW) == 0


def test_local_date_is_the_day_in_rome():
    assert hubtime.local_date(datetime(2026, 11, 9, 23, 30, tzinfo=UTC)) == date(2026, 11, 10)
