"""The open API: tokens (hashed at rest, revoked and expired refused, scopes), what each
account reads (policy as on the pages), pagination, problems, rate limits and audit."""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import inspect, select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ApiToken, AuditEvent
from mutuo_aiuto.services import api_tokens, audit, policy
from mutuo_aiuto.services.errors import DomainError, NotAllowed

OWN, FACILITATOR, IMPACT = policy.SCOPE_OWN, policy.SCOPE_FACILITATOR, policy.SCOPE_IMPACT


@pytest.fixture
def admin(make_user):
    return make_user(role="admin", name="Amministratrice")


@pytest.fixture
def issue(admin):
    def do(user: Any, scopes: tuple[str, ...] = (OWN,), **extra: Any) -> str:
        issued = api_tokens.issue(db.session, admin, user, name="test", scopes=scopes, **extra)
        db.session.commit()
        return issued.secret

    return do


def bearer(secret: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}", **headers}


@pytest.fixture
def family(make_household):
    return make_household(name="Famiglia Hassan")


# ---- tokens -------------------------------------------------------------------------


def test_only_a_digest_and_a_prefix_of_the_secret_are_stored(family, issue):
    secret = issue(family.user)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(token.prefix) and len(token.prefix) < len(secret) / 3
    stored = [getattr(token, c.key) for c in inspect(ApiToken).columns]
    assert all(secret not in str(value) for value in stored)


def test_a_valid_token_opens_the_api_and_its_use_is_noted(client, family, issue):
    secret = issue(family.user)
    answer = client.get("/api/v1/me", headers=bearer(secret))
    assert answer.status_code == 200, answer.json
    assert answer.json["user"]["id"] == family.user.public_id
    assert answer.json["token"]["scopes"] == [OWN]
    assert "Set-Cookie" not in answer.headers
    assert db.session.scalars(select(ApiToken)).one().last_used_at is not None


@pytest.mark.parametrize("header", [None, "Bearer ", "Basic abc", "Bearer ma_not-a-token",
                                    "Bearer nothing-like-ours"])
def test_no_token_or_an_unknown_one_is_a_401_problem(client, header):
    headers = {"Authorization": header} if header else {}
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert answer.headers["WWW-Authenticate"].startswith("Bearer")
    assert answer.json["status"] == 401 and answer.json["detail"]


def test_a_revoked_token_is_refused(client, family, issue, admin):
    secret = issue(family.user)
    token = db.session.scalars(select(ApiToken)).one()
    api_tokens.revoke(db.session, admin, token)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert audit.API_TOKEN_ISSUED in actions and audit.API_TOKEN_REVOKED in actions


def test_an_expired_token_is_refused(client, app, family, issue):
    secret = issue(family.user, expires_on=date.today() + timedelta(days=1))
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 200
    token = db.session.scalars(select(ApiToken)).one()
    token.expires_at = token.created_at - timedelta(seconds=1)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_deactivated_account_s_token_is_refused(client, family, issue):
    secret = issue(family.user)
    family.user.active = False
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401


def test_a_login_cookie_opens_nothing_in_the_api(client, login, family):
    login(family.user)
    answer = client.get("/api/v1/requests")
    assert answer.status_code == 401
    assert "Set-Cookie" not in answer.headers


# ---- issuing: what each role may be given -----------------------------------------------


def test_a_member_cannot_be_given_staff_scopes(family, admin):
    with pytest.raises(DomainError) as refused:
        api_tokens.issue(db.session, admin, family.user, name="x", scopes=[FACILITATOR])
    assert refused.value.field == "scopes"


@pytest.mark.parametrize("name, scopes, expires_on, field", [
    ("", [OWN], None, "name"), ("x" * 81, [OWN], None, "name"), ("ok", [], None, "scopes"),
    ("ok", ["everything"], None, "scopes"), ("ok", [OWN], date(2000, 1, 1), "expires_on")])
def test_a_bad_request_for_a_token_is_refused_on_its_field(family, admin, name, scopes,
                                                            expires_on, field):
    with pytest.raises(DomainError) as refused:
        api_tokens.issue(db.session, admin, family.user, name=name, scopes=scopes,
                         expires_on=expires_on)
    assert refused.value.field == field


def test_only_an_administrator_issues_or_revokes(make_user, family):
    facilitator = make_user(role="facilitator")
    with pytest.raises(NotAllowed):
        api_tokens.issue(db.session, facilitator, family.user, name="x", scopes=[OWN])


def test_staff_scopes_follow_the_role_of_today(client, make_user, issue):
    facilitator = make_user(role="facilitator")
    secret = issue(facilitator, scopes=(FACILITATOR, IMPACT))
    assert client.get("/api/v1/proposals", headers=bearer(secret)).status_code == 200
    facilitator.role = "member"
    db.session.commit()
    answer = client.get("/api/v1/proposals", headers=bearer(secret))
    assert answer.status_code == 403 and FACILITATOR in answer.json["detail"]


def test_a_scope_the_token_lacks_is_a_403(client, make_user, issue):
    facilitator = make_user(role="facilitator")
    secret = issue(facilitator, scopes=(IMPACT,))
    assert client.get("/api/v1/pairings", headers=bearer(secret)).status_code == 403
    assert client.get("/api/v1/impact", headers=bearer(secret)).status_code == 200


# ---- what a household reads ----------------------------------------------------------


def test_a_member_reads_only_their_own_requests(client, family, make_need, make_household,
                                                issue):
    mine = make_need(household=family, title="Compiti")
    other = make_need(household=make_household(), title="Altrui")
    secret = issue(family.user)
    listed = client.get("/api/v1/requests", headers=bearer(secret)).json
    assert [item["id"] for item in listed["items"]] == [mine.public_id]
    assert client.get(f"/api/v1/requests/{mine.public_id}",
                      headers=bearer(secret)).json["title"] == "Compiti"
    refused = client.get(f"/api/v1/requests/{other.public_id}", headers=bearer(secret))
    unknown = client.get("/api/v1/requests/nOsUcHiD0000", headers=bearer(secret))
    assert refused.status_code == unknown.status_code == 404
    assert refused.json == unknown.json


def test_the_helper_is_named_with_contacts_only_once_they_accepted(
        client, family, make_need, make_offer, make_match, make_household, issue):
    helper = make_household(name="Famiglia Rossi", phone="+39 333 1234567")
    offer = make_offer(household=helper)
    waiting = make_match(need=make_need(household=family, status="matched"), offer=offer,
                         status="awaiting")
    running = make_match(need=make_need(household=family, status="active"), offer=offer,
                         status="active")
    secret = issue(family.user)
    for match, named in ((waiting, False), (running, True)):
        need = client.get(f"/api/v1/requests/{match.need.public_id}", headers=bearer(secret))
        other = need.json["pairings"][0]["counterpart"]
        assert (other["name"] == "Famiglia Rossi") is named
        assert (other["phone"] == "+39 333 1234567") is named
        assert other["address"] is None  # nobody is told a helper's address


def test_the_helper_sees_the_family_s_address_only_for_help_at_home(
        client, family, make_need, make_offer, make_match, make_household, issue):
    helper = make_household()
    offer = make_offer(household=helper)
    make_match(need=make_need(household=family, status="active", at_home=True), offer=offer)
    secret = issue(helper.user)
    answer = client.get(f"/api/v1/offers/{offer.public_id}", headers=bearer(secret))
    assert answer.json["pairings"][0]["counterpart"]["address"] == family.address


def test_pages_of_requests(client, family, make_need, issue):
    for n in range(3):
        make_need(household=family, title=f"Richiesta {n}")
    secret = issue(family.user)
    first = client.get("/api/v1/requests?limit=2", headers=bearer(secret)).json
    assert (len(first["items"]), first["total"], first["next_page"]) == (2, 3, 2)
    second = client.get("/api/v1/requests?limit=2&page=2", headers=bearer(secret)).json
    assert (len(second["items"]), second["next_page"]) == (1, None)
    ids = {i["id"] for i in first["items"]} | {i["id"] for i in second["items"]}
    assert len(ids) == 3


@pytest.mark.parametrize("query", ["limit=101", "limit=0", "page=0", "page=x", "limit=-1",
                                   "page=%C2%B2"])
def test_a_bad_page_or_limit_is_a_422_naming_the_parameter(client, family, issue, query):
    answer = client.get(f"/api/v1/offers?{query}", headers=bearer(issue(family.user)))
    assert answer.status_code == 422 and answer.mimetype == "application/problem+json"
    assert answer.json["errors"][0]["parameter"] == query.split("=")[0]


def test_reads_of_personal_data_are_audited(client, family, make_need, issue):
    make_need(household=family)
    client.get("/api/v1/requests", headers=bearer(issue(family.user)))
    event = db.session.scalars(select(AuditEvent).where(
        AuditEvent.action == audit.API_DATA_READ)).one()
    assert event.household_id == family.id and event.details["items"] == 1


# ---- staff ----------------------------------------------------------------------------


def test_a_facilitator_reads_pairings_with_both_sides(client, make_user, make_match, issue):
    facilitator = make_user(role="facilitator")
    match = make_match(status="active")
    answer = client.get("/api/v1/pairings?status=active",
                        headers=bearer(issue(facilitator, scopes=(FACILITATOR,))))
    item = answer.json["items"][0]
    assert item["id"] == match.public_id
    assert item["family"]["name"] == match.need.household.name
    assert item["helper"]["email"] == match.offer.household.user.email
    bad = client.get("/api/v1/pairings?status=lost",
                     headers=bearer(issue(facilitator, scopes=(FACILITATOR,))))
    assert bad.status_code == 422


@pytest.mark.parametrize("query", ["from=2026-13", "from=2026-05&to=2026-01",
                                   "from=1990-01&to=2026-01", "to=26-01"])
def test_impact_months_are_checked(client, make_user, issue, query):
    secret = issue(make_user(role="facilitator"), scopes=(IMPACT,))
    answer = client.get(f"/api/v1/impact?{query}", headers=bearer(secret))
    assert answer.status_code == 422, answer.json


def test_impact_rows_mark_small_counts_suppressed(client, make_user, make_match, issue):
    make_match(status="active")
    secret = issue(make_user(role="facilitator"), scopes=(IMPACT,))
    rows = client.get("/api/v1/impact", headers=bearer(secret)).json["rows"]
    total = next(r for r in rows if r["breakdown"] == "period"
                 and r["measure"] == "matches_confirmed")
    assert total == {**total, "value": None, "suppressed": True}


# ---- problems ----------------------------------------------------------------------


def test_problems_speak_the_asked_language_else_the_account_s(client, make_household, issue):
    secret = issue(make_household(user=None).user)  # accounts speak Italian by default
    italian = client.get("/api/v1/proposals", headers=bearer(secret)).json["detail"]
    english = client.get("/api/v1/proposals",
                         headers=bearer(secret, **{"Accept-Language": "en"})).json["detail"]
    assert english.startswith("This token does not allow") and italian != english


def test_an_unknown_address_or_method_under_the_api_is_a_problem(client):
    for answer, status in ((client.get("/api/v1/nothing"), 404),
                           (client.post("/api/v1/me"), 405)):
        assert answer.status_code == status and answer.mimetype == "application/problem+json"


def test_the_rate_limit_counts_each_token_apart(make_app, make_user, make_household):
    app = make_app(ratelimit_enabled=True, api_rate_limit="3/minute")
    with app.app_context():
        from tests import factories

        admin = factories.make_user(db.session, role="admin")
        first, second = (api_tokens.issue(db.session, admin,
                                          factories.make_household(db.session).user,
                                          name="t", scopes=[OWN]).secret for _ in range(2))
        db.session.commit()
        client = app.test_client()
        answers = [client.get("/api/v1/me", headers=bearer(first)).status_code
                   for _ in range(4)]
        assert answers == [200, 200, 200, 429]
        limited = client.get("/api/v1/me", headers=bearer(first))
        assert limited.mimetype == "application/problem+json"
        assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


# ---- the account's own data --------------------------------------------------------------


def test_the_privacy_export_lists_tokens_without_their_digest(family, issue):
    from mutuo_aiuto.services.gdpr.export import export_household

    issue(family.user)
    text = repr(export_household(db.session, family.user))
    assert "api_tokens" in text and "'scopes': ['own:read']" in text
    assert "token_hash" not in text


def test_erasing_the_account_stops_its_tokens(client, family, issue):
    from mutuo_aiuto.services.gdpr import erasure

    secret = issue(family.user)
    erasure.anonymise_household(db.session, family)
    db.session.commit()
    assert client.get("/api/v1/me", headers=bearer(secret)).status_code == 401
    assert db.session.scalars(select(ApiToken)).all() == []


def test_every_worker_shares_a_token_s_count_in_redis(make_app, redis_url):
    import redis

    from tests import factories

    first = make_app(ratelimit_enabled=True, api_rate_limit="3/minute",
                     ratelimit_storage_uri=redis_url)
    with first.app_context():
        admin = factories.make_user(db.session, role="admin")
        issued = api_tokens.issue(db.session, admin, factories.make_household(db.session).user,
                                  name="t", scopes=[OWN])
        db.session.commit()
        secret, key = issued.secret, issued.token.public_id
    second = make_app(create_schema=False, ratelimit_enabled=True, api_rate_limit="3/minute",
                      ratelimit_storage_uri=redis_url)
    try:
        answers = [app.test_client().get("/api/v1/me", headers=bearer(secret)).status_code
                   for app in (first, first, second, second)]
        assert answers == [200, 200, 200, 429]
        assert redis.Redis.from_url(redis_url).keys(f"*api-token:{key}*")
    finally:
        store = redis.Redis.from_url(redis_url)
        for found in store.keys(f"*api-token:{key}*"):
            store.delete(found)


def test_an_account_with_no_household_yet_has_no_requests(client, make_user, issue):
    secret = issue(make_user())  # signed up, the family form not yet filled in
    answer = client.get("/api/v1/requests", headers=bearer(secret))
    assert answer.status_code == 200
    assert (answer.json["items"], answer.json["total"], answer.json["next_page"]) == ([], 0, None)
