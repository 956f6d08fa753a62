"""Flask commands: ``flask --app mutuo_aiuto seed-demo``, ``create-user``, …"""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register every command of the app (each feature adds its own here)."""
