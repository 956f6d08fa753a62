"""Views of the auth blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("auth", __name__)
