"""Who may see, manage and review an association (policy.py, section "Associations")."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from mutuo_aiuto.services import policy
from tests import factories


@pytest.fixture
def people(session):
    coordinator = factories.make_user(session)
    return {"coordinator": coordinator, "member": factories.make_user(session),
            "facilitator": factories.make_user(session, role="facilitator"),
            "admin": factories.make_user(session, role="admin"),
            "anonymous": AnonymousUserMixin()}


def association(session, people, status):
    return factories.make_association(session, status=status,
                                      coordinators=[people["coordinator"]])


# (status) -> who is a coordinator, may manage, may view
EXPECTED = {
    "approved": ({"coordinator"}, {"coordinator", "admin"},
                 {"coordinator", "member", "facilitator", "admin", "anonymous"}),
    "pending": ({"coordinator"}, {"coordinator", "admin"},
                {"coordinator", "facilitator", "admin"}),
    "suspended": (set(), {"admin"}, {"coordinator", "facilitator", "admin"}),
}


@pytest.mark.parametrize("status", sorted(EXPECTED))
def test_who_may_what(session, people, status):
    row = association(session, people, status)
    coordinators, managers, viewers = EXPECTED[status]
    assert {name for name, user in people.items()
            if policy.is_coordinator_of(user, row)} == coordinators
    assert {name for name, user in people.items()
            if policy.can_manage_association(user, row)} == managers
    assert {name for name, user in people.items()
            if policy.can_view_association(user, row)} == viewers


def test_administrators_are_not_coordinators(session, people):
    row = association(session, people, "approved")
    assert not policy.is_coordinator_of(people["admin"], row)


def test_no_coordinator_manages_another_association(session, people):
    mine = association(session, people, "approved")
    theirs = factories.make_association(session)
    assert policy.can_manage_association(people["coordinator"], mine)
    assert not policy.can_manage_association(people["coordinator"], theirs)
    assert not policy.is_coordinator_of(people["coordinator"], theirs)


def test_only_administrators_review(session, people):
    assert {name for name, user in people.items()
            if policy.can_review_associations(user)} == {"admin"}


def test_the_menu_knows_coordinators(session, people):
    association(session, people, "suspended")
    assert policy.coordinates_an_association(people["coordinator"])
    assert not policy.coordinates_an_association(people["member"])
    assert not policy.coordinates_an_association(people["anonymous"])
