"""Consent before contacts, on the pages (issue 11): the facilitator's one confirmation
step for the first choice and an alternative alike; the helper's decision page without
the family's name, contacts, address or own words; names and contacts for both sides once
the helper accepts, the family's address only for help at home."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Match, Member, Proposal
from mutuo_aiuto.services import matching_runs
from tests.match_scenes import build_scene, tuesday

# The phones of tests/match_scenes.py as the pages show them (issue 16): the national
# format, also a substring of the way they were typed ("+39 075 111 1111").
FAMILY_SHOWN = "075 111 1111"
HELPER_SHOWN = "075 222 2222"
FAMILY_ADDRESS = "Via Pinturicchio 12, Perugia"
HELPER_ADDRESS = "Via dei Priori 3, Perugia"
FAMILY_WORDS = "Amina esce alle 16 dalla scuola Comparozzi"


@pytest.fixture
def scene(session):
    scene = build_scene(session, description=FAMILY_WORDS)
    scene.family.address = FAMILY_ADDRESS
    scene.helper.address = HELPER_ADDRESS
    scene.family.members = [Member(kind="child", first_name="Amina",
                                   birth_year=date.today().year - 7)]
    scene.helper.user.locale = "en"
    session.commit()
    return scene


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def propose(scene) -> list[Proposal]:
    rows = matching_runs.propose_for(scene.session, scene.need, today=date.today())
    scene.session.commit()
    return rows


def confirmed(scene, client, login) -> Match:
    [proposal] = propose(scene)
    login(scene.facilitator)
    client.post(f"/facilitator/proposals/{proposal.public_id}/confirm")
    return scene.session.scalars(select(Match)).one()


def family_secrets(scene) -> list[str]:
    return ["Famiglia Hassan", "Amina", FAMILY_SHOWN, scene.family.user.email, FAMILY_ADDRESS,
            FAMILY_WORDS, "Uscita da scuola"]


# ---- the facilitator's confirmation step -----------------------------------------------------


def test_no_button_confirms_at_once(client, login, scene):
    scene.another_offer(title="Sere libere")
    propose(scene)
    login(scene.facilitator)
    # The queue only lists; the request's page holds the choices, each a link to the
    # confirmation step.
    for path in ("/facilitator", f"/facilitator/needs/{scene.need.public_id}"):
        page = client.get(path).text
        assert not re.search(r'<form[^>]*action="[^"]*/confirm"', page)
    # The queue's row opens the request; its page offers the choice, each a link to the step.
    assert "Take this one instead" in page and "Confirm this pairing" in page


def test_an_alternative_opens_the_same_confirmation_page(client, login, scene):
    scene.another_offer(title="Sere libere")
    alternative = next(p for p in propose(scene) if p.rank == 2)
    login(scene.facilitator)
    page = client.get(f"/facilitator/proposals/{alternative.public_id}/confirm").text
    assert count(scene.session, Match) == 0  # looking changes nothing
    assert "What happens next" in page and "Confirm and ask the helper" in page
    assert "48 hours" in page
    response = client.post(f"/facilitator/proposals/{alternative.public_id}/confirm",
                           follow_redirects=True)
    assert "The helper is asked" in response.text
    match = scene.session.scalars(select(Match)).one()
    assert (match.offer_id, match.status) == (alternative.offer_id, "awaiting")


def test_the_confirmation_page_shows_what_now_stops_the_pairing(client, login, scene):
    [proposal] = propose(scene)
    other = scene.another_need(slots=[tuesday(16, 18)])
    scene.session.commit()
    login(scene.facilitator)
    client.post(f"/facilitator/needs/{other.public_id}/pair",
                data={"offer": scene.offer.public_id})
    page = client.get(f"/facilitator/proposals/{proposal.public_id}/confirm").text
    assert "This pairing cannot be confirmed now" in page
    assert "Confirm and ask the helper" not in page
    response = client.post(f"/facilitator/proposals/{proposal.public_id}/confirm",
                           follow_redirects=True)
    assert "This proposal was already handled." in response.text
    assert count(scene.session, Match) == 1


def test_the_confirmation_page_is_for_facilitators(client, login, scene):
    [proposal] = propose(scene)
    login(scene.family.user)
    assert client.get(f"/facilitator/proposals/{proposal.public_id}/confirm").status_code in (
        403, 404)


# ---- the helper decides without knowing who ----------------------------------------------------


def test_the_helpers_decision_page_shows_nothing_that_names_the_family(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    page = client.get(f"/matches/{match.public_id}").text
    for secret in family_secrets(scene):
        assert secret not in page, secret
    # What they need to decide: kind of help, times, neighbourhood, ages, languages.
    for needed in ("Childcare", "Tuesday", "Fontivegge", "7 years", "Arabic",
                   "Can you help a family in Fontivegge?", "Please answer by"):
        assert needed in page, needed
    assert f"/matches/{match.public_id}/accept" in page
    assert f"/matches/{match.public_id}/decline" in page
    # The status speaks to the helper, whose answer it waits for; no hours before a yes.
    assert '<span class="status">waiting for your answer</span>' in page
    assert "Hours of help" not in page and f"/matches/{match.public_id}/hours" not in page
    inbox = client.get("/inbox").text
    assert '<span class="status">waiting for your answer</span>' in inbox
    for secret in family_secrets(scene):
        assert secret not in inbox, secret


def test_the_family_waits_without_the_helpers_name(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.family.user)
    for path in (f"/matches/{match.public_id}", "/inbox"):
        page = client.get(path).text
        for secret in ("Famiglia Rossi", "Giulia", HELPER_SHOWN, scene.helper.user.email,
                       HELPER_ADDRESS, "Pomeriggi liberi"):
            assert secret not in page, (path, secret)
    page = client.get(f"/matches/{match.public_id}").text
    assert "waiting for the helper" in page
    assert "can now see" not in page


@pytest.mark.parametrize("at_home", [True, False])
def test_after_the_yes_both_see_names_and_contacts(client, login, scene, at_home):
    scene.need.at_home = at_home
    scene.session.commit()
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    response = client.post(f"/matches/{match.public_id}/accept", follow_redirects=True)
    assert "You can now see each other" in response.text
    page = response.text
    for shown in ("Famiglia Hassan", FAMILY_SHOWN, scene.family.user.email, "Uscita da scuola"):
        assert shown in page, shown
    assert (FAMILY_ADDRESS in page) is at_home
    login(scene.family.user)
    page = client.get(f"/matches/{match.public_id}").text
    for shown in ("Famiglia Rossi", HELPER_SHOWN, scene.helper.user.email):
        assert shown in page, shown
    assert HELPER_ADDRESS not in page
    # How to reach the other comes first, before the request's and the offer's details.
    assert page.index("Contacts of Famiglia Rossi") < page.index("Skills needed")


def test_after_a_decline_the_helper_still_does_not_know_the_family(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    page = client.post(f"/matches/{match.public_id}/decline", follow_redirects=True).text
    assert "declined by the helper" in page
    for secret in family_secrets(scene):
        assert secret not in page, secret


def test_the_helpers_week_names_the_kind_of_help_until_they_accept(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    # Next week: the pairing's Tuesday is always ahead of the day it is accepted.
    monday = date.today() - timedelta(days=date.today().weekday()) + timedelta(days=7)
    week = client.get(f"/week?start={monday.isoformat()}").text
    assert "Childcare" in week and "Uscita da scuola" not in week
    client.post(f"/matches/{match.public_id}/accept")
    assert "Uscita da scuola" in client.get(f"/week?start={monday.isoformat()}").text


@pytest.mark.parametrize(("locale", "waiting", "matched"), [
    ("en", "waiting for the helper&#39;s answer", "matched"),
    ("it", "in attesa della risposta di chi aiuta", "abbinata"),
])
def test_the_status_badge_says_the_same_as_the_sentence_until_the_helper_answers(
        client, login, scene, locale, waiting, matched):
    match = confirmed(scene, client, login)
    scene.family.user.locale = scene.facilitator.locale = locale
    scene.session.commit()
    login(scene.family.user)
    for path in ("/needs", f"/needs/{scene.need.public_id}"):
        page = client.get(path).text
        badge = re.search(r'<span class="status status-matched">([^<]*)</span>', page)
        assert badge and badge.group(1) == waiting, path
        assert f">{matched}<" not in page
    login(scene.facilitator)
    page = client.get(f"/facilitator/needs/{scene.need.public_id}").text
    assert f'<span class="status">{waiting}</span>' in page
    login(scene.helper.user)
    accepted = client.post(f"/matches/{match.public_id}/accept")
    assert accepted.status_code == 302
    login(scene.family.user)
    page = client.get(f"/needs/{scene.need.public_id}").text
    assert '<span class="status status-active">' in page


def test_phones_and_emails_read_left_to_right_in_arabic(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    client.post(f"/matches/{match.public_id}/accept")
    scene.family.user.locale = "ar"
    scene.session.commit()
    login(scene.family.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert f'dir="ltr">{HELPER_SHOWN}</a>' in page
    assert f'dir="ltr">{scene.helper.user.email}</a>' in page
    assert f'<span dir="ltr">{FAMILY_SHOWN}</span>' in client.get("/family").text
