"""Home page, the page that explains how pairings are chosen, and ``/healthz``."""

from __future__ import annotations

from flask import Blueprint, jsonify, render_template
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mutuo_aiuto.extensions import csrf, db, limiter

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
    """200 when the database answers a query, 503 when it does not."""
    try:
        db.session.execute(text("SELECT 1"))
    except SQLAlchemyError:
        db.session.rollback()
        return jsonify(status="error", database="unavailable"), 503
    return jsonify(status="ok", database="ok")
