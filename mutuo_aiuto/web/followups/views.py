"""Follow-ups, closing matches, feedback, vetting and the calendar: every URL of the feature.

Facilitators: ``/followups`` (due check-ins), record one, close a match,
vetting of a household. Members: feedback on their own match, their
calendar page and its private feed (``/calendar/<token>.ics``, no login).
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
from flask_login import current_user
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import FollowUp, Household, Match, Offer
from mutuo_aiuto.security import audit_event
from mutuo_aiuto.services import (
    audit,
    belonging,
    calendar_feed,
    closing,
    followups,
    matches,
    outcomes,
    policy,
    reminders,
    vetting,
)
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import allowed_actions
from mutuo_aiuto.web.access import facilitator_required, member_required
from mutuo_aiuto.web.followups.forms import (
    CloseMatchForm,
    ConfirmForm,
    FeedbackForm,
    FollowUpForm,
    SessionAnswerForm,
    VettingForm,
)
from mutuo_aiuto.web.helpers import (
    app_settings,
    carried_out,
    external_url,
    first_or_404,
    form_page,
    found_or_404,
    hub_clock,
    refused,
)

bp = Blueprint("followups", __name__)


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"match_status_label": matches.match_status_label}


def _match_page(match: Match) -> str:
    if "inbox.match" in current_app.view_functions:
        return url_for("inbox.match", public_id=match.public_id)
    return url_for("followups.calendar")


# ---- facilitators: follow-ups and closing ----------------------------------------


@bp.get("/followups")
@facilitator_required
def index():
    today = hub_clock().today()
    return render_template(
        "followups/index.html", today=today,
        due=followups.due_page(db.session, today, request.args.get("due_page", type=int)),
        upcoming=followups.upcoming_page(db.session, today,
                                         request.args.get("upcoming_page", type=int)),
        expiring=vetting.expiring_vettings(db.session, today, app_settings().vetting_warn_days))


@bp.route("/followups/<public_id>", methods=["GET", "POST"])
@facilitator_required
def record(public_id: str):
    follow_up = first_or_404(FollowUp, public_id)
    form = FollowUpForm()
    if form.validate_on_submit():
        try:
            followups.record_follow_up(db.session, current_user, follow_up, form.outcome.data,
                                       form.notes.data, hub_clock().now(),
                                       every_days=app_settings().follow_up_every_days,
                                       family_belonging=form.family_belonging.data,
                                       helper_belonging=form.helper_belonging.data)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The follow-up is recorded."), "success")
            return redirect(url_for("followups.index"))
    page = form_page("followups/record.html", form=form, follow_up=follow_up,
                     match=follow_up.match, belonging_question=belonging.QUESTION)
    # The page shows both sides' phones: every read of contacts is on the record (once it
    # is drawn: the commit expires what drawing it would then read again).
    for household in (follow_up.match.need.household, follow_up.match.offer.household):
        audit_event(audit.CONTACTS_VIEWED, target=household, household=household)
    db.session.commit()
    return page


@bp.route("/matches/<public_id>/close", methods=["GET", "POST"], endpoint="close_match")
@facilitator_required
def close_match(public_id: str):
    match = first_or_404(Match, public_id)
    # Prefilled with what the helper recorded month by month (HoursField writes it the page's way).
    form = CloseMatchForm(data={"hours": match.hours}
                          if match.hours is not None else None)
    if form.validate_on_submit():
        try:
            outcomes.close_match(db.session, current_user, match, form.outcome.data,
                                 form.hours.data, hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The match is closed. Thank you."), "success")
            return redirect(url_for("followups.index"))
    reports = closing.reports_for(db.session, current_user, match)
    if any(report.text for report in reports):  # what a side wrote privately: a sensitive read
        audit_event(audit.SENSITIVE_VIEWED, target=match, household=match.need.household,
                    details={"match": match.public_id, "fields": ["reports"]})
        db.session.commit()
    return form_page("followups/close.html", form=form, match=match, reports=reports,
                     months=closing.hours_by_month(db.session, current_user, match),
                     actions=allowed_actions(match, current_user))


# ---- members: feedback ------------------------------------------------------------


@bp.route("/matches/<public_id>/feedback", methods=["GET", "POST"])
@member_required
def feedback(public_id: str):
    match = first_or_404(Match, public_id)
    side = outcomes.side_of(current_user, match)
    if side is None:  # someone else's match: as if it did not exist
        abort(404)
    form = FeedbackForm(data={"rating": getattr(match, f"{side}_rating"),
                              "comment": getattr(match, f"{side}_comment")})
    if form.validate_on_submit():
        try:
            outcomes.give_feedback(db.session, current_user, match, form.rating.data,
                                   form.comment.data)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Thank you for telling us how it went."), "success")
            return redirect(_match_page(match))
    return form_page("followups/feedback.html", form=form, match=match,
                     other=policy.counterpart(current_user, match))


# ---- members: "I'm coming" / "I can't come" -----------------------------------------


@bp.route("/sessions/<public_id>", methods=["GET", "POST"])
@member_required
def session_answer(public_id: str):
    notice = found_or_404(reminders.get_notice, current_user, public_id)
    form = SessionAnswerForm()
    if form.validate_on_submit():
        try:
            reminders.answer_session(db.session, current_user, notice, form.answer.data,
                                     hub_clock().now(), hub_clock())
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
        else:
            db.session.commit()
            flash(_("Thank you: we told the other family and the Hub.")
                  if notice.answer == "cannot" else _("Thank you, see you there."), "success")
            return redirect(url_for("followups.session_answer", public_id=public_id))
    return form_page("followups/session.html", form=form, notice=notice,
                     other=policy.counterpart(current_user, notice.match))


# ---- facilitators: vetting ------------------------------------------------------------


@bp.get("/vetting")
@facilitator_required
def vettings():
    today = hub_clock().today()
    helpers = list(db.session.scalars(
        select(Household).where(Household.id.in_(select(Offer.household_id)))
        .order_by(Household.name, Household.id)))
    current = vetting.current_vettings(db.session, [h.id for h in helpers], today)
    return render_template("followups/vettings.html", today=today, helpers=[
        (household, current.get(household.id)) for household in helpers],
        waiting=vetting.waiting_for_check(db.session, today))


@bp.route("/vetting/<household_id>", methods=["GET", "POST"], endpoint="vetting")
@facilitator_required
def vetting_page(household_id: str):
    household = first_or_404(Household, household_id)
    form = VettingForm()
    if form.validate_on_submit():
        try:
            vetting.record_vetting(db.session, current_user, household, form.checked_on.data,
                                   form.expires_on.data, hub_clock().today())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The vetting is recorded."), "success")
            return redirect(url_for("followups.vetting", household_id=household_id))
    return form_page("followups/vetting.html", form=form, household=household,
                     revoke_form=ConfirmForm(),
                     current=vetting.current_vetting(db.session, household, hub_clock().today()),
                     history=vetting.vettings_for(db.session, household))


@bp.post("/vetting/<household_id>/revoke")
@facilitator_required
def revoke_vetting(household_id: str):
    household = first_or_404(Household, household_id)
    if ConfirmForm().validate_on_submit():
        carried_out(lambda: vetting.revoke_vetting(db.session, current_user, household,
                                                   hub_clock().now()),
                    _("The vetting is revoked."))
    return redirect(url_for("followups.vetting", household_id=household_id))


# ---- everyone: the calendar --------------------------------------------------------------


@bp.get("/calendar")
@member_required
def calendar():
    token = current_user.calendar_token
    feed_url = external_url("followups.calendar_feed", token=token) if token else None
    household = current_user.household
    return render_template(
        "followups/calendar.html", feed_url=feed_url, form=ConfirmForm(),
        webcal_url=feed_url.replace("https://", "webcal://").replace("http://", "webcal://")
        if feed_url else None,
        matches=calendar_feed.feed_matches(db.session, household) if household else [])


@bp.post("/calendar/new-link")
@member_required
def new_calendar_link():
    if ConfirmForm().validate_on_submit():
        replaced = calendar_feed.make_calendar_address(db.session, current_user)
        db.session.commit()
        # "The old one" only when there was one: the first address revokes nothing.
        flash(_("Your calendar has a new address. The old one no longer works.") if replaced
              else _("Your calendar address is ready."), "success")
    return redirect(url_for("followups.calendar"))


# No rate limit: calendar services (Google's, Apple's) fetch many people's feeds from
# the same few addresses, and a 256-bit token cannot be guessed anyway.
@bp.get("/calendar/<token>.ics", endpoint="calendar_feed")
def calendar_feed_view(token: str):
    user = calendar_feed.user_for_calendar_token(db.session, token)
    if user is None:
        abort(404)
    link = (lambda m: external_url("inbox.match", public_id=m.public_id)) if (
        "inbox.match" in current_app.view_functions) else None
    body = calendar_feed.build_feed(db.session, user, link)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = 'inline; filename="mutuo-aiuto.ics"'
    # The address is the secret: keep it out of shared caches and other sites' logs.
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


# ---- the household page's ledger (included by families/household.html) ---------------------


@bp.app_template_global()
def household_reciprocity(household: Household) -> dict[str, Any]:
    """The ledger and the matches still waiting for this household's feedback."""
    return {"ledger": outcomes.ledger(db.session, household),
            "awaiting": outcomes.awaiting_feedback(db.session, household)}
