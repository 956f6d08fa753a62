"""Accounts on the web: register and confirm the address, log in and out, passwords, account.

Every answer about an email address is the same whether it has an account
or not: registering always ends on the same "check your mailbox" page, and
the new account logs in only from the link mailed to it. Mails are only
queued in the outbox here: the scheduler delivers them, so a slow mail server
never holds up a page.
"""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale, refresh
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from mutuo_aiuto.extensions import db, limiter
from mutuo_aiuto.i18n import forget_language_switch
from mutuo_aiuto.models import User
from mutuo_aiuto.services import accounts, channels, phone_signin, policy, tokens
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.sms_outbox import sms_number
from mutuo_aiuto.web.access import member_required
from mutuo_aiuto.web.auth.forms import (
    AccountForm,
    ChangePasswordForm,
    CodeForm,
    ConfirmEmailForm,
    LoginForm,
    PhoneForm,
    RegisterForm,
    ResetPasswordForm,
    ResetRequestForm,
    WelcomeForm,
)
from mutuo_aiuto.web.helpers import app_settings, external_url, form_page, refused, safe_next
from mutuo_aiuto.web.navigation import landing_url

bp = Blueprint("auth", __name__)


# ---- helpers -------------------------------------------------------------------

def _reset_link(token: str) -> str:
    return external_url("auth.reset_password", token=token)


def _confirm_link(token: str) -> str:
    return external_url("auth.confirm_email", token=token)


def _landing() -> str:
    """Where the logged-in person goes: what they came for (``navigation.landing_url``)."""
    return landing_url(_user())


def _user() -> User:
    return current_user._get_current_object()


# ---- register, log in, log out ---------------------------------------------------------

@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def register() -> Response | tuple[str, int]:
    if current_user.is_authenticated:
        return redirect(_landing())
    form = RegisterForm()
    if form.validate_on_submit():
        settings = app_settings()
        try:
            accounts.sign_up(
                db.session, email=form.email.data, password=form.password.data,
                name=form.name.data, locale=form.locale.data, comes_for=form.comes_for.data,
                consent_version=settings.privacy_notice_version, secret=settings.secret_key,
                confirm_link_for=_confirm_link, reset_link_for=_reset_link)
            db.session.commit()
        except IntegrityError:
            # Two sign-ups with one new address at once: the later one finds it
            # taken only here. Same answer; the first one's link is on its way.
            db.session.rollback()
        except DomainError as error:
            refused(form, error)
            return form_page("auth/register.html", form=form)
        return _check_mailbox()
    return form_page("auth/register.html", form=form)


def _check_mailbox() -> tuple[str, int]:
    """The one answer to a valid sign-up, new address or taken: no login, no flash, no redirect."""
    return render_template("auth/check_mailbox.html"), 200


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> Response | tuple[str, int]:
    """The link mailed at sign-up: a button that confirms the address and logs in.

    Opening the link only shows the button: mail scanners open links too, and
    a link that logged in on GET would let another site log a visitor into an
    account of its making.
    """
    secret = app_settings().secret_key
    try:
        user = tokens.user_for_confirmation_token(db.session, token, secret)
    except tokens.ConfirmationLinkInvalid as error:
        return render_template("auth/confirm_invalid.html", message=error.message), 400
    if user.email_confirmed_at is not None:
        return _already_confirmed()
    form = ConfirmEmailForm()
    if form.validate_on_submit():
        try:
            accounts.confirm_email(db.session, token=token, secret=secret)
        except accounts.AlreadyConfirmed:
            db.session.rollback()
            return _already_confirmed()
        db.session.commit()
        login_user(user)
        flash(_("Your address is confirmed and you are logged in. Welcome!"), "success")
        return redirect(_landing())
    return render_template("auth/confirm_email.html", form=form, user=user), 200


def _already_confirmed() -> Response:
    if current_user.is_authenticated:
        return redirect(_landing())
    flash(_("Your address is already confirmed: please log in."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
def login() -> Response | tuple[str, int]:
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or _landing())
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(db.session, form.email.data, form.password.data)
        except accounts.EmailNotConfirmed as unconfirmed:
            _send_new_confirmation(unconfirmed.user)
            return form_page("auth/login.html", form=form, next_url=next_url)
        if user is not None:
            db.session.commit()
            asked = bool(form.remember.data)
            login_user(user, remember=asked and not user.is_facilitator)
            if asked and user.is_facilitator:
                _say_staff_are_not_remembered()
            return redirect(next_url or _landing())
        db.session.rollback()
        form.password.errors.append(_("Email or password is not correct."))
    return form_page("auth/login.html", form=form, next_url=next_url)


def _say_staff_are_not_remembered() -> None:
    """Staff are never kept logged in: their session must end with the idle timeout.

    The login form cannot know the role before the password is typed, so the box is
    shown to everyone; a facilitator or administrator who ticks it is told why not,
    in the account's language (logged in by now).
    """
    refresh()
    flash(_("Facilitator and administrator accounts are never kept logged in on a "
            "device: you will be logged out after some time away."), "info")


def _send_new_confirmation(user: User) -> None:
    """The right password for an unconfirmed account: a new link instead of a login."""
    sent = accounts.resend_confirmation(db.session, user, secret=app_settings().secret_key,
                                        link_for=_confirm_link)
    db.session.commit()
    if sent is None:
        flash(_("Confirm your address first: we sent you a link a few minutes ago. "
                "Please look in your mailbox, and in the spam folder too."), "info")
        return
    flash(_("Confirm your address first: we sent you a new link."), "info")


@bp.route("/logout", methods=["GET", "POST"])
def logout() -> Response | str:
    """POST logs out, everywhere. A link to /logout (a bookmark, another tool) gets a
    page with the button: logging out changes state, so only a POST with its CSRF
    token does it."""
    if request.method == "GET":
        if not current_user.is_authenticated:
            return redirect(url_for("main.home"))
        return render_template("auth/logout.html")
    if current_user.is_authenticated:
        accounts.end_all_sessions(_user())
        db.session.commit()
        logout_user()
        flash(_("You have logged out."), "info")
    return redirect(url_for("main.home"))


# ---- signing in by phone ----------------------------------------------------------------
# The number is never kept in the session cookie: only its keyed hash (to find the
# codes) and its last two digits (to say where the code went).

PHONE_SIGNIN_KEY = "phone_signin"
WELCOME_KEY = "welcome"


@bp.route("/login/phone", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def phone_login() -> Response | tuple[str, int]:
    """Step one: the number. Every valid number gets the same answer (the code page)."""
    if current_user.is_authenticated:
        return redirect(_landing())
    form = PhoneForm()
    if form.validate_on_submit() and form.e164 is not None:
        try:
            lookup = phone_signin.ask_for_code(db.session, form.e164,
                                               locale=str(get_locale() or "it"))
        except DomainError as error:
            refused(form, error)
            return form_page("auth/phone_login.html", form=form)
        db.session.commit()
        session[PHONE_SIGNIN_KEY] = {"lookup": lookup, "ends": form.e164[-2:]}
        return redirect(url_for("auth.phone_code"))
    return form_page("auth/phone_login.html", form=form)


@bp.route("/login/phone/code", methods=["GET", "POST"])
@limiter.limit("10/minute;50/hour", methods=["POST"])
def phone_code() -> Response | tuple[str, int]:
    """Step two: the code. A first sign-in of an account made at the front desk is
    its claim, and goes on to the welcome page."""
    if current_user.is_authenticated:
        return redirect(_landing())
    pending = session.get(PHONE_SIGNIN_KEY)
    if not isinstance(pending, dict) or not isinstance(pending.get("lookup"), str):
        return redirect(url_for("auth.phone_login"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            signed_in = phone_signin.sign_in(db.session, pending["lookup"], form.code.data)
        except DomainError as error:
            db.session.commit()  # the try it spent stays spent
            refused(form, error)
        else:
            db.session.commit()
            session.pop(PHONE_SIGNIN_KEY, None)
            login_user(signed_in.user)
            if signed_in.first_time:
                session[WELCOME_KEY] = True
                return redirect(url_for("auth.welcome"))
            return redirect(_landing())
    return form_page("auth/phone_code.html", form=form, ends=str(pending.get("ends", "")))


@bp.route("/welcome", methods=["GET", "POST"])
@member_required
def welcome() -> Response | tuple[str, int]:
    """A family's first visit to the account the Hub made for it at the front desk."""
    user = _user()
    if not session.get(WELCOME_KEY):
        return redirect(_landing())
    form = WelcomeForm(locale=user.locale)
    form.account_email, form.account_name = user.email or "", user.name
    if user.email is not None:
        del form.email  # it has an address already: changing it is another page's job
    if form.validate_on_submit():
        settings = app_settings()
        try:
            new_password = phone_signin.welcome(
                db.session, user, locale=form.locale.data,
                email=form.email.data if "email" in form else None,
                password=form.password.data or None, secret=settings.secret_key,
                confirm_link_for=_confirm_link, reset_link_for=_reset_link)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            if new_password:
                login_user(user)  # the new password ended the older session
            session.pop(WELCOME_KEY, None)
            forget_language_switch()
            refresh()
            flash(_("Welcome to the Family Hub! Your account is ready."), "success")
            if "email" in form and form.email.data:
                flash(_("We sent a link to the address you gave: open it to confirm the "
                        "address."), "info")
            return redirect(_landing())
    return form_page("auth/welcome.html", form=form, user=user)


# ---- password reset by mail ------------------------------------------------------------

@bp.route("/reset", methods=["GET", "POST"])
@limiter.limit("5/hour", methods=["POST"])
def reset_request() -> Response | tuple[str, int]:
    form = ResetRequestForm()
    if form.validate_on_submit():
        accounts.send_reset_link(db.session, form.email.data,
                                 secret=app_settings().secret_key, link_for=_reset_link,
                                 signup_link=external_url("auth.register"),
                                 locale=str(get_locale() or "it"))
        db.session.commit()
        flash(_("If an account exists for this address, we have sent it a link to choose "
                "a new password. Please check your mailbox."), "info")
        return redirect(url_for("auth.login"))
    return form_page("auth/reset_request.html", form=form)


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> Response | tuple[str, int]:
    settings = app_settings()
    try:
        user = tokens.user_for_reset_token(db.session, token, settings.secret_key,
                                           settings.password_reset_max_age)
    except tokens.ResetLinkInvalid as error:
        return render_template("auth/reset_invalid.html", message=error.message), 400
    form = ResetPasswordForm()
    form.account_email, form.account_name = user.email, user.name
    form.account_is_staff = user.is_facilitator
    if form.validate_on_submit():
        try:
            accounts.reset_password(db.session, token=token, password=form.password.data,
                                    secret=settings.secret_key,
                                    max_age=settings.password_reset_max_age)
        except DomainError as error:
            refused(form, error)
        else:
            return _password_saved(user, _("Your new password is saved and you are logged in."),
                                   then=landing_url(user))
    return form_page("auth/reset_password.html", form=form)


def _password_saved(user: User, message: str, then: str, remember: bool = False) -> Response:
    """Commit, then log in again: the old session version no longer opens anything."""
    accounts.send_password_changed(db.session, user)
    db.session.commit()
    login_user(user, remember=remember)
    flash(message, "success")
    return redirect(then)


# ---- the account page ------------------------------------------------------------------

@bp.route("/account", methods=["GET", "POST"])
@member_required
def account() -> Response | tuple[str, int]:
    user = _user()
    form = AccountForm(obj=user)
    if not policy.is_member(user):
        del form.comes_for  # staff come to work: the question is a member's
    sms_possible = policy.is_member(user) and channels.sms_possible(user)
    if not (sms_possible and user.email):
        del form.notify_by  # one way only: nothing to choose
    if form.validate_on_submit():
        try:
            accounts.update_account(db.session, user, name=form.name.data,
                                    locale=form.locale.data,
                                    comes_for=form.comes_for.data if "comes_for" in form
                                    else None,
                                    notify_by=form.notify_by.data if "notify_by" in form
                                    else None)
        except DomainError as error:
            refused(form, error)
        else:
            db.session.commit()
            forget_language_switch()
            refresh()  # the confirmation already in the language just chosen
            flash(_("Your account is saved."), "success")
            return redirect(url_for("auth.account"))
    return form_page("auth/account.html", form=form, user=user,
                     only_helping=policy.is_only_helping(user),
                     sms_number=sms_number(user) if policy.is_member(user) else None)


@bp.route("/account/password", methods=["GET", "POST"])
@member_required
def change_password() -> Response | tuple[str, int]:
    user = _user()
    form = ChangePasswordForm()
    form.account_email, form.account_name = user.email, user.name
    form.account_is_staff = user.is_facilitator
    if form.validate_on_submit():
        try:
            accounts.change_password(db.session, user, current_password=form.current_password.data,
                                     new_password=form.password.data)
        except DomainError as error:
            refused(form, error)
        else:
            remember = current_app.config.get("REMEMBER_COOKIE_NAME", "remember_token")
            return _password_saved(user, _("Your password is changed. Every other device "
                                           "has been logged out."),
                                   then=url_for("auth.account"),
                                   remember=remember in request.cookies
                                   and not user.is_facilitator)
    return form_page("auth/change_password.html", form=form)


# ---- the privacy notice ----------------------------------------------------------------

@bp.get("/privacy")
def privacy() -> str:
    settings = app_settings()
    return render_template("auth/privacy.html", version=settings.privacy_notice_version,
                           retention_months=settings.retention_months)
