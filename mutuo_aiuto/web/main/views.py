"""Home page, the page that explains how pairings are chosen, the programme's public
figures (``/numbers``) and ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, make_response, render_template
from flask_login import current_user

from mutuo_aiuto.extensions import csrf, db, limiter
from mutuo_aiuto.models.types import CRYPTO_EXTENSION
from mutuo_aiuto.services import impact
from mutuo_aiuto.web.helpers import hub_clock

# The public figures change once a day at most: a proxy or the city's site may keep them.
PUBLIC_CACHE = "public, max-age=3600"

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/how-pairings-work")
def how_pairings_work():
    """For everyone, in plain words: the rules every pairing keeps and what makes one better."""
    return render_template("main/how_pairings_work.html")


@bp.get("/numbers")
def numbers():
    """The figures safe to publish, for everyone and for the city's website: by year and
    in all, no figure under 5, no special-category data (see ``impact.public_impact``)."""
    figures = impact.public_impact(db.session, hub_clock().today(), hub_clock())
    response = make_response(render_template("main/numbers.html", figures=figures))
    if not current_user.is_authenticated:
        # A visitor's page is the same for every visitor of that language; a logged-in
        # page names the member in its header and stays private (security.forbid_caching).
        response.headers["Cache-Control"] = PUBLIC_CACHE
        response.vary.update(("Accept-Language", "Cookie"))
    return response


@bp.get("/healthz")
@csrf.exempt
@limiter.exempt
def healthz():
    """What a monitor needs: 503 when the database does not answer or holds data the
    configured keys cannot open (a sample, see ``keys.sample_unreadable``); 200
    "degraded" when the rate-limit store is away (each worker counts on its own)."""
    from mutuo_aiuto.services import health

    report = health.check(db.session, limiter, current_app.extensions[CRYPTO_EXTENSION],
                          current_app.config["RATELIMIT_STORAGE_URI"])
    return jsonify(report), 503 if report["status"] == health.ERROR else 200
