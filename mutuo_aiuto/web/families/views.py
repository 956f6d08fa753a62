"""The families blueprint: every address of the feature, in one place.

A member's own household, needs and offers. Every page needs a logged-in
account; another household's need or offer answers 404, like one that does
not exist. The view functions live in ``household_views``, ``need_views``
and ``offer_views``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint

from mutuo_aiuto.services.lifecycle import status_label
from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.families import household_views, need_views, offer_views
from mutuo_aiuto.web.families.forms import HOP_CHOICES, MEMBER_KIND_CHOICES, URGENCY_CHOICES

bp = Blueprint("families", __name__)

GET, POST = ["GET"], ["POST"]

# (path, endpoint, view, methods)
URLS = (
    ("/family", "household", household_views.household, GET),
    ("/family/edit", "edit_household", household_views.edit_household, [*GET, *POST]),
    ("/family/members", "add_member", household_views.add_member, POST),
    ("/family/members/<public_id>/remove", "remove_member", household_views.remove_member,
     POST),
    ("/needs", "needs", need_views.need_list, GET),
    ("/needs/new", "new_need", need_views.new_need, [*GET, *POST]),
    ("/needs/<public_id>", "need", need_views.need_page, GET),
    ("/needs/<public_id>/edit", "edit_need", need_views.edit_need, [*GET, *POST]),
    ("/needs/<public_id>/publish", "publish_need", need_views.publish_need, POST),
    ("/needs/<public_id>/pause", "pause_need", need_views.pause_need, POST),
    ("/needs/<public_id>/resume", "resume_need", need_views.resume_need, POST),
    ("/needs/<public_id>/cancel", "cancel_need", need_views.cancel_need, POST),
    ("/offers", "offers", offer_views.offer_list, GET),
    ("/offers/new", "new_offer", offer_views.new_offer, [*GET, *POST]),
    ("/offers/<public_id>", "offer", offer_views.offer_page, GET),
    ("/offers/<public_id>/edit", "edit_offer", offer_views.edit_offer, [*GET, *POST]),
    ("/offers/<public_id>/pause", "pause_offer", offer_views.pause_offer, POST),
    ("/offers/<public_id>/resume", "resume_offer", offer_views.resume_offer, POST),
    ("/offers/<public_id>/cancel", "cancel_offer", offer_views.cancel_offer, POST),
)

for path, endpoint, view, methods in URLS:
    # Every page is a member's own: log in first (any role may have a household).
    bp.add_url_rule(path, endpoint, member_required(view), methods=methods)


@bp.context_processor
def template_helpers() -> dict:
    return {"status_label": status_label, "member_kind_label": partial(_label, MEMBER_KIND_CHOICES),
            "hops_label": partial(_label, HOP_CHOICES),
            "urgency_label": partial(_label, URGENCY_CHOICES)}


def _label(choices: list[tuple[Any, Any]], value: Any) -> str:
    return str(dict(choices).get(value, value))
