"""The main menu: which pages each role sees, in one place."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mutuo_aiuto.models import ADMIN, FACILITATOR, MEMBER

# (endpoint, label, roles). A link appears once its feature registers the endpoint.
MENU = (
    ("families.household", _l("My family"), (MEMBER, FACILITATOR, ADMIN)),
    ("families.needs", _l("My requests"), (MEMBER, FACILITATOR, ADMIN)),
    ("families.offers", _l("My offers"), (MEMBER, FACILITATOR, ADMIN)),
    ("facilitator.dashboard", _l("Proposals"), (FACILITATOR, ADMIN)),
    ("admin.index", _l("Administration"), (ADMIN,)),
)


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [(endpoint, str(text)) for endpoint, text, roles in MENU
            if current_user.role in roles and endpoint in views]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
