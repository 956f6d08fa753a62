"""API tokens as services and policy see them: which scopes a role may carry, when a
token works, its last day in the Hub's calendar, revoking, finding the account."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import api_tokens, hubtime, policy
from mutuo_aiuto.services.errors import DomainError, NotFound

OWN, STAFF, IMPACT = policy.SCOPE_OWN, policy.SCOPE_FACILITATOR, policy.SCOPE_IMPACT
NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def test_the_scopes_each_role_may_carry(make_user, make_household):
    member = make_household().user
    staff = make_user(role="facilitator")
    staff_with_family = make_household(user=make_user(role="admin")).user
    off = make_household().user
    off.active = False
    assert policy.api_scopes_for(member) == (OWN,)
    assert policy.api_scopes_for(staff) == (STAFF, IMPACT)
    assert policy.api_scopes_for(staff_with_family) == (OWN, STAFF, IMPACT)
    assert policy.api_scopes_for(off) == ()
    assert policy.api_scopes_for(None) == ()


def test_a_scope_needs_both_the_token_and_the_role(make_user):
    staff = make_user(role="facilitator")
    assert policy.can_use_api_scope(staff, [STAFF], STAFF)
    assert not policy.can_use_api_scope(staff, [IMPACT], STAFF)
    assert not policy.can_use_api_scope(staff, None, STAFF)
    staff.role = "member"
    assert not policy.can_use_api_scope(staff, [STAFF], STAFF)


@pytest.mark.parametrize("revoked, expires, active, works", [
    (None, None, True, True),
    (NOW, None, True, False),
    (None, NOW + timedelta(seconds=1), True, True),
    (None, NOW, True, False),
    (None, (NOW - timedelta(days=1)).replace(tzinfo=None), True, False),  # naive: UTC
    (None, None, False, False),
])
def test_when_a_token_works(revoked, expires, active, works):
    token = SimpleNamespace(revoked_at=revoked, expires_at=expires,
                            user=SimpleNamespace(active=active))
    assert policy.can_use_api_token(token, NOW) is works


def test_a_token_works_to_the_end_of_its_last_day_in_rome(make_user, make_household):
    admin = make_user(role="admin")
    last = hubtime.clock().today() + timedelta(days=3)
    issued = api_tokens.issue(db.session, admin, make_household().user, name="t",
                              scopes=[OWN], expires_on=last)
    clock = hubtime.clock()
    assert api_tokens.last_day(issued.token, clock) == last
    # Midnight at the end of that day in Rome, 23:00 UTC in winter.
    assert clock.local(issued.token.expires_at).time().hour == 0
    assert clock.date_of(issued.token.expires_at) == last + timedelta(days=1)


def test_revoking_twice_changes_nothing_more(make_user, make_household):
    admin = make_user(role="admin")
    token = api_tokens.issue(db.session, admin, make_household().user, name="t",
                             scopes=[OWN]).token
    api_tokens.revoke(db.session, admin, token)
    first = token.revoked_at
    api_tokens.revoke(db.session, admin, token)
    assert token.revoked_at == first and token.revoked_by_id == admin.id


def test_tokens_are_listed_newest_first_and_found_by_public_id(make_user, make_household):
    admin = make_user(role="admin")
    old, new = (api_tokens.issue(db.session, admin, make_household().user, name=name,
                                 scopes=[OWN]).token for name in ("old", "new"))
    old.created_at = new.created_at - timedelta(days=1)
    db.session.flush()
    assert [t.name for t in api_tokens.list_tokens(db.session)] == ["new", "old"]
    assert api_tokens.get_token(db.session, new.public_id) is new
    with pytest.raises(NotFound):
        api_tokens.get_token(db.session, "nOsUcHiD0000")


def test_the_account_is_found_by_its_address_whatever_the_case(make_household):
    family = make_household()
    assert api_tokens.account_for(db.session, family.user.email.upper()) is family.user
    with pytest.raises(DomainError) as refused:
        api_tokens.account_for(db.session, "nobody@example.org")
    assert refused.value.field == "account"


@pytest.mark.parametrize("secret", ["", "ma_", "ma_" + "x" * 300, "other_prefix_abc"])
def test_a_secret_that_names_no_token_is_refused(app, secret):
    with pytest.raises(api_tokens.TokenRefused):
        api_tokens.authenticate(db.session, secret)


def test_the_expiry_is_the_hub_s_not_the_server_s(make_user, make_household):
    """A day is the Hub's day: a token for 'tomorrow' works until midnight in Rome."""
    admin = make_user(role="admin")
    tomorrow = hubtime.clock().today() + timedelta(days=1)
    token = api_tokens.issue(db.session, admin, make_household().user, name="t",
                             scopes=[OWN], expires_on=tomorrow).token
    end = hubtime.clock().start_of(tomorrow + timedelta(days=1))
    assert token.expires_at == end
    assert policy.can_use_api_token(token, end - timedelta(seconds=1))
    assert not policy.can_use_api_token(token, end)
