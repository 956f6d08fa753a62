"""``flask create-user``: accounts for facilitators and administrators from the shell."""

from __future__ import annotations

from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import User
from mutuo_aiuto.services.passwords import verify_password

GOOD = "una frase lunga e facile"


def users() -> list[User]:
    db.session.expire_all()
    return list(db.session.scalars(select(User)))


def test_create_user_makes_a_facilitator(runner):
    result = runner.invoke(args=["create-user", "Chiara@Example.org", "--role", "facilitator",
                                 "--name", "Chiara", "--locale", "en", "--password", GOOD])
    assert result.exit_code == 0, result.output
    [user] = users()
    assert (user.email, user.role, user.name, user.locale) == (
        "chiara@example.org", "facilitator", "Chiara", "en")
    assert verify_password(user.password_hash, GOOD)
    assert user.email_confirmed_at is not None  # can log in at once, no mail needed
    assert "chiara@example.org" in result.output and "facilitator" in result.output


def test_create_user_asks_for_the_password_twice(runner):
    result = runner.invoke(args=["create-user", "admin@example.org", "--role", "admin"],
                           input=f"{GOOD}\n{GOOD}\n")
    assert result.exit_code == 0, result.output
    assert GOOD not in result.output  # typed hidden
    [user] = users()
    assert user.role == "admin" and user.name == "admin"
    assert verify_password(user.password_hash, GOOD)


def test_create_user_refuses_a_duplicate_address(runner, make_user):
    make_user(email="chiara@example.org")
    result = runner.invoke(args=["create-user", "CHIARA@example.org", "--role", "admin",
                                 "--password", GOOD])
    assert result.exit_code == 1
    assert "An account with this email address already exists." in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_create_user_refuses_a_weak_password(runner):
    result = runner.invoke(args=["create-user", "chiara@example.org", "--password", "short"])
    assert result.exit_code == 1, result.output
    assert "at least 10 characters" in result.output
    assert users() == []


def test_create_user_refuses_an_unknown_role(runner):
    result = runner.invoke(args=["create-user", "x@example.org", "--role", "root",
                                 "--password", GOOD])
    assert result.exit_code == 2
    assert users() == []
