"""Forms of the privacy blueprint: password again, consent, erasure."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length


class PasswordAgainForm(FlaskForm):
    password = PasswordField(_l("Your password"), [InputRequired(), Length(max=1024)])


class ConsentForm(FlaskForm):
    agree = BooleanField(_l("I have read the privacy notice and I agree"),
                         [DataRequired(_l("Tick the box to agree, or log out."))])


class EraseForm(FlaskForm):
    confirm = BooleanField(
        _l("I understand that my family's data will be erased and cannot be recovered"),
        [DataRequired(_l("Tick the box to confirm."))])


class ButtonForm(FlaskForm):
    """A form with only its CSRF token, for buttons that POST."""


class DeclineForm(FlaskForm):
    reason = TextAreaField(_l("Why the request is declined (the family will read this)"),
                           [DataRequired(), Length(max=500)])
