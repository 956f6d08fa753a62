"""The reasons of a proposal in plain words, in the reader's language."""

from __future__ import annotations

from datetime import date

import pytest
from flask_babel import force_locale

from mutuo_aiuto.models import NeedSlot, OfferSlot
from mutuo_aiuto.services import reasons
from tests.match_scenes import build_scene, tuesday


@pytest.fixture
def scene(session):
    return build_scene(session, urgency=2)


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def test_the_matchers_reasons_in_english(scene):
    found = [{"code": "base", "points": 10}, {"code": "urgency", "points": 10},
             {"code": "proximity", "points": 6, "hops": 0},
             {"code": "language", "points": 4, "shared": ["ar"]},
             {"code": "continuity", "points": 8}, {"code": "load", "points": -4}]
    with force_locale("en"):
        lines = reasons.describe(found, scene.need, scene.offer, load_weight=2)
    assert texts(lines) == ["Free every Tuesday 16:00–18:00", "Starting points of every pairing",
                            "The family chose: Within a week", "Same neighbourhood",
                            "Both speak Arabic", "Helped this family before",
                            "Already helps 2 families"]
    assert [line.points for line in lines] == [None, 10, 10, 6, 4, 8, -4]
    assert reasons.points_total(lines) == sum(part["points"] for part in found) == 34


def test_weekday_and_language_names_follow_the_reader(scene):
    found = [{"code": "language", "points": 4, "shared": ["ar"]}]
    with force_locale("it"):
        lines = texts(reasons.describe(found, scene.need, scene.offer))
    assert "martedì" in lines[0]
    assert "arabo" in lines[1]


@pytest.mark.parametrize(("hops", "text"), [(0, "Same neighbourhood"),
                                            (1, "One neighbourhood away"),
                                            (2, "2 neighbourhoods away")])
def test_distance_in_words(app, hops, text):
    with force_locale("en"):
        assert reasons.distance_sentence(hops) == text


def test_several_shared_languages_are_listed(app):
    with force_locale("en"):
        assert reasons.languages_sentence(["ar", "fr"]) == "Both speak Arabic and French"


def test_load_of_one_family(scene):
    with force_locale("en"):
        lines = reasons.describe([{"code": "load", "points": -2}], scene.need, scene.offer, 2)
    assert texts(lines)[-1] == "Already helps 1 family"


def test_a_dated_slot_is_named_by_its_date(scene):
    scene.need.slots = [NeedSlot(on_date=date(2026, 12, 1), start_minute=16 * 60,
                                 end_minute=17 * 60)]
    with force_locale("en"):
        assert texts(reasons.describe([], scene.need, scene.offer)) == [
            "Free on Dec 1, 2026, 16:00–17:00"]


def test_times_the_offer_does_not_cover_are_not_claimed(scene):
    scene.offer.slots = [tuesday(9, 12, OfferSlot)]
    with force_locale("en"):
        lines = reasons.describe([{"code": "base", "points": 10}], scene.need, scene.offer)
    assert [(line.text, line.points) for line in lines] == [
        ("Starting points of every pairing", 10)]


def test_unmatched_reasons_have_words(app):
    with force_locale("en"):
        assert reasons.unmatched_reason("no_skill") == "No offer has the skills needed"
        assert reasons.unmatched_reason("all_full") == (
            "Every fitting offer is full or busy at these times")
