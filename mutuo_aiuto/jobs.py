"""Scheduled jobs: thin functions that open an app context, call a service and commit.

``scheduler.py`` refers to the module-level functions below by their import
path ("mutuo_aiuto.jobs:expire_ends"), so the job store keeps no objects. Each
of them runs only while this process holds the scheduler lease (belt and
braces: the lease already keeps a second scheduler in standby). Every job is
idempotent: run twice, the second run changes nothing.

``run_task(name)`` runs one job at once without the lease check, for the
``flask run-job`` command and for tests.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import hubtime
from mutuo_aiuto.services.hubtime import HubClock

if TYPE_CHECKING:
    from flask import Flask
    from sqlalchemy.orm import Session

    from mutuo_aiuto.config import Settings

logger = logging.getLogger("mutuo_aiuto.jobs")

SCHEDULER_LEASE = "scheduler"
# The lease holders that run a scheduler in this process (see scheduler.py),
# each with its lease's time to live in seconds.
LEADERS: dict[str, int] = {}

_app: Flask | None = None
_app_lock = threading.Lock()


def bind_app(app: Flask | None) -> None:
    """Use this app for jobs run outside an app context (the scheduler's threads)."""
    global _app
    _app = app


def get_app() -> Flask:
    """The app jobs run in: the bound one, or one built from the environment once."""
    global _app
    with _app_lock:
        if _app is None:
            from mutuo_aiuto import create_app

            _app = create_app()
        return _app


@dataclass(frozen=True)
class Context:
    session: Session
    settings: Settings
    now: datetime
    clock: HubClock

    @property
    def today(self) -> date:
        return self.clock.date_of(self.now)


TASKS: dict[str, Callable[[Context], Any]] = {}


def task(name: str) -> Callable[[Callable[[Context], Any]], Callable[[Context], Any]]:
    def register(function: Callable[[Context], Any]) -> Callable[[Context], Any]:
        TASKS[name] = function
        return function

    return register


def run_task(name: str, now: datetime | None = None, scheduled: bool = False) -> Any:
    """Run one job and commit; on any error roll back, log and re-raise."""
    from flask import current_app, has_app_context

    context: AbstractContextManager[Any] = (
        nullcontext() if has_app_context() else get_app().app_context())
    with context:
        session = db.session
        clock = current_app.extensions[hubtime.EXTENSION]
        now = now or clock.now()
        try:
            if scheduled and not _leading(session, now):
                logger.warning("job %s skipped: this process does not hold the lease", name)
                return None
            result = TASKS[name](Context(session, current_app.config["SETTINGS"], now, clock))
            session.commit()
        except Exception:
            session.rollback()
            logger.exception("job %s failed", name)
            raise
    logger.info("job %s done: %s", name, result)
    return result


def _leading(session: Session, now: datetime) -> bool:
    """Whether this process holds the scheduler lease.

    A lease of ours that lapsed because its renewal was held up (a busy
    machine, a long pause) is renewed here if nobody took it meanwhile, so a
    daily job is not lost to a late heartbeat; once another runner holds it,
    this process runs nothing.
    """
    from mutuo_aiuto.services.leases import current_holder, renew

    if current_holder(session, SCHEDULER_LEASE, now) in LEADERS:
        return True
    return any(renew(session, SCHEDULER_LEASE, holder, ttl, now)
               for holder, ttl in list(LEADERS.items()))


# ---- the jobs -------------------------------------------------------------------


@task("deliver_mail")
def _deliver_mail(ctx: Context) -> int:
    from mutuo_aiuto.services.outbox import deliver_pending

    return deliver_pending(ctx.session, ctx.settings, ctx.now)


@task("deliver_sms")
def _deliver_sms(ctx: Context) -> int:
    from mutuo_aiuto.services.sms_outbox import deliver_pending_sms

    return deliver_pending_sms(ctx.session, ctx.settings, ctx.now)


@task("expire_unanswered")
def _expire_unanswered(ctx: Context) -> Any:
    from mutuo_aiuto.services import matches

    return matches.expire_unanswered(ctx.session, ctx.now)


@task("nightly_matching")
def _nightly_matching(ctx: Context) -> Any:
    from mutuo_aiuto.services import matching_runs

    if _full_run_since(ctx.session, ctx.now, ctx.clock):
        return "already ran today"
    run = matching_runs.run_full(ctx.session, now=ctx.now)
    return getattr(run, "id", run)


@task("propose_queued")
def _propose_queued(ctx: Context) -> int:
    # Offers posted or changed since the last minute: their fitting needs are
    # re-proposed here, out of the web request (the nightly run does it too); so are
    # the requests a helper declined or left unanswered.
    from mutuo_aiuto.services import matching_runs

    return matching_runs.run_queued(ctx.session, today=ctx.today, now=ctx.now)


def _full_run_since(session: Session, now: datetime, clock: HubClock) -> bool:
    """Whether a full run already started today (the Hub's day): once a night is enough."""
    from sqlalchemy import select

    from mutuo_aiuto.models import MatchingRun

    midnight = clock.start_of(clock.date_of(now))
    return session.scalar(select(MatchingRun.id).where(
        MatchingRun.kind == "full", MatchingRun.started_at >= midnight).limit(1)) is not None


@task("refresh_figures")
def _refresh_figures(ctx: Context) -> Any:
    # The programme's figures for the impact page and the downloads, computed here
    # because they grow with the data (seconds at 2,000 households); after the night's
    # matching run, so that the morning's figures include it.
    from sqlalchemy import func, select

    from mutuo_aiuto.models import MatchingRun
    from mutuo_aiuto.services.figures import snapshots

    # Once a night is enough: computed today after the last full run, they are fresh.
    last_run = ctx.session.scalar(select(func.max(MatchingRun.finished_at)).where(
        MatchingRun.kind == "full"))
    since = ctx.clock.start_of(ctx.today)
    if last_run is not None:
        since = max(since, hubtime.aware(last_run))
    done = snapshots.computed_at(ctx.session)
    if done is not None and hubtime.aware(done) >= since:
        return "already fresh"
    return len(snapshots.refresh(ctx.session, ctx.clock, ctx.now))


@task("refresh_queued_figures")
def _refresh_queued_figures(ctx: Context) -> int:
    # A facilitator's "Refresh the figures now" (or a page that found none).
    from mutuo_aiuto.services.figures import snapshots

    return snapshots.refresh_queued(ctx.session, ctx.clock, ctx.now)


@task("refresh_impact_overview")
def _refresh_impact_overview(ctx: Context) -> int:
    # The impact page's default figures, so that the page does not read a year of
    # pairings each time a facilitator opens it.
    from mutuo_aiuto.services import impact_overviews

    return impact_overviews.refresh(ctx.session, ctx.clock, ctx.now)


@task("plan_follow_ups")
def _plan_follow_ups(ctx: Context) -> int:
    from mutuo_aiuto.services.followups import plan_follow_ups

    return plan_follow_ups(ctx.session, ctx.settings.follow_up_first_days,
                           ctx.settings.follow_up_every_days)


@task("remind_follow_ups")
def _remind_follow_ups(ctx: Context) -> int:
    from mutuo_aiuto.services.followups import remind_due_follow_ups

    return remind_due_follow_ups(ctx.session, ctx.today, ctx.now)


@task("expire_ends")
def _expire_ends(ctx: Context) -> Any:
    from mutuo_aiuto.services.expiry import expire_ends

    return expire_ends(ctx.session, ctx.today, ctx.now)


@task("end_activities")
def _end_activities(ctx: Context) -> int:
    from mutuo_aiuto.services.activities import end_finished

    return len(end_finished(ctx.session, ctx.today, ctx.now))


@task("expiry_notices")
def _expiry_notices(ctx: Context) -> int:
    from mutuo_aiuto.services.expiry import send_expiry_notices

    return send_expiry_notices(ctx.session, ctx.today, ctx.settings.expiry_notice_days)


@task("vetting_warnings")
def _vetting_warnings(ctx: Context) -> int:
    from mutuo_aiuto.services.vetting import warn_expiring

    return warn_expiring(ctx.session, ctx.today, ctx.now, ctx.settings.vetting_warn_days)


@task("leader_checks")
def _leader_checks(ctx: Context) -> int:
    from mutuo_aiuto.services.activities import tell_leaders_waiting

    return tell_leaders_waiting(ctx.session, ctx.today, ctx.now)


@task("daily_digest")
def _daily_digest(ctx: Context) -> int:
    from mutuo_aiuto.services.digest import send_digests

    return send_digests(ctx.session, ctx.now, ctx.today)


@task("session_reminders")
def _session_reminders(ctx: Context) -> int:
    from mutuo_aiuto.services.reminders import send_due_reminders

    return send_due_reminders(ctx.session, ctx.now, ctx.clock)


@task("purge_expired")
def _purge_expired(ctx: Context) -> Any:
    # Retention (issue 6): blank what is older than RETENTION_MONTHS; idempotent.
    from dataclasses import asdict

    from mutuo_aiuto.services.gdpr.retention import purge_expired

    return asdict(purge_expired(ctx.session, ctx.now, ctx.settings.retention_months))


# ---- what the scheduler calls (by import path) ------------------------------------


def deliver_mail() -> None:
    run_task("deliver_mail", scheduled=True)


def deliver_sms() -> None:
    run_task("deliver_sms", scheduled=True)


def expire_unanswered() -> None:
    run_task("expire_unanswered", scheduled=True)


def nightly_matching() -> None:
    run_task("nightly_matching", scheduled=True)


def propose_queued() -> None:
    run_task("propose_queued", scheduled=True)


def refresh_figures() -> None:
    run_task("refresh_figures", scheduled=True)


def refresh_queued_figures() -> None:
    run_task("refresh_queued_figures", scheduled=True)


def refresh_impact_overview() -> None:
    run_task("refresh_impact_overview", scheduled=True)


def plan_follow_ups() -> None:
    run_task("plan_follow_ups", scheduled=True)


def remind_follow_ups() -> None:
    run_task("remind_follow_ups", scheduled=True)


def expire_ends() -> None:
    run_task("expire_ends", scheduled=True)


def end_activities() -> None:
    run_task("end_activities", scheduled=True)


def expiry_notices() -> None:
    run_task("expiry_notices", scheduled=True)


def vetting_warnings() -> None:
    run_task("vetting_warnings", scheduled=True)


def leader_checks() -> None:
    run_task("leader_checks", scheduled=True)


def daily_digest() -> None:
    run_task("daily_digest", scheduled=True)


def session_reminders() -> None:
    run_task("session_reminders", scheduled=True)


def purge_expired() -> None:
    run_task("purge_expired", scheduled=True)
