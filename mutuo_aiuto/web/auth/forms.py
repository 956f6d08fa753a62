"""Forms of the auth blueprint: register, confirm the address, log in, passwords, account."""

from __future__ import annotations

from typing import Any

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectField,
    StringField,
    TelField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    DataRequired,
    Email,
    EqualTo,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from mutuo_aiuto.languages import LANGUAGES
from mutuo_aiuto.models import COMES_FOR
from mutuo_aiuto.services.accounts import (
    MIXED_SCRIPTS_MESSAGE,
    WeakPassword,
    check_password_strength,
    mixes_scripts,
    normalise_email,
)
from mutuo_aiuto.services.phone_lookup import MAX_INPUT, mobile_e164


def _normalise(value: str | None) -> str | None:
    return normalise_email(value) if value else value


def _strip(value: str | None) -> str | None:
    return value.strip() if value else value


def _language_choices() -> list[SelectChoice]:
    # Each language named in itself, marked so screen readers pronounce it right.
    return [SelectChoice(code, name, render_kw={"lang": code}) for code, name in LANGUAGES.items()]


def _current_locale() -> str:
    locale = str(get_locale() or "it")
    return locale if locale in LANGUAGES else "it"


class StrongPassword:
    """The service's strength rules, so a weak password shows beside other errors.

    The address the password must not contain comes from the form's
    ``email_field``, or from ``form.account_email`` when the form has no email;
    the name from the form's ``name`` field or ``form.account_name``, and whether
    the staff's stronger rule applies from ``form.account_is_staff``.
    """

    def __init__(self, email_field: str | None = None) -> None:
        self.email_field = email_field

    def __call__(self, form: FlaskForm, field: Any) -> None:
        email = (form[self.email_field].data if self.email_field
                 else getattr(form, "account_email", "")) or ""
        name = (form["name"].data if "name" in form else getattr(form, "account_name", "")) or ""
        try:
            check_password_strength(field.data or "", email, name=name,
                                    staff=getattr(form, "account_is_staff", False))
        except WeakPassword as error:
            raise ValidationError(str(error.message)) from error


def one_alphabet(_form: FlaskForm, field: Any) -> None:
    """Refuse a look-alike address: a local part that mixes alphabets."""
    if field.data and mixes_scripts(field.data):
        raise ValidationError(str(MIXED_SCRIPTS_MESSAGE))


class MustAgree:
    """A ticked box is required; the message is translated when shown.

    (A lazy message given to ``DataRequired`` would reach the template as a
    LazyString, which the form macros do not print.)
    """

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if not field.data:
            raise StopValidation(_("Please agree to the privacy notice to create an account."))


class OneChosen:
    """One of the field's choices must be picked; the message is translated when shown."""

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        if field.data not in COMES_FOR:
            field.data = None  # nothing shown as picked that was not offered
            raise StopValidation(_("Choose whether you need help, can help, or both."))


# What a person comes for: the question at sign-up, and on the account page.
COMES_FOR_CHOICES = (
    ("need", _l("I need help (for me or my family)")),
    ("give", _l("I can help (I volunteer)")),
    ("both", _l("Both: I need help and I can help")),
)


def _comes_for_field() -> RadioField:
    return RadioField(_l("What brings you to the Family Hub?"), [OneChosen()],
                      choices=[SelectChoice(value, label) for value, label in COMES_FOR_CHOICES],
                      validate_choice=False)


def _email_field() -> EmailField:
    return EmailField(_l("Email"), [DataRequired(), Email(), Length(max=254), one_alphabet],
                      filters=[_normalise])


def _new_password_fields(label: object, email_field: str | None = None,
                         ) -> tuple[PasswordField, PasswordField]:
    password = PasswordField(label, [DataRequired(), StrongPassword(email_field)])
    confirm = PasswordField(_l("Repeat the password"), [
        DataRequired(), EqualTo("password", message=_l("The two passwords are not the same."))])
    return password, confirm


class RegisterForm(FlaskForm):
    comes_for = _comes_for_field()
    name = StringField(_l("Your name"), [DataRequired(), Length(max=120)], filters=[_strip])
    email = _email_field()
    password, confirm = _new_password_fields(_l("Password"), "email")
    locale = SelectField(_l("Language"), choices=_language_choices(), default=_current_locale)
    consent = BooleanField(_l("I have read the privacy notice and I agree to it"), [MustAgree()])


class ConfirmEmailForm(FlaskForm):
    """Only the CSRF token: the button that confirms an address and logs in."""


class LoginForm(FlaskForm):
    # No format check: whatever is wrong, a login attempt gets the same answer.
    email = EmailField(_l("Email"), [DataRequired(), Length(max=254)], filters=[_normalise])
    password = PasswordField(_l("Password"), [DataRequired()])
    remember = BooleanField(_l("Keep me logged in on this device"), default=False)


class ResetRequestForm(FlaskForm):
    email = _email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields(_l("New password"))


class ChangePasswordForm(FlaskForm):
    current_password = PasswordField(_l("Current password"), [DataRequired()])
    password, confirm = _new_password_fields(_l("New password"))


# How a member hears of news (issue 16); the service refuses SMS without a mobile number.
NOTIFY_BY_CHOICES = (
    ("mail", _l("By mail")),
    ("sms", _l("By SMS (text message)")),
    ("both", _l("By mail and by SMS")),
)


class AccountForm(FlaskForm):
    name = StringField(_l("Your name"), [DataRequired(), Length(max=120)], filters=[_strip])
    locale = SelectField(_l("Language"), choices=_language_choices())
    comes_for = _comes_for_field()
    notify_by = RadioField(_l("How should we tell you about news and reminders?"),
                           choices=[SelectChoice(value, label)
                                    for value, label in NOTIFY_BY_CHOICES],
                           validate_choice=False)


# ---- signing in by phone -------------------------------------------------------------

class MobileNumber:
    """A mobile number a code can be sent to (Italian by default); ``form.e164`` holds it."""

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        form.e164 = mobile_e164(field.data)
        if form.e164 is None:
            raise StopValidation(_("This is not a mobile number we can send a code to. Write "
                                   "it with its digits, for example 333 123 4567, or with "
                                   "the country code, for example +44 7911 123456."))


class SixDigits:
    """The code as the SMS gives it: six digits (spaces a phone keyboard adds are dropped)."""

    field_flags = {"required": True}

    def __call__(self, form: FlaskForm, field: Any) -> None:
        field.data = "".join((field.data or "").split())
        if not (len(field.data) == CODE_LENGTH and field.data.isascii()
                and field.data.isdigit()):
            raise StopValidation(_("Type the six digits of the code we sent you by SMS."))


CODE_LENGTH = 6


class PhoneForm(FlaskForm):
    phone = TelField(_l("Mobile phone number"), [MobileNumber()],
                     render_kw={"dir": "ltr", "inputmode": "tel", "maxlength": MAX_INPUT})
    e164: str | None = None


class CodeForm(FlaskForm):
    code = StringField(_l("Code from the SMS"), [SixDigits()],
                       render_kw={"dir": "ltr", "inputmode": "numeric", "maxlength": 12})


def _optional_email(value: str | None) -> str | None:
    return normalise_email(value) if value and value.strip() else None


class WelcomeForm(FlaskForm):
    """A family takes over the account the Hub made for it: language first, the rest optional."""

    locale = SelectField(_l("Language"), choices=_language_choices(), default=_current_locale)
    email = EmailField(_l("Email (optional)"), [Optional(), Email(), Length(max=254),
                                                one_alphabet], filters=[_optional_email])
    password = PasswordField(_l("Password (optional)"), [Optional(), StrongPassword()])
    confirm = PasswordField(_l("Repeat the password"), [
        EqualTo("password", message=_l("The two passwords are not the same."))])
