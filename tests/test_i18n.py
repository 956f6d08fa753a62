"""Which language a page speaks, its direction, and the language switcher on every page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel import Locale

from mutuo_aiuto import i18n
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import User

HTML_TAG = re.compile(r"<html\b[^>]*>")


def html_attrs(html: str) -> dict[str, str]:
    tag = HTML_TAG.search(html)
    assert tag, "the page has no <html> element"
    return dict(re.findall(r'(\w+)="([^"]*)"', tag.group(0)))


def page_lang(response) -> str:
    return html_attrs(response.text)["lang"]


@pytest.fixture
def get(app, client):
    """``client.get`` in a fresh app context, as a real server would serve it.

    The ``app`` fixture keeps one app context open for the whole test, and a
    request reuses it: ``g`` (Flask-Login's user, Flask-Babel's locale, the
    ``?lang=`` override) would leak from one request into the next.
    """

    def fetch(path: str, **kwargs):
        with app.app_context():
            return client.get(path, **kwargs)

    return fetch


# ---- the choice order: saved preference > ?lang= remembered > Accept-Language > Italian ----


def test_italian_when_nothing_is_known(get):
    assert page_lang(get("/")) == "it"


def test_italian_when_the_browser_asks_for_a_language_we_do_not_have(get):
    response = get("/", headers={"Accept-Language": "de-DE,de;q=0.9,ja;q=0.5"})
    assert page_lang(response) == "it"


def test_browser_language_when_we_have_it(get):
    response = get("/", headers={"Accept-Language": "de;q=1.0,en-GB;q=0.8"})
    assert page_lang(response) == "en"


def test_switch_wins_over_the_browser_and_is_remembered(get):
    assert page_lang(get("/?lang=en", headers={"Accept-Language": "it"})) == "en"
    # Next page, no ?lang=: still English although the browser asks for Italian.
    assert page_lang(get("/login", headers={"Accept-Language": "it"})) == "en"


def test_unknown_switch_is_ignored(get, client):
    response = get("/?lang=xx", headers={"Accept-Language": "en"})
    assert page_lang(response) == "en"
    with client.session_transaction() as flask_session:
        assert "lang" not in flask_session


def test_saved_preference_wins_over_remembered_switch_and_browser(get, make_user, login):
    get("/?lang=it")  # remembered in the session before logging in
    login(make_user(locale="en"))
    assert page_lang(get("/", headers={"Accept-Language": "it"})) == "en"


def test_switch_while_logged_in_lasts_the_session_but_is_not_saved(get, client, make_user,
                                                                   login):
    user = login(make_user(locale="it"))
    assert page_lang(get("/?lang=uk")) == "uk"
    assert page_lang(get("/", headers={"Accept-Language": "it"})) == "uk"
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "it"  # a GET changes nothing stored
    with client.session_transaction() as flask_session:
        flask_session.pop("lang", None)  # a new session: the saved preference again
    assert page_lang(get("/")) == "it"


def test_saving_the_account_language_replaces_a_switch(get, client, make_user, login):
    user = login(make_user(locale="it", name="Ada"))
    get("/?lang=uk")
    response = client.post("/account", data={"name": "Ada", "locale": "fr"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).locale == "fr"
    assert page_lang(get("/")) == "fr"


# ---- direction ---------------------------------------------------------------------------


@pytest.mark.parametrize(("code", "direction"), [
    ("ar", "rtl"), ("ar_EG", "rtl"), ("it", "ltr"), ("en", "ltr"), ("uk", "ltr"),
    ("ro", "ltr"), ("sq", "ltr"), ("fr", "ltr"), ("es", "ltr"),
])
def test_text_direction(code, direction):
    assert i18n.text_direction(code) == direction


def test_html_lang_and_dir_follow_the_locale(get):
    attrs = html_attrs(get("/?lang=en").text)
    assert (attrs["lang"], attrs["dir"]) == ("en", "ltr")


def test_right_to_left_page_says_so(get, monkeypatch):
    # Arabic joins the switcher when its catalogue is ready; until then add it here.
    monkeypatch.setitem(i18n.LANGUAGES, "ar", "العربية")
    attrs = html_attrs(get("/?lang=ar").text)
    assert (attrs["lang"], attrs["dir"]) == ("ar", "rtl")


# ---- the language switcher -----------------------------------------------------------------


def test_each_language_is_named_in_itself():
    for code, name in i18n.LANGUAGES.items():
        own_name = Locale.parse(code).get_display_name(code)
        assert name.casefold() == own_name.casefold(), code


def test_italian_is_the_default_and_listed():
    assert i18n.DEFAULT_LOCALE == "it"
    assert "it" in i18n.LANGUAGES


def switcher(html: str) -> str:
    """The footer's language menu."""
    menus = re.findall(r'<ul class="lang-list">(.*?)</ul>', html, flags=re.S)
    assert len(menus) == 1, "expected exactly one language switcher"
    return menus[0]


def assert_switcher(html: str, path: str, current: str) -> None:
    menu = switcher(html)
    for code, name in i18n.LANGUAGES.items():
        link = re.search(rf'<a href="([^"]*)" lang="{code}" hreflang="{code}"([^>]*)>'
                         rf"{re.escape(name)}</a>", menu)
        assert link, f"{path}: no link for {code} named {name!r}"
        href, rest = link.groups()
        # Switching keeps the reader on the page they are reading.
        assert href.split("?")[0] == path, f"{path}: the {code} link goes to {href}"
        assert f"lang={code}" in href
        assert ('aria-current="true"' in rest) == (code == current), f"{path}: {code}"


def html_pages(app, get) -> list[str]:
    """Every GET page without a parameter in its address that answers 200 with HTML."""
    paths = sorted({rule.rule for rule in app.url_map.iter_rules()
                    if "GET" in rule.methods and not rule.arguments})
    pages = []
    for path in paths:
        response = get(path)
        if response.status_code == 200 and response.mimetype == "text/html":
            pages.append(path)
    return pages


def test_switcher_on_every_public_page(app, get):
    pages = html_pages(app, get)
    assert {"/", "/login", "/register"} <= set(pages)
    for path in pages:
        assert_switcher(get(path).text, path, current="it")


@pytest.mark.parametrize("role", ["member", "facilitator", "admin"])
def test_switcher_on_every_page_of_a_logged_in_account(app, get, make_household, login,
                                                         role):
    household = make_household()
    household.user.role = role
    db.session.commit()
    login(household.user)
    pages = html_pages(app, get)
    assert "/week" in pages
    for path in pages:
        assert_switcher(get(path).text, path, current="it")


def test_switcher_on_error_pages(get):
    response = get("/no-such-page?lang=en")
    assert response.status_code == 404
    # An unknown address has no endpoint: the switcher links to the home page.
    assert_switcher(response.text, "/", current="en")


def test_switcher_keeps_the_page_parameters(get, make_household, make_need, login):
    household = make_household()
    need = make_need(household=household)
    login(household.user)
    path = f"/needs/{need.public_id}"
    response = get(path)
    assert response.status_code == 200
    assert_switcher(response.text, path, current="it")


# ---- right to left in the style sheet and the templates ---------------------------------------

STATIC = Path(__file__).resolve().parent.parent / "mutuo_aiuto" / "web" / "static"
TEMPLATES = STATIC.parent / "templates"
# Physical directions that do not turn around in a right-to-left page.
PHYSICAL = re.compile(
    r"(?<![\w-])(?:(?:margin|padding|border)-(?:left|right)(?:-\w+)?|left|right"
    r"|border-(?:top|bottom)-(?:left|right)-radius)\s*:"
    r"|text-align\s*:\s*(?:left|right)|float\s*:\s*(?:left|right)|clear\s*:\s*(?:left|right)",
    re.IGNORECASE)


def css_files() -> list[Path]:
    return sorted(STATIC.rglob("*.css"))


def without_comments(css: str) -> str:
    return re.sub(r"/\*.*?\*/", "", css, flags=re.S)


@pytest.mark.parametrize("path", css_files(), ids=lambda p: p.name)
def test_css_uses_logical_properties_only(path):
    found = [f"{path.name}:{css[:m.start()].count(chr(10)) + 1}: {m.group(0)}"
             for css in [without_comments(path.read_text(encoding="utf-8"))]
             for m in PHYSICAL.finditer(css)]
    assert not found, "use margin-inline-start, inset-inline-end, text-align: start …:\n" + \
        "\n".join(found)


def test_physical_property_check_catches_what_it_should():
    for bad in ("margin-left: 1rem", "padding-right:0", "left: 0", "text-align: right",
                "float: left", "border-right-width: 2px"):
        assert PHYSICAL.search(bad), bad
    for good in ("margin-inline-start: 1rem", "inset-inline-end: 0", "text-align: start",
                 "border-inline-start: 1px solid", ".align-left { color: red }"):
        assert not PHYSICAL.search(good), good


def test_templates_have_no_inline_style_or_script():
    """The CSP forbids both; and an inline style cannot follow the reading direction."""
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"\sstyle\s*=", r"<script(?![^>]*\bsrc=)", r"\son[a-z]+\s*="):
            found += [f"{path.relative_to(TEMPLATES)}: {m.group(0).strip()}"
                      for m in re.finditer(pattern, text, flags=re.IGNORECASE)]
    assert not found, "\n".join(found)


@pytest.mark.parametrize(("locale", "request_closed", "match_closed"), [
    ("it", "chiusa", "chiuso"),      # la richiesta, l'abbinamento
    ("es", "cerrada", "cerrado"),    # la solicitud, el emparejamiento
])
def test_a_status_agrees_with_what_it_is_said_of(app, locale, request_closed, match_closed):
    from flask_babel import force_locale

    from mutuo_aiuto.services.lifecycle import status_label
    from mutuo_aiuto.services.matches import match_status_label

    with force_locale(locale):
        assert status_label("closed") == request_closed
        assert match_status_label("closed") == match_closed
