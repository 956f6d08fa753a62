"""Addresses name objects by random public ids, never by sequential integers."""

from __future__ import annotations

import string

import pytest
from sqlalchemy import String
from werkzeug.routing import IntegerConverter, UnicodeConverter

from mutuo_aiuto.models import ErasureRequest, FollowUp, Household, Match, Member, Need, Offer
from mutuo_aiuto.models.types import new_public_id

URL_SAFE = set(string.ascii_letters + string.digits + "-_")
# Objects that appear in addresses; each must carry a random public id.
ADDRESSED = (Household, Need, Offer, Match, Member, FollowUp, ErasureRequest)


def test_no_address_takes_an_integer(app):
    for rule in app.url_map.iter_rules():
        for name, converter in rule._converters.items():
            assert not isinstance(converter, IntegerConverter), (rule.rule, name)


def test_object_addresses_take_a_public_id_string(app):
    object_prefixes = ("/family/", "/needs/", "/offers/", "/matches/", "/facilitator/",
                       "/vetting/", "/followups/", "/admin/users/", "/inbox/")
    checked = 0
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(object_prefixes) or not rule.arguments:
            continue
        for name, converter in rule._converters.items():
            assert type(converter) is UnicodeConverter, (rule.rule, name)
            assert name in ("public_id", "household_id"), (rule.rule, name)
        checked += 1
    assert checked >= 10  # the families' need and offer pages at least


@pytest.mark.parametrize("model", ADDRESSED, ids=lambda m: m.__name__)
def test_addressed_models_have_a_unique_random_public_id(model):
    column = model.__table__.c.public_id
    assert column.unique
    assert isinstance(column.type, String)
    assert column.default.arg.__name__ == new_public_id.__name__


def test_public_ids_are_long_random_and_url_safe():
    ids = [new_public_id() for _ in range(5000)]
    assert len(set(ids)) == len(ids)
    assert all(len(i) >= 12 and set(i) <= URL_SAFE for i in ids)
    # Not a counter in disguise: consecutive ids share no common prefix.
    assert len({i[:4] for i in ids}) > 4000


def test_pages_link_by_public_id_and_integers_find_nothing(client, login, make_need,
                                                           make_offer):
    need = make_need()
    offer = make_offer(household=need.household)
    login(need.household.user)
    listing = client.get("/needs").text
    assert f"/needs/{need.public_id}" in listing
    assert f'/needs/{need.id}"' not in listing
    assert client.get(f"/needs/{need.public_id}").status_code == 200
    assert client.get(f"/needs/{need.id}").status_code == 404
    assert client.get(f"/offers/{offer.public_id}").status_code == 200
    assert client.get(f"/offers/{offer.id}").status_code == 404


def test_a_match_page_answers_to_its_public_id_only(client, login, session, make_need,
                                                    make_offer):
    need = make_need()
    match = Match(need=need, offer=make_offer(), status="active")
    session.add(match)
    session.commit()
    login(need.household.user)
    assert client.get(f"/matches/{match.public_id}").status_code == 200
    assert client.get(f"/matches/{match.id}").status_code == 404


def test_a_vetting_page_answers_to_the_household_public_id_only(client, login, make_user,
                                                                make_household):
    household = make_household()
    login(make_user(role="facilitator"))
    assert client.get(f"/vetting/{household.public_id}").status_code == 200
    assert client.get(f"/vetting/{household.id}").status_code == 404
