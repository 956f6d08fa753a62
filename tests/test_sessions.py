"""Sessions: cookie flags, the session version, the idle timeout and fresh logins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import AuditEvent
from mutuo_aiuto.services import audit
from tests.conftest import FreshClient
from tests.factories import TEST_PASSWORD

START = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PRIVATE_PAGE = "/family/privacy"


@pytest.fixture
def client(app):
    # Each request must load its user afresh, as in a real server (see FreshClient).
    app.test_client_class = FreshClient
    return app.test_client()


def _log_in(client, user, password: str = TEST_PASSWORD) -> None:
    """Through the real form, as a person would."""
    response = client.post("/login", data={"email": user.email, "password": password})
    assert response.status_code == 302, response.text


def _copy_of(client, app):
    """A second browser holding a copy of the first one's session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def _signed_in(client) -> bool:
    return client.get(PRIVATE_PAGE).status_code == 200


# ---- cookie flags ----------------------------------------------------------------------


def _session_cookie_header(client) -> str:
    response = client.get("/?lang=en")  # remembering the language writes the session
    [header] = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")]
    return header


def test_the_session_cookie_is_httponly_and_samesite_lax(client):
    header = _session_cookie_header(client)
    assert "HttpOnly" in header
    assert "SameSite=Lax" in header
    assert "Secure" not in header  # plain http in tests and development


def test_the_session_cookie_is_secure_in_production(make_app):
    production = make_app(environment="production", testing=False)
    production.test_client_class = FreshClient
    header = _session_cookie_header(production.test_client())
    assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header


def test_the_remember_cookie_has_the_same_flags(make_app):
    config = make_app(environment="production", testing=False).config
    assert config["REMEMBER_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_SECURE"]
    assert config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)


# ---- the session version ends copied cookies --------------------------------------------


def test_logout_ends_a_copied_cookie(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    thief = _copy_of(client, app)
    assert _signed_in(thief)
    client.post("/logout")
    assert not _signed_in(thief)
    assert not _signed_in(client)


def test_a_password_change_ends_other_sessions_but_not_this_one(app, client, make_user):
    user = make_user()
    _log_in(client, user)
    thief = _copy_of(client, app)
    response = client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "password": "a brand new long secret",
        "confirm": "a brand new long secret"})
    assert response.status_code == 302
    assert not _signed_in(thief)
    assert _signed_in(client)


def test_sign_out_everywhere_ends_every_session(app, client, make_user, login):
    user = make_user()
    member = app.test_client()
    _log_in(member, user)
    copy = _copy_of(member, app)
    login(make_user(role="admin"))
    assert client.post(f"/admin/users/{user.public_id}/sign-out").status_code == 302
    assert not _signed_in(member) and not _signed_in(copy)
    action = db.session.scalars(select(AuditEvent.action)).one()
    assert action == audit.SESSIONS_ENDED


def test_a_deactivated_account_loses_its_session(app, client, make_user, session):
    user = make_user()
    _log_in(client, user)
    user.active = False
    session.commit()
    assert not _signed_in(client)


# ---- idle timeout with a frozen clock ------------------------------------------------------


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.mark.parametrize(("role", "minutes"), [("facilitator", 30), ("admin", 30),
                                               ("member", 240)])
def test_idle_sessions_end_after_the_roles_limit(client, login, make_user, clock, role,
                                                  minutes):
    login(make_user(role=role))
    assert _signed_in(client)
    clock.shift(timedelta(minutes=minutes - 1))
    assert _signed_in(client)  # just under the limit, and this use restarts the count
    clock.shift(timedelta(minutes=minutes + 1))
    response = client.get(PRIVATE_PAGE)
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert not _signed_in(client)  # logged out, not only redirected once


def test_activity_keeps_a_session_alive(client, login, make_user, clock):
    login(make_user(role="facilitator"))
    for _ in range(6):
        clock.shift(timedelta(minutes=20))
        assert _signed_in(client)


def test_the_idle_limit_is_configurable(make_app, make_user, clock):
    app = make_app(idle_timeout_minutes=5)
    app.test_client_class = FreshClient
    with app.app_context():
        from tests import factories

        user = factories.make_user(db.session, role="facilitator")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
        assert _signed_in(client)
        clock.shift(timedelta(minutes=6))
        assert not _signed_in(client)


def test_the_idle_logout_says_why_in_the_users_language(client, login, make_user, clock):
    login(make_user(role="facilitator", locale="en"))
    assert _signed_in(client)
    clock.shift(timedelta(hours=1))
    response = client.get(PRIVATE_PAGE, follow_redirects=True, headers={"Accept-Language": "en"})
    assert "You were logged out because you were away for a while" in response.text


# ---- fresh login for exports, erasure and role changes -----------------------------------


def test_a_stale_login_must_type_the_password_again(client, login, make_user):
    login(make_user(locale="en"))
    response = client.get("/family/data")
    assert response.status_code == 302
    assert response.location.startswith("/confirm-password?next=/family/data")


def test_a_wrong_password_does_not_refresh(client, login, make_user):
    login(make_user(locale="en"))
    response = client.post("/confirm-password?next=/family/data",
                           data={"password": "not my password"})
    assert response.status_code == 400
    assert "The password is not correct." in response.text
    assert client.get("/family/data").status_code == 302


def test_typing_the_password_opens_the_page(client, login, make_user):
    login(make_user())
    response = client.post("/confirm-password?next=/family/data",
                           data={"password": TEST_PASSWORD})
    assert response.status_code == 302 and response.location == "/family/data"
    assert client.get("/family/data").status_code == 200


def test_the_confirm_page_never_redirects_off_site(client, login, make_user):
    login(make_user())
    response = client.post("/confirm-password?next=//evil.example/",
                           data={"password": TEST_PASSWORD})
    assert response.location == "/"


def test_a_login_through_the_form_is_fresh(client, make_user):
    _log_in(client, make_user())
    assert client.get("/family/data").status_code == 200


def test_freshness_expires(client, make_user, clock, make_app):
    _log_in(client, make_user())
    assert client.get("/family/data").status_code == 200
    clock.shift(timedelta(minutes=16))
    assert client.get("/family/data").status_code == 302
    assert _signed_in(client)  # still logged in: only the sensitive pages ask again


# ---- the cookie of the login response itself ------------------------------------------------


def _login_response_cookie(app, make_user, **user) -> str:
    """The session cookie exactly as the login response set it, before any other request."""
    browser = app.test_client()
    _log_in(browser, make_user(**user))
    return browser.get_cookie("session").value


def _replayed(app, cookie: str):
    thief = app.test_client()
    thief.set_cookie("session", cookie)
    return thief


def test_the_login_responses_cookie_is_subject_to_the_idle_timeout(app, make_user, clock):
    cookie = _login_response_cookie(app, make_user)
    clock.shift(timedelta(minutes=241))
    assert not _signed_in(_replayed(app, cookie))


def test_the_login_responses_cookie_does_not_restart_freshness(app, make_user, clock):
    cookie = _login_response_cookie(app, make_user)
    clock.shift(timedelta(minutes=16))
    thief = _replayed(app, cookie)
    assert _signed_in(thief)  # within the idle limit: logged in, but not fresh
    assert thief.get("/family/data").status_code == 302
