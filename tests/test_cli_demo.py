"""``flask seed-demo [--if-empty]``: loads once, and always lists the demo accounts."""

from __future__ import annotations

from sqlalchemy import func, select

from mutuo_aiuto.models import Household, Need, Neighbourhood, User
from mutuo_aiuto.services.demo import DEMO_ACCOUNTS, DEMO_PASSWORD


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def assert_lists_accounts(output: str) -> None:
    lines = output.splitlines()
    for account in DEMO_ACCOUNTS:
        row = next(line for line in lines if account.email in line)
        assert account.role in row and DEMO_PASSWORD in row


def test_seed_demo_loads_and_lists_the_accounts(runner, session):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    assert count(session, Neighbourhood) == 7
    assert count(session, Household) >= 40
    assert_lists_accounts(result.output)
    # The history is there, and the funder's figures are computed from it at once.
    assert "pairings over 18 months" in result.output
    from mutuo_aiuto.services.figures import snapshots
    from mutuo_aiuto.services.figures.periods import Granularity

    assert snapshots.computed_at(session) is not None
    quarters = snapshots.latest(session, Granularity.QUARTER)
    posted = [f for f in quarters.rows if f.indicator == "requests_posted"
              and f.neighbourhood is None and f.category is None]
    assert sum(1 for f in posted if not f.suppressed and f.value >= 5) >= 5


def test_seed_demo_twice_adds_nothing(runner, session):
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    before = (count(session, User), count(session, Household), count(session, Need))
    again = runner.invoke(args=["seed-demo"])
    assert again.exit_code == 0, again.output
    assert (count(session, User), count(session, Household), count(session, Need)) == before
    assert_lists_accounts(again.output)


def test_if_empty_leaves_a_database_with_accounts_alone(runner, session, make_user):
    make_user()
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert count(session, Neighbourhood) == 0
    assert count(session, User) == 1
    assert_lists_accounts(result.output)


def test_if_empty_loads_an_empty_database(runner, session):
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert count(session, Neighbourhood) == 7
    assert_lists_accounts(result.output)


def test_seed_demo_refuses_in_production(make_app):
    app = make_app(environment="production", secret_key="x" * 40)
    with app.app_context():
        from mutuo_aiuto.extensions import db

        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code != 0
        assert "ENVIRONMENT=production" in result.output
        assert count(db.session, User) == 0
        assert count(db.session, Neighbourhood) == 0


def test_the_demo_accounts_still_log_in_with_the_published_password(runner, client, session):
    """The demo password is refused for any account a person creates (too easy to guess,
    and published), but the seeded demo accounts keep it, outside production."""
    assert runner.invoke(args=["seed-demo"]).exit_code == 0
    for account in {a.role: a for a in DEMO_ACCOUNTS}.values():
        response = client.post("/login", data={"email": account.email,
                                               "password": DEMO_PASSWORD})
        assert response.status_code == 302, (account.email, response.text[:300])
        client.post("/logout")
