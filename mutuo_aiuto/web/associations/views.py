"""The associations blueprint: every address of the feature, in one place.

Public: the list (by neighbourhood), an approved association's page and its
logo. Members: propose one, "my associations", edit (coordinators), follow and
unfollow (families). Administrators: review, approve, suspend, coordinators.
A page someone may not see answers 404, as for every other member's object.
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from mutuo_aiuto.extensions import db, limiter
from mutuo_aiuto.models import Activity, Association, User
from mutuo_aiuto.security import accepts_files
from mutuo_aiuto.services import associations, policy
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.access import admin_required, allowed_if, member_required
from mutuo_aiuto.web.associations.forms import (
    STATUS_LABELS,
    AssociationForm,
    ButtonForm,
    CoordinatorForm,
    PlaceFilterForm,
    StatusFilterForm,
    SuspendForm,
)
from mutuo_aiuto.web.helpers import (
    carried_out,
    form_page,
    found_or_404,
    hub_clock,
    redirect_next,
    refused,
)

bp = Blueprint("associations", __name__)

ACTIVITY_KIND_LABELS = {
    "self_help": _l("self-help group"),
    "play_group": _l("play group"),
    "homework_club": _l("homework club"),
    "parents_circle": _l("parents' circle"),
    "language_cafe": _l("language café"),
    "outing": _l("outing"),
    "workshop": _l("workshop"),
}
ACTIVITY_DETAIL = "activities.detail"
# Proposing an association is rare: a few tries with a mistyped form, not a flood of them.
PROPOSE_LIMIT = "5/minute;10/hour"


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"status_labels": STATUS_LABELS, "activity_url": activity_url,
            "kind_labels": ACTIVITY_KIND_LABELS}


def activity_url(activity: Activity) -> str | None:
    """The activity's page, once the activities feature registers it."""
    if ACTIVITY_DETAIL not in current_app.view_functions:
        return None
    return url_for(ACTIVITY_DETAIL, public_id=activity.public_id)


def _user() -> User:
    return current_user._get_current_object()


def _visible(public_id: str) -> Association:
    association = found_or_404(associations.get, public_id)
    if not policy.can_view_association(current_user, association):
        abort(404)
    return association


def _managed(public_id: str) -> Association:
    association = found_or_404(associations.get, public_id)
    if not policy.can_manage_association(current_user, association):
        abort(404)
    return association


# ---- public --------------------------------------------------------------------------


@bp.get("/associations")
def index() -> str:
    places = associations.neighbourhoods(db.session)
    form = PlaceFilterForm(places, request.args)
    chosen = form.neighbourhood.data if isinstance(form.neighbourhood.data, str) else ""
    if chosen not in {p.slug for p in places}:
        chosen = ""
    return render_template("associations/index.html", form=form, chosen=chosen,
                           associations=associations.public_list(db.session, chosen or None))


@bp.get("/associations/<public_id>")
def detail(public_id: str) -> str:
    association = _visible(public_id)
    household = getattr(current_user, "household", None)
    return render_template(
        "associations/detail.html", association=association,
        activities=associations.activities_of(db.session, association),
        following=associations.follows(db.session, household, association),
        can_follow=policy.can_follow_associations(current_user),
        can_manage=policy.can_manage_association(current_user, association),
        sees_status=policy.can_see_association_status(current_user, association),
        can_review=policy.can_review_associations(current_user))


@bp.get("/associations/<public_id>/logo")
def logo(public_id: str) -> Response:
    association = _visible(public_id)
    if not association.logo or association.logo_type not in associations.LOGO_TYPES:
        abort(404)
    response = Response(association.logo, mimetype=association.logo_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


# ---- members -------------------------------------------------------------------------


@bp.route("/associations/new", methods=["GET", "POST"])
@limiter.limit(PROPOSE_LIMIT, methods=["POST"])
@accepts_files("logo")
@allowed_if(policy.can_propose_association)
def new() -> BaseResponse | tuple[str, int]:
    places = associations.neighbourhoods(db.session)
    form = AssociationForm(places, data=AssociationForm.data_of(None))
    if form.validate_on_submit():
        try:
            association = associations.propose(db.session, _user(), form.for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Thank you: the association is proposed. An administrator of the Hub "
                    "will check it before its page is public."), "success")
            return redirect(url_for(".detail", public_id=association.public_id))
    return form_page("associations/form.html", form=form, association=None)


@bp.get("/associations/mine")
@member_required
def mine() -> str:
    return render_template("associations/mine.html",
                           associations=associations.coordinated_by(db.session, _user()))


@bp.route("/associations/<public_id>/edit", methods=["GET", "POST"])
@accepts_files("logo")
@member_required
def edit(public_id: str) -> BaseResponse | tuple[str, int]:
    association = _managed(public_id)
    places = associations.neighbourhoods(db.session)
    form = AssociationForm(places, data=AssociationForm.data_of(association))
    if form.validate_on_submit():
        try:
            associations.update(db.session, _user(), association, form.for_service())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The association's page is saved."), "success")
            return redirect(url_for(".detail", public_id=association.public_id))
    return form_page("associations/form.html", form=form, association=association)


def _follow_action(public_id: str, follow: bool) -> BaseResponse:
    association = _visible(public_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    change = associations.follow if follow else associations.unfollow
    carried_out(lambda: change(db.session, _user(), association),
                _("You follow %(name)s.", name=association.name) if follow
                else _("You no longer follow %(name)s.", name=association.name))
    return redirect_next(url_for(".detail", public_id=association.public_id))


@bp.post("/associations/<public_id>/follow")
@member_required
def follow(public_id: str) -> BaseResponse:
    return _follow_action(public_id, True)


@bp.post("/associations/<public_id>/unfollow")
@member_required
def unfollow(public_id: str) -> BaseResponse:
    return _follow_action(public_id, False)


# ---- administrators -------------------------------------------------------------------


@bp.get("/admin/associations")
@admin_required
def review() -> str:
    form = StatusFilterForm(request.args)
    status = form.status.data if form.status.data in STATUS_LABELS else None
    return render_template("associations/review.html", form=form,
                           associations=associations.for_review(db.session, status))


def _reviewed(public_id: str) -> Association:
    return found_or_404(associations.get, public_id)


def _manage_page(association: Association, coordinator_form: CoordinatorForm,
                 status: int = 200) -> tuple[str, int]:
    return render_template("associations/manage.html", association=association,
                           coordinator_form=coordinator_form), status


@bp.get("/admin/associations/<public_id>")
@admin_required
def manage(public_id: str) -> tuple[str, int]:
    return _manage_page(_reviewed(public_id), CoordinatorForm())


@bp.post("/admin/associations/<public_id>/approve")
@admin_required
def approve(public_id: str) -> BaseResponse:
    association = _reviewed(public_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    carried_out(lambda: associations.approve(db.session, _user(), association,
                                             now=hub_clock().now()),
                _("%(name)s is approved: its page is public.", name=association.name))
    return redirect(url_for(".manage", public_id=public_id))


@bp.route("/admin/associations/<public_id>/suspend", methods=["GET", "POST"])
@admin_required
def suspend(public_id: str) -> BaseResponse | tuple[str, int]:
    association = _reviewed(public_id)
    form = SuspendForm()
    if form.validate_on_submit():
        try:
            associations.suspend(db.session, _user(), association,
                                 form.note.data if isinstance(form.note.data, str) else "")
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("%(name)s is suspended: its page is hidden and its coordinators "
                    "cannot act for it.", name=association.name), "success")
            return redirect(url_for(".manage", public_id=public_id))
    return form_page("associations/suspend.html", form=form, association=association)


@bp.post("/admin/associations/<public_id>/coordinators")
@admin_required
def add_coordinator(public_id: str) -> BaseResponse | tuple[str, int]:
    association = _reviewed(public_id)
    form = CoordinatorForm()
    if form.validate_on_submit():
        email = form.email.data if isinstance(form.email.data, str) else ""
        try:
            user = associations.add_coordinator(db.session, _user(), association, email)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("%(person)s is now a coordinator.", person=user.name), "success")
            return redirect(url_for(".manage", public_id=public_id))
    return _manage_page(_reviewed(public_id), form, 400)


@bp.post("/admin/associations/<public_id>/coordinators/<user_id>/remove")
@admin_required
def remove_coordinator(public_id: str, user_id: str) -> BaseResponse:
    association = _reviewed(public_id)
    if not ButtonForm().validate_on_submit():
        abort(400)
    carried_out(lambda: associations.remove_coordinator(db.session, _user(), association,
                                                        user_id),
                _("The coordinator is removed."))
    return redirect(url_for(".manage", public_id=public_id))
