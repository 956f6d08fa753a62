"""The privacy blueprint: every address of the feature, in one place.

A member's rights over their data (a copy as a page and as JSON, erasure,
who accessed it), the consent page shown when the privacy notice changes,
the password-again page that makes a login fresh, and the facilitators'
list of erasure requests to confirm.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as WerkzeugResponse

from mutuo_aiuto.extensions import db, limiter
from mutuo_aiuto.models import User
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.security import fresh_login_required, mark_fresh, request_id
from mutuo_aiuto.services import audit, policy
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.gdpr import consent as gdpr_consent
from mutuo_aiuto.services.gdpr import erasure as gdpr_erasure
from mutuo_aiuto.services.gdpr import export as gdpr_export
from mutuo_aiuto.services.gdpr import ownership
from mutuo_aiuto.services.passwords import verify_password
from mutuo_aiuto.web.access import facilitator_required, member_required
from mutuo_aiuto.web.filters import ROLE_LABELS, plain_number
from mutuo_aiuto.web.helpers import (
    app_settings,
    carried_out,
    form_page,
    found_or_404,
    hub_clock,
    next_or,
)
from mutuo_aiuto.web.privacy.forms import (
    ButtonForm,
    ConsentForm,
    DeclineForm,
    EraseForm,
    PasswordAgainForm,
)

bp = Blueprint("privacy", __name__)

# The export's sections, in the order of the page.
SECTIONS = (
    ("account", _l("Your account")),
    ("household", _l("Your family")),
    ("needs", _l("Your requests")),
    ("offers", _l("Your offers")),
    ("proposals", _l("Pairings proposed for your requests and offers")),
    ("matches", _l("Your pairings")),
    ("vettings", _l("Volunteer checks")),
    ("groups", _l("Your groups and activities")),
    ("notifications", _l("Messages from the service")),
    ("mails", _l("Mails sent to you")),
    ("erasure_requests", _l("Erasure requests")),
    ("associations_followed", _l("Associations you follow")),
    ("association_coordinators", _l("Associations you coordinate")),
    ("access_log", _l("Who accessed your data")),
    ("actions", _l("What you did in the service")),
)

# The export's field names in words; a field without a label shows its name.
FIELD_LABELS = {
    "association": _l("Association"), "since": _l("Since"),
    "public_id": _l("Reference"), "email": _l("Email"), "name": _l("Name"),
    "locale": _l("Language"), "role": _l("Role"), "active": _l("Active"),
    "consent_version": _l("Privacy notice agreed"), "consent_at": _l("Agreed on"),
    "created_at": _l("Created"), "updated_at": _l("Last changed"),
    "last_login_at": _l("Last login"), "neighbourhood": _l("Neighbourhood"),
    "languages": _l("Languages"), "phone": _l("Phone"), "address": _l("Address"),
    "care_notes": _l("Care notes"), "members": _l("People in the family"),
    "kind": _l("Kind"), "first_name": _l("First name"), "birth_year": _l("Year of birth"),
    "gender": _l("Gender"), "employment": _l("Work when joining the Hub"),
    "education": _l("Highest school finished"), "citizenship": _l("Citizenship"),
    "foreign_background": _l("Foreign background"), "disability": _l("Disability"),
    "minority": _l("Minority"),
    "special_consent_at": _l("Consent to the disability and minority answers given on"),
    "special_consent_version": _l("Privacy notice of that consent"),
    "family_belonging": _l("Your answer: I know people in my neighbourhood I can ask for "
                           "help (1–5)"),
    "helper_belonging": _l("Your answer: I know people in my neighbourhood I can ask for "
                           "help (1–5)"),
    "status": _l("Status"), "title": _l("Title"),
    "description": _l("Description"), "category": _l("Category"), "skills": _l("Skills"),
    "slots": _l("When"), "weekday": _l("Weekday"), "on_date": _l("Date"),
    "start_minute": _l("From"), "end_minute": _l("To"), "helpers": _l("Helpers wanted"),
    "urgency": _l("Urgency"), "max_hops": _l("How far"), "capacity": _l("Families at once"),
    "requires_vetted": _l("Only checked volunteers"), "remote": _l("Can be done remotely"),
    "starts_on": _l("From"), "ends_on": _l("Until"), "opened_at": _l("Published"),
    "closed_at": _l("Ended"), "side": _l("Your side"), "need": _l("Request"),
    "need_title": _l("Request"), "offer": _l("Offer"), "offer_title": _l("Offer"),
    "confirmed_at": _l("Confirmed"), "accepted_at": _l("Accepted"),
    "started_on": _l("Started"), "outcome": _l("Outcome"), "hours": _l("Hours"),
    "family_rating": _l("Your rating"), "family_comment": _l("Your comment"),
    "helper_rating": _l("Your rating"), "helper_comment": _l("Your comment"),
    "follow_ups": _l("Follow-ups"), "due_on": _l("Due"), "done_at": _l("Done"),
    "checked_on": _l("Checked on"), "expires_on": _l("Expires on"),
    "revoked_at": _l("Revoked"), "params": _l("Details"), "read_at": _l("Read"),
    "requested_at": _l("Asked on"), "decided_at": _l("Decided on"),
    "decline_reason": _l("Reason"), "at": _l("When"), "action": _l("What"),
    "who": _l("Who"), "target": _l("About"), "session_notices": _l("Session reminders"),
    "answer": _l("Your answer"), "answered_at": _l("Answered on"),
    "email_confirmed_at": _l("Email confirmed"), "confirmation_sent_at": _l("Confirmation sent"),
}


def field_label(key: str) -> str:
    return str(FIELD_LABELS.get(key, key.replace("_", " ")))


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"field_label": field_label, "action_label": audit.action_label,
            "role_labels": ROLE_LABELS}


def _user() -> User:
    return current_user._get_current_object()


# ---- password again, consent ----------------------------------------------------------


@bp.route("/confirm-password", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
@login_required
def reauthenticate() -> ResponseReturnValue:
    """Type the password again before an export, an erasure or a role change."""
    form = PasswordAgainForm()
    if form.validate_on_submit():
        if verify_password(_user().password_hash, form.password.data):
            mark_fresh()
            return redirect(next_or(url_for("main.home")))
        form.password.errors.append(_("The password is not correct."))
    return form_page("privacy/reauthenticate.html", form=form)


@bp.route("/consent", methods=["GET", "POST"])
@login_required
def consent() -> ResponseReturnValue:
    """Agree to the current privacy notice (asked again whenever its version changes)."""
    version = app_settings().privacy_notice_version
    form = ConsentForm()
    if form.validate_on_submit():
        gdpr_consent.give_consent(db.session, _user(), version, request_id=request_id())
        db.session.commit()
        flash(_("Thank you. Your agreement is recorded."), "success")
        return redirect(next_or(url_for("main.home")))
    return form_page("privacy/consent.html", form=form, version=version,
                     previous=_user().consent_version,
                     notice_url=url_for("auth.privacy")
                     if "auth.privacy" in current_app.view_functions else None)


# ---- the household's own data --------------------------------------------------------


@bp.get("/family/privacy")
@member_required
def index() -> str:
    household = ownership.household_of(db.session, _user())
    pending = gdpr_erasure.pending_erasure(db.session, household) if household else None
    # A family registered at the front desk reads here too what the Hub did for it
    # (a helper who is not a family has no family page to read it on).
    done_for = (audit.done_for(db.session, household)
                if household is not None and policy.has_desk_consent(household) else [])
    return render_template("privacy/index.html", household=household, pending=pending,
                           done_for=done_for, action_label=audit.action_label)


def _sections(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """The known sections in order, then any other list the export holds (a new table)."""
    known = [key for key, _title in SECTIONS]
    extra = [(key, field_label(key)) for key, value in data.items()
             if key not in known and isinstance(value, list)]
    return [*SECTIONS, *extra]


def _exported() -> dict[str, Any]:
    return gdpr_export.export_household(db.session, _user())


@bp.get("/family/data")
@fresh_login_required
@member_required
def export() -> str:
    """Everything we keep about the account and its family, as a readable page."""
    data = _exported()
    audit.record(db.session, _user(), audit.DATA_EXPORTED, target=_user(),
                 details={"format": "html"}, request_id=request_id())
    db.session.commit()
    return render_template("privacy/export.html", data=data, sections=_sections(data))


@bp.get("/family/data.json")
@fresh_login_required
@member_required
def export_json() -> Response:
    """The same data as a JSON download."""
    data = _exported()
    audit.record(db.session, _user(), audit.DATA_EXPORTED, target=_user(),
                 details={"format": "json"}, request_id=request_id())
    db.session.commit()
    name = f"mutuo-aiuto-data-{hub_clock().today().isoformat()}.json"
    return Response(json.dumps(data, ensure_ascii=False, indent=2),
                    mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/family/access")
@member_required
def access() -> str:
    """The transparency page: who accessed this family's data, and when."""
    household = ownership.household_of(db.session, _user())
    events = audit.for_household(db.session, household) if household else []
    return render_template("privacy/access.html", household=household, events=events)


@bp.route("/family/erase", methods=["GET", "POST"])
@fresh_login_required
@member_required
def erase() -> ResponseReturnValue:
    """Ask the Hub to erase the family's data; a facilitator confirms."""
    household = ownership.household_of(db.session, _user())
    form = EraseForm()
    if household is not None and form.validate_on_submit() and carried_out(
            lambda: gdpr_erasure.request_erasure(db.session, _user(), request_id=request_id()),
            _("Your request is recorded. A facilitator of the Hub will confirm it soon.")):
        return redirect(url_for("privacy.erase"))
    pending = gdpr_erasure.pending_erasure(db.session, household) if household else None
    declined = gdpr_erasure.last_declined_erasure(db.session, household) if household else None
    return form_page("privacy/erase.html", form=form, household=household, pending=pending,
                     declined=declined,
                     withdraw_form=ButtonForm(), months=app_settings().retention_months)


@bp.post("/family/erase/withdraw")
@member_required
def withdraw_erasure() -> ResponseReturnValue:
    if ButtonForm().validate_on_submit():
        carried_out(lambda: gdpr_erasure.withdraw_erasure(db.session, _user()),
                    _("Your erasure request is withdrawn."))
    return redirect(url_for("privacy.erase"))


# ---- facilitators: erasure requests ----------------------------------------------------


@bp.get("/facilitator/erasures")
@facilitator_required
def erasures() -> str:
    rows = [(item, _decline_form(item.public_id))
            for item in gdpr_erasure.pending_erasures(db.session)]
    return render_template("privacy/erasures.html", rows=rows)


def _decline_form(public_id: str) -> DeclineForm:
    # One form per request on the page: the prefix keeps the fields' ids unique.
    return DeclineForm(prefix=f"r{public_id}")


def _handled(action: Callable[[], object], success: str) -> WerkzeugResponse:
    carried_out(action, success)
    return redirect(url_for("privacy.erasures"))


@bp.post("/facilitator/erasures/<public_id>/confirm")
@fresh_login_required
@facilitator_required
def confirm_erasure(public_id: str) -> ResponseReturnValue:
    if not ButtonForm().validate_on_submit():
        return redirect(url_for("privacy.erasures"))
    request_row = found_or_404(gdpr_erasure.find_pending, public_id, missing=DomainError)
    return _handled(lambda: gdpr_erasure.confirm_erasure(db.session, _user(), request_row,
                                                 request_id=request_id()),
                    _("The family's data are erased."))


@bp.post("/facilitator/erasures/<public_id>/decline")
@fresh_login_required
@facilitator_required
def decline_erasure(public_id: str) -> ResponseReturnValue:
    request_row = found_or_404(gdpr_erasure.find_pending, public_id, missing=DomainError)
    form = _decline_form(public_id)
    if not form.validate_on_submit():
        flash(_("Tell the family why the request is declined."), "error")
        return redirect(url_for("privacy.erasures"))
    return _handled(lambda: gdpr_erasure.decline_erasure(db.session, _user(), request_row,
                                                 form.reason.data, request_id=request_id()),
                    _("The request is declined; the family will see the reason."))


# ---- how the export page shows values --------------------------------------------------


@bp.app_template_filter("export_value")
def export_value(value: Any, key: str = "") -> str:
    """A value of the export in words: dates in the reader's format, yes/no, lists."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if key in ("start_minute", "end_minute") and isinstance(value, int):
        return format_minutes(value)
    if isinstance(value, list):
        return ", ".join(export_value(item) for item in value)
    if isinstance(value, str):
        return _as_date(value)
    if isinstance(value, int | float | Decimal):
        # Hours, counts, a year of birth: the reader's decimal sign, never grouped.
        return plain_number(value)
    return str(value)


def _as_date(text: str) -> str:
    try:
        if len(text) == 10:
            return format_date(date.fromisoformat(text), "medium")
        if len(text) >= 19 and text[10] == "T":
            return format_datetime(datetime.fromisoformat(text), "medium")
    except ValueError:
        pass
    return text
