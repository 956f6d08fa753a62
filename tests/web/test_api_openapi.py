"""The OpenAPI document and the blueprint describe the same API: every route is in the
document and every documented operation is a route (both directions), and the document
is valid OpenAPI 3.1 whose every response has a schema."""

from __future__ import annotations

import re

from mutuo_aiuto.web.api import openapi

DOCUMENTED_METHODS = {"GET", "POST", "PUT", "PATCH", "DELETE"}


def routes(app) -> set[tuple[str, str]]:
    """(path as OpenAPI writes it, method) of every rule of the API blueprint."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        found |= {(path, method) for method in rule.methods & DOCUMENTED_METHODS}
    return found


def documented(document: dict) -> set[tuple[str, str]]:
    prefix = document["servers"][0]["url"]
    return {(prefix + path, method.upper()) for path, item in document["paths"].items()
            for method in item}


def test_every_route_is_documented_and_every_operation_is_a_route(app, client):
    served = client.get("/api/v1/openapi.json")
    assert served.status_code == 200 and served.mimetype == "application/json"
    document = served.json
    assert documented(document) == routes(app)
    assert ("/api/v1/requests/{public_id}", "GET") in routes(app)


def test_a_route_added_without_a_document_entry_is_caught(app):
    app.add_url_rule("/api/v1/extra", "api.extra", lambda: "{}")
    missing = routes(app) - documented(openapi.document())
    assert missing == {("/api/v1/extra", "GET")}


def test_the_document_is_valid_openapi_3_1(client):
    from jsonschema_rs import validator_for
    from schemathesis.specs.openapi.definitions import OPENAPI_31

    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"] == "3.1.0"
    validator_for(OPENAPI_31).validate(document)


def test_every_answer_has_a_schema_and_every_schema_is_used(client):
    document = client.get("/api/v1/openapi.json").json
    text = str(document["paths"])
    for path, item in document["paths"].items():
        for answer in item["get"]["responses"].values():
            assert answer["content"], path
    for name in document["components"]["schemas"]:
        used = f"#/components/schemas/{name}" in text or f"#/components/schemas/{name}" in str(
            document["components"]["schemas"])
        assert used, f"schema {name} is never used"
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"
    pages = [p for p, item in document["paths"].items()
             if any(param["name"] == "limit" for param in item["get"].get("parameters", []))]
    assert set(pages) == {"/requests", "/offers", "/proposals", "/pairings"}
