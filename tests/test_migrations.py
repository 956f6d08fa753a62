"""Migrations: upgrade gives the models' schema, downgrade to base removes it all.

Runs on SQLite, and on PostgreSQL when TEST_DATABASE_URL points there.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, inspect
from sqlalchemy import select as sa_select

from mutuo_aiuto.extensions import db, include_in_migrations


@pytest.fixture
def bare_app(make_app) -> Iterator[Flask]:
    """An app whose database has no tables at all: migrations build everything."""
    app = make_app(create_schema=False)
    with app.app_context():
        _drop_every_table()
        yield app
        db.session.remove()
        downgrade(revision="base")
        _drop_alembic_version()
        db.engine.dispose()


def _drop_every_table() -> None:
    """Ours and any other (alembic_version, APScheduler's job table left by an earlier
    test on this database)."""
    everything = MetaData()
    everything.reflect(db.engine)
    everything.drop_all(db.engine)


def _drop_alembic_version() -> None:
    with db.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")


def _differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={
            "compare_type": True, "include_object": include_in_migrations})
        return compare_metadata(context, db.metadata)


def _tables() -> set[str]:
    return set(inspect(db.engine).get_table_names()) - {"alembic_version"}


def test_upgrade_gives_the_models_schema(bare_app):
    upgrade()
    assert _tables() == set(db.metadata.tables)
    assert _differences() == []


def test_downgrade_to_base_removes_every_table(bare_app):
    upgrade()
    downgrade(revision="base")
    assert _tables() == set()


def test_every_step_downgrades_and_upgrades_again(bare_app):
    from alembic.script import ScriptDirectory

    config = bare_app.extensions["migrate"].migrate.get_config()
    revisions = list(ScriptDirectory.from_config(config).walk_revisions("base", "heads"))
    upgrade()
    for _ in revisions:
        downgrade(revision="-1")
    assert _tables() == set()
    upgrade()
    assert _differences() == []


def test_audit_trail_is_append_only_in_postgresql_itself(bare_app):
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    if db.engine.dialect.name != "postgresql":
        pytest.skip("a database trigger on PostgreSQL; SQLite relies on the ORM guard")
    upgrade()
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO audit_events (at, action, details) VALUES (now(), 'test', '{}')"))
    for statement in ("UPDATE audit_events SET action = 'rewritten'", "DELETE FROM audit_events"):
        with pytest.raises(DBAPIError, match="append-only"), db.engine.begin() as connection:
            connection.execute(text(statement))


def test_outbox_migration_gives_ids_and_redacts_sent_tokens(bare_app):
    """Mails sent before issue 13 kept live reset and confirmation links: no longer."""
    from sqlalchemy import text

    token = (".eJyrVipVslJKTEpOSU1Lz8jMys5R0lFKAwoZGBoZm5iamVtYQiRhfKVaAIggDlA"
             ".axQYTA.MfMv7uf2c3TTr-AdjW8FwhYCmAI")
    upgrade(revision="3f1c2a7b9d10")
    with db.engine.begin() as connection:
        for sent_at in ("2026-12-01 09:00:00", None):
            connection.execute(text(
                "INSERT INTO outbox_messages (recipient, subject, body, created_at, sent_at, "
                "attempts) VALUES ('a@example.org', 's', :body, '2026-12-01 08:00:00', :sent, 0)"),
                {"body": f"https://hub.example/reset/{token}", "sent": sent_at})
    upgrade(revision="9b2e4d7a1c30")
    with db.engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT public_id, body, kind FROM outbox_messages ORDER BY id")).all()
    assert len({row.public_id for row in rows}) == 2 and all(row.public_id for row in rows)
    assert token not in rows[0].body and "[token removed, sha256:" in rows[0].body
    assert token in rows[1].body  # not sent yet: it still has to leave
    assert {row.kind for row in rows} == {"mail"}


def test_accounts_made_before_the_question_come_for_both(bare_app):
    """Issue 11: sign-up asks need/give/both; older accounts could ask and offer, so they
    keep both, and the column refuses anything else."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    upgrade(revision="5e2b8c1f4a70")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (public_id, email, password_hash, name, locale, role, active, "
            "session_version, created_at) VALUES ('u-before-11', 'a@example.org', 'x', 'A', "
            "'it', 'member', true, 1, '2026-12-01 08:00:00')"))
    upgrade(revision="b7d3e5a9c1f2")
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT comes_for FROM users")).scalar_one() == "both"
    with pytest.raises(IntegrityError), db.engine.begin() as connection:
        connection.execute(text("UPDATE users SET comes_for = 'staff'"))
    downgrade(revision="5e2b8c1f4a70")
    assert "comes_for" not in {c["name"] for c in inspect(db.engine).get_columns("users")}


def test_the_old_disability_tick_moves_into_the_consent_guarded_answer(bare_app):
    """Issue 14: a ticked "Has a disability" becomes the encrypted answer "yes" with a
    legacy consent dated when the household was made; an unticked box is no answer."""
    from sqlalchemy import text

    upgrade(revision="d4a1c8e2f6b3")
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (public_id, email, password_hash, name, locale, role, active, "
            "session_version, created_at, comes_for) VALUES ('u1', 'a@example.org', 'x', 'A', "
            "'it', 'member', true, 1, '2026-11-30 08:00:00', 'both')"))
        connection.execute(text(
            "INSERT INTO households (public_id, user_id, name, languages, version, created_at, "
            "updated_at) VALUES ('h1', (SELECT id FROM users), 'F', '[]', 1, "
            "'2026-11-30 09:00:00', '2026-11-30 09:00:00')"))
        for public_id, ticked in (("m-ticked", True), ("m-blank", False)):
            connection.execute(text(
                "INSERT INTO household_members (public_id, household_id, kind, has_disability) "
                "VALUES (:p, (SELECT id FROM households), 'adult', :t)"),
                {"p": public_id, "t": ticked})
    upgrade(revision="e5f2a7c91b04")
    with db.engine.connect() as connection:
        rows = {row.public_id: row for row in connection.execute(text(
            "SELECT public_id, disability, special_consent_at, special_consent_version "
            "FROM household_members"))}
    assert rows["m-ticked"].disability.startswith("gAAAA")  # encrypted at rest
    assert rows["m-ticked"].special_consent_version == "legacy-2026-11"
    assert str(rows["m-ticked"].special_consent_at).startswith("2026-11-30 09:00:00")
    assert (rows["m-blank"].disability, rows["m-blank"].special_consent_at) == (None, None)
    from mutuo_aiuto.models import Member
    assert {m.public_id: m.disability for m in db.session.scalars(
        sa_select(Member))} == {"m-ticked": "yes", "m-blank": None}
    db.session.remove()
    downgrade(revision="d4a1c8e2f6b3")
    with db.engine.connect() as connection:
        back = dict(connection.execute(text(
            "SELECT public_id, has_disability FROM household_members")).all())
    assert {key: bool(value) for key, value in back.items()} == {"m-ticked": True,
                                                                 "m-blank": False}
def test_phones_are_rewritten_in_e164_where_they_parse(bare_app):
    """Issue 16: stored phones that parse become E.164; any other stays as typed."""
    from sqlalchemy import column, insert, select, table

    from mutuo_aiuto.models.types import EncryptedText, utcnow

    upgrade(revision="d4a1c8e2f6b3")
    users = table("users", column("id"), column("public_id"), column("email"),
                  column("password_hash"), column("name"), column("locale"), column("role"),
                  column("active"), column("session_version"), column("created_at"))
    households = table("households", column("id"), column("public_id"), column("user_id"),
                       column("name"), column("languages"), column("version"),
                       column("created_at"), column("updated_at"),
                       column("phone", EncryptedText()))
    typed = ["333-123 4567", "+40 721 234 567", "call me", None]
    with db.engine.begin() as connection:
        for n, phone in enumerate(typed, start=1):
            connection.execute(insert(users).values(
                id=n, public_id=f"u{n}", email=f"p{n}@example.org", password_hash="x",
                name=f"P{n}", locale="it", role="member", active=True, session_version=1,
                created_at=utcnow()))
            connection.execute(insert(households).values(
                id=n, public_id=f"h{n}", user_id=n, name=f"F{n}", languages="[]", version=1,
                created_at=utcnow(), updated_at=utcnow(), phone=phone))
    upgrade(revision="e5b2d9f1a7c4")
    with db.engine.connect() as connection:
        phones = list(connection.scalars(select(households.c.phone).order_by(households.c.id)))
    assert phones == ["+393331234567", "+40721234567", "call me", None]
    downgrade(revision="d4a1c8e2f6b3")  # changes nothing, and works


def test_accounts_with_a_mobile_number_can_sign_in_by_phone_after_the_migration(bare_app):
    """Issue 16: existing households' mobile numbers (stored encrypted) become lookups;
    a landline, an unreadable number or a number already taken gets none."""
    from sqlalchemy import text

    from mutuo_aiuto.models.types import installed_fernet
    from mutuo_aiuto.services.phone_lookup import lookup_hash

    upgrade(revision="f3a8c6e1b942")
    phones = ("+393331234567", "+390751234567", "not a phone", "+393331234567")
    with db.engine.begin() as connection:
        for n, phone in enumerate(phones):
            connection.execute(text(
                "INSERT INTO users (id, public_id, email, password_hash, name, locale, role, "
                "active, session_version, created_at) VALUES (:n, :pid, :email, 'x', 'A', "
                "'it', 'member', true, 1, '2026-12-01 08:00:00')"),
                {"n": n + 1, "pid": f"u-phone-{n}", "email": f"p{n}@example.org"})
            connection.execute(text(
                "INSERT INTO households (public_id, user_id, name, languages, phone, version, "
                "created_at, updated_at) VALUES (:pid, :n, 'F', '[]', :phone, 1, "
                "'2026-12-01 08:00:00', '2026-12-01 08:00:00')"),
                {"pid": f"h-phone-{n}", "n": n + 1,
                 "phone": installed_fernet().encrypt(phone.encode()).decode()})
    upgrade()
    with db.engine.connect() as connection:
        lookups = connection.execute(text("SELECT phone_lookup FROM users ORDER BY id")).scalars()
        assert list(lookups) == [lookup_hash("+393331234567"), None, None, None]
    downgrade(revision="f3a8c6e1b942")
    assert "phone_lookup" not in {c["name"] for c in inspect(db.engine).get_columns("users")}


def test_altering_the_users_table_keeps_every_household(bare_app):
    """SQLite alters a table by copying it and dropping the old one; with foreign keys on,
    dropping ``users`` deleted every household (ON DELETE CASCADE). env.py turns the keys
    off for the migrations and checks them after: a family's data survives an upgrade."""
    from sqlalchemy import text

    upgrade(revision="5e2b8c1f4a70")  # before the migrations that alter users
    with db.engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO users (public_id, email, password_hash, name, locale, role, active, "
            "session_version, created_at) VALUES ('u-kept', 'kept@example.org', 'x', 'K', "
            "'it', 'member', true, 1, '2026-12-01 08:00:00')"))
        connection.execute(text(
            "INSERT INTO households (public_id, user_id, name, languages, version, created_at, "
            "updated_at) VALUES ('h-kept', (SELECT id FROM users), 'Famiglia K', '[]', 1, "
            "'2026-12-01 08:00:00', '2026-12-01 08:00:00')"))
    upgrade()
    with db.engine.connect() as connection:
        assert connection.execute(text("SELECT public_id FROM households")).scalars().all() == [
            "h-kept"]
        if connection.dialect.name == "sqlite":  # the app's connections still enforce keys
            assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar_one() == 1
