"""``/groups``: the activities whose attendance a facilitator or leader records, each
activity's meetings, and the sheet of one meeting (one tap per family, one submit).

Works without JavaScript: the sheet is a plain form of checkboxes drawn as big
buttons. Whoever may not record an activity's attendance gets 404, as for any
object not theirs.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Activity, Need
from mutuo_aiuto.security import audit_event
from mutuo_aiuto.services import activities, attendance, audit, group_suggestions, policy
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.web.access import facilitator_required, member_required
from mutuo_aiuto.web.activities.forms import KIND_LABELS
from mutuo_aiuto.web.groups.forms import AttendanceForm
from mutuo_aiuto.web.helpers import found_or_404, hub_clock, refused

bp = Blueprint("groups", __name__, url_prefix="/groups")



@bp.app_template_filter("activity_kind")
def activity_kind(code: str) -> str:
    """A kind of group activity in the reader's language ("homework_club" → "Doposcuola"),
    in the words of the activity form's choices."""
    return str(KIND_LABELS.get(code, code))


def _activity(public_id: str) -> Activity:
    found = found_or_404(attendance.activity_by_public_id, public_id)
    if not policy.can_record_attendance(current_user, found):
        abort(404)
    return found


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        abort(404)


@bp.app_template_global("group_suggestions")
def suggestions_for(needs: list[Need]) -> dict[int, list[group_suggestions.Suggestion]]:
    """Groups that could help these requests (by need id), for the request pages and the
    unmatched list: one call per page, a constant number of queries."""
    return group_suggestions.suggestions(db.session, needs, hub_clock().today())


@bp.get("")
@facilitator_required
def index():
    today = hub_clock().today()
    running = attendance.activities_for(db.session, current_user, today)
    rows = [(activity, attendance.next_meeting(activity, today)) for activity in running]
    return render_template("groups/index.html", rows=rows, today=today,
                           waiting=activities.leaders_waiting(db.session, running, today))


@bp.get("/<public_id>/meetings")
@member_required
def meetings(public_id: str):
    activity = _activity(public_id)
    days = attendance.meetings(db.session, current_user, activity, hub_clock())
    return render_template("groups/meetings.html", activity=activity, days=days,
                           today=hub_clock().today())


@bp.route("/<public_id>/meetings/<day>", methods=["GET", "POST"])
@member_required
def meeting(public_id: str, day: str):
    activity = _activity(public_id)
    on = _day(day)
    clock = hub_clock()
    try:
        sheet = attendance.sheet(db.session, current_user, activity, on, clock)
    except NotFound:
        abort(404)
    form = AttendanceForm()
    form.present.choices = [(row.public_id, _("%(name)s (said they can't come)", name=row.name)
                             if row.cannot_come else row.name) for row in sheet.rows]
    if not form.is_submitted():
        form.present.data = [row.public_id for row in sheet.rows if row.present]
        form.notes.data = sheet.notes
        form.start.data = sheet.meeting.start
    if form.validate_on_submit():
        if form.start.data != sheet.meeting.start:
            form.start.errors = [_("The meeting's time changed: check the list and save again.")]
        else:
            try:
                attendance.record(db.session, current_user, activity, on,
                                  set(form.present.data or []), form.notes.data or "", clock)
            except DomainError as error:
                refused(form, error)
            else:
                db.session.commit()
                flash(_("Attendance saved: %(count)s present.",
                        count=len(form.present.data or [])), "success")
                return redirect(url_for("groups.meetings", public_id=activity.public_id))
    if activity.confidential and sheet.notes:  # a self-help group's notes: a sensitive read
        audit_event(audit.SENSITIVE_VIEWED, target=activity,
                    details={"meeting": sheet.meeting.on_date.isoformat(), "fields": ["notes"]},
                    commit=True)
    status = 400 if form.is_submitted() else 200
    return render_template("groups/meeting.html", activity=activity, sheet=sheet,
                           form=form), status
