"""A family the front desk registered signs in with its phone, in Arabic (issue 16).

On a 390×844 phone, right to left: from the login page to "Sign in with your
phone", a landline refused with a message in Arabic, the mobile number, the code
read from the SMS outbox (the row the scheduler delivers, in Arabic, with nothing
about the family in it), a wrong code refused, the right one, then the welcome
of an account made at the desk: the language kept, a password chosen, and the
page of what the Hub did for the family. Every page: axe-core 0 violations, no
sideways scroll at 360 px, touch targets of 24 px, errors tied to their fields.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Neighbourhood, SmsMessage
from mutuo_aiuto.services import phone_lookup
from mutuo_aiuto.services.phone_signin import SMS_KIND
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import LiveServer, axe_check
from tests.phone_sms import code_in

pytestmark = pytest.mark.e2e

NUMBER, LANDLINE = "333 123 4567", "075 123 4567"
FAMILY = "Famiglia Haddad"
NEW_PASSWORD = "quiet river under seven lanterns"


def text(server: LiveServer, msgid: str, **values: Any) -> str:
    with server.app.test_request_context(), force_locale("ar"):
        return str(gettext(msgid, **values))


def registered_at_the_desk(server: LiveServer) -> None:
    """An account the desk made: Arabic, a mobile number, no password of its own, never
    signed in."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).filter_by(slug="fontivegge")).one()
        user = factories.make_user(session, name="Amina", locale="ar", password_hash="!desk")
        factories.make_household(session, user=user, neighbourhood=place, name=FAMILY,
                                 phone=NUMBER, languages=["ar", "it"])
        assert phone_lookup.link_phone(session, user, NUMBER)
        session.commit()


def code_sms(server: LiveServer) -> str:
    with server.app_context():
        body = db.session.scalars(select(SmsMessage.body).filter_by(kind=SMS_KIND)
                                  .order_by(SmsMessage.id.desc())).first()
    assert body is not None, "no code was queued"
    return body


@pytest.mark.parametrize("viewport", ["phone"])
def test_a_desk_family_signs_in_by_phone_in_arabic(browsing, live_server, shoot, viewport):
    registered_at_the_desk(live_server)
    problems: list[str] = []
    shots = iter(range(1, 20))

    def look(page: Any, name: str, with_errors: bool = False) -> None:
        shoot(page, "phone", f"{next(shots):02d}-{name}")
        axe_check(page)
        assert page.evaluate("document.documentElement.dir") == "rtl"
        problems.extend(f"{name}: small target {t}" for t in checks.small_targets(page))
        if with_errors:
            problems.extend(f"{name}: {p}" for p in checks.errors_not_tied(page))
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 844})
        if checks.horizontal_overflow(page):
            problems.append(f"{name}: sideways scroll at {checks.PHONE_WIDTH} px")
        page.set_viewport_size({"width": 390, "height": 844})

    page = browsing.new_page("ar")
    page.goto("/login")
    look(page, "login")
    page.get_by_role("link", name=text(live_server, "Sign in with your phone")).click()
    page.wait_for_url("**/login/phone")
    look(page, "phone")

    checks.without_browser_validation(page)
    page.fill("#phone", LANDLINE)
    steps.submit(page)
    assert text(live_server, "This is not a mobile number we can send a code to. Write it "
                "with its digits, for example 333 123 4567, or with the country code, for "
                "example +44 7911 123456.") in page.inner_text("main")
    look(page, "phone-refused", with_errors=True)

    page.fill("#phone", NUMBER)
    steps.submit(page)
    page.wait_for_url("**/login/phone/code")
    look(page, "code")

    sms = code_sms(live_server)
    code = code_in(sms)
    assert sms == text(live_server, "Your Family Hub code: %(code)s. It expires in "
                       "%(minutes)d minutes. Nobody from the Hub will ask you for it.",
                       code=code, minutes=10)
    assert FAMILY not in sms and "Amina" not in sms

    page.fill("#code", f"{(int(code) + 1) % 10 ** 6:06d}")
    steps.submit(page)
    assert text(live_server, "This code is not right. Check the last SMS from the Family "
                "Hub and type its six digits.") in page.inner_text("main")
    look(page, "code-refused", with_errors=True)

    page.fill("#code", code)
    steps.submit(page)
    page.wait_for_url("**/welcome")
    look(page, "welcome")
    assert page.input_value("#locale") == "ar"
    page.fill("#password", NEW_PASSWORD)
    page.fill("#confirm", NEW_PASSWORD)
    steps.submit(page)
    assert text(live_server, "Welcome to the Family Hub! Your account is ready.") in \
        page.inner_text("body")
    look(page, "landing")

    page.goto("/family/access")
    assert text(live_server, "signed in with a code sent by SMS") in page.inner_text("main")
    look(page, "what-the-hub-did")
    assert problems == []
