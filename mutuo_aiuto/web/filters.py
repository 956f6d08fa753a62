"""Template filters: dates, numbers, weekdays, slots and data labels in the reader's language.

Every number and date a page shows goes through Babel for the page's language:
``|number`` (``format_decimal``), ``|signed``, ``|date``, ``|month``; never ``"%g"``
or ``str()``, which print "12.5" on an Italian page. Phones: ``|phone`` to show one
("333 123 4567", "+40 721 234 567"), ``|tel`` after ``tel:`` in a link.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from numbers import Number
from typing import Any, Literal

from babel import Locale
from babel.dates import get_day_names
from flask import Flask, g
from flask_babel import format_date, format_datetime, get_locale, get_timezone
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from markupsafe import Markup, escape

from mutuo_aiuto.i18n import DEFAULT_LOCALE
from mutuo_aiuto.models import ADMIN, FACILITATOR, MEMBER, MatchStatus, NeedStatus, OfferStatus
from mutuo_aiuto.models.slot import format_minutes
from mutuo_aiuto.services.notifications import moment
from mutuo_aiuto.services.phones import display_phone, tel_target
from mutuo_aiuto.web.number_text import written

# What each role is called on the pages that list accounts or who did what.
ROLE_LABELS = {MEMBER: _l("family or volunteer"), FACILITATOR: _l("facilitator"),
               ADMIN: _l("administrator")}


def locale_code() -> str:
    return str(get_locale() or "it")


def weekday_name(day: int,
                 width: Literal["abbreviated", "narrow", "short", "wide", "tick"] = "wide",
                 ) -> str:
    """0 = Monday, in the reader's language.

    "tick" is the label over a weekday's box in a row of seven (a phone's width): the
    abbreviated name, or the stand-alone short one where the abbreviated is the full
    word (Arabic's "الخميس" broke in two over its box; "خميس" fits).
    """
    if width == "tick":
        name = get_day_names("abbreviated", locale=get_locale())[day]
        if len(name) <= 4:
            return name
        return get_day_names("short", context="stand-alone", locale=get_locale())[day]
    return get_day_names(width, locale=get_locale())[day]


def slot_label(slot: Any) -> str:
    """"Tuesday 16:00–18:00" or "1 Dec 2026, 18:00–19:00", localised."""
    hours = f"{format_minutes(slot.start_minute)}–{format_minutes(slot.end_minute)}"
    locale = get_locale()
    if locale is not None and locale.character_order == "right-to-left":
        # Right to left, "07:30–08:30" would read "08:30–07:30" (as hub_desk._span says).
        hours = f"\u2066{hours}\u2069"
    on_date = getattr(slot, "on_date", None)
    if on_date is not None:
        return f"{format_date(on_date, 'medium')}, {hours}"
    return f"{weekday_name(slot.weekday)} {hours}"


def label(obj: Any) -> str:
    """The name of a category, skill or other data row in the reader's language."""
    if obj is None:
        return ""
    return obj.label(locale_code()) if hasattr(obj, "label") else str(obj)


def language_name(code: str) -> str:
    """A language code named in the reader's language ("ar" → "arabo")."""
    from babel import Locale

    try:
        return Locale.parse(code).get_display_name(locale_code()) or code
    except (ValueError, TypeError):
        return code


def error_messages(errors: Any) -> list[str]:
    """Flatten a field's errors (strings, lazy strings, nested lists or dicts) to text.

    Lazy messages from validators are not ``str``: they are rendered here in
    the reader's language instead of being dropped.
    """
    if errors is None:
        return []
    if isinstance(errors, dict):
        errors = list(errors.values())
    if isinstance(errors, list | tuple):
        return [text for item in errors for text in error_messages(item)]
    return [str(errors)]


# How many dates ``short_date`` remembers in one application context (one request).
_SHORT_DATES_KEPT = 512


def short_date(value: date | datetime | None) -> str:
    """"5 dic 2026", and for a moment "5 dic 2026, 18:50": the reader's medium date and
    short time (no seconds: nobody needs to know when a pairing closed to the second).

    Each is formatted once a request: a list's rows mostly share their dates (the
    fifty requests of the unmatched list were all checked by the same run), and Babel
    took about 60 µs a call."""
    if value is None:
        return ""
    # The language and time zone are in the key: a mail in its reader's language
    # (``force_locale``) may be written while a page in another one is.
    key = (type(value), value, str(get_locale()), str(get_timezone()))
    remembered: dict[Any, str] = g.setdefault("_short_dates", {})
    text = remembered.get(key)
    if text is None:
        if len(remembered) >= _SHORT_DATES_KEPT:
            remembered.clear()
        text = remembered[key] = _short_date(value)
    return text


def _short_date(value: date | datetime) -> str:
    if isinstance(value, datetime):
        locale = get_locale() or Locale.parse("it")
        pattern = (str(locale.datetime_formats["medium"])
                   .replace("{1}", locale.date_formats["medium"].pattern)
                   .replace("{0}", locale.time_formats["short"].pattern))
        return format_datetime(value, pattern)
    return format_date(value, "medium")


def month_name(value: date, width: str = "wide") -> str:
    """"novembre 2026", or "nov 26" when ``width`` is "short" (stand-alone month names)."""
    return format_date(value, "LLLL y" if width == "wide" else "LLL yy")


def format_number(value: float | Decimal, format: str | None = None) -> str:
    """``value`` as Babel writes it in the reader's language ("1.234,5" in Italian),
    remembered (``number_text``): a page of figures writes the same counts many times."""
    locale = get_locale()
    return written(value, str(locale) if locale else DEFAULT_LOCALE, format)


def shown_count(value: object) -> Markup:
    """A count of the impact figures as shown: the number, or "<5" for a hidden one."""
    if isinstance(value, Number):
        return escape(format_number(value))  # type: ignore[arg-type]
    return Markup('<abbr dir="ltr" title="%s">&lt;5</abbr>') % _("fewer than 5")


def shown_amount(value: object) -> Markup:
    """Hours or a median of the impact figures: the number, "hidden" with a hidden
    count, or a dash when there is nothing to measure."""
    if isinstance(value, Number):
        return escape(format_number(value))  # type: ignore[arg-type]
    if value:
        return Markup('<span class="meta">%s</span>') % _("hidden")
    return Markup("–")


def signed_number(value: float | Decimal) -> str:
    """Points added or taken away ("+5", "−3"), with the reader's digits and signs."""
    return format_number(value, "+#,##0.##;-#,##0.##")


def plain_number(value: float | Decimal) -> str:
    """A number to type back into a form: the reader's decimal sign, no grouping
    ("12,5" in Italian, "12.5" in English), as the form's fields read it."""
    return format_number(value, "0.##")


def list_comma() -> str:
    """The reader's comma between names: Arabic writes "،", not ","."""
    locale = get_locale()
    return "، " if locale is not None and locale.language in ("ar", "fa", "ur") else ", "


def listed(items: Any) -> str:
    """Names one after the other with the reader's comma ("italiano, arabo";
    "الإيطالية، العربية"), for the short lists of the details pages."""
    return list_comma().join(str(item) for item in items)


def init_app(app: Flask) -> None:
    app.jinja_env.filters.update(
        weekday=weekday_name, slot=slot_label, label=label, language_name=language_name,
        date=short_date, error_messages=error_messages, month=month_name,
        number=format_number, signed=signed_number, shown_count=shown_count,
        shown_amount=shown_amount, moment=moment, listed=listed,
        phone=display_phone, tel=tel_target,
    )
    # Templates compare statuses with the models' enums, never with bare strings;
    # which buttons a row shows comes from the view's ``actions``.
    app.jinja_env.globals.update(NeedStatus=NeedStatus, OfferStatus=OfferStatus,
                                 MatchStatus=MatchStatus, list_comma=list_comma)
