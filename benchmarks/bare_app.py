"""The baseline of ``bench_web.py``: a bare Flask app with one endpoint, served by the
same gunicorn settings as the real one, so the difference is what the app itself costs."""

from __future__ import annotations

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index() -> str:
    return "ok"
