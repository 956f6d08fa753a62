"""Error pages in the reader's language: no traceback ever reaches a browser.

That holds on the way out too: when the database goes away, the rollbacks an
error page and the request's teardown do raise themselves, and an exception
escaping there would reach the client as the server's bare 500.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import AnonymousUserMixin
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError

from mutuo_aiuto.extensions import db
from mutuo_aiuto.web.api import problems

logger = logging.getLogger("mutuo_aiuto.web")
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
    if not _rolled_back():
        # The database is away: the page must not ask it who is logged in.
        g._login_user = AnonymousUserMixin()
    if problems.under_api(request.path):
        return problems.problem(status)
    title, message = MESSAGES.get(status, MESSAGES[500])
    if request.accept_mimetypes.best == "application/json":
        return jsonify(error=str(title), message=str(message)), status
    return render_template("errors/error.html", status=status, title=title,
                           message=message), status


def _rolled_back() -> bool:
    try:
        db.session.rollback()
    except SQLAlchemyError:
        logger.warning("could not roll back: the database is away", exc_info=True)
        return False
    return True


def remove_session(error: BaseException | None) -> None:
    """Flask-SQLAlchemy's teardown, guarded: by now the response is built, and a
    rollback that fails on a dead connection must not turn it into a bare 500."""
    # The scoped session itself (typed as a plain Session elsewhere, for services).
    scoped: Any = db.session
    try:
        scoped.remove()
    except Exception:
        logger.warning("could not close the database session cleanly", exc_info=True)
        try:
            if scoped.registry.has():
                # Drop the broken connection: never reuse it, never leave it open.
                scoped.registry().invalidate()
        except Exception:
            logger.debug("the broken connection could not be invalidated", exc_info=True)
        finally:
            scoped.registry.clear()


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
    app.teardown_appcontext_funcs[:] = [
        remove_session if function == db._teardown_session else function
        for function in app.teardown_appcontext_funcs]
    app.register_error_handler(HTTPException, handle_http)
    app.register_error_handler(OperationalError, handle_database_down)
    app.register_error_handler(InternalServerError, handle_unexpected)
