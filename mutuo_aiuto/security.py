"""Sessions, the user loader and the browser-facing security headers."""

from __future__ import annotations

from flask import Flask, Response
from flask_babel import lazy_gettext as _l
from werkzeug.middleware.proxy_fix import ProxyFix

from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db, login_manager
from mutuo_aiuto.models import User

# No inline script or style anywhere: every asset is served by the app.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])


def load_user(user_id: str) -> User | None:
    """Accept a session only while its version matches the account's.

    The id is ``public_id:session_version``; raising the version (logout,
    password change, "sign out everywhere") ends every copy of the cookie.
    """
    public_id, _, version = user_id.partition(":")
    user = db.session.execute(
        db.select(User).filter_by(public_id=public_id)).scalar_one_or_none()
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def add_hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains")
    return response


def init_app(app: Flask, settings: Settings) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.after_request(add_security_headers)
    if not settings.is_development and not app.testing:
        app.after_request(add_hsts)
    if settings.proxy_fix_hops:
        n = settings.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
