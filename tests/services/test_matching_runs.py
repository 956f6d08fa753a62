"""Matching runs: the problem built from the database, and the proposals stored from it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import event, select

from mutuo_aiuto import matching
from mutuo_aiuto.extensions import db
from mutuo_aiuto.matching.fileformat import problem_to_dict
from mutuo_aiuto.models import (
    Match,
    MatchingRun,
    NeedSlot,
    OfferSlot,
    Proposal,
    QueuedOffer,
    UnmatchedReason,
    Vetting,
)
from mutuo_aiuto.services import (
    facilitator_queue,
    matches,
    matching_runs,
    proposal_queries,
    settings_store,
)
from tests import factories
from tests.match_scenes import build_scene, tuesday

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
TODAY = date(2026, 11, 24)


@pytest.fixture
def scene(session):
    return build_scene(session, ends_on=TODAY + timedelta(days=30))


def as_file(scene) -> dict:
    return problem_to_dict(matching_runs.build_problem(scene.session, TODAY).problem)


def live(scene) -> list[Proposal]:
    return list(scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")
                                      .order_by(Proposal.rank, Proposal.id)))


# ---- building the problem -------------------------------------------------------------


def test_the_problem_speaks_the_matchers_format_with_public_ids(scene):
    data = as_file(scene)
    [need] = data["needs"]
    [offer] = data["offers"]
    assert need == {
        "id": scene.need.public_id, "household": scene.family.public_id,
        "skills": ["school-run"], "neighbourhood": "fontivegge",
        "slots": [{"day": 1, "start": "16:00", "end": "18:00"}], "helpers": 1,
        "languages": ["ar"], "requires_vetted": False, "max_hops": 1, "urgency": 0,
        "previous_helpers": [], "remote": False}
    assert offer["id"] == scene.offer.public_id
    assert offer["slots"] == [{"day": 1, "start": "15:00", "end": "19:00"}]
    assert (offer["capacity"], offer["vetted"]) == (1, False)
    assert data["neighbourhoods"] == ["fontivegge"]
    assert data["weights"] == {"base": 10, "urgency": 5, "proximity": [6, 3, 1],
                               "language": 4, "continuity": 8, "load": 2}


def test_only_needs_looking_for_help_and_open_offers(scene):
    scene.another_need(status="paused")
    scene.another_need(status="draft")
    scene.another_need(ends_on=TODAY - timedelta(days=1))
    proposed = scene.another_need(status="proposed")
    scene.another_offer(status="paused")
    scene.another_offer(ends_on=TODAY - timedelta(days=1))
    data = as_file(scene)
    assert {n["id"] for n in data["needs"]} == {scene.need.public_id, proposed.public_id}
    assert [o["id"] for o in data["offers"]] == [scene.offer.public_id]


def test_dated_slots_and_adjacency(scene):
    away = factories.make_neighbourhood(scene.session, slug="madonna-alta", name="Madonna Alta")
    factories.connect(scene.session, scene.place, away)
    dated = scene.another_need(slots=[NeedSlot(on_date=date(2026, 12, 1), start_minute=600,
                                               end_minute=660)])
    data = as_file(scene)
    assert data["adjacency"] == [["fontivegge", "madonna-alta"]]
    slots = next(n["slots"] for n in data["needs"] if n["id"] == dated.public_id)
    assert slots == [{"date": "2026-12-01", "start": "10:00", "end": "11:00"}]


def test_confirmed_matches_are_fixed_and_count_against_the_offer(scene):
    scene.offer.capacity = 2
    taken = scene.another_need(slots=[tuesday(18, 19)])
    matches.pair_by_hand(scene.session, scene.facilitator, taken, scene.offer, now=NOW,
                         respond_hours=72)
    data = as_file(scene)
    assert data["fixed"] == [{"need": taken.public_id, "offer": scene.offer.public_id}]
    fixed_need = next(n for n in data["needs"] if n["id"] == taken.public_id)
    assert fixed_need["helpers"] == 1  # no helper beyond its confirmed one


def test_a_full_offer_stays_in_for_its_fixed_pair_without_room(scene):
    matches.pair_by_hand(scene.session, scene.facilitator, scene.need, scene.offer, now=NOW,
                         respond_hours=72)
    assert scene.offer.status == "full"
    [offer] = as_file(scene)["offers"]
    assert (offer["id"], offer["capacity"]) == (scene.offer.public_id, 1)


def test_vetted_helpers_and_previous_helpers(scene):
    scene.session.add(Vetting(household=scene.helper, checked_on=TODAY - timedelta(days=10),
                              expires_on=TODAY + timedelta(days=100)))
    old_need = scene.another_need(household=scene.family, status="closed")
    scene.session.add(Match(need=old_need, offer=scene.offer, status="closed"))
    scene.session.flush()
    data = as_file(scene)
    [offer] = data["offers"]
    assert offer["vetted"] is True
    need = next(n for n in data["needs"] if n["id"] == scene.need.public_id)
    assert need["previous_helpers"] == [scene.helper.public_id]


def test_a_revoked_or_expired_vetting_does_not_count(scene):
    scene.session.add(Vetting(household=scene.helper, checked_on=TODAY - timedelta(days=400),
                              expires_on=TODAY - timedelta(days=1)))
    scene.session.add(Vetting(household=scene.helper, checked_on=TODAY - timedelta(days=10),
                              expires_on=TODAY + timedelta(days=100), revoked_at=NOW))
    [offer] = as_file(scene)["offers"]
    assert offer["vetted"] is False


def test_weights_from_the_administrators_settings(scene):
    admin = factories.make_user(scene.session, role="admin")
    settings_store.save_weights(scene.session, admin, base=7, urgency=1, proximity=[9],
                                language=0, continuity=3, load=5)
    assert as_file(scene)["weights"] == {"base": 7, "urgency": 1, "proximity": [9],
                                         "language": 0, "continuity": 3, "load": 5}


# ---- incremental proposals ------------------------------------------------------------------


def test_propose_for_a_need_stores_its_choice_and_alternatives(scene):
    others = [scene.another_offer() for _ in range(4)]
    rows = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    assert [p.rank for p in rows] == [1, 2, 3, 4]  # the choice and three alternatives
    assert {p.offer_id for p in rows} <= {scene.offer.id} | {o.id for o in others}
    assert rows[0].score >= rows[1].score >= rows[3].score
    assert rows[0].reasons[0] == {"code": "base", "points": 10}
    assert scene.need.status == "proposed"
    run = scene.session.scalars(select(MatchingRun)).one()
    assert run.kind == "incremental"


def test_proposing_again_supersedes_the_needs_old_proposals(scene):
    [first] = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    [second] = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    assert (first.status, second.status) == ("superseded", "proposed")


def test_a_paused_need_loses_its_proposals(scene):
    [first] = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    scene.need.status = "paused"
    assert matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW) == []
    assert first.status == "superseded"


def test_a_need_nothing_fits_stays_open(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    assert matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW) == []
    assert scene.need.status == "open"


def test_an_offer_proposed_to_another_need_is_only_an_alternative(scene):
    other = scene.another_need(slots=[tuesday(17, 19)])
    [theirs] = matching_runs.propose_for(scene.session, other, today=TODAY, now=NOW)
    [ours] = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    assert (theirs.rank, ours.rank) == (1, 2)
    assert scene.need.status == "open"


def test_a_new_offer_is_proposed_to_needs_without_a_choice(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    fresh = scene.another_offer()
    assert matching_runs.propose_for_offer(scene.session, fresh, today=TODAY, now=NOW) == 1
    [proposal] = live(scene)
    assert (proposal.need_id, proposal.offer_id, proposal.rank) == (scene.need.id, fresh.id, 1)


def test_a_paused_offer_is_withdrawn_from_its_proposals(scene):
    backup = scene.another_offer(slots=[tuesday(16, 18, OfferSlot)])
    rows = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    chosen = next(p for p in rows if p.rank == 1).offer
    chosen.status = "paused"
    matching_runs.propose_for_offer(scene.session, chosen, today=TODAY, now=NOW)
    assert [p.offer_id for p in live(scene)] == [({scene.offer.id, backup.id} - {chosen.id}).pop()]


def test_a_queued_offer_waits_for_the_scheduler_job(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    fresh = scene.another_offer()
    matching_runs.queue_for_offer(scene.session, fresh, now=NOW)
    matching_runs.queue_for_offer(scene.session, fresh, now=NOW)  # once however often
    assert live(scene) == []
    assert proposal_queries.updating(scene.session)
    assert proposal_queries.updating(scene.session, fresh)
    assert not proposal_queries.updating(scene.session, scene.offer)
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 1
    [proposal] = live(scene)
    assert (proposal.need_id, proposal.offer_id, proposal.rank) == (scene.need.id, fresh.id, 1)
    assert not proposal_queries.updating(scene.session)
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 0


def test_the_queued_job_reads_the_problem_once_for_every_offer(scene, monkeypatch):
    built = []
    real = matching_runs.build_problem
    monkeypatch.setattr(matching_runs, "build_problem",
                        lambda *args: built.append(1) or real(*args))
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    needs = [scene.need] + [scene.another_need(slots=[tuesday(16, 18)]) for _ in range(2)]
    for need in needs:
        matching_runs.propose_for(scene.session, need, today=TODAY, now=NOW)
    for _ in range(3):
        matching_runs.queue_for_offer(scene.session, scene.another_offer(), now=NOW)
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 3
    assert len(built) == 1
    assert {p.need_id for p in live(scene) if p.rank == 1} == {n.id for n in needs}
    chosen = [p.offer_id for p in live(scene) if p.rank == 1]
    assert len(set(chosen)) == 3  # one offer each: each capacity 1


def test_the_queued_job_prepares_the_state_once_and_updates_it(scene, monkeypatch):
    """Five needs re-proposed against one prepared state (and the fixed-pairs one), each
    seeing the places the needs before it took: no offer given beyond its room."""
    prepared = []
    real = matching.prepare
    monkeypatch.setattr(matching, "prepare",
                        lambda *args, **kwargs: prepared.append(1) or real(*args, **kwargs))
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    needs = [scene.need] + [scene.another_need(slots=[tuesday(16, 18)]) for _ in range(4)]
    for need in needs:
        matching_runs.propose_for(scene.session, need, today=TODAY, now=NOW)
    offers = [scene.another_offer() for _ in range(3)]
    for offer in offers:
        offer.capacity = 1
        matching_runs.queue_for_offer(scene.session, offer, now=NOW)
    prepared.clear()
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 5
    assert len(prepared) <= 2
    chosen = [p.offer_id for p in live(scene) if p.rank == 1]
    assert sorted(chosen) == sorted(o.id for o in offers)  # three places, three needs


def test_an_offer_withdrawn_before_the_job_with_nothing_waiting_reads_nothing(
        scene, monkeypatch):
    """Posted and withdrawn at once: nothing to propose again, the city is not read for
    it, and it leaves the queue."""
    monkeypatch.setattr(matching_runs, "build_problem",
                        lambda *args: pytest.fail("the whole problem was read"))
    gone = scene.another_offer()
    matching_runs.queue_for_offer(scene.session, gone, now=NOW)
    gone.status = "cancelled"
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 0
    assert scene.session.scalars(select(QueuedOffer)).all() == []


def test_an_offer_withdrawn_with_a_proposal_waiting_is_still_proposed_again(scene):
    """Its proposal is withdrawn and the request it was proposed to gets another."""
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    spare = scene.another_offer()
    [proposal] = live(scene)
    assert proposal.offer_id == scene.offer.id
    matching_runs.queue_for_offer(scene.session, scene.offer, now=NOW)
    scene.offer.status = "cancelled"
    assert matching_runs.run_queued(scene.session, today=TODAY, now=NOW) == 1
    [proposal] = live(scene)
    assert (proposal.need_id, proposal.offer_id) == (scene.need.id, spare.id)


def test_a_full_run_empties_the_queue(scene):
    matching_runs.queue_for_offer(scene.session, scene.offer, now=NOW)
    matching_runs.run_full(scene.session, now=NOW + timedelta(minutes=1))
    assert scene.session.scalars(select(QueuedOffer)).all() == []


# ---- full runs ------------------------------------------------------------------------------


def test_a_full_run_stores_the_matchers_choice(scene):
    run = matching_runs.run_full(scene.session, now=NOW, user=scene.facilitator, kind="manual")
    assert (run.kind, run.started_by_id) == ("manual", scene.facilitator.id)
    assert run.stats["needs"] == 1 and run.stats["allowed_pairs"] == 1
    [proposal] = live(scene)
    assert (proposal.need_id, proposal.offer_id, proposal.rank) == (
        scene.need.id, scene.offer.id, 1)
    assert proposal.score == 10 + 6 + 4  # base, same neighbourhood, shared language
    assert scene.need.status == "proposed"


def test_a_full_run_gives_the_best_overall_set(scene):
    # The second need fits only the first offer: the matcher must not give it to ours.
    picky = scene.another_need(slots=[tuesday(15, 19)])
    spare = scene.another_offer(slots=[tuesday(16, 18, OfferSlot)])
    matching_runs.run_full(scene.session, now=NOW)
    chosen = {p.need_id: p.offer_id for p in live(scene) if p.rank == 1}
    assert chosen == {scene.need.id: spare.id, picky.id: scene.offer.id}


def test_a_full_run_supersedes_the_waiting_proposals(scene):
    [before] = matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    matching_runs.run_full(scene.session, now=NOW)
    assert before.status == "superseded"
    assert len(live(scene)) == 1


def test_a_full_run_does_not_propose_what_was_turned_down(scene):
    next_door = factories.make_neighbourhood(scene.session, slug="madonna-alta")
    factories.connect(scene.session, scene.place, next_door)
    spare = scene.another_offer(household=scene.household(neighbourhood=next_door),
                                neighbourhood=next_door)
    [proposal] = [p for p in matching_runs.propose_for(scene.session, scene.need, today=TODAY,
                                                       now=NOW) if p.rank == 1]
    assert proposal.offer_id == scene.offer.id  # the better one: the same neighbourhood
    matches.reject_proposal(scene.session, scene.facilitator, proposal, "No", now=NOW)
    matching_runs.run_full(scene.session, now=NOW)
    assert [(p.offer_id, p.rank) for p in live(scene)] == [(spare.id, 1)]


def test_a_full_run_leaves_confirmed_matches_alone(scene):
    matches.pair_by_hand(scene.session, scene.facilitator, scene.need, scene.offer, now=NOW,
                         respond_hours=72)
    other = scene.another_need(slots=[tuesday(18, 19)])
    matching_runs.run_full(scene.session, now=NOW)
    assert live(scene) == []  # the offer is full
    assert other.status == "open" and scene.need.status == "matched"


# ---- unmatched needs ------------------------------------------------------------------


def test_unmatched_needs_say_why(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    skilled = scene.another_need(skills=[factories.make_skill(scene.session)])
    matching_runs.run_full(scene.session, now=NOW)
    found = {u.need.id: (u.reason, u.checked_at)
             for u in proposal_queries.unmatched_needs(scene.session, TODAY)}
    assert found == {scene.need.id: ("no_time", NOW), skilled.id: ("no_skill", NOW)}


def test_the_reason_is_stored_when_the_matcher_looks_not_when_the_page_is_read(scene):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    [item] = proposal_queries.unmatched_needs(scene.session, TODAY)
    assert (item.reason, item.checked_at) == (proposal_queries.PENDING, None)
    later = NOW + timedelta(hours=1)
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=later)
    [item] = proposal_queries.unmatched_needs(scene.session, TODAY)
    assert (item.reason, item.checked_at) == ("no_time", later)
    scene.offer.slots = [tuesday(15, 19, OfferSlot)]
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=later)
    assert proposal_queries.unmatched_needs(scene.session, TODAY) == []
    assert scene.session.get(UnmatchedReason, scene.need.id) is None


def test_a_page_of_unmatched_needs_counts_them_all(scene):
    others = [scene.another_need(slots=[tuesday(8, 9)]) for _ in range(2)]
    everyone = proposal_queries.unmatched_needs(scene.session, TODAY)
    assert {u.need for u in everyone} == {scene.need, *others}
    first = proposal_queries.unmatched_page(scene.session, TODAY, 1, 2)
    assert (first.items, first.number, first.pages, first.total) == (everyone[:2], 1, 2, 3)
    stale = proposal_queries.unmatched_page(scene.session, TODAY, 9, 2)
    assert (stale.items, stale.number, stale.pages, stale.total) == (everyone[2:], 2, 2, 3)
    none = proposal_queries.unmatched_page(scene.session, TODAY, 1, 2, urgency=3)
    assert (none.items, none.number, none.pages, none.total) == ([], 1, 1, 0)


def test_a_need_with_a_proposal_is_not_unmatched(scene):
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    assert proposal_queries.unmatched_needs(scene.session, TODAY) == []


def test_a_need_whose_offer_went_to_another_is_taken(scene):
    other = scene.another_need(slots=[tuesday(17, 19)])
    matching_runs.propose_for(scene.session, other, today=TODAY, now=NOW)
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    [item] = proposal_queries.unmatched_needs(scene.session, TODAY)
    assert (item.need, item.reason) == (scene.need, matching_runs.TAKEN)


def test_check_pair_sees_a_helper_busy_through_another_offer(scene):
    second = scene.another_offer(household=scene.helper)
    taken = scene.another_need(slots=[tuesday(17, 18)])
    matches.pair_by_hand(scene.session, scene.facilitator, taken, second, now=NOW,
                         respond_hours=72)
    assert matching_runs.check_pair(scene.session, scene.need, scene.offer, TODAY).blockers == (
        "busy",)


def test_check_pairs_judges_each_need_as_check_pair_does(scene):
    """One read for several needs with one offer (a confirmation's other waiting
    proposals): the same blockers, score and reasons as one check each."""
    second = scene.another_offer(household=scene.helper)
    taken = scene.another_need(slots=[tuesday(17, 18)])
    matches.pair_by_hand(scene.session, scene.facilitator, taken, second, now=NOW,
                         respond_hours=72)
    needs = [scene.need, scene.another_need(slots=[tuesday(15, 16)]),
             scene.another_need(slots=[tuesday(20, 21)]),
             scene.another_need(skills=[factories.make_skill(scene.session)])]
    together = matching_runs.check_pairs(scene.session, needs, scene.offer, TODAY)
    alone = {n.id: matching_runs.check_pair(scene.session, n, scene.offer, TODAY)
             for n in needs}
    assert together == alone
    assert {check.blockers for check in alone.values()} == {
        ("busy",), (), ("no_time",), ("no_skill", "busy")}


def test_a_confirmations_checks_share_their_reads_but_not_the_matches(scene):
    """A confirmation's two checks (its pair, then the offer's other waiting proposals)
    share what they read (``Reads``): the second reads only the holding matches again,
    sees the new match, and answers as a check of its own would."""
    others = [scene.another_need(slots=[tuesday(15, 16)]),
              scene.another_need(slots=[tuesday(17, 18)])]
    reads = matching_runs.Reads(also_needs=[n.id for n in others])
    first = matching_runs.check_pair(scene.session, scene.need, scene.offer, TODAY, reads=reads)
    assert first == matching_runs.check_pair(scene.session, scene.need, scene.offer, TODAY)
    before = matching_runs.check_pairs(scene.session, others, scene.offer, TODAY)
    matches.pair_by_hand(scene.session, scene.facilitator, scene.need, scene.offer, now=NOW,
                         respond_hours=72)
    statements: list[str] = []

    def listener(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        shared = matching_runs.check_pairs(scene.session, others, scene.offer, TODAY,
                                           reads=reads)
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    assert shared == matching_runs.check_pairs(scene.session, others, scene.offer, TODAY)
    assert shared[others[1].id].blockers != before[others[1].id].blockers  # the match seen
    assert len(statements) == 1 and "FROM matches" in statements[0]


def test_no_run_puts_a_helper_household_in_two_places(scene):
    second = scene.another_offer(household=scene.helper)
    other = scene.another_need(slots=[tuesday(17, 18)])
    matching_runs.run_full(scene.session, now=NOW)
    assert len([p for p in live(scene) if p.rank == 1]) == 1  # the solve alone gives two
    matching_runs.propose_for(scene.session, other, today=TODAY, now=NOW)
    matching_runs.propose_for(scene.session, scene.need, today=TODAY, now=NOW)
    chosen = [(p.need_id, p.offer_id) for p in live(scene) if p.rank == 1]
    assert len(chosen) == 1 and chosen[0][1] in {scene.offer.id, second.id}


# ---- the queue, a page at a time ------------------------------------------------


@pytest.fixture
def many_waiting(session, make_need, make_offer):
    """Needs with a waiting proposal each, the first ones the most urgent."""
    run = MatchingRun(kind="full")
    offer = make_offer()
    since = datetime(2026, 11, 1, tzinfo=UTC)
    needs = [make_need(urgency=3 if n < 2 else 0, opened_at=since + timedelta(hours=n))
             for n in range(15)]
    session.add_all(Proposal(run=run, need=need, offer=offer, rank=1, score=10,
                             status="proposed", created_at=need.opened_at) for need in needs)
    session.commit()
    return needs


def _queue(session, **chosen):
    return facilitator_queue.queue(session, date(2026, 11, 1), per_page=6, **chosen)


def test_the_queue_shows_one_page_of_needs_at_a_time(session, many_waiting):
    first = _queue(session, page=1)
    assert (first.number, first.pages, first.total) == (1, 3, 15)
    assert [r.need for r in first.rows] == many_waiting[:6]  # urgent, then oldest first
    last = _queue(session, page=3)
    assert [r.need for r in last.rows] == many_waiting[12:]
    seen = [r.need for n in (1, 2, 3) for r in _queue(session, page=n).rows]
    assert seen == many_waiting  # every need once, none twice


def test_a_page_past_the_last_shows_the_last(session, many_waiting):
    beyond = _queue(session, page=99)
    assert beyond.number == 3 and len(beyond.rows) == 3
    assert _queue(session, page=-4).number == 1


def test_filters_count_only_the_needs_they_keep(session, many_waiting):
    urgent = _queue(session, urgency=3)
    assert (urgent.pages, urgent.total) == (1, 2)
    assert [r.need for r in urgent.rows] == many_waiting[:2]


def test_an_offer_queued_again_while_the_job_runs_stays_for_the_next_run(scene, monkeypatch):
    scene.offer.slots = [tuesday(8, 10, OfferSlot)]
    fresh = scene.another_offer()
    matching_runs.queue_for_offer(scene.session, fresh, now=NOW)
    propose = matching_runs._propose_for_offers
    later = NOW + timedelta(minutes=1)

    def changed_meanwhile(*args, **kwargs):
        matching_runs.queue_for_offer(scene.session, fresh, now=later)
        return propose(*args, **kwargs)

    monkeypatch.setattr(matching_runs, "_propose_for_offers", changed_meanwhile)
    matching_runs.run_queued(scene.session, today=TODAY, now=NOW)
    [row] = scene.session.scalars(select(QueuedOffer)).all()
    assert (row.offer_id, row.queued_at) == (fresh.id, later)
