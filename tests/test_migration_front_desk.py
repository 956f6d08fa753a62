"""The front-desk migration (e5c2d9a4b7f1) on data: an account without an email survives
the way down with a placeholder no mail goes to, and the way up again; on PostgreSQL
the audit trail's append-only trigger lets only a family's deletion touch the new column.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask_migrate import downgrade, upgrade
from sqlalchemy import MetaData, text

from mutuo_aiuto.extensions import db

REVISION = "e5c2d9a4b7f1"


@pytest.fixture
def bare_app(make_app) -> Iterator[Flask]:
    app = make_app(create_schema=False)
    with app.app_context():
        everything = MetaData()
        everything.reflect(db.engine)
        everything.drop_all(db.engine)
        yield app
        db.session.remove()
        downgrade(revision="base")
        with db.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
        db.engine.dispose()


def _add_account(connection, public_id: str, email: str | None) -> None:
    connection.execute(text(
        "INSERT INTO users (public_id, email, password_hash, name, locale, role, active, "
        "comes_for, session_version, created_at) VALUES (:p, :e, '!unusable', 'Famiglia', "
        "'ar', 'member', :t, 'need', 1, CURRENT_TIMESTAMP)"),
        {"p": public_id, "e": email, "t": True})


def test_an_account_without_email_goes_down_and_up_again(bare_app):
    upgrade(revision=REVISION)
    with db.engine.begin() as connection:
        _add_account(connection, "deskfamily00001", None)
        _add_account(connection, "deskfamily00002", None)
    downgrade(revision="-1")
    with db.engine.connect() as connection:
        emails = connection.execute(text(
            "SELECT email FROM users ORDER BY public_id")).scalars().all()
    assert emails == ["desk-deskfamily00001@invalid", "desk-deskfamily00002@invalid"]
    upgrade()
    with db.engine.begin() as connection:
        _add_account(connection, "deskfamily00003", None)
        count = connection.execute(text("SELECT count(*) FROM users WHERE email IS NULL"))
        assert count.scalar() == 1


def test_the_trigger_guards_the_new_column_on_postgresql(bare_app):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("a database trigger on PostgreSQL; SQLite relies on the ORM guard")
    upgrade()
    with db.engine.begin() as connection:
        _add_account(connection, "deskfamily00001", None)
        user_id = connection.execute(text("SELECT id FROM users")).scalar()
        household_id = connection.execute(text(
            "INSERT INTO households (public_id, user_id, name, languages, version, "
            "created_at, updated_at) VALUES ('deskhousehold01', :u, 'F', '[]', 1, "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP) RETURNING id"), {"u": user_id}).scalar()
        connection.execute(text(
            "INSERT INTO audit_events (at, action, on_behalf_of_id, household_id, details) "
            "VALUES (CURRENT_TIMESTAMP, 'need.posted', :h, :h, '{}')"), {"h": household_id})
    with pytest.raises(Exception, match="append-only"), db.engine.begin() as connection:
        # Pointing an act at another family is refused; only the deletion's NULL passes.
        connection.execute(text("UPDATE audit_events SET on_behalf_of_id = :h"),
                           {"h": household_id + 1})
    with db.engine.begin() as connection:
        connection.execute(text("DELETE FROM households"))
        assert connection.execute(text(
            "SELECT on_behalf_of_id FROM audit_events")).scalar() is None
