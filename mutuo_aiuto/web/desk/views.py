"""The front desk's pages: register a family in person, act for it, print its papers.

Every URL of the feature is here. The desk pages are for facilitators and
administrators; a family's pages answer 404 unless ``policy.can_act_for`` allows
acting for it (it gave its consent at the desk). Acting goes through
``services.desk``, which calls the family's own services and puts each act on the
audit trail as done by the facilitator for the family. The printable summary of a
pairing is also the family's own, from its pairing page.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Match
from mutuo_aiuto.services import (
    audit,
    desk,
    households,
    hub_desk,
    matches,
    needs,
    pairing_summary,
    policy,
)
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import Action, allowed_actions
from mutuo_aiuto.services.posting import propose_after_commit
from mutuo_aiuto.web.access import facilitator_required, member_required
from mutuo_aiuto.web.desk.forms import RegisterFamilyForm
from mutuo_aiuto.web.facilitator.forms import ActionForm
from mutuo_aiuto.web.families.forms import MemberForm, NeedForm, template_labels
from mutuo_aiuto.web.helpers import app_settings, form_page, found_or_404, hub_clock, refused
from mutuo_aiuto.web.inbox.forms import ProblemForm

bp = Blueprint("desk", __name__)


def _family(public_id: str) -> Household:
    return found_or_404(desk.get_household, current_user, public_id)


def _to_family(household: Household, anchor: str | None = None) -> Response:
    return redirect(url_for("desk.family", public_id=household.public_id, _anchor=anchor))


@bp.get("/desk")
@facilitator_required
def index():
    return render_template("desk/index.html",
                           families=desk.desk_households(db.session, current_user))


@bp.route("/desk/register", methods=["GET", "POST"])
@facilitator_required
def register():
    form = RegisterFamilyForm(households.active_neighbourhoods(db.session),
                              data=RegisterFamilyForm.data_of(None))
    if form.validate_on_submit():
        try:
            household = desk.register_family(
                db.session, current_user, form.to_registration(),
                notice_version=app_settings().privacy_notice_version, now=hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The family is registered. Print its privacy notice and consent "
                    "receipt for it to keep."), "success")
            return _to_family(household)
    return form_page("desk/register.html", form=form)


def _family_page(household: Household, member_form: MemberForm, status: int = 200):
    pairings = desk.pairings_of(db.session, current_user, household)
    return render_template(
        "desk/family.html", household=household, member_form=member_form,
        asks=policy.is_asking_for_help(household.user),
        needs=needs.list_needs(db.session, household), pairings=pairings,
        actions={m.id: allowed_actions(m, household.user) for m in pairings},
        done_for=audit.done_for(db.session, household)), status


@bp.get("/desk/families/<public_id>")
@facilitator_required
def family(public_id: str):
    return _family_page(_family(public_id), MemberForm())


@bp.post("/desk/families/<public_id>/members")
@facilitator_required
def add_member(public_id: str):
    household = _family(public_id)
    form = MemberForm()
    if form.validate_on_submit():
        try:
            # The family answers at the desk; a special-category consent it gives there
            # is kept as given under the notice in force, written down by the facilitator.
            context = households.ConsentContext(
                actor=current_user, now=hub_clock().now(),
                notice_version=app_settings().privacy_notice_version)
            desk.add_member(db.session, current_user, household,
                            this_year=hub_clock().today().year, context=context,
                            **form.fields_for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The person is added to the family."), "success")
            return _to_family(household, "members")
    return _family_page(household, form, status=400)


@bp.get("/desk/families/<public_id>/receipt")
@facilitator_required
def receipt(public_id: str):
    """The privacy notice and the consent receipt, in the family's language, to print."""
    household = _family(public_id)
    settings = app_settings()
    with force_locale(household.user.locale or "it"):
        return render_template("desk/receipt.html", household=household,
                               retention_months=settings.retention_months,
                               hub=_hub(settings),
                               recorded_by=household.desk_consent_by)


# ---- requests, posted and changed for the family ------------------------------------


def _need_form(data: dict[str, Any]) -> NeedForm:
    return NeedForm(needs.active_categories(db.session), needs.active_skill_list(db.session),
                    households.active_neighbourhoods(db.session), data=data)


def _need_saved(household: Household, need: Any, message: str) -> Response:
    db.session.commit()
    propose_after_commit(db.session, today=hub_clock().today(), need=need)
    flash(message, "success")
    return _to_family(household, "requests")


def _service_problems(form: NeedForm, household: Household) -> None:
    """Besides the fields' refusals, what the service would refuse (nothing saved)."""
    for error in needs.check_need(db.session, household, form.to_input(),
                                  today=hub_clock().today()):
        if not form.has_error(error.field) and not form.add_error(error.field,
                                                                  str(error.message)):
            flash(str(error.message), "error")


def _need_form_page(form: NeedForm, household: Household, need: Any = None):
    action = (url_for("desk.edit_need", public_id=household.public_id,
                      need_id=need.public_id) if need is not None
              else url_for("desk.new_need", public_id=household.public_id))
    return form_page("families/need_form.html", form=form, need=need, form_action=action,
                     acting_for=household)


@bp.route("/desk/families/<public_id>/needs/new", methods=["GET", "POST"])
@facilitator_required
def new_need(public_id: str):
    household = _family(public_id)
    form = _need_form(NeedForm.data_for_new(household, None))
    if form.is_submitted() and not form.validate():
        _service_problems(form, household)
    elif form.is_submitted():
        publish = bool(form.publish.data)
        clock = hub_clock()
        now = clock.now()
        try:
            need = desk.post_need(db.session, current_user, household, form.to_input(),
                                  publish=publish, today=clock.date_of(now), now=now)
        except DomainError as error:
            refused(form, error)
        else:
            return _need_saved(household, need, _("The family's request is published.")
                               if publish else _("The family's request is saved as a draft."))
    return _need_form_page(form, household)


@bp.route("/desk/families/<public_id>/needs/<need_id>/edit", methods=["GET", "POST"])
@facilitator_required
def edit_need(public_id: str, need_id: str):
    household = _family(public_id)
    need = found_or_404(desk.get_need, current_user, household, need_id)
    if Action.EDIT not in allowed_actions(need, household.user):
        flash(_("This request can no longer be changed."), "error")
        return _to_family(household, "requests")
    form = _need_form(NeedForm.data_of(need))
    if form.is_submitted() and not form.validate():
        _service_problems(form, household)
    elif form.is_submitted():
        try:
            desk.update_need(db.session, current_user, household, need, form.to_input(),
                             publish=bool(form.publish.data), today=hub_clock().today())
        except DomainError as error:
            refused(form, error)
        else:
            return _need_saved(household, need, _("The family's request is saved."))
    return _need_form_page(form, household, need)


# ---- pairings, answered and reported for the family ---------------------------------


def _pairing(public_id: str, match_id: str) -> tuple[Household, Match]:
    household = _family(public_id)
    match = found_or_404(desk.get_pairing, current_user, household, match_id)
    return household, match


def _done_or_refused(household: Household, action: Any, message: str) -> Response:
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        action()
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return _to_family(household, "pairings")


@bp.post("/desk/families/<public_id>/pairings/<match_id>/accept")
@facilitator_required
def accept(public_id: str, match_id: str):
    household, match = _pairing(public_id, match_id)
    settings = app_settings()
    return _done_or_refused(household, lambda: desk.accept(
        db.session, current_user, household, match, now=hub_clock().now(),
        first_follow_up_days=settings.follow_up_first_days,
        follow_up_every_days=settings.follow_up_every_days),
        _("Done: the family accepted to help. The other family is told."))


@bp.post("/desk/families/<public_id>/pairings/<match_id>/decline")
@facilitator_required
def decline(public_id: str, match_id: str):
    household, match = _pairing(public_id, match_id)
    return _done_or_refused(household, lambda: desk.decline(
        db.session, current_user, household, match, now=hub_clock().now()),
        _("Done: the family declined. The Hub will look for someone else."))


@bp.post("/desk/families/<public_id>/pairings/<match_id>/done")
@facilitator_required
def done(public_id: str, match_id: str):
    household, match = _pairing(public_id, match_id)
    return _done_or_refused(household, lambda: desk.report_done(
        db.session, current_user, household, match, hub_clock().now()),
        _("Done: the Hub is told that the help is over."))


@bp.route("/desk/families/<public_id>/pairings/<match_id>/problem", methods=["GET", "POST"])
@facilitator_required
def problem(public_id: str, match_id: str):
    household, match = _pairing(public_id, match_id)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            desk.report_problem(db.session, current_user, household, match, form.text.data,
                                hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Done: what is wrong is written down for the facilitators."), "success")
            return _to_family(household, "pairings")
    return form_page("desk/problem.html", form=form, household=household, match=match)


# ---- the printable summary of a pairing ---------------------------------------------


def _hub(settings: Any) -> dict[str, Any]:
    """The Hub's desk as the page's reader says it (call it inside ``force_locale``)."""
    return {"address": settings.hub_address, "phone": settings.hub_phone,
            "hours": hub_desk.hours_lines(hub_desk.parse_hours(settings.hub_hours),
                                          get_locale())}


@bp.get("/pairings/<public_id>/summary")
@member_required
def summary(public_id: str):
    """One printable page for the family, in its language, from the desk or its own page."""
    found = found_or_404(pairing_summary.summary_for, current_user, public_id)
    db.session.commit()  # the read of the helper's phone is on the record
    settings = app_settings()
    with force_locale(found.locale):
        return render_template(
            "desk/summary.html", summary=found, hub=_hub(settings),
            back=(url_for("desk.family", public_id=found.family.public_id)
                  if policy.can_act_for(current_user, found.family)
                  else url_for("inbox.match", public_id=public_id)))


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    """The families pages' helpers (the need form and its macros are theirs), and the
    labels of the desk's own lists."""
    return {**template_labels(), "match_status_label": matches.match_status_label,
            "action_label": audit.action_label}
