"""The inbox and the match page: each route declared on its view with ``@bp``.

``/inbox`` lists a member's notifications in their language. ``/matches/<id>``
is the page of one match for its two sides (and facilitators): what was
agreed, the counterpart's contacts once the helper accepted it, and the
helper's accept and decline buttons. Anyone else gets 404.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, Match
from mutuo_aiuto.services import audit, closing, matches, notifications, policy, standing
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.lifecycle import Action, allowed_actions, status_label
from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.facilitator.forms import ActionForm
from mutuo_aiuto.web.filters import month_name
from mutuo_aiuto.web.helpers import app_settings, form_page, found_or_404, hub_clock, refused
from mutuo_aiuto.web.inbox.forms import HoursForm, ProblemForm

bp = Blueprint("inbox", __name__)


def _checked_post() -> None:
    if not ActionForm().validate_on_submit():
        abort(400)


@bp.get("/inbox")
@member_required
def index():
    items = notifications.list_notifications(db.session, current_user)
    return render_template(
        "inbox/index.html", items=[(n, notifications.render_notification(n)) for n in items],
        matches=matches.matches_of(db.session, current_user))


@bp.post("/inbox/<public_id>/read")
@member_required
def mark_read(public_id: str):
    _checked_post()
    notification = found_or_404(notifications.mark_read, current_user, public_id)
    db.session.commit()
    path = notifications.render_notification(notification).path
    return redirect(path or url_for("inbox.index"))


@bp.post("/inbox/read-all")
@member_required
def mark_all_read():
    _checked_post()
    notifications.mark_all_read(db.session, current_user)
    db.session.commit()
    return redirect(url_for("inbox.index"))


def _visible_contacts(match: Match) -> list[tuple[Household, bool]]:
    """The households whose contacts this reader may see here, each with whether its
    home address is shown too (``_record_reads`` records them once the page is drawn)."""
    sides = [match.need.household, match.offer.household]
    return [(h, policy.can_see_address(current_user, h, match)) for h in sides
            if not policy.owns(current_user, h) and policy.can_see_names(current_user, match)
            and policy.can_see_contacts(current_user, h)]


def _record_reads(match: Match, shown: list[tuple[Household, bool]]) -> None:
    """Every read of contacts on the record; after drawing the page, whose reads the
    commit would otherwise expire and make it read again."""
    for household, address in shown:
        fields = ["phone", "email", *(["address"] if address else [])]
        audit.record(db.session, current_user, audit.CONTACTS_VIEWED, target=household,
                     details={"fields": fields, "match": match.public_id})
    db.session.commit()


@bp.get("/matches/<public_id>")
@member_required
def match(public_id: str):
    found = found_or_404(matches.get_match, current_user, public_id)
    # The family reads where its request stands, in the same words as on the request.
    where = (standing.standing_of(current_user, found.need, found, hub_clock())
             if policy.is_family(current_user, found) else None)
    reveal = policy.can_see_names(current_user, found)
    ages = matches.children_ages(found.need.household, hub_clock().today())
    contacts = _visible_contacts(found)
    page = render_template(
        "inbox/match.html", match=found, contacts=contacts, reveal=reveal,
        is_helper=policy.is_helper(current_user, found), children_ages=ages,
        actions=allowed_actions(found, current_user), standing=where,
        done_by=closing.done_requested(db.session, found),
        can_print_summary=policy.can_print_summary(current_user, found),
        desk_families=[side for side in (found.need.household, found.offer.household)
                       if policy.can_act_for(current_user, side)])
    _record_reads(found, contacts)
    return page


# ---- closing by the people: "it's done", "something is wrong", hours -------------------


def _reportable(public_id: str) -> Match:
    """A pairing the reader is a side of and may report on (else 404)."""
    found = found_or_404(matches.get_match, current_user, public_id)
    if Action.REPORT not in allowed_actions(found, current_user):
        abort(404)
    return found


@bp.route("/matches/<public_id>/done", methods=["GET", "POST"])
@member_required
def done(public_id: str):
    found = _reportable(public_id)
    form = ActionForm()
    if form.validate_on_submit():
        closing.report_done(db.session, current_user, found, hub_clock().now())
        db.session.commit()
        flash(_("Thank you: the Hub is told. A facilitator will close the pairing and "
                "ask you both how it went."), "success")
        return redirect(url_for("inbox.match", public_id=public_id))
    return render_template("inbox/done.html", match=found, form=form)


@bp.route("/matches/<public_id>/problem", methods=["GET", "POST"])
@member_required
def problem(public_id: str):
    found = _reportable(public_id)
    form = ProblemForm()
    if form.validate_on_submit():
        try:
            closing.report_problem(db.session, current_user, found, form.text.data,
                                   hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Thank you for telling us. A facilitator of the Hub will get in touch "
                    "with you; the other side does not see what you wrote."), "success")
            return redirect(url_for("inbox.match", public_id=public_id))
    return form_page("inbox/problem.html", form=form, match=found)


@bp.route("/matches/<public_id>/hours", methods=["GET", "POST"])
@member_required
def hours(public_id: str):
    found = found_or_404(matches.get_match, current_user, public_id)
    try:
        recorded = closing.hours_by_month(db.session, current_user, found)
    except NotFound:
        abort(404)
    today = hub_clock().today()
    months = [(m.isoformat(), month_name(m)) for m in closing.recordable_months(found, today)]
    form = HoursForm(months)
    can_record = Action.HOURS in allowed_actions(found, current_user)
    if request.method == "POST" and not can_record:
        abort(404)
    if form.validate_on_submit():
        try:
            closing.record_hours(db.session, current_user, found, form.chosen_month,
                                 form.hours.data, today=today, now=hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("Your hours are saved. Thank you."), "success")
            return redirect(url_for("inbox.hours", public_id=public_id))
    return form_page("inbox/hours.html", form=form, match=found, recorded=recorded,
                     can_record=can_record)


def _answer(public_id: str, answer: Any, done: str):
    _checked_post()
    found = found_or_404(matches.get_match, current_user, public_id)
    try:
        answer(db.session, current_user, found, now=hub_clock().now())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
        return redirect(url_for("inbox.match", public_id=public_id))
    db.session.commit()
    flash(done, "success")
    return redirect(url_for("inbox.match", public_id=public_id))


@bp.post("/matches/<public_id>/accept")
@member_required
def accept(public_id: str):
    settings = app_settings()
    answer = partial(matches.accept_match,
                     first_follow_up_days=settings.follow_up_first_days,
                     follow_up_every_days=settings.follow_up_every_days)
    return _answer(public_id, answer, _("Thank you! The family is told that you will help. "
                                        "You can now see each other's names and contacts."))


@bp.post("/matches/<public_id>/decline")
@member_required
def decline(public_id: str):
    return _answer(public_id, matches.decline_match,
                   _("You declined. The Hub will look for someone else."))


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"match_status": matches.match_status_label, "status_label": status_label,
            "side_status": lambda match: matches.match_status_for(current_user, match),
            "can_see_names": lambda match: policy.can_see_names(current_user, match)}
