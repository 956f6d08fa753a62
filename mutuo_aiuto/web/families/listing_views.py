"""The steps ``need_views`` and ``offer_views`` share: own row, save a form, status buttons.

Each of those modules describes its side with a ``Listing`` and keeps its own
view functions (and so its endpoints); what both do the same way lives here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from flask import flash, redirect, url_for
from flask_login import current_user
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Need, Offer
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import Action, allowed_actions
from mutuo_aiuto.services.posting import propose_after_commit
from mutuo_aiuto.web.families.common import current_household
from mutuo_aiuto.web.families.forms import FamiliesForm
from mutuo_aiuto.web.helpers import form_page, found_or_404, hub_clock, refused


@dataclass(frozen=True)
class Listing:
    """Needs or offers, as far as the shared views care."""

    # "need" or "offer": the page's endpoint, the templates' and propose_after_commit's keyword.
    name: str
    get: Callable[[Session, Household | None, str], Any]
    form_template: str


def own(listing: Listing, public_id: str) -> Need | Offer:
    """The current household's row; anyone else's answers 404, like a missing one."""
    return found_or_404(listing.get, current_household(), public_id)


def back_to_page(listing: Listing, public_id: str) -> Response:
    return redirect(url_for(f"families.{listing.name}", public_id=public_id))


def render_form(listing: Listing, form: FamiliesForm, row: Need | Offer | None = None):
    """The form page; one submitted and shown again was refused, so it answers 400."""
    return form_page(listing.form_template, form=form, **{listing.name: row})


def _saved(listing: Listing, row: Need | Offer, done: str) -> Response:
    db.session.commit()
    today = hub_clock().today()
    if isinstance(row, Need):
        propose_after_commit(db.session, today=today, need=row)
    else:
        propose_after_commit(db.session, today=today, offer=row)
    flash(done, "success")
    return back_to_page(listing, row.public_id)


def submit(listing: Listing, form: FamiliesForm, save: Callable[[], Need | Offer],
           done: str, check: Callable[[], list[DomainError]] | None = None
           ) -> Response | None:
    """On a valid POST save, commit and go to the page; None to show the form again.

    A form the fields refuse is also given ``check()``'s refusals (the service's
    rules, nothing saved) on the fields that have none yet: every problem is
    shown after one submission.
    """
    if not form.is_submitted():
        return None
    if not form.validate():
        if check is not None:
            for error in check():
                if not form.has_error(error.field) and not form.add_error(
                        error.field, str(error.message)):
                    flash(str(error.message), "error")
        return None
    try:
        row = save()
    except DomainError as error:
        refused(form, error)
        return None
    return _saved(listing, row, done)


def edit(listing: Listing, public_id: str, make_form: Callable[[Any], FamiliesForm],
         update: Callable[..., Need | Offer], refused: str, done: str,
         check: Callable[[Any], list[DomainError]] | None = None):
    """The edit page, while the row's status allows a change."""
    row = own(listing, public_id)
    if Action.EDIT not in allowed_actions(row, current_user):
        flash(refused, "error")
        return back_to_page(listing, public_id)
    form = make_form(row)
    service_check = None if check is None else partial(check, form)
    return (submit(listing, form, lambda: update(form, row), done, check=service_check)
            or render_form(listing, form, row))


def change(listing: Listing, public_id: str, action: Callable, done: str) -> Response:
    """Run one status button: on refusal nothing changes and the reason is shown."""
    row = own(listing, public_id)
    try:
        action(db.session, current_household(), row)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return back_to_page(listing, public_id)
    return _saved(listing, row, done)
