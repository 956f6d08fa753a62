"""Every route that reads ``next`` (query string or hidden field) redirects only to a local path.

The facilitator's own redirect check once let ``/\\evil`` and ``/\\t/evil``
through (``Location: //evil.example``) and raised on CR/LF; now one helper,
``web.helpers.safe_next``, answers for every view.
"""

from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

import pytest

from mutuo_aiuto.services import matching_runs
from tests.conftest import FreshClient
from tests.factories import TEST_PASSWORD
from tests.match_scenes import build_scene

HOSTILE = [
    "//evil.example/x",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "\t//evil.example",
    "/\r\nLocation: https://evil.example/",
    "/ok\r\nSet-Cookie: stolen=1",
    "/\n/evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
]


@pytest.fixture
def client(app):
    # Fresh logins, so the privacy pages do not first ask for the password again.
    app.test_client_class = FreshClient
    return app.test_client()


@pytest.fixture
def scene(session):
    return build_scene(session)


def assert_local(response, expected: str) -> None:
    """A redirect to ``expected``, a path on this site, whatever ``next`` said."""
    assert response.status_code == 302
    location = response.headers["Location"]
    parts = urlsplit(location)
    assert not parts.scheme and not parts.netloc
    assert location.startswith("/") and not location.startswith("//")
    assert "\\" not in location and not any(ch.isspace() for ch in location)
    assert location == expected
    assert "Set-Cookie" not in response.headers or "stolen" not in response.headers["Set-Cookie"]


def _proposal(scene):
    [proposal] = matching_runs.propose_for(scene.session, scene.need, today=date.today())
    scene.session.commit()
    return proposal


@pytest.mark.parametrize("target", HOSTILE)
def test_running_the_matcher_goes_back_to_the_dashboard_only(client, login, scene, target):
    login(scene.facilitator)
    assert_local(client.post("/facilitator/run", data={"next": target}), "/facilitator")


@pytest.mark.parametrize("target", HOSTILE)
def test_confirming_goes_back_to_the_dashboard_only(client, login, scene, target):
    proposal = _proposal(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/confirm",
                           data={"next": target})
    assert_local(response, "/facilitator")


@pytest.mark.parametrize("target", HOSTILE)
def test_rejecting_goes_back_to_the_dashboard_only(client, login, scene, target):
    proposal = _proposal(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/reject",
                           data={"reason": "Orari diversi", "next": target})
    assert_local(response, "/facilitator")


@pytest.mark.parametrize("target", HOSTILE)
def test_a_hostile_next_in_the_query_string_is_refused_too(client, login, scene, target):
    login(scene.facilitator)
    response = client.post("/facilitator/run", query_string={"next": target})
    assert_local(response, "/facilitator")


def test_a_local_next_keeps_the_dashboards_filters(client, login, scene):
    login(scene.facilitator)
    response = client.post("/facilitator/run", data={"next": "/facilitator?urgency=2&page=1"})
    assert_local(response, "/facilitator?urgency=2&page=1")


@pytest.mark.parametrize("target", HOSTILE)
def test_logging_in_goes_to_a_local_page_only(app, client, make_user, target):
    user = make_user()
    response = client.post("/login", query_string={"next": target},
                           data={"email": user.email, "password": TEST_PASSWORD})
    with app.test_request_context():
        from flask import url_for

        landing = (url_for("families.household") if "families.household" in app.view_functions
                   else url_for("main.home"))
    assert_local(response, landing)


@pytest.mark.parametrize("target", HOSTILE)
def test_typing_the_password_again_goes_to_a_local_page_only(client, login, make_user, target):
    login(make_user())
    response = client.post("/confirm-password", query_string={"next": target},
                           data={"password": TEST_PASSWORD})
    assert_local(response, "/")


@pytest.mark.parametrize("target", HOSTILE)
def test_giving_consent_goes_to_a_local_page_only(client, login, make_user, target):
    login(make_user(consent_version="2025-01"))
    response = client.post("/consent", query_string={"next": target}, data={"agree": "y"})
    assert_local(response, "/")
