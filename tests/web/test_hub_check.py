"""The Hub's check (vetting) as helpers and facilitators read it (issue 11).

The offer form says which kinds of help need the check and where and when to
bring the certificate; the offer page and the list say "waiting for the Hub's
check" until a facilitator records it, then when it was checked and until
when, and again after it expired; the facilitator's list of helpers waiting;
the unmatched reason that names them, with a link to that list.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.config import Settings, SettingsError
from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import Household, UnmatchedReason, User, Vetting
from mutuo_aiuto.services import matching_runs
from tests import factories
from tests.web.test_query_counts import counted

TODAY = date.today()


@pytest.fixture
def childcare(make_category, make_skill):
    category = make_category(slug="childcare", name="Cura dei bambini", requires_vetted=True,
                             translations={"en": "Childcare"})
    return make_skill(slug="babysitting", name="Babysitting", category=category,
                      translations={"en": "Babysitting"})


@pytest.fixture
def errands(make_category, make_skill):
    category = make_category(slug="errands", name="Commissioni", translations={"en": "Errands"})
    return make_skill(slug="shopping", name="Spesa", category=category,
                      translations={"en": "Shopping"})


@pytest.fixture
def helper(make_household, make_user, login):
    household = make_household(user=make_user(locale="en"))
    login(household.user)
    return household


def vet(session, household, checked_on, expires_on, revoked_at=None):
    session.add(Vetting(household=household, checked_on=checked_on, expires_on=expires_on,
                        revoked_at=revoked_at))
    session.commit()


def check_state(html: str) -> str | None:
    for state in ("waiting", "expired", "valid"):
        if f'data-check="{state}"' in html:
            return state
    return None


# ---- the offer form ------------------------------------------------------------------------


def test_the_offer_form_says_which_help_needs_the_check_and_where_to_bring_it(
        app, client, helper, childcare, errands):
    page = client.get("/offers/new").text
    assert 'data-check="notice"' in page
    assert "Childcare" in page.split('data-check="notice"')[1].split("</div>")[0]
    assert "Errands" not in page.split('data-check="notice"')[1].split("</div>")[0]
    assert "certificato del casellario giudiziale" in page
    settings = app.config["SETTINGS"]
    assert settings.hub_address in page
    # The default hours, said in English: Monday to Friday, then Tuesday and Thursday.
    assert "Monday to Friday, 09:00–13:00" in page
    assert "Tuesday and Thursday, 15:00–18:00" in page


def test_the_desk_hours_are_said_in_the_pages_language(client, make_household, make_user,
                                                       login, childcare):
    login(make_household(user=make_user(locale="it")).user)
    page = client.get("/offers/new").text
    assert "da lunedì a venerdì, 09:00–13:00" in page
    assert "martedì e giovedì, 15:00–18:00" in page


def test_no_notice_when_no_help_needs_the_check(client, helper, errands):
    assert 'data-check="notice"' not in client.get("/offers/new").text


def test_the_address_and_hours_come_from_the_settings(make_app):
    app = make_app(hub_hours="sat 10:00-12:30", hub_address="Via della Prova 1, Perugia")
    client = app.test_client()
    with app.app_context():
        category = factories.make_category(db.session, requires_vetted=True)
        factories.make_skill(db.session, category=category)
        user = factories.make_household(db.session, user=factories.make_user(
            db.session, locale="en")).user
        db.session.commit()
        user_id = user.get_id()
    with client.session_transaction() as flask_session:
        flask_session["_user_id"] = user_id
        flask_session["_fresh"] = True
    page = client.get("/offers/new").text
    assert "Via della Prova 1, Perugia" in page
    assert "Saturday, 10:00–12:30" in page and "Monday to Friday" not in page


def test_wrong_hours_are_refused_at_start():
    with pytest.raises(SettingsError, match="HUB_HOURS"):
        Settings(hub_hours="monday 9-13").checked()
    assert Settings(hub_hours="mon,wed 09:00-12:00,15:00-17:00").checked()


# ---- the offer page and the list -------------------------------------------------------------


def test_an_offer_with_childcare_waits_for_the_check_then_shows_it(
        client, session, helper, childcare, make_offer):
    offer = make_offer(household=helper, skills=[childcare])
    page = client.get(f"/offers/{offer.public_id}").text
    assert check_state(page) == "waiting"
    assert "Waiting for the Hub's check" in page
    assert "certificato del casellario giudiziale" in page and "Monday to Friday" in page
    listing = client.get("/offers").text
    assert check_state(listing) == "waiting"
    assert 'data-check="how"' in listing

    vet(session, helper, TODAY - timedelta(days=2), TODAY + timedelta(days=180))
    page = client.get(f"/offers/{offer.public_id}").text
    assert check_state(page) == "valid"
    assert "Waiting for the Hub" not in page
    day = (TODAY + timedelta(days=180))
    assert f"{day:%b} {day.day}, {day.year}" in page  # Babel's medium date in English
    assert check_state(client.get("/offers").text) == "valid"


def test_an_expired_check_waits_again_and_says_when_it_expired(
        client, session, helper, childcare, make_offer):
    offer = make_offer(household=helper, skills=[childcare])
    expired = TODAY - timedelta(days=3)
    vet(session, helper, TODAY - timedelta(days=200), expired)
    page = client.get(f"/offers/{offer.public_id}").text
    assert check_state(page) == "expired"
    assert f"your check expired on {expired:%b} {expired.day}, {expired.year}" in page
    assert check_state(client.get("/offers").text) == "expired"


def test_an_offer_without_such_help_says_nothing_of_the_check(
        client, helper, errands, make_offer):
    offer = make_offer(household=helper, skills=[errands])
    assert check_state(client.get(f"/offers/{offer.public_id}").text) is None
    listing = client.get("/offers").text
    assert check_state(listing) is None and 'data-check="how"' not in listing


# ---- the facilitator's list of helpers waiting -----------------------------------------------


def test_facilitators_see_who_waits_with_a_link_to_record_the_check(
        client, session, login, make_user, make_household, make_offer, childcare, errands):
    waiting = make_offer(skills=[childcare], title="Pomeriggi con i bambini")
    other = make_offer(skills=[errands], title="Spesa il sabato")
    vetted = make_offer(skills=[childcare], title="Già controllata")
    vet(session, vetted.household, TODAY - timedelta(days=1), TODAY + timedelta(days=90))
    lapsed = make_offer(skills=[childcare], title="Controllo scaduto")
    vet(session, lapsed.household, TODAY - timedelta(days=300), TODAY - timedelta(days=1))
    login(make_user(role="facilitator", locale="en"))
    page = client.get("/vetting").text
    section = page.split('id="waiting"')[1].split("All helpers and their vetting")[0]
    assert "Pomeriggi con i bambini" in section and "never checked" in section
    assert "Controllo scaduto" in section and "expired on" in section
    assert "Spesa il sabato" not in section and "Già controllata" not in section
    assert f"/vetting/{waiting.household.public_id}" in section
    assert other.household.name not in section
    # Recording the check takes the helper off the list.
    client.post(f"/vetting/{waiting.household.public_id}", data={
        "checked_on": TODAY.isoformat(), "expires_on": (TODAY + timedelta(days=180)).isoformat()})
    section = client.get("/vetting").text.split('id="waiting"')[1].split(
        "All helpers and their vetting")[0]
    assert "Pomeriggi con i bambini" not in section


@pytest.mark.parametrize("who", ["anonymous", "member", "helper"])
def test_only_facilitators_see_the_waiting_list(client, login, make_user, make_offer,
                                                childcare, who):
    offer = make_offer(skills=[childcare])
    if who == "member":
        login(make_user())
    elif who == "helper":
        login(offer.household.user)
    response = client.get("/vetting")
    if who == "anonymous":
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    else:
        assert response.status_code == 403
    assert offer.title not in response.text


def test_the_follow_ups_page_links_to_the_waiting_list(client, login, make_user):
    login(make_user(role="facilitator", locale="en"))
    assert "/vetting#waiting" in client.get("/followups").text


# ---- the unmatched reason ------------------------------------------------------------------


def test_a_request_only_unvetted_helpers_fit_names_them_with_a_link(
        client, session, login, make_user, make_need, make_offer, childcare):
    need = make_need(skills=[childcare], category=childcare.category, requires_vetted=True)
    make_offer(skills=[childcare], neighbourhood=need.neighbourhood)
    make_offer(skills=[childcare], neighbourhood=need.neighbourhood)
    matching_runs.run_full(session)
    session.commit()
    stored = session.scalars(select(UnmatchedReason)).one()
    assert (stored.reason, stored.waiting_helpers) == ("not_vetted", 2)
    login(make_user(role="facilitator", locale="en"))
    page = client.get("/facilitator/unmatched").text
    assert "2 helpers could help but are waiting for the Hub&#39;s check" in page
    assert 'href="/vetting#waiting"' in page


def test_the_incremental_proposal_counts_the_helpers_waiting_too(
        session, make_need, make_offer, childcare):
    offer = make_offer(skills=[childcare])
    need = make_need(skills=[childcare], category=childcare.category, requires_vetted=True,
                     neighbourhood=offer.neighbourhood)
    matching_runs.propose_for(session, need, today=TODAY)
    session.commit()
    stored = session.get(UnmatchedReason, need.id)
    assert (stored.reason, stored.waiting_helpers) == ("not_vetted", 1)


def test_once_checked_the_helper_is_proposed(session, make_need, make_offer, childcare):
    offer = make_offer(skills=[childcare])
    need = make_need(skills=[childcare], category=childcare.category, requires_vetted=True,
                     neighbourhood=offer.neighbourhood)
    vet(session, offer.household, TODAY - timedelta(days=1), TODAY + timedelta(days=90))
    proposals = matching_runs.propose_for(session, need, today=TODAY)
    session.commit()
    assert [p.offer_id for p in proposals if p.rank == 1] == [offer.id]
    assert session.get(UnmatchedReason, need.id) is None


def test_a_revoked_check_waits_again_without_saying_it_expired(
        client, session, helper, childcare, make_offer):
    offer = make_offer(household=helper, skills=[childcare])
    vet(session, helper, TODAY - timedelta(days=10), TODAY + timedelta(days=100),
        revoked_at=datetime.now(UTC))
    page = client.get(f"/offers/{offer.public_id}").text
    assert check_state(page) == "waiting" and "your check expired" not in page


def test_a_request_no_offer_has_the_skills_for_says_so(session, make_need, childcare):
    need = make_need(skills=[childcare], category=childcare.category, requires_vetted=True)
    assert matching_runs.propose_for(session, need, today=TODAY) == []
    session.commit()
    stored = session.get(UnmatchedReason, need.id)
    assert (stored.reason, stored.waiting_helpers) == ("no_skill", None)


def test_the_waiting_list_and_the_offers_ask_as_often_whatever_the_data(
        client, session, login, make_user, make_category, make_skill, make_offer, helper):
    helper_id, helper_user_id = helper.id, helper.user_id

    def add_waiting(n: int) -> None:
        for _ in range(n):
            kind = make_category(requires_vetted=True)
            make_offer(skills=[make_skill(category=kind)])
            make_offer(household=session.get(Household, helper_id),
                       skills=[make_skill(category=kind)])

    def load(path: str) -> int:
        session.expunge_all()
        with counted() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    facilitator_id = make_user(role="facilitator", locale="en").id
    for path, user_id in (("/vetting", facilitator_id), ("/offers", helper_user_id)):
        login(session.get(User, user_id))
        add_waiting(2)
        load(path)
        small = load(path)
        add_waiting(3)
        assert load(path) == small, path


def test_help_a_family_asked_to_be_checked_needs_the_check_too(
        client, session, login, make_user, helper, errands, make_offer, make_need):
    """A request for errands whose family asked for a checked helper: the errands helper
    is told, and the facilitator finds them in the waiting list."""
    offer = make_offer(household=helper, skills=[errands], title="La spesa del sabato")
    assert check_state(client.get(f"/offers/{offer.public_id}").text) is None
    make_need(skills=[errands], category=errands.category, requires_vetted=True)
    page = client.get(f"/offers/{offer.public_id}").text
    assert check_state(page) == "waiting" and "you are not proposed for Errands" in page
    login(make_user(role="facilitator", locale="en"))
    section = client.get("/vetting").text.split('id="waiting"')[1]
    assert "La spesa del sabato" in section and "Errands" in section
