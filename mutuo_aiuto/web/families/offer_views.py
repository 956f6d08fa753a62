"""A helper's own offers: list, post, see, edit, and the status buttons."""

from __future__ import annotations

from functools import partial
from typing import cast

from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Offer
from mutuo_aiuto.services import households, needs, offers, proposal_queries, vetting
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import allowed_actions
from mutuo_aiuto.web.families.common import (
    household_required,
    own_household,
)
from mutuo_aiuto.web.families.forms import OfferForm
from mutuo_aiuto.web.families.listing_views import (
    Listing,
    change,
    edit,
    own,
    render_form,
    submit,
)
from mutuo_aiuto.web.families.views import bp
from mutuo_aiuto.web.helpers import hub_clock

OFFER = Listing("offer", offers.get_offer, "families/offer_form.html")


def _form(data: dict) -> OfferForm:
    return OfferForm(needs.active_skill_list(db.session),
                     households.active_neighbourhoods(db.session), data=data)


@bp.get("/offers", endpoint="offers")
@household_required
def offer_list():
    household = own_household()
    rows = offers.list_offers(db.session, household)
    live = [row for row in rows if row.status == "open"]
    return render_template("families/offers.html", offers=rows,
                           check=vetting.check_state(db.session, household, live,
                                                     hub_clock().today()))


@bp.route("/offers/new", methods=["GET", "POST"])
@household_required
def new_offer():
    household = own_household()
    form = _form(OfferForm.data_for_new(household))

    def post() -> Offer:
        return offers.post_offer(db.session, household, form.to_input(), today=hub_clock().today())

    return (submit(OFFER, form, post, _("Your offer is published: thank you!"),
                   check=partial(_check, form))
            or render_form(OFFER, form))


def _check(form: OfferForm) -> list[DomainError]:
    """What the service would refuse besides what the fields refused (nothing is saved)."""
    return offers.check_offer(db.session, own_household(), form.to_input(),
                              today=hub_clock().today())


@bp.get("/offers/<public_id>", endpoint="offer")
@household_required
def offer_page(public_id: str):
    row = own(OFFER, public_id)
    return render_template("families/offer.html", offer=row,
                           actions=allowed_actions(row, current_user),
                           check=vetting.check_state(db.session, own_household(),
                                                     [cast(Offer, row)], hub_clock().today()),
                           updating=proposal_queries.updating(db.session, cast(Offer, row)))


def _update(form: OfferForm, offer: Offer) -> Offer:
    return offers.update_offer(db.session, own_household(), offer, form.to_input(),
                               today=hub_clock().today())


@bp.route("/offers/<public_id>/edit", methods=["GET", "POST"])
@household_required
def edit_offer(public_id: str):
    return edit(OFFER, public_id, lambda offer: _form(OfferForm.data_of(offer)), _update,
                refused=_("This offer can no longer be changed."),
                done=_("Your offer is saved."), check=_check)


@bp.post("/offers/<public_id>/pause")
@household_required
def pause_offer(public_id: str):
    return change(OFFER, public_id, offers.pause_offer,
                  _("Your offer is paused: you will not be proposed until you resume it."))


@bp.post("/offers/<public_id>/resume")
@household_required
def resume_offer(public_id: str):
    return change(OFFER, public_id, partial(offers.resume_offer, today=hub_clock().today()),
                  _("Your offer is open again."))


@bp.post("/offers/<public_id>/cancel")
@household_required
def cancel_offer(public_id: str):
    return change(OFFER, public_id, offers.cancel_offer, _("Your offer is withdrawn."))
