"""An administrator issues an API token for a family, on a 360 px phone and a laptop, in
Italian and in Arabic (issue 14): from the account's page to the form (refused once, each
error tied to its field), the secret shown once, a call to the API with it, the list,
and revoking it. Every page fits the window and passes axe-core.
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ApiToken, Neighbourhood
from tests import factories
from tests.e2e import checks, steps
from tests.e2e.conftest import axe_check

pytestmark = pytest.mark.e2e

ADMIN_EMAIL = "amministratrice@example.org"
# 60 characters: the list and the issued page must hold it on a phone.
FAMILY_EMAIL = "mariagraziaannunziata.bartolomei-de-santis@comune-perugia.it"


def people(server: Any, lang: str) -> str:
    """An administrator and a family in ``lang``; the family account's public id."""
    with server.app_context():
        session = db.session
        place = session.scalars(select(Neighbourhood)).first()
        factories.make_user(session, email=ADMIN_EMAIL, name="Anna Admin", role="admin",
                            locale=lang)
        family = factories.make_household(
            session, neighbourhood=place, name="Famiglia Bartolomei De Santis",
            user=factories.make_user(session, email=FAMILY_EMAIL, name="Maria", locale=lang))
        session.commit()
        return family.user.public_id


def looks_right(page: Any, lang: str, where: str, shoot: Any) -> None:
    shoot(page, f"api-tokens-{lang}", where.replace(" ", "-"))
    assert page.locator("html").get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    assert checks.horizontal_overflow(page) == 0, (where, checks.wide_elements(page))
    axe_check(page)


@pytest.mark.parametrize("lang", ["it", "ar"])
def test_an_administrator_issues_and_revokes_a_token(browsing, shoot, lang):
    server = browsing.server
    account = people(server, lang)
    page = browsing.new_page(lang)
    if browsing.viewport == "phone":  # the narrowest phone the pages must fit
        page.set_viewport_size({"width": checks.PHONE_WIDTH, "height": 800})
    steps.log_in(page, ADMIN_EMAIL)
    page.goto(f"/admin/users/{account}")
    with page.expect_navigation():
        page.locator('main a[href*="/admin/api-tokens/new"]').click()
    assert page.locator("#account").input_value() == FAMILY_EMAIL
    looks_right(page, lang, "the form", shoot)

    # No name and nothing chosen: refused, each error on its field, nothing issued.
    checks.without_browser_validation(page)
    steps.submit(page)
    assert page.locator(".error-summary li").count() == 2
    assert page.locator("#scopes-error").is_visible()
    assert checks.errors_not_tied(page) == []
    looks_right(page, lang, "the refused form", shoot)

    page.fill("#name", "App della famiglia")
    steps.tick_values(page, "scopes", ["own:read"])
    steps.submit(page)
    secret = page.locator("code.secret").inner_text().strip()
    assert secret.startswith("ma_")
    looks_right(page, lang, "the token issued", shoot)

    me = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.ok and me.json()["user"]["id"] == account

    page.goto("/admin/api-tokens")
    assert secret not in page.content() and secret[:11] in page.content()
    looks_right(page, lang, "the list", shoot)
    with page.expect_navigation():
        page.locator("main form.inline-form button").click()
    looks_right(page, lang, "the list after revoking", shoot)
    refused = page.request.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"})
    assert refused.status == 401
    assert refused.headers["content-type"].startswith("application/problem+json")
    with server.app_context():
        assert db.session.scalars(select(ApiToken.revoked_at)).one() is not None
