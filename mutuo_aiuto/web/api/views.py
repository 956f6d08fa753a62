"""``/api/v1``: every route of the open API in one place.

Each view: check the token and its scope (``requires``), read the parameters
(a bad one answers 422 with every problem at once), call a service, shape the
rows (``shapes``, which asks ``policy`` what to hide) and answer JSON. Reads of
personal data are audited, one record per call.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import wraps
from typing import Any

from flask import Blueprint, Response, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from mutuo_aiuto.extensions import csrf, db, limiter
from mutuo_aiuto.models import MATCH_STATUSES, ApiToken
from mutuo_aiuto.services import api_reads, audit, impact, policy
from mutuo_aiuto.services.errors import NotFound
from mutuo_aiuto.services.paging import MAX_PAGE
from mutuo_aiuto.web.api import figures, openapi, shapes
from mutuo_aiuto.web.api.auth import bearer_secret, current_token, rate_key, rate_limit
from mutuo_aiuto.web.api.problems import problem
from mutuo_aiuto.web.helpers import hub_clock

bp = Blueprint("api", __name__, url_prefix=openapi.PREFIX)
# No cookie is read nor set under /api/ (``auth.ApiSessions``): nothing for CSRF to guard.
csrf.exempt(bp)
limiter.limit(rate_limit, key_func=rate_key)(bp)

MONTH = re.compile(r"(\d{4})-(\d{2})")
# The impact page offers five years; one call reads no more than that.
MAX_MONTHS = impact.SELECTABLE_MONTHS


class ApiProblem(Exception):
    """Answer the call with a problem (``problems.problem``)."""

    def __init__(self, status: int, detail: Any = None, **extra: Any) -> None:
        super().__init__(status)
        self.status, self.detail, self.extra = status, detail, extra


@bp.errorhandler(ApiProblem)
def answer_problem(error: ApiProblem) -> Response:
    return problem(error.status, error.detail, **error.extra)


@bp.after_request
def never_cached(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def requires(scope: str | None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """A valid token (else 401) whose scopes and account allow ``scope`` (else 403); the
    view gets the token first."""

    def decorator(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            token = current_token()
            if token is None:
                raise ApiProblem(401, None if bearer_secret() is None else _l(
                    "The API token is not valid, was revoked or has expired."))
            if scope is not None and not policy.can_use_api_scope(token.user, token.scopes,
                                                                  scope):
                raise ApiProblem(403, _("This token does not allow reading this (it needs "
                                        "the %(scope)s scope).", scope=scope))
            return view(token, *args, **kwargs)

        return wrapped

    return decorator


# ---- parameters ---------------------------------------------------------------------


def _whole(name: str, raw: str | None, default: int, highest: int,
           errors: list[dict[str, str]]) -> int:
    if raw is None:
        return default
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= highest:
        return int(raw)
    errors.append({"parameter": name, "detail": _(
        "Must be a whole number from 1 to %(highest)d.", highest=highest)})
    return default


def _refuse(errors: list[dict[str, str]]) -> None:
    if errors:
        raise ApiProblem(422, errors=errors)


def paging(errors: list[dict[str, str]] | None = None) -> tuple[int, int]:
    errors = [] if errors is None else errors
    page = _whole("page", request.args.get("page"), 1, MAX_PAGE, errors)
    limit = _whole("limit", request.args.get("limit"), api_reads.DEFAULT_LIMIT,
                   api_reads.MAX_LIMIT, errors)
    _refuse(errors)
    return page, limit


def _month(name: str, raw: str | None, default: date, errors: list[dict[str, str]]) -> date:
    if raw is None:
        return default
    found = MONTH.fullmatch(raw)
    if found and 1 <= int(found[2]) <= 12 and int(found[1]) >= 1:
        return date(int(found[1]), int(found[2]), 1)
    errors.append({"parameter": name, "detail": _("Must be a month written YYYY-MM.")})
    return default


def period() -> tuple[date, date]:
    errors: list[dict[str, str]] = []
    default = impact.default_period(hub_clock().today())
    first = _month("from", request.args.get("from"), default.first, errors)
    last = _month("to", request.args.get("to"), default.last, errors)
    _refuse(errors)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months < 1:
        errors.append({"parameter": "from",
                       "detail": _("The first month must not be after the last.")})
    elif months > MAX_MONTHS:
        errors.append({"parameter": "to", "detail": _(
            "At most %(months)d months at once.", months=MAX_MONTHS)})
    _refuse(errors)
    return first, last


def read_recorded(token: ApiToken, count: int, own: bool = False) -> None:
    """Audit a read of personal data: who, through which token and route, how many rows.
    Called once the answer is shaped: the commit expires every loaded row."""
    household = token.user.household if own else None
    audit.record(db.session, token.user, audit.API_DATA_READ, household=household,
                 details={"endpoint": request.endpoint, "token": token.public_id,
                          "items": count})
    db.session.commit()


# ---- routes -------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi_document() -> Response:
    return jsonify(openapi.document(request.script_root + openapi.PREFIX))


@bp.get("/me")
@requires(None)
def me(token: ApiToken) -> Response:
    return jsonify(shapes.me(token))


@bp.get("/requests")
@requires(policy.SCOPE_OWN)
def requests_(token: ApiToken) -> Response:
    page, limit = paging()
    found = api_reads.own_needs(db.session, token.user.household, page, limit)
    matches = api_reads.pairings_of(db.session, needs=found.items)
    items = [shapes.request(token.user, need, matches.get(("need", need.id), []))
             for need in found.items]
    read_recorded(token, len(items), own=True)
    return jsonify(shapes.page(found, items))


@bp.get("/requests/<public_id>")
@requires(policy.SCOPE_OWN)
def request_(token: ApiToken, public_id: str) -> Response:
    try:
        need = api_reads.own_need(db.session, token.user, public_id)
    except NotFound as error:
        raise ApiProblem(404, error.message) from None
    matches = api_reads.pairings_of(db.session, needs=[need]).get(("need", need.id), [])
    shown = shapes.request(token.user, need, matches)
    read_recorded(token, 1, own=True)
    return jsonify(shown)


@bp.get("/offers")
@requires(policy.SCOPE_OWN)
def offers(token: ApiToken) -> Response:
    page, limit = paging()
    found = api_reads.own_offers(db.session, token.user.household, page, limit)
    matches = api_reads.pairings_of(db.session, offers=found.items)
    items = [shapes.offer(token.user, row, matches.get(("offer", row.id), []))
             for row in found.items]
    read_recorded(token, len(items), own=True)
    return jsonify(shapes.page(found, items))


@bp.get("/offers/<public_id>")
@requires(policy.SCOPE_OWN)
def offer(token: ApiToken, public_id: str) -> Response:
    try:
        row = api_reads.own_offer(db.session, token.user, public_id)
    except NotFound as error:
        raise ApiProblem(404, error.message) from None
    matches = api_reads.pairings_of(db.session, offers=[row]).get(("offer", row.id), [])
    shown = shapes.offer(token.user, row, matches)
    read_recorded(token, 1, own=True)
    return jsonify(shown)


@bp.get("/proposals")
@requires(policy.SCOPE_FACILITATOR)
def proposals(token: ApiToken) -> Response:
    page, limit = paging()
    found = api_reads.open_proposals(db.session, page, limit)
    items = [shapes.proposal(row) for row in found.items]
    read_recorded(token, len(items))
    return jsonify(shapes.page(found, items))


@bp.get("/pairings")
@requires(policy.SCOPE_FACILITATOR)
def pairings(token: ApiToken) -> Response:
    errors: list[dict[str, str]] = []
    status = request.args.get("status")
    if status is not None and status not in MATCH_STATUSES:
        errors.append({"parameter": "status", "detail": _(
            "Must be one of: %(choices)s.", choices=", ".join(MATCH_STATUSES))})
    page, limit = paging(errors)
    found = api_reads.pairings(db.session, page, limit, status)
    items = [shapes.pairing(token.user, match) for match in found.items]
    read_recorded(token, len(items))
    return jsonify(shapes.page(found, items))


@bp.get("/impact")
@requires(policy.SCOPE_IMPACT)
def impact_figures(token: ApiToken) -> Response:
    first, last = period()
    clock = hub_clock()
    return jsonify(figures.rows(db.session, first, last, clock.today(), clock))
