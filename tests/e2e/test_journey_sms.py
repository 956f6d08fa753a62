"""SMS instead of mail (issue 16), on a 390×844 phone in Arabic.

A mother whose household phone is a landline is told on her account page that
texts need a mobile; she gives one (a wrong one first, refused in Arabic),
then chooses SMS. The facilitator confirms a helper for her request: she gets
no mail, and the scheduler's delivery hands the test backend one Arabic text
that names no child, no family, no address and no kind of help, only the
inbox's address and the Hub's phone. Every page: axe-core 0 violations, no
sideways scroll at 360 px.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import OutboxMessage
from mutuo_aiuto.services import sms_texts
from mutuo_aiuto.services.sms_outbox import deliver_pending_sms
from tests.e2e import scene, steps
from tests.e2e.conftest import LiveServer
from tests.e2e.test_accessibility import Audit, inspect_at_360

pytestmark = pytest.mark.e2e

MOBILE = "333 765 4321"


@pytest.fixture
def viewport() -> str:
    return "phone"


def say(server: LiveServer, msgid: Any, **values: Any) -> str:
    with server.app_context(), force_locale("ar"):
        return gettext(str(msgid), **values) if values else gettext(str(msgid))


def test_a_family_chooses_sms_and_hears_of_its_pairing_in_arabic(browsing, live_server,
                                                                  shoot, sms_sent):
    server = live_server
    audit = Audit(shoot, "sms-ar")
    mother = dataclasses.replace(steps.MOTHER, locale="ar")
    scene.set_the_scene(server, mother, steps.VOLUNTEER)
    scene.propose(server)

    # ---- no mobile yet: mail only, and how to get texts --------------------------------
    family = browsing.new_page("ar")
    steps.log_in(family, mother.email, audit)
    family.goto("/account")
    audit(family, "01-account-landline")
    assert family.locator('input[name="notify_by"]').count() == 0
    assert family.locator("#sms-hint").inner_text().startswith(
        say(server, "We tell you about news by mail. To get text messages (SMS) too, add a "
                    "mobile number to your details."))

    # ---- a wrong number, then her mobile ----------------------------------------------
    family.goto("/family/edit")
    family.fill("#phone", "12")
    steps.submit(family)
    audit(family, "02-phone-refused")
    assert say(server, "This is not a phone number we can use. Write an Italian number with "
                       "its digits, for example 333 123 4567, and a number from abroad with "
                       "its country code, for example +40 721 234 567.") in family.content()
    family.fill("#phone", MOBILE)
    steps.submit(family)
    audit(family, "03-household")
    assert MOBILE in family.locator("main").inner_text()  # shown in the national format

    # ---- SMS only ---------------------------------------------------------------------
    family.goto("/account")
    audit(family, "04-account-mobile")
    family.check('input[name="notify_by"][value="sms"]')
    steps.submit(family)
    audit(family, "05-account-saved")
    assert family.locator('input[name="notify_by"][value="sms"]').is_checked()

    # ---- the facilitator confirms a helper; the scheduler delivers ----------------------
    staff = browsing.new_page("it")
    steps.log_in(staff, scene.FACILITATOR_EMAIL)
    staff.goto("/facilitator")
    steps.open_request(staff, mother.family)
    steps.confirm_pairing(staff, steps.SCHOOL_RUN.title)
    with server.app_context():
        assert db.session.scalars(select(OutboxMessage).where(
            OutboxMessage.recipient == mother.email)).all() == []
        assert deliver_pending_sms(db.session, server.app.config["SETTINGS"]) == 1
    [text] = sms_sent
    assert text.to == "+393337654321"
    assert text.body == say(server, sms_texts.NEWS, url=f"{server.url}/inbox",
                            phone="075 555 0100")
    for private in ("Yasmine", "Haddad", "Popescu", "Macello", "Fontivegge",
                    "المرافقة إلى المدرسة", steps.SCHOOL_RUN.title):
        assert private not in text.body

    audit.problems += inspect_at_360(browsing, audit.urls, source=family)
    audit.check()
