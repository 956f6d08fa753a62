"""The main menu: which pages each role sees, in one place."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ADMIN, FACILITATOR, MEMBER
from mutuo_aiuto.services import notifications


class MessagesLabel:
    """The menu's "Messages" entry, with the number of unread ones when there are any."""

    def __str__(self) -> str:
        count = notifications.unread_count(db.session, current_user)
        return _("Messages (%(num)d)", num=count) if count else _("Messages")


MESSAGES_LABEL = MessagesLabel()

# (endpoint, label, roles). A link appears once its feature registers the endpoint.
MENU = (
    ("families.household", _l("My family"), (MEMBER, FACILITATOR, ADMIN)),
    ("families.needs", _l("My requests"), (MEMBER, FACILITATOR, ADMIN)),
    ("families.offers", _l("My offers"), (MEMBER, FACILITATOR, ADMIN)),
    ("week.index", _l("My week"), (MEMBER, FACILITATOR, ADMIN)),
    ("inbox.index", MESSAGES_LABEL, (MEMBER, FACILITATOR, ADMIN)),
    ("followups.calendar", _l("Calendar"), (MEMBER, FACILITATOR, ADMIN)),
    ("facilitator.dashboard", _l("Proposals"), (FACILITATOR, ADMIN)),
    ("followups.index", _l("Follow-ups"), (FACILITATOR, ADMIN)),
    ("admin.index", _l("Administration"), (ADMIN,)),
    ("privacy.erasures", _l("Erasure requests"), (FACILITATOR, ADMIN)),
    ("users.index", _l("Accounts"), (ADMIN,)),
    ("auth.account", _l("My account"), (MEMBER, FACILITATOR, ADMIN)),
    ("privacy.index", _l("Privacy"), (MEMBER, FACILITATOR, ADMIN)),
)


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [(endpoint, str(text)) for endpoint, text, roles in MENU
            if current_user.role in roles and endpoint in views]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
