"""Permission checks: contacts revealed only to the two sides of an accepted, running match."""

from __future__ import annotations

import pytest
from flask_login import AnonymousUserMixin

from mutuo_aiuto.models import Match
from mutuo_aiuto.services import policy
from tests import factories
from tests.match_scenes import build_scene


@pytest.fixture
def scene(session):
    return build_scene(session)


def pair(scene, status: str) -> Match:
    match = Match(need=scene.need, offer=scene.offer, status=status)
    scene.session.add(match)
    scene.session.commit()
    return match


def test_contacts_seen_by_the_household_itself_and_facilitators(scene):
    assert policy.can_see_contacts(scene.family.user, scene.family)
    assert policy.can_see_contacts(scene.facilitator, scene.family)


def test_contacts_hidden_from_other_members_and_anonymous(scene):
    stranger = factories.make_user(scene.session)
    assert not policy.can_see_contacts(stranger, scene.family)
    assert not policy.can_see_contacts(AnonymousUserMixin(), scene.family)
    assert not policy.can_see_contacts(None, scene.family)


def test_contacts_hidden_from_the_helper_before_confirmation(scene):
    assert not policy.can_see_contacts(scene.helper.user, scene.family)
    assert not policy.can_see_contacts(scene.family.user, scene.helper)


def test_contacts_hidden_while_the_helper_has_not_accepted(scene):
    # product.md: not until a facilitator confirmed and the helper accepted.
    pair(scene, "awaiting")
    assert not policy.can_see_contacts(scene.helper.user, scene.family)
    assert not policy.can_see_contacts(scene.family.user, scene.helper)


def test_contacts_shown_to_both_sides_once_the_helper_accepted(scene):
    pair(scene, "active")
    assert policy.can_see_contacts(scene.helper.user, scene.family)
    assert policy.can_see_contacts(scene.family.user, scene.helper)


def test_contacts_for_the_household_facilitators_and_administrators(scene):
    admin = factories.make_user(scene.session, role="admin")
    assert policy.can_see_contacts(admin, scene.family)


@pytest.mark.parametrize("status", ["declined", "unanswered", "closed", "cancelled"])
def test_contacts_hidden_again_when_the_match_ended(scene, status):
    pair(scene, status)
    assert not policy.can_see_contacts(scene.helper.user, scene.family)
    assert not policy.can_see_contacts(scene.family.user, scene.helper)


def test_a_match_reveals_nothing_to_a_third_household(scene):
    pair(scene, "active")
    third = scene.household()
    assert not policy.can_see_contacts(third.user, scene.family)
    assert not policy.can_see_contacts(scene.family.user, third)


def test_need_seen_by_family_facilitator_and_its_running_helper(scene):
    assert policy.can_view_need(scene.family.user, scene.need)
    assert policy.can_view_need(scene.facilitator, scene.need)
    assert not policy.can_view_need(scene.helper.user, scene.need)
    match = pair(scene, "awaiting")
    # Deciding, the helper reads only what the decision page shows (issue 11).
    assert not policy.can_view_need(scene.helper.user, scene.need)
    match.status = "active"
    scene.session.commit()
    assert policy.can_view_need(scene.helper.user, scene.need)
    match.status = "declined"
    scene.session.commit()
    assert not policy.can_view_need(scene.helper.user, scene.need)


def test_offer_seen_by_its_helper_and_facilitators_only(scene):
    assert policy.can_view_offer(scene.helper.user, scene.offer)
    assert policy.can_view_offer(scene.facilitator, scene.offer)
    assert not policy.can_view_offer(scene.family.user, scene.offer)


def test_match_actions(scene):
    match = pair(scene, "awaiting")
    family, helper, staff = scene.family.user, scene.helper.user, scene.facilitator
    stranger = factories.make_user(scene.session)
    assert [policy.can_act_on_match(u, match) for u in (family, helper, staff, stranger)] == [
        True, True, True, False]
    assert [policy.can_act_on_match(u, match, policy.RESPOND) for u in (family, helper, staff)
            ] == [False, True, False]
    assert not policy.can_act_on_match(family, match, policy.FEEDBACK)
    assert policy.can_act_on_match(staff, match, policy.MANAGE)
    assert not policy.can_act_on_match(helper, match, policy.MANAGE)
    match.status = "active"
    assert not policy.can_act_on_match(helper, match, policy.RESPOND)
    assert policy.can_act_on_match(family, match, policy.FEEDBACK)
    with pytest.raises(ValueError):
        policy.can_act_on_match(family, match, "delete")


def test_counterpart(scene):
    match = pair(scene, "active")
    assert policy.counterpart(scene.family.user, match) is scene.helper
    assert policy.counterpart(scene.helper.user, match) is scene.family
    assert policy.counterpart(scene.facilitator, match) is None
