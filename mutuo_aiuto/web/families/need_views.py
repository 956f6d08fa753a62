"""A family's own needs: list, post, see, edit, and the status buttons."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Need
from mutuo_aiuto.services import households, needs
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.services.lifecycle import NEED_EDITABLE
from mutuo_aiuto.web.facilitator.hooks import propose_after_commit
from mutuo_aiuto.web.families.common import (
    current_household,
    household_required,
    local_today,
    show_error,
)
from mutuo_aiuto.web.families.forms import NeedForm


def _own_need(public_id: str) -> Need:
    try:
        return needs.get_need(db.session, current_household(), public_id)
    except NotFound:
        abort(404)


def _form(data: dict) -> NeedForm:
    return NeedForm(needs.active_categories(db.session), needs.active_skill_list(db.session),
                    households.active_neighbourhoods(db.session), data=data)


def _render_form(form: NeedForm, need: Need | None = None):
    status = 400 if form.is_submitted() else 200
    return render_template("families/need_form.html", form=form, need=need), status


@household_required
def need_list():
    household = current_household()
    return render_template("families/needs.html",
                           needs=needs.list_needs(db.session, household))


@household_required
def new_need():
    household = current_household()
    chosen = request.args.get("category")
    category = next((c for c in needs.active_categories(db.session) if c.slug == chosen), None)
    form = _form(NeedForm.data_for_new(household, category))
    if form.validate_on_submit():
        publish = bool(form.publish.data)
        try:
            need = needs.post_need(db.session, household, form.to_input(), publish=publish,
                                   today=local_today())
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            propose_after_commit(need=need)
            flash(_("Your request is published: the Hub will look for help.") if publish
                  else _("Your request is saved as a draft."), "success")
            return redirect(url_for("families.need", public_id=need.public_id))
    return _render_form(form)


@household_required
def need_page(public_id: str):
    return render_template("families/need.html", need=_own_need(public_id),
                           editable=NEED_EDITABLE)


@household_required
def edit_need(public_id: str):
    need = _own_need(public_id)
    if need.status not in NEED_EDITABLE:
        flash(_("This request can no longer be changed."), "error")
        return redirect(url_for("families.need", public_id=public_id))
    form = _form(NeedForm.data_of(need))
    if form.validate_on_submit():
        try:
            needs.update_need(db.session, current_household(), need, form.to_input(),
                              today=local_today(), publish=bool(form.publish.data))
        except DomainError as error:
            show_error(form, error)
        else:
            db.session.commit()
            propose_after_commit(need=need)
            flash(_("Your request is saved."), "success")
            return redirect(url_for("families.need", public_id=public_id))
    return _render_form(form, need)


def _change(public_id: str, action: Callable, done: str):
    """Run one status button: on refusal nothing changes and the reason is shown."""
    need = _own_need(public_id)
    try:
        action(db.session, current_household(), need)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        propose_after_commit(need=need)
        flash(done, "success")
    return redirect(url_for("families.need", public_id=public_id))


@household_required
def publish_need(public_id: str):
    return _change(public_id, partial(needs.publish_need, today=local_today()),
                   _("Your request is published: the Hub will look for help."))


@household_required
def pause_need(public_id: str):
    return _change(public_id, needs.pause_need,
                   _("Your request is paused: nobody will be proposed until you resume it."))


@household_required
def resume_need(public_id: str):
    return _change(public_id, partial(needs.resume_need, today=local_today()),
                   _("Your request is open again."))


@household_required
def cancel_need(public_id: str):
    return _change(public_id, needs.cancel_need, _("Your request is cancelled."))
