"""The Hub's desk hours: the short form of HUB_HOURS, checked and said in each language."""

from __future__ import annotations

import pytest
from babel import Locale
from flask_babel import force_locale

from mutuo_aiuto.services.hub_desk import HoursError, OpeningHours, hours_lines, parse_hours


def test_days_ranges_lists_and_several_hours_are_read():
    assert parse_hours("mon-wed,fri 09:00-13:00, 15:00-18:30; sat 10:00-12:00") == (
        OpeningHours((0, 1, 2, 4), ((540, 780), (900, 1110))),
        OpeningHours((5,), ((600, 720),)))


@pytest.mark.parametrize("wrong", ["monday 09:00-13:00", "mon 9-13", "mon", "fri-mon 09:00-10:00",
                                   "mon 13:00-09:00", "mon 09:00-25:00", "mon 09:75-10:00"])
def test_a_wrong_form_is_refused(wrong):
    with pytest.raises(HoursError):
        parse_hours(wrong)


@pytest.mark.parametrize(("locale", "expected"), [
    ("en", ["Monday to Friday, 09:00–13:00", "Tuesday and Thursday, 15:00–18:00"]),
    ("it", ["da lunedì a venerdì, 09:00–13:00", "martedì e giovedì, 15:00–18:00"]),
    # Right to left, each span of hours is kept left to right (U+2066 … U+2069).
    ("ar", ["من الاثنين إلى الجمعة، \u206609:00–13:00\u2069",
            "الثلاثاء والخميس، \u206615:00–18:00\u2069"]),
])
def test_the_hours_are_said_in_the_readers_language(app, locale, expected):
    hours = parse_hours("mon-fri 09:00-13:00; tue,thu 15:00-18:00")
    with app.test_request_context(), force_locale(locale):
        assert hours_lines(hours, Locale.parse(locale)) == expected
