"""Abuse limits: a clear 429 page in the reader's language, Redis shared by workers, ProxyFix.

Each test uses its own client address, so counts kept in a shared Redis
never mix between tests or runs.
"""

from __future__ import annotations

import logging
import secrets
import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import redis
import time_machine

from mutuo_aiuto.config import Settings, flask_config
from mutuo_aiuto.extensions import db
from tests import factories
from tests.conftest import FreshClient

LOGIN_LIMIT = 10  # per minute, on POST (web/auth)
WRONG_LOGIN = {"email": "nobody@example.org", "password": "not the right one"}


def _address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250) + 1}"


def _limited_app(make_app, **overrides):
    app = make_app(ratelimit_enabled=True, **overrides)
    app.test_client_class = FreshClient
    return app


def _use_up_the_login_limit(client, **headers) -> None:
    for _ in range(LOGIN_LIMIT):
        assert client.post("/login", data=WRONG_LOGIN, headers=headers).status_code == 400


def test_too_many_logins_get_the_429_page_in_english(make_app):
    client = _limited_app(make_app).test_client()
    _use_up_the_login_limit(client, **{"Accept-Language": "en"})
    response = client.post("/login", data=WRONG_LOGIN, headers={"Accept-Language": "en"})
    assert response.status_code == 429
    assert "Too many attempts" in response.text
    assert "Please wait a few minutes" in response.text
    assert 'lang="en"' in response.text
    assert "Traceback" not in response.text


def test_the_429_page_is_in_italian_by_default(make_app):
    client = _limited_app(make_app).test_client()
    _use_up_the_login_limit(client)
    response = client.post("/login", data=WRONG_LOGIN)
    assert response.status_code == 429
    assert 'lang="it"' in response.text


def test_the_429_page_follows_the_members_saved_language(make_app):
    app = _limited_app(make_app)
    with app.app_context():
        user = factories.make_user(db.session, locale="en")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
        for _ in range(LOGIN_LIMIT):
            client.post("/confirm-password", data={"password": "wrong password"})
        response = client.post("/confirm-password", data={"password": "wrong password"})
    assert response.status_code == 429
    assert "Too many attempts" in response.text and 'lang="en"' in response.text


def test_the_limit_does_not_touch_reading_the_login_page(make_app):
    client = _limited_app(make_app).test_client()
    _use_up_the_login_limit(client)
    assert client.get("/login").status_code == 200


def test_register_and_reset_are_limited(make_app):
    client = _limited_app(make_app).test_client()
    for path, limit in (("/register", 5), ("/reset", 5), ("/login/phone", 5)):
        for _ in range(limit):
            assert client.post(path, data={}).status_code != 429, path
        assert client.post(path, data={}).status_code == 429, path


@pytest.mark.parametrize(("path", "limit", "role"), [("/activities/new", 10, "facilitator"),
                                                     ("/associations/new", 5, "member")])
def test_proposing_activities_and_associations_is_limited(make_app, path, limit, role):
    app = _limited_app(make_app)
    client = app.test_client()
    with app.app_context():
        user = factories.make_user(db.session, role=role, locale="en")
        db.session.commit()
        email = user.email
    client.post("/login", data={"email": email, "password": factories.TEST_PASSWORD})
    # A refused form (400) still counts: a script cannot probe the form for free.
    for _ in range(limit):
        assert client.post(path, data={}).status_code == 400, path
    refused = client.post(path, data={})
    assert refused.status_code == 429 and "Too many attempts" in refused.text
    assert client.get(path).status_code == 200  # reading the form is never limited


def test_logins_are_limited_to_50_an_hour_even_at_10_a_minute(make_app):
    client = _limited_app(make_app).test_client()
    with time_machine.travel(datetime(2026, 12, 7, 9, 0, tzinfo=UTC), tick=False) as traveller:
        for _minute in range(5):
            _use_up_the_login_limit(client)  # each minute's ten are answered
            traveller.shift(61)
        assert client.post("/login", data=WRONG_LOGIN).status_code == 429


# ---- where counts are kept ----------------------------------------------------------


def test_the_storage_is_read_from_the_environment():
    settings = Settings.from_env({"RATELIMIT_STORAGE_URI": "redis://cache.internal:6379/2"})
    assert flask_config(settings)["RATELIMIT_STORAGE_URI"] == "redis://cache.internal:6379/2"
    assert Settings().ratelimit_storage_uri == "memory://"


def test_production_warns_about_in_memory_counts(make_app, caplog):
    with caplog.at_level(logging.WARNING):
        make_app(environment="production", testing=False)
    assert "RATELIMIT_STORAGE_URI is memory://" in caplog.text


def test_in_memory_counts_are_per_process(make_app):
    address = _address()
    first = _limited_app(make_app, proxy_fix_hops=1)
    _use_up_the_login_limit(first.test_client(), **{"X-Forwarded-For": address})
    # Another worker process starts with its own, empty count: why production uses Redis.
    second = _limited_app(make_app, create_schema=False, proxy_fix_hops=1)
    response = second.test_client().post("/login", data=WRONG_LOGIN,
                                         headers={"X-Forwarded-For": address})
    assert response.status_code == 400


@pytest.mark.redis
def test_redis_counts_are_shared_by_every_worker(make_app, redis_url):
    address = _address()
    first = _limited_app(make_app, proxy_fix_hops=1, ratelimit_storage_uri=redis_url)
    try:
        _use_up_the_login_limit(first.test_client(), **{"X-Forwarded-For": address})
        second = _limited_app(make_app, create_schema=False, proxy_fix_hops=1,
                              ratelimit_storage_uri=redis_url)
        response = second.test_client().post("/login", data=WRONG_LOGIN,
                                             headers={"X-Forwarded-For": address})
        assert response.status_code == 429
        keys = redis.Redis.from_url(redis_url).keys(f"*{address}*")
        assert keys  # the count lives in Redis, not in the process
    finally:
        store = redis.Redis.from_url(redis_url)
        for key in store.keys(f"*{address}*"):
            store.delete(key)


# ---- Redis down or hung: logging in still works, counted per process ---------------

CLOSED_PORT = "redis://127.0.0.1:6390/13"  # nothing listens there


@pytest.fixture
def hanging_redis() -> Iterator[str]:
    """A server that accepts connections and never answers: a hung Redis."""
    server = socket.create_server(("127.0.0.1", 0))
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(server.accept()[0])
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"redis://127.0.0.1:{server.getsockname()[1]}/13"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


def _still_limited_per_process(app, caplog) -> None:
    client = app.test_client()
    with caplog.at_level(logging.WARNING):
        for _ in range(LOGIN_LIMIT):
            started = time.monotonic()
            response = client.post("/login", data=WRONG_LOGIN)
            assert response.status_code == 400
            # No worker held for seconds: short timeouts, and no retry for each request.
            assert time.monotonic() - started < 3
        assert client.post("/login", data=WRONG_LOGIN).status_code == 429
    assert "falling back to in-memory storage" in caplog.text
    started = time.monotonic()
    health = client.get("/healthz")
    assert time.monotonic() - started < 3
    assert health.status_code == 200
    assert health.json["status"] == "degraded"
    assert health.json["rate_limits"] == "unavailable"


def test_with_redis_unreachable_login_works_and_is_limited_per_process(make_app, caplog):
    _still_limited_per_process(_limited_app(make_app, ratelimit_storage_uri=CLOSED_PORT),
                               caplog)


def test_with_redis_hung_login_answers_at_once(make_app, caplog, hanging_redis):
    _still_limited_per_process(_limited_app(make_app, ratelimit_storage_uri=hanging_redis),
                               caplog)


@pytest.mark.redis
def test_healthz_reports_redis_answering(make_app, redis_url):
    app = _limited_app(make_app, ratelimit_storage_uri=redis_url)
    response = app.test_client().get("/healthz")
    assert response.json["rate_limits"] == "ok" and response.json["status"] == "ok"


# ---- behind a reverse proxy -----------------------------------------------------------


def test_behind_a_proxy_each_client_has_its_own_count(make_app):
    client = _limited_app(make_app, proxy_fix_hops=1).test_client()
    busy, other = _address(), _address()
    _use_up_the_login_limit(client, **{"X-Forwarded-For": busy})
    assert client.post("/login", data=WRONG_LOGIN,
                       headers={"X-Forwarded-For": other}).status_code == 400
    assert client.post("/login", data=WRONG_LOGIN,
                       headers={"X-Forwarded-For": busy}).status_code == 429


def test_without_proxy_fix_a_forged_header_does_not_escape_the_limit(make_app):
    client = _limited_app(make_app).test_client()
    _use_up_the_login_limit(client, **{"X-Forwarded-For": _address()})
    response = client.post("/login", data=WRONG_LOGIN, headers={"X-Forwarded-For": _address()})
    assert response.status_code == 429


def _probe(app) -> None:
    from flask import request

    app.add_url_rule("/_probe", "probe",
                     lambda: f"{request.scheme} {request.host} {request.remote_addr}")


def test_proxy_fix_takes_the_clients_address_scheme_and_host(make_app):
    app = make_app(proxy_fix_hops=1)
    _probe(app)
    response = app.test_client().get("/_probe", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https",
        "X-Forwarded-Host": "hub.example"})
    assert response.text == "https hub.example 203.0.113.7"


def test_without_a_proxy_the_forwarded_headers_are_ignored(make_app):
    app = make_app()
    _probe(app)
    response = app.test_client().get("/_probe", headers={
        "X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"})
    assert response.text == "http localhost 127.0.0.1"
