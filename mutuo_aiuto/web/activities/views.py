"""``/activities``: find group activities, post and edit one, join, leave, accept families.

Every page needs a signed-in account. Who may manage an activity and who may see its
members is ``services/policy.py``'s; a family asking to join a confidential group is
shown only to its leader and the facilitators. A refusal on someone else's row is 404.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db, limiter
from mutuo_aiuto.models import Activity, Association, MembershipStatus
from mutuo_aiuto.services import activities, groups, households, meeting_reminders, policy
from mutuo_aiuto.services.errors import DomainError, NotFound, all_errors
from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.activities.forms import (
    ADMISSION_LABELS,
    HUB,
    KIND_LABELS,
    PLACE_KIND_LABELS,
    ActivityForm,
    FindForm,
    JoinForm,
    MeetingAnswerForm,
    poster_choices,
)
from mutuo_aiuto.web.helpers import form_page, found_or_404, hub_clock, refused

bp = Blueprint("activities", __name__)

STATUS_LABELS = {
    MembershipStatus.JOINED: _l("Your family takes part."),
    MembershipStatus.WAITING: _l("Your family is on the waiting list."),
    MembershipStatus.REQUESTED: _l("Your family asked to join: the leader will answer."),
}
MEMBER_STATUS = {
    MembershipStatus.JOINED: _l("Takes part"),
    MembershipStatus.WAITING: _l("Waiting list"),
    MembershipStatus.REQUESTED: _l("Asks to join"),
}
JOINED_MESSAGES = {
    MembershipStatus.JOINED: _l("You are in: see you there!"),
    MembershipStatus.WAITING: _l("The activity is full: your family is on the waiting list "
                                 "and will be told when a place is free."),
    MembershipStatus.REQUESTED: _l("Your request is sent: the leader will answer."),
}
# Posting activities: a coordinator's busy evening fits; a script filling the finder does not.
PROPOSE_LIMIT = "10/minute;30/hour"
# How far ahead the activity's page lists its meetings.
UPCOMING_DAYS = 28


@bp.before_request
@member_required
def check_member() -> None:
    """Log in first: the activities are shown to the service's members only."""


@bp.app_context_processor
def template_helpers() -> dict:
    return {"kind_label": lambda kind: str(KIND_LABELS.get(kind, kind)),
            "place_kind_label": lambda kind: str(PLACE_KIND_LABELS.get(kind, kind)),
            "admission_label": lambda value: str(ADMISSION_LABELS.get(value, value))}


def _household() -> Any:
    return households.household_of(db.session, current_user)


def _activity(public_id: str) -> Activity:
    return found_or_404(activities.get_activity, public_id)


def _managed(public_id: str) -> Activity:
    activity = _activity(public_id)
    if not policy.can_manage_activity(current_user, activity):
        abort(404)
    return activity


def _back(activity: Activity) -> Response:
    return redirect(url_for("activities.detail", public_id=activity.public_id))


@bp.get("/activities")
def index():
    places = households.active_neighbourhoods(db.session)
    form = FindForm(places, request.args)
    chosen = [p.id for p in places if p.slug == form.neighbourhood.data]
    rows = activities.list_open(db.session, hub_clock().today(),
                                neighbourhood_ids=chosen or None, kind=form.kind.data or None)
    counts = activities.joined_counts(db.session, [a.id for a in rows])
    can_post = (policy.is_facilitator(current_user)
                or bool(activities.managed_associations(db.session, current_user)))
    return render_template("activities/index.html", form=form, rows=rows, counts=counts,
                           can_post=can_post)


def _posters() -> list[tuple[str, str]]:
    return poster_choices(activities.managed_associations(db.session, current_user),
                          policy.is_facilitator(current_user))


def _association(choice: str | None, posters: list[tuple[str, str]]) -> Association | None:
    if choice == HUB or choice not in {value for value, _label in posters}:
        return None
    return db.session.scalars(db.select(Association).where(
        Association.public_id == choice)).first()


@bp.route("/activities/new", methods=["GET", "POST"])
@limiter.limit(PROPOSE_LIMIT, methods=["POST"])
def new():
    posters = _posters()
    if not posters:
        abort(403)
    chosen = request.form.get("posted_by") or request.args.get("posted_by") or posters[0][0]
    association = _association(chosen, posters)
    if chosen != HUB and association is None:
        association = _association(posters[0][0], posters)
    leaders = activities.leader_choices(db.session, current_user, association)
    form = ActivityForm(households.active_neighbourhoods(db.session), leaders, posters,
                        data={"posted_by": chosen, "admission": "open",
                              "place_kind": "hub_room", "capacity": 10,
                              "languages": ["it"], "leader": current_user.public_id})
    if form.is_submitted():
        today = hub_clock().today()
        if form.validate():
            try:
                activity = activities.post_activity(db.session, current_user, association,
                                                    form.to_input(), today)
            except DomainError as error:
                refused(form, error)
            else:
                db.session.commit()
                flash(_("The activity is published."), "success")
                return _back(activity)
        else:
            _add_service_errors(form, activities.check_activity(
                db.session, current_user, association, form.to_input(), today))
    return form_page("activities/form.html", form=form, activity=None)


def _add_service_errors(form: ActivityForm, errors: list[DomainError]) -> None:
    for error in errors:
        for one in all_errors(error):
            if not form.has_error(one.field) and not form.add_error(one.field,
                                                                    str(one.message)):
                flash(str(one.message), "error")


@bp.route("/activities/<public_id>/edit", methods=["GET", "POST"])
def edit(public_id: str):
    activity = _managed(public_id)
    if activity.status != "open":
        flash(_("This activity can no longer be changed."), "error")
        return _back(activity)
    leaders = activities.leader_choices(db.session, current_user, activity.association)
    if activity.leader is not None and activity.leader not in leaders:
        leaders.append(activity.leader)
    form = ActivityForm(households.active_neighbourhoods(db.session), leaders,
                        data=ActivityForm.data_of(activity))
    if form.is_submitted():
        today = hub_clock().today()
        if form.validate():
            try:
                activities.update_activity(db.session, current_user, activity,
                                           form.to_input(), today)
            except DomainError as error:
                refused(form, error)
            else:
                db.session.commit()
                flash(_("The activity is saved."), "success")
                return _back(activity)
        else:
            _add_service_errors(form, activities.check_activity(
                db.session, current_user, activity.association, form.to_input(), today,
                activity))
    return form_page("activities/form.html", form=form, activity=activity)


@bp.get("/activities/<public_id>", endpoint="detail")
def detail(public_id: str):
    activity = _activity(public_id)
    household = _household()
    today = hub_clock().today()
    membership = groups.membership_of(db.session, activity, household)
    see_members = policy.can_see_members(current_user, activity)
    manage = policy.can_manage_activity(current_user, activity)
    return render_template(
        "activities/detail.html", activity=activity, membership=membership,
        left=activities.places_left(db.session, activity),
        members=groups.members(db.session, activity) if see_members else [],
        see_members=see_members, manage=manage,
        # Whose check lapsed is for the people who run the group, not for the families.
        leader_waiting=manage and activity.status == "open"
        and activities.leader_check_lapsed(db.session, activity, today),
        record=policy.can_record_attendance(current_user, activity),
        can_join=policy.can_join(current_user, activity) and household is not None,
        by_request=policy.joins_by_request(activity), join_form=JoinForm(),
        upcoming=activities.meeting_days(activity, today, today + timedelta(days=UPCOMING_DAYS)),
        status_labels=STATUS_LABELS, member_status=MEMBER_STATUS)


def _button(public_id: str, action: Any, done: str | None) -> Response:
    activity = _activity(public_id)
    household = _household()
    if household is None:
        abort(404)
    try:
        action(activity, household)
    except NotFound:
        db.session.rollback()
        abort(404)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(activity)
    db.session.commit()
    if done:
        flash(done, "success")
    return _back(activity)


@bp.post("/activities/<public_id>/join")
def join(public_id: str):
    form = JoinForm()
    if not form.validate():
        activity = _activity(public_id)
        for message in form.note.errors:
            flash(str(message), "error")
        return _back(activity)

    def act(activity: Activity, household: Any) -> None:
        membership = groups.join(db.session, current_user, household, activity,
                                 now=hub_clock().now(), note=form.note.data)
        flash(str(JOINED_MESSAGES[MembershipStatus(membership.status)]), "success")

    return _button(public_id, act, None)


@bp.post("/activities/<public_id>/leave")
def leave(public_id: str):
    return _button(public_id, lambda activity, household: groups.leave(
        db.session, current_user, household, activity, now=hub_clock().now()),
        _("Your family has left the activity."))


@bp.post("/activities/<public_id>/cancel")
def cancel(public_id: str):
    activity = _managed(public_id)
    try:
        groups.cancel_activity(db.session, current_user, activity, now=hub_clock().now())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(activity)
    db.session.commit()
    flash(_("The activity is cancelled and its families are told."), "success")
    return _back(activity)


def _answer(public_id: str, action: Any, done: str) -> Response:
    membership = found_or_404(groups.get_membership, current_user, public_id)
    activity = membership.activity
    try:
        action(db.session, current_user, membership, now=hub_clock().now())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return _back(activity)
    db.session.commit()
    flash(done, "success")
    return _back(activity)


@bp.post("/activities/requests/<public_id>/accept")
def accept(public_id: str):
    return _answer(public_id, groups.accept, _("The family is accepted and told."))


@bp.post("/activities/requests/<public_id>/decline")
def decline(public_id: str):
    return _answer(public_id, groups.decline, _("The family is told you cannot take it."))


# ---- families: "I'm coming" / "I can't come" to a group's meeting -----------------------


@bp.route("/activities/meetings/<public_id>", methods=["GET", "POST"])
def meeting_answer(public_id: str):
    notice = found_or_404(meeting_reminders.get_notice, current_user, public_id)
    form = MeetingAnswerForm()
    if form.validate_on_submit():
        try:
            meeting_reminders.answer_meeting(db.session, current_user, notice,
                                             form.answer.data, hub_clock().now(), hub_clock())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Thank you: we told the group's leader.")
                  if notice.answer == "cannot" else _("Thank you, see you there."), "success")
            return redirect(url_for("activities.meeting_answer", public_id=public_id))
    return form_page("activities/meeting_answer.html", form=form, notice=notice,
                     activity=notice.activity)
