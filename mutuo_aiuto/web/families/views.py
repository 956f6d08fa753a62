"""Views of the families blueprint (being written)."""

from flask import Blueprint

bp = Blueprint("families", __name__)
