"""The household profile: see it, edit it (the first save creates it), add and remove people;
and, for a helper who is not a family, the short "about you" instead."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import activities, associations, audit, households, needs, policy
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.families.common import (
    current_household,
    household_required,
    own_household,
)
from mutuo_aiuto.web.families.forms import AboutYouForm, HouseholdForm, MemberForm
from mutuo_aiuto.web.families.views import bp
from mutuo_aiuto.web.helpers import app_settings, form_page, found_or_404, hub_clock, refused
from mutuo_aiuto.web.navigation import landing_url


def _render_household(member_form: MemberForm, status: int = 200):
    household = own_household()
    return render_template(
        "families/household.html", household=household, member_form=member_form,
        current_needs=needs.current_needs(db.session, household),
        followed_associations=associations.followed_by(db.session, household),
        groups_near=activities.near(db.session, household, hub_clock().today(), limit=3),
        own_groups=activities.household_memberships(db.session, household),
        show_contacts=policy.can_see_contacts(current_user, household),
        done_for=audit.done_for(db.session, household), action_label=audit.action_label), status


def _helper_goes_to_about_you() -> Response | None:
    """A helper who is not a family has no family page: their details are "about you"."""
    if policy.is_only_helping(current_user):
        return redirect(url_for("families.about_you"))
    return None


@bp.get("/family")
def household():
    if (elsewhere := _helper_goes_to_about_you()) is not None:
        return elsewhere
    return _show_household()


@household_required
def _show_household():
    return _render_household(MemberForm())


@bp.route("/family/edit", methods=["GET", "POST"])
def edit_household():
    if (elsewhere := _helper_goes_to_about_you()) is not None:
        return elsewhere
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


@bp.route("/about-you", methods=["GET", "POST"])
def about_you():
    """A helper's neighbourhood, languages and phone: the first step after signing up, and
    where they change them. A family fills in the household form instead."""
    if not policy.is_only_helping(current_user):
        return redirect(landing_url(current_user) if policy.is_facilitator(current_user)
                        else url_for("families.edit_household"))
    existing = current_household()
    form = AboutYouForm(households.active_neighbourhoods(db.session),
                        data=AboutYouForm.data_of(existing))
    if form.validate_on_submit():
        try:
            households.save_helper_details(db.session, current_user, **form.fields_for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            if existing is not None:
                flash(_("Your details are saved."), "success")
                return redirect(url_for("families.offers"))
            flash(_("Your details are saved. Now say what you can offer."), "success")
            return redirect(url_for("families.new_offer"))
    return form_page("families/about_you.html", form=form, creating=existing is None)


@bp.post("/family/members")
@household_required
def add_member():
    form = MemberForm()
    if form.validate_on_submit():
        try:
            households.add_member(db.session, own_household(), this_year=hub_clock().today().year,
                                  context=_consent_context(), **form.fields_for_service())
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


def _consent_context() -> households.ConsentContext:
    """Who answers, now, under the privacy notice in force: kept with a special consent."""
    return households.ConsentContext(actor=current_user, now=hub_clock().now(),
                                     notice_version=app_settings().privacy_notice_version)


@bp.route("/family/members/<public_id>/edit", methods=["GET", "POST"])
@household_required
def edit_member(public_id: str):
    """Change what is recorded about a person, the funder's questions included."""
    household = own_household()
    member = found_or_404(lambda _session: households.member_of(household, public_id))
    form = MemberForm(data=MemberForm.data_of(member))
    if form.validate_on_submit():
        try:
            households.update_member(db.session, household, public_id,
                                     this_year=hub_clock().today().year,
                                     context=_consent_context(), **form.fields_for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The person's details are saved."), "success")
            return redirect(url_for("families.household", _anchor="members"))
    return form_page("families/member_form.html", form=form, member=member)


@bp.post("/family/members/<public_id>/withdraw-consent")
@household_required
def withdraw_consent(public_id: str):
    """Withdraw the consent to a person's disability and minority answers: both are deleted."""
    try:
        found_or_404(households.withdraw_special_consent, own_household(), public_id,
                     _consent_context())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(_("Consent withdrawn: the answers about disability and minority are deleted."),
              "success")
    return redirect(url_for("families.household", _anchor="members"))
