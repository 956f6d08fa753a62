"""Who you are (issue 11): sign-up asks what one comes for, and everything follows from it.

A family (``need``) lands on its household, a helper who is not a family
(``give``) on a short "about you" and then the offer form, ``both`` on the
household; facilitators and administrators on their work. Each sees a menu of
what they came for.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from mutuo_aiuto.models import Household, Notification, OutboxMessage, User
from mutuo_aiuto.services import accounts
from tests.factories import TEST_PASSWORD
from tests.web.test_auth import CONFIRM_LINK, FreshClient

GOOD = "a quiet morning walk by the lake"
EN, IT, AR = ({"Accept-Language": lang} for lang in ("en", "it", "ar"))


@pytest.fixture
def client(app: Flask) -> Any:
    app.test_client_class = FreshClient
    return app.test_client()


def register_form(**overrides: Any) -> dict[str, Any]:
    return {"comes_for": "need", "name": "Maria Rossi", "email": "maria@example.org",
            "password": GOOD, "confirm": GOOD, "locale": "en", "consent": "y"} | overrides


def count(session: Any, model: Any) -> int:
    return session.scalar(select(func.count()).select_from(model))


def menu_texts(html: str) -> list[str]:
    """The visible labels of the main menu's links, in order."""
    nav = re.search(r'<ul class="nav-list">(.*?)</ul>', html, re.S)
    assert nav, "no main menu on the page"
    return [re.sub(r"<[^>]+>", "", text).strip()
            for text in re.findall(r"<li><a [^>]*>(.*?)</a></li>", nav.group(1), re.S)]


def sign_up_and_confirm(client: Any, session: Any, kind: str) -> Any:
    """Register as ``kind``, open the mailed link and press its button: the landing."""
    email = f"{kind}@example.org"
    assert client.post("/register", data=register_form(comes_for=kind, email=email)
                       ).status_code == 200
    mail = session.scalars(select(OutboxMessage).filter_by(recipient=email)).one()
    link = CONFIRM_LINK.search(mail.body).group(1)
    return client.post(link)


# ---- the register form ---------------------------------------------------------------------

def test_register_asks_what_one_comes_for_with_three_answers(client):
    page = client.get("/register", headers=EN).text
    assert "What brings you to the Family Hub?" in page
    values = re.findall(r'<input[^>]*name="comes_for"[^>]*value="(\w+)"', page)
    assert values == ["need", "give", "both"]
    assert "I need help" in page and "I can help" in page and "Both:" in page
    assert not re.search(r'name="comes_for"[^>]*checked', page), "nothing chosen for them"
    assert 'novalidate' in page


@pytest.mark.parametrize("kind", ["need", "give", "both"])
def test_register_stores_what_one_comes_for(client, session, kind):
    response = client.post("/register", data=register_form(comes_for=kind))
    assert response.status_code == 200
    user = session.scalars(select(User)).one()
    assert user.comes_for == kind and user.role == "member"


@pytest.mark.parametrize(("headers", "message"), [
    (EN, "Choose whether you need help, can help, or both."),
    (IT, "Scegli se hai bisogno di aiuto, se puoi aiutare o entrambe le cose."),
    (AR, "اختر إن كنت تحتاج إلى مساعدة، أو تستطيع أن تساعد، أو الأمرين معًا."),
])
@pytest.mark.parametrize("sent", [None, "", "staff", "need,give"])
def test_register_without_a_kind_says_so_in_the_pages_language_and_keeps_the_rest(
        client, session, headers, message, sent):
    data = register_form(locale="it")
    data.pop("comes_for")
    if sent is not None:
        data["comes_for"] = sent
    response = client.post("/register", data=data, headers=headers)
    assert response.status_code == 400
    assert message in response.text
    # In the summary, linked to the group, and beside it.
    assert re.search(r'<a href="#comes_for">[^<]*' + re.escape(message), response.text)
    assert 'id="comes_for-error"' in response.text
    # Nothing typed is lost (the passwords are never sent back).
    assert 'value="Maria Rossi"' in response.text and 'value="maria@example.org"' in response.text
    assert re.search(r'<option[^>]*selected[^>]*value="it"|<option[^>]*value="it"[^>]*selected',
                     response.text)
    assert re.search(r'id="consent"[^>]*checked|checked[^>]*id="consent"', response.text)
    assert not re.search(r'name="comes_for"[^>]*checked', response.text)
    assert count(session, User) == 0 and count(session, OutboxMessage) == 0


def test_register_with_other_mistakes_lists_them_all_and_keeps_the_kind(client, session):
    response = client.post("/register", data=register_form(comes_for="give", email="nope",
                                                            consent=None), headers=EN)
    assert response.status_code == 400
    assert "Invalid email address." in response.text
    assert "Please agree to the privacy notice" in response.text
    assert re.search(r'value="give"[^>]*checked|checked[^>]*value="give"', response.text)
    assert count(session, User) == 0


def test_the_service_refuses_an_unknown_kind(session):
    with pytest.raises(accounts.DomainError) as refused:
        accounts.register(session, email="x@example.org", password=GOOD, name="X",
                          locale="it", consent_version="1", comes_for="staff")
    assert refused.value.field == "comes_for"


# ---- where each lands ----------------------------------------------------------------------

@pytest.mark.parametrize(("kind", "landing"), [
    ("need", "/family"), ("both", "/family"), ("give", "/about-you")])
def test_confirming_the_address_lands_where_one_came_for(client, session, kind, landing):
    response = sign_up_and_confirm(client, session, kind)
    assert response.status_code == 302
    assert response.headers["Location"] == landing


def test_a_family_is_then_asked_about_its_household(client, session):
    sign_up_and_confirm(client, session, "need")
    assert client.get("/family").headers["Location"] == "/family/edit"


def log_in(client: Any, user: User) -> Any:
    return client.post("/login", data={"email": user.email, "password": TEST_PASSWORD})


@pytest.mark.parametrize(("role", "landing"), [("facilitator", "/facilitator"),
                                               ("admin", "/admin")])
def test_staff_land_on_their_work(client, make_user, role, landing):
    response = log_in(client, make_user(locale="en", role=role))
    assert response.status_code == 302 and response.headers["Location"] == landing


@pytest.mark.parametrize(("kind", "with_household", "landing"), [
    ("need", False, "/family"), ("need", True, "/family"), ("both", True, "/family"),
    ("give", False, "/about-you"), ("give", True, "/offers")])
def test_members_land_on_what_they_came_for(client, make_user, make_household, kind,
                                            with_household, landing):
    user = make_user(locale="en", comes_for=kind)
    if with_household:
        make_household(user=user)
    assert log_in(client, user).headers["Location"] == landing


@pytest.mark.parametrize(("who", "landing"), [
    ({"role": "facilitator"}, "/facilitator"), ({"role": "admin"}, "/admin"),
    ({"comes_for": "give"}, "/about-you"), ({"comes_for": "need"}, "/family")])
def test_a_new_password_from_a_reset_link_also_lands_where_one_came_for(app, client,
                                                                         make_user, who,
                                                                         landing):
    from mutuo_aiuto.services import tokens

    user = make_user(**who)
    link = "/reset/" + tokens.make_reset_token(user, app.config["SECRET_KEY"])
    strong = "seven purple otters argue about jazz"
    response = client.post(link, data={"password": strong, "confirm": strong})
    assert response.status_code == 302 and response.headers["Location"] == landing


@pytest.mark.parametrize("url", ["/family", "/needs", "/needs/new", "/offers", "/offers/new",
                                 "/about-you"])
@pytest.mark.parametrize("role", ["facilitator", "admin"])
def test_staff_are_never_sent_to_the_household_form(client, login, make_user, role, url):
    login(make_user(locale="en", role=role))
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"] in ("/facilitator", "/admin")


@pytest.mark.parametrize("url", ["/family", "/family/edit", "/offers", "/offers/new"])
def test_a_helper_without_details_is_sent_to_about_you(client, login, make_user, url):
    login(make_user(locale="en", comes_for="give"))
    response = client.get(url)
    assert response.status_code == 302 and response.headers["Location"] == "/about-you"


@pytest.mark.parametrize("kind", ["need", "both"])
def test_a_family_opening_about_you_goes_to_the_household_form(client, login, make_user, kind):
    login(make_user(locale="en", comes_for=kind))
    assert client.get("/about-you").headers["Location"] == "/family/edit"


# ---- about you -----------------------------------------------------------------------------

@pytest.fixture
def places(make_neighbourhood) -> Any:
    return make_neighbourhood(slug="fontivegge", name="Fontivegge")


def test_about_you_asks_three_things_and_never_about_a_family(client, login, make_user, places):
    login(make_user(locale="en", comes_for="give"))
    page = client.get("/about-you")
    assert page.status_code == 200
    names = set(re.findall(r'<(?:input|select|textarea)[^>]*name="(\w+)"', page.text))
    assert names == {"csrf_token", "neighbourhood", "languages", "phone"}
    visible = re.sub(r"<[^>]+>", " ", page.text.split('id="main"')[1].split("<footer")[0])
    assert not re.search(r"famil", visible.split("Three things")[0], re.I)
    assert "About you" in visible
    assert "My family" not in page.text and "People in the family" not in page.text


def test_about_you_makes_a_household_named_after_the_person_then_the_offer_form(
        client, login, session, make_user, places):
    user = login(make_user(locale="en", comes_for="give", name="Ioana Popescu"))
    response = client.post("/about-you", data={"neighbourhood": "fontivegge",
                                               "languages": ["ro", "it"],
                                               "phone": "+39 333 111 2222"})
    assert response.status_code == 302 and response.headers["Location"] == "/offers/new"
    household = session.scalars(select(Household).filter_by(user_id=user.id)).one()
    assert household.name == "Ioana Popescu"
    assert household.neighbourhood.slug == "fontivegge"
    assert household.languages == ["it", "ro"] and household.phone == "+393331112222"
    assert household.members == [] and household.address is None
    assert household.care_notes is None
    offer_form = client.get("/offers/new")
    assert offer_form.status_code == 200


def test_about_you_changes_the_details_later_and_goes_back_to_the_offers(
        client, login, session, make_user, make_household, places, make_neighbourhood):
    user = login(make_user(locale="en", comes_for="give"))
    household = make_household(user=user, name="Ioana", neighbourhood=places,
                               address="Via Roma 1")
    make_neighbourhood(slug="pallotta", name="Pallotta")
    page = client.get("/about-you").text
    assert "Your details" in page and 'value="075 000 0000"' in page
    response = client.post("/about-you", data={"neighbourhood": "pallotta", "languages": ["it"],
                                               "phone": ""})
    assert response.headers["Location"] == "/offers"
    session.refresh(household)
    assert household.neighbourhood.slug == "pallotta" and household.phone is None
    assert household.address == "Via Roma 1" and household.name == "Ioana"


def test_about_you_lists_every_mistake_and_keeps_what_was_typed(client, login, session,
                                                                make_user, places):
    login(make_user(locale="en", comes_for="give"))
    response = client.post("/about-you", data={"neighbourhood": "", "phone": "call me",
                                               "languages": ["it"]}, headers=EN)
    assert response.status_code == 400
    assert "Choose a neighbourhood." in response.text
    assert 'value="call me"' in response.text
    assert count(session, Household) == 0


# ---- the menus -----------------------------------------------------------------------------

MEMBER_MENUS = {
    "need": ["My family", "My requests", "My week", "Groups", "Messages", "My account"],
    "give": ["My offers", "My week", "Groups", "Messages", "My account"],
    "both": ["My family", "My requests", "My offers", "My week", "Groups", "Messages",
             "My account"],
}
STAFF = ["Proposals", "Front desk", "Follow-ups", "Vetting", "Erasure requests", "Impact"]
STAFF_MENUS = {
    "facilitator": [*STAFF, "Messages", "My account"],
    "admin": [*STAFF, "Administration", "Accounts", "Associations", "Messages", "My account"],
}


@pytest.mark.parametrize("kind", list(MEMBER_MENUS))
def test_a_members_menu_holds_what_they_came_for(client, login, make_user, make_household,
                                                 kind):
    login(make_household(user=make_user(locale="en", comes_for=kind)).user)
    page = client.get("/week", headers=EN).text
    assert menu_texts(page) == MEMBER_MENUS[kind]
    # Calendar and privacy moved to the account page and the footer.
    footer = page.split('<footer')[1]
    assert 'href="/calendar"' in footer and 'href="/family/privacy"' in footer


@pytest.mark.parametrize("role", list(STAFF_MENUS))
def test_staff_get_a_staff_menu_without_family_links(client, login, make_user, role):
    login(make_user(locale="en", role=role))
    assert menu_texts(client.get("/account", headers=EN).text) == STAFF_MENUS[role]


def test_staff_with_a_household_also_see_its_links(client, login, make_user, make_household):
    login(make_household(user=make_user(locale="en", role="facilitator")).user)
    menu = menu_texts(client.get("/account", headers=EN).text)
    assert menu[:4] == ["My family", "My requests", "My offers", "My week"]
    assert "Proposals" in menu


def test_the_phone_menu_button_shows_unread_messages(client, login, session, make_user,
                                                     make_household):
    user = login(make_household(user=make_user(locale="en", comes_for="need")).user)
    quiet = client.get("/week", headers=EN).text
    assert re.search(r"<summary>\s*Menu\s*</summary>", quiet)
    for _ in range(2):
        session.add(Notification(user_id=user.id, kind="match_accepted", params={}))
    session.commit()
    page = client.get("/week", headers=EN).text
    summary = re.search(r"<summary>(.*?)</summary>", page, re.S).group(1)
    assert '<span aria-hidden="true">Menu (2)</span>' in summary
    assert '<span class="visually-hidden">Menu: 2 unread messages</span>' in summary
    assert "Messages (2)" in menu_texts(page)


def test_the_menu_counts_unread_messages_once_per_page(client, login, make_user, app):
    from sqlalchemy import event

    from mutuo_aiuto.extensions import db

    login(make_user(locale="en", comes_for="give"))
    counted = []

    def seen(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "notifications" in statement and "count(" in statement.lower():
            counted.append(statement)

    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        client.get("/account")
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    assert len(counted) == 1


# ---- the account page and the home page ------------------------------------------------------

def test_the_account_page_changes_what_one_comes_for(client, login, session, make_user):
    user = login(make_user(locale="en", comes_for="need"))
    page = client.get("/account", headers=EN).text
    assert re.search(r'value="need"[^>]*checked|checked[^>]*value="need"', page)
    assert 'href="/calendar"' in page.split('id="main"')[1].split("<footer")[0]
    response = client.post("/account", data={"name": user.name, "locale": "en",
                                             "comes_for": "give"})
    assert response.status_code == 302
    session.refresh(user)
    assert user.comes_for == "give"
    assert menu_texts(client.get("/account", headers=EN).text)[0] == "My offers"
    assert 'href="/about-you"' in client.get("/account").text


def test_the_account_page_of_staff_does_not_ask(client, login, session, make_user):
    user = login(make_user(locale="en", role="facilitator"))
    assert 'name="comes_for"' not in client.get("/account").text
    response = client.post("/account", data={"name": "Giulia", "locale": "it",
                                             "comes_for": "need"})
    assert response.status_code == 302
    session.refresh(user)
    assert user.name == "Giulia" and user.comes_for == "both"


@pytest.mark.parametrize(("who", "first", "absent"), [
    ({"comes_for": "need"}, "/needs/new", "/offers/new"),
    ({"comes_for": "give"}, "/offers/new", "/needs/new"),
    ({"comes_for": "both"}, "/needs/new", None),
    ({"role": "facilitator"}, "/facilitator", "/needs/new"),
    ({"role": "admin"}, "/facilitator", "/offers/new"),
])
def test_the_home_page_points_to_what_one_came_for(client, login, make_user, who, first,
                                                   absent):
    login(make_user(locale="en", **who))
    main = client.get("/", headers=EN).text.split('id="main"')[1].split("<footer")[0]
    buttons = re.findall(r'<a class="button[^"]*" href="([^"]+)"', main)
    assert buttons[0] == first
    if absent:
        assert absent not in buttons
    if who.get("comes_for") == "both":
        assert "/offers/new" in buttons


def test_a_helpers_privacy_pages_speak_of_their_data_not_a_family(client, login, make_user,
                                                                  make_household):
    helper = make_household(user=make_user(locale="en", comes_for="give")).user
    login(helper)
    for url in ("/family/privacy",):
        main = client.get(url, headers=EN).text.split('id="main"')[1].split("<footer")[0]
        assert "your family" not in main.lower() and "your data" in main.lower(), url
    login(make_household(user=make_user(locale="en", comes_for="need")).user)
    assert "your family" in client.get("/family/privacy").text.lower()
