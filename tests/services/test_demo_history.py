"""The demo's eighteen months of history: enough, realistic, in the past, and added once."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import func, select

from mutuo_aiuto.models import FollowUp, Household, Match, Need, Offer, User
from mutuo_aiuto.models.match import MatchHours
from mutuo_aiuto.services import demo, demo_history, hubtime, impact

TODAY = date(2026, 11, 26)


def seeded(session) -> demo_history.HistorySummary:
    demo.seed_demo(session, TODAY)
    summary = demo_history.seed_history(session, TODAY, "2026-11", demo.facilitator(session))
    session.commit()
    return summary


def of_history(query):
    """``query`` (joined to Household) kept to the history's families."""
    return query.join(User, Household.user_id == User.id).where(
        User.email.like(f"%@{demo_history.HISTORY_DOMAIN}"))


def history_matches(session) -> list[Match]:
    return list(session.scalars(of_history(select(Match).join(Need).join(Household))))


def test_month_starts_are_the_whole_months_before_today():
    starts = demo_history.month_starts(date(2026, 1, 15), months=3)
    assert starts == [date(2025, 10, 1), date(2025, 11, 1), date(2025, 12, 1)]


def test_requests_grow_and_dip_in_august():
    months = demo_history.month_starts(TODAY)
    counts = [demo_history.requests_in(m, i, len(months)) for i, m in enumerate(months)]
    assert counts[-1] > 3 * counts[0]
    august = next(i for i, m in enumerate(months) if m.month == 8)
    assert counts[august] < counts[august - 1]


def test_history_holds_a_few_hundred_pairings_over_eighteen_months(session):
    summary = seeded(session)
    assert summary.households == demo_history.FAMILIES
    assert summary.pairings >= 250 and summary.unmatched >= 30 and summary.declined >= 5
    matches = history_matches(session)
    closed = [m for m in matches if m.status == "closed"]
    assert len(closed) == summary.pairings
    months = {(m.confirmed_at.year, m.confirmed_at.month) for m in closed}
    assert len(months) >= demo_history.MONTHS  # the last requests are met the month after
    # Everything happened before today: nothing waits, nothing runs.
    assert all(m.closed_at.date() < TODAY for m in matches)
    statuses = Counter(session.scalars(of_history(select(Need.status).join(Household))))
    assert set(statuses) == {"closed", "expired"}
    assert statuses["expired"] == summary.unmatched
    outcomes = Counter(m.outcome for m in closed)
    assert outcomes["resolved"] > outcomes["partly"] > outcomes["not_resolved"] > 0


def test_hours_are_the_sum_of_their_months_and_follow_ups_are_done(session):
    seeded(session)
    closed = [m for m in history_matches(session) if m.status == "closed"]
    monthly = dict(session.execute(select(MatchHours.match_id, func.sum(MatchHours.hours))
                                   .group_by(MatchHours.match_id)).all())
    assert all(abs(monthly.get(m.id, 0.0) - m.hours) < 0.01 for m in closed)
    assert sum(m.hours for m in closed) > 2000
    done = session.scalars(select(FollowUp).where(
        FollowUp.match_id.in_([m.id for m in closed]))).all()
    assert len(done) >= len(closed) * 0.8
    assert all(f.done_at is not None for f in done)
    assert {f.outcome for f in done} == {"going_well", "needs_support"}


def test_helpers_are_mostly_neighbours_and_some_ties_repeat(session):
    seeded(session)
    closed = [m for m in history_matches(session) if m.status == "closed"]
    same = sum(m.need.neighbourhood_id == m.offer.neighbourhood_id for m in closed)
    assert 0.5 < same / len(closed) < 0.85
    ties = Counter((m.need.household_id, m.offer.household_id) for m in closed)
    assert sum(1 for n in ties.values() if n > 1) >= 10
    assert all(family != helper for family, helper in ties)
    givers = {helper for _, helper in ties}
    receivers = {family for family, _ in ties}
    assert len(givers & receivers) >= 5  # families that both gave and received


def test_the_impact_page_has_real_numbers_in_most_months(session):
    seeded(session)
    figures = impact.impact(session, impact.default_period(TODAY), TODAY, hubtime.clock())
    real = [cell for _, cell in figures.by_month if cell.matches >= impact.SMALL_COUNT]
    assert len(real) >= len(figures.by_month) * 2 // 3


def test_a_second_run_adds_nothing_and_the_same_day_gives_the_same_history(session):
    first = seeded(session)
    again = demo_history.seed_history(session, TODAY, "2026-11")
    assert again.pairings == again.households == 0
    assert first.rows["matches"] == session.scalar(
        select(func.count()).select_from(Match).where(Match.id.in_(
            [m.id for m in history_matches(session)])))
    assert session.scalar(select(func.count()).select_from(Offer)) > first.pairings


def test_people_answer_the_funders_questions_and_belonging_rises(session):
    from mutuo_aiuto.models import Member
    from mutuo_aiuto.services import belonging

    seeded(session)
    people = session.scalars(of_history(select(Member).join(Household))).all()
    genders = Counter(p.gender for p in people)
    assert genders["woman"] > 50 and genders["man"] > 50 and genders[None] > 0
    assert Counter(p.citizenship for p in people)["third_country"] > 30
    assert all(p.disability is None and p.minority is None for p in people)
    adults = [p for p in people if p.kind != "child"]
    assert {p.education for p in adults} >= {"isced_0_2", "isced_3_4", "isced_5_8"}
    summary = belonging.summarise(belonging.before_after(session, TODAY))
    assert summary.households > 100
    assert summary.mean_after > summary.mean_before


def test_long_waits_and_unmet_requests_have_their_reason(session):
    from mutuo_aiuto.models.matching_run import UnmatchedSpell
    from mutuo_aiuto.services.reasons import UNMATCHED_REASONS

    summary = seeded(session)
    spells = session.scalars(select(UnmatchedSpell)).all()
    expired = {n.id for n in session.scalars(select(Need).where(Need.status == "expired"))}
    assert expired <= {spell.need_id for spell in spells}
    assert len(spells) > summary.unmatched  # some met requests waited too
    assert {spell.reason for spell in spells} <= set(UNMATCHED_REASONS)
    assert all(spell.until is not None and spell.until > spell.since for spell in spells)
