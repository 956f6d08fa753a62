"""The facilitator's pages: each route declared on its view with ``@bp``.

The dashboard is the queue: one compact row per request looking for help, what
needs a decision first (``services.facilitator_queue``), each opening to the
request's page, where the proposals are with every point of their scores and
how a tie was broken; there a facilitator confirms, rejects with a reason,
takes an alternative (confirming it) or pairs by hand. From the queue a
facilitator also runs the matcher. The impact
page reports the programme's figures, small counts suppressed, also as CSV.
Facilitators and administrators only; the weights page is for administrators.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

from babel import dates as babel_dates
from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import format_timedelta
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.wrappers import Response as WerkzeugResponse

from mutuo_aiuto.extensions import db, limiter
from mutuo_aiuto.models import (
    Category,
    Household,
    Offer,
    OfferStatus,
    Proposal,
)
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.security import fresh_login_required
from mutuo_aiuto.services import (
    audit,
    catalogue,
    facilitator_queue,
    impact,
    impact_overviews,
    matches,
    matching_runs,
    outbox,
    paging,
    places,
    policy,
    proposal_queries,
    reasons,
    settings_store,
    sms,
    sms_outbox,
)
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.figures import exports, pages, participant_export, snapshots
from mutuo_aiuto.services.figures.periods import Granularity, ReportPeriod, add_months
from mutuo_aiuto.services.lifecycle import status_label
from mutuo_aiuto.services.vetting import current_vetting
from mutuo_aiuto.web.access import admin_required, facilitator_required
from mutuo_aiuto.web.facilitator import impact_sections, mail_kinds
from mutuo_aiuto.web.facilitator.forms import (
    ActionForm,
    FiguresForm,
    FilterForm,
    ImpactForm,
    PairForm,
    RejectForm,
    WeightsForm,
)
from mutuo_aiuto.web.filters import label, month_name, slot_label, weekday_name
from mutuo_aiuto.web.helpers import (
    app_settings,
    form_page,
    found_or_404,
    hub_clock,
    next_or,
    redirect_next,
    refused,
)

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


def _committed() -> None:
    """Commit: the queued mails leave with the scheduler's next delivery."""
    db.session.commit()


def _back() -> WerkzeugResponse:
    """Back to the dashboard, keeping its filters (only our own relative addresses)."""
    return redirect_next(url_for("facilitator.dashboard"))


def _filters() -> tuple[FilterForm, dict[str, Any]]:
    form = FilterForm(places.list_neighbourhoods(db.session),
                      catalogue.list_categories(db.session), label, formdata=request.args)
    return form, form.values()


# ---- the dashboard ------------------------------------------------------------


def _page_number() -> int:
    return paging.clamp(request.args.get("page", type=int))


@bp.get("")
@facilitator_required
def dashboard():
    """The queue: a row per request, what needs a decision first; the confirmations
    waiting for the helper's answer below, each list a page at a time."""
    form, chosen = _filters()
    clock = hub_clock()
    return render_template(
        "facilitator/dashboard.html", filters=form, now=clock.now(),
        queue=facilitator_queue.queue(db.session, clock.today(), **chosen,
                                      page=_page_number()),
        awaiting=facilitator_queue.awaiting(
            db.session, page=paging.clamp(request.args.get("awaiting_page", type=int))),
        action=ActionForm(), last_run=proposal_queries.last_run(db.session),
        updating=proposal_queries.updating(db.session))


@bp.post("/run")
@facilitator_required
def run():
    if not ActionForm().validate_on_submit():
        abort(400)
    now = hub_clock().now()
    result = matching_runs.run_full(db.session, now=now, today=hub_clock().date_of(now),
                                    kind="manual", user=current_user)
    db.session.commit()
    flash(_("The matcher ran: %(num)d requests, %(pairs)d possible pairings.",
            num=result.stats.get("needs", 0), pairs=result.stats.get("allowed_pairs", 0)),
          "success")
    return _back()


@bp.route("/proposals/<public_id>/confirm", methods=["GET", "POST"])
@facilitator_required
def confirm(public_id: str):
    """The one confirmation step for the matcher's choice and an alternative alike: the page
    shows the pairing, what the helper will see and any rule that now stops it; the post
    asks the helper (the match awaits the answer, every rule checked again)."""
    proposal: Proposal = found_or_404(matches.get_proposal, current_user, public_id)
    hours = app_settings().helper_response_hours
    form = ActionForm()
    if form.validate_on_submit():
        try:
            matches.confirm_proposal(db.session, current_user, proposal,
                                     now=hub_clock().now(), respond_hours=hours)
        except DomainError as error:
            db.session.rollback()
            flash(str(error.message), "error")
            return redirect(url_for("facilitator.confirm", public_id=public_id,
                                    next=next_or(url_for("facilitator.dashboard"))))
        _committed()
        flash(_("The helper is asked: they have %(hours)d hours to accept or decline. Names "
                "and contacts are shared with both sides only when they accept.", hours=hours),
              "success")
        return _back()
    if request.method == "POST":
        abort(400)
    now = hub_clock().now()
    return render_template(
        "facilitator/confirm.html", proposal=proposal, action=form,
        problems=matches.confirmation_problems(db.session, current_user, proposal, now=now),
        respond_by=now + timedelta(hours=hours), hours=hours,
        back=next_or(url_for("facilitator.need", public_id=proposal.need.public_id)),
        load_weight=settings_store.get_weights(db.session).load)


@bp.route("/proposals/<public_id>/reject", methods=["GET", "POST"])
@facilitator_required
def reject(public_id: str):
    proposal: Proposal = found_or_404(matches.get_proposal, current_user, public_id)
    form = RejectForm()
    if form.validate_on_submit():
        try:
            matches.reject_proposal(db.session, current_user, proposal, form.reason.data,
                                    now=hub_clock().now())
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The proposal is rejected; it will not be proposed again."), "success")
            return _back()
    return form_page("facilitator/reject.html", form=form, proposal=proposal,
                     load_weight=settings_store.get_weights(db.session).load)


# Requests per page of the unmatched list: about 50 KB of HTML.
UNMATCHED_PER_PAGE = 50


@bp.get("/unmatched")
@facilitator_required
def unmatched():
    form, chosen = _filters()
    shown = proposal_queries.unmatched_page(db.session, hub_clock().today(), _page_number(),
                                            UNMATCHED_PER_PAGE, **chosen)
    return render_template("facilitator/unmatched.html", filters=form, needs=shown.items,
                           total=shown.total, page=shown.number, pages=shown.pages)


@bp.get("/undelivered-mail")
@facilitator_required
def undelivered_mail():
    """Mails and texts that could not be delivered: who (masked), what, how often, why;
    never the body."""
    mails = outbox.undelivered(db.session)
    texts = sms_outbox.undelivered_sms(db.session)
    return render_template("facilitator/undelivered_mail.html", mails=mails, texts=texts,
                           mask_address=outbox.mask_address, mask_number=sms.mask_number,
                           mask_addresses=outbox.mask_addresses, kind_label=mail_kinds.label)


# ---- one need, one offer ---------------------------------------------------------


def _show_contacts(household: Household) -> None:
    """Facilitators see everything, and every look at a family's contacts is recorded."""
    audit.record(db.session, current_user, audit.CONTACTS_VIEWED, target=household,
                 details={"fields": ["phone", "address", "email"]})
    db.session.commit()


@bp.get("/needs/<public_id>")
@facilitator_required
def need(public_id: str):
    found = found_or_404(matches.get_need, current_user, public_id,
                         *proposal_queries.NEED_PAGE)
    proposals = proposal_queries.waiting_proposals(db.session, found)
    pairings = proposal_queries.pairings_of(db.session, found)
    elsewhere = facilitator_queue.chosen_elsewhere(
        db.session, found, [p.offer_id for p in proposals if p.rank != 1])
    page = render_template("facilitator/need.html", need=found, proposals=proposals,
                           matches=pairings, action=ActionForm(),
                           acts_for_family=policy.can_act_for(current_user, found.household),
                           ties=reasons.tie_notes(proposals, elsewhere),
                           load_weight=settings_store.get_weights(db.session).load)
    # Recorded once the page is drawn (and only if it was): the commit expires every
    # row the page had read, which drawing it after would read again.
    _show_contacts(found.household)
    return page


@bp.get("/offers/<public_id>")
@facilitator_required
def offer(public_id: str):
    found = found_or_404(matches.get_offer, current_user, public_id,
                         *proposal_queries.OFFER_PAGE)
    pairings = proposal_queries.pairings_of_offer(db.session, found)
    page = render_template("facilitator/offer.html", offer=found, matches=pairings,
                           vetting=current_vetting(db.session, found.household,
                                                   hub_clock().today()),
                           updating=proposal_queries.updating(db.session, found))
    _show_contacts(found.household)  # after drawing it, as for a request's page
    return page


def _pairable_offers(need_household_id: int) -> list[Offer]:
    query = (select(Offer).where(Offer.status == OfferStatus.OPEN,
                                 Offer.ends_on >= hub_clock().today(),
                                 Offer.household_id != need_household_id)
             .order_by(Offer.title, Offer.id))
    return list(db.session.scalars(query))


@bp.route("/needs/<public_id>/pair", methods=["GET", "POST"])
@facilitator_required
def pair(public_id: str):
    """Pair a need with an offer chosen by hand; distance and language may be overridden."""
    found = found_or_404(matches.get_need, current_user, public_id)
    form = PairForm(_pairable_offers(found.household_id))
    if form.validate_on_submit():
        chosen = db.session.scalars(select(Offer).filter_by(public_id=form.offer.data)).one()
        try:
            matches.pair_by_hand(db.session, current_user, found, chosen, now=hub_clock().now(),
                                 respond_hours=app_settings().helper_response_hours,
                                 overrides=form.overrides.data, reason=form.reason.data)
        except DomainError as error:
            refused(form, error)
        else:
            _committed()
            flash(_("The helper is asked: they have %(hours)d hours to accept or decline. "
                    "Names and contacts are shared with both sides only when they accept.",
                    hours=app_settings().helper_response_hours), "success")
            return redirect(url_for("facilitator.need", public_id=found.public_id))
    return form_page("facilitator/pair.html", form=form, need=found)


# ---- the programme's impact -----------------------------------------------------------


def _impact() -> tuple[ImpactForm, impact_overviews.Overview]:
    clock = hub_clock()
    today = clock.today()
    form = ImpactForm(impact.selectable_months(today), impact.default_period(today),
                      month_name, formdata=request.args)
    return form, impact_overviews.overview(db.session, form.period(), form.grain(), clock,
                                           clock.now())


@bp.get("/impact", endpoint="impact")
@facilitator_required
def impact_page():
    form, found = _impact()
    as_of = snapshots.computed_at(db.session)
    if as_of is None and snapshots.queue_refresh(db.session, None, hub_clock().now()):
        # No figures for the funder yet (a new Hub, a fresh upgrade): the scheduler
        # computes them at its next minute; the page says they are being prepared.
        db.session.commit()
    return render_template("facilitator/impact.html", filters=form, impact=found.figures,
                           overview_as_of=found.as_of,
                           overview_minutes=impact_overviews.REFRESH_MINUTES, figures_as_of=as_of,
                           figures_pending=snapshots.pending(db.session))


@bp.post("/impact/refresh")
@facilitator_required
@limiter.limit("10/hour", methods=["POST"])
def refresh_figures() -> WerkzeugResponse:
    """Queue the figures' computation for the scheduler's next minute (never here)."""
    if not ActionForm().validate_on_submit():
        abort(400)
    if snapshots.queue_refresh(db.session, current_user, hub_clock().now()):
        db.session.commit()
    flash(_("The figures will be computed again within a few minutes."), "success")
    return redirect(url_for("facilitator.impact"))


# ---- the impact pages' sections: the engine's figures with their definitions ---------


def _section(name: str) -> str:
    """One section of the engine's figures for the period and grouping in the address."""
    clock = hub_clock()
    today = clock.today()
    form = ImpactForm(impact.selectable_months(today), impact.default_period(today),
                      month_name, formdata=request.args)
    period, grain = form.period(), form.grain()
    found = pages.page_figures(db.session, clock, Granularity(grain.value), period.first,
                               add_months(period.last, 1) - timedelta(days=1))
    # The report names categories in Italian (its exports' language): the reader's names.
    names = {c.label("it"): label(c) for c in db.session.scalars(select(Category))}
    return render_template("facilitator/impact_section.html", filters=form, period=period,
                           grain=grain, section=impact_sections.section(name, found, names))


@bp.get("/impact/reach")
@facilitator_required
def impact_reach() -> str:
    return _section("reach")


@bp.get("/impact/journey")
@facilitator_required
def impact_journey() -> str:
    return _section("journey")


@bp.get("/impact/network")
@facilitator_required
def impact_network() -> str:
    return _section("network")


@bp.get("/impact/belonging")
@facilitator_required
def impact_belonging() -> str:
    return _section("belonging")


@bp.get("/impact.csv")
@facilitator_required
def impact_csv():
    """The same figures for the funder, as CSV; the download is recorded."""
    figures = _impact()[1].figures
    period = figures.period
    audit.record(db.session, current_user, audit.IMPACT_EXPORTED,
                 details={"since": f"{period.first:%Y-%m}", "until": f"{period.last:%Y-%m}"})
    db.session.commit()
    out = io.StringIO()
    csv.writer(out).writerows([impact.EXPORT_HEADER,
                               *impact.export_rows(figures, label, reasons.unmatched_reason)])
    name = f"mutuo-aiuto-impact-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    return Response(out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- the funder's figures (issues 14, 15) --------------------------------------------


def _as_of_italian(moment: datetime) -> str:
    """When figures were computed, in the Hub's time and Italian (the files' language)."""
    return babel_dates.format_datetime(moment, "d MMM y, HH:mm", tzinfo=hub_clock().tz,
                                       locale="it")


def _figures_download(kind: str) -> WerkzeugResponse:
    """The figures of the impact page's period in long form, by quarter (or as chosen)
    with the cumulative rows, labels in Italian, read from the scheduler's snapshot;
    the download is recorded. No snapshot yet: one is queued, nothing computed here."""
    clock = hub_clock()
    today = clock.today()
    form = FiguresForm(impact.selectable_months(today), impact.default_period(today),
                       month_name, formdata=request.args)
    period, by = form.period(), Granularity(form.granularity())
    last = add_months(period.last, 1) - timedelta(days=1)
    found = snapshots.exported(db.session, current_user, by, period.first, last, kind)
    if found is None:
        snapshots.queue_refresh(db.session, None, clock.now())
        db.session.commit()
        flash(_("The figures are being prepared: the downloads will be ready within a few "
                "minutes."), "success")
        return redirect(url_for("facilitator.impact", since=f"{period.first:%Y-%m}",
                                until=f"{period.last:%Y-%m}"))
    db.session.commit()
    computed = clock.local(found.computed_at).strftime("%Y%m%d-%H%M")
    name = (f"mutuo-aiuto-indicatori-{by.value}-{period.first:%Y-%m}-{period.last:%Y-%m}"
            f"-dati-al-{computed}.{kind}")
    body: str | bytes = (exports.to_csv(found.rows) if kind == "csv" else
                         exports.to_xlsx(found.rows, _as_of_italian(found.computed_at),
                                         found.computed_at))
    response = Response(body, mimetype=exports.CSV_TYPE if kind == "csv" else exports.XLSX_TYPE,
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    response.last_modified = found.computed_at
    return response


@bp.get("/impact/figures.csv")
@facilitator_required
def figures_csv() -> WerkzeugResponse:
    return _figures_download("csv")


@bp.get("/impact/figures.xlsx")
@facilitator_required
def figures_xlsx() -> WerkzeugResponse:
    return _figures_download("xlsx")


@bp.get("/impact/participants.csv")
@fresh_login_required
@admin_required
def participants_csv() -> Response:
    """One row per participant for the managing authority: administrators, fresh login,
    audited (by the service)."""
    clock = hub_clock()
    today = clock.today()
    form = ImpactForm(impact.selectable_months(today), impact.default_period(today),
                      month_name, formdata=request.args)
    period = form.period()
    span = ReportPeriod(period.first, min(add_months(period.last, 1) - timedelta(days=1),
                                          today))
    rows = participant_export.participant_rows(db.session, current_user, clock, span)
    db.session.commit()
    name = f"mutuo-aiuto-partecipanti-{period.first:%Y-%m}-{period.last:%Y-%m}.csv"
    return Response(participant_export.to_csv(rows), mimetype=exports.CSV_TYPE,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# ---- the administrator's matching weights ---------------------------------------------


@bp.route("/weights", methods=["GET", "POST"])
@admin_required
def weights():
    current = settings_store.get_weights(db.session)
    form = WeightsForm(data={"base": current.base, "urgency": current.urgency,
                             "proximity": ", ".join(str(p) for p in current.proximity),
                             "language": current.language, "continuity": current.continuity,
                             "load": current.load})
    if form.validate_on_submit():
        try:
            settings_store.save_weights(
                db.session, current_user, base=form.base.data, urgency=form.urgency.data,
                proximity=form.proximity_values(), language=form.language.data,
                continuity=form.continuity.data, load=form.load.data)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            flash(_("The weights are saved: the next matching run uses them."), "success")
            return redirect(url_for("facilitator.weights"))
    return form_page("facilitator/weights.html", form=form)


def _waited(since: datetime, now: datetime) -> str:
    """How long a request has waited, in the reader's language ("3 days")."""
    return format_timedelta(max(now - since, timedelta(0)), threshold=1.1)


def _short_slot(slot: Any) -> str:
    """"Tue 16:00–18:00" (or the date of a one-off slot), for a row of the queue."""
    if getattr(slot, "on_date", None) is not None:
        return slot_label(slot)
    hours = f"{format_minutes(slot.start_minute)}–{format_minutes(slot.end_minute)}"
    return f"{weekday_name(slot.weekday, 'abbreviated')} {hours}"


@bp.context_processor
def template_helpers() -> dict[str, Any]:
    return {"describe": reasons.describe, "unmatched_reason": reasons.unmatched_reason,
            "urgency_label": reasons.urgency_label, "waited": _waited,
            "short_slot": _short_slot,
            "status_label": status_label, "match_status": matches.match_status_label,
            "public_count": impact.public_count}
