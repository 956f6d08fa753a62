"""Schemathesis against the served API: every operation of ``/api/v1/openapi.json``,
with generated parameters, on a seeded database and a token that may read everything.

No answer may be a server error, or differ from the document in status code,
content type or body schema. Examples are bounded so the whole run stays well
under a minute on a small machine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import MatchingRun, Proposal
from mutuo_aiuto.services import api_tokens, policy
from mutuo_aiuto.web.api import openapi
from tests import factories
from tests.security.counts import count

CHECKS = [schemathesis.checks.not_a_server_error,
          schemathesis.checks.response_schema_conformance,
          schemathesis.checks.status_code_conformance,
          schemathesis.checks.content_type_conformance]
EXAMPLES = 20


@dataclass
class Served:
    app: Flask
    staff: str  # a facilitator who also asks for help: every scope
    member: str  # a family: its own requests and offers only


def seed(app: Flask) -> Served:
    """Two families with requests, offers, pairings in several states and a proposal; a
    facilitator with a household of their own; one token each."""
    with app.app_context():
        session = db.session
        make = factories
        place = make.make_neighbourhood(session)
        family = make.make_household(session, neighbourhood=place)
        helper = make.make_household(session, neighbourhood=place)
        staff = make.make_user(session, role="facilitator")
        make.make_household(session, user=staff, neighbourhood=place)
        offer = make.make_offer(session, household=helper, capacity=5)
        for status in ("active", "awaiting", "closed"):
            need = make.make_need(session, household=family, status="active",
                                  at_home=status == "active")
            make.make_match(session, need=need, offer=offer, status=status,
                            accepted_at=datetime.now(UTC) if status != "awaiting" else None,
                            closed_at=datetime.now(UTC) if status == "closed" else None,
                            hours=3.5 if status == "closed" else None)
        run = MatchingRun(kind="full", finished_at=datetime.now(UTC) - timedelta(hours=1))
        session.add(Proposal(run=run, need=make.make_need(session, household=family),
                             offer=offer, score=40, rank=1,
                             reasons=[{"code": "same_neighbourhood", "points": 6}]))
        admin = make.make_user(session, role="admin")
        every = api_tokens.issue(session, admin, staff, name="all",
                                 scopes=policy.api_scopes_for(staff)).secret
        own = api_tokens.issue(session, admin, family.user, name="own",
                               scopes=[policy.SCOPE_OWN]).secret
        session.commit()
    return Served(app, every, own)


@pytest.fixture
def served(make_app) -> Served:
    return seed(make_app())


# Negative data needs a parameter to break: the document itself takes none.
CASES = [(path, mode) for path in [*sorted(openapi.PATHS), "/openapi.json"]
         for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)
         if not (path == "/openapi.json" and mode == GenerationMode.NEGATIVE)]


@pytest.mark.parametrize(("path", "mode"), CASES,
                         ids=lambda value: str(getattr(value, "value", value)))
def test_the_api_answers_as_documented(served: Served, path: str, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_wsgi(openapi.PREFIX + "/openapi.json", served.app)
    operation = schema[path]["GET"]
    calls = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case: Any) -> None:
        for secret in (served.staff, served.member):
            case.call_and_validate(headers={"Authorization": f"Bearer {secret}"},
                                   checks=CHECKS)
            calls.append(case)

    run()
    count("schemathesis: API calls checked", len(calls))
    assert calls
