"""What every blueprint would otherwise write again: settings, the clock, safe redirects, 404s,
refusals.

One copy each, so that a fix (such as refusing ``/\\evil`` as a redirect
target) reaches every view at once. Blueprints import from here, never from
one another's views.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, flash, redirect, render_template, request
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.wrappers import Response

from mutuo_aiuto.config import Settings
from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import hubtime, ports
from mutuo_aiuto.services.errors import DomainError, NotFound, all_errors

T = TypeVar("T")


def app_settings() -> Settings:
    """The app's frozen settings."""
    return current_app.config["SETTINGS"]


def external_url(endpoint: str, **values: Any) -> str:
    """A page's absolute address, from ``BASE_URL`` (never from the request's Host header,
    so a forged Host cannot put another site's address in a mail or on a page)."""
    return ports.links().url(endpoint, **values)


def hub_clock() -> hubtime.HubClock:
    """The Hub's clock (its zone from the settings): ``hub_clock().now()`` / ``.today()``."""
    return current_app.extensions[hubtime.EXTENSION]


# ---- redirects -------------------------------------------------------------------------


def safe_next(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirect)."""
    if not isinstance(target, str) or not target.startswith("/") or target.startswith("//"):
        return None
    # Browsers drop tabs and newlines and read "\" as "/": "/\evil" is "//evil".
    if "\\" in target or any(ch.isspace() or not ch.isprintable() for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def next_or(default: str) -> str:
    """The request's ``next`` (hidden field or query string) when it is ours, else ``default``."""
    return safe_next(request.form.get("next") or request.args.get("next")) or default


def redirect_next(default: str) -> Response:
    """Redirect to the request's safe ``next``, else to ``default``."""
    return redirect(next_or(default))


# ---- loading or 404 --------------------------------------------------------------------


def found_or_404(get: Callable[..., T], *args: Any,
                 missing: type[Exception] | tuple[type[Exception], ...] = NotFound) -> T:
    """``get(db.session, *args)``; "not found" answers 404 (never 403, so ids cannot be probed)."""
    try:
        return get(db.session, *args)
    except missing:
        abort(404)


def first_or_404(model: type[T], public_id: str) -> T:
    """The row of ``model`` with this public id, or 404."""
    found = db.session.scalars(
        select(model).where(model.public_id == public_id)).first()  # type: ignore[attr-defined]
    if found is None:
        abort(404)
    return found


# ---- a refused form --------------------------------------------------------------------


def refused(form: FlaskForm, error: DomainError) -> None:
    """Undo the attempt; the message goes on its field, or is flashed when it has none."""
    db.session.rollback()
    for one in all_errors(error):
        # str(): the macros print only plain strings, not lazy ones.
        message = str(one.message)
        if not _on_field(form, one.field, message):
            flash(message, "error")


def _on_field(form: Any, name: str | None, message: str) -> bool:
    # A form with subforms (the families' forms) finds its nested fields itself.
    add_error = getattr(form, "add_error", None)
    if add_error is not None:
        return bool(add_error(name, message))
    if name and name in form:
        form[name].errors = [*form[name].errors, message]
        return True
    return False


def carried_out(action: Callable[[], object], success: str) -> bool:
    """Run one service call: commit and flash ``success``, or roll back and flash why not."""
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return False
    db.session.commit()
    flash(success, "success")
    return True


def form_page(template: str, **context: Any) -> tuple[str, int]:
    """A page with a form; shown again after a POST it was refused, so it answers 400."""
    return render_template(template, **context), 400 if request.method == "POST" else 200
