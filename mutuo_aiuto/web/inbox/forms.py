"""Forms of a pairing's page: "something is wrong" and the helper's hours per month.

Hours are read as the page's language writes numbers ("12,5" in Italian,
"12.5" in English) with Babel's ``parse_decimal``; the service checks the range
and the month.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import NumberFormatError, format_decimal, get_decimal_symbol, parse_decimal
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length

from mutuo_aiuto.services.closing import PROBLEM_MAX

# "12.5" typed on a page whose decimal sign is a comma: a decimal point, not thousands.
_POINT_DECIMAL = re.compile(r"[0-9]{1,3}\.[0-9]{1,2}")
# No number of hours in a month needs more characters than this.
MAX_CHARACTERS = 12


def _not_a_number(locale: Any) -> ValueError:
    return ValueError(_("Write the hours as a number, for example 12 or %(example)s.",
                        example=format_decimal(12.5, locale=locale)))


def parse_hours(text: str, locale: Any) -> Decimal:
    """``text`` as a number in ``locale``'s way of writing; ValueError with a message if not."""
    raw = text.strip()
    if len(raw) > MAX_CHARACTERS:
        raise _not_a_number(locale)
    try:
        value = parse_decimal(raw, locale=locale, strict=True)
    except NumberFormatError:
        if get_decimal_symbol(locale) == "." or not _POINT_DECIMAL.fullmatch(raw):
            raise _not_a_number(locale) from None
        value = Decimal(raw)
    if not value.is_finite():
        raise _not_a_number(locale)
    return value


class LocalDecimalField(StringField):
    """A decimal number written as the page's language writes it."""

    def process_formdata(self, valuelist: Iterable[str]) -> None:
        values = list(valuelist)
        self.data = None
        raw = values[0] if values and isinstance(values[0], str) else ""
        if raw.strip():
            self.data = parse_hours(raw, get_locale())

    def _value(self) -> str:
        if self.raw_data:
            return str(self.raw_data[0])
        return "" if self.data is None else str(self.data)


class PlainMessagesForm(FlaskForm):
    """Messages as plain text: the form macros show only strings, not lazy ones."""

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        for field in self:
            if isinstance(field.errors, list):
                field.errors = [str(error) for error in field.errors]
        return valid


class ProblemForm(PlainMessagesForm):
    text = TextAreaField(_l("What is wrong?"),
                         filters=[lambda v: v.strip() if isinstance(v, str) else v],
                         validators=[InputRequired(_l("Tell us in a few words what is wrong.")),
                                     Length(max=PROBLEM_MAX)])


class HoursForm(PlainMessagesForm):
    month = SelectField(_l("Month"), validators=[InputRequired(_l("Choose a month."))])
    hours = LocalDecimalField(_l("Hours of help in that month"),
                              render_kw={"inputmode": "decimal", "autocomplete": "off"},
                              validators=[InputRequired(_l("Give the hours of help, 0 if "
                                                           "none."))])

    def __init__(self, months: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.month.choices = months

    @property
    def chosen_month(self) -> date | None:
        try:
            return date.fromisoformat(self.month.data or "")
        except ValueError:
            return None
