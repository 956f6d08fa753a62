"""The Hub's check (vetting) on the pages: which help needs it, the Hub's desk, lists.

Template globals shared by the helper's offer pages and the facilitator's list
of helpers waiting for the check: the desk's address and opening hours (the
``HUB_ADDRESS`` and ``HUB_HOURS`` settings, in the page's language), the kinds
of help that need the check, and kinds of help said as one list.
"""

from __future__ import annotations

from typing import Any

from babel import Locale
from babel.lists import format_list
from flask import Flask
from flask_babel import get_locale

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Category
from mutuo_aiuto.services import hub_desk, vetting
from mutuo_aiuto.web.helpers import app_settings


def _locale() -> Locale:
    return get_locale() or Locale.parse("it")


def hub_desk_info() -> dict[str, Any]:
    """Where and when helpers bring the certificate for the Hub's check."""
    settings = app_settings()
    return {"address": settings.hub_address,
            "hours": hub_desk.hours_lines(hub_desk.parse_hours(settings.hub_hours), _locale())}


def kinds_needing_check() -> list[Category]:
    """The kinds of help only helpers with the Hub's check are proposed for."""
    return vetting.kinds_needing_check(db.session)


def kinds_words(kinds: list[Category]) -> str:
    """Kinds of help as one list in the page's language ("Childcare and School run")."""
    locale = _locale()
    return format_list([kind.label(str(locale)) for kind in kinds], locale=locale)


def init_app(app: Flask) -> None:
    app.jinja_env.globals.update(hub_desk_info=hub_desk_info,
                                 kinds_needing_check=kinds_needing_check,
                                 kinds_words=kinds_words)
