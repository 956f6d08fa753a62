"""Bad input never hurts: hostile values in every form, query and address, and in the
matcher's problem file.

Hypothesis sends very long text, control characters and NUL, right-to-left and
zero-width marks, emoji, HTML and script, SQL fragments, numbers that are not
numbers, a field sent several times (a list where one value is expected) and
fields left out, to every POST route of ``app.url_map`` as the actor who may use
it: random forms over the fields the view's WTForms classes name (plus made-up
ones), and the form as its page fills it in with one or two fields spoiled. The
same values go in the query of every GET route and in place of every id or
token in an address. Never a 500 or a traceback; a form refused with 400 has
changed nothing at all; markup sent is never given back unescaped, neither on
the refused form nor on the page shown after a successful save.

Random values rarely land a particular one in a particular field, so every field
that reads a number, a date or a choice is also swept, one at a time, with the
few strings Python reads in surprising ways; and every field of every form (and
``next``) is swept with a multipart file part, a 309-digit integer and CR/LF and
other control characters, ``next`` also in the query of every GET route.
"""

from __future__ import annotations

import inspect
import io
import json
import re
import subprocess
import sys
from datetime import date, timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlsplit

import pytest
from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms import BooleanField, FieldList, FormField, StringField
from wtforms.fields.core import UnboundField

from mutuo_aiuto.matching import ProblemError, load_problem
from tests.security import render_matrix
from tests.security.access_matrix import BY_ENDPOINT, Route
from tests.security.conftest import Harness, table_digest
from tests.security.counts import count

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
# What must never come back as it was sent: the markup, unescaped.
RAW_MARKUP = (SCRIPT, "<img src=x onerror=alert(1)>")
PAYLOADS = (
    SCRIPT, IMG, "' OR 1=1 --", "Robert'); DROP TABLE needs;--", "1; SELECT * FROM users",
    "\u202eevil\u202c", "\u200f\u200e", "a\u200db\u200c", "\x00", "a\x00b", "\x07\x08\x1b[31m",
    "\r\n\t", "\ufeff", "👨\u200d👩\u200d👧 🇮🇹", "ﷺ", "مرحبا", "١٢٣", "²", "NaN", "sNaN",
    "Infinity", "-1", "1e309", "99999999999999999999999", "0x1F", "2026-02-30", "24:00",
    "25:61", "", " ", "%00", "../../etc/passwd", "{{7*7}}", "${7*7}", "None", "true", "[]",
)
MAX_LONG = 10_000
# Text that int() or Decimal() read in surprising ways: "²" is a digit int() refuses,
# "sNaN" is a Decimal that float() refuses, 23 digits overflow the database's integers
# and 309 digits overflow a float.
HUGE_INTEGER = "9" * 309
NOT_NUMBERS = ("²", "sNaN", "99999999999999999999999", HUGE_INTEGER, "-" + HUGE_INTEGER)
# Line breaks and other control characters, which a header (a redirect's Location) or a
# mail must never carry: "\r\n" would start a new header.
CONTROL_CHARACTERS = ("/\r\nSet-Cookie: x=1", "a\rb\nc", "\x1b[31m\x7f\x08", "\u2028\u2029\x85")

hostile_text = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=30),
    st.lists(st.sampled_from(PAYLOADS), min_size=2, max_size=4).map("".join),
    st.sampled_from(PAYLOADS).filter(bool).map(lambda p: (p * (MAX_LONG // len(p) + 1))[:MAX_LONG]),
)
# A list is the field sent several times, where the form expects one value.
field_value = st.one_of(hostile_text, st.lists(hostile_text, min_size=2, max_size=3))
made_up_names = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_-0123456789", min_size=1,
                        max_size=12)


def examples(n: int) -> settings:
    # The harness fixture is restored by each example itself, so sharing it is safe.
    return settings(max_examples=n, deadline=None, suppress_health_check=[
        HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


# Sized for the whole file to run in about a minute and a half on two cores.
POST_EXAMPLES, GET_EXAMPLES, PATH_EXAMPLES, FILE_EXAMPLES, COMMAND_EXAMPLES = 5, 2, 2, 100, 16
FORM_NAME = re.compile(r"\b([A-Z]\w*Form)\b")
ARGS_READ = re.compile(r"request\.args\.get\(\s*\"(\w+)\"")
CALL = re.compile(r"\b(\w+)\(")

_app = render_matrix.app_for_rendering()
RULES = render_matrix.rules_by_endpoint(_app.url_map)
POST_ENDPOINTS = sorted(e for e, rule in RULES.items() if "POST" in (rule.methods or ()))
GET_ENDPOINTS = sorted(e for e, rule in RULES.items() if "GET" in (rule.methods or ()))
ARGUMENT_ENDPOINTS = sorted(e for e, rule in RULES.items() if rule.arguments)


# ---- which fields a route's forms have -------------------------------------------------------


def view_sources(view: Any) -> str:
    """The view's source and that of the helpers of its module it calls (one level):
    ``_form()``, ``_filters()``, ``_page()`` build the forms and read the query."""
    function = inspect.unwrap(view)
    own = inspect.getsource(function)
    helpers = [function.__globals__.get(name) for name in set(CALL.findall(own))]
    return "\n".join([own, *(inspect.getsource(h) for h in helpers if inspect.isfunction(h)
                              and h.__module__ == function.__module__ and h is not function)])


def form_classes(view: Any) -> list[type[FlaskForm]]:
    """The WTForms classes a view (or a helper it calls) names."""
    found = []
    for name in set(FORM_NAME.findall(view_sources(view))):
        candidate = inspect.unwrap(view).__globals__.get(name)
        if isinstance(candidate, type) and issubclass(candidate, FlaskForm):
            found.append(candidate)
    return found


def _fields(unbound: UnboundField, name: str) -> list[tuple[str, type]]:
    if issubclass(unbound.field_class, FieldList):
        rows = max(unbound.kwargs.get("min_entries", 1), 1)
        return [f for i in range(rows) for f in _fields(unbound.args[0], f"{name}-{i}")]
    if issubclass(unbound.field_class, FormField):
        return form_fields(unbound.args[0], f"{name}-")
    return [(name, unbound.field_class)]


def form_fields(form_class: type, prefix: str = "") -> list[tuple[str, type]]:
    """``(input name, field class)`` of every input of a form, row lists unrolled."""
    found = []
    for attribute in dir(form_class):
        unbound = getattr(form_class, attribute, None)
        if isinstance(unbound, UnboundField):
            found += _fields(unbound, prefix + attribute)
    return found


def _parses(field_class: type) -> bool:
    """Whether the field turns the text into something else (a number, a date, a choice)."""
    return field_class.process_formdata not in (StringField.process_formdata,
                                                BooleanField.process_formdata)


def _view_fields(harness: Harness, endpoint: str) -> list[tuple[str, type]]:
    view = harness.app.view_functions[endpoint]
    return [f for form in form_classes(view) for f in form_fields(form)
            if f[0] != "csrf_token"]


def fields_of(harness: Harness, endpoint: str) -> list[str]:
    return sorted({name for name, _class in _view_fields(harness, endpoint)})


def parsed_fields_of(harness: Harness, endpoint: str) -> set[str]:
    return {name for name, field_class in _view_fields(harness, endpoint)
            if _parses(field_class)}


class FormReader(HTMLParser):
    """What a person would send from each POST form of a page: ``(action, fields)``."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self._select: tuple[str, list[str], list[str]] | None = None  # name, first, chosen
        self._textarea: tuple[str, list[str]] | None = None
        self._radios: dict[str, str] = {}  # a group nobody chose yet: its first value

    def _add(self, name: str | None, value: str) -> None:
        if self.forms and name:
            self.forms[-1][1].setdefault(name, []).append(value)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value or "" for key, value in attrs}
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.forms.append((a.get("action", ""), {}))
            self._radios = {}
        elif tag == "input" and "disabled" not in a:
            kind = a.get("type", "text")
            if kind == "radio":
                self._radios.setdefault(a.get("name", ""), a.get("value", ""))
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "image", "file", "reset"):
                self._add(a.get("name"), a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select = (a.get("name", ""), [], [])
        elif tag == "option" and self._select is not None:
            self._select[1].append(a.get("value", ""))
            if "selected" in a:
                self._select[2].append(a.get("value", ""))
        elif tag == "textarea":
            self._textarea = (a.get("name", ""), [])

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form" and self.forms:
            # A person answers every question: an unanswered choice takes its first option.
            for name, first in self._radios.items():
                self.forms[-1][1].setdefault(name, [first])
            self._radios = {}
        elif tag == "select" and self._select is not None:
            name, options, chosen = self._select
            for value in chosen or options[:1]:
                self._add(name, value)
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._add(self._textarea[0], "".join(self._textarea[1]).removeprefix("\n"))
            self._textarea = None


def browser_form(harness: Harness, route: Route, actor: str, url: str) -> dict[str, list[str]]:
    """The route's own form as its page fills it in (empty for a button with no page)."""
    if "GET" not in route.methods or route.expected("GET")[actor] != "200":
        return {}
    harness.restore()
    reader = FormReader()
    reader.feed(harness.client(actor).get(url).get_data(as_text=True))
    mine = [fields for action, fields in reader.forms if urlsplit(action).path in ("", url)]
    return max(mine, key=len, default={})


@st.composite
def spoiled(draw: Any, baseline: dict[str, list[str]], names: list[str]) -> dict[str, Any]:
    """The form as the page fills it in, with one or two fields hostile or left out."""
    form: dict[str, Any] = dict(baseline)
    keys = sorted(set(baseline) | set(names))
    for key in draw(st.lists(st.sampled_from(keys), min_size=1, max_size=2, unique=True)):
        if draw(st.booleans()) and key in form:
            del form[key]
        else:
            form[key] = draw(field_value)
    return form


def hostile_form(names: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """Some of the form's fields (the others left out), and perhaps made-up ones."""
    known = st.fixed_dictionaries({}, optional=dict.fromkeys(names, field_value))
    extra = st.dictionaries(made_up_names, field_value, max_size=2)
    return st.tuples(extra, known).map(lambda pair: pair[0] | pair[1])


# ---- what every answer must be ----------------------------------------------------------------


def send(client: Any, method: str, url: str, **kwargs: Any) -> Any:
    try:
        return client.open(url, method=method, **kwargs)
    except Exception as error:  # the crash is the finding: a 500 in production
        pytest.fail(f"{method} {url} raised {type(error).__name__}: {error}\n{kwargs}")


def assert_harmless(response: Any, what: str) -> None:
    # Bytes read leniently: an image (a logo) is not text.
    body = response.get_data().decode("utf-8", "replace")
    assert response.status_code < 500, (response.status_code, what)
    assert "Traceback" not in body, what
    if response.mimetype == "text/html":
        for markup in RAW_MARKUP:
            assert markup not in body, (markup, what)


def actor_for(route: Route, method: str) -> str:
    if method == "POST":
        return route.poster_actor()
    answers = route.expected("GET")
    # A page only a step of a flow opens (the code page after the number, the welcome
    # after a claim) sends everyone in the scene on: its redirect is what is walked here,
    # the page itself in its own tests (tests/web/test_phone_signin.py).
    for wanted in ("200", "302"):
        found = [actor for actor, answer in answers.items() if answer == wanted]
        if found:
            return found[0]
    raise AssertionError(f"{route.endpoint}: nobody in the scene opens it or is sent on")


def url_of(harness: Harness, route: Route, **replaced: str) -> str:
    values = {name: harness.scene.ids[key] for name, key in route.args.items()} | replaced
    return RULES[route.endpoint].build(values, append_unknown=False)[1]


def route_for(endpoint: str) -> Route:
    route = BY_ENDPOINT.get(endpoint)
    assert route is not None, f"{endpoint} has no entry in access_matrix.py"
    return route


# ---- every form ------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_hostile_forms_never_hurt(harness, endpoint):
    route = route_for(endpoint)
    actor, url = actor_for(route, "POST"), url_of(harness, route)
    names = fields_of(harness, endpoint)
    baseline = browser_form(harness, route, actor, url)
    harness.restore()
    untouched = table_digest()
    forms = hostile_form(names)
    if baseline:
        forms = st.one_of(forms, spoiled(baseline, names))

    @examples(POST_EXAMPLES)
    @given(form=forms)
    def post(form: dict[str, Any]) -> None:
        count("hostile input: POST forms (hypothesis examples)")
        harness.restore()
        client = harness.client(actor)
        response = send(client, "POST", url, data=form)
        what = f"POST {url} as {actor} with {form!r:.300}"
        assert_harmless(response, what)
        if response.status_code == 400:
            assert harness.as_restored() or table_digest() == untouched, (
                f"a refused form changed the data: {what}")
        location = urlsplit(response.location or "")
        if response.status_code in (302, 303) and not location.netloc:
            assert_harmless(send(client, "GET", location.path), f"after {what}")

    post()


@pytest.mark.parametrize("endpoint", [e for e in POST_ENDPOINTS if "GET" in RULES[e].methods])
def test_numbers_that_are_not_numbers_never_hurt(harness, endpoint):
    """Every field that reads a number, a date or a choice, and every field the page fills
    with digits (times, lists of points), gets in turn text that Python may take for a
    number but no form should: the rest of the form as the page fills it in."""
    route = route_for(endpoint)
    actor, url = actor_for(route, "POST"), url_of(harness, route)
    baseline = browser_form(harness, route, actor, url)
    numeric = sorted({key for key, values in baseline.items() if any(map(_has_digit, values))}
                     | parsed_fields_of(harness, endpoint))
    # One row of a repeated group stands for the others.
    numeric = [key for key in numeric if not re.search(r"-[1-9]\d*-", key)]
    harness.restore()
    untouched = table_digest()
    for key in numeric:
        for value in NOT_NUMBERS:
            count("hostile input: numbers that are not numbers (sweep)")
            harness.restore()
            form = baseline | {key: value}
            response = send(harness.client(actor), "POST", url, data=form)
            what = f"POST {url} as {actor} with {key}={value!r}"
            assert_harmless(response, what)
            if response.status_code == 400:
                assert harness.as_restored() or table_digest() == untouched, (
                    f"a refused form changed the data: {what}")


class FilePart:
    """A field sent as a multipart file part (``<input type=file>``), where text is expected."""

    def __repr__(self) -> str:
        return "<file part>"

    def value(self) -> tuple[io.BytesIO, str, str]:
        return io.BytesIO(b"<script>alert(1)</script>\r\n"), "x.txt", "text/plain"


# Every field of every form gets, in turn: a file part, a huge integer, control characters.
ODD_PARTS = (FilePart(), HUGE_INTEGER, *CONTROL_CHARACTERS)


def _multipart(form: dict[str, Any]) -> dict[str, Any]:
    return {key: value.value() if isinstance(value, FilePart) else value
            for key, value in form.items()}


@pytest.mark.parametrize("endpoint", POST_ENDPOINTS)
def test_file_parts_huge_integers_and_control_characters_never_hurt(harness, endpoint):
    """Every field of the route's forms (and the hidden ones its page fills in, such as
    ``next``) sent as a file part, as a 309-digit integer and with control characters;
    the rest of the form as the page fills it in. A 400 changes nothing."""
    route = route_for(endpoint)
    actor, url = actor_for(route, "POST"), url_of(harness, route)
    baseline = browser_form(harness, route, actor, url)
    names = sorted((set(baseline) | set(fields_of(harness, endpoint)) | {"next"})
                   - {"csrf_token"})
    names = [key for key in names if not re.search(r"-[1-9]\d*-", key)]
    harness.restore()
    untouched = table_digest()
    for key in names:
        for value in ODD_PARTS:
            count("hostile input: file parts, huge integers, control characters (sweep)")
            harness.restore()
            form = baseline | {key: value}
            response = send(harness.client(actor), "POST", url, data=_multipart(form),
                            content_type="multipart/form-data")
            what = f"POST {url} as {actor} with {key}={value!r}"
            assert_harmless(response, what)
            assert "\n" not in (response.location or "") and "\r" not in (
                response.location or ""), what
            if response.status_code == 400:
                assert harness.as_restored() or table_digest() == untouched, (
                    f"a refused form changed the data: {what}")


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_control_characters_in_next_never_hurt(harness, endpoint):
    """A ``next`` in the query with line breaks (the login page, the password page …)."""
    route = route_for(endpoint)
    actor, url = actor_for(route, "GET"), url_of(harness, route)
    for value in CONTROL_CHARACTERS:
        harness.restore()
        response = send(harness.client(actor), "GET", url, query_string={"next": value})
        assert_harmless(response, f"GET {url} as {actor} with next={value!r}")


def _has_digit(text: str) -> bool:
    return any(ch.isdigit() for ch in text)


def query_names(harness: Harness, endpoint: str) -> list[str]:
    """What a GET route reads from its query: ``request.args.get("…")`` and the fields of
    its forms that read numbers or choices."""
    source = view_sources(harness.app.view_functions[endpoint])
    return sorted(set(ARGS_READ.findall(source)) | parsed_fields_of(harness, endpoint))


QUERY_ENDPOINTS = [e for e in GET_ENDPOINTS
                   if "request.args" in view_sources(_app.view_functions[e])]


@pytest.mark.parametrize("endpoint", QUERY_ENDPOINTS)
def test_numbers_that_are_not_numbers_in_queries_never_hurt(harness, endpoint):
    route = route_for(endpoint)
    actor, url = actor_for(route, "GET"), url_of(harness, route)
    names = query_names(harness, endpoint)
    assert names, endpoint
    for name in names:
        for value in NOT_NUMBERS:
            count("hostile input: numbers that are not numbers in queries (sweep)")
            harness.restore()
            response = send(harness.client(actor), "GET", url, query_string={name: value})
            assert_harmless(response, f"GET {url} as {actor} with {name}={value!r}")


@pytest.mark.parametrize("endpoint", GET_ENDPOINTS)
def test_hostile_queries_never_hurt(harness, endpoint):
    """Search forms and filters read the query string: the same values go there."""
    route = route_for(endpoint)
    actor, url = actor_for(route, "GET"), url_of(harness, route)
    names = [*fields_of(harness, endpoint), "page", "start", "next", "q", "category"]

    @examples(GET_EXAMPLES)
    @given(query=hostile_form(names))
    def get(query: dict[str, Any]) -> None:
        count("hostile input: GET queries (hypothesis examples)")
        harness.restore()
        response = send(harness.client(actor), "GET", url, query_string=query)
        assert_harmless(response, f"GET {url} as {actor} with {query!r:.300}")

    get()


@pytest.mark.parametrize("endpoint", ARGUMENT_ENDPOINTS)
def test_hostile_addresses_never_hurt(harness, endpoint):
    """Whatever stands where an id or a token should, the answer is an ordinary one."""
    route = route_for(endpoint)
    method = route.methods[0]
    actor = actor_for(route, method)

    @examples(PATH_EXAMPLES)
    @given(value=hostile_text.filter(lambda v: v.strip("/") != ""))
    def ask(value: str) -> None:
        count("hostile input: addresses (hypothesis examples)")
        url = url_of(harness, route, **dict.fromkeys(route.args, value))
        harness.restore()
        response = send(harness.client(actor), method, url)
        assert_harmless(response, f"{method} {url} as {actor}")
        # 308: an empty segment ("//") is merged by the router, which sends the
        # browser to the merged address; that address gets the same checks.
        assert response.status_code in (200, 302, 308, 400, 404, 405), (
            url, response.status_code)

    ask()


# ---- NUL bytes: PostgreSQL refuses them, so the app refuses them first ----------------------


@pytest.mark.parametrize(("method", "url", "data"), [
    ("GET", "/calendar/a%00b.ics", None),
    ("GET", "/needs/abc%00def", None),
    ("GET", "/admin/audit?actor=a%00b", None),
    ("POST", "/account", {"name": "Ada\x00", "locale": "en"}),
    ("POST", "/family/edit", {"name\x00": "x"}),
    ("GET", "/api/v1/requests?page=1%00", None),
    ("GET", "/api/v1/offers/abc%00def", None),
])
def test_a_nul_byte_anywhere_is_refused_before_any_view(harness, method, url, data):
    before = table_digest()
    response = harness.client("admin" if "admin" in url else "owner").open(
        url, method=method, data=data)
    assert response.status_code == 400
    assert table_digest() == before


# ---- hostile text saved, then shown: always escaped ------------------------------------------


def _need_form() -> dict[str, Any]:
    return {"title": SCRIPT, "category": "childcare", "skills": ["school-run"],
            "weekly-0-days": ["1"], "weekly-0-start": "16:00", "weekly-0-end": "18:00",
            "ends_on": (date.today() + timedelta(days=60)).isoformat(),
            "neighbourhood": "fontivegge", "max_hops": "1",
            "helpers": "1", "urgency": "0", "languages": ["it"], "description": IMG}


SAVED = [
    ("owner", "/account", {"name": SCRIPT, "locale": "en"}, "/account"),
    ("owner", "/family/edit", {"name": SCRIPT, "neighbourhood": "fontivegge",
                               "languages": ["it"], "address": IMG, "care_notes": SCRIPT},
     "/family"),
    ("owner", "/family/members", {"kind": "child", "first_name": IMG}, "/family"),
    ("owner", "/family/members/{member}/edit", {"kind": "adult", "first_name": SCRIPT,
                                                "gender": "woman"}, "/family"),
    ("owner", "/needs/{need}/edit", _need_form(), "/needs/{need}"),
    ("admin", "/admin/categories/new", {"name_it": SCRIPT, "name_en": IMG, "kind": "care",
                                        "icon": "digital", "active": "y"}, "/admin/categories"),
]


@pytest.mark.parametrize(("actor", "url", "form", "page"), SAVED,
                         ids=[case[1] for case in SAVED])
def test_saved_markup_is_shown_escaped(harness, actor, url, form, page):
    ids = harness.scene.ids
    client = harness.client(actor)
    response = client.post(url.format(**ids), data=form)
    assert response.status_code == 302, response.text
    shown = client.get(page.format(**ids), headers={"Accept-Language": "en"})
    assert shown.status_code == 200
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in shown.text or (
        "&lt;img src=x onerror=alert(1)&gt;" in shown.text)
    for markup in RAW_MARKUP:
        assert markup not in shown.text


# ---- the matcher's problem file ----------------------------------------------------------------

json_scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.integers(
    min_value=10**18, max_value=10**30), st.floats(allow_nan=False, allow_infinity=False),
    hostile_text)
json_value = st.recursive(json_scalar, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)),
    max_leaves=12)
FIELDS = ("format", "neighbourhoods", "adjacency", "weights", "needs", "offers", "fixed", "id",
          "household", "skills", "neighbourhood", "slots", "day", "date", "start", "end",
          "capacity", "helpers", "max_hops", "urgency", "languages", "vetted", "need", "offer")
SLOT = {"day": 1, "start": "16:00", "end": "18:00"}
VALID = {"format": 1, "neighbourhoods": ["a", "b"], "adjacency": [["a", "b"]],
         "needs": [{"id": "n1", "household": "h1", "skills": ["s"], "neighbourhood": "a",
                    "slots": [SLOT]}],
         "offers": [{"id": "o1", "household": "h2", "skills": ["s"], "neighbourhood": "b",
                     "slots": [{"day": 1, "start": "15:00", "end": "19:00"}]}],
         "fixed": [{"need": "n1", "offer": "o1"}]}


@st.composite
def problem_files(draw: Any) -> Any:
    """Anything from random JSON to a valid problem with one field made hostile."""
    kind = draw(st.sampled_from(["random", "spoiled", "missing"]))
    if kind == "random":
        return draw(json_value)
    problem = json.loads(json.dumps(VALID))
    container = draw(st.sampled_from([problem, problem["needs"][0], problem["offers"][0],
                                      problem["needs"][0]["slots"][0], problem["fixed"][0]]))
    key = draw(st.sampled_from(FIELDS))
    if kind == "missing":
        container.pop(draw(st.sampled_from(sorted(container))), None)
    else:
        container[key] = draw(json_value)
    return problem


def _named_problem_error(error: ProblemError) -> None:
    # The command prints it on one line (whitespace folded); here it must say something.
    assert str(error).strip(), repr(error)


@examples(FILE_EXAMPLES)
@given(problem=problem_files())
def test_a_hostile_problem_is_read_or_refused_with_a_problem_error(tmp_path_factory, problem):
    """The loader (``load_problem``) reads a file or refuses it with a ``ProblemError``
    naming the fault; no other exception escapes."""
    count("matcher file: loader (hypothesis examples)")
    path = tmp_path_factory.mktemp("problem") / "problem.json"
    path.write_text(json.dumps(problem, ensure_ascii=False), encoding="utf-8")
    try:
        load_problem(path)
    except ProblemError as error:
        _named_problem_error(error)


@examples(FILE_EXAMPLES // 3)
@given(raw=st.one_of(st.binary(max_size=200), st.text(max_size=200).map(str.encode),
                     st.sampled_from([b"", b"\xef\xbb\xbf{}", b"[" * 5000, b"{\"format\": NaN}",
                                      b"{\"format\": 1e999}", b"\xff\xfe{}"])))
def test_a_file_that_is_not_json_is_refused_with_a_problem_error(tmp_path_factory, raw):
    count("matcher file: loader, raw bytes (hypothesis examples)")
    path = tmp_path_factory.mktemp("problem") / "problem.json"
    path.write_bytes(raw)
    try:
        load_problem(path)
    except ProblemError as error:
        _named_problem_error(error)


@examples(COMMAND_EXAMPLES)
@given(problem=problem_files())
def test_the_matcher_command_exits_0_or_2_without_a_traceback(tmp_path_factory, problem):
    count("matcher file: command (hypothesis examples)")
    path = tmp_path_factory.mktemp("problem") / "problem.json"
    path.write_text(json.dumps(problem, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "mutuo_aiuto.matching", str(path)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode in (0, 2), done.stderr
    assert "Traceback" not in done.stderr
    if done.returncode == 2:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    else:
        json.loads(done.stdout)
