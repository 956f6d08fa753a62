"""Phone sign-in: codes hashed at rest, short-lived, single-use, few tries, limited per number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import AuditEvent, PhoneCode
from mutuo_aiuto.services import audit, phone_lookup, phone_signin
from mutuo_aiuto.services.households import save_household
from mutuo_aiuto.services.phone_signin import (
    BURST_LIMIT,
    BURST_WINDOW,
    CODE_LIFETIME,
    DAILY_LIMIT,
    MAX_ATTEMPTS,
    CodeNotAccepted,
    TooManyCodes,
)
from tests import phone_sms

NUMBER = "+393331234567"
NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def sent(session):
    return phone_sms.SentCodes(session)


@pytest.fixture
def member(session, make_user, make_household):
    user = make_user(locale="ar")
    make_household(user=user, phone="333 123 4567")
    user.phone_lookup = phone_lookup.lookup_hash(NUMBER)
    session.flush()
    return user


def _ask(session, number=NUMBER, now=NOW):
    return phone_signin.ask_for_code(session, number, locale="it", now=now)


def test_a_code_goes_to_the_accounts_number_in_its_language(session, member, sent):
    _ask(session)
    [(number, text)] = sent.messages
    assert number == NUMBER
    code = sent.last_code()
    assert code in text and "10" in text
    assert text != f"Your Family Hub code: {code}. It expires in 10 minutes. " \
                   "Nobody from the Hub will ask you for it."  # Arabic, not English


def test_neither_the_code_nor_the_number_is_stored_in_clear(session, member, sent):
    _ask(session)
    code = sent.last_code()
    row = session.scalars(select(PhoneCode)).one()
    stored = " ".join(str(value) for value in (row.phone_lookup, row.salt, row.code_hash))
    assert code not in stored and "3331234567" not in stored
    assert row.code_hash == phone_signin.code_hash(row.salt, code)
    assert row.expires_at == NOW + CODE_LIFETIME


def test_the_right_code_opens_the_account_once(session, member, sent):
    lookup = _ask(session)
    code = sent.last_code()
    signed = phone_signin.sign_in(session, lookup, code, now=NOW + timedelta(minutes=1))
    assert signed.user is member
    assert member.last_login_at == NOW + timedelta(minutes=1)
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == audit.PHONE_SIGNED_IN)) == 1
    with pytest.raises(CodeNotAccepted):
        phone_signin.sign_in(session, lookup, code, now=NOW + timedelta(minutes=2))


def test_a_code_expires_after_ten_minutes(session, member, sent):
    lookup = _ask(session)
    with pytest.raises(CodeNotAccepted, match="expired"):
        phone_signin.sign_in(session, lookup, sent.last_code(),
                             now=NOW + CODE_LIFETIME + timedelta(seconds=1))


def test_a_few_wrong_tries_void_the_code(session, member, sent):
    lookup = _ask(session)
    code = sent.last_code()
    wrong = f"{(int(code) + 1) % 10 ** 6:06d}"
    for _ in range(MAX_ATTEMPTS):
        with pytest.raises(CodeNotAccepted, match="not right"):
            phone_signin.sign_in(session, lookup, wrong, now=NOW)
    with pytest.raises(CodeNotAccepted, match="expired"):
        phone_signin.sign_in(session, lookup, code, now=NOW)
    assert member.last_login_at is None


def test_an_earlier_code_still_works_and_the_sign_in_uses_up_both(session, member, sent):
    lookup = _ask(session)
    first = sent.last_code()
    _ask(session, now=NOW + timedelta(minutes=1))
    second = sent.last_code()
    phone_signin.sign_in(session, lookup, first, now=NOW + timedelta(minutes=2))
    with pytest.raises(CodeNotAccepted):
        phone_signin.sign_in(session, lookup, second, now=NOW + timedelta(minutes=3))


def test_an_unknown_number_gets_a_row_but_no_sms_and_no_code_opens_it(session, sent):
    lookup = _ask(session, "+393339999999")
    assert sent.messages == []
    row = session.scalars(select(PhoneCode)).one()
    assert row.user_id is None and row.phone_lookup == lookup
    with pytest.raises(CodeNotAccepted, match="not right"):
        phone_signin.sign_in(session, lookup, "123456", now=NOW)


@pytest.mark.parametrize("number", [NUMBER, "+393339999999"])
def test_codes_per_number_are_limited_whether_it_has_an_account_or_not(session, member,
                                                                         sent, number):
    for i in range(BURST_LIMIT):
        _ask(session, number, now=NOW + timedelta(minutes=i))
    with pytest.raises(TooManyCodes):
        _ask(session, number, now=NOW + timedelta(minutes=BURST_LIMIT))
    # Another number is not held up by this one.
    _ask(session, "+393401112233", now=NOW + timedelta(minutes=BURST_LIMIT))


def test_the_daily_limit_holds_past_the_quarter_hour(session, sent):
    for i in range(DAILY_LIMIT):
        _ask(session, now=NOW + i * BURST_WINDOW)
    with pytest.raises(TooManyCodes):
        _ask(session, now=NOW + DAILY_LIMIT * BURST_WINDOW)
    _ask(session, now=NOW + timedelta(hours=25))  # a day later, room again


def test_an_inactive_account_is_sent_nothing(session, member, sent):
    member.active = False
    lookup = _ask(session)
    assert sent.messages == []
    with pytest.raises(CodeNotAccepted):
        phone_signin.sign_in(session, lookup, "000000", now=NOW)


def test_a_front_desk_account_signing_in_the_first_time_is_welcomed(session, member, sent):
    member.password_hash = "!desk"  # no password of its own
    lookup = _ask(session)
    signed = phone_signin.sign_in(session, lookup, sent.last_code(), now=NOW)
    assert signed.first_time
    lookup = _ask(session, now=NOW + timedelta(minutes=1))
    assert not phone_signin.sign_in(session, lookup, sent.last_code(), now=NOW).first_time


def test_welcome_sets_the_language_and_a_password(session, member):
    member.password_hash = "!desk"
    changed = phone_signin.welcome(session, member, locale="uk", email=None,
                                   password="quiet river under seven lanterns",
                                   secret="s" * 32, confirm_link_for=str,
                                   reset_link_for=str, now=NOW)
    assert changed and member.locale == "uk"
    assert member.password_hash.startswith("$argon2")
    assert session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == audit.ACCOUNT_CLAIMED)) == 1


def test_welcome_refuses_a_weak_password_and_an_unknown_language(session, member):
    for locale, password in (("xx", None), ("it", "password")):
        with pytest.raises(phone_signin.DomainError):
            phone_signin.welcome(session, member, locale=locale, email=None,
                                 password=password, secret="s" * 32,
                                 confirm_link_for=str, reset_link_for=str, now=NOW)


def test_saving_a_households_mobile_number_links_it(session, make_user, make_neighbourhood):
    user = make_user()
    place = make_neighbourhood()
    save_household(session, user, name="Famiglia", neighbourhood=place.slug,
                   phone="333 123 4567")
    assert user.phone_lookup == phone_lookup.lookup_hash(NUMBER)
    assert phone_lookup.user_by_phone(session, NUMBER) is user
    # A landline cannot receive a code: no phone sign-in.
    save_household(session, user, name="Famiglia", neighbourhood=place.slug,
                   phone="075 123 4567")
    assert user.phone_lookup is None


def test_one_number_opens_one_account(session, make_user, make_neighbourhood):
    place = make_neighbourhood()
    first, second = make_user(), make_user()
    for user in (first, second):
        save_household(session, user, name="Famiglia", neighbourhood=place.slug,
                       phone="+39 333 123 4567")
    assert first.phone_lookup is not None and second.phone_lookup is None


@pytest.mark.parametrize(("raw", "e164"), [
    ("333 123 4567", "+393331234567"),
    ("+39 333-123-4567", "+393331234567"),
    ("0039 3331234567", "+393331234567"),
    ("+44 7911 123456", "+447911123456"),
    ("075 123 4567", None),  # a landline
    ("12", None),
    ("", None),
    ("+39 333 123 4567" + "9" * 40, None),
])
def test_numbers_are_read_as_italian_by_default(raw, e164):
    assert phone_lookup.mobile_e164(raw) == e164


def test_the_code_leaves_with_the_scheduler_and_is_then_blanked(app, session, member, sent,
                                                                 sms_sent):
    from mutuo_aiuto.services.sms_outbox import FORGOTTEN, deliver_pending_sms

    _ask(session)
    code = sent.last_code()
    session.commit()
    assert deliver_pending_sms(session, app.config["SETTINGS"], now=NOW) == 1
    assert [(text.to, phone_sms.code_in(text.body)) for text in sms_sent] == [(NUMBER, code)]
    assert sent.messages == [(NUMBER, FORGOTTEN)]


def test_lookups_can_be_recomputed_from_the_households_phones(session, make_user,
                                                             make_household):
    """After the secret key changes (or to repair): the hashes come again from the phones."""
    mobile, landline = make_user(), make_user()
    make_household(user=mobile, phone=NUMBER)
    make_household(user=landline, phone="+39 075 123 4567")
    mobile.phone_lookup, landline.phone_lookup = "stale", "stale too"
    session.flush()
    assert phone_lookup.refresh_all(session) == 1
    assert mobile.phone_lookup == phone_lookup.lookup_hash(NUMBER)
    assert landline.phone_lookup is None


@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_staff_accounts_cannot_sign_in_by_phone(session, member, sent, role):
    member.role = role
    lookup = _ask(session)
    assert sent.messages == []  # the same answer as a number without an account
    with pytest.raises(CodeNotAccepted):
        phone_signin.sign_in(session, lookup, "000000", now=NOW)


def test_an_account_made_staff_after_the_code_left_is_not_opened(session, member, sent):
    lookup = _ask(session)
    member.role = "facilitator"
    with pytest.raises(CodeNotAccepted):
        phone_signin.sign_in(session, lookup, sent.last_code(), now=NOW)


def test_the_lookups_are_refreshed_by_a_command(session, runner, make_user, make_household):
    user = make_user()
    make_household(user=user, phone=NUMBER)
    session.commit()
    result = runner.invoke(args=["refresh-phone-lookups"])
    assert result.exit_code == 0 and "1 accounts" in result.output
    session.refresh(user)
    assert user.phone_lookup == phone_lookup.lookup_hash(NUMBER)
