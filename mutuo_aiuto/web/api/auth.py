"""Who calls the API: a bearer token, never a session cookie.

``current_token`` reads ``Authorization: Bearer <token>`` once per request (the
rate limiter asks first, to count per token; the views then ask again), and
``ApiSessions`` gives API requests no session at all: a browser's login cookie
opens nothing here and no cookie is ever set, so the API needs no CSRF token.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Request, Response, current_app, g, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import refresh
from flask_limiter.util import get_remote_address

from mutuo_aiuto.extensions import db
from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import ApiToken
from mutuo_aiuto.services import api_tokens
from mutuo_aiuto.web.api.problems import under_api

_UNREAD = object()
TOKEN_KEY = "mutuo_aiuto.api_token"  # where g keeps the token  # nosec B105


class ApiSessions(SecureCookieSessionInterface):
    """The app's cookie sessions, except under ``/api/``: there a request reads no cookie
    and its (empty) session is never saved."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if under_api(request.path):
            # Empty and writable (``?lang=`` writes to it), never saved.
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if under_api(request.path):
            return
        super().save_session(app, session, response)


def bearer_secret() -> str | None:
    scheme, _sep, secret = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return None
    return secret.strip()


def current_token() -> ApiToken | None:
    """The request's usable token, or None (no header, or a refused token)."""
    # Kept on the request, not in ``g``: an app context can outlive one request (tests).
    cached: Any = request.environ.get(TOKEN_KEY, _UNREAD)
    if cached is not _UNREAD:
        return cached
    token = None
    secret = bearer_secret()
    if secret is not None:
        try:
            token = api_tokens.authenticate(db.session, secret)
        except api_tokens.TokenRefused:
            token = None
        else:
            if db.session.dirty:  # the last-used time, at most once a minute
                db.session.commit()
    request.environ[TOKEN_KEY] = token
    _speak_to(token)
    return token


def _speak_to(token: ApiToken | None) -> None:
    """Answer in the language the call asks for (Accept-Language), else the account's."""
    asked = request.accept_languages.best_match(list(LANGUAGES)) if request.accept_languages \
        else None
    chosen = asked or (token.user.locale if token is not None else None)
    if chosen in LANGUAGES:
        g.lang_override = chosen
        refresh()


def rate_key() -> str:
    """What the API's rate limit counts by: the token; calls without one, by address."""
    token = current_token()
    # The token's public id, not its row number: random, so two databases sharing one
    # Redis (staging beside production, parallel test runs) never share a count.
    if token is not None:
        return f"api-token:{token.public_id}"
    return f"api-anon:{get_remote_address()}"


def rate_limit() -> str:
    return str(current_app.config["SETTINGS"].api_rate_limit)
