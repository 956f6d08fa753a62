"""Administration of API tokens: issue (the secret shown once), list, revoke, refuse."""

from __future__ import annotations

from sqlalchemy import select

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import ApiToken, AuditEvent
from mutuo_aiuto.services import audit, policy
from tests.factories import TEST_PASSWORD


def typed_again(client) -> None:
    """The password typed again: issuing a token needs a fresh login."""
    assert client.post("/confirm-password", data={"password": TEST_PASSWORD}).status_code == 302


def test_an_administrator_issues_a_token_and_sees_the_secret_once(client, login, make_user,
                                                                   make_household):
    admin = login(make_user(role="admin"))
    typed_again(client)
    family = make_household()
    form = client.get(f"/admin/api-tokens/new?account={family.user.public_id}")
    assert form.status_code == 200 and family.user.email in form.text
    answer = client.post("/admin/api-tokens/new", data={
        "account": family.user.email, "name": "App di famiglia",
        "scopes": [policy.SCOPE_OWN], "expires_on": "2099-12-31"})
    assert answer.status_code == 200, answer.text
    token = db.session.scalars(select(ApiToken)).one()
    secret = answer.text.split('<code class="secret" dir="ltr">')[1].split("<")[0]
    assert secret.startswith(token.prefix) and token.user_id == family.user.id
    assert token.created_by_id == admin.id and token.scopes == [policy.SCOPE_OWN]
    listing = client.get("/admin/api-tokens")
    assert token.prefix in listing.text and secret not in listing.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {secret}"}).status_code \
        == 200


def test_a_refused_token_is_said_on_its_field_and_nothing_is_issued(client, login, make_user,
                                                                    make_household):
    login(make_user(role="admin"))
    typed_again(client)
    family = make_household()
    cases = [
        {"account": "nobody@example.org", "name": "x", "scopes": [policy.SCOPE_OWN]},
        {"account": family.user.email, "name": "x", "scopes": [policy.SCOPE_FACILITATOR]},
        {"account": family.user.email, "name": "x", "scopes": [policy.SCOPE_OWN],
         "expires_on": "2001-01-01"},
        {"account": family.user.email, "name": "", "scopes": ["everything"]},
        {"account": family.user.email, "name": "x", "expires_on": "not a date"},
    ]
    for data in cases:
        answer = client.post("/admin/api-tokens/new", data=data)
        assert answer.status_code == 400, data
        assert 'field-error' in answer.text and "Traceback" not in answer.text
    assert db.session.scalars(select(ApiToken)).all() == []


def test_revoking_stops_the_token_and_is_audited(client, login, make_user, make_household):
    from mutuo_aiuto.services import api_tokens

    admin = login(make_user(role="admin"))
    issued = api_tokens.issue(db.session, admin, make_household().user, name="t",
                              scopes=[policy.SCOPE_OWN])
    db.session.commit()
    answer = client.post(f"/admin/api-tokens/{issued.token.public_id}/revoke")
    assert answer.status_code == 302
    assert client.get("/api/v1/me", headers={
        "Authorization": f"Bearer {issued.secret}"}).status_code == 401
    assert "Revoke" not in client.get("/admin/api-tokens?lang=en").text
    assert db.session.scalars(select(AuditEvent.action).where(
        AuditEvent.action == audit.API_TOKEN_REVOKED)).one()
    assert client.post("/admin/api-tokens/nOsUcHiD0000/revoke").status_code == 404


def test_only_administrators_open_the_token_pages(client, login, make_user):
    login(make_user(role="facilitator"))
    assert client.get("/admin/api-tokens").status_code == 403
    assert client.post("/admin/api-tokens/new", data={}).status_code == 403


def test_issuing_needs_a_fresh_login(client, login, make_user):
    login(make_user(role="admin"))
    answer = client.get("/admin/api-tokens/new")
    assert answer.status_code == 302 and "/confirm-password" in answer.location
