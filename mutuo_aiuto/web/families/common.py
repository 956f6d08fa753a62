"""What every families view shares: the household (today's date is ``helpers.hub_clock``)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household
from mutuo_aiuto.services import policy
from mutuo_aiuto.services.households import household_of
from mutuo_aiuto.web.navigation import landing_url

F = TypeVar("F", bound=Callable[..., Any])


def current_household() -> Household | None:
    # Not cached in ``g``: tests share one app context (and ``g``) across requests.
    return household_of(db.session, current_user)


def own_household() -> Household:
    """The account's household, in a view behind ``household_required`` (which sent an
    account without one to create it)."""
    household = current_household()
    if household is None:
        abort(404)
    return household


def household_required(view: F) -> F:
    """An account without a household is sent to make it first: a family to the household
    form, a helper to "about you"; staff (who need none) back to their work."""

    @wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if current_household() is None:
            return redirect(where_to_start())
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def where_to_start() -> str:
    """The first step of an account without a household, with a word of why."""
    if policy.is_only_helping(current_user):
        flash(_("First tell us a little about you."), "info")
        return url_for("families.about_you")
    if policy.is_facilitator(current_user):
        flash(_("This page belongs to a family or a helper: your account has none."), "info")
        return landing_url(current_user)
    flash(_("First tell us about your family."), "info")
    return url_for("families.edit_household")
