"""Errors as RFC 9457 problem details (``application/problem+json``), in the reader's language.

Every answer of the API that is not a success goes through ``problem``: the
routes' own refusals, and the app's error handlers for a path under
``/api/`` (an unknown address, a method not taken, the rate limit, a crash), so
no HTML page and no traceback ever reaches an API client.
"""

from __future__ import annotations

from typing import Any

from flask import Response, json
from flask_babel import lazy_gettext as _l

PROBLEM_JSON = "application/problem+json"
API_PREFIX = "/api/"

MESSAGES: dict[int, tuple[Any, Any]] = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    401: (_l("Not authenticated"),
          _l("Send a valid API token in the Authorization header: Bearer <token>.")),
    403: (_l("Not allowed"), _l("This token does not allow reading this.")),
    404: (_l("Not found"), _l("Nothing exists at this address, or this token may not see it.")),
    405: (_l("Method not allowed"), _l("This address can only be read (GET).")),
    406: (_l("Not acceptable"), _l("The API answers in JSON only.")),
    413: (_l("Too much data"), _l("What you sent is too large.")),
    422: (_l("Invalid parameters"), _l("Some parameters are not valid: see errors.")),
    429: (_l("Too many requests"),
          _l("This token has made too many calls. Wait a little and try again.")),
    500: (_l("Server error"), _l("An error on our side stopped this call. Please try again.")),
    503: (_l("Service unavailable"),
          _l("The service is briefly unavailable. Please try again in a few minutes.")),
}


def under_api(path: str) -> bool:
    return path.startswith(API_PREFIX)


def problem(status: int, detail: Any = None, **extra: Any) -> Response:
    """A problem-details response; ``detail`` defaults to the status's own message."""
    title, message = MESSAGES.get(status, MESSAGES[500])
    body = {"type": "about:blank", "title": str(title), "status": status,
            "detail": str(detail if detail is not None else message), **extra}
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    return response
