"""The scheduler: one process runs the jobs even when two are started, each job once.

These tests start real schedulers (APScheduler with the SQLAlchemy job store
on the test database) in threads, with a short lease, and watch what the jobs
write to the database. Nothing is mocked but the clock's pace.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.exc import DBAPIError

from mutuo_aiuto import jobs
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.models.types import utcnow
from mutuo_aiuto.scheduler import SCHEDULES, Schedule, SchedulerRunner, build_scheduler
from mutuo_aiuto.services import leases

TTL = 3


def record_run() -> None:
    """A job for these tests: one outbox row per run, naming who led at that moment."""
    jobs.run_task("test_record_run", scheduled=True)


def _record(ctx: jobs.Context) -> str:
    leaders = ",".join(sorted(jobs.LEADERS))
    ctx.session.add(OutboxMessage(recipient="runs@example.org", subject=leaders, body="run"))
    return leaders


@pytest.fixture
def runners(app, monkeypatch) -> Iterator[Callable[..., SchedulerRunner]]:
    """Start ``SchedulerRunner``s in threads; stop and join them all afterwards."""
    monkeypatch.setitem(jobs.TASKS, "test_record_run", _record)
    started: list[tuple[SchedulerRunner, threading.Thread]] = []

    def start(*schedules: Schedule, ttl: int = TTL) -> SchedulerRunner:
        runner = SchedulerRunner(app, ttl=ttl, renew_every=0.3, poll_every=0.2,
                                 schedules=schedules)
        thread = threading.Thread(target=runner.run, daemon=True)
        thread.start()
        started.append((runner, thread))
        return runner

    yield start
    for runner, thread in started:
        runner.stop()
        thread.join(timeout=10)
        assert not thread.is_alive()
    jobs.bind_app(None)
    jobs.LEADERS.clear()


# Generous: a loaded CI machine (two test workers, two schedulers each with a
# lease keeper and a job thread) may take seconds to run what takes 0.1 s here;
# a condition that comes true returns at once.
def wait_for(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return False


def runs() -> list[str]:
    db.session.rollback()  # see what the scheduler's threads committed
    return list(db.session.scalars(select(OutboxMessage.subject)
                                   .where(OutboxMessage.recipient == "runs@example.org")
                                   .order_by(OutboxMessage.id)))


def _state() -> str:
    """What the lease and the job store hold, for the message of a failed wait."""
    db.session.rollback()
    lease = db.session.execute(text("SELECT holder, expires_at FROM leases")).all()
    stored = db.session.execute(text("SELECT id, next_run_time FROM apscheduler_jobs")).all()
    return f"now {utcnow()}, leases {lease}, jobs {stored}, leaders {sorted(jobs.LEADERS)}"


def once_at(moment: datetime, job_id: str = "once") -> Schedule:
    return Schedule(job_id, "tests.test_scheduler:record_run", "date", {"run_date": moment})


def every_second(job_id: str = "tick") -> Schedule:
    return Schedule(job_id, "tests.test_scheduler:record_run", "interval", {"seconds": 1})


def test_two_schedulers_on_one_database_run_a_job_once(runners):
    moment = utcnow() + timedelta(seconds=1.5)
    first, second = runners(once_at(moment)), runners(once_at(moment))
    assert wait_for(lambda: first.leading.is_set() or second.leading.is_set())
    assert wait_for(lambda: len(runs()) >= 1), _state()
    time.sleep(1.5)  # time for a second run, if the guarantee were broken
    assert len(runs()) == 1
    assert first.leading.is_set() != second.leading.is_set()


def test_a_repeating_job_is_run_by_one_scheduler_only(runners):
    first, second = runners(every_second()), runners(every_second())
    assert wait_for(lambda: len(runs()) >= 3)
    leader = first if first.leading.is_set() else second
    # Every run happened while exactly one runner led, and it was always the same.
    assert set(runs()) == {leader.holder}
    assert db.session.scalar(select(func.count()).select_from(
        text("apscheduler_jobs"))) == 1


def test_standby_takes_over_when_the_leader_dies(runners, monkeypatch):
    first = runners(every_second())
    assert wait_for(first.leading.is_set)
    second = runners(every_second())
    time.sleep(TTL / 2)
    assert not second.leading.is_set()  # standby while the lease is renewed
    # The leader dies without a word: its lease is not released, only left to expire.
    monkeypatch.setattr(first, "_release", lambda: None)
    first.stop()
    died_at = time.monotonic()
    assert wait_for(second.leading.is_set)
    assert time.monotonic() - died_at >= TTL - 0.5  # waited for the lease to expire
    before = len(runs())
    assert wait_for(lambda: len(runs()) >= before + 2)
    assert set(runs()[before:]) == {second.holder}


def daily_at(moment: datetime, job_id: str = "nightly") -> Schedule:
    """A cron job like the night's matching, due once a day at ``moment`` (Rome time)."""
    local = moment.astimezone(ZoneInfo("Europe/Rome"))
    return Schedule(job_id, "tests.test_scheduler:record_run", "cron",
                    {"hour": local.hour, "minute": local.minute, "second": local.second})


def stored_next_run(job_id: str) -> float | None:
    db.session.rollback()
    try:
        return db.session.scalar(
            text("SELECT next_run_time FROM apscheduler_jobs WHERE id = :id"), {"id": job_id})
    except DBAPIError:  # the new leader has not created the job table yet
        db.session.rollback()
        return None


def test_a_job_due_during_a_failover_runs_when_the_standby_takes_over(runners, monkeypatch):
    # The leader dies a few seconds before a daily job is due; its lease lapses
    # only after that moment, so the job falls due while nobody leads. The
    # standby must run it on taking over, not wait for tomorrow.
    ttl = 12
    moment = (utcnow() + timedelta(seconds=10)).replace(microsecond=0)
    first = runners(daily_at(moment), ttl=ttl)
    assert wait_for(first.leading.is_set)
    assert wait_for(lambda: stored_next_run("nightly") is not None), _state()
    second = runners(daily_at(moment), ttl=ttl)
    monkeypatch.setattr(first, "_release", lambda: None)
    first.stop()
    killed_at = utcnow()
    assert killed_at < moment, "the leader took too long to start: the test proves nothing"
    assert wait_for(second.leading.is_set, timeout=ttl + 30), _state()
    assert utcnow() > moment  # the job was due while nobody led
    assert wait_for(lambda: len(runs()) >= 1), _state()
    time.sleep(1)  # time for a second run, if coalescing were broken
    assert runs() == [second.holder]


def test_a_clean_stop_hands_over_at_once(runners):
    first = runners(every_second())
    assert wait_for(first.leading.is_set)
    second = runners(every_second())
    first.stop()
    stopped_at = time.monotonic()
    assert wait_for(second.leading.is_set)
    assert time.monotonic() - stopped_at < TTL  # no need to wait for the lease to expire


def test_a_leader_that_loses_the_lease_stops_its_jobs(runners, app):
    first = runners(every_second())
    assert wait_for(first.leading.is_set)
    # Someone else got the lease (e.g. this process was frozen longer than the TTL).
    db.session.execute(text("UPDATE leases SET holder = 'intruder'"))
    db.session.commit()
    assert wait_for(lambda: not first.leading.is_set())
    assert first.holder not in jobs.LEADERS


def test_jobs_run_only_where_the_lease_is_held(app, session, monkeypatch):
    monkeypatch.setitem(jobs.TASKS, "test_record_run", _record)
    leases.acquire(session, jobs.SCHEDULER_LEASE, "elsewhere", 60, utcnow())
    session.commit()
    assert jobs.run_task("test_record_run", scheduled=True) is None
    assert runs() == []
    monkeypatch.setattr(jobs, "LEADERS", {"elsewhere": 60})
    assert jobs.run_task("test_record_run", scheduled=True) == "elsewhere"
    assert runs() == ["elsewhere"]


def test_a_lapsed_lease_nobody_took_is_renewed_by_the_job(app, session, monkeypatch):
    # The keeper was held up past the lease's end: the job still runs, and renews it.
    monkeypatch.setitem(jobs.TASKS, "test_record_run", _record)
    monkeypatch.setattr(jobs, "LEADERS", {"mine": 30})
    leases.acquire(session, jobs.SCHEDULER_LEASE, "mine", 1, utcnow() - timedelta(seconds=5))
    session.commit()
    assert jobs.run_task("test_record_run", scheduled=True) == "mine"
    assert leases.holds(session, jobs.SCHEDULER_LEASE, "mine", utcnow() + timedelta(seconds=20))


def test_a_lapsed_lease_someone_else_took_stops_the_job(app, session, monkeypatch):
    monkeypatch.setitem(jobs.TASKS, "test_record_run", _record)
    monkeypatch.setattr(jobs, "LEADERS", {"mine": 30})
    leases.acquire(session, jobs.SCHEDULER_LEASE, "other", 60, utcnow())
    session.commit()
    assert jobs.run_task("test_record_run", scheduled=True) is None
    assert runs() == []
    assert leases.holds(session, jobs.SCHEDULER_LEASE, "other", utcnow())


def test_every_schedule_is_registered_once_with_its_job(app):
    ids = [s.id for s in SCHEDULES]
    assert len(ids) == len(set(ids))
    for name in jobs.TASKS:
        assert any(s.func == f"mutuo_aiuto.jobs:{name}" for s in SCHEDULES), name
    for _ in range(2):  # registering again replaces, never duplicates
        with paused_scheduler(app, SCHEDULES) as scheduler:
            assert sorted(j.id for j in scheduler.get_jobs()) == sorted(ids)
            assert all(j.coalesce and j.max_instances == 1 and j.misfire_grace_time
                       for j in scheduler.get_jobs())
    assert db.session.scalar(text("SELECT count(*) FROM apscheduler_jobs")) == len(ids)


def test_a_schedule_removed_from_the_code_leaves_the_store(app):
    with paused_scheduler(app, (*SCHEDULES, every_second("retired"))) as old:
        assert "retired" in {j.id for j in old.get_jobs()}
    with paused_scheduler(app, SCHEDULES) as new:
        assert "retired" not in {j.id for j in new.get_jobs()}


@contextmanager
def paused_scheduler(app, schedules) -> Iterator[Any]:
    """A background scheduler started paused, stopped and its connections closed after."""
    from apscheduler.schedulers.background import BackgroundScheduler

    engine = create_engine(app.config["SETTINGS"].database_url)
    scheduler = build_scheduler(app, engine, schedules, BackgroundScheduler)
    scheduler.start(paused=True)
    try:
        yield scheduler
    finally:
        scheduler.shutdown()
        engine.dispose()


def test_run_job_command_runs_one_job(runner, session, make_need):
    from datetime import date

    need = make_need(ends_on=date.today() - timedelta(days=2))
    result = runner.invoke(args=["run-job", "expire_ends"])
    assert result.exit_code == 0, result.output
    session.refresh(need)
    assert need.status == "expired"


def test_run_job_command_refuses_an_unknown_job(runner):
    result = runner.invoke(args=["run-job", "nothing"])
    assert result.exit_code != 0
    assert "expire_ends" in result.output


def test_the_scheduler_command_lowers_its_priority_first(runner, monkeypatch):
    """Pages before background work: the process is niced by SCHEDULER_NICE before it
    takes the lease."""
    import os

    from mutuo_aiuto import scheduler as scheduler_module

    asked: list[int] = []
    monkeypatch.setattr(os, "nice", lambda n: asked.append(n) or 0)

    class Stopped(SchedulerRunner):
        def run(self) -> None:
            raise KeyboardInterrupt

    monkeypatch.setattr(scheduler_module, "SchedulerRunner", Stopped)
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    assert asked == [0, 10]  # where it stands, then ten lower (the default)


def test_lowering_the_priority_stops_at_the_lowest(monkeypatch):
    import os

    from mutuo_aiuto.cli import lower_priority

    asked: list[int] = []
    monkeypatch.setattr(os, "nice", lambda n: asked.append(n) or 15)
    lower_priority(10)
    assert asked == [0, 4]  # already at 15: only to 19


@pytest.mark.parametrize("value", ["-1", "20", "ten"])
def test_a_scheduler_nice_out_of_range_is_refused(value):
    from mutuo_aiuto.config import Settings, SettingsError

    with pytest.raises(SettingsError):
        Settings.from_env({"SCHEDULER_NICE": value})
