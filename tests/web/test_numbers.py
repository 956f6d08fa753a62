"""Every number on a page in the page's language, by Babel (issue 11: Italian pages
showed "12.5" hours where Italian writes "12,5")."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest
from babel.numbers import format_decimal
from flask_babel import force_locale
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutuo_aiuto.models.types import utcnow
from mutuo_aiuto.services.outcomes import close_match
from mutuo_aiuto.web import filters
from mutuo_aiuto.web.followups.forms import HoursField
from mutuo_aiuto.web.privacy.views import export_value


@pytest.mark.parametrize("locale", ["it", "ar", "en"])
def test_fractional_hours_on_the_family_page_are_written_as_the_language_writes_them(
        client, login, session, make_match, make_user, locale):
    match = make_match()
    close_match(session, make_user(role="facilitator"), match, "resolved", 12.5, utcnow())
    helper = match.offer.household.user
    helper.locale = locale
    session.commit()
    login(helper)
    page = client.get("/family")
    assert page.status_code == 200
    expected = format_decimal(12.5, locale=locale)
    assert expected in page.text
    if locale == "it":
        assert expected == "12,5" and "12.5" not in page.text


def test_the_filters_use_the_readers_decimal_sign(app):
    with app.test_request_context(), force_locale("it"):
        assert filters.signed_number(5) == "+5"
        assert filters.signed_number(-3) == "-3"
        assert filters.plain_number(12.5) == "12,5"
        assert filters.plain_number(2015) == "2015"  # a year is never grouped
        assert app.jinja_env.from_string("{{ 1234.5|number }}").render() == "1.234,5"
        assert export_value(12.5, "hours") == "12,5"
    with app.test_request_context(), force_locale("en"):
        assert filters.plain_number(12.5) == "12.5"


def test_hours_typed_with_a_comma_are_shown_back_with_a_comma(app):
    from decimal import Decimal

    from flask_wtf import FlaskForm

    class Form(FlaskForm):
        hours = HoursField()

    with app.test_request_context(), force_locale("it"):
        form = Form(formdata=None, data={"hours": Decimal("12.5")}, meta={"csrf": False})
        assert form.hours._value() == "12,5"
        form.hours.process_formdata([form.hours._value()])
        assert form.hours.data == Decimal("12.5")


@pytest.mark.parametrize(("locale", "written"), [
    ("it", "5 dic 2026, 18:50"), ("en", "Dec 5, 2026, 6:50\u202fPM")])
def test_a_moment_is_written_without_seconds(app, locale, written):
    from datetime import UTC, datetime

    with app.test_request_context(), force_locale(locale):
        # 17:50:26 UTC is 18:50 in the Hub's time zone (Rome).
        assert filters.short_date(datetime(2026, 12, 5, 17, 50, 26, tzinfo=UTC)) == written


LANGUAGES = sorted(p.name for p in (Path(__file__).parents[2] / "translations").iterdir()
                   if p.is_dir())
numbers_shown = st.one_of(
    # Equal as keys, written differently: what a remembered text must keep apart.
    st.sampled_from([0, 0.0, -0.0, 1, 1.0, Decimal("-0"), Decimal("1.50")]),
    st.integers(min_value=-10**9, max_value=10**9),
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False, allow_infinity=False),
    st.decimals(min_value=-10**6, max_value=10**6, places=2, allow_nan=False))


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # the app only reads
@given(value=numbers_shown, locale=st.sampled_from(LANGUAGES),
       pattern=st.sampled_from([None, "0.##", "+#,##0.##;-#,##0.##"]))
def test_remembered_numbers_are_written_as_babel_writes_them(app, value, locale, pattern):
    """``|number`` remembers what it wrote: the same text as Babel's, in every language,
    for the same value written twice or after another language."""
    with app.test_request_context(), force_locale(locale):
        expected = format_decimal(value, format=pattern, locale=locale)
        assert filters.format_number(value, pattern) == expected
        assert filters.format_number(value, pattern) == expected
    with app.test_request_context(), force_locale("it" if locale != "it" else "ar"):
        assert filters.format_number(value, pattern) == format_decimal(
            value, format=pattern, locale="it" if locale != "it" else "ar")
