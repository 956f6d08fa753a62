"""The household profile: see it, edit it (the first save creates it), add and remove people."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import households, needs, policy
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.families.common import (
    current_household,
    household_required,
    own_household,
)
from mutuo_aiuto.web.families.forms import HouseholdForm, MemberForm
from mutuo_aiuto.web.families.views import bp
from mutuo_aiuto.web.helpers import form_page, found_or_404, hub_clock, refused


def _render_household(member_form: MemberForm, status: int = 200):
    household = own_household()
    return render_template(
        "families/household.html", household=household, member_form=member_form,
        current_needs=needs.current_needs(db.session, household),
        show_contacts=policy.can_see_contacts(current_user, household)), status


@bp.get("/family")
@household_required
def household():
    return _render_household(MemberForm())


@bp.route("/family/edit", methods=["GET", "POST"])
def edit_household():
    existing = current_household()
    places = households.active_neighbourhoods(db.session)
    form = HouseholdForm(places, data=HouseholdForm.data_of(existing))
    if form.validate_on_submit():
        try:
            households.save_household(db.session, current_user, **form.fields_for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Your family profile is saved.") if existing
                  else _("Your family profile is created."), "success")
            return redirect(url_for("families.household"))
    return form_page("families/household_form.html", form=form, creating=existing is None)


@bp.post("/family/members")
@household_required
def add_member():
    form = MemberForm()
    if form.validate_on_submit():
        try:
            households.add_member(db.session, own_household(),
                                  this_year=hub_clock().today().year, **form.fields_for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The person is added to your family."), "success")
            return redirect(url_for("families.household", _anchor="members"))
    return _render_household(form, status=400)


@bp.post("/family/members/<public_id>/remove")
@household_required
def remove_member(public_id: str):
    found_or_404(households.remove_member, current_household(), public_id)
    db.session.commit()
    flash(_("The person is removed from your family."), "success")
    return redirect(url_for("families.household", _anchor="members"))
