"""The facilitator's pages: proposals with reasons, confirm, reject, alternatives, by hand."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import event, func, select

from mutuo_aiuto import jobs, matching
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import (
    AuditEvent,
    Match,
    MatchingRun,
    MatchingWeights,
    Need,
    Notification,
    Offer,
    OfferSlot,
    Proposal,
)
from mutuo_aiuto.services import matching_runs
from mutuo_aiuto.services.matching_problem import build_problem, current_proposals
from tests import factories
from tests.match_scenes import build_scene, tuesday


@pytest.fixture
def scene(session):
    return build_scene(session)


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def propose(scene, need=None) -> list[Proposal]:
    rows = matching_runs.propose_for(scene.session, need or scene.need, today=date.today())
    scene.session.commit()
    return rows


def far_offer(scene):
    away = factories.make_neighbourhood(scene.session, slug="pallotta", name="Pallotta")
    offer = scene.another_offer(household=scene.household(neighbourhood=away),
                                neighbourhood=away)
    scene.session.commit()
    return offer


# ---- who may come in ---------------------------------------------------------------

FACILITATOR_PAGES = [
    ("get", "/facilitator"), ("get", "/facilitator/unmatched"), ("post", "/facilitator/run"),
    ("get", "/facilitator/needs/{need}"), ("get", "/facilitator/needs/{need}/pair"),
    ("get", "/facilitator/offers/{offer}"), ("post", "/facilitator/proposals/{proposal}/confirm"),
    ("post", "/facilitator/proposals/{proposal}/reject"), ("get", "/facilitator/undelivered-mail"),
]


@pytest.mark.parametrize(("method", "path"), FACILITATOR_PAGES)
def test_members_are_refused(client, login, scene, method, path):
    [proposal] = propose(scene)
    login(scene.family.user)
    url = path.format(need=scene.need.public_id, offer=scene.offer.public_id,
                      proposal=proposal.public_id)
    assert getattr(client, method)(url, data={"reason": "x"}).status_code == 403
    assert proposal.status == "proposed" and count(scene.session, Match) == 0


def test_anonymous_visitors_are_sent_to_log_in(client, scene):
    response = client.get("/facilitator")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_weights_are_for_administrators_only(client, login, scene):
    login(scene.facilitator)
    assert client.get("/facilitator/weights").status_code == 403


# ---- the dashboard --------------------------------------------------------------------


def test_the_queue_row_opens_to_the_request_with_its_reasons(client, login, scene):
    propose(scene)
    login(scene.facilitator)
    queue = client.get("/facilitator").text
    assert "Famiglia Hassan" in queue and "Famiglia Rossi" in queue
    assert f'href="/facilitator/needs/{scene.need.public_id}"' in queue
    page = client.get(f"/facilitator/needs/{scene.need.public_id}").text
    assert "Uscita da scuola" in page and "Pomeriggi liberi" in page
    assert "Same neighbourhood" in page
    assert "Free every Tuesday 16:00–18:00" in page
    assert "Both speak Arabic" in page
    assert "Confirm this pairing" in page


def test_request_reasons_in_the_facilitators_language(client, login, scene):
    propose(scene)
    scene.facilitator.locale = "it"
    scene.session.commit()
    login(scene.facilitator)
    page = client.get(f"/facilitator/needs/{scene.need.public_id}").text
    assert "martedì" in page and "arabo" in page


def test_the_request_page_lists_alternatives(client, login, scene):
    second = scene.another_offer(title="Sere libere")
    propose(scene)
    login(scene.facilitator)
    page = client.get(f"/facilitator/needs/{scene.need.public_id}").text
    assert "Sere libere" in page
    assert "Take this one instead" in page
    assert second.id in set(scene.session.scalars(select(Proposal.offer_id)))


def test_filters_by_neighbourhood_category_and_urgency(client, login, scene):
    away = factories.make_neighbourhood(scene.session, slug="filosofi", name="Filosofi")
    family = scene.household(neighbourhood=away, name="Famiglia Altrove")
    elsewhere = scene.another_need(household=family, neighbourhood=away, title="Altrove",
                                   urgency=3)
    scene.another_offer(household=scene.household(neighbourhood=away), neighbourhood=away)
    propose(scene)
    propose(scene, elsewhere)
    login(scene.facilitator)
    assert "Famiglia Altrove" in client.get("/facilitator").text
    by_place = client.get("/facilitator?neighbourhood=fontivegge").text
    assert "Famiglia Hassan" in by_place and "Famiglia Altrove" not in by_place
    urgent = client.get("/facilitator?urgency=2").text
    assert "Famiglia Altrove" in urgent and "Famiglia Hassan" not in urgent
    factories.make_category(scene.session, slug="meals")
    scene.session.commit()
    assert "Famiglia Hassan" not in client.get("/facilitator?category=meals").text
    assert "Famiglia Hassan" in client.get("/facilitator?category=nonsense").text


def test_running_the_matcher_stores_proposals(client, login, scene):
    login(scene.facilitator)
    response = client.post("/facilitator/run", follow_redirects=True)
    assert response.status_code == 200
    assert "The matcher ran" in response.text
    run = scene.session.scalars(select(MatchingRun)).one()
    assert run.kind == "manual" and run.started_by_id == scene.facilitator.id
    proposal = scene.session.scalars(select(Proposal)).one()
    assert (proposal.need_id, proposal.offer_id, proposal.rank) == (
        scene.need.id, scene.offer.id, 1)
    assert scene.need.status == "proposed"


# ---- confirm, reject, alternatives ------------------------------------------------------


def test_confirm_from_the_dashboard(client, login, scene):
    [proposal] = propose(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/confirm",
                           follow_redirects=True)
    assert response.status_code == 200
    assert "The helper is asked" in response.text
    match = scene.session.scalars(select(Match)).one()
    assert (match.need_id, match.offer_id, match.status) == (
        scene.need.id, scene.offer.id, "awaiting")
    assert count(scene.session, Notification) == 2


def test_confirm_that_would_overbook_shows_the_reason(client, login, scene):
    [proposal] = propose(scene)
    taken = scene.another_need(slots=[tuesday(18, 19)])
    scene.session.commit()
    login(scene.facilitator)
    client.post(f"/facilitator/needs/{taken.public_id}/pair",
                data={"offer": scene.offer.public_id})
    # The proposal was withdrawn when the offer filled up: confirming it is refused.
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/confirm",
                           follow_redirects=True)
    assert "This proposal was already handled." in response.text
    assert count(scene.session, Match) == 1


def test_reject_with_a_reason(client, login, scene):
    [proposal] = propose(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/reject",
                           data={"reason": "La famiglia preferisce un'altra persona"})
    assert response.status_code == 302
    scene.session.refresh(proposal)
    assert proposal.status == "rejected"
    assert proposal.rejected_reason == "La famiglia preferisce un'altra persona"


def test_reject_without_a_reason_changes_nothing(client, login, scene):
    [proposal] = propose(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/reject",
                           data={"reason": ""})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert "Say why this pairing is not right." in response.text
    scene.session.refresh(proposal)
    assert proposal.status == "proposed"


def test_take_an_alternative(client, login, scene):
    second = scene.another_offer(title="Sere libere")
    chosen = propose(scene)
    alternative = next(p for p in chosen if p.rank == 2)
    login(scene.facilitator)
    client.post(f"/facilitator/proposals/{alternative.public_id}/confirm")
    match = scene.session.scalars(select(Match)).one()
    assert match.offer_id == alternative.offer_id
    assert {p.status for p in chosen} == {"confirmed", "superseded"}
    assert second.id in {p.offer_id for p in chosen}


# ---- pairing by hand -----------------------------------------------------------------------


def test_pair_by_hand_form_lists_open_offers(client, login, scene):
    login(scene.facilitator)
    page = client.get(f"/facilitator/needs/{scene.need.public_id}/pair").text
    assert "Pomeriggi liberi" in page and scene.offer.public_id in page


def test_pair_by_hand_too_far_is_refused_without_override(client, login, scene):
    offer = far_offer(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/needs/{scene.need.public_id}/pair",
                           data={"offer": offer.public_id})
    assert response.status_code == 400
    assert "The helper lives too far from the family." in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(scene.session, Match) == 0


def test_pair_by_hand_with_a_recorded_override(client, login, scene):
    offer = far_offer(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/needs/{scene.need.public_id}/pair",
                           data={"offer": offer.public_id, "overrides": ["distance"],
                                 "reason": "Passa di qui ogni giorno"})
    assert response.status_code == 302
    match = scene.session.scalars(select(Match)).one()
    assert match.offer_id == offer.id
    assert (match.overrides, match.override_reason) == ("distance", "Passa di qui ogni giorno")
    assert count(scene.session, AuditEvent, AuditEvent.action == "match.overridden") == 1


def test_only_distance_and_language_can_be_overridden(client, login, scene):
    offer = scene.another_offer(skills=[factories.make_skill(scene.session)])
    scene.session.commit()
    login(scene.facilitator)
    response = client.post(f"/facilitator/needs/{scene.need.public_id}/pair",
                           data={"offer": offer.public_id, "overrides": ["skills"],
                                 "reason": "x"})
    assert response.status_code == 400
    response = client.post(f"/facilitator/needs/{scene.need.public_id}/pair",
                           data={"offer": offer.public_id, "overrides": ["distance"],
                                 "reason": "x"})
    assert response.status_code == 400
    assert "The helper does not offer every skill the request needs." in response.text
    assert count(scene.session, Match) == 0


def test_an_override_without_a_reason_is_refused(client, login, scene):
    offer = far_offer(scene)
    login(scene.facilitator)
    response = client.post(f"/facilitator/needs/{scene.need.public_id}/pair",
                           data={"offer": offer.public_id, "overrides": ["distance"]})
    assert response.status_code == 400
    assert "Say why you override the rule." in response.text
    assert count(scene.session, Match) == 0


# ---- unmatched needs, details, weights --------------------------------------------------------


def test_unmatched_needs_with_the_reason_why(client, login, scene):
    scene.offer.slots = [tuesday(9, 12, OfferSlot)]
    lonely = scene.another_need(skills=[factories.make_skill(scene.session)], title="Mediazione")
    scene.session.commit()
    login(scene.facilitator)
    page = client.get("/facilitator/unmatched").text
    # Nobody has looked yet: the page says so rather than solving in the request.
    assert "Uscita da scuola" in page and "The matcher has not looked at it yet" in page
    matching_runs.run_full(scene.session)
    scene.session.commit()
    page = client.get("/facilitator/unmatched").text
    assert "Uscita da scuola" in page and "No helper is free at these times" in page
    assert "Mediazione" in page and "No offer has the skills needed" in page
    assert "(as of " in page and "not looked at it yet" not in page
    assert lonely.status == "open"


def test_need_page_shows_the_familys_contacts_and_records_the_read(client, login, scene):
    login(scene.facilitator)
    page = client.get(f"/facilitator/needs/{scene.need.public_id}").text
    assert "075 111 1111" in page
    event = scene.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id) == ("contacts.viewed", scene.facilitator.id)


def test_offer_page_shows_the_helpers_contacts_and_records_the_read(client, login, scene):
    login(scene.facilitator)
    assert "075 222 2222" in client.get(f"/facilitator/offers/{scene.offer.public_id}").text
    event = scene.session.scalars(select(AuditEvent)).one()
    assert (event.action, event.actor_id, event.household_id) == (
        "contacts.viewed", scene.facilitator.id, scene.offer.household_id)


def test_unknown_ids_are_404(client, login, scene):
    login(scene.facilitator)
    assert client.get("/facilitator/needs/nope").status_code == 404
    assert client.post("/facilitator/proposals/nope/confirm").status_code == 404


def test_administrator_saves_weights(client, login, scene):
    admin = factories.make_user(scene.session, role="admin", locale="en")
    scene.session.commit()
    login(admin)
    assert "6, 3, 1" in client.get("/facilitator/weights").text
    response = client.post("/facilitator/weights", data={
        "base": 12, "urgency": 5, "proximity": "8, 4", "language": 4, "continuity": 9,
        "load": 1})
    assert response.status_code == 302
    row = scene.session.scalars(select(MatchingWeights)).one()
    assert (row.base, row.proximity, row.continuity, row.load) == (12, [8, 4], 9, 1)


def test_invalid_weights_save_nothing(client, login, scene):
    admin = factories.make_user(scene.session, role="admin", locale="en")
    scene.session.commit()
    login(admin)
    response = client.post("/facilitator/weights", data={
        "base": 12, "urgency": 5, "proximity": "8, lots", "language": 4, "continuity": 9,
        "load": 1})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert count(scene.session, MatchingWeights) == 0


def test_a_309_digit_base_weight_is_a_form_error(client, login, scene):
    admin = factories.make_user(scene.session, role="admin", locale="en")
    scene.session.commit()
    login(admin)
    response = client.post("/facilitator/weights", data={
        "base": "9" * 309, "urgency": 5, "proximity": "8, 4", "language": 4, "continuity": 9,
        "load": 1}, headers={"Accept-Language": "en"})
    assert response.status_code == 400
    assert "This number is too large." in response.text
    assert count(scene.session, MatchingWeights) == 0


def test_dashboard_forms_carry_a_valid_csrf_token(make_app):
    app = make_app(extra={"WTF_CSRF_ENABLED": True})
    with app.app_context():
        scene = build_scene(db.session)
        [proposal] = matching_runs.propose_for(db.session, scene.need, today=date.today())
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = scene.facilitator.get_id()
            flask_session["_fresh"] = True
        url = f"/facilitator/proposals/{proposal.public_id}/confirm"
        assert client.post(url).status_code == 400  # no token: refused
        page = client.get("/facilitator").text
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        assert client.post(url, data={"csrf_token": token}).status_code == 302
        assert count(db.session, Match) == 1


# ---- proposing again when families change something (the incremental run) ----------------


def test_pausing_and_resuming_a_need_proposes_again(client, login, scene):
    [proposal] = propose(scene)
    login(scene.family.user)
    client.post(f"/needs/{scene.need.public_id}/pause")
    scene.session.refresh(proposal)
    assert proposal.status == "superseded"
    client.post(f"/needs/{scene.need.public_id}/resume")
    scene.session.refresh(scene.need)
    assert scene.need.status == "proposed"
    assert count(scene.session, Proposal, Proposal.status == "proposed") == 1


def test_an_offer_back_from_a_pause_is_proposed_by_the_minute_job(client, login, scene):
    [proposal] = propose(scene)
    login(scene.helper.user)
    client.post(f"/offers/{scene.offer.public_id}/pause")
    jobs.run_task("propose_queued")
    scene.session.refresh(proposal)
    assert proposal.status == "superseded"
    client.post(f"/offers/{scene.offer.public_id}/resume")
    # The web request only queued the work: nothing is proposed yet, and the pages say so.
    assert count(scene.session, Proposal, Proposal.status == "proposed") == 0
    assert "data-updating" in client.get(f"/offers/{scene.offer.public_id}").text
    login(scene.facilitator)
    assert "data-updating" in client.get("/facilitator").text
    assert "data-updating" in client.get(f"/facilitator/offers/{scene.offer.public_id}").text
    assert jobs.run_task("propose_queued") == 1
    proposal = scene.session.scalars(select(Proposal).where(Proposal.status == "proposed")).one()
    assert (proposal.need_id, proposal.offer_id) == (scene.need.id, scene.offer.id)
    assert "data-updating" not in client.get("/facilitator").text
    assert "data-updating" not in client.get(f"/facilitator/offers/{scene.offer.public_id}").text


def test_the_web_proposal_for_a_new_need_is_the_matchers(client, login, scene):
    """Posting a request stores exactly what the matcher's propose_for_need answers on the
    whole problem, with the other needs' proposals as the present state."""
    for hours in ((16, 18), (17, 19), (15, 16)):
        scene.another_offer(slots=[tuesday(*hours, OfferSlot)])
    scene.another_offer(slots=[tuesday(17, 20, OfferSlot)], capacity=2, languages=["it"])
    others = [scene.another_need(slots=[tuesday(16, 18)]) for _ in range(2)]
    for need in [scene.need, *others]:
        propose(scene, need)
    built = build_problem(scene.session, date.today())
    current = current_proposals(scene.session, built)
    login(scene.family.user)
    response = client.post("/needs/new", data={
        "title": "Ancora uscita da scuola", "category": scene.category.slug,
        "skills": [s.slug for s in scene.need.skills], "weekly-0-days": ["1"],
        "weekly-0-start": "18:00", "weekly-0-end": "19:00",
        "ends_on": scene.need.ends_on.isoformat(), "neighbourhood": scene.place.slug,
        "max_hops": "1", "helpers": "2", "urgency": "1", "languages": ["ar"], "publish": "1"})
    assert response.status_code == 302
    new = scene.session.scalars(select(Need).where(Need.title == "Ancora uscita da scuola")).one()
    whole = build_problem(scene.session, date.today())
    expected = matching.propose_for_need(
        whole.prepared((n, o) for n, offers in current.items() for o in offers),
        whole.diagnosis.needs[new.public_id])
    stored = scene.session.scalars(select(Proposal).where(
        Proposal.need_id == new.id, Proposal.status == "proposed", Proposal.rank == 1)).all()
    assert expected, "the scene leaves offers free for the new request"
    assert sorted((p.offer.public_id, p.score) for p in stored) == [
        (p.offer, p.score) for p in expected]


def _post_a_need_counting_queries(client, scene, title: str) -> int:
    seen = []

    def counted(*_):
        seen.append(1)

    event.listen(db.engine, "before_cursor_execute", counted)
    try:
        response = client.post("/needs/new", data={
            "title": title, "category": scene.category.slug,
            "skills": [s.slug for s in scene.need.skills], "weekly-0-days": ["1"],
            "weekly-0-start": "16:00", "weekly-0-end": "17:00",
            "ends_on": scene.need.ends_on.isoformat(), "neighbourhood": scene.place.slug,
            "max_hops": "1", "helpers": "1", "urgency": "1", "languages": ["ar"],
            "publish": "1"})
    finally:
        event.remove(db.engine, "before_cursor_execute", counted)
    assert response.status_code == 302
    return len(seen)


def _more_families(scene, count: int) -> None:
    """``count`` more households, each asking and offering the same help, and a full run."""
    for _ in range(count):
        scene.another_need(slots=[tuesday(16, 18)])
        scene.another_offer(slots=[tuesday(15, 19, OfferSlot)])
    matching_runs.run_full(scene.session)
    scene.session.commit()


def test_posting_a_need_takes_as_many_queries_whatever_the_data(client, login, scene):
    login(scene.family.user)
    _more_families(scene, 2)
    small = _post_a_need_counting_queries(client, scene, "Prima richiesta")
    _more_families(scene, 15)
    large = _post_a_need_counting_queries(client, scene, "Seconda richiesta")
    assert proposed_for(scene, "Seconda richiesta")
    assert small == large


def test_posting_a_need_reads_only_the_offers_that_could_serve_it(client, login, scene):
    login(scene.family.user)
    other = factories.make_skill(scene.session, slug="cucina")
    for _ in range(12):  # families asking and offering a help the new request does not need
        scene.another_need(skills=[other])
        scene.another_offer(skills=[other])
    matching_runs.run_full(scene.session)
    scene.session.commit()
    loaded = []

    def note(target, _context):
        loaded.append(target)

    for model in (Need, Offer):
        event.listen(model, "load", note)
    try:
        _post_a_need_counting_queries(client, scene, "Terza richiesta")
    finally:
        for model in (Need, Offer):
            event.remove(model, "load", note)
    assert not [row for row in loaded if other in row.skills]
    assert proposed_for(scene, "Terza richiesta")


def proposed_for(scene, title: str) -> list[Proposal]:
    return scene.session.scalars(select(Proposal).join(Need, Need.id == Proposal.need_id).where(
        Need.title == title, Proposal.status == "proposed")).all()


def test_the_queue_pages_through_many_needs(client, login, session, make_user, make_need,
                                            make_offer, monkeypatch):
    from mutuo_aiuto.services import facilitator_queue

    monkeypatch.setattr(facilitator_queue, "QUEUE_PER_PAGE", 2)
    run, offer = MatchingRun(kind="full"), make_offer()
    needs = [make_need(title=f"Richiesta numero {n}", urgency=3 - min(n, 3)) for n in range(5)]
    for need in needs:
        session.add(Proposal(run=run, need=need, offer=offer, rank=1, score=10,
                             status="proposed"))
    session.commit()
    ids = [need.public_id for need in needs]
    login(make_user(role="facilitator"))
    first = client.get("/facilitator?urgency=0").text
    assert [i for i in ids if i in first] == ids[:2]
    assert "5 richieste, pagina 1 di 3." in first
    assert re.search(r'rel="next" href="/facilitator\?[^"]*page=2', first)
    last = client.get("/facilitator?page=3").text
    assert [i for i in ids if i in last] == ids[4:]
    assert 'rel="next"' not in last and 'rel="prev"' in last


def test_the_unmatched_list_pages_through_many_needs(client, login, session, make_user,
                                                     make_need, monkeypatch):
    from mutuo_aiuto.web.facilitator import views

    monkeypatch.setattr(views, "UNMATCHED_PER_PAGE", 2)
    titles = [f"Richiesta sola {n}" for n in range(5)]
    for title in titles:
        make_need(title=title)  # no offer anywhere: each is unmatched
    login(make_user(role="facilitator", locale="en"))
    pages = [client.get(f"/facilitator/unmatched?page={n}").text for n in (1, 2, 3)]
    shown = [[t for t in titles if t in page] for page in pages]
    assert [len(s) for s in shown] == [2, 2, 1]
    assert sorted(t for page in shown for t in page) == titles  # each once
    assert "5 requests without a proposal, page 1 of 3." in pages[0]
    assert 'rel="next"' in pages[0] and 'rel="prev"' not in pages[0]
    assert 'rel="prev"' in pages[2] and 'rel="next"' not in pages[2]


def test_a_page_of_the_unmatched_list_past_the_last_shows_the_last(client, login, make_user,
                                                                   make_need, monkeypatch):
    from mutuo_aiuto.web.facilitator import views

    monkeypatch.setattr(views, "UNMATCHED_PER_PAGE", 2)
    titles = [f"Richiesta sola {n}" for n in range(5)]
    for title in titles:
        make_need(title=title)
    login(make_user(role="facilitator", locale="en"))
    last = client.get("/facilitator/unmatched?page=3").text
    stale = client.get("/facilitator/unmatched?page=40").text
    assert [t for t in titles if t in stale] == [t for t in titles if t in last]
    assert len([t for t in titles if t in stale]) == 1
    assert "5 requests without a proposal, page 3 of 3." in stale


# ---- mails that could not be delivered (issue 13, item 12) ---------------------------------


def test_undelivered_mail_page_masks_the_recipient_and_hides_the_body(client, login, scene):
    from datetime import UTC, datetime

    from mutuo_aiuto.services import outbox

    session = scene.session
    given_up = outbox.queue_mail(session, "maria.rossi@example.org", "Reset",
                                 "Open https://hub.example/reset/SECRET-LINK",
                                 kind="reset_password")
    given_up.attempts, given_up.failed_at = 19, datetime(2026, 12, 1, 9, tzinfo=UTC)
    given_up.last_error = "SMTPRecipientsRefused: {'maria.rossi@example.org': (550, b'no')}"
    sent = outbox.queue_mail(session, "sent@example.org", "Fine", "Delivered body")
    sent.sent_at = datetime(2026, 12, 1, 9, tzinfo=UTC)
    session.commit()
    login(scene.facilitator)
    # Linked from the facilitator's pages.
    assert 'href="/facilitator/undelivered-mail"' in client.get("/facilitator").text
    page = client.get("/facilitator/undelivered-mail", headers={"Accept-Language": "en"}).text
    assert "m•••@example.org" in page and ">19<" in page
    assert "Password reset" in page and "reset_password" not in page
    assert "SMTPRecipientsRefused" in page and "Given up on" in page
    assert "maria.rossi" not in page and "SECRET-LINK" not in page and "Reset" not in page
    assert "sent@example.org" not in page and "s•••@example.org" not in page


def test_undelivered_texts_are_listed_with_the_mail_masked(client, login, scene,
                                                           make_household):
    """Issue 16: the same page lists the text messages given up or waiting, masked."""
    from datetime import UTC, datetime

    from mutuo_aiuto.services import sms_outbox

    session = scene.session
    household = make_household(phone="+39 333 123 4567")
    given_up = sms_outbox.queue_sms(session, household.user, "Hai notizie dal Centro",
                                    "match_accepted")
    given_up.attempts, given_up.failed_at = 1, datetime(2026, 12, 1, 9, tzinfo=UTC)
    given_up.last_error = "HTTP 400: Twilio 21211 Invalid 'To' Phone Number"
    session.commit()
    login(scene.facilitator)
    page = client.get("/facilitator/undelivered-mail", headers={"Accept-Language": "en"}).text
    assert "Text messages (SMS)" in page and "+39•••••4567" in page
    assert "A notice about a pairing" in page and "21211" in page and "Given up on" in page
    assert "333 123 4567" not in page and "3331234567" not in page
    assert "Hai notizie" not in page  # never the body


def test_every_text_delivered_says_so(client, login, scene):
    login(scene.facilitator)
    page = client.get("/facilitator/undelivered-mail", headers={"Accept-Language": "en"}).text
    assert "Every text message was delivered." in page


def test_every_mail_kind_the_service_sends_has_words_for_the_facilitator():
    from mutuo_aiuto.services.notifications import KINDS
    from mutuo_aiuto.web.facilitator import mail_kinds

    templates = [path.stem for folder in ("mail", "followups/mail")
                 for path in (Path(mail_kinds.__file__).parents[1] / "templates" / folder
                              ).glob("*.txt") if not path.stem.startswith("_")]
    for kind in [*templates, *KINDS]:
        assert (kind.startswith(("match_", "activity_", "meeting_", "group_"))
                or kind in mail_kinds.LABELS), kind
    assert mail_kinds.label("activity_moved_up") == "A notice about a group activity"
    assert mail_kinds.label("group_reminder_day") == "A notice about a group activity"
