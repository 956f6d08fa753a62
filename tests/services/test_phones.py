"""Phone numbers (issue 16): parsed with phonenumbers, stored in E.164, shown locally."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mutuo_aiuto.services.phones import (
    PhoneError,
    clean_phone,
    display_phone,
    mobile_number,
    normalised,
    parse_phone,
    tel_target,
)


@pytest.mark.parametrize(("typed", "e164"), [
    ("333 123 4567", "+393331234567"),          # an Italian mobile, no country code
    ("333-1234567", "+393331234567"),
    ("075 123 4567", "+390751234567"),          # a Perugia landline keeps its 0
    ("+39 333 123 4567", "+393331234567"),
    ("0039 333 123 4567", "+393331234567"),     # dialled from Italy
    ("+40 721 234 567", "+40721234567"),        # Romania
    ("  +44 7911 123456 ", "+447911123456"),
])
def test_numbers_are_stored_in_e164(typed, e164):
    assert parse_phone(typed) == e164


@pytest.mark.parametrize("typed", ["", "   ", "12", "call me", "333 123 4567 8901 2345",
                                   "+999 123 456", "x" * 31, "+39 12"])
def test_what_is_not_a_number_is_refused_on_its_field(typed):
    with pytest.raises(PhoneError) as refused:
        parse_phone(typed, field="mobile")
    assert refused.value.field == "mobile"


def test_an_empty_optional_phone_is_none():
    assert clean_phone(None) is None
    assert clean_phone("  ") is None
    assert clean_phone("333 1234567") == "+393331234567"


def test_italian_numbers_show_national_others_international():
    assert display_phone("+393331234567") == "333 123 4567"
    assert display_phone("+390751234567") == "075 123 4567"
    assert display_phone("+40721234567") == "+40 721 234 567"
    # Stored before validation and not parseable: shown as typed, never hidden.
    assert display_phone("call me") == "call me"
    assert display_phone(None) == ""


def test_links_dial_the_e164_number():
    assert tel_target("+39 333 123 4567") == "+393331234567"
    assert tel_target("ext 12 (desk)") == "12"
    assert tel_target(None) == ""


def test_only_mobile_numbers_can_receive_sms():
    assert mobile_number("333 123 4567") == "+393331234567"
    assert mobile_number("+390751234567") is None     # a landline
    assert mobile_number("call me") is None
    assert mobile_number(None) is None


def test_normalised_never_raises_and_keeps_unparseable_as_none():
    assert normalised("333 123 4567") == "+393331234567"
    assert normalised("call me") is None
    assert normalised("") is None


@given(st.text(max_size=40))
def test_parsing_any_text_raises_only_the_domain_error(text):
    try:
        e164 = parse_phone(text)
    except PhoneError:
        return
    assert e164.startswith("+") and e164[1:].isdigit()


# Digits as people type them: groups with spaces, dashes or dots, maybe a +country code.
_typed_numbers = st.builds(
    lambda prefix, groups, separator: prefix + separator.join(groups),
    st.sampled_from(["", "+39 ", "0039", "+40 ", "+44 ", "+33 ", "+380 ", "+212 "]),
    st.lists(st.text("0123456789", min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([" ", "-", ".", ""]),
)


@given(_typed_numbers)
def test_a_parsed_number_survives_the_round_trip(typed):
    try:
        e164 = parse_phone(typed)
    except PhoneError:
        return
    # What a page shows, typed back into the form, is the same number;
    # and the stored form parses to itself.
    assert parse_phone(display_phone(e164)) == e164
    assert parse_phone(e164) == e164
    assert normalised(e164) == e164
