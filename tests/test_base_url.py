"""BASE_URL, the address every link in a mail starts with (issue 11, "small things seen").

Production must be told it; in development it follows where the app is served,
so ``make run PORT=5101`` mails links to port 5101 instead of 5000.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from mutuo_aiuto import create_app
from mutuo_aiuto.config import Settings, SettingsError
from mutuo_aiuto.services import ports
from tests.conftest import build_settings

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"ENVIRONMENT": "production", "SECRET_KEY": "x" * 40, "ENCRYPTION_KEYS": "k",
              "MAIL_SERVER": "smtp.example"}


def test_production_refuses_to_start_without_base_url():
    with pytest.raises(SettingsError, match="BASE_URL"):
        Settings.from_env(PRODUCTION)
    settings = Settings.from_env({**PRODUCTION, "BASE_URL": "https://aiuto.example.org/"})
    assert settings.base_url == "https://aiuto.example.org"


def test_base_url_must_be_an_address():
    with pytest.raises(SettingsError, match="BASE_URL"):
        Settings.from_env({"BASE_URL": "aiuto.example.org"})


def test_in_development_base_url_follows_the_served_port():
    assert Settings.from_env({}).base_url == "http://127.0.0.1:5000"
    served = {"FLASK_RUN_HOST": "127.0.0.1", "FLASK_RUN_PORT": "5101"}
    assert Settings.from_env(served).base_url == "http://127.0.0.1:5101"
    everywhere = {"FLASK_RUN_HOST": "0.0.0.0", "FLASK_RUN_PORT": "8080"}
    assert Settings.from_env(everywhere).base_url == "http://127.0.0.1:8080"
    # A BASE_URL that is given wins, in development too (a tunnel, a phone on the LAN).
    given = {**served, "BASE_URL": "http://192.168.1.20:5101"}
    assert Settings.from_env(given).base_url == "http://192.168.1.20:5101"


def test_a_bad_port_is_refused():
    with pytest.raises(SettingsError, match="FLASK_RUN_PORT"):
        Settings.from_env({"FLASK_RUN_PORT": "five"})


def test_mail_links_of_an_app_served_on_another_port_point_there(tmp_path):
    derived = Settings.from_env({"FLASK_RUN_PORT": "5101"}).base_url
    app = create_app(build_settings(tmp_path, base_url=derived))
    with app.app_context():
        assert ports.links().url("auth.login") == "http://127.0.0.1:5101/login"


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_tells_the_server_and_the_scheduler_the_port():
    dry_run = subprocess.run(["make", "-n", "run", "PORT=5101"], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout
    flask_lines = [line for line in dry_run.splitlines() if "flask --app mutuo_aiuto" in line]
    assert any(" run --host" in line for line in flask_lines), dry_run
    assert any(" scheduler" in line for line in flask_lines), dry_run
    for line in flask_lines:
        assert "FLASK_RUN_PORT=5101" in line, line
