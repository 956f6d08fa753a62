"""The menus and the landing page: which pages each person sees (as policy.py decides).

A member's main menu holds only what they came for (a family: the family, its
requests; a helper: the offers; both: the union), then the week, the groups, the
messages and the account, so that it fits one row on a laptop; the privacy pages and the
calendar are reached from the account page and the footer. Staff get the pages
of their work, and family links only if their account also has a household.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import notifications, policy

MESSAGES = "inbox.index"

# (endpoint, label, who sees it: a policy check). A link appears once its feature
# registers the endpoint.
Entry = tuple[str, Any, Callable[[Any], bool]]
MENU: tuple[Entry, ...] = (
    ("families.household", _l("My family"), policy.is_asking_for_help),
    ("families.needs", _l("My requests"), policy.is_asking_for_help),
    ("families.offers", _l("My offers"), policy.is_offering_help),
    ("week.index", _l("My week"), policy.is_family_or_helper),
    # Families find the groups near them and the ones they are in (issue 12).
    ("activities.index", _l("Groups"), policy.is_family_or_helper),
    ("associations.mine", _l("My association"), policy.coordinates_an_association),
    ("facilitator.dashboard", _l("Proposals"), policy.is_facilitator),
    ("desk.index", _l("Front desk"), policy.is_facilitator),
    ("followups.index", _l("Follow-ups"), policy.is_facilitator),
    ("followups.vettings", _l("Vetting"), policy.is_facilitator),
    ("privacy.erasures", _l("Erasure requests"), policy.is_facilitator),
    ("facilitator.impact", _l("Impact"), policy.is_facilitator),
    ("admin.index", _l("Administration"), policy.is_admin),
    ("users.index", _l("Accounts"), policy.is_admin),
    ("associations.review", _l("Associations"), policy.can_review_associations),
    (MESSAGES, _l("Messages"), policy.is_signed_in),
    ("auth.account", _l("My account"), policy.is_signed_in),
)

# Under the account entry and in the footer, not in the main menu.
ACCOUNT_LINKS: tuple[Entry, ...] = (
    ("activities.index", _l("Groups and activities"), policy.is_signed_in),
    ("followups.calendar", _l("Calendar"), policy.is_signed_in),
    ("privacy.index", _l("Privacy and your data"), policy.is_signed_in),
)


@dataclass(frozen=True)
class Menu:
    """The links of the main menu and the number of unread messages (0 when none)."""

    links: list[tuple[str, str]]
    unread: int


def _visible(entries: tuple[Entry, ...], user: Any,
             known: dict[Callable[[Any], bool], bool] | None = None) -> list[Entry]:
    """The entries whose feature is there and whose check passes (``known``: checks whose
    answer the page has already read)."""
    views = current_app.view_functions
    known = known or {}
    return [entry for entry in entries if entry[0] in views
            and (known[entry[2]] if entry[2] in known else entry[2](user))]


def messages_label(unread: int) -> str:
    return _("Messages (%(num)d)", num=unread) if unread else _("Messages")


def main_menu() -> Menu:
    """The signed-in person's menu, counting unread messages once for the page."""
    if not current_user.is_authenticated:
        return Menu([], 0)
    unread, coordinates = notifications.unread_and_coordinating(db.session, current_user)
    known: dict[Callable[[Any], bool], bool] = {policy.coordinates_an_association: coordinates}
    links = [(endpoint, messages_label(unread) if endpoint == MESSAGES else str(text))
             for endpoint, text, _allowed in _visible(MENU, current_user, known)]
    return Menu(links, unread)


def nav_links() -> list[tuple[str, str]]:
    return main_menu().links


def account_links() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [(endpoint, str(text)) for endpoint, text, _allowed
            in _visible(ACCOUNT_LINKS, current_user)]


# The signed-in home page: what each person came for, first things first.
HOME_ACTIONS: tuple[Entry, ...] = (
    ("facilitator.dashboard", _l("Open the proposals"), policy.is_facilitator),
    ("admin.index", _l("Administration"), policy.is_admin),
    ("families.new_need", _l("Ask for help"), policy.is_asking_for_help),
    ("families.new_offer", _l("Offer help"), policy.is_offering_help),
    ("families.needs", _l("My requests"), policy.is_asking_for_help),
    ("families.offers", _l("My offers"), policy.is_offering_help),
)


def home_actions() -> list[tuple[str, str]]:
    if not current_user.is_authenticated:
        return []
    return [(endpoint, str(text)) for endpoint, text, _allowed
            in _visible(HOME_ACTIONS, current_user)]


def landing_url(user: Any) -> str:
    """Where a person goes after logging in: staff to their work, a helper who has not
    said where they are to "about you", a family to its page (which asks for the
    household first), a helper to the offers."""
    views = current_app.view_functions
    if policy.is_admin(user) and "admin.index" in views:
        return url_for("admin.index")
    if policy.is_facilitator(user) and "facilitator.dashboard" in views:
        return url_for("facilitator.dashboard")
    if policy.is_only_helping(user) and "families.offers" in views:
        return url_for("families.offers" if user.household is not None
                       else "families.about_you")
    if policy.is_member(user) and "families.household" in views:
        return url_for("families.household")
    return url_for("main.home")


def only_helping() -> bool:
    """For templates: the person came only to help, so their pages say "your details"."""
    return policy.is_only_helping(current_user)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(main_menu=main_menu, nav_links=nav_links,
                                 account_links=account_links, home_actions=home_actions,
                                 only_helping=only_helping)
