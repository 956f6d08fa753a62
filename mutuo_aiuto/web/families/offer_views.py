"""A helper's own offers: list, post, see, edit, and the status buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Offer
from mutuo_aiuto.services import households, needs, offers
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.lifecycle import OFFER_EDITABLE
from mutuo_aiuto.web.facilitator.hooks import propose_after_commit
from mutuo_aiuto.web.families.common import (
    current_household,
    household_required,
    local_today,
    show_error,
)
from mutuo_aiuto.web.families.forms import OfferForm


def _own_offer(public_id: str) -> Offer:
    try:
        return offers.get_offer(db.session, current_household(), public_id)
    except NotFound:
        abort(404)


def _form(data: dict) -> OfferForm:
    return OfferForm(needs.active_skill_list(db.session),
                     households.active_neighbourhoods(db.session), data=data)


def _render_form(form: OfferForm, offer: Offer | None = None):
    status = 400 if form.is_submitted() else 200
    return render_template("families/offer_form.html", form=form, offer=offer), status


@household_required
def offer_list():
    return render_template("families/offers.html",
                           offers=offers.list_offers(db.session, current_household()))


@household_required
def new_offer():
    household = current_household()
    form = _form(OfferForm.data_for_new(household))
    if form.validate_on_submit():
        try:
            offer = offers.post_offer(db.session, household, form.to_input(),
                                      today=local_today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            propose_after_commit(offer=offer)
            flash(_("Your offer is published: thank you!"), "success")
            return redirect(url_for("families.offer", public_id=offer.public_id))
    return _render_form(form)


@household_required
def offer_page(public_id: str):
    return render_template("families/offer.html", offer=_own_offer(public_id),
                           editable=OFFER_EDITABLE)


@household_required
def edit_offer(public_id: str):
    offer = _own_offer(public_id)
    if offer.status not in OFFER_EDITABLE:
        flash(_("This offer can no longer be changed."), "error")
        return redirect(url_for("families.offer", public_id=public_id))
    form = _form(OfferForm.data_of(offer))
    if form.validate_on_submit():
        try:
            offers.update_offer(db.session, current_household(), offer, form.to_input(),
                                today=local_today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            propose_after_commit(offer=offer)
            flash(_("Your offer is saved."), "success")
            return redirect(url_for("families.offer", public_id=public_id))
    return _render_form(form, offer)


def _change(public_id: str, action: Callable, done: str):
    """Run one status button: on refusal nothing changes and the reason is shown."""
    offer = _own_offer(public_id)
    try:
        action(db.session, current_household(), offer)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        propose_after_commit(offer=offer)
        flash(done, "success")
    return redirect(url_for("families.offer", public_id=public_id))


@household_required
def pause_offer(public_id: str):
    return _change(public_id, offers.pause_offer,
                   _("Your offer is paused: you will not be proposed until you resume it."))


@household_required
def resume_offer(public_id: str):
    return _change(public_id, partial(offers.resume_offer, today=local_today()),
                   _("Your offer is open again."))


@household_required
def cancel_offer(public_id: str):
    return _change(public_id, offers.cancel_offer, _("Your offer is withdrawn."))
