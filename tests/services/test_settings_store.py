"""The administrator's matching weights: defaults, saving, and refusing nonsense."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.matching.model import Weights
from mutuo_aiuto.models import MatchingWeights
from mutuo_aiuto.services import settings_store
from mutuo_aiuto.services.errors import DomainError

GOOD = {"base": 10, "urgency": 5, "proximity": [6, 3, 1], "language": 4, "continuity": 8,
        "load": 2}


def rows(session) -> int:
    return session.execute(select(func.count(MatchingWeights.id))).scalar_one()


def test_defaults_are_the_contracts(session):
    assert settings_store.get_weights(session) == Weights()


def test_saved_weights_are_used_and_saved_once(session, make_user):
    admin = make_user(role="admin")
    settings_store.save_weights(session, admin, **GOOD | {"base": 3, "proximity": [9, 2]})
    weights = settings_store.save_weights(session, admin, **GOOD | {"load": 0})
    assert weights == Weights(base=10, proximity=(6, 3, 1), load=0)
    assert settings_store.get_weights(session) == weights
    assert rows(session) == 1


@pytest.mark.parametrize(("change", "field"), [
    ({"base": -1}, "base"), ({"urgency": 101}, "urgency"), ({"language": "4"}, "language"),
    ({"continuity": True}, "continuity"), ({"proximity": []}, "proximity"),
    ({"proximity": [1, 2, 3, 4, 5, 6]}, "proximity"), ({"proximity": [3, "lots"]}, "proximity"),
])
def test_nonsense_is_refused_on_its_field_and_nothing_saved(session, make_user, change, field):
    with pytest.raises(DomainError) as caught:
        settings_store.save_weights(session, make_user(role="admin"), **GOOD | change)
    assert caught.value.field == field
    assert rows(session) == 0


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(values=st.lists(st.one_of(st.integers(), st.text(max_size=3), st.none()), max_size=7))
def test_any_proximity_input_is_saved_or_refused_cleanly(session, make_user, values):
    admin = make_user(role="admin")
    try:
        weights = settings_store.save_weights(session, admin, **GOOD | {"proximity": values})
    except DomainError as error:
        assert error.field == "proximity"
    else:
        assert list(weights.proximity) == values
    session.rollback()
