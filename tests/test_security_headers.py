"""Front-end headers, no inline script or style, no asset from elsewhere, and safe error pages.

Also here: the request size limit (413) and a database outage (503), whose
pages must carry the same headers and never a traceback.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from mutuo_aiuto import security

TEMPLATES = Path(security.__file__).parent / "web" / "templates"
PUBLIC_PAGES = ("/", "/login", "/login/phone", "/register", "/reset", "/privacy", "/nowhere")


def _csp(response) -> dict[str, list[str]]:
    directives = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_every_page_has_the_security_headers(client, path):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = _csp(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]


def test_the_policy_never_allows_inline_code(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    for loosening in ("unsafe-inline", "unsafe-eval", "unsafe-hashes", "nonce-", "sha256-", "*"):
        assert loosening not in policy
    # Scripts and styles fall back to default-src 'self': nothing loosens them.
    assert not {"script-src", "style-src", "script-src-attr", "style-src-attr"} & set(_csp(
        client.get("/")))


def test_static_files_have_the_headers_too(client):
    with client.get("/static/css/app.css") as response:
        assert response.status_code == 200
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" in response.headers


def test_hsts_outside_development(make_app):
    production = make_app(environment="production", testing=False)
    header = production.test_client().get("/").headers["Strict-Transport-Security"]
    assert "max-age=31536000" in header


def test_no_hsts_in_development(make_app):
    development = make_app(environment="development", testing=False)
    assert "Strict-Transport-Security" not in development.test_client().get("/").headers


# ---- templates: no inline script or style, no asset from another site -------------------


class _Assets(HTMLParser):
    """Collects what a strict CSP would block: inline code and foreign assets."""

    def __init__(self) -> None:
        super().__init__()
        self.problems: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = dict(attrs)
        if "style" in names:
            self.problems.append(f"style attribute on <{tag}>")
        self.problems += [f"{n} handler on <{tag}>" for n in names if n.startswith("on")]
        if tag == "script" and not names.get("src"):
            self.problems.append("inline <script>")
        if tag == "style":
            self.problems.append("<style> element")
        asset = names.get("src") if tag in ("script", "img", "iframe", "source") else (
            names.get("href") if tag == "link" else None)
        if asset and urlsplit(asset).netloc:
            self.problems.append(f"asset from another site: {asset}")


def _problems(html: str) -> list[str]:
    parser = _Assets()
    parser.feed(html)
    return parser.problems


@pytest.mark.parametrize("template", sorted(p.relative_to(TEMPLATES).as_posix()
                                            for p in TEMPLATES.rglob("*.html")))
def test_templates_have_no_inline_code_or_foreign_assets(template):
    source = (TEMPLATES / template).read_text()
    # Jinja blocks could hide a "style=" in an expression: look at the raw text too.
    assert not re.search(r"\sstyle\s*=", source), template
    assert not re.search(r"<script(?![^>]*\ssrc=)", source), template
    assert not re.search(r"""(src|href)=["']https?://[^"']*\.(css|js|woff2?)""", source), template


@pytest.mark.parametrize("path", PUBLIC_PAGES)
def test_rendered_pages_pass_the_same_checks(client, path):
    assert _problems(client.get(path).text) == []


def test_a_logged_in_page_passes_them_and_is_not_cached(client, login, make_user):
    login(make_user())
    response = client.get("/family/privacy")
    assert response.status_code == 200
    assert _problems(response.text) == []
    assert response.headers["Cache-Control"] == "no-store"


def test_anonymous_pages_may_be_cached(client):
    assert "no-store" not in client.get("/").headers.get("Cache-Control", "")


# ---- request ids ---------------------------------------------------------------------


def test_each_response_has_its_own_request_id(client):
    first = client.get("/").headers["X-Request-ID"]
    second = client.get("/").headers["X-Request-ID"]
    assert first != second and len(first) >= 16


def test_a_request_id_from_the_client_is_ignored_without_a_proxy(client):
    response = client.get("/", headers={"X-Request-ID": "forged-request-id"})
    assert response.headers["X-Request-ID"] != "forged-request-id"


def test_the_proxys_request_id_is_kept_behind_a_proxy(make_app):
    behind = make_app(proxy_fix_hops=1).test_client()
    assert behind.get("/", headers={"X-Request-ID": "proxy-0001-abcd"}).headers[
        "X-Request-ID"] == "proxy-0001-abcd"
    # A malformed one is replaced rather than copied into logs and audit records.
    assert behind.get("/", headers={"X-Request-ID": "bad id; <script>"}).headers[
        "X-Request-ID"] != "bad id; <script>"


# ---- too large a request, a database that is down ------------------------------------------


def test_a_request_over_the_size_limit_gets_the_413_page(make_app):
    app = make_app(max_content_length=2048, extra={"WTF_CSRF_ENABLED": True})
    client = app.test_client()
    response = client.post("/login", data={"email": "a@example.org", "password": "x" * 5000},
                           headers={"Accept-Language": "en"})
    assert response.status_code == 413
    assert "Too much data" in response.text
    assert "Traceback" not in response.text
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_request_within_the_limit_is_read(make_app):
    app = make_app(max_content_length=2048)
    response = app.test_client().post("/login", data={"email": "a@example.org",
                                                      "password": "x" * 500})
    assert response.status_code == 400  # a wrong login, not a refused request


def test_a_database_that_is_down_gives_the_503_page(make_app):
    app = make_app(create_schema=False, database_url="postgresql://nobody@127.0.0.1:1/nothing")
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = "abcdefghijkl:1"  # loading the user needs the database
    response = client.get("/family/privacy", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    assert "Service unavailable" in response.text
    assert "Traceback" not in response.text and "psycopg" not in response.text
    assert response.headers["Content-Security-Policy"] == security.CONTENT_SECURITY_POLICY


def test_a_database_that_is_down_gives_json_to_the_api(make_app):
    app = make_app(create_schema=False, database_url="postgresql://nobody@127.0.0.1:1/nothing")
    client = app.test_client()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = "abcdefghijkl:1"
    response = client.get("/", headers={"Accept": "application/json"})
    assert response.status_code == 503
    assert response.json["error"]


def test_every_page_denies_camera_microphone_and_location_and_allows_data_images(client):
    for path in ("/", "/login", "/privacy"):
        response = client.get(path)
        assert response.headers["Permissions-Policy"] == (
            "camera=(), microphone=(), geolocation=()")
        assert _csp(response)["img-src"] == ["'self'", "data:"]
