"""Backups: ``flask backup`` and ``flask restore`` give back every row, on SQLite and PostgreSQL."""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

import pytest
from cryptography.fernet import Fernet
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import AuditEvent, Household, Match, Need
from mutuo_aiuto.services import audit
from mutuo_aiuto.services import backup as backups
from tests import factories


def _seed() -> None:
    household = factories.make_household(db.session, care_notes="Allergia alle noci")
    need = factories.make_need(db.session, household=household, description="Testo riservato")
    db.session.add(Match(need=need, offer=factories.make_offer(db.session), status="active",
                         hours=2.5))
    audit.record(db.session, None, audit.CONTACTS_VIEWED, target=household)
    db.session.commit()


def _snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, as stored (ciphertext included), in a stable order."""
    rows = {}
    for table in db.metadata.sorted_tables:
        result = db.session.execute(select(table).order_by(*table.primary_key.columns))
        rows[table.name] = [tuple(row) for row in result]
    db.session.rollback()
    return rows


def _damage() -> None:
    db.session.execute(Need.__table__.delete())
    db.session.execute(Match.__table__.delete())
    household = db.session.scalars(select(Household)).first()
    household.name = "Cambiato"
    household.phone = None
    db.session.commit()


def _round_trip(app, path: Path) -> None:
    runner = app.test_cli_runner()
    with app.app_context():
        _seed()
        before = _snapshot()
        result = runner.invoke(args=["backup", str(path)])
        assert result.exit_code == 0, result.output
        assert path.is_file() and path.stat().st_size > 0
        _damage()
        assert _snapshot() != before
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        db.session.remove()
        after = _snapshot()
    # The audit trail gains the restore itself; everything else is as it was.
    audit_table = AuditEvent.__tablename__
    assert {k: v for k, v in after.items() if k != audit_table} == {
        k: v for k, v in before.items() if k != audit_table}
    assert after[audit_table][:len(before[audit_table])] == before[audit_table]
    with app.app_context():
        actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
        household = db.session.scalars(select(Household)).first()
        assert household.care_notes == "Allergia alle noci"  # still readable with the keys
    # The backup was taken before its own record was written: the restore brings back
    # the trail as it was then, and adds its own record.
    assert actions == [audit.CONTACTS_VIEWED, audit.BACKUP_RESTORED]


def test_sqlite_round_trip_loses_nothing(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    _round_trip(app, tmp_path / "backups" / "copy.sqlite3")


def test_backup_refuses_to_overwrite_a_file(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    existing = tmp_path / "taken.sqlite3"
    existing.write_text("keep me")
    result = app.test_cli_runner().invoke(args=["backup", str(existing)])
    assert result.exit_code == 1 and "already exists" in result.output
    assert existing.read_text() == "keep me"


def test_restore_refuses_a_file_that_is_not_a_backup(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with app.app_context():
        _seed()
        before = _snapshot()
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database" * 100)
    result = app.test_cli_runner().invoke(args=["restore", str(junk), "--yes"])
    assert result.exit_code == 1 and "not an SQLite database" in result.output
    with app.app_context():
        assert _snapshot() == before


def _restore_with_another_key(make_app, database_url: str, path: Path) -> None:
    app = make_app(database_url=database_url)
    with app.app_context():
        _seed()
        assert app.test_cli_runner().invoke(args=["backup", str(path)]).exit_code == 0
        _damage()
        db.engine.dispose()
    # The backup's key was lost: the app runs with another one.
    stranger = make_app(create_schema=False, database_url=database_url,
                        encryption_keys=(Fernet.generate_key().decode(),))
    with stranger.app_context():
        before = _snapshot()
        db.session.remove()
        db.engine.dispose()
    result = stranger.test_cli_runner().invoke(args=["restore", str(path), "--yes"])
    assert result.exit_code == 1
    assert "cannot open" in result.output and "households.care_notes: 1" in result.output
    assert "Nothing was restored" in result.output
    with stranger.app_context():
        assert _snapshot() == before
        db.engine.dispose()


def test_restore_refuses_a_backup_the_keys_cannot_open(make_app, tmp_path):
    _restore_with_another_key(make_app, f"sqlite:///{tmp_path / 'live.sqlite3'}",
                              tmp_path / "copy.sqlite3")


def test_restore_asks_for_confirmation(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    result = app.test_cli_runner().invoke(args=["restore", __file__], input="n\n")
    assert result.exit_code == 1 and "Aborted" in result.output


def test_postgres_options_keep_the_password_off_the_command_line():
    url = make_url("postgresql+psycopg://hub:s3cret@db.example:5433/mutuo?sslmode=require")
    options = backups._pg_options(url)
    assert options == ["--host", "db.example", "--port", "5433", "--username", "hub",
                       "--no-password", "--dbname", "mutuo"]
    assert "s3cret" not in " ".join(options)
    environment = backups._pg_environment(url)
    assert environment["PGPASSWORD"] == "s3cret" and environment["PGSSLMODE"] == "require"


def test_other_databases_are_refused():
    with pytest.raises(backups.BackupError, match="not supported"):
        backups.backup("mysql://x@localhost/db", "/tmp/never-written")


@pytest.fixture
def scratch_postgres(postgres_url):
    """A database of its own on the test server: restoring must not touch anyone else's."""
    server = make_url(postgres_url).set(drivername="postgresql+psycopg")
    name = f"mutuo_backup_{secrets.token_hex(4)}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield server.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.mark.postgres
def test_postgres_round_trip_loses_nothing(scratch_postgres, make_app, tmp_path):
    # scratch_postgres first: its database must outlive the app's own clean-up.
    app = make_app(database_url=scratch_postgres)
    _round_trip(app, tmp_path / "copy.dump")
    with app.app_context():
        db.engine.dispose()


@pytest.mark.postgres
def test_postgres_restore_refuses_a_backup_the_keys_cannot_open(scratch_postgres, make_app,
                                                                 tmp_path):
    _restore_with_another_key(make_app, scratch_postgres, tmp_path / "copy.dump")


def test_a_backup_is_audited(make_app, tmp_path):
    app = make_app(database_url=f"sqlite:///{tmp_path / 'live.sqlite3'}")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite3")])
        assert result.exit_code == 0, result.output
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == audit.BACKUP_MADE)).all()
    assert [event.details for event in events] == [{"kind": "sqlite"}]


def test_a_postgres_restore_leaves_tables_created_after_the_backup_alone(
        scratch_postgres, make_app, tmp_path):
    app = make_app(database_url=scratch_postgres)
    path = tmp_path / "copy.dump"
    runner = app.test_cli_runner()
    with app.app_context():
        _seed()
        assert runner.invoke(args=["backup", str(path)]).exit_code == 0
        with db.engine.begin() as connection:
            connection.execute(text("CREATE TABLE made_later (id integer PRIMARY KEY)"))
            connection.execute(text("INSERT INTO made_later VALUES (7)"))
        result = runner.invoke(args=["restore", str(path), "--yes"])
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT id FROM made_later")).scalars().all() == [7]
        db.engine.dispose()
