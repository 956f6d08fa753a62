"""``flask seed-scale``: a generated city with a year of history, in bulk, without the matcher."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from mutuo_aiuto.models import Household, Match, Need, Offer, Proposal, User
from mutuo_aiuto.services.demo import DEMO_PASSWORD
from mutuo_aiuto.services.passwords import verify_password
from mutuo_aiuto.services.scale_data import SCALE_DOMAIN


def count(session, query) -> int:
    return session.execute(select(func.count()).select_from(query.subquery())).scalar()


def scale_households(session):
    return (select(Household).join(User, Household.user_id == User.id)
            .where(User.email.like(f"%@{SCALE_DOMAIN}")))


def test_seed_scale_adds_the_families_open_posts_and_a_year_of_history(runner, session):
    result = runner.invoke(args=["seed-scale", "--households", "80"])
    assert result.exit_code == 0, result.output
    assert count(session, scale_households(session)) == 80
    home_ids = select(Household.id).where(Household.id.in_(
        select(scale_households(session).subquery().c.id)))
    assert count(session, select(Need).where(Need.status == "open",
                                             Need.household_id.in_(home_ids))) > 20
    assert count(session, select(Offer).where(Offer.status == "open",
                                              Offer.household_id.in_(home_ids))) > 20
    closed = list(session.scalars(select(Match).where(Match.status == "closed",
                                                      Match.need.has(Need.household_id.in_(
                                                          home_ids)))))
    assert len(closed) >= 25
    year_ago = datetime.now(UTC) - timedelta(days=370)
    assert all(m.hours and m.hours > 0 and m.outcome and m.confirmed_at > year_ago
               for m in closed)
    assert all(m.need.status == "closed" and m.offer.status == "expired" for m in closed)
    # The nightly job makes the proposals: seeding runs no matcher.
    assert count(session, select(Proposal)) == 0
    assert "80 households added" in result.output


def test_every_generated_account_logs_in_with_the_demo_password(runner, session):
    assert runner.invoke(args=["seed-scale", "--households", "5"]).exit_code == 0
    user = session.scalars(select(User).where(User.email.like(f"%@{SCALE_DOMAIN}"))).first()
    assert verify_password(user.password_hash, DEMO_PASSWORD)
    assert user.email_confirmed_at is not None and user.consent_version


def test_seeding_twice_is_refused_and_adds_nothing(runner, session):
    assert runner.invoke(args=["seed-scale", "--households", "10"]).exit_code == 0
    before = count(session, select(User))
    again = runner.invoke(args=["seed-scale", "--households", "10"])
    assert again.exit_code != 0 and "empty database" in again.output
    assert count(session, select(User)) == before


def test_a_city_has_its_own_neighbourhoods_with_neighbours(runner, session, monkeypatch):
    from mutuo_aiuto.models import Neighbourhood
    from mutuo_aiuto.services import scale_data

    monkeypatch.setattr(scale_data, "HUB_MAX", 10)  # a city from 11 households on
    assert runner.invoke(args=["seed-scale", "--households", "30"]).exit_code == 0
    assert count(session, select(Neighbourhood).where(Neighbourhood.slug.like("q%"))) == 80
    names = set(session.scalars(select(Neighbourhood.name)))
    assert "Quartiere A1" in names and "Quartiere J8" in names


def test_seed_scale_refuses_a_production_database(make_app):
    app = make_app(environment="production", encryption_keys=("x" * 43 + "=",))
    result = app.test_cli_runner().invoke(args=["seed-scale", "--households", "5"])
    assert result.exit_code != 0 and "not in production" in result.output
