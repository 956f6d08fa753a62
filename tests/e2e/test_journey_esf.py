"""The funder's questions on a phone (issue 14): a family adds a person with the ESF+ answers.

On a 390×844 phone, in Italian and in Arabic (right to left), the family page
keeps the ESF+ questions behind a closed native disclosure; opened, every
question is labelled and explained, nothing scrolls sideways (not even at
360 px), axe-core finds nothing, and the disability answer is kept only with
the separate consent, which the family then withdraws from the same page.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask_babel import force_locale, gettext
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Member, Neighbourhood
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import (
    VIEWPORTS,
    LiveServer,
    axe_violations,
    describe_violations,
    new_context,
)

pytestmark = pytest.mark.e2e

PHONE = VIEWPORTS["phone"]
EMAIL = "famiglia.esf@example.org"


def text(server: LiveServer, lang: str, msgid: str) -> str:
    with server.app.test_request_context(), force_locale(lang):
        return gettext(msgid)


def make_family(server: LiveServer, lang: str) -> None:
    with server.app_context():
        place = db.session.scalars(select(Neighbourhood)).first()
        user = factories.make_user(db.session, email=EMAIL, locale=lang)
        factories.make_household(db.session, user=user, neighbourhood=place,
                                 name="Famiglia Haddad")
        db.session.commit()


def member(server: LiveServer) -> Member:
    with server.app_context():
        found = db.session.scalars(select(Member)).one()
        db.session.expunge(found)
        return found


def problems_of(page: Any, where: str) -> list[str]:
    problems = []
    if overflow := checks.horizontal_overflow(page):
        problems.append(f"{where}: {overflow} px sideways, from {checks.wide_elements(page)}")
    if violations := axe_violations(page):
        problems.append(f"{where}: axe-core\n{describe_violations(violations)}")
    if small := checks.small_targets(page):
        problems.append(f"{where}: small targets {small}")
    return problems


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_family_answers_the_funders_questions_on_a_phone(browser, live_server, lang):
    make_family(live_server, lang)
    context = new_context(browser, live_server, lang)
    problems: list[str] = []
    try:
        page = context.new_page()
        steps.log_in(page, EMAIL)
        page.goto("/family")
        assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
        details = page.locator("details.esf-details")
        # Closed at first: the form for a person stays short.
        assert details.get_attribute("open") is None
        assert not page.locator("#gender").is_visible()
        problems += problems_of(page, f"{lang} /family closed")

        details.locator("summary").click()
        assert page.locator("#gender").is_visible()
        for name in ("gender", "employment", "education", "citizenship", "foreign_background",
                     "disability", "minority"):
            select_box = page.locator(f"#{name}")
            # Labelled, explained in words, and "prefer not to say" always there.
            assert page.locator(f"label[for={name}]").inner_text().strip()
            hint = select_box.get_attribute("aria-describedby") or ""
            assert f"{name}-hint" in hint
            assert select_box.locator("option[value=prefer_not]").count() == 1
        problems += problems_of(page, f"{lang} /family open")
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 800})
        if overflow := checks.horizontal_overflow(page):
            problems.append(f"{lang} at 360 px: {overflow} px, {checks.wide_elements(page)}")
        page.set_viewport_size(PHONE)

        # The disability answer without the consent: refused, the disclosure opens on it.
        page.fill("#birth_year", "1984")
        page.select_option("#gender", "woman")
        page.select_option("#employment", "long_term_unemployed")
        page.select_option("#citizenship", "third_country")
        page.select_option("#disability", "yes")
        checks.without_browser_validation(page)
        steps.submit(page, "form[action='/family/members'] [type=submit]")
        assert page.locator("details.esf-details").get_attribute("open") is not None
        assert page.locator("#special_consent-error").is_visible()
        problems += checks.errors_not_tied(page)
        problems += problems_of(page, f"{lang} refused without consent")

        page.select_option("#gender", "woman")
        page.select_option("#employment", "long_term_unemployed")
        page.select_option("#citizenship", "third_country")
        page.select_option("#disability", "yes")
        page.check("#special_consent")
        steps.submit(page, "form[action='/family/members'] [type=submit]")
        withdraw = page.get_by_role("button", name=text(live_server, lang,
                                                        "Withdraw the consent"))
        assert withdraw.count() == 1
        saved = member(live_server)
        assert (saved.gender, saved.employment, saved.citizenship, saved.disability) == (
            "woman", "long_term_unemployed", "third_country", "yes")
        problems += problems_of(page, f"{lang} /family with a person")

        page.goto(f"/family/members/{saved.public_id}/edit")
        assert page.locator("#employment").input_value() == "long_term_unemployed"
        problems += problems_of(page, f"{lang} edit a person")

        page.goto("/family")
        withdraw.click()
        page.wait_for_load_state()
        gone = member(live_server)
        assert (gone.disability, gone.special_consent_at, gone.gender) == (None, None, "woman")
        assert withdraw.count() == 0
    finally:
        context.close()
    assert not problems, "\n".join(problems)
