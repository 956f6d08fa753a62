"""Accounts on the web: register, log in and out, reset and change a password, account page."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import time_machine
from flask import Flask, g, has_app_context, url_for
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import OutboxMessage, User
from mutuo_aiuto.services import accounts, tokens
from mutuo_aiuto.services.passwords import verify_password
from mutuo_aiuto.web.helpers import safe_next
from tests.factories import TEST_PASSWORD

EN = {"Accept-Language": "en"}
GOOD = "una frase lunga e facile"
RESET_LINK = re.compile(r"https?://[^/\s]+(/reset/\S+)")
CONFIRM_LINK = re.compile(r"https?://[^/\s]+(/confirm/\S+)")


class FreshClient(FlaskClient):
    """A test client whose every request starts with empty per-request caches.

    The ``app`` fixture keeps one app context pushed for the whole test, and
    requests reuse it, so ``g`` would carry the logged-in user (Flask-Login)
    and the chosen language (Flask-Babel) from one request to the next and
    hide whether a cookie still opens a session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        if has_app_context():
            for cached in ("_login_user", "_flask_babel"):
                g.pop(cached, None)
        return super().open(*args, **kwargs)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshClient
    return app.test_client()


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def mails_to(session, recipient: str) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).filter_by(recipient=recipient)))


def landing(app: Flask) -> str:
    """Where a login lands: the family page once that feature exists, else home."""
    if "families.household" not in app.view_functions:
        return "/"
    with app.test_request_context():
        return url_for("families.household")


def is_logged_in(client: FlaskClient) -> bool:
    return client.get("/account").status_code == 200


def register_form(**overrides: Any) -> dict[str, Any]:
    return {"comes_for": "need", "name": "Maria Rossi", "email": "maria@example.org",
            "password": GOOD, "confirm": GOOD, "locale": "en", "consent": "y"} | overrides


# ---- register ----------------------------------------------------------------------------

def test_register_page_links_the_privacy_notice(client):
    page = client.get("/register", headers=EN)
    assert page.status_code == 200
    assert 'href="/privacy"' in page.text
    assert 'name="consent"' in page.text


def test_register_preselects_the_current_language(client):
    page = client.get("/register", headers=EN)
    [selected] = re.findall(r'<option[^>]*\bselected\b[^>]*>', page.text)
    assert 'value="en"' in selected


def test_register_creates_an_unconfirmed_member_and_mails_a_link(app, client, session):
    # The page in Italian, the form's language English: the mail follows the form.
    response = client.post("/register", data=register_form(email=" Maria@Example.ORG "))
    assert response.status_code == 200
    assert 'href="/login"' in response.text
    user = session.scalars(select(User)).one()
    assert user.email == "maria@example.org"
    assert user.role == "member" and user.locale == "en" and user.name == "Maria Rossi"
    assert user.consent_version == app.config["SETTINGS"].privacy_notice_version
    assert abs(user.consent_at - datetime.now(UTC)) < timedelta(minutes=1)
    assert verify_password(user.password_hash, GOOD)
    assert user.email_confirmed_at is None
    assert user.confirmation_sent_at is not None
    [mail] = mails_to(session, "maria@example.org")
    assert mail.subject == "Confirm your address for Mutuo Aiuto"
    assert mail.sent_at is None  # queued: the scheduler delivers it
    assert CONFIRM_LINK.search(mail.body)
    assert not is_logged_in(client)


def test_register_only_queues_the_mail(app, client, session, monkeypatch):
    """A hung mail server held three sign-ups 22 s: requests no longer talk to it."""
    from mutuo_aiuto import jobs
    from mutuo_aiuto.services import outbox

    def hung(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a web request must not open an SMTP connection")

    monkeypatch.setattr(outbox.smtplib, "SMTP", hung)
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(mail_server="smtp.example")
    assert client.post("/register", data=register_form()).status_code == 200
    assert [m.sent_at for m in mails_to(session, "maria@example.org")] == [None]
    # The scheduler's job delivers it (to the log here).
    app.config["SETTINGS"] = app.config["SETTINGS"].with_overrides(mail_server="")
    assert jobs.run_task("deliver_mail") == 1
    session.expire_all()
    [mail] = mails_to(session, "maria@example.org")
    assert mail.sent_at is not None and accounts.confirmation_link_in(mail.body) is None


def test_register_shows_the_check_your_mailbox_page(client):
    response = client.post("/register", data=register_form(), headers=EN)
    assert response.status_code == 200
    assert "Check your mailbox" in response.text
    assert "Location" not in response.headers


def test_register_puts_no_user_in_the_session(client, session):
    client.post("/register", data=register_form())
    with client.session_transaction() as flask_session:
        assert "_user_id" not in flask_session
    assert client.get_cookie("remember_token") is None
    assert not is_logged_in(client)


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"email": "not-an-address"}, "email", "Invalid email address."),
    ({"password": "short", "confirm": "short"}, "password", "at least 10 characters"),
    ({"password": "maria-nel-2026!", "confirm": "maria-nel-2026!"}, "password",
     "must not contain your email"),
    ({"password": "passwordpassword", "confirm": "passwordpassword"}, "password", "too common"),
    ({"confirm": "a different sentence"}, "confirm", "The two passwords are not the same."),
    ({"consent": None}, "consent", "Please agree to the privacy notice"),
    ({"name": "   "}, "name", "This field is required."),
    ({"locale": "xx"}, "locale", "Not a valid choice"),
])
def test_register_refuses_invalid_input_and_saves_nothing(client, session, overrides, field,
                                                          message):
    data = {key: value for key, value in register_form(**overrides).items() if value is not None}
    response = client.post("/register", data=data, headers=EN)
    assert response.status_code == 400
    assert message in response.text
    assert re.search(rf'<(input|select)[^>]*aria-invalid="true"[^>]*id="{field}"|'
                     rf'<(input|select)[^>]*id="{field}"[^>]*aria-invalid="true"', response.text)
    assert count(session, User) == 0
    assert count(session, OutboxMessage) == 0
    assert not is_logged_in(client)


# ---- a new address and a taken one answer alike ---------------------------------------

VOLATILE_HEADERS = {"X-Request-ID", "Date", "Set-Cookie"}


@pytest.fixture
def csrf_app(make_app: Any) -> Flask:
    # No app context held across requests (unlike ``app``): Flask-WTF keeps
    # the CSRF token in ``g``, and one shared ``g`` would hand every browser
    # the first one's token.
    return make_app(extra={"WTF_CSRF_ENABLED": True})


def sign_up_with_token(app: Flask, **overrides: Any) -> Any:
    """Register from a fresh browser, with the CSRF token of the form it was shown."""
    browser = app.test_client()
    page = browser.get("/register", headers=EN)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    return browser.post("/register", data=register_form(csrf_token=token, **overrides),
                        headers=EN)


def comparable(response: Any, *addresses: str) -> tuple[int, list, bytes]:
    """Status, headers and body without what differs between any two requests."""
    body = re.sub(rb'(name="csrf_token"[^>]*value=")[^"]*', rb"\1-", response.data)
    body = re.sub(rb'nonce="[^"]*"', b'nonce="-"', body)
    for address in addresses:
        body = body.replace(address.encode(), b"ADDRESS")
    headers = sorted((name, value) for name, value in response.headers.items()
                     if name not in VOLATILE_HEADERS)
    cookies = sorted(value.partition("=")[0] for value in response.headers.getlist("Set-Cookie"))
    return response.status_code, [*headers, ("Set-Cookie names", str(cookies))], body


def test_registering_a_new_address_and_the_same_one_again_answer_byte_for_byte_alike(
        csrf_app):
    new = sign_up_with_token(csrf_app, email="anna@example.org")
    taken = sign_up_with_token(csrf_app, email="anna@example.org", name="Someone Else",
                               password="another long phrase", confirm="another long phrase")
    assert new.status_code == 200
    assert comparable(new) == comparable(taken)
    with csrf_app.app_context():
        assert count(db.session, User) == 1
        assert [m.subject for m in mails_to(db.session, "anna@example.org")] == [
            "Confirm your address for Mutuo Aiuto", "Someone tried to register with your address"]


def test_a_taken_confirmed_address_answers_like_a_new_one(csrf_app):
    from tests.factories import make_user

    with csrf_app.app_context():
        make_user(db.session, email="anna@example.org", locale="en")
        db.session.commit()
    taken = sign_up_with_token(csrf_app, email="ANNA@example.org")
    new = sign_up_with_token(csrf_app, email="new@example.org")
    assert new.status_code == 200
    assert comparable(taken, "anna@example.org") == comparable(new, "new@example.org")
    with csrf_app.app_context():
        assert count(db.session, User) == 2
        assert len(mails_to(db.session, "anna@example.org")) == 1


def test_register_with_a_taken_address_mails_the_owner(client, session, make_user):
    owner = make_user(email="anna@example.org", locale="en")
    taken = client.post("/register", data=register_form(email="ANNA@example.org"), headers=EN)
    assert taken.status_code == 200
    assert "Check your mailbox" in taken.text
    assert not is_logged_in(client)
    assert count(session, User) == 1  # no second Anna
    [warning] = mails_to(session, "anna@example.org")
    assert warning.subject == "Someone tried to register with your address"
    assert "confirms it too" not in warning.body  # her address is confirmed
    reset = RESET_LINK.search(warning.body).group(1)
    assert client.get(reset).status_code == 200
    session.refresh(owner)
    assert verify_password(owner.password_hash, TEST_PASSWORD)  # the account is untouched
    assert owner.name != "Maria Rossi"


def test_registering_twice_tells_that_a_reset_also_confirms(client, session):
    client.post("/register", data=register_form(email="anna@example.org"))
    client.post("/register", data=register_form(email="anna@example.org"))
    assert count(session, User) == 1
    warning = mails_to(session, "anna@example.org")[-1]
    assert warning.subject == "Someone tried to register with your address"
    assert "choosing a new password with this link confirms it too" in warning.body


# ---- confirming the address ----------------------------------------------------------------

def registered(client: FlaskClient, session: Any, email: str = "maria@example.org") -> str:
    """Register through the form; the path of the confirmation link mailed."""
    client.post("/register", data=register_form(email=email))
    mail = mails_to(session, email)[-1]
    return accounts.confirmation_link_in(mail.body)


def test_confirmation_link_shows_a_button_and_confirms_on_post(app, client, session):
    link = registered(client, session)
    page = client.get(link, headers=EN)
    assert page.status_code == 200
    assert "maria@example.org" in page.text
    assert re.search(r'<form novalidate method="post" action="/confirm/[^"]+" class="stacked">',
                     page.text)
    user = session.scalars(select(User)).one()
    assert user.email_confirmed_at is None  # opening the link alone confirms nothing
    assert not is_logged_in(client)

    done = client.post(link)

    assert done.status_code == 302
    assert done.headers["Location"] == landing(app)
    session.refresh(user)
    assert user.email_confirmed_at is not None
    assert is_logged_in(client)


def test_confirmation_link_works_once(app, client, session):
    link = registered(client, session)
    client.post(link)
    later = app.test_client()
    for answer in (later.get(link, headers=EN), later.post(link, headers=EN)):
        assert answer.status_code == 302
        assert answer.headers["Location"] == "/login"
    assert "Your address is already confirmed: please log in." in later.get(
        "/login", headers=EN).text
    assert not is_logged_in(later)


def test_confirmation_link_when_already_logged_in_goes_to_the_landing(app, client, session):
    link = registered(client, session)
    client.post(link)
    again = client.get(link)
    assert again.status_code == 302
    assert again.headers["Location"] == landing(app)


def test_expired_confirmation_link_is_refused(client, session):
    link = registered(client, session)
    later = datetime.now(UTC) + timedelta(seconds=tokens.CONFIRMATION_MAX_AGE + 60)
    with time_machine.travel(later):
        page = client.get(link, headers=EN)
        posted = client.post(link, headers=EN)
    assert page.status_code == posted.status_code == 400
    assert "This confirmation link has expired" in page.text
    assert 'href="/login"' in page.text
    assert session.scalars(select(User)).one().email_confirmed_at is None
    assert not is_logged_in(client)


@pytest.mark.parametrize("mangle", [
    lambda link, user, secret: link + "x",
    lambda link, user, secret: link[:-3],
    lambda link, user, secret: "/confirm/nonsense",
    # A reset link's token, signed with the same key for another purpose.
    lambda link, user, secret: "/confirm/" + tokens.make_reset_token(user, secret),
    # Signed with another key.
    lambda link, user, secret: "/confirm/" + tokens.make_confirmation_token(user, "x" * 40),
])
def test_tampered_confirmation_link_is_refused(app, client, session, mangle):
    link = registered(client, session)
    user = session.scalars(select(User)).one()
    response = client.get(mangle(link, user, app.config["SECRET_KEY"]), headers=EN)
    assert response.status_code == 400
    assert "This confirmation link is not valid" in response.text
    assert client.post(mangle(link, user, app.config["SECRET_KEY"])).status_code == 400
    session.refresh(user)
    assert user.email_confirmed_at is None
    assert not is_logged_in(client)


def test_confirmation_of_a_deactivated_account_is_refused(client, session):
    link = registered(client, session)
    user = session.scalars(select(User)).one()
    user.active = False
    session.commit()
    assert client.post(link).status_code == 400
    session.refresh(user)
    assert user.email_confirmed_at is None


# ---- an unconfirmed account at the login form ---------------------------------------------------

def log_in(client: FlaskClient, email: str, password: str = GOOD) -> Any:
    return client.post("/login", data={"email": email, "password": password}, headers=EN)


def test_login_before_confirming_sends_a_new_link_instead(client, session):
    first = registered(client, session)
    # Later than the pause between two links, which the registration mail started.
    with time_machine.travel(datetime.now(UTC) + accounts.CONFIRMATION_RESEND_AFTER
                             + timedelta(seconds=5)):
        response = log_in(client, "maria@example.org")
        assert response.status_code == 400
        assert "Confirm your address first: we sent you a new link." in response.text
        assert "Email or password is not correct." not in response.text
        assert not is_logged_in(client)
        mails = mails_to(session, "maria@example.org")
        assert len(mails) == 2
        second = accounts.confirmation_link_in(mails[1].body)
        assert second is not None and second != first
        assert client.post(second).status_code == 302  # the new link works
        assert is_logged_in(client)
        assert client.get(first).status_code == 302  # and the first one now says "already"


def test_login_before_confirming_sends_at_most_one_link_every_few_minutes(client, session):
    registered(client, session)
    for _attempt in range(3):
        response = log_in(client, "maria@example.org")
        assert response.status_code == 400
        assert "we sent you a link a few minutes ago" in response.text
    assert len(mails_to(session, "maria@example.org")) == 1  # only the one from registering
    later = datetime.now(UTC) + accounts.CONFIRMATION_RESEND_AFTER + timedelta(seconds=5)
    with time_machine.travel(later):
        assert "we sent you a new link" in log_in(client, "maria@example.org").text
    assert len(mails_to(session, "maria@example.org")) == 2


def test_login_before_confirming_with_a_wrong_password_gets_the_generic_error(client, session):
    registered(client, session)
    response = log_in(client, "maria@example.org", "not the password at all")
    assert response.status_code == 400
    assert "Email or password is not correct." in response.text
    assert "Confirm your address" not in response.text
    assert len(mails_to(session, "maria@example.org")) == 1


def test_reset_confirms_an_unconfirmed_address(client, session):
    registered(client, session)
    ask_reset(client, "maria@example.org")
    link = RESET_LINK.search(mails_to(session, "maria@example.org")[-1].body).group(1)
    done = client.post(link, data={"password": "yet another long phrase",
                                   "confirm": "yet another long phrase"})
    assert done.status_code == 302
    user = session.scalars(select(User)).one()
    assert user.email_confirmed_at is not None
    assert is_logged_in(client)
    client.post("/logout")
    assert log_in(client, "maria@example.org", "yet another long phrase").status_code == 302


# ---- privacy notice -----------------------------------------------------------------------

def test_privacy_notice_shows_its_version(app, client):
    page = client.get("/privacy", headers=EN)
    assert page.status_code == 200
    assert app.config["SETTINGS"].privacy_notice_version in page.text


# ---- log in --------------------------------------------------------------------------------

def test_login_with_the_right_password(app, client, session, make_user):
    user = make_user(email="luca@example.org")
    response = client.post("/login", data={"email": "LUCA@example.org",
                                           "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing(app)
    assert is_logged_in(client)
    assert user.last_login_at is not None


@pytest.mark.parametrize(("email", "password", "active"), [
    ("luca@example.org", "wrong password here", True),
    ("nobody@example.org", TEST_PASSWORD, True),
    ("luca@example.org", TEST_PASSWORD, False),
    ("no address", TEST_PASSWORD, True),
])
def test_login_failures_all_get_the_same_message(client, make_user, email, password, active):
    make_user(email="luca@example.org", active=active)
    response = client.post("/login", data={"email": email, "password": password}, headers=EN)
    assert response.status_code == 400
    assert "Email or password is not correct." in response.text
    assert not is_logged_in(client)


def test_login_is_not_remembered_by_default(client, make_user):
    user = make_user()
    page = client.get("/login")
    assert re.search(r'<input[^>]*name="remember"', page.text)
    assert "checked" not in re.search(r'<input[^>]*name="remember"[^>]*>', page.text).group(0)
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_login_remember_me_sets_the_cookie(client, make_user):
    user = make_user()
    client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                "remember": "y"})
    assert client.get_cookie("remember_token") is not None


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_staff_are_never_remembered_and_told_why(client, make_user, role):
    user = make_user(role=role, locale="en")
    response = client.post("/login", data={"email": user.email, "password": TEST_PASSWORD,
                                           "remember": "y"}, follow_redirects=True)
    assert client.get_cookie("remember_token") is None
    assert "never kept logged in on a device" in response.text


def test_login_follows_a_safe_next(client, make_user):
    user = make_user()
    response = client.post("/login?next=/account%3Ftab%3D1",
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/account?tab=1"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x",
                                    "/\\evil.example", "javascript:alert(1)",
                                    "/\t/evil.example", "\t//evil.example", "///evil.example"])
def test_login_refuses_an_open_redirect(app, client, make_user, target):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == landing(app)


def test_login_page_for_a_protected_page_comes_back(client, make_user):
    user = make_user()
    bounce = client.get("/account")
    assert bounce.status_code == 302
    login_url = bounce.headers["Location"]
    response = client.post(login_url, data={"email": user.email, "password": TEST_PASSWORD})
    assert response.headers["Location"] == "/account"


@given(st.text(max_size=40) | st.sampled_from(["//", "/\\", "http://", "https:", "/\t/"])
       .flatmap(lambda head: st.text(max_size=20).map(lambda tail: head + tail)))
def test_safe_next_only_allows_paths_on_this_site(target):
    result = safe_next(target)
    if result is None:
        return
    assert result == target
    assert result.startswith("/") and not result.startswith("//")
    assert "\\" not in result and not any(ch.isspace() for ch in result)


# ---- log out ---------------------------------------------------------------------------------

def test_logout_ends_every_copy_of_the_session_cookie(app, client, session, make_user, login):
    user = login(make_user())
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert is_logged_in(thief)  # the copy works while the session is alive
    version = user.session_version

    response = client.post("/logout")

    assert response.status_code == 302
    assert not is_logged_in(client)
    assert not is_logged_in(thief)
    session.refresh(user)
    assert user.session_version == version + 1


def test_a_link_to_logout_asks_with_a_button_and_changes_nothing(client, make_user, login):
    login(make_user())
    response = client.get("/logout")
    assert response.status_code == 200
    assert '<form novalidate method="post" action="/logout"' in response.text
    assert is_logged_in(client)  # only the POST logs out


def test_a_link_to_logout_when_logged_out_goes_home(client):
    response = client.get("/logout")
    assert response.status_code == 302 and response.location.endswith("/")


def test_logout_needs_the_csrf_token(make_app, tmp_path):
    app = make_app(extra={"WTF_CSRF_ENABLED": True})
    app.test_client_class = FreshClient
    with app.app_context():
        from tests.factories import make_user

        user = make_user(db.session)
        db.session.commit()
        user_id = user.get_id()
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
    assert client.post("/logout").status_code == 400
    assert client.get("/account").status_code == 200
    page = client.get("/")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/account").status_code == 302


# ---- password reset -----------------------------------------------------------------------------

def ask_reset(client: FlaskClient, email: str) -> Any:
    return client.post("/reset", data={"email": email}, headers=EN, follow_redirects=True)


def test_reset_request_mails_a_link_that_works_once(client, session, make_user):
    user = make_user(email="sara@example.org", locale="en")
    answer = ask_reset(client, "Sara@Example.org")
    assert "If an account exists for this address" in answer.text
    [mail] = mails_to(session, "sara@example.org")
    assert mail.sent_at is None  # queued: the scheduler delivers it
    link = RESET_LINK.search(mail.body).group(1)

    assert client.get(link).status_code == 200
    done = client.post(link, data={"password": GOOD, "confirm": GOOD})
    assert done.status_code == 302
    session.refresh(user)
    assert verify_password(user.password_hash, GOOD)
    assert is_logged_in(client)  # the reset logs the person in

    again = client.get(link, headers=EN)
    assert again.status_code == 400
    assert "was already used" in again.text
    assert 'href="/reset"' in again.text


def test_reset_request_for_an_unknown_address_answers_the_same(client, session, make_user):
    make_user(email="sara@example.org")
    known = ask_reset(client, "sara@example.org")
    unknown = ask_reset(client, "nobody@example.org")
    assert known.status_code == unknown.status_code == 200
    message = "If an account exists for this address, we have sent it a link"
    assert message in known.text and message in unknown.text
    # Each address gets one mail (the same work, the same time): the unknown one is
    # told that no account uses it, with no link that resets anything.
    assert count(session, OutboxMessage) == 2
    [told] = mails_to(session, "nobody@example.org")
    assert "/reset/" not in told.body and "/register" in told.body


def test_expired_reset_link_is_refused_with_a_way_to_ask_again(app, client, session,
                                                               make_user):
    user = make_user(email="sara@example.org")
    link = "/reset/" + tokens.make_reset_token(user, app.config["SECRET_KEY"])
    max_age = app.config["SETTINGS"].password_reset_max_age
    with time_machine.travel(datetime.now(UTC) + timedelta(seconds=max_age + 60)):
        page = client.get(link, headers=EN)
        posted = client.post(link, data={"password": GOOD, "confirm": GOOD}, headers=EN)
    assert page.status_code == posted.status_code == 400
    assert "This link has expired" in page.text
    assert 'href="/reset"' in page.text
    session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_reset_with_a_weak_password_saves_nothing(app, client, session, make_user):
    user = make_user(email="sara@example.org")
    link = "/reset/" + tokens.make_reset_token(user, app.config["SECRET_KEY"])
    response = client.post(link, data={"password": "short", "confirm": "short"}, headers=EN)
    assert response.status_code == 400
    assert "at least 10 characters" in response.text
    session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert client.get(link).status_code == 200  # the link still works


def test_reset_ends_other_sessions(app, client, session, make_user, login):
    user = make_user()
    other = app.test_client()
    with other.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
    assert is_logged_in(other)
    link = "/reset/" + tokens.make_reset_token(user, app.config["SECRET_KEY"])
    client.post(link, data={"password": GOOD, "confirm": GOOD})
    assert not is_logged_in(other)


# ---- change password --------------------------------------------------------------------------

def test_change_password_refuses_a_wrong_current_password(client, session, make_user, login):
    user = login(make_user(locale="en"))
    version = user.session_version
    response = client.post("/account/password", data={
        "current_password": "not the password", "password": GOOD, "confirm": GOOD})
    assert response.status_code == 400
    assert "The current password is not correct." in response.text
    assert 'aria-invalid="true"' in response.text
    session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert user.session_version == version


def test_change_password_keeps_this_session_and_ends_the_others(app, client, session,
                                                                 make_user, login):
    user = login(make_user(locale="en"))
    other = app.test_client()
    with other.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
    assert is_logged_in(other)

    response = client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "password": GOOD, "confirm": GOOD})

    assert response.status_code == 302
    assert is_logged_in(client)
    assert not is_logged_in(other)
    session.refresh(user)
    assert verify_password(user.password_hash, GOOD)
    assert [m.subject for m in mails_to(session, user.email)] == [
        "Your Mutuo Aiuto password was changed"]


def test_change_password_applies_the_strength_rules(client, session, make_user, login):
    user = login(make_user(locale="en", email="giulia@example.org"))
    response = client.post("/account/password", data={
        "current_password": TEST_PASSWORD, "password": "Giulia-2026-bis",
        "confirm": "Giulia-2026-bis"})
    assert response.status_code == 400
    assert "must not contain your email" in response.text
    session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_change_password_needs_a_login(client):
    assert client.get("/account/password").status_code == 302


# ---- account page -------------------------------------------------------------------------------

def test_account_page_shows_name_email_and_password_link(client, make_user, login):
    login(make_user(name="Omar", email="omar@example.org", locale="en",
                    consent_at=datetime(2026, 11, 3, 9, 30, tzinfo=UTC)))
    page = client.get("/account")
    assert page.status_code == 200
    assert "Version 2026-11, agreed on" in page.text
    assert "omar@example.org" in page.text and 'value="Omar"' in page.text
    assert 'href="/account/password"' in page.text


def test_account_page_changes_name_and_language(client, session, make_user, login):
    user = login(make_user(locale="it"))
    response = client.post("/account", data={"name": "Nuovo Nome", "locale": "en"})
    assert response.status_code == 302
    session.refresh(user)
    assert (user.name, user.locale) == ("Nuovo Nome", "en")
    assert 'lang="en"' in client.get("/account").text


def test_account_page_refuses_an_empty_name(client, session, make_user, login):
    user = login(make_user(name="Omar"))
    response = client.post("/account", data={"name": "  ", "locale": "it"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    session.refresh(user)
    assert user.name == "Omar"


def test_account_page_needs_a_login(client):
    response = client.get("/account")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


# ---- rate limits --------------------------------------------------------------------------------

def test_login_attempts_are_rate_limited(make_app):
    app = make_app(ratelimit_enabled=True)
    app.test_client_class = FreshClient
    client = app.test_client()
    # An empty password is refused before argon2 runs (fast), yet counts as an attempt.
    data = {"email": "someone@example.org", "password": ""}
    for _attempt in range(10):
        assert client.post("/login", data=data, headers=EN).status_code == 400
    assert client.get("/login", headers=EN).status_code == 200  # only POST counts
    blocked = client.post("/login", data=data, headers=EN)
    assert blocked.status_code == 429
    assert "Too many attempts" in blocked.text
    assert 'lang="en"' in blocked.text


@pytest.mark.parametrize("url", ["/login", "/register", "/reset"])
def test_a_text_field_sent_as_a_file_is_refused_not_a_server_error(client, url):
    response = client.post(url, data={"email": (io.BytesIO(b"a@example.org"), "e.txt"),
                                      "password": "x"}, content_type="multipart/form-data")
    assert response.status_code == 400


def test_a_look_alike_address_cannot_register(client, session):
    response = client.post("/register", data={
        "name": "Eve", "email": "\u0430da@example.org", "password": "a long pass phrase 77",
        "confirm": "a long pass phrase 77", "locale": "en", "consent": "y"},
        headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "mixes letters of different alphabets" in response.text
    assert session.scalar(select(func.count(User.id))) == 0
