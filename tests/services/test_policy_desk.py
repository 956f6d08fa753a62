"""Who may act for a family at the front desk (``policy.can_act_for``) and who may print
a pairing's summary (``policy.can_print_summary``)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mutuo_aiuto.services import policy
from mutuo_aiuto.services.errors import NotAllowed

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def desk_family(make_household):
    household = make_household()
    household.desk_consent_at, household.desk_consent_version = NOW, "2026-11"
    return household


def test_a_facilitator_acts_only_for_a_household_with_desk_consent(make_user, make_household,
                                                                    desk_family):
    facilitator = make_user(role="facilitator")
    assert policy.can_act_for(facilitator, desk_family)
    assert not policy.can_act_for(facilitator, make_household())
    assert not policy.can_act_for(facilitator, None)
    with pytest.raises(NotAllowed):
        policy.require_act_for(facilitator, make_household())


def test_a_member_never_acts_for_another_nor_through_the_desk_for_itself(make_user,
                                                                         desk_family):
    assert not policy.can_act_for(make_user(), desk_family)
    assert not policy.can_act_for(desk_family.user, desk_family)
    assert not policy.can_act_for(None, desk_family)


def test_an_administrator_sits_at_the_desk_too(make_user, desk_family):
    # Decided (docs/security.md): administrators are staff of the Hub; every act is on
    # the trail with their name, as for a facilitator.
    assert policy.can_act_for(make_user(role="admin"), desk_family)


def test_a_deactivated_facilitator_acts_for_nobody(make_user, desk_family):
    assert not policy.can_act_for(make_user(role="facilitator", active=False), desk_family)


def test_staff_do_not_act_through_the_desk_for_their_own_household(make_user, make_household):
    facilitator = make_user(role="facilitator")
    own = make_household(user=facilitator)
    own.desk_consent_at = NOW
    assert not policy.can_act_for(facilitator, own)


@pytest.mark.parametrize(("status", "printable"), [
    ("awaiting", True), ("active", True), ("closed", False), ("declined", False),
    ("cancelled", False)])
def test_a_summary_is_printed_for_a_confirmed_pairing_by_the_family_and_staff(
        make_match, make_user, status, printable):
    match = make_match(status=status)
    assert policy.can_print_summary(match.need.household.user, match) is printable
    assert policy.can_print_summary(make_user(role="facilitator"), match) is printable
    assert not policy.can_print_summary(match.offer.household.user, match)
    assert not policy.can_print_summary(make_user(), match)
