"""Sessions, the user loader, request ids and the browser-facing security headers.

What runs around every request:

- a request id (``g.request_id``, echoed in ``X-Request-ID``) that audit
  records carry, so a log line and an audit record can be matched;
- the idle timeout: a session unused for longer than the role's limit is
  ended (facilitators and administrators: ``IDLE_TIMEOUT_MINUTES``);
- the "fresh login" window: exports, erasure and role changes need a
  password typed within the last ``FRESH_LOGIN_MINUTES``;
- the consent check: a member who agreed to an older privacy notice is asked
  again before anything else;
- security headers on every response (CSP without inline script or style).
"""

from __future__ import annotations

import io
import re
import time
import uuid
from collections.abc import Callable, Iterable
from datetime import timedelta
from functools import wraps
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import confirm_login, current_user, login_fresh, logout_user, user_logged_in
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response as BaseResponse

from mutuo_aiuto.config import PRODUCTION, Settings
from mutuo_aiuto.extensions import db, login_manager
from mutuo_aiuto.models import User
from mutuo_aiuto.services import audit, policy

# No inline script or style anywhere: every asset is served by the app.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
])

F = TypeVar("F", bound=Callable[..., Any])

LAST_SEEN = "_last_seen"
# Flask-WTF keeps its raw CSRF secret in the session (and the signed token in g) under this name.
CSRF_FIELD = "csrf_token"
FRESH_AT = "_fresh_at"
# The last-seen stamp is rewritten at most this often, not on every request.
LAST_SEEN_GRANULARITY = 15
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
# Pages a member can open before agreeing to a new privacy notice: the notice
# itself, leaving, and the rights that do not depend on consent.
CONSENT_EXEMPT = frozenset({
    "static", "main.healthz", "auth.logout", "auth.privacy", "privacy.consent",
    "privacy.reauthenticate", "privacy.export", "privacy.export_json", "privacy.erase",
    "privacy.withdraw_erasure",
})


def _settings() -> Settings:
    return current_app.config["SETTINGS"]


def load_user(user_id: str) -> User | None:
    """Accept a session only while its version matches the account's.

    The id is ``public_id:session_version``; raising the version (logout,
    password change, "sign out everywhere") ends every copy of the cookie.
    """
    public_id, _sep, version = user_id.partition(":")
    user = db.session.execute(
        db.select(User).filter_by(public_id=public_id)).scalar_one_or_none()
    if user is None or not user.active or str(user.session_version) != version:
        return None
    return user


# ---- request id ----------------------------------------------------------------------


def assign_request_id() -> None:
    """Take the proxy's request id when one stands in front, else make one."""
    incoming = request.headers.get("X-Request-ID", "")
    trusted = _settings().proxy_fix_hops > 0 and _REQUEST_ID.fullmatch(incoming)
    g.request_id = incoming if trusted else uuid.uuid4().hex
    g.request_id_token = audit.SERVING.set(g.request_id)


def forget_request_id(error: BaseException | None = None) -> None:
    """The request is over: audit records written after it carry no request id."""
    token = g.pop("request_id_token", None)
    if token is None:
        return
    try:
        audit.SERVING.reset(token)
    except ValueError:  # torn down in another context (a kept test-client context)
        audit.SERVING.set(None)


def request_id() -> str | None:
    return g.get("request_id")


def add_request_id(response: Response) -> Response:
    if g.get("request_id"):
        response.headers.setdefault("X-Request-ID", g.request_id)
    return response


# ---- idle timeout and fresh logins ----------------------------------------------------


def idle_limit_seconds(user: Any, settings: Settings) -> int:
    minutes = (settings.idle_timeout_minutes if policy.is_facilitator(user)
               else settings.member_idle_timeout_minutes)
    return minutes * 60


def _here() -> str | None:
    """This page, to come back to after logging in again (GET only: a POST is not replayed)."""
    return request.full_path.rstrip("?") if request.method == "GET" else None


def _end_idle_session() -> BaseResponse:
    logout_user()
    session.pop(LAST_SEEN, None)
    session.pop(FRESH_AT, None)
    flash(_("You were logged out because you were away for a while. Please log in again."),
          "info")
    return redirect(url_for(login_manager.login_view or "main.home", next=_here()))


def enforce_idle_timeout() -> BaseResponse | None:
    """End a session that was not used for longer than the role allows."""
    if request.endpoint == "static" or "_user_id" not in session:
        return None
    if not current_user.is_authenticated:
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN)
    if isinstance(last_seen, int) and now - last_seen > idle_limit_seconds(
            current_user, _settings()):
        return _end_idle_session()
    if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_GRANULARITY:
        session[LAST_SEEN] = now
    return None


def expire_freshness() -> None:
    """A login stops being fresh some minutes after the password was typed."""
    if not session.get("_fresh") or "_user_id" not in session:
        return
    now = int(time.time())
    stamp = session.get(FRESH_AT)
    # The stamp names the session it belongs to: a new login starts a new window.
    if not (isinstance(stamp, list) and len(stamp) == 2 and stamp[0] == session["_user_id"]):
        session[FRESH_AT] = [session["_user_id"], now]
        return
    if now - int(stamp[1]) > _settings().fresh_login_minutes * 60:
        session["_fresh"] = False


def _back_to_page() -> str | None:
    """Where to return after re-authenticating a POST: the page it was sent from."""
    referrer = urlsplit(request.referrer or "")
    if referrer.netloc != request.host or not referrer.path.startswith("/"):
        return None
    return referrer.path + (f"?{referrer.query}" if referrer.query else "")


def fresh_login_required(view: F) -> F:
    """Like Flask-Login's, but a POST returns to the page it came from, not to itself."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        if not login_fresh():
            flash(str(login_manager.needs_refresh_message),
                  login_manager.needs_refresh_message_category)
            target = _here() if request.method == "GET" else _back_to_page()
            return redirect(url_for(login_manager.refresh_view or "auth.login", next=target))
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def start_login(_app: Flask, user: Any = None, **_extra: Any) -> None:
    """Whenever someone logs in (``user_logged_in``): a new session starts here.

    The cookie sent with the login response already carries the idle stamp and
    the freshness window, so replaying it later cannot skip the idle timeout nor
    open a fresh window of its own. The CSRF secret of the anonymous visit is
    replaced: a token planted or read before login is worth nothing after it.
    """
    now = int(time.time())
    session[LAST_SEEN] = now
    if session.get("_fresh"):
        session[FRESH_AT] = [session.get("_user_id"), now]
    session.pop(CSRF_FIELD, None)
    g.pop(CSRF_FIELD, None)


def mark_fresh() -> None:
    """The member has just typed their password again (the re-authentication page)."""
    confirm_login()
    session[FRESH_AT] = [session.get("_user_id"), int(time.time())]


# ---- consent to the current privacy notice -------------------------------------------


def require_current_consent() -> BaseResponse | None:
    """Send a member whose consent is for an older notice to the consent page first."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in CONSENT_EXEMPT or "_user_id" not in session:
        return None
    if "privacy.consent" not in current_app.view_functions:
        return None
    from mutuo_aiuto.services.gdpr.consent import needs_consent

    if not needs_consent(current_user, _settings().privacy_notice_version):
        return None
    return redirect(url_for("privacy.consent", next=_here()))


# ---- bad input ---------------------------------------------------------------------------


def refuse_nul_bytes() -> None:
    """A NUL byte has no place in any text we keep, and PostgreSQL answers one with an
    error (a 500): refuse it (400) in the address, the query or the form, before a view
    passes it to the database."""
    texts = [request.path]
    for key, value in [*request.args.items(multi=True), *request.form.items(multi=True)]:
        texts += [key, value]
    if any("\x00" in text for text in texts):
        raise BadRequest()


def accepts_files(*names: str) -> Callable[[F], F]:
    """Let a view take a file in the form fields ``names`` (an association's logo); any
    other file part is still refused by ``refuse_file_parts``. Wear it under the route."""

    def decorator(view: F) -> F:
        view.accepts_files = frozenset(names)  # type: ignore[attr-defined]
        return view

    return decorator


def refuse_file_parts() -> None:
    """Forms take text, but for the few file fields a view names (``accepts_files``). A
    text field sent as a multipart file part would reach the form as a file object, which
    every text filter and check trips over (a 500): refuse any other file part (400)
    before a view builds a form."""
    if request.mimetype != "multipart/form-data" or not request.files:
        return
    view = current_app.view_functions.get(request.endpoint or "")
    allowed: frozenset[str] = getattr(view, "accepts_files", frozenset())
    if any(name not in allowed for name in request.files):
        raise BadRequest()


# A body sent without a Content-Length (chunked) that went past the size limit.
BODY_TOO_LARGE = "mutuo_aiuto.body_too_large"


class ChunkedBodyLimit:
    """WSGI middleware: hold a chunked body to the size limit, as a Content-Length is.

    A server that decodes chunked bodies (gunicorn, Werkzeug's) marks the stream
    ``wsgi.input_terminated``; Werkzeug then only stops reading at the limit and
    parses what came before it, so an oversized form was cut short and processed.
    Here the body is read up to one byte past the limit first: over it, the request
    is marked for a 413 (``refuse_oversized_body``, with the friendly page); within
    it, the view gets the body with its length, as if it had been sent with one.
    """

    def __init__(self, app: Any, limit: int) -> None:
        self.app, self.limit = app, limit

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        # Only a chunked body: reading a stream that no body follows could wait forever.
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and environ.get("wsgi.input_terminated") and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(self.limit + 1)
            if len(body) > self.limit:
                environ[BODY_TOO_LARGE] = True
                body = b""
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return self.app(environ, start_response)


def refuse_oversized_body() -> None:
    if request.environ.get(BODY_TOO_LARGE):
        raise RequestEntityTooLarge()


# ---- the audit trail from a view ------------------------------------------------------


def audit_event(action: str, *, target: Any = None, household: Any = None,
                details: dict[str, Any] | None = None, commit: bool = False) -> None:
    """Record an audit event for the logged-in user and this request.

    A one-line call for views: ``audit_event(audit.CONTACTS_VIEWED,
    target=household, commit=True)`` on a page that shows contacts.
    """
    actor = current_user._get_current_object() if current_user.is_authenticated else None
    audit.record(db.session, actor, action, target=target, household=household,
                 details=details, request_id=request_id())
    if commit:
        db.session.commit()


# ---- headers -------------------------------------------------------------------------


def add_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
    return response


def forbid_caching(response: Response) -> Response:
    """Pages seen while logged in may hold private data: no browser or proxy keeps them."""
    if request.endpoint != "static" and "_user_id" in session:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def add_hsts(response: Response) -> Response:
    response.headers.setdefault("Strict-Transport-Security",
                                "max-age=31536000; includeSubDomains")
    return response


def _configure_login(app: Flask, settings: Settings) -> None:
    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    # Exports, erasure and role changes ask for the password again.
    login_manager.refresh_view = "privacy.reauthenticate"
    login_manager.needs_refresh_message = _l("Please type your password again to continue.")
    login_manager.needs_refresh_message_category = "info"
    login_manager.session_protection = "basic"
    app.config.setdefault("REMEMBER_COOKIE_DURATION", timedelta(days=settings.remember_days))


def init_app(app: Flask, settings: Settings) -> None:
    _configure_login(app, settings)
    user_logged_in.connect(start_login, app)
    # The request id first, so every later hook and error page can use it.
    app.before_request_funcs.setdefault(None, []).insert(0, assign_request_id)
    # Before Flask-WTF's CSRF check, registered earlier: it would read the emptied
    # body of a chunked request over the limit and answer 400 instead of 413.
    app.before_request_funcs[None].insert(1, refuse_oversized_body)
    app.before_request(refuse_nul_bytes)
    app.before_request(refuse_file_parts)
    app.before_request(enforce_idle_timeout)
    app.before_request(expire_freshness)
    app.before_request(require_current_consent)
    app.after_request(add_security_headers)
    app.after_request(forbid_caching)
    app.after_request(add_request_id)
    app.teardown_request(forget_request_id)
    if not settings.is_development and not app.testing:
        app.after_request(add_hsts)
    if settings.environment == PRODUCTION and settings.ratelimit_storage_uri.startswith("memory"):
        app.logger.warning("RATELIMIT_STORAGE_URI is memory://: each worker counts login "
                           "attempts on its own; use Redis in production")
    if settings.max_content_length:
        app.wsgi_app = ChunkedBodyLimit(app.wsgi_app,  # type: ignore[method-assign]
                                        settings.max_content_length)
    if settings.environment == PRODUCTION and settings.mail_logged:
        app.logger.warning("MAIL_BACKEND is log: no mail is sent, mails are only written to "
                           "the log (with their links redacted); set MAIL_SERVER to send them")
    if settings.proxy_fix_hops:
        n = settings.proxy_fix_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)  # type: ignore[method-assign]
