"""The scheduler process: every schedule in one place, and the lease that keeps it single.

``flask --app mutuo_aiuto scheduler`` runs ``SchedulerRunner``: it takes the
lease named "scheduler" in the database (one conditional statement, see
``services/leases.py``) or waits in standby, polling, until the holder's
lease expires. Only the holder builds an APScheduler, so two processes never
share the job store (APScheduler 3 does not support that). The holder renews
the lease from a small thread; if it ever fails to, it stops its scheduler at
once and goes back to standby. Each job checks the lease again (jobs.py).

The scheduler is never started from ``create_app``: gunicorn's workers and
the reloader would each start one.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.events import EVENT_SCHEDULER_STARTED, SchedulerEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from sqlalchemy import create_engine, inspect, select

from mutuo_aiuto import jobs
from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import hubtime, impact_overviews, leases

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.engine import Engine

logger = logging.getLogger("mutuo_aiuto.scheduler")

JOB_TABLE = "apscheduler_jobs"
# A job that could not run on time (no scheduler was up) still runs, once
# (coalesce), if it is less than this late; otherwise it waits for its next turn.
JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600}


@dataclass(frozen=True)
class Schedule:
    """One job: a stable id, the job function's import path, its trigger."""

    id: str
    func: str
    trigger: str
    options: dict[str, Any] = field(default_factory=dict)


# Every schedule of the service (times are the Hub's, Settings.timezone). The order of the night
# matters: needs and offers expire (00:20) before the full matching run (02:00),
# which then withdraws every proposal that involved them; the figures are computed
# after it (02:40), and again within a minute when a facilitator asks.
SCHEDULES = (
    Schedule("deliver-mail", "mutuo_aiuto.jobs:deliver_mail", "interval",
             {"minutes": 1, "misfire_grace_time": 60}),
    Schedule("deliver-sms", "mutuo_aiuto.jobs:deliver_sms", "interval",
             {"minutes": 1, "misfire_grace_time": 60}),
    # Every 20 s: a new offer's proposals are on the facilitator's queue within a
    # minute of posting it (the job itself takes a few seconds at 10,000 households),
    # and an empty queue costs two indexed reads.
    Schedule("propose-queued", "mutuo_aiuto.jobs:propose_queued", "interval",
             {"seconds": 20, "misfire_grace_time": 20}),
    Schedule("expire-unanswered", "mutuo_aiuto.jobs:expire_unanswered", "interval",
             {"minutes": 15}),
    Schedule("session-reminders", "mutuo_aiuto.jobs:session_reminders", "cron",
             {"minute": 5}),
    Schedule("expire-ends", "mutuo_aiuto.jobs:expire_ends", "cron", {"hour": 0, "minute": 20}),
    Schedule("end-activities", "mutuo_aiuto.jobs:end_activities", "cron",
             {"hour": 0, "minute": 25}),
    Schedule("nightly-matching", "mutuo_aiuto.jobs:nightly_matching", "cron",
             {"hour": 2, "minute": 0}),
    Schedule("refresh-figures", "mutuo_aiuto.jobs:refresh_figures", "cron",
             {"hour": 2, "minute": 40}),
    Schedule("refresh-queued-figures", "mutuo_aiuto.jobs:refresh_queued_figures", "interval",
             {"minutes": 1, "misfire_grace_time": 60}),
    Schedule("refresh-impact-overview", "mutuo_aiuto.jobs:refresh_impact_overview",
             "interval", {"minutes": impact_overviews.REFRESH_MINUTES, "misfire_grace_time": 300}),
    Schedule("plan-follow-ups", "mutuo_aiuto.jobs:plan_follow_ups", "cron",
             {"hour": 6, "minute": 0}),
    Schedule("daily-digest", "mutuo_aiuto.jobs:daily_digest", "cron", {"hour": 7, "minute": 30}),
    Schedule("remind-follow-ups", "mutuo_aiuto.jobs:remind_follow_ups", "cron",
             {"hour": 8, "minute": 0}),
    Schedule("vetting-warnings", "mutuo_aiuto.jobs:vetting_warnings", "cron",
             {"hour": 8, "minute": 30}),
    Schedule("leader-checks", "mutuo_aiuto.jobs:leader_checks", "cron",
             {"hour": 8, "minute": 35}),
    Schedule("expiry-notices", "mutuo_aiuto.jobs:expiry_notices", "cron",
             {"hour": 9, "minute": 0}),
    Schedule("purge-expired", "mutuo_aiuto.jobs:purge_expired", "cron",
             {"hour": 3, "minute": 30}),
)


def build_scheduler(app: Flask, store_engine: Engine,
                    schedules: Iterable[Schedule] = SCHEDULES,
                    scheduler_class: type[BaseScheduler] = BlockingScheduler,
                    executor: ThreadPoolExecutor | None = None) -> BaseScheduler:
    """An APScheduler whose jobs live in the app's database, with every schedule added.

    ``store_engine`` (on the app's database) keeps the job store's connections
    in the caller's hands: it disposes of it once the scheduler has stopped.
    """
    clock = app.extensions[hubtime.EXTENSION]
    store = SQLAlchemyJobStore(engine=store_engine, tablename=JOB_TABLE)
    stored = _stored_next_runs(store)
    scheduler = scheduler_class(
        jobstores={"default": store},
        executors={"default": executor or ThreadPoolExecutor(max_workers=2)},
        job_defaults=JOB_DEFAULTS, timezone=clock.tz)
    schedules = tuple(schedules)
    now = clock.now()
    for schedule in schedules:
        job = scheduler.add_job(schedule.func, schedule.trigger, id=schedule.id,
                                name=schedule.id, replace_existing=True, **schedule.options)
        # Re-adding computes the next run from now, which would skip a run that
        # fell due while no scheduler held the lease (a failover across 02:00
        # would lose the night's matching). Keep the stored time when it is the
        # earlier one: a missed run then happens at once, within its grace time.
        # A schedule changed in the code may so run once more at its old time;
        # every job is idempotent.
        kept = stored.get(schedule.id)
        fresh = job.trigger.get_next_fire_time(None, now)
        if kept is not None and (fresh is None or kept < fresh):
            job.modify(next_run_time=kept)
    scheduler.add_listener(_pruner(scheduler, {s.id for s in schedules}),
                           EVENT_SCHEDULER_STARTED)
    return scheduler


def _stored_next_runs(store: SQLAlchemyJobStore) -> dict[str, datetime]:
    """Each stored job's next run time, as the last holder of the lease left it."""
    if not inspect(store.engine).has_table(JOB_TABLE):
        return {}
    table = store.jobs_t
    with store.engine.connect() as connection:
        rows = connection.execute(select(table.c.id, table.c.next_run_time)
                                  .where(table.c.next_run_time.is_not(None))).all()
    return {job_id: datetime.fromtimestamp(stamp, UTC) for job_id, stamp in rows}


def _pruner(scheduler: BaseScheduler, known: set[str]) -> Any:
    def prune(event: SchedulerEvent) -> None:
        # A schedule removed from SCHEDULES must not live on in the job store.
        for job in scheduler.get_jobs():
            if job.id not in known:
                logger.info("removing the old job %s", job.id)
                job.remove()

    return prune


def new_holder() -> str:
    """hostname:pid:random — unique per runner, readable in the leases table."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class SchedulerRunner:
    """Wait for the lease, run the scheduler while holding it, until ``stop()``."""

    def __init__(self, app: Flask, *, ttl: int | None = None, renew_every: float | None = None,
                 poll_every: float | None = None, schedules: Iterable[Schedule] = SCHEDULES
                 ) -> None:
        self.app = app
        self.ttl = ttl or app.config["SETTINGS"].scheduler_lease_seconds
        self.renew_every = renew_every or self.ttl / 3
        self.poll_every = poll_every or self.ttl / 4
        self.schedules = tuple(schedules)
        self.holder = new_holder()
        self.leading = threading.Event()
        self._stop = threading.Event()
        self._scheduler: BaseScheduler | None = None

    def run(self) -> None:
        """Block: standby or leading, until stopped (Ctrl-C or ``stop()``)."""
        jobs.bind_app(self.app)
        logger.info("scheduler %s starting", self.holder)
        try:
            while not self._stop.is_set():
                if self._take_lease():
                    self._lead()
                else:
                    self._stop.wait(self.poll_every)
        finally:
            self._release()
            logger.info("scheduler %s stopped", self.holder)

    def stop(self) -> None:
        self._stop.set()
        _shutdown(self._scheduler)

    def _lead(self) -> None:
        logger.info("scheduler %s holds the lease: running the jobs", self.holder)
        executor = ThreadPoolExecutor(max_workers=2)
        store_engine = create_engine(self.app.config["SETTINGS"].database_url)
        scheduler = build_scheduler(self.app, store_engine, self.schedules, executor=executor)
        done = threading.Event()
        keeper = threading.Thread(target=self._keep, args=(scheduler, done),
                                  name="scheduler-lease", daemon=True)
        self._scheduler = scheduler
        jobs.LEADERS[self.holder] = self.ttl
        self.leading.set()
        keeper.start()
        try:
            if not self._stop.is_set():
                scheduler.start()  # blocks until shut down
        finally:
            self.leading.clear()
            jobs.LEADERS.pop(self.holder, None)
            self._scheduler = None
            _shutdown(scheduler)
            # A job still running finishes its transaction before this runner
            # stands by or exits: no job is cut off halfway, no connection is left open.
            executor.shutdown(wait=True)
            # The job store's own shutdown disposes of its pool while the main loop
            # may still take one more connection; the loop has ended by now.
            store_engine.dispose()
            done.set()
            keeper.join()

    def _keep(self, scheduler: BaseScheduler, done: threading.Event) -> None:
        while not done.wait(self.renew_every):
            if self._stop.is_set() or not self._take_lease():
                logger.warning("scheduler %s lost the lease: standing by", self.holder)
                jobs.LEADERS.pop(self.holder, None)
                _shutdown(scheduler)
                return

    def _take_lease(self) -> bool:
        try:
            with self.app.app_context():
                taken = leases.acquire(db.session, jobs.SCHEDULER_LEASE, self.holder, self.ttl,
                                       self.app.extensions[hubtime.EXTENSION].now())
                db.session.commit()
                return taken
        except Exception:
            # The database is away: behave as if the lease were lost.
            logger.exception("scheduler %s could not reach the lease", self.holder)
            return False

    def _release(self) -> None:
        try:
            with self.app.app_context():
                leases.release(db.session, jobs.SCHEDULER_LEASE, self.holder)
                db.session.commit()
        except Exception:
            logger.exception("scheduler %s could not release the lease", self.holder)


def _shutdown(scheduler: BaseScheduler | None) -> None:
    if scheduler is not None and scheduler.running:
        try:
            scheduler.shutdown(wait=False)
        except Exception:  # it may have stopped in between: nothing left to do
            logger.debug("scheduler already stopped")
