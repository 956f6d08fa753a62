"""Proposing after a posted change: done and committed, or undone without touching the change."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select

from mutuo_aiuto.models import Proposal
from mutuo_aiuto.services import matching_runs, posting
from mutuo_aiuto.services.errors import DomainError
from tests.match_scenes import build_scene

TODAY = date(2026, 11, 24)


def test_a_posted_need_is_proposed_for_and_committed(session):
    scene = build_scene(session, ends_on=TODAY + timedelta(days=30))
    session.commit()
    assert posting.propose_after_commit(session, today=TODAY, need=scene.need)
    session.rollback()  # nothing pending: the proposals were committed
    assert session.scalars(select(Proposal).where(Proposal.need_id == scene.need.id)).all()


def test_a_failure_is_logged_and_undone_and_the_change_stays(session, monkeypatch, caplog):
    scene = build_scene(session, ends_on=TODAY + timedelta(days=30))
    session.commit()
    title = scene.need.title

    def broken(*args, **kwargs):
        scene.need.title = "half-done"
        raise DomainError("no")

    monkeypatch.setattr(matching_runs, "propose_for", broken)
    with caplog.at_level(logging.ERROR, logger="mutuo_aiuto.services.posting"):
        assert not posting.propose_after_commit(session, today=TODAY, need=scene.need)
    assert "proposing after a change failed" in caplog.text
    session.refresh(scene.need)
    assert scene.need.title == title
