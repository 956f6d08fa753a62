"""Every route × every actor answers as the access matrix says (``access_matrix.py``).

A route added without an entry fails ``test_every_route_has_an_entry``;
another member's objects answer 404 like objects that do not exist; only
random public ids open objects, never their integer row ids; the matrix in
``docs/security.md`` is the one tested here.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import pytest
from werkzeug.routing import FloatConverter, IntegerConverter, UnicodeConverter

from tests.security import render_matrix
from tests.security.access_matrix import (
    ACCOUNTS,
    ACTORS,
    BY_ENDPOINT,
    ROUTES,
    SCENE_KEYS,
    Route,
)
from tests.security.conftest import Harness
from tests.security.counts import count

# A POST of the matrix carries a form, but nothing the form asks for.
INVALID_FORM = {"matrix-probe": "1"}
UNKNOWN_ID = "nOsUcHiD0000"
REFUSED = ("login", "reauth", "401", "403", "404", "405")
OBJECT_ROUTES = [route for route in ROUTES
                 if any(SCENE_KEYS[key][1] for key in route.args.values())]


def answer_of(response: Any) -> str:
    """The response as the matrix writes it."""
    assert b"Traceback" not in response.get_data()  # bytes: a logo is not text
    if response.status_code in (301, 302, 303, 307, 308):
        path = urlsplit(response.location).path
        return {"/login": "login", "/confirm-password": "reauth"}.get(path, "302")
    return str(response.status_code)


def url_for_route(harness: Harness, route: Route, **replaced: str) -> str:
    rule = render_matrix.rules_by_endpoint(harness.app.url_map)[route.endpoint]
    values = {name: harness.scene.ids[key] for name, key in route.args.items()} | replaced
    return rule.build(values, append_unknown=False)[1]


def ask(harness: Harness, actor: str, method: str, url: str, fresh: bool = True) -> str:
    """One request; an exception (a 500 in production) is an answer too."""
    data = INVALID_FORM if method == "POST" else None
    try:
        response = harness.request(actor, method, url, fresh=fresh, data=data)
    except Exception as error:  # the crash is the answer to report (a 500 in production)
        return f"500 ({type(error).__name__}: {error})"
    return answer_of(response)


# ---- the matrix covers the app --------------------------------------------------------------


def test_every_route_has_an_entry(app):
    rules = render_matrix.rules_by_endpoint(app.url_map)
    missing = sorted(set(rules) - set(BY_ENDPOINT))
    stale = sorted(set(BY_ENDPOINT) - set(rules))
    assert not missing, f"routes without an entry in access_matrix.py: {missing}"
    assert not stale, f"entries for routes that no longer exist: {stale}"
    for endpoint, rule in rules.items():
        route = BY_ENDPOINT[endpoint]
        taken = {m for m in render_matrix.HTTP_METHODS if m in rule.methods}
        assert set(route.methods) == taken, (endpoint, rule.methods)
        assert set(route.args) == set(rule.arguments), (endpoint, rule.arguments)
        assert set(route.args.values()) <= set(SCENE_KEYS), endpoint


def test_a_new_route_without_an_entry_is_caught(app):
    app.add_url_rule("/brand-new", "brand_new", lambda: "new")
    rules = render_matrix.rules_by_endpoint(app.url_map)
    assert set(rules) - set(BY_ENDPOINT) == {"brand_new"}


# ---- every route × every actor ------------------------------------------------------------


@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.endpoint)
def test_each_actor_gets_the_expected_answer(harness, route):
    url = url_for_route(harness, route)
    rule = render_matrix.rules_by_endpoint(harness.app.url_map)[route.endpoint]
    cases = [(method, route.expected(method)) for method in route.methods]
    cases += [(method, dict.fromkeys(ACTORS, "405")) for method in
              render_matrix.other_methods(rule)]
    wrong = []
    for method, expected in cases:
        for actor in ACTORS:
            got = ask(harness, actor, method, url)
            if got != expected[actor]:
                wrong.append(f"{method} {url} as {actor}: expected {expected[actor]}, got {got}")
    count("access matrix: (route, method, actor) cases", len(cases) * len(ACTORS))
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("route", [r for r in ROUTES if r.fresh], ids=lambda r: r.endpoint)
def test_a_stale_login_is_asked_for_the_password_again(harness, route):
    url = url_for_route(harness, route)
    for method in route.methods:
        allowed = [actor for actor, answer in route.expected(method).items()
                   if answer not in REFUSED]
        assert allowed, route
        for actor in allowed:
            assert ask(harness, actor, method, url, fresh=False) == "reauth", (method, actor)
            count("stale logins tried on fresh-only routes")


@pytest.mark.parametrize("route", [r for r in ROUTES if not r.fresh and r.get == ACCOUNTS],
                         ids=lambda r: r.endpoint)
def test_other_pages_do_not_ask_for_the_password_again(harness, route):
    assert ask(harness, "owner", "GET", url_for_route(harness, route), fresh=False) == "200"


# ---- ids cannot be probed ------------------------------------------------------------------


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda route: route.endpoint)
def test_another_members_object_answers_as_if_it_did_not_exist(harness, route):
    """404, never 403, on every object route open to members; on a staff route, the same
    403 whatever the id. Either way the answer says nothing about the id."""
    real = url_for_route(harness, route)
    made_up = url_for_route(harness, route, **dict.fromkeys(route.args, UNKNOWN_ID))
    for method in route.methods:
        expected = route.expected(method)
        open_to_members = expected["owner"] not in ("403", "login")
        assert expected["other_member"] == ("404" if open_to_members else "403"), route
        for actor in ("other_member", "helper"):
            if expected[actor] != "404" and actor == "helper":
                continue  # the helper may see this object: it is their match
            assert ask(harness, actor, method, real) == ask(harness, actor, method, made_up), (
                method, actor)
            count("another member's object vs an unknown id")


@pytest.mark.parametrize("route", OBJECT_ROUTES, ids=lambda route: route.endpoint)
def test_objects_are_addressed_by_random_public_ids_not_row_numbers(harness, route):
    rule = render_matrix.rules_by_endpoint(harness.app.url_map)[route.endpoint]
    rows = {name: key for name, key in route.args.items() if SCENE_KEYS[key][1]}
    for name, key in rows.items():
        converter = rule._converters[name]
        assert type(converter) is UnicodeConverter, (route.endpoint, name)
        assert not isinstance(converter, IntegerConverter | FloatConverter)
        public_id = harness.scene.ids[key]
        assert len(public_id) >= 12 and not public_id.isdigit()
    by_row = url_for_route(harness, route, **{
        name: str(harness.scene.row_ids[key]) for name, key in rows.items()})
    made_up = url_for_route(harness, route, **dict.fromkeys(rows, UNKNOWN_ID))
    for method in route.methods:
        # Whoever may open the object by its public id finds nothing by its row number.
        allowed = next(actor for actor, answer in route.expected(method).items()
                       if answer not in REFUSED)
        answer = ask(harness, allowed, method, by_row)
        assert answer == ask(harness, allowed, method, made_up), (method, allowed)
        if method == "GET":
            assert answer == "404", route.endpoint
        count("row numbers tried in place of public ids")


# ---- the published matrix ---------------------------------------------------------------------


def test_the_matrix_in_the_security_document_is_the_tested_one(app):
    published = render_matrix.current_section(render_matrix.DOC.read_text(encoding="utf-8"))
    assert published == render_matrix.render(app.url_map), (
        "docs/security.md is out of date: run `python -m tests.security.render_matrix`")
