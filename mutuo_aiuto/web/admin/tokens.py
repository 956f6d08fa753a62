"""Administration: API tokens, issued for an account, listed, revoked (issue 14).

Routes of the ``admin`` blueprint (administrators only, CSRF-protected forms).
Issuing answers with the page that shows the secret, once: it is never stored,
nor put in a cookie or a redirect, so reloading the list cannot show it again.
"""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import pgettext
from flask_login import current_user
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ApiToken
from mutuo_aiuto.security import fresh_login_required
from mutuo_aiuto.services import api_tokens, hubtime, policy, user_admin
from mutuo_aiuto.services.errors import DomainError, NotFound
from mutuo_aiuto.web.admin.forms import SCOPE_LABELS, ApiTokenForm
from mutuo_aiuto.web.admin.views import bp
from mutuo_aiuto.web.filters import short_date
from mutuo_aiuto.web.helpers import form_page, found_or_404, hub_clock, refused


def scopes_of(token: ApiToken) -> list[str]:
    return [str(SCOPE_LABELS.get(scope, scope)) for scope in token.scopes or []]


def last_day(token: ApiToken) -> date | None:
    return api_tokens.last_day(token, hub_clock())


def state_of(token: ApiToken) -> str:
    """Whether the token works, and until when, in a few words."""
    if token.revoked_at is not None:
        # Its own context: "revoked" agrees with "token", not with a volunteer check.
        return pgettext("api token", "revoked on %(day)s", day=short_date(token.revoked_at))
    if not policy.can_use_api_token(token, hub_clock().now()):
        return _("no longer works (expired, or the account is deactivated)")
    if token.expires_at is None:
        return _("works, no last day")
    return _("works until %(day)s", day=short_date(last_day(token)))


@bp.context_processor
def token_helpers() -> dict[str, Any]:
    return {"scopes_of": scopes_of, "last_day": last_day, "state_of": state_of}


@bp.get("/api-tokens")
def api_tokens_page() -> str:
    now = hub_clock().now()
    tokens = api_tokens.list_tokens(db.session)
    return render_template("admin/api_tokens.html", tokens=tokens,
                           usable={t.id: policy.can_use_api_token(t, now) for t in tokens})


def _prefilled(form: ApiTokenForm) -> None:
    """``?account=<public id>`` (the link on an account's page) fills in its address."""
    public_id = request.args.get("account", "")
    if request.method != "GET" or not public_id:
        return
    with contextlib.suppress(NotFound):
        form.account.data = user_admin.find_user(db.session, public_id).email


@bp.route("/api-tokens/new", methods=["GET", "POST"])
@fresh_login_required
def new_api_token() -> ResponseReturnValue:
    form = ApiTokenForm()
    _prefilled(form)
    if form.validate_on_submit():
        try:
            user = api_tokens.account_for(db.session, form.account.data or "")
            issued = api_tokens.issue(db.session, current_user, user, name=form.name.data or "",
                                      scopes=form.scopes.data or [],
                                      expires_on=form.expires_on.data)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            return render_template("admin/api_token_issued.html", token=issued.token,
                                   secret=issued.secret)
    return form_page("admin/api_token_form.html", form=form,
                     today=hubtime.clock().today().isoformat())


@bp.post("/api-tokens/<public_id>/revoke")
def revoke_api_token(public_id: str) -> Response:
    token = found_or_404(api_tokens.get_token, public_id)
    api_tokens.revoke(db.session, current_user, token)
    db.session.commit()
    flash(_("The token %(name)s no longer works.", name=token.name), "success")
    return redirect(url_for(".api_tokens_page"))
