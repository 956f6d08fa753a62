"""Limits: a request over the size limit gets the 413 page on every POST route, and a
database that is down gives the 503 page on every route, never a traceback."""

from __future__ import annotations

import io
from typing import Any

import pytest
from werkzeug.test import EnvironBuilder, run_wsgi_app

from tests.security import render_matrix
from tests.security.access_matrix import BY_ENDPOINT
from tests.security.conftest import ANONYMOUS, Harness, table_digest
from tests.security.counts import count

LIMIT = 4096
EN = {"Accept-Language": "en"}
DOWN = "postgresql://nobody@127.0.0.1:1/none"
RULES = render_matrix.rules_by_endpoint(render_matrix.app_for_rendering().url_map)
POST_ENDPOINTS = sorted(e for e, rule in RULES.items() if "POST" in (rule.methods or ()))


def _url(harness: Harness, endpoint: str) -> str:
    route = BY_ENDPOINT[endpoint]
    values = {name: harness.scene.ids[key] for name, key in route.args.items()}
    return RULES[endpoint].build(values, append_unknown=False)[1]


def _no_traceback(response: Any) -> None:
    body = response.get_data(as_text=True)
    for leak in ("Traceback", "sqlalchemy", "psycopg", "File \""):
        assert leak not in body, leak


# ---- request size ----------------------------------------------------------------------------


@pytest.fixture
def small(make_harness) -> Harness:
    return make_harness(max_content_length=LIMIT)


def test_a_form_within_the_limit_is_read(small):
    response = small.client(ANONYMOUS).post(
        "/login", data={"email": "a@example.org", "password": "x" * (LIMIT - 200)})
    assert response.status_code == 400  # a wrong login, not a refused request


def test_the_413_page_is_friendly(small):
    response = small.client(ANONYMOUS).post(
        "/login", data={"email": "a@example.org", "password": "x" * (LIMIT + 1)}, headers=EN)
    assert response.status_code == 413
    assert "Too much data" in response.text
    assert "What you sent is too large" in response.text
    assert response.headers["Content-Security-Policy"]
    _no_traceback(response)


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_every_post_route_refuses_a_body_over_the_limit(small, endpoint):
    """As the actor who may post there, and anonymously: 413, and nothing saved."""
    actor = BY_ENDPOINT[endpoint].poster_actor()
    before = table_digest()
    for who in {actor, ANONYMOUS}:
        response = small.client(who).post(_url(small, endpoint),
                                          data={"text": "x" * (LIMIT + 1)}, headers=EN)
        count("request size: POST routes × actors over the limit")
        assert response.status_code == 413, (endpoint, who)
        _no_traceback(response)
    assert table_digest() == before


def test_a_body_over_the_limit_without_a_form_is_refused_too(small):
    response = small.client("owner").post("/needs/new", data=b"x" * (LIMIT + 1),
                                          content_type="application/octet-stream")
    assert response.status_code == 413


def _chunked(harness: Harness, body: bytes) -> tuple[str, str]:
    """POST /register chunked, as a server that decodes chunks hands it on: no
    Content-Length and the stream marked terminated (gunicorn and Werkzeug's server
    both do so). Returns the status and the page."""
    env = EnvironBuilder(path="/register", method="POST", headers=EN,
                         content_type="application/x-www-form-urlencoded").get_environ()
    env.pop("CONTENT_LENGTH", None)
    env.update({"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True,
                "HTTP_TRANSFER_ENCODING": "chunked"})
    harness.restore()
    app_iter, status, _headers = run_wsgi_app(harness.app.wsgi_app, env)
    return status, b"".join(app_iter).decode()


def test_a_chunked_body_over_the_limit_is_refused_not_cut_short(small):
    form = "name=Eve&email=eve%40example.org&locale=en&consent=y&password=" + "x" * LIMIT
    before = _untouched(small)
    status, page = _chunked(small, form.encode())
    assert status.startswith("413"), status
    assert "What you sent is too large" in page
    assert table_digest() == before


def test_a_chunked_body_within_the_limit_is_read(small):
    status, page = _chunked(small, b"name=Eve&email=eve%40example.org&password=x")
    assert status.startswith("400"), status  # the form's own answer: it was read
    assert "Eve" in page


def test_a_chunked_body_over_the_limit_is_413_with_csrf_on_too(make_app):
    """As production runs it: the CSRF check must not read the emptied body first and
    answer 400 (found by benchmarks/probe_security.py under gunicorn)."""
    app = make_app(max_content_length=LIMIT, extra={"WTF_CSRF_ENABLED": True})
    form = "csrf_token=x&email=eve%40example.org&password=" + "x" * LIMIT
    env = EnvironBuilder(path="/login", method="POST", headers=EN,
                         content_type="application/x-www-form-urlencoded").get_environ()
    env.pop("CONTENT_LENGTH", None)
    env.update({"wsgi.input": io.BytesIO(form.encode()), "wsgi.input_terminated": True,
                "HTTP_TRANSFER_ENCODING": "chunked"})
    app_iter, status, _headers = run_wsgi_app(app.wsgi_app, env)
    assert status.startswith("413"), status
    assert "What you sent is too large" in b"".join(app_iter).decode()


def _untouched(harness: Harness) -> dict[str, str]:
    harness.restore()
    return table_digest()


# ---- the database is down ----------------------------------------------------------------------


@pytest.fixture
def down(make_app) -> Any:
    app = make_app(create_schema=False, database_url=DOWN)
    with app.app_context():
        yield app


def _logged_in(app: Any) -> Any:
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = "abcdefghijkl:1"  # loading the user asks the database
    return client


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_every_route_gives_the_503_page_when_the_database_is_down(down, method):
    # The API's own document is written in the code: it needs no database.
    endpoints = sorted(e for e, rule in RULES.items() if method in (rule.methods or ())
                       and e not in ("main.healthz", "api.openapi_document"))
    assert len(endpoints) > 20
    for endpoint in endpoints:
        rule = RULES[endpoint]
        url = rule.build(dict.fromkeys(rule.arguments, "abcdefghijkl"), append_unknown=False)[1]
        # The API opens with a token, never the cookie: looking the token up asks the database.
        headers = EN | ({"Authorization": "Bearer ma_" + "x" * 43}
                        if url.startswith("/api/") else {})
        response = _logged_in(down).open(url, method=method, headers=headers,
                                         data={"x": "1"} if method == "POST" else None)
        count("database down: routes tried logged in")
        assert response.status_code == 503, (method, url, response.status_code)
        assert "Service unavailable" in response.text, url
        _no_traceback(response)


def test_an_anonymous_login_attempt_gets_the_503_page(down):
    response = down.test_client().post("/login", data={"email": "a@example.org",
                                                       "password": "whatever"}, headers=EN)
    assert response.status_code == 503
    assert "Service unavailable" in response.text
    _no_traceback(response)


def test_healthz_says_the_database_is_unavailable(down):
    response = down.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json == {"status": "error", "database": "unavailable",
                             "encryption": "unknown", "rate_limits": "memory"}
