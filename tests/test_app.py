"""The app factory, settings and the fixed addresses every tool relies on."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings, SettingsError
from mutuo_aiuto.extensions import db
from tests.conftest import build_settings


def test_settings_require_secret_key_in_production():
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        Settings.from_env({"ENVIRONMENT": "production"})


def test_settings_require_encryption_keys_in_production():
    with pytest.raises(SettingsError, match="ENCRYPTION_KEYS"):
        Settings.from_env({"ENVIRONMENT": "production", "SECRET_KEY": "x" * 40})


PRODUCTION = {"ENVIRONMENT": "production", "SECRET_KEY": "x" * 40, "ENCRYPTION_KEYS": "k",
              "BASE_URL": "https://aiuto.example.org"}


def test_production_refuses_to_start_without_a_mail_server():
    with pytest.raises(SettingsError, match="MAIL_SERVER"):
        Settings.from_env(PRODUCTION)
    with pytest.raises(SettingsError, match="MAIL_SERVER"):
        Settings.from_env({**PRODUCTION, "MAIL_BACKEND": "smtp"})
    with pytest.raises(SettingsError, match="MAIL_BACKEND"):
        Settings.from_env({**PRODUCTION, "MAIL_BACKEND": "print"})
    assert not Settings.from_env({**PRODUCTION, "MAIL_SERVER": "smtp.example"}).mail_logged
    assert Settings.from_env({**PRODUCTION, "MAIL_BACKEND": "log"}).mail_logged


def test_mail_only_logged_in_production_is_said_on_every_start(tmp_path, caplog):
    from cryptography.fernet import Fernet

    settings = build_settings(tmp_path).with_overrides(
        environment="production", mail_server="", mail_backend="log",
        encryption_keys=(Fernet.generate_key().decode(),))
    for _ in range(2):
        create_app(settings)
    warnings = [r for r in caplog.records if "MAIL_BACKEND is log" in r.getMessage()]
    assert len(warnings) == 2 and all(r.levelname == "WARNING" for r in warnings)


def test_settings_read_types_from_environment():
    settings = Settings.from_env({"IDLE_TIMEOUT_MINUTES": "12", "MAIL_USE_TLS": "false",
                                  "ENCRYPTION_KEYS": "a, b"})
    assert settings.idle_timeout_minutes == 12
    assert settings.mail_use_tls is False
    assert settings.encryption_keys == ("a", "b")


def test_settings_reject_a_bad_number():
    with pytest.raises(SettingsError, match="IDLE_TIMEOUT_MINUTES"):
        Settings.from_env({"IDLE_TIMEOUT_MINUTES": "soon"})


def test_postgres_urls_use_psycopg():
    settings = Settings(database_url="postgresql://postgres@127.0.0.1:5432/test")
    assert settings.database_url == "postgresql+psycopg://postgres@127.0.0.1:5432/test"


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    app = create_app(Settings(environment="development", instance_path=str(tmp_path)))
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'mutuo_aiuto.sqlite3'}")
    # The generated development secret is kept, so a restart keeps sessions.
    again = create_app(Settings(environment="development", instance_path=str(tmp_path)))
    assert again.config["SECRET_KEY"] == app.config["SECRET_KEY"]


def test_factory_uses_given_settings(tmp_path):
    app = create_app(build_settings(tmp_path))
    assert app.testing
    assert app.config["SETTINGS"].environment == "testing"


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "encryption": "ok",
                             "rate_limits": "memory"}


def test_healthz_reports_database_down(make_app, tmp_path):
    app = make_app(create_schema=False,
                   database_url="postgresql://nobody@127.0.0.1:1/nothing")
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["database"] == "unavailable"


def test_home_page_in_italian_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert 'lang="it"' in response.text


@pytest.mark.parametrize(("lang", "title"), [
    ("it", "Come scegliamo gli abbinamenti"),
    ("ar", "كيف يتم اختيار الربط"),
    ("en", "How pairings are chosen"),
])
def test_how_pairings_are_chosen_is_explained_to_everyone(client, lang, title):
    response = client.get(f"/how-pairings-work?lang={lang}")
    assert response.status_code == 200
    assert f"<h1>{title}</h1>" in response.text
    # Linked from the foot of every page, and from the home page.
    assert 'href="/how-pairings-work"' in client.get("/login").text
    assert 'href="/how-pairings-work"' in client.get("/").text


def test_unknown_page_is_a_friendly_404(client):
    response = client.get("/nowhere")
    assert response.status_code == 404
    assert "Traceback" not in response.text


# ---- the database going away on the way out (issue 13, item 19) --------------------


def _connection_lost(*args, **kwargs):
    raise OperationalError("ROLLBACK", {}, Exception("server closed the connection unexpectedly"))


def test_a_teardown_whose_rollback_fails_still_answers(make_app, monkeypatch):
    app = make_app()
    client = app.test_client()
    monkeypatch.setattr(Session, "close", _connection_lost)
    response = client.get("/healthz")
    assert response.status_code == 200
    monkeypatch.undo()
    with app.app_context():  # the broken connection was dropped, not left open in a transaction
        assert db.engine.pool.checkedout() == 0
    assert client.get("/healthz").json["status"] == "ok"


def test_the_database_going_away_mid_request_is_always_the_friendly_503(make_app, monkeypatch):
    app = make_app()

    def lost():
        db.session.execute(text("SELECT 1"))
        _connection_lost()

    app.add_url_rule("/lost", "lost", lost)
    client = app.test_client()
    monkeypatch.setattr(Session, "rollback", _connection_lost)
    monkeypatch.setattr(Session, "close", _connection_lost)
    response = client.get("/lost")
    assert response.status_code == 503
    assert "Servizio non disponibile" in response.text


def test_a_bug_gives_the_friendly_500_page_never_a_traceback(make_app):
    app = make_app(extra={"PROPAGATE_EXCEPTIONS": False})

    @app.get("/broken-on-purpose")
    def broken() -> str:
        raise RuntimeError("a bug with a secret in its message")

    response = app.test_client().get("/broken-on-purpose", headers={"Accept-Language": "en"})
    assert response.status_code == 500
    assert "Something went wrong" in response.text
    assert "Traceback" not in response.text and "secret in its message" not in response.text
    assert response.headers["Content-Security-Policy"]


def test_an_unknown_time_zone_is_a_clear_settings_error():
    with pytest.raises(SettingsError, match="TIMEZONE"):
        Settings.from_env({"TIMEZONE": "Mars/Base"}).checked()
