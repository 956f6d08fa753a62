"""The production shape (issue 15): the pool sized to the workers, gunicorn's settings,
fingerprinted static files with long cache lifetimes, and creating a missing database."""

from __future__ import annotations

import hashlib
import os
import runpy
from pathlib import Path

import pytest
from sqlalchemy import text

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings, SettingsError, engine_options, flask_config
from mutuo_aiuto.services.database import ensure_database
from mutuo_aiuto.web.static_files import LONG_CACHE
from tests.conftest import build_settings

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "mutuo_aiuto" / "web" / "static"


def test_the_pool_is_read_from_the_environment_and_sized_for_postgres():
    settings = Settings.from_env({"DATABASE_URL": "postgresql://db/mutuo",
                                  "DATABASE_POOL_SIZE": "3", "DATABASE_MAX_OVERFLOW": "1"})
    options = flask_config(settings)["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] == 3 and options["max_overflow"] == 1
    assert options["pool_pre_ping"] is True


def test_sqlite_keeps_its_own_pool():
    options = engine_options(Settings(database_url="sqlite:///x.sqlite3"))
    assert "pool_size" not in options and options["pool_pre_ping"] is True


@pytest.mark.parametrize("name", ["DATABASE_POOL_SIZE", "DATABASE_MAX_OVERFLOW"])
def test_a_pool_of_no_connections_is_refused(name):
    with pytest.raises(SettingsError, match="DATABASE_POOL_SIZE"):
        Settings.from_env({name: "-1"})


def test_gunicorn_workers_follow_the_cores_and_the_pool_the_threads(monkeypatch):
    # The settings file writes DATABASE_POOL_SIZE into the environment: give it a copy.
    environ = {k: v for k, v in os.environ.items()
               if k not in ("DATABASE_POOL_SIZE", "WEB_WORKERS", "WEB_THREADS")}
    monkeypatch.setattr(os, "environ", environ)
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 2)
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert conf["workers"] == 5 and conf["threads"] == 2
    assert conf["wsgi_app"] == "mutuo_aiuto:create_app()"
    assert environ["DATABASE_POOL_SIZE"] == "2"
    monkeypatch.setattr("multiprocessing.cpu_count", lambda: 16)
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["workers"] == 9


def _hash(relative: str) -> str:
    return hashlib.sha256((STATIC / relative).read_bytes()).hexdigest()[:12]


def test_pages_link_static_files_by_their_content_hash(client):
    page = client.get("/").get_data(as_text=True)
    assert f"/static/css/app.css?v={_hash('css/app.css')}" in page
    assert f"/static/icons/logo.svg?v={_hash('icons/logo.svg')}" in page


def test_a_hashed_static_address_is_cached_for_a_year(client):
    response = client.get(f"/static/css/app.css?v={_hash('css/app.css')}")
    response.close()  # a file response: close it, or the file stays open
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == LONG_CACHE


@pytest.mark.parametrize("query", ["", "?v=000000000000"])
def test_an_unhashed_or_stale_address_is_not_cached_for_long(client, query):
    response = client.get(f"/static/css/app.css{query}")
    response.close()
    assert response.status_code == 200
    assert "immutable" not in response.headers.get("Cache-Control", "")


def test_ensure_database_makes_the_sqlite_folder(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'db.sqlite3'}"
    assert ensure_database(url) is True
    assert (tmp_path / "new").is_dir()


@pytest.mark.postgres
def test_ensure_database_leaves_an_existing_postgres_database(postgres_url):
    assert ensure_database(postgres_url) is False


def test_create_database_command_reports_an_existing_database(runner):
    result = runner.invoke(args=["create-database"])
    assert result.exit_code == 0, result.output
    assert "already there" in result.output


@pytest.mark.postgres
def test_the_app_answers_through_a_sized_pool_on_postgres(tmp_path, postgres_url):
    app = create_app(build_settings(tmp_path, database_url=postgres_url, database_pool_size=2,
                                    database_max_overflow=0))
    from mutuo_aiuto.extensions import db

    with app.app_context():
        assert db.engine.pool.size() == 2
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
        db.engine.dispose()
