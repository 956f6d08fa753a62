"""The Hub's front desk (issue 16): a family without an email, registered and helped in
person, told by SMS, and later in its own account by its phone.

On a 1280×800 laptop, in Italian: the facilitator registers an Arabic-speaking family
at the desk (no email), adds its child, prints its privacy notice and consent receipt
(in Arabic), posts its request for it; the matcher proposes the offer of another
family registered at the desk; the facilitator confirms the pairing, answers for the
helping family ("the family will help"), and opens the printable summary for the first
family, in Arabic, with the helper's name and phone. The family heard of it by SMS,
in Arabic, with nothing in a text that says who it is or what help it asked for.
Later, on a 390×844 phone, the family claims its account with a code sent by SMS
and finds every act the Hub did for it, with the facilitator's name.

Every page: axe-core 0 violations. The family's papers (receipt, summary) also at a
phone's width: no sideways scroll at 360 px. Taps and time are printed (``-s``).
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import AuditEvent, Household, OfferSlot, Skill, SmsMessage, User
from mutuo_aiuto.services import desk, sms_segments
from mutuo_aiuto.services.desk import DeskRegistration
from mutuo_aiuto.services.phone_signin import SMS_KIND
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import LiveServer, axe_check
from tests.phone_sms import code_in

pytestmark = pytest.mark.e2e

FAMILY = "Famiglia Haddad"
PHONE = "+39 333 765 4321"
ARABIC_LETTER = re.compile("[\u0600-\u06ff]")
HELPING = "Famiglia Nasser"
HELPING_PHONE = "+39 320 111 2233"
NEED = steps.Post(title="Accompagnamento a scuola di Yasmine", weekdays=(0, 2, 4),
                  start="07:30", end="08:30")


def say(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    with server.app.test_request_context(), force_locale(lang):
        return str(gettext(msgid, **values))


def a_helping_family_at_the_desk(server: LiveServer) -> None:
    """Another family registered at the desk, which offers school runs every weekday."""
    with server.app_context():
        session = db.session
        facilitator = session.scalars(select(User).where(
            User.email == server.reference["facilitator"])).one()
        helping = desk.register_family(
            session, facilitator,
            DeskRegistration(name=HELPING, phone=HELPING_PHONE, neighbourhood="fontivegge",
                             locale="ar", comes_for="give", languages=["ar", "it"],
                             consent=True),
            notice_version="2026-11", now=datetime.now(UTC))
        skills = list(session.scalars(select(Skill).where(Skill.slug.in_(NEED.skills))))
        factories.make_offer(session, household=helping, skills=skills,
                             title="Posso accompagnare bambini", languages=["ar", "it"],
                             slots=[OfferSlot(weekday=d, start_minute=7 * 60,
                                              end_minute=9 * 60) for d in range(5)])
        session.commit()


def look(page: Any, shoot: Any, name: str, problems: list[str], *,
         family_facing: bool = False) -> None:
    """Axe on every page; a family's page also at a phone's width."""
    shoot(page, "desk", name)
    axe_check(page)
    if family_facing:
        size = page.viewport_size
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 844})
        axe_check(page)
        if overflow := checks.horizontal_overflow(page):
            problems.append(f"{name}: {overflow}px of sideways scroll at 360 px")
        page.set_viewport_size(size)


def click(page: Any, role: str, name: str, taps: list[str]) -> None:
    with page.expect_navigation():
        page.get_by_role("main").get_by_role(role, name=name, exact=True).first.click()
    taps.append(name)


@pytest.mark.parametrize("viewport", ["desktop"])
def test_the_desk_registers_a_family_without_email_and_acts_for_it(browsing, live_server,
                                                                   shoot):
    server = live_server
    a_helping_family_at_the_desk(server)
    it = lambda msgid, **values: say(server, "it", msgid, **values)  # noqa: E731
    ar = lambda msgid, **values: say(server, "ar", msgid, **values)  # noqa: E731
    problems: list[str] = []
    taps: list[str] = []
    started = time.monotonic()

    page = browsing.new_page("it")
    steps.log_in(page, server.reference["facilitator"])
    with page.expect_navigation():
        page.get_by_role("navigation", name=it("Main menu")).get_by_role(
            "link", name=it("Front desk")).click()
    look(page, shoot, "01-desk", problems)
    assert checks.horizontal_overflow(page) == 0

    # Registering the family sitting at the desk: no email anywhere on the form.
    click(page, "link", it("Register a family"), taps)
    look(page, shoot, "02-register", problems)
    checks.without_browser_validation(page)
    assert page.locator("main input[type=email]").count() == 0
    page.get_by_label(it("Family name")).fill(FAMILY)
    page.get_by_label(it("The family's language for the Hub's messages and papers")
                      ).select_option("ar")
    page.get_by_label(it("Neighbourhood")).select_option("fontivegge")
    steps.tick_values(page, "languages", ["ar"])
    page.get_by_label(it("Phone")).fill(PHONE)
    # Forgetting the consent: refused, nothing registered, said on the field.
    click(page, "button", it("Register the family"), taps)
    look(page, shoot, "03-register-refused", problems)
    assert checks.errors_not_tied(page) == []
    page.get_by_label(it("The family heard the privacy notice in its language and agrees "
                         "that the Hub keeps its data and acts for it")).check()
    click(page, "button", it("Register the family"), taps)
    look(page, shoot, "04-family", problems)
    assert page.get_by_role("heading", name=FAMILY, level=1).is_visible()
    assert it("no email (registered at the front desk)") in page.locator("main").inner_text()
    family_page = page.url

    # Its child, through the family's own form.
    page.get_by_label(it("Child")).check()
    page.get_by_label(it("First name (optional)")).fill("Yasmine")
    page.get_by_label(it("Year of birth (optional)")).fill("2018")
    click(page, "button", it("Add"), taps)
    assert "Yasmine" in page.locator("#members ~ ul").first.inner_text()

    # The privacy notice and the consent receipt, in Arabic, to print.
    click(page, "link", it("Print the privacy notice and consent receipt"), taps)
    look(page, shoot, "05-receipt", problems, family_facing=True)
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    sheet = page.locator("article.print-sheet").inner_text()
    assert ar("Receipt of your consent") in sheet and FAMILY in sheet and "2026-11" in sheet
    page.emulate_media(media="print")
    assert not page.locator("header.site-header").is_visible()
    page.emulate_media(media="screen")

    # Its request, posted for it.
    page.goto(family_page)
    click(page, "link", it("Post a request for the family"), taps)
    look(page, shoot, "06-need-form", problems)
    assert it("You are acting for the family %(name)s, with its consent: this is recorded "
              "as done by you for it.", name=FAMILY) in page.locator("main").inner_text()
    steps.choose_kind(page, NEED.category)
    page.fill("#title", NEED.title)
    steps.fill_weekly_row(page, NEED)
    steps.open_more_details(page)
    steps.tick_values(page, "skills", NEED.skills)
    page.fill("#ends_on", NEED.ends_on.isoformat())
    steps.submit(page, 'main form.stacked button[name="publish"]')
    taps.append("publish")
    look(page, shoot, "07-family-with-request", problems)
    assert NEED.title in page.locator("#requests ~ ul").first.inner_text()

    # The matcher proposes the helping family's offer; the facilitator confirms it.
    steps.run_matcher(page)
    steps.open_request(page, FAMILY)
    look(page, shoot, "08-request", problems)
    steps.confirm_pairing(page, NEED.title)
    look(page, shoot, "09-confirmed", problems)

    # The helping family said yes at the desk (or on the phone): the facilitator answers.
    with server.app_context():
        helping_id = db.session.scalars(select(Household.public_id).where(
            Household.name == HELPING)).one()
    page.goto(f"/desk/families/{helping_id}")
    look(page, shoot, "10-helping-family", problems)
    click(page, "button", it("The family will help"), taps)
    look(page, shoot, "11-answered", problems)
    done = page.locator("#done-for ~ ul").first.inner_text()
    assert it("accepted to help") in done

    # The one-page summary for the first family, in Arabic.
    page.goto(family_page)
    click(page, "link", it("Print the summary for the family"), taps)
    look(page, shoot, "12-summary", problems, family_facing=True)
    assert page.locator("html").get_attribute("lang") == "ar"
    summary = page.locator("article.print-sheet").inner_text()
    # Phones are stored in E.164 and shown as an Italian reads them.
    assert HELPING in summary and HELPING_PHONE.removeprefix("+39 ") in summary
    assert ar("If something goes wrong") in summary and "07:30" in summary
    assert server.app.config["SETTINGS"].hub_phone.removeprefix("+39 ") in summary

    # On the record: every act done by the facilitator for the family.
    with server.app_context():
        family_id = db.session.scalars(select(Household.id).where(
            Household.name == FAMILY)).one()
        acts = db.session.scalars(select(AuditEvent.action).where(
            AuditEvent.on_behalf_of_id == family_id)).all()
        assert {"desk.registered", "desk.member_added", "need.posted"} <= set(acts)
        family = db.session.scalars(select(Household).where(Household.name == FAMILY)).one()
        assert family.user.email is None and family.user.locale == "ar"
        facilitator_name = db.session.scalars(select(User.name).where(
            User.email == server.reference["facilitator"])).one()
        texts = db.session.scalars(select(SmsMessage).where(
            SmsMessage.user_id == family.user_id, SmsMessage.kind != SMS_KIND)
            .order_by(SmsMessage.id)).all()
        heard = [(sms.recipient, sms.body) for sms in texts]

    # With no email, the family heard by SMS (queued for the scheduler), in Arabic, and
    # nothing in a text says who it is, who helps or what help it asked for.
    assert heard, "the family was told nothing"
    for number, body in heard:
        assert number == PHONE.replace(" ", "") and ARABIC_LETTER.search(body)
        for private in (FAMILY, "Haddad", "Yasmine", HELPING, NEED.title):
            assert private not in body, (private, body)
        assert sms_segments.count(body).segments <= 2

    # Later the family claims its account on a phone, with a code sent by SMS.
    phone = browsing.new_page("ar")
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto("/login")
    phone.get_by_role("link", name=ar("Sign in with your phone")).click()
    phone.wait_for_url("**/login/phone")
    phone.fill("#phone", PHONE.removeprefix("+39 "))
    steps.submit(phone)
    phone.wait_for_url("**/login/phone/code")
    with server.app_context():
        code_sms = db.session.scalars(select(SmsMessage.body).where(
            SmsMessage.kind == SMS_KIND).order_by(SmsMessage.id.desc())).first()
    assert code_sms is not None, "no code was sent"
    phone.fill("#code", code_in(code_sms))
    steps.submit(phone)
    phone.wait_for_url("**/welcome")
    look(phone, shoot, "13-welcome", problems, family_facing=True)
    assert phone.input_value("#locale") == "ar"
    steps.submit(phone)  # Arabic kept; no email, no password: the phone is enough

    # On its page, everything the Hub did for it, each with the facilitator's name.
    phone.goto("/family")
    look(phone, shoot, "14-done-for-you", problems, family_facing=True)
    done_for_you = phone.locator("ul.done-for li").all_inner_texts()
    assert len(done_for_you) == len(acts)
    assert all(facilitator_name in line for line in done_for_you)

    assert problems == []
    print(f"\n[desk] {len(taps)} taps and clicks ({', '.join(taps)}); "
          f"{time.monotonic() - started:.1f} s")
