"""Home page, the page that explains how pairings are chosen, and ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template

from mutuo_aiuto.extensions import csrf, db, limiter
from mutuo_aiuto.models.types import CRYPTO_EXTENSION

bp = Blueprint("main", __name__)


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.get("/how-pairings-work")
def how_pairings_work():
    """For everyone, in plain words: the rules every pairing keeps and what makes one better."""
    return render_template("main/how_pairings_work.html")


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
