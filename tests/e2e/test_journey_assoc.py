"""An association from proposal to its first follower, on a phone (issue 12, item 1).

A member proposes a family association with its logo and lands on its page,
waiting for approval; an administrator opens "Associations" from the staff
menu and approves it; a family goes from its page to the associations near it,
opens the new one and follows it, and its page lists it. On a 390×844 phone,
in Italian and in Arabic; every page passes axe-core and fits a 360 px window;
the page heights are printed for the report.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Association, Neighbourhood
from mutuo_aiuto.web.filters import language_name
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import (
    SCREENSHOTS,
    TAKE_SCREENSHOTS,
    VIEWPORTS,
    LiveServer,
    axe_violations,
    describe_violations,
    new_context,
)

pytestmark = pytest.mark.e2e

PHONE = VIEWPORTS["phone"]
COORDINATOR = "coordinatrice@example.org"
FAMILY = "famiglia.karimi@example.org"
ADMIN = "amministratrice@example.org"
NAME = "Famiglie in Cammino APS"


def say(server: LiveServer, lang: str, msgid: str, **values: Any) -> str:
    """What the interface says in ``lang``: the journey drives by visible text."""
    with server.app_context(), force_locale(lang):
        return _(msgid, **values)


def people(server: LiveServer, lang: str) -> None:
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood).where(
            Neighbourhood.slug == "fontivegge")).one()
        for email, name in ((COORDINATOR, "Lucia Bellini"), (FAMILY, "Nadia Karimi")):
            user = factories.make_user(session, email=email, name=name, locale=lang)
            factories.make_household(session, user=user, neighbourhood=place,
                                     name=f"Famiglia {name.split()[1]}", languages=["it", "ar"])
        factories.make_user(session, email=ADMIN, name="Anna Admin", role="admin", locale=lang)
        session.commit()


class Walk:
    """Checks each page a person sees: axe-core, targets of 24 px, no sideways scroll at
    360 px, and its height."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.heights: dict[str, int] = {}
        self.problems: list[str] = []

    def seen(self, page: Any, step: str) -> None:
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == self.lang, step
        self.heights[step] = int(page.evaluate("document.documentElement.scrollHeight"))
        if TAKE_SCREENSHOTS:
            shot = SCREENSHOTS / "assoc" / f"{self.lang}-{step}.png"
            shot.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
        violations = axe_violations(page)
        if violations:
            self.problems.append(f"{step}: axe-core\n{describe_violations(violations)}")
        for target in checks.small_targets(page):
            self.problems.append(f"{step}: touch target under 24 px: {target}")
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 800})
        if overflow := checks.horizontal_overflow(page):
            self.problems.append(f"{step}: {overflow} px sideways at 360 px, from "
                                 f"{checks.wide_elements(page)}")
        page.set_viewport_size(PHONE)


def logo_file(tmp_path: Path) -> Path:
    # A PNG under a .jpg name: the service trusts the bytes, not the name.
    path = tmp_path / "logo.jpg"
    path.write_bytes(factories.TINY_PNG)
    return path


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_a_member_proposes_an_admin_approves_a_family_follows(browser, live_server, lang,
                                                             tmp_path):
    people(live_server, lang)
    walk = Walk(lang)
    t = lambda msgid, **values: say(live_server, lang, msgid, **values)  # noqa: E731

    # 1. A member proposes the association, from the list of associations.
    context = new_context(browser, live_server, lang)
    page = context.new_page()
    steps.log_in(page, COORDINATOR)
    page.goto("/associations")
    walk.seen(page, "list-empty")
    page.get_by_role("link", name=t("Propose an association")).click()
    walk.seen(page, "propose")
    page.get_by_label(t("Name of the association")).fill(NAME)
    page.get_by_label(t("Legal form (optional)")).fill("APS")
    page.get_by_label(t("What the association does")).fill(
        "Merende, doposcuola e uscite per le famiglie di Fontivegge.")
    page.get_by_role("checkbox", name="Fontivegge").check()
    with live_server.app_context(), force_locale(lang):
        arabic = language_name("ar")
    page.get_by_role("checkbox", name=arabic, exact=True).check()
    page.get_by_label(t("Email for the public")).fill("ciao@famiglieincammino.example.org")
    page.get_by_label(t("Logo (optional)")).set_input_files(str(logo_file(tmp_path)))
    page.get_by_role("button", name=t("Propose the association")).click()
    page.wait_for_url("**/associations/*")
    assert page.get_by_text(t("waiting for approval")).first.is_visible()
    walk.seen(page, "proposed")
    context.close()

    # 2. An administrator approves it from the staff menu.
    context = new_context(browser, live_server, lang)
    page = context.new_page()
    steps.log_in(page, ADMIN)
    page.goto(page.locator("nav.site-nav a", has_text=t("Associations")).first
              .get_attribute("href"))
    walk.seen(page, "review")
    page.get_by_role("link", name=NAME).click()
    walk.seen(page, "manage")
    with page.expect_navigation():  # a click waits for the next page to start, not load
        page.get_by_role("button", name=t("Approve"), exact=True).click()
    assert page.get_by_text(t("%(name)s is approved: its page is public.", name=NAME)).is_visible()
    context.close()

    # 3. A family finds it from its page, by its neighbourhood, and follows it.
    context = new_context(browser, live_server, lang)
    page = context.new_page()
    steps.log_in(page, FAMILY)
    page.get_by_role("link", name=t("Find associations near you")).click()
    walk.seen(page, "list")
    page.get_by_role("link", name=NAME).click()
    # The logo is served and drawn (a 1×1 image).
    assert page.locator("img.assoc-logo").evaluate("img => img.naturalWidth") == 1
    walk.seen(page, "page")
    with page.expect_navigation():  # a click waits for the next page to start, not load
        page.get_by_role("button", name=t("Follow"), exact=True).click()
    assert page.get_by_text(t("Your family follows this association.")).is_visible()
    walk.seen(page, "followed")
    page.goto("/family")
    followed = page.locator("section[aria-labelledby=associations-title]")
    assert followed.get_by_role("link", name=NAME).is_visible()
    walk.seen(page, "family")
    context.close()

    with live_server.app_context():
        association = db.session.scalars(select(Association)).one()
        assert association.status == "approved" and association.logo_type == "image/png"
        assert sorted(association.languages) == ["ar", "it"]
    print(f"\n{lang} page heights at 390×844 (px): {walk.heights}")
    assert not walk.problems, "\n".join(walk.problems)
