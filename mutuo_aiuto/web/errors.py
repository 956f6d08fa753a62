"""Error pages in the reader's language: no traceback ever reaches a browser."""

from __future__ import annotations

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from mutuo_aiuto.extensions import db

MESSAGES = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Please try again.")),
    403: (_l("Not allowed"), _l("Your account cannot open this page.")),
    404: (_l("Page not found"), _l("This page does not exist or is no longer available.")),
    405: (_l("Not allowed"), _l("This address cannot be used this way.")),
    413: (_l("Too much data"), _l("What you sent is too large. Please send less.")),
    429: (_l("Too many attempts"),
          _l("You have tried too many times. Please wait a few minutes and try again.")),
    500: (_l("Something went wrong"),
          _l("An error on our side stopped this page. Nothing was saved; please try again.")),
    503: (_l("Service unavailable"),
          _l("The service is briefly unavailable. Please try again in a few minutes.")),
}


def render_error(status: int):
    db.session.rollback()
    title, message = MESSAGES.get(status, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json" or request.path.startswith("/api/"):
        return jsonify(error=str(title), message=str(message)), status
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def handle_http(error: HTTPException):
    status = error.code or 500
    if isinstance(error, CSRFError):
        status = 400
    return render_error(status)


def handle_database_down(error: OperationalError):
    # The page must not ask the database who is logged in: show it as anonymous.
    g._login_user = AnonymousUserMixin()
    return render_error(503)


def handle_unexpected(error: InternalServerError):
    return render_error(500)


def init_app(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InternalServerError, handle_unexpected)
