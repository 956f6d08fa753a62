"""``/week``: the logged-in member's requests, availability and sessions, day by day.

Pure HTML and CSS: seven columns on a wide screen, a list of days on a phone.
"""

from __future__ import annotations

from datetime import date, timedelta

from babel.dates import format_interval, format_skeleton
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import MatchStatus
from mutuo_aiuto.services import policy
from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.helpers import hub_clock
from mutuo_aiuto.web.week.agenda import (
    GROUP,
    HELPED,
    HELPING,
    NEED,
    OFFER,
    member_week,
    monday_of,
    parse_week_start,
)

bp = Blueprint("week", __name__)

KIND_LABELS = {
    NEED: _l("Your request, waiting for a helper"),
    OFFER: _l("You are available"),
    HELPING: _l("You help"),
    HELPED: _l("Help for your family"),
    GROUP: _l("A group your family takes part in"),
}
# By (kind, the pairing's status): the words the request's page and the pairing use.
SESSION_STATUS = {
    (HELPED, MatchStatus.AWAITING): _l("waiting for the helper's answer"),
    (HELPING, MatchStatus.AWAITING): _l("waiting for your answer"),
    (HELPED, MatchStatus.ACTIVE): _l("confirmed"),
    (HELPING, MatchStatus.ACTIVE): _l("confirmed"),
}



def household_url() -> str | None:
    """Where to fill in the family, once that page exists."""
    endpoint = ("families.about_you" if policy.is_only_helping(current_user)
                else "families.household")
    return url_for(endpoint) if endpoint in current_app.view_functions else None


def day_label(day: date) -> str:
    """"1 Dec" / "1 dic" / "١ ديسمبر": the locale's own short day-and-month form."""
    return format_skeleton("MMMd", day, locale=get_locale())


def week_label(monday: date) -> str:
    """"30 Nov – 6 Dec 2026", as the locale writes a range of dates."""
    return format_interval(monday, monday + timedelta(days=6), "yMMMd", locale=get_locale())


@bp.get("/week")
@member_required
def index():
    today = hub_clock().today()
    monday = parse_week_start(request.args.get("start"), today)
    days = member_week(db.session, current_user, monday)
    return render_template(
        "week/index.html", days=days, today=today, monday=monday,
        is_this_week=monday == monday_of(today), household_url=household_url(),
        has_household=current_user.household is not None,
        only_helping=policy.is_only_helping(current_user),
        previous_week=monday - timedelta(days=7), next_week=monday + timedelta(days=7),
        week_label=week_label(monday), day_label=day_label,
        kind_labels=KIND_LABELS, session_status=SESSION_STATUS)
