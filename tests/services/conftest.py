"""Fixtures shared by the service tests that need PostgreSQL itself (row locks, races)."""

from __future__ import annotations

import pytest
from flask import Flask

from mutuo_aiuto.extensions import db


@pytest.fixture
def pg_app(make_app, postgres_url) -> Flask:
    """An app on this worker's PostgreSQL database (skips on a laptop without one)."""
    app = make_app(database_url=postgres_url)
    with app.app_context():
        assert db.engine.dialect.name == "postgresql"
    return app
