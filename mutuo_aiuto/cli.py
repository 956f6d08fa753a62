"""Flask commands: ``flask --app mutuo_aiuto seed-demo``, ``create-user``, …

Each command is a thin shell around a service: parse options, call, commit, echo.
"""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import with_appcontext

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import MEMBER, ROLES

# ---- accounts commands (create-user) ----------------------------------------


@click.command("create-user")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), default=MEMBER.value, show_default=True)
@click.option("--name", default=None, help="Display name (default: the part of EMAIL before @).")
@click.option("--locale", type=click.Choice(list(LANGUAGES)), default="it", show_default=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="For scripts; asked twice, hidden, when not given.")
@with_appcontext
def create_user_command(email: str, role: str, name: str | None, locale: str,
                        password: str) -> None:
    """Create an account, e.g. the first administrator or a facilitator."""
    from flask_babel import force_locale

    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import accounts
    from mutuo_aiuto.services.errors import DomainError

    # Outside a request the language cannot be chosen per reader: English for operators.
    with force_locale("en"):
        try:
            user = accounts.create_user(db.session, email=email, password=password,
                                        name=name or email.partition("@")[0], role=role,
                                        locale=locale)
        except DomainError as error:
            db.session.rollback()
            raise click.ClickException(str(error.message)) from error
        db.session.commit()
    click.echo(f"Created {user.role} {user.email} (name {user.name!r}, language {user.locale}, "
               f"id {user.public_id}).")


# ---- demo data commands (seed-demo) -----------------------------------------


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True,
              help="Do nothing when any account exists (the accounts are still listed).")
@with_appcontext
def seed_demo_command(if_empty: bool) -> None:
    """Load the Perugia demo data; running it again adds nothing twice."""
    from flask import current_app

    from mutuo_aiuto.config import PRODUCTION
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import demo, demo_history, hubtime, matching_runs
    from mutuo_aiuto.services.figures import snapshots as figure_snapshots

    if current_app.config["SETTINGS"].environment == PRODUCTION:
        # The demo accounts share a password published in the README, and one is an
        # administrator: in production they would be open doors.
        raise click.ClickException(
            "seed-demo refuses to run with ENVIRONMENT=production: the demo accounts "
            "(an administrator among them) share the password published in the README.")
    if if_empty and demo.has_users(db.session):
        click.echo("The database already has accounts: demo data not loaded.")
    else:
        settings = current_app.config["SETTINGS"]
        today = current_app.extensions[hubtime.EXTENSION].today()
        summary = demo.seed_demo(db.session, today, settings.privacy_notice_version)
        # Eighteen months of the Hub's past, so the impact pages show shapes.
        history = demo_history.seed_history(db.session, today, settings.privacy_notice_version,
                                            demo.facilitator(db.session))
        db.session.commit()
        # A first look at the facilitator's queue finds proposals and the reasons a
        # request has none, instead of waiting for the night's run.
        clock = current_app.extensions[hubtime.EXTENSION]
        matching_runs.run_full(db.session, now=clock.now(), kind="manual")
        db.session.commit()
        # And the funder's figures, so the impact pages and downloads have them at once
        # (afterwards the scheduler refreshes them every night).
        figure_snapshots.refresh(db.session, clock, clock.now())
        db.session.commit()
        click.echo(f"Demo data: added {summary.neighbourhoods} neighbourhoods, "
                   f"{summary.categories} categories, {summary.skills} skills, "
                   f"{summary.households} households, {summary.needs} requests, "
                   f"{summary.offers} offers, {summary.users} accounts, "
                   f"{summary.past_pairings} pairings closed in the past months and "
                   f"{summary.running_pairings} under way, "
                   f"{summary.associations} associations, {summary.activities} group "
                   f"activities and {summary.group_meetings} of their meetings; "
                   f"a history of {history.requests} requests and {history.pairings} "
                   f"pairings over {demo_history.MONTHS} months.")
    echo_demo_accounts(demo.DEMO_ACCOUNTS)


def echo_demo_accounts(accounts: tuple) -> None:
    """The accounts to try, as a small table (`make run` shows it on start)."""
    rows = [("email", "role", "password")] + [(a.email, a.role, a.password) for a in accounts]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    click.echo("Demo accounts:")
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        click.echo(("  " + "  ".join(cells)).rstrip())


@click.command("seed-scale")
@click.option("--households", type=click.IntRange(1, 200_000), default=10_000,
              show_default=True)
@click.option("--seed", type=int, default=1, show_default=True,
              help="The same seed, the same city.")
@with_appcontext
def seed_scale_command(households: int, seed: int) -> None:
    """Add a generated city to measure at scale: demo data, families, a year of history."""
    from flask import current_app
    from sqlalchemy import text

    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import hubtime, scale_data

    settings = current_app.config["SETTINGS"]
    if settings.environment == "production":
        # Thousands of accounts with the published demo password: never on real data.
        raise click.ClickException("seed-scale is for measuring: not in production.")
    today = current_app.extensions[hubtime.EXTENSION].today()
    try:
        summary = scale_data.seed_scale(db.session, households, today, seed=seed,
                                        consent_version=settings.privacy_notice_version)
    except scale_data.ScaleDataExists as error:
        db.session.rollback()
        raise click.ClickException(f"{error}: use an empty database.") from error
    db.session.commit()
    if db.session.get_bind().dialect.name == "postgresql":
        # Bulk-loaded tables have no planner statistics until autovacuum comes by (never,
        # where it is off): without them PostgreSQL guesses and reads every match to find
        # a family's few (a confirmation took 20 ms more for one such query at 10,000).
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    for table, count in sorted(summary.rows.items()):
        click.echo(f"  {table}: {count}")
    click.echo(f"Scale data: {households} households added in {summary.seconds:.1f} s "
               f"({sum(summary.rows.values())} rows; every account's password is "
               f"the demo password). The nightly matching run makes the proposals.")


@click.command("create-database")
@with_appcontext
def create_database_command() -> None:
    """Create the database of DATABASE_URL if it does not exist (then run `db upgrade`)."""
    from mutuo_aiuto.services.database import ensure_database

    url = _database_url()
    created = ensure_database(url)
    name = url.rsplit("/", 1)[-1]
    click.echo(f"Database {name}: {'created' if created else 'already there'}.")


# ---- scheduler commands ------------------------------------------------------


def lower_priority(nice: int) -> int:
    """Lower this process's CPU priority by ``nice`` (not below the lowest); returns the
    niceness it then has. Where the system has no ``os.nice`` nothing changes."""
    import os

    if not hasattr(os, "nice"):
        return 0
    current = os.nice(0)
    return os.nice(max(0, min(nice, 19 - current)))


@click.command("scheduler")
@click.option("--lease-seconds", type=click.IntRange(5, 3600), default=None,
              help="How long the lease lasts without renewal (default: SCHEDULER_LEASE_SECONDS).")
@with_appcontext
def scheduler_command(lease_seconds: int | None) -> None:
    """Run the scheduled jobs; a second scheduler waits in standby. Ctrl-C stops."""
    import logging
    import signal

    from flask import current_app

    from mutuo_aiuto.scheduler import SchedulerRunner

    # A process of its own: its log (jobs run, lease taken or lost) goes to stderr.
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s %(message)s")
    lower_priority(current_app.config["SETTINGS"].scheduler_nice)
    runner = SchedulerRunner(current_app._get_current_object(),  # type: ignore[attr-defined]
                             ttl=lease_seconds)
    # `make run` stops the scheduler with SIGTERM: end as cleanly as on Ctrl-C.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    click.echo(f"Scheduler {runner.holder}: waiting for the lease (Ctrl-C stops).")
    try:
        runner.run()
    except KeyboardInterrupt:
        runner.stop()
    click.echo("Scheduler stopped.")


@click.command("run-job")
@click.argument("name")
@with_appcontext
def run_job_command(name: str) -> None:
    """Run one scheduled job once, now (e.g. `flask run-job expire_ends`)."""
    from mutuo_aiuto import jobs

    if name not in jobs.TASKS:
        raise click.BadParameter(f"choose one of: {', '.join(sorted(jobs.TASKS))}",
                                 param_hint="NAME")
    result = jobs.run_task(name)
    click.echo(f"{name}: {result}")


# ---- mail commands (outbox-retry) --------------------------------------------


@click.command("outbox-retry")
@click.argument("public_id", required=False)
@click.option("--all", "every", is_flag=True,
              help="Retry every mail and text message that was given up.")
@with_appcontext
def outbox_retry_command(public_id: str | None, every: bool) -> None:
    """Send again mails and texts the outboxes gave up: one (its id) or --all; the
    scheduler delivers them."""
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import outbox, sms_outbox

    if every == (public_id is not None):
        raise click.UsageError("give either the id of one mail or text, or --all")
    mails = outbox.retry(db.session, public_id)
    texts = sms_outbox.retry_sms(db.session, public_id)
    db.session.commit()
    if public_id is not None and not mails + texts:
        raise click.ClickException(f"no given-up mail or text has the id {public_id}")
    click.echo(f"{mails} mail(s) and {texts} text message(s) queued again; the scheduler "
               f"delivers them within a minute.")


# ---- security commands (rotate-keys, backup, restore) ------------------------


@click.command("rotate-keys")
@with_appcontext
def rotate_keys_command() -> None:
    """Re-encrypt every encrypted field with the first key of ENCRYPTION_KEYS.

    Put the new key first, keep the old ones after it, run this, then drop the
    old keys from ENCRYPTION_KEYS. Safe while the service runs: row by row, an
    edit made meanwhile is kept.
    """
    from flask import current_app

    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.models.types import CRYPTO_EXTENSION
    from mutuo_aiuto.services import audit, keys

    try:
        summary = keys.rotate(db.session, db.metadata, current_app.extensions[CRYPTO_EXTENSION])
    except (keys.UnreadableValue, keys.RowKeepsChanging) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from error
    audit.record(db.session, None, audit.KEYS_ROTATED, details={"values": summary.total})
    db.session.commit()
    for column, count in sorted(summary.counts.items()):
        click.echo(f"  {column}: {count}")
    click.echo(f"Re-encrypted {summary.total} values with the first key.")


@click.command("refresh-phone-lookups")
@with_appcontext
def refresh_phone_lookups_command() -> None:
    """Recompute which mobile number opens which account (phone sign-in).

    The lookup hashes are keyed with a key derived from SECRET_KEY: run this
    after changing SECRET_KEY, or phone sign-in finds no account.
    """
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import phone_lookup

    linked = phone_lookup.refresh_all(db.session)
    db.session.commit()
    click.echo(f"{linked} accounts can sign in with their mobile number.")


def _database_url() -> str:
    from mutuo_aiuto.extensions import db

    # The engine's URL: Flask-SQLAlchemy has already made SQLite paths absolute.
    return db.engine.url.render_as_string(hide_password=False)


@click.command("backup")
@click.argument("path", type=click.Path(dir_okay=False))
@with_appcontext
def backup_command(path: str) -> None:
    """Write a consistent copy of the database to PATH (a new file)."""
    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.services import audit, backup

    try:
        result = backup.backup(_database_url(), path)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    audit.record(db.session, None, audit.BACKUP_MADE, details={"kind": result.kind})
    db.session.commit()
    click.echo(f"Backup written to {result.path} ({result.size} bytes, {result.kind}).")


@click.command("restore")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.confirmation_option(prompt="Replace the whole database with this backup?")
@with_appcontext
def restore_command(path: str) -> None:
    """Replace the database's content with the backup at PATH (stop the app first).

    Refused, changing nothing, when ENCRYPTION_KEYS cannot open every encrypted
    value of the backup.
    """
    from flask import current_app

    from mutuo_aiuto.extensions import db
    from mutuo_aiuto.models.types import CRYPTO_EXTENSION
    from mutuo_aiuto.services import audit, backup, keys

    url = _database_url()
    fernet = current_app.extensions[CRYPTO_EXTENSION]
    encrypted = {table.name: [column.name for column in columns]
                 for table, columns in keys.encrypted_columns(db.metadata)}
    # No connection of ours may hold the database while it is replaced.
    db.session.remove()  # type: ignore[attr-defined]  # a scoped session (extensions._Database)
    db.engine.dispose()
    try:
        result = backup.restore(url, path, encrypted=encrypted,
                                keys_open=lambda token: keys.decrypts(fernet, token))
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from error
    db.engine.dispose()
    audit.record(db.session, None, audit.BACKUP_RESTORED, details={"kind": result.kind})
    db.session.commit()
    click.echo(f"Database restored from {result.path} ({result.kind}).")


def init_app(app: Flask) -> None:
    """Register every command of the app."""
    app.cli.add_command(create_user_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(seed_scale_command)
    app.cli.add_command(create_database_command)
    app.cli.add_command(scheduler_command)
    app.cli.add_command(run_job_command)
    app.cli.add_command(outbox_retry_command)
    app.cli.add_command(rotate_keys_command)
    app.cli.add_command(refresh_phone_lookups_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
