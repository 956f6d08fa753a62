"""The users blueprint: every address of the feature, in one place.

Administrators only: the list of accounts, an account's page with its role,
deactivation and "sign out everywhere", and the audit trail's search.
Changing a role or deactivating needs a fresh login (the password typed in
the last minutes).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import User
from mutuo_aiuto.security import fresh_login_required, request_id
from mutuo_aiuto.services import audit, paging, user_admin
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.web.access import admin_required
from mutuo_aiuto.web.filters import ROLE_LABELS
from mutuo_aiuto.web.helpers import carried_out, found_or_404, hub_clock, refused
from mutuo_aiuto.web.users.forms import AuditSearchForm, ButtonForm, RoleForm, UserSearchForm

bp = Blueprint("users", __name__)


def _admin() -> User:
    return current_user._get_current_object()


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"role_labels": ROLE_LABELS, "action_label": audit.action_label}


def _page() -> int:
    return paging.clamp(request.args.get("page", type=int))


@bp.get("/admin/users")
@admin_required
def index() -> str:
    form = UserSearchForm(request.args)
    users: list[User] = []
    if form.validate():
        state = {"active": True, "inactive": False}.get(form.state.data or "")
        query = user_admin.UserQuery(text=form.q.data, role=form.role.data or None,
                                     active=state)
        try:
            users = user_admin.list_users(db.session, query, page=_page())
        except DomainError as error:  # a role the list does not have: said on the field
            refused(form, error)
    return render_template("users/index.html", form=form, users=users, page=_page(),
                           page_size=user_admin.PAGE_SIZE)


@bp.get("/admin/users/<public_id>")
@fresh_login_required
@admin_required
def detail(public_id: str) -> str:
    user = found_or_404(user_admin.find_user, public_id, missing=DomainError)
    role_form = RoleForm(role=user.role)
    events = audit.search(db.session, audit.AuditQuery(target_id=user.public_id), limit=20)
    return render_template("users/detail.html", user=user, role_form=role_form, events=events)


def _apply(public_id: str, change: Callable[[User], None], success: str) -> Response:
    """Run one account change as a service call: commit on success, roll back on refusal."""
    user = found_or_404(user_admin.find_user, public_id, missing=DomainError)
    if not ButtonForm().validate_on_submit():
        abort(400)
    carried_out(lambda: change(user), success)
    return redirect(url_for("users.detail", public_id=public_id))


@bp.post("/admin/users/<public_id>/role")
@fresh_login_required
@admin_required
def change_role(public_id: str) -> Response:
    form = RoleForm()
    if not form.validate_on_submit():
        flash(_("Choose a role from the list."), "error")
        return redirect(url_for("users.detail", public_id=public_id))
    return _apply(public_id, lambda user: user_admin.change_role(
        db.session, _admin(), user, form.role.data, request_id=request_id()),
        _("The role is changed. The account must log in again."))


@bp.post("/admin/users/<public_id>/deactivate")
@fresh_login_required
@admin_required
def deactivate(public_id: str) -> Response:
    return _apply(public_id, lambda user: user_admin.deactivate(
        db.session, _admin(), user, request_id=request_id()),
        _("The account is deactivated and signed out everywhere."))


@bp.post("/admin/users/<public_id>/reactivate")
@fresh_login_required
@admin_required
def reactivate(public_id: str) -> Response:
    return _apply(public_id, lambda user: user_admin.reactivate(
        db.session, _admin(), user, request_id=request_id()),
        _("The account can log in again."))


@bp.post("/admin/users/<public_id>/sign-out")
@admin_required
def sign_out(public_id: str) -> Response:
    return _apply(public_id, lambda user: user_admin.sign_out_everywhere(
        db.session, _admin(), user, request_id=request_id()),
        _("The account is signed out on every device."))


@bp.get("/admin/audit")
@admin_required
def audit_trail() -> tuple[str, int]:
    form = AuditSearchForm(request.args)
    events: list[Any] = []
    status = 200
    if form.validate():
        clock = hub_clock()
        until = form.until.data + timedelta(days=1) if form.until.data else None
        query = audit.AuditQuery(action=form.action.data or None, actor=form.actor.data,
                                 target_id=form.target.data, request_id=form.request_id.data,
                                 since=form.since.data and clock.start_of(form.since.data),
                                 until=until and clock.start_of(until))
        try:
            events = audit.search(db.session, query)
        except DomainError as error:
            # An action the list does not hold that the form let through (WTForms'
            # Optional() clears a select's own check when the value is only blanks).
            refused(form, error)
            status = 400
    else:
        status = 400
    return render_template("users/audit.html", form=form, events=events), status
