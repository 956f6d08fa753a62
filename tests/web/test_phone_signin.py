"""Signing in by phone on the web: the same answers whether a number has an account or
not, clear messages, the session made like the password login's, the welcome of a
front-desk account, and limits per client address."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import OutboxMessage, PhoneCode, User
from mutuo_aiuto.services import phone_lookup
from tests import phone_sms
from tests.conftest import FreshClient

EN = {"Accept-Language": "en"}
KNOWN, UNKNOWN = "333 123 4567", "333 765 4567"  # same last two digits


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    app.test_client_class = FreshClient
    return app.test_client()


@pytest.fixture
def sent(session):
    return phone_sms.SentCodes(session)


@pytest.fixture
def member(session, make_user, make_household):
    user = make_user(locale="en")
    make_household(user=user, phone=KNOWN)
    user.phone_lookup = phone_lookup.lookup_hash("+393331234567")
    session.commit()
    return user


def _codes(session) -> int:
    return session.scalar(select(func.count()).select_from(PhoneCode))


def _ask(client, number, **headers):
    return client.post("/login/phone", data={"phone": number}, headers=headers or EN)


def _signed_in_as(client) -> bool:
    return client.get("/account", headers=EN).status_code == 200


def test_the_login_page_offers_the_phone(client):
    assert 'href="/login/phone"' in client.get("/login", headers=EN).text


def test_known_and_unknown_numbers_get_the_same_answer(app, member, sent):
    pages = []
    for number in (KNOWN, UNKNOWN):
        client = app.test_client()
        asked = _ask(client, number)
        code_page = client.get(asked.headers["Location"], headers=EN)
        pages.append((asked.status_code, asked.headers["Location"], code_page.status_code,
                      code_page.text.replace(client.get_cookie("session").value, "")))
    assert pages[0][:3] == pages[1][:3] == (302, "/login/phone/code", 200)
    assert _without_csrf(pages[0][3]) == _without_csrf(pages[1][3])
    assert len(sent.messages) == 1  # only the account's number was sent a code


def _without_csrf(page: str) -> str:
    return re.sub(r'name="csrf_token"[^>]*>', "", page)


def test_the_code_signs_in_like_the_password_does(client, session, member, sent):
    _ask(client, KNOWN)
    answer = client.post("/login/phone/code", data={"code": sent.last_code()}, headers=EN)
    assert answer.status_code == 302 and answer.headers["Location"] != "/welcome"
    assert _signed_in_as(client)
    session.refresh(member)
    assert member.last_login_at is not None
    # The cookie carries the session version: signing out everywhere ends it.
    with client.session_transaction() as cookie:
        assert cookie["_user_id"] == member.get_id()


def test_a_wrong_code_is_refused_in_the_readers_language(client, member, sent):
    _ask(client, KNOWN)
    wrong = f"{(int(sent.last_code()) + 1) % 10 ** 6:06d}"
    answer = client.post("/login/phone/code", data={"code": wrong},
                         headers={"Accept-Language": "it"})
    assert answer.status_code == 400
    assert "Questo codice non è giusto" in answer.text
    assert not _signed_in_as(client)


def test_wrong_tries_are_kept_when_the_answer_is_a_refusal(client, session, member, sent):
    _ask(client, KNOWN)
    client.post("/login/phone/code", data={"code": "000000" if sent.last_code() != "000000"
                                           else "111111"}, headers=EN)
    assert session.scalar(select(PhoneCode.attempts)) == 1


@pytest.mark.parametrize("code", ["", "12345", "abcdef", "1234567", "١٢٣٤٥٦"])
def test_a_code_that_is_not_six_digits_is_explained(client, member, sent, code):
    _ask(client, KNOWN)
    answer = client.post("/login/phone/code", data={"code": code}, headers=EN)
    assert answer.status_code == 400
    assert "Type the six digits" in answer.text


def test_a_bad_number_is_explained_and_nothing_is_stored(client, session):
    answer = _ask(client, "075 123 4567")  # a landline
    assert answer.status_code == 400
    assert "This is not a mobile number" in answer.text
    assert _codes(session) == 0


def test_the_code_page_without_a_number_goes_back_to_the_number(client):
    assert client.get("/login/phone/code").headers["Location"] == "/login/phone"
    assert client.post("/login/phone/code", data={"code": "123456"}).headers[
        "Location"] == "/login/phone"


def test_too_many_codes_for_a_number_are_refused_the_same_way_for_any_number(app, member,
                                                                               sent):
    for number in (KNOWN, UNKNOWN):
        answers = [_ask(app.test_client(), number) for _ in range(4)]
        assert [a.status_code for a in answers] == [302, 302, 302, 400]
        assert "This number was sent several codes already" in answers[-1].text


def test_a_front_desk_account_is_welcomed_and_chooses_its_language(client, session, member,
                                                                    sent):
    member.password_hash = "!front-desk"  # no password of its own
    session.commit()
    _ask(client, KNOWN)
    answer = client.post("/login/phone/code", data={"code": sent.last_code()}, headers=EN)
    assert answer.headers["Location"] == "/welcome"
    page = client.get("/welcome", headers=EN)
    assert page.status_code == 200 and 'href="/family/access"' in page.text
    saved = client.post("/welcome", data={"locale": "ar", "password": "quiet river under "
                                          "seven lanterns", "confirm": "quiet river under "
                                          "seven lanterns"}, headers=EN)
    assert saved.status_code == 302
    assert _signed_in_as(client)  # the new password ended the old session; a new one began
    session.refresh(member)
    assert member.locale == "ar" and member.password_hash.startswith("$argon2")
    # Welcomed once: the page is not offered again.
    assert client.get("/welcome").status_code == 302


def test_the_welcome_refuses_a_weak_password_and_changes_nothing(client, session, member,
                                                                sent):
    member.password_hash = "!front-desk"
    session.commit()
    _ask(client, KNOWN)
    client.post("/login/phone/code", data={"code": sent.last_code()}, headers=EN)
    answer = client.post("/welcome", data={"locale": "ar", "password": "password12",
                                           "confirm": "password12"}, headers=EN)
    assert answer.status_code == 400 and "too common" in answer.text
    session.refresh(member)
    assert member.locale == "en" and member.password_hash == "!front-desk"


def test_a_signed_in_account_not_just_claimed_skips_the_welcome(client, member, login):
    login(member)
    assert client.get("/welcome").status_code == 302


def test_codes_asked_from_one_address_are_limited(make_app):
    app = make_app(ratelimit_enabled=True)
    client = app.test_client()
    numbers = [f"+39 340 000 00{n:02d}" for n in range(6)]
    answers = [client.post("/login/phone", data={"phone": n}, headers=EN,
                           environ_base={"REMOTE_ADDR": "10.9.8.7"}) for n in numbers]
    assert [a.status_code for a in answers] == [302] * 5 + [429]


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=45) | st.from_regex(r"\+?[0-9 ()./-]{0,20}", fullmatch=True))
def test_any_phone_input_is_either_a_mobile_number_or_explained(client, number):
    answer = client.post("/login/phone", data={"phone": number}, headers=EN)
    e164 = phone_lookup.mobile_e164(number)
    if "\x00" in number:  # refused by the app for every form (security.py), before the view
        assert answer.status_code == 400
    elif e164 is None:
        assert answer.status_code == 400
        assert "This is not a mobile number" in answer.text
    else:
        assert answer.status_code in (302, 400)  # 400: that number's codes are used up
        assert answer.status_code == 302 or "several codes" in answer.text
    db.session.rollback()


# ---- hostile input on the pages only a step of the flow opens ----------------------------
# (The access matrix's walk reaches them only as redirects: here they are open.)

HOSTILE = ("<script>alert(1)</script>", "/\r\nSet-Cookie: x=1", "\x00\x1b[31m", "9" * 400,
           "' OR 1=1 --", "١٢٣٤٥٦", "\u202e654321", ["123456", "654321"])


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_codes_are_refused_harmlessly(client, session, member, sent, value):
    _ask(client, KNOWN)
    answer = client.post("/login/phone/code", data={"code": value}, headers=EN)
    assert answer.status_code == 400 and "Traceback" not in answer.text
    assert "<script>alert" not in answer.text
    assert not _signed_in_as(client)


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_welcome_forms_change_nothing(client, session, member, sent, value):
    member.password_hash = "!front-desk"
    session.commit()
    _ask(client, KNOWN)
    client.post("/login/phone/code", data={"code": sent.last_code()}, headers=EN)
    for field in ("locale", "password", "email"):
        form = {"locale": "it", "password": "", "confirm": ""} | {field: value}
        answer = client.post("/welcome", data=form, headers=EN)
        assert answer.status_code in (302, 400) and "Traceback" not in answer.text
        assert "<script>alert" not in answer.text
        if answer.status_code == 400:
            session.refresh(member)
            assert member.password_hash == "!front-desk" and member.locale == "en"
        else:  # an email for an account that has one: not asked, so not read
            assert field == "email"


def test_codes_typed_from_one_address_are_limited(make_app, monkeypatch):
    app = make_app(ratelimit_enabled=True)
    client = app.test_client()
    with client.session_transaction() as cookie:
        cookie["phone_signin"] = {"lookup": "0" * 64, "ends": "67"}
    answers = [client.post("/login/phone/code", data={"code": "123456"}, headers=EN,
                           environ_base={"REMOTE_ADDR": "10.9.8.6"}) for _ in range(11)]
    assert [a.status_code for a in answers] == [400] * 10 + [429]


# ---- a front-desk account without an email address ------------------------------------------
# Needs users.email nullable (the desk branch): skipped until it is merged.

needs_nullable_email = pytest.mark.skipif(
    not User.__table__.c.email.nullable,
    reason="an account without an email needs the desk branch's nullable users.email")


def _claim_without_email(client, session, member, sent) -> None:
    member.email, member.password_hash = None, "!front-desk"
    session.commit()
    _ask(client, KNOWN)
    client.post("/login/phone/code", data={"code": sent.last_code()}, headers=EN)


@needs_nullable_email
def test_a_family_without_email_may_add_one_and_it_is_confirmed_by_a_link(client, session,
                                                                         member, sent):
    _claim_without_email(client, session, member, sent)
    assert 'id="email"' in client.get("/welcome", headers=EN).text
    answer = client.post("/welcome", data={"locale": "ar", "email": "amina@example.org"},
                         headers=EN)
    assert answer.status_code == 302
    session.refresh(member)
    assert member.email == "amina@example.org" and member.email_confirmed_at is None
    assert session.scalars(select(OutboxMessage.recipient)).all() == ["amina@example.org"]


@needs_nullable_email
def test_an_address_with_an_account_is_not_taken_over(client, session, member, sent,
                                                      make_user):
    owner = make_user(email="taken@example.org")
    _claim_without_email(client, session, member, sent)
    answer = client.post("/welcome", data={"locale": "ar", "email": "taken@example.org"},
                         headers=EN)
    assert answer.status_code == 302  # the same answer as for a free address
    session.refresh(member)
    assert member.email is None
    assert session.scalars(select(OutboxMessage.recipient)).all() == [owner.email]
