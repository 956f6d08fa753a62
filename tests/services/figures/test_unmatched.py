"""Unmatched requests by reason over a period: the spells the matcher leaves, and counting them."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import OfferSlot, UnmatchedSpell
from mutuo_aiuto.services import matching_runs
from mutuo_aiuto.services.figures.loading import Spell
from mutuo_aiuto.services.figures.periods import ReportPeriod
from mutuo_aiuto.services.figures.unmatched import last_reasons
from tests.match_scenes import build_scene, tuesday

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


@pytest.fixture
def scene(session):
    return build_scene(session, ends_on=TODAY + timedelta(days=30))


def spells(scene):
    return [(s.reason, s.since, s.until) for s in scene.session.scalars(
        select(UnmatchedSpell).where(UnmatchedSpell.need_id == scene.need.id)
        .order_by(UnmatchedSpell.id))]


def test_a_spell_opens_on_a_reason_lasts_while_it_holds_and_closes_on_a_proposal(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    # The same reason found again writes nothing.
    matching_runs.run_full(scene.session, now=NOW + timedelta(hours=1), today=TODAY)
    assert spells(scene) == [("no_time", NOW, None)]
    scene.offer.slots = [tuesday(15, 19, OfferSlot)]
    later = NOW + timedelta(days=1)
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=later)
    assert spells(scene) == [("no_time", NOW, later)]


def test_a_new_reason_closes_the_old_spell_and_opens_its_own(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    scene.offer.skills = []
    later = NOW + timedelta(days=2)
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=later)
    assert spells(scene) == [("no_time", NOW, later), ("no_skill", later, None)]


D = date


def test_each_request_counts_once_under_its_last_reason_in_the_period():
    """Request 1: no_time 5–20 Jan, then no_skill from 20 Jan (still open).
    Request 2: too_far 1–10 Feb (after January). Request 3: taken 1 Dec–3 Jan."""
    found = [Spell(1, "no_time", "A", D(2026, 1, 5), D(2026, 1, 20)),
             Spell(1, "no_skill", "A", D(2026, 1, 20), None),
             Spell(2, "too_far", "B", D(2026, 2, 1), D(2026, 2, 10)),
             Spell(3, "taken", "A", D(2025, 12, 1), D(2026, 1, 3))]
    january = ReportPeriod(D(2026, 1, 1), D(2026, 1, 31))
    assert {n: s.reason for n, s in last_reasons(found, january, D(2026, 3, 1)).items()} == {
        1: "no_skill", 3: "taken"}
    february = ReportPeriod(D(2026, 2, 1), D(2026, 2, 28))
    assert {n: s.reason for n, s in last_reasons(found, february, D(2026, 3, 1)).items()} == {
        1: "no_skill", 2: "too_far"}
