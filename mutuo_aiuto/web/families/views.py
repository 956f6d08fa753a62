"""The families blueprint: a member's own household, needs and offers.

Every page needs a logged-in account (any role may have a household); another
household's need or offer answers 404, like one that does not exist. The views
live in ``household_views``, ``need_views`` and ``offer_views``, each route
declared on its view with ``@bp``; importing them, at the end of this module,
registers them.
"""

from __future__ import annotations

from flask import Blueprint

from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.families.forms import template_labels

bp = Blueprint("families", __name__)


@bp.before_request
@member_required
def check_member() -> None:
    """Log in first: every page of the blueprint is a member's own, even one added later."""


@bp.context_processor
def template_helpers() -> dict:
    return template_labels()


# The view modules declare their routes on ``bp``: imported last, once ``bp`` exists.
from mutuo_aiuto.web.families import household_views, need_views, offer_views  # noqa: E402, F401
