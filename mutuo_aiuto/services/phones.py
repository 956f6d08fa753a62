"""Phone numbers: read as people write them, stored in E.164, shown as people read them.

Parsing and validation are the ``phonenumbers`` library's (Google's libphonenumber
data): a number written without a country code is Italian ("333 123 4567",
"075 123 4567"); a number from abroad is written with its code ("+40 721 234 567",
or "0040 …" as dialled from Italy). What is stored is E.164 ("+393331234567"),
one spelling per number, so the same phone written twice compares equal and an
SMS gateway receives the form it wants. Pages show Italian numbers in the
national format ("333 123 4567") and others in the international one
("+40 721 234 567"): the filters ``|phone`` and ``|tel`` in ``web/filters.py``.

Numbers stored before this module (free text checked only for digits) are shown
as they were when they do not parse: nothing a person typed is ever hidden.
"""

from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from phonenumbers import NumberParseException, PhoneNumber, PhoneNumberFormat, PhoneNumberType

from mutuo_aiuto.services.errors import DomainError

# Where a number written without a country code is from: the Hub is in Perugia.
DEFAULT_REGION = "IT"
# Longer than any number written with spaces; the library itself stops at 250.
MAX_LENGTH = 30
# Types an SMS can reach. FIXED_LINE_OR_MOBILE is how the data marks ranges that
# cannot be told apart (the United States' numbers, for one).
_MOBILE_TYPES = (PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE)


class PhoneError(DomainError):
    """A text that is not a phone number the Hub can call or text."""


def _invalid(field: str) -> PhoneError:
    return PhoneError(_l("This is not a phone number we can use. Write an Italian number "
                         "with its digits, for example 333 123 4567, and a number from "
                         "abroad with its country code, for example +40 721 234 567."),
                      field=field)


def _parsed(text: str) -> PhoneNumber | None:
    """The number, or None when the text is not a valid one (never raises)."""
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except NumberParseException:
        return None
    return number if phonenumbers.is_valid_number(number) else None


def parse_phone(text: str, field: str = "phone") -> str:
    """The E.164 form of ``text`` ("+393331234567"); ``PhoneError`` on ``field`` otherwise.

    Raises nothing else, whatever the text (tested with hypothesis).
    """
    text = (text or "").strip()
    if len(text) > MAX_LENGTH:
        raise PhoneError(_l("Please write at most %(count)d characters.", count=MAX_LENGTH),
                         field=field)
    number = _parsed(text) if text else None
    if number is None:
        raise _invalid(field)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def clean_phone(value: str | None, field: str = "phone") -> str | None:
    """An optional phone from a form: None when left empty, E.164 otherwise."""
    if value is None or not value.strip():
        return None
    return parse_phone(value, field=field)


def normalised(stored: str | None) -> str | None:
    """The E.164 form of a stored phone, or None when it does not parse (never raises).

    For numbers kept before validation: the data migration rewrites those that parse.
    """
    if not stored or len(stored) > MAX_LENGTH:
        return None
    number = _parsed(stored)
    return phonenumbers.format_number(number, PhoneNumberFormat.E164) if number else None


def display_phone(stored: str | None) -> str:
    """How a page shows a stored phone: "333 123 4567" for an Italian number,
    "+40 721 234 567" for one from abroad, the text as stored when it does not parse."""
    if not stored:
        return ""
    number = _parsed(stored) if len(stored) <= MAX_LENGTH else None
    if number is None:
        return stored
    italian = phonenumbers.region_code_for_number(number) == DEFAULT_REGION
    return phonenumbers.format_number(
        number, PhoneNumberFormat.NATIONAL if italian else PhoneNumberFormat.INTERNATIONAL)


def tel_target(stored: str | None) -> str:
    """What follows ``tel:`` in a link: E.164 when the number parses, its digits otherwise."""
    if not stored:
        return ""
    return normalised(stored) or "".join(c for c in stored if c.isdigit() or c == "+")


def mobile_number(stored: str | None) -> str | None:
    """The E.164 form of a stored phone when it is a valid mobile number (one an SMS
    can reach); None for a landline, a number that does not parse, or no number."""
    number = _parsed(stored) if stored and len(stored) <= MAX_LENGTH else None
    if number is None or phonenumbers.number_type(number) not in _MOBILE_TYPES:
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)
