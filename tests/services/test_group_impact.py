"""The groups' impact figures (issue 12), worked out by hand on small fixtures."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy.orm import Session

from mutuo_aiuto.extensions import db
from mutuo_aiuto.services import attendance
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.impact import (
    FEWER_THAN_5,
    Grain,
    GroupCell,
    Period,
    Present,
    group_figures,
    groups_impact,
)
from tests import factories
from tests.groups_scenes import join, make_activity

NOV, DEC = date(2026, 11, 1), date(2026, 12, 1)
PERIOD = Period(NOV, DEC)


def p(meeting: int, household: int, day: date, kind: str = "play_group") -> Present:
    return Present(meeting, household, day, kind)


def test_participants_sessions_attendances_by_month_and_kind():
    rows = [
        # October: before the period (history only).
        p(1, 1, date(2026, 10, 6)), p(1, 2, date(2026, 10, 6)),
        # November: a play group with families 1, 2, 3; a self-help group with 4 and 5.
        p(2, 1, date(2026, 11, 3)), p(2, 2, date(2026, 11, 3)), p(2, 3, date(2026, 11, 3)),
        p(3, 4, date(2026, 11, 4), "self_help"), p(3, 5, date(2026, 11, 4), "self_help"),
        # December: the play group again with 1 and 3.
        p(4, 1, date(2026, 12, 1)), p(4, 3, date(2026, 12, 1)),
    ]
    figures = group_figures(rows, [], PERIOD)
    # Families 1–5 took part; meetings 2, 3, 4; seven presences.
    assert (figures.total.participants, figures.total.sessions,
            figures.total.attendances) == (5, 3, 7)
    assert dict(figures.by_month) == {
        NOV: GroupCell(participants=5, sessions=2, attendances=5, new_ties=3),
        DEC: GroupCell(participants=2, sessions=1, attendances=2, new_ties=0)}
    # Ties in November: 1–2 met in October already; 1–3, 2–3 new at meeting 2, 4–5 new
    # at meeting 3. December's 1–3 met in November: not new. Total 3.
    assert figures.total.new_ties == 3
    # The self-help group is never broken down: only the play group has a row.
    assert [kind for kind, _ in figures.by_kind] == ["play_group"]
    assert figures.by_kind[0][1].participants == 3


def test_a_pair_already_paired_is_no_new_tie_and_the_paths_between_groups_and_pairings():
    rows = [p(1, 1, date(2026, 11, 10)), p(1, 2, date(2026, 11, 10)),
            p(1, 3, date(2026, 11, 10)),
            p(2, 6, date(2026, 12, 8))]
    pairings = [
        (1, 2, date(2026, 9, 1)),   # 1 and 2 were paired before: their meeting is no tie
        (3, 7, date(2026, 12, 2)),  # 3 came to a group first, then got a pairing
        (6, 8, date(2026, 11, 20)),  # 6 was paired, then came to a group in December
    ]
    figures = group_figures(rows, pairings, PERIOD)
    assert figures.total.new_ties == 2  # 1–3 and 2–3
    assert figures.group_to_pairing == 1  # household 3 (1's pairing came first)
    assert figures.pairing_to_group == 3  # 6, and 1 and 2 (paired in September)


def test_small_counts_are_suppressed():
    shown = GroupCell(participants=3, sessions=0, attendances=12, new_ties=4).public()
    assert (shown.participants, shown.sessions, shown.attendances, shown.new_ties) == (
        FEWER_THAN_5, 0, 12, FEWER_THAN_5)


def test_from_the_database(app):
    s: Session = db.session
    leader = factories.make_user(s)
    activity = make_activity(s, leader_id=leader.id, starts_on=date(2026, 11, 1))
    families = [factories.make_household(s) for _ in range(3)]
    for household in families:
        join(s, activity, household)
    s.commit()
    clock = HubClock.named("Europe/Rome", lambda: datetime(2026, 12, 10, 11, 0, tzinfo=UTC))
    for day in (date(2026, 11, 24), date(2026, 12, 8)):
        attendance.record(s, leader, activity, day, {families[0].public_id,
                                                     families[1].public_id}, "", clock)
    s.commit()
    figures = groups_impact(s, PERIOD, clock)
    assert (figures.total.participants, figures.total.sessions,
            figures.total.attendances, figures.total.new_ties) == (2, 2, 4, 1)


def test_groups_by_quarter_and_running_total():
    rows = [
        p(1, 1, date(2026, 10, 6)), p(1, 2, date(2026, 10, 6)),
        p(2, 1, date(2026, 11, 3)), p(2, 2, date(2026, 11, 3)), p(2, 3, date(2026, 11, 3)),
        p(3, 4, date(2026, 11, 4), "self_help"), p(3, 5, date(2026, 11, 4), "self_help"),
        p(4, 1, date(2026, 12, 1)), p(4, 3, date(2026, 12, 1)),
    ]
    quarter = group_figures(rows, [], PERIOD, Grain.QUARTER)
    # The whole fourth quarter: October's meeting counts, and its tie 1–2 with it.
    assert quarter.by_span == [(Period(date(2026, 10, 1), DEC),
                                GroupCell(participants=5, sessions=4, attendances=9,
                                          new_ties=4))]
    # The period's own figures stay November and December's.
    assert quarter.total == GroupCell(participants=5, sessions=3, attendances=7, new_ties=3)
    running = group_figures(rows, [], PERIOD, Grain.CUMULATIVE)
    assert running.by_span == [
        (Period(NOV, NOV), GroupCell(participants=5, sessions=2, attendances=5, new_ties=3)),
        (Period(NOV, DEC), GroupCell(participants=5, sessions=3, attendances=7, new_ties=3)),
    ]
