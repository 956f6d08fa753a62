"""The main menu: which pages each role sees (as policy.py decides), in one place."""

from __future__ import annotations

from flask import Flask, current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import notifications, policy


class MessagesLabel:
    """The menu's "Messages" entry, with the number of unread ones when there are any."""

    def __str__(self) -> str:
        count = notifications.unread_count(db.session, current_user)
        return _("Messages (%(num)d)", num=count) if count else _("Messages")


MESSAGES_LABEL = MessagesLabel()

# (endpoint, label, who sees it: a policy check). A link appears once its feature
# registers the endpoint.
MENU = (
    ("families.household", _l("My family"), policy.is_signed_in),
    ("families.needs", _l("My requests"), policy.is_signed_in),
    ("families.offers", _l("My offers"), policy.is_signed_in),
    ("week.index", _l("My week"), policy.is_signed_in),
    ("inbox.index", MESSAGES_LABEL, policy.is_signed_in),
    ("followups.calendar", _l("Calendar"), policy.is_signed_in),
    ("facilitator.dashboard", _l("Proposals"), policy.is_facilitator),
    ("followups.index", _l("Follow-ups"), policy.is_facilitator),
    ("admin.index", _l("Administration"), policy.is_admin),
    ("privacy.erasures", _l("Erasure requests"), policy.is_facilitator),
    ("users.index", _l("Accounts"), policy.is_admin),
    ("auth.account", _l("My account"), policy.is_signed_in),
    ("privacy.index", _l("Privacy"), policy.is_signed_in),
)


def nav_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    views = current_app.view_functions
    return [(endpoint, str(text)) for endpoint, text, allowed in MENU
            if allowed(current_user) and endpoint in views]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["nav_links"] = nav_links
