"""Forms of the follow-up pages: follow-up outcome, closing, feedback, vetting.

Forms check types and lengths; the services check the domain rules and say
which field a refusal belongs to.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import AnyOf, InputRequired, Length, Optional

from mutuo_aiuto.services.belonging import SCALE
from mutuo_aiuto.services.followups import FOLLOW_UP_OUTCOMES, NOTES_MAX
from mutuo_aiuto.services.outcomes import COMMENT_MAX, OUTCOME_LABELS
from mutuo_aiuto.services.reminders import ANSWERS
from mutuo_aiuto.web.filters import plain_number

RATINGS = {1: _l("1 — it went badly"), 2: "2", 3: _l("3 — so and so"), 4: "4",
           5: _l("5 — it went very well")}


def _choices(labels: dict[Any, Any]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


def _strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class HoursField(StringField):
    """A number of hours, written "2,5" or "2.5" (Italian keyboards give a comma)."""

    def process_formdata(self, valuelist: Iterable[str]) -> None:
        values = list(valuelist)
        self.data = None
        raw = (values[0] if values else "").strip().replace(",", ".")
        if not raw:
            return
        try:
            self.data = Decimal(raw)
        except InvalidOperation as error:
            raise ValueError(_l("Write a number of hours, for example 12 or 2,5.")) from error
        if not self.data.is_finite():  # "NaN", "sNaN", "Infinity": Decimal reads them
            self.data = None
            raise ValueError(_l("Write a number of hours, for example 12 or 2,5."))

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0]
        # Shown back as the reader writes it ("12,5" in Italian), and read back alike.
        return "" if self.data is None else plain_number(self.data)


def _score(value: object) -> int | None:
    """A radio's value as a number; anything else reaches the service, which refuses it."""
    if value is None or value == "":
        return None
    try:
        return int(str(value))
    except ValueError:
        return -1


class FollowUpsForm(FlaskForm):
    """Messages as plain text: the form macros show only strings, not lazy ones."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.errors, list):
                field.errors = [str(error) for error in field.errors]
        return valid


class FollowUpForm(FollowUpsForm):
    outcome = RadioField(_l("How is it going?"), choices=_choices(FOLLOW_UP_OUTCOMES),
                         validators=[InputRequired(_l("Choose how it is going."))])
    notes = TextAreaField(_l("Notes (only facilitators see them)"), filters=[_strip],
                          validators=[Optional(), Length(max=NOTES_MAX)])
    # Optional: not asked, or no answer, is left empty (the service checks the range).
    family_belonging = RadioField(_l("The family's answer"), choices=_choices(SCALE),
                                  coerce=_score, validate_choice=False)
    helper_belonging = RadioField(_l("The helper's answer"), choices=_choices(SCALE),
                                  coerce=_score, validate_choice=False)


class CloseMatchForm(FollowUpsForm):
    outcome = RadioField(_l("Outcome"), choices=_choices(OUTCOME_LABELS),
                         validators=[InputRequired(_l("Choose an outcome."))])
    hours = HoursField(_l("Hours of help given in all"),
                       render_kw={"inputmode": "decimal", "autocomplete": "off"},
                       validators=[InputRequired(_l("Give the hours of help, 0 if none."))])


class FeedbackForm(FollowUpsForm):
    rating = RadioField(_l("How did it go?"), choices=_choices(RATINGS), coerce=int,
                        validators=[InputRequired(_l("Choose from 1 to 5."))])
    comment = TextAreaField(_l("Anything you want to tell the Family Hub (optional)"),
                            filters=[_strip], validators=[Optional(), Length(max=COMMENT_MAX)])


class VettingForm(FollowUpsForm):
    checked_on = DateField(_l("Day you saw the certificate"),
                           validators=[InputRequired(_l("Give a date."))])
    expires_on = DateField(_l("Day the certificate expires"),
                           validators=[InputRequired(_l("Give a date."))])


class ConfirmForm(FollowUpsForm):
    """A button that only needs the CSRF token (revoke, new calendar link)."""


class SessionAnswerForm(FollowUpsForm):
    """Two buttons, "I'm coming" and "I can't come", that send ``answer``."""

    answer = StringField(validators=[AnyOf(ANSWERS, _l("Say whether you are coming."))])
