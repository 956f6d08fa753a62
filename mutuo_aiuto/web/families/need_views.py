"""A family's own needs: list, post, see, edit, and the status buttons."""

from __future__ import annotations

from functools import partial

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Need
from mutuo_aiuto.services import audit, households, needs, standing
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.lifecycle import allowed_actions
from mutuo_aiuto.web.families.common import (
    household_required,
    own_household,
)
from mutuo_aiuto.web.families.forms import NeedForm
from mutuo_aiuto.web.families.listing_views import (
    Listing,
    change,
    edit,
    own,
    render_form,
    submit,
)
from mutuo_aiuto.web.families.views import bp
from mutuo_aiuto.web.helpers import hub_clock

NEED = Listing("need", needs.get_need, "families/need_form.html")


def _form(data: dict) -> NeedForm:
    return NeedForm(needs.active_categories(db.session), needs.active_skill_list(db.session),
                    households.active_neighbourhoods(db.session), data=data)


@bp.get("/needs", endpoint="needs")
@household_required
def need_list():
    household = own_household()
    rows = needs.list_needs(db.session, household)
    return render_template("families/needs.html", needs=rows,
                           standings=standing.standings(db.session, current_user, rows,
                                                        hub_clock()))


@bp.route("/needs/new", methods=["GET", "POST"])
@household_required
def new_need():
    household = own_household()
    chosen = request.args.get("category")
    category = next((c for c in needs.active_categories(db.session) if c.slug == chosen), None)
    form = _form(NeedForm.data_for_new(household, category))
    publish = bool(form.publish.data)

    def post() -> Need:
        clock = hub_clock()
        now = clock.now()
        return needs.post_need(db.session, household, form.to_input(), publish=publish,
                               today=clock.date_of(now), now=now)

    done = (_("Your request is published: the Hub will look for help.") if publish
            else _("Your request is saved as a draft."))
    return submit(NEED, form, post, done, check=partial(_check, form)) or render_form(NEED, form)


def _check(form: NeedForm) -> list[DomainError]:
    """What the service would refuse besides what the fields refused (nothing is saved)."""
    return needs.check_need(db.session, own_household(), form.to_input(),
                            today=hub_clock().today())


@bp.get("/needs/<public_id>", endpoint="need")
@household_required
def need_page(public_id: str):
    row = own(NEED, public_id)
    if not isinstance(row, Need):
        abort(404)
    where = standing.standings(db.session, current_user, [row], hub_clock())[row.id]
    page = render_template("families/need.html", need=row, standing=where,
                           actions=allowed_actions(row, current_user))
    # The helper's phone is on the page: the read is on the record (once it is drawn: the
    # commit expires every row the page reads, which drawing it after read again).
    if where.phone and where.match is not None:
        audit.record(db.session, current_user, audit.CONTACTS_VIEWED, target=where.helper,
                     details={"fields": ["phone"], "match": where.match.public_id})
        db.session.commit()
    return page


def _update(form: NeedForm, need: Need) -> Need:
    return needs.update_need(db.session, own_household(), need, form.to_input(),
                             today=hub_clock().today(), publish=bool(form.publish.data))


@bp.route("/needs/<public_id>/edit", methods=["GET", "POST"])
@household_required
def edit_need(public_id: str):
    return edit(NEED, public_id, lambda need: _form(NeedForm.data_of(need)), _update,
                refused=_("This request can no longer be changed."),
                done=_("Your request is saved."), check=_check)


@bp.post("/needs/<public_id>/publish")
@household_required
def publish_need(public_id: str):
    return change(NEED, public_id, partial(needs.publish_need, today=hub_clock().today()),
                  _("Your request is published: the Hub will look for help."))


@bp.post("/needs/<public_id>/pause")
@household_required
def pause_need(public_id: str):
    return change(NEED, public_id, needs.pause_need,
                  _("Your request is paused: nobody will be proposed until you resume it."))


@bp.post("/needs/<public_id>/resume")
@household_required
def resume_need(public_id: str):
    return change(NEED, public_id, partial(needs.resume_need, today=hub_clock().today()),
                  _("Your request is open again."))


@bp.post("/needs/<public_id>/cancel")
@household_required
def cancel_need(public_id: str):
    return change(NEED, public_id, needs.cancel_need, _("Your request is cancelled."))
