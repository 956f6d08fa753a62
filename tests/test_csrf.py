"""CSRF: every POST needs the form's token; without it the answer is 400 and nothing changes."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import User
from tests import factories
from tests.conftest import FreshClient


@pytest.fixture
def csrf_app(make_app):
    app = make_app(extra={"WTF_CSRF_ENABLED": True})
    app.test_client_class = FreshClient
    with app.app_context():
        yield app


def _login(client, user) -> None:
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user.get_id()
        flask_session["_fresh"] = True


def _post_rules(app) -> list[str]:
    urls = []
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods:
            continue
        # Any value will do: the token is checked before the object is looked up.
        urls.append(rule.build({name: "abcdefghijkl" for name in rule.arguments})[1])
    return sorted(urls)


def test_every_post_without_a_token_is_refused(csrf_app):
    client = csrf_app.test_client()
    _login(client, factories.make_user(db.session, locale="en"))
    db.session.commit()
    urls = _post_rules(csrf_app)
    assert "/login" in urls and "/logout" in urls and "/consent" in urls
    for url in urls:
        response = client.post(url, data={"anything": "x"}, headers={"Accept-Language": "en"})
        assert response.status_code == 400, url
        assert "Bad request" in response.text or response.is_json, url


def test_logout_without_a_token_leaves_the_session(csrf_app):
    client = csrf_app.test_client()
    user = factories.make_user(db.session, locale="en")
    db.session.commit()
    _login(client, user)
    assert client.post("/logout").status_code == 400
    assert client.get("/family/privacy").status_code == 200
    assert db.session.scalars(select(User.session_version)).one() == user.session_version


def test_a_post_with_the_token_is_accepted(csrf_app):
    client = csrf_app.test_client()
    user = factories.make_user(db.session, consent_version="2020-01")
    db.session.commit()
    _login(client, user)
    page = client.get("/consent")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.text).group(1)
    response = client.post("/consent", data={"csrf_token": token, "agree": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).consent_version == "2026-11"


def test_a_token_from_another_session_is_refused(csrf_app):
    stranger = csrf_app.test_client()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"',
                      stranger.get("/login").text).group(1)
    victim = csrf_app.test_client()
    user = factories.make_user(db.session, consent_version="2020-01")
    db.session.commit()
    _login(victim, user)
    assert victim.post("/consent", data={"csrf_token": token, "agree": "y"}).status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).consent_version == "2020-01"


def _token_in(page: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)


def test_login_replaces_the_csrf_secret_of_the_anonymous_visit(csrf_app):
    user = factories.make_user(db.session, locale="en")
    db.session.commit()
    client = csrf_app.test_client()
    before = _token_in(client.get("/login").text)
    response = client.post("/login", data={"csrf_token": before, "email": user.email,
                                          "password": factories.TEST_PASSWORD})
    assert response.status_code == 302, response.text
    # A token read (or planted) before login no longer passes once logged in.
    assert client.post("/logout", data={"csrf_token": before}).status_code == 400
    after = _token_in(client.get("/account").text)
    assert after != before
    assert client.post("/logout", data={"csrf_token": after}).status_code == 302
