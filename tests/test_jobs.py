"""Every scheduled job is idempotent: run twice, the second run changes nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto import jobs
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import FollowUp, OutboxMessage, Vetting
from mutuo_aiuto.models.types import utcnow


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table of the app, as plain values."""
    db.session.expire_all()
    return {table.name: sorted(map(tuple, db.session.execute(select(table)).all()), key=repr)
            for table in db.metadata.sorted_tables}


@pytest.fixture
def busy_hub(session, make_user, make_need, make_offer, make_match):
    """A little of everything the jobs look at."""
    today = date.today()
    facilitator = make_user(role="facilitator")
    make_need(ends_on=today - timedelta(days=2))                      # to expire
    make_offer(ends_on=today - timedelta(days=2))                     # to expire
    make_need(ends_on=today + timedelta(days=3))                      # notice due
    make_need(opened_at=utcnow() - timedelta(hours=2))                # for the digest
    running = make_match(started_on=today - timedelta(days=10))       # follow-up to plan
    late = make_match(started_on=today - timedelta(days=40), confirmed_by_id=facilitator.id)
    session.add(FollowUp(match=late, due_on=today - timedelta(days=1)))  # to remind
    make_match(status="awaiting", respond_by=utcnow() - timedelta(hours=1))  # unanswered
    session.add(Vetting(household=running.offer.household, checked_on=today - timedelta(days=170),
                        expires_on=today + timedelta(days=10), recorded_by_id=facilitator.id))
    session.add(OutboxMessage(recipient="someone@example.org", subject="s", body="b"))
    session.commit()


@pytest.mark.parametrize("name", sorted(jobs.TASKS))
def test_each_job_run_twice_changes_nothing_the_second_time(app, busy_hub, name):
    jobs.run_task(name)
    first = snapshot()
    jobs.run_task(name)
    assert snapshot() == first


def test_the_jobs_do_their_work(app, busy_hub):
    before = snapshot()
    for name in sorted(jobs.TASKS):
        jobs.run_task(name)
    after = snapshot()
    assert len(after["follow_ups"]) > len(before["follow_ups"])
    assert len(after["outbox_messages"]) > len(before["outbox_messages"])
    statuses = {row.status for row in db.session.execute(select(db.metadata.tables["needs"]))}
    assert "expired" in statuses
    assert db.session.scalar(select(Vetting.warned_at)) is not None


def test_a_failing_job_saves_nothing(app, busy_hub, monkeypatch):
    def half_done(ctx: jobs.Context) -> None:
        ctx.session.add(OutboxMessage(recipient="x@example.org", subject="x", body="x"))
        ctx.session.flush()
        raise RuntimeError("boom")

    monkeypatch.setitem(jobs.TASKS, "half_done", half_done)
    before = snapshot()
    with pytest.raises(RuntimeError):
        jobs.run_task("half_done")
    assert snapshot() == before
