"""The families pages: household profile, members, needs and offers through the views."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Household, Member, Need, NeedSlot, NeedStatus, Offer, OfferStatus
from mutuo_aiuto.services.lifecycle import allowed_actions

TODAY = date.today()
END = TODAY + timedelta(days=60)


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def invalid_inputs(html: str) -> set[str]:
    """The ids of the inputs marked aria-invalid in a page."""
    found = set()
    for tag in re.findall(r"<(?:input|select|textarea)\b[^>]*>", html):
        if 'aria-invalid="true"' in tag:
            found.add(re.search(r'\bid="([^"]+)"', tag).group(1))
    return found


@pytest.fixture
def world(make_user, make_household, make_category, make_skill, make_neighbourhood):
    """A logged-out family (English UI), a category needing vetted helpers and two skills."""
    place = make_neighbourhood(slug="fontivegge", name="Fontivegge")
    make_neighbourhood(slug="madonna-alta", name="Madonna Alta")
    category = make_category(slug="school-run", requires_vetted=True)
    make_skill(slug="accompany", category=category)
    make_skill(slug="homework")
    household = make_household(user=make_user(locale="en"), neighbourhood=place,
                               languages=["it", "ar"], care_notes="Asma")
    return {"household": household, "category": category, "place": place}


@pytest.fixture
def family(world, login):
    login(world["household"].user)
    return world["household"]


def need_form(**overrides) -> dict:
    data = {
        "title": "School run", "category": "school-run", "skills": ["accompany"],
        "weekly-0-days": ["0", "2"], "weekly-0-start": "07:30", "weekly-0-end": "08:30",
        "weekly-1-days": ["4"], "weekly-1-start": "16:00", "weekly-1-end": "18:00",
        "ends_on": END.isoformat(), "neighbourhood": "fontivegge", "max_hops": "1",
        "helpers": "1", "urgency": "2", "languages": ["it"], "description": "Two children.",
        "publish": "1",
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


def offer_form(**overrides) -> dict:
    data = {
        "title": "Homework help", "skills": ["homework"],
        "weekly-0-days": ["1", "3"], "weekly-0-start": "15:00", "weekly-0-end": "19:00",
        "ends_on": END.isoformat(), "neighbourhood": "fontivegge", "max_hops": "2",
        "capacity": "2", "languages": ["it", "ro"], "description": "",
    }
    return {key: value for key, value in (data | overrides).items() if value is not None}


# -- access -----------------------------------------------------------------------------

@pytest.mark.parametrize("url", ["/family", "/family/edit", "/needs", "/needs/new", "/offers",
                                 "/offers/new", "/needs/abc", "/offers/abc/edit"])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_anonymous_status_changes_are_sent_to_log_in(client, world, make_need):
    need = make_need(household=world["household"], status="open")
    response = client.post(f"/needs/{need.public_id}/cancel")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert need.status == "open"


@pytest.mark.parametrize("url", ["/family", "/needs", "/needs/new", "/offers", "/offers/new"])
def test_an_account_without_a_household_is_sent_to_create_it(client, login, make_user, url):
    login(make_user())
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/family/edit")


def test_pages_have_no_inline_style_or_script(client, family, make_need, make_offer):
    need = make_need(household=family)
    offer = make_offer(household=family)
    for url in ("/family", "/family/edit", "/needs", "/needs/new", f"/needs/{need.public_id}",
                f"/needs/{need.public_id}/edit", "/offers", "/offers/new",
                f"/offers/{offer.public_id}", f"/offers/{offer.public_id}/edit"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "style=" not in response.text and "<script" not in response.text, url


# -- household --------------------------------------------------------------------------

def test_the_first_save_creates_the_household(client, login, make_user, make_neighbourhood,
                                              session):
    make_neighbourhood(slug="pallotta", name="Pallotta")
    user = login(make_user(locale="en"))
    page = client.get("/family/edit")
    assert page.status_code == 200
    assert "Tell us about your family" in page.text
    assert "Arabic" in page.text  # languages named, not coded
    response = client.post("/family/edit", data={
        "name": "Famiglia Hassan", "neighbourhood": "pallotta", "languages": ["ar", "it"],
        "phone": "+39 333 555 0101", "address": "Via Sicilia 3", "care_notes": ""})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/family")
    household = session.execute(select(Household)).scalar_one()
    assert household.user_id == user.id
    assert household.languages == ["it", "ar"] and household.neighbourhood.slug == "pallotta"


def test_an_invalid_profile_is_shown_again_and_saves_nothing(client, login, make_user,
                                                             make_neighbourhood, session):
    make_neighbourhood(slug="pallotta")
    login(make_user(locale="en"))
    response = client.post("/family/edit", data={"name": "", "neighbourhood": "pallotta"})
    assert response.status_code == 400
    assert "name" in invalid_inputs(response.text)
    assert count(session, Household) == 0


def test_a_service_refusal_is_put_on_its_field(client, login, make_user, make_neighbourhood,
                                               session):
    make_neighbourhood(slug="pallotta")
    login(make_user(locale="en"))
    response = client.post("/family/edit", data={"name": "Famiglia Neri",
                                                 "neighbourhood": "pallotta",
                                                 "phone": "call me maybe"})
    assert response.status_code == 400
    assert invalid_inputs(response.text) == {"phone"}
    assert "This is not a phone number we can use" in response.text
    assert 'href="#phone"' in response.text  # the error summary links to the input
    assert count(session, Household) == 0


def test_the_profile_page_shows_the_familys_private_data(client, family):
    page = client.get("/family")
    assert page.status_code == 200
    assert family.name in page.text
    assert "075 000 0000" in page.text and "Asma" in page.text  # the national format
    assert "Arabic" in page.text
    assert 'href="/family/edit"' in page.text


def test_editing_the_profile_keeps_one_household(client, family, session):
    page = client.get("/family/edit")
    assert 'value="Asma"' not in page.text and "Asma" in page.text  # in the textarea
    response = client.post("/family/edit", data={"name": "Famiglia Nuova",
                                                 "neighbourhood": "madonna-alta",
                                                 "languages": ["uk"]})
    assert response.status_code == 302
    session.refresh(family)
    assert family.name == "Famiglia Nuova" and family.neighbourhood.slug == "madonna-alta"
    assert family.languages == ["uk"]
    assert count(session, Household) == 1


def test_members_are_added_and_removed(client, family, session):
    response = client.post("/family/members", data={"kind": "child", "first_name": "Amina",
                                                    "birth_year": "2018"})
    assert response.status_code == 302
    member = session.execute(select(Member)).scalar_one()
    assert (member.kind, member.first_name, member.birth_year, member.gender) == (
        "child", "Amina", 2018, None)
    assert "Amina" in client.get("/family").text
    response = client.post(f"/family/members/{member.public_id}/remove")
    assert response.status_code == 302
    assert count(session, Member) == 0


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "child", "birth_year": "1850"}, "birth_year"),  # refused by the service
    ({"kind": "child", "birth_year": "soon"}, "birth_year"),  # refused by the form
])
def test_an_invalid_member_is_shown_again_and_saves_nothing(client, family, session, data,
                                                            field):
    response = client.post("/family/members", data=data)
    assert response.status_code == 400
    assert field in invalid_inputs(response.text)
    assert count(session, Member) == 0


@pytest.mark.parametrize(("data", "field"), [
    ({"kind": "adult", "gender": "martian"}, "gender"),  # not one of the answers
    ({"kind": "adult", "disability": "yes"}, "special_consent"),  # no consent ticked
])
def test_a_refused_answer_opens_the_funders_questions(client, family, session, data, field):
    response = client.post("/family/members", data=data)
    assert response.status_code == 400
    assert field in invalid_inputs(response.text)
    assert re.search(r'<details class="slot-details esf-details" open>', response.text)
    assert count(session, Member) == 0


def test_the_funders_questions_are_behind_a_closed_disclosure(client, family):
    page = client.get("/family").text
    assert re.search(r'<details class="slot-details esf-details">', page)
    assert "About each person (optional, for the programme" in page
    # Every question offers "Prefer not to say", and its explanation is tied to it.
    for name in ("gender", "employment", "education", "citizenship", "foreign_background",
                 "disability", "minority"):
        select_html = re.search(rf'<select[^>]*name="{name}"[^>]*>.*?</select>', page, re.S)
        assert select_html and 'value="prefer_not"' in select_html.group(0), name
        assert f'aria-describedby="{name}-hint"' in select_html.group(0), name


def test_a_person_is_added_with_answers_edited_and_the_consent_withdrawn(client, family,
                                                                         session):
    response = client.post("/family/members", data={
        "kind": "adult", "birth_year": "1985", "gender": "woman", "employment": "unemployed",
        "education": "isced_3_4", "citizenship": "other_eu", "foreign_background": "yes",
        "special_consent": "y", "disability": "yes", "minority": "prefer_not"})
    assert response.status_code == 302
    member = session.execute(select(Member)).scalar_one()
    assert (member.gender, member.employment, member.citizenship, member.disability,
            member.minority) == ("woman", "unemployed", "other_eu", "yes", "prefer_not")
    assert member.special_consent_version == "2026-11" and member.special_consent_at
    page = client.get("/family").text
    assert "Withdraw the consent" in page

    edit = client.get(f"/family/members/{member.public_id}/edit")
    assert edit.status_code == 200
    assert re.search(r'<option selected value="isced_3_4">', edit.text)
    response = client.post(f"/family/members/{member.public_id}/edit", data={
        "kind": "adult", "birth_year": "1985", "gender": "woman", "employment": "employed",
        "education": "", "special_consent": "y", "disability": "yes"})
    assert response.status_code == 302
    session.refresh(member)
    assert (member.employment, member.education, member.disability) == ("employed", None, "yes")

    response = client.post(f"/family/members/{member.public_id}/withdraw-consent")
    assert response.status_code == 302
    session.refresh(member)
    assert (member.disability, member.minority, member.special_consent_at) == (None, None, None)
    assert member.gender == "woman"
    assert "Withdraw the consent" not in client.get("/family").text


def test_another_households_member_cannot_be_edited(client, family, make_household, session):
    other = make_household()
    other.members.append(Member(kind="adult", gender="man"))
    session.commit()
    public_id = other.members[0].public_id
    assert client.get(f"/family/members/{public_id}/edit").status_code == 404
    response = client.post(f"/family/members/{public_id}/edit",
                           data={"kind": "adult", "gender": "woman"})
    assert response.status_code == 404
    assert client.post(f"/family/members/{public_id}/withdraw-consent").status_code == 404
    session.refresh(other.members[0])
    assert other.members[0].gender == "man"


def test_another_households_member_cannot_be_removed(client, family, make_household, session):
    other = make_household()
    other.members.append(Member(kind="adult"))
    session.commit()
    response = client.post(f"/family/members/{other.members[0].public_id}/remove")
    assert response.status_code == 404
    assert count(session, Member) == 1


# -- needs ------------------------------------------------------------------------------

def test_the_empty_list_calls_to_action(client, family):
    page = client.get("/needs")
    assert page.status_code == 200
    assert "You have not asked for help yet." in page.text
    assert 'href="/needs/new"' in page.text


def test_the_new_form_takes_defaults_from_household_and_category(client, family):
    page = client.get("/needs/new?category=school-run").text
    assert re.search(r'<input checked id="category-\d" name="category" required type="radio" '
                     r'value="school-run">', page)
    assert re.search(r'<input [^>]*checked id="requires_vetted"', page)
    assert re.search(r'<option selected value="fontivegge">', page)
    assert re.search(r'<input checked id="languages-\d" name="languages" type="checkbox" '
                     r'value="ar">', page)
    # Weekday ticks: short names shown, full names for screen readers; time inputs.
    assert '<span aria-hidden="true">Mon</span>' in page
    assert '<span class="visually-hidden">Monday</span>' in page
    assert 'id="weekly-0-start" name="weekly-0-start" step="60" type="time"' in page
    assert 'id="dated-0-on_date" name="dated-0-on_date" type="date"' in page


def test_posting_a_need_publishes_it(client, family, session):
    response = client.post("/needs/new", data=need_form(requires_vetted=None))
    assert response.status_code == 302
    need = session.execute(select(Need)).scalar_one()
    assert response.headers["Location"].endswith(f"/needs/{need.public_id}")
    assert need.status == "open" and need.household_id == family.id
    assert [(s.weekday, s.start_minute, s.end_minute) for s in need.slots] == [
        (0, 450, 510), (2, 450, 510), (4, 960, 1080)]
    assert need.requires_vetted is True  # the category's rule, though left unticked
    assert need.urgency == 2 and need.languages == ["it"]
    page = client.get(response.headers["Location"]).text
    assert "Your request is published" in page
    assert "Monday 07:30–08:30" in page and "Friday 16:00–18:00" in page


def test_saving_a_draft_does_not_publish(client, family, session):
    data = need_form(publish=None, save_draft="1")
    assert client.post("/needs/new", data=data).status_code == 302
    assert session.execute(select(Need)).scalar_one().status == "draft"


def test_a_need_on_dates(client, family, session):
    day = TODAY + timedelta(days=7)
    data = need_form(**{"weekly-0-days": None, "weekly-0-start": "", "weekly-0-end": "",
                        "weekly-1-days": None, "weekly-1-start": "", "weekly-1-end": "",
                        "dated-0-on_date": day.isoformat(), "dated-0-start": "18:00",
                        "dated-0-end": "19:00"})
    assert client.post("/needs/new", data=data).status_code == 302
    slot = session.execute(select(NeedSlot)).scalar_one()
    assert (slot.on_date, slot.weekday, slot.start_minute) == (day, None, 1080)


@pytest.mark.parametrize(("overrides", "invalid"), [
    ({"title": ""}, "title"),  # the form refuses
    ({"ends_on": "someday"}, "ends_on"),
    ({"ends_on": (TODAY - timedelta(days=1)).isoformat()}, "ends_on"),  # the service refuses
    ({"weekly-1-end": "15:00"}, "weekly-1-end"),
    ({"weekly-1-start": "25:00"}, "weekly-1-start"),
    ({"weekly-1-days": ["2"], "weekly-1-start": "08:00", "weekly-1-end": "09:00"},
     "weekly-1-start"),
])
def test_invalid_needs_are_shown_again_and_save_nothing(client, family, session, overrides,
                                                        invalid):
    response = client.post("/needs/new", data=need_form(**overrides))
    assert response.status_code == 400
    assert invalid in invalid_inputs(response.text)
    assert f'href="#{invalid}"' in response.text
    assert count(session, Need) == 0 and count(session, NeedSlot) == 0


def test_form_messages_are_shown_in_the_readers_language(client, family):
    response = client.post("/needs/new", data=need_form(title=""))
    assert response.status_code == 400
    assert '<p class="error" id="title-error">Say in a few words what you need.' in response.text


def test_crafted_row_keys_and_values_are_refused_not_crashed_on(client, family, session):
    # "²" passes str.isdigit but is no row number; "9" is no weekday.
    response = client.post("/needs/new", data=need_form(**{"weekly-²-start": "10:00"}))
    assert response.status_code == 302
    assert len(session.execute(select(Need)).scalar_one().slots) == 3
    response = client.post("/needs/new", data=need_form(**{"weekly-0-days": ["9"]}))
    assert response.status_code == 400
    assert "weekly-0-days" not in invalid_inputs(response.text)  # a group, not an input
    assert 'href="#weekly-0-days"' in response.text
    assert count(session, Need) == 1


def test_a_refusal_without_an_input_is_shown_on_its_group(client, family, session):
    data = need_form(**{"skills": None})
    response = client.post("/needs/new", data=data)
    assert response.status_code == 400
    assert "Choose at least one skill." in response.text
    assert 'href="#skills"' in response.text
    data = need_form(**{"dated-0-on_date": (TODAY + timedelta(days=3)).isoformat(),
                        "dated-0-start": "10:00", "dated-0-end": "11:00"})
    response = client.post("/needs/new", data=data)
    assert response.status_code == 400
    assert "Give either weekly times or dates, not both." in response.text
    assert count(session, Need) == 0


def test_the_list_shows_status_category_slots_and_end_date(client, family, make_need):
    make_need(household=family, title="Compiti", status="paused")
    page = client.get("/needs").text
    assert "Compiti" in page and "paused" in page
    assert "Tuesday 16:00–18:00" in page
    assert "icons/" in page  # the category icon
    assert "Until" in page


def test_another_households_need_is_not_found(client, family, make_need, session):
    theirs = make_need(status="open")
    base = f"/needs/{theirs.public_id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/edit").status_code == 404
    assert client.post(base + "/edit", data=need_form()).status_code == 404
    for action in ("pause", "resume", "cancel", "publish"):
        assert client.post(f"{base}/{action}").status_code == 404
    session.refresh(theirs)
    assert theirs.status == "open"


def test_a_facilitator_does_not_see_a_familys_need_here(client, login, make_household,
                                                         make_user, make_need):
    need = make_need()
    facilitator = make_household(user=make_user(role="facilitator")).user
    login(facilitator)
    # Facilitators get their own views later; these pages are a household's own.
    assert client.get(f"/needs/{need.public_id}").status_code == 404
    assert client.post(f"/needs/{need.public_id}/cancel").status_code == 404


def test_editing_a_need_through_the_form(client, family, make_need, session):
    need = make_need(household=family, status="open")
    page = client.get(f"/needs/{need.public_id}/edit").text
    assert 'value="16:00"' in page
    assert re.search(r'<input checked id="weekly-0-days-1"', page)
    response = client.post(f"/needs/{need.public_id}/edit",
                           data=need_form(title="New title", publish=None))
    assert response.status_code == 302
    session.refresh(need)
    assert need.title == "New title" and need.status == "open"
    assert len(need.slots) == 3


def test_an_invalid_edit_changes_nothing(client, family, make_need, session):
    need = make_need(household=family, status="open", title="Old")
    response = client.post(f"/needs/{need.public_id}/edit",
                           data=need_form(title="New", **{"weekly-0-end": "07:00"}))
    assert response.status_code == 400
    assert "weekly-0-end" in invalid_inputs(response.text)
    assert "The end time must be after the start time." in response.text
    session.expire_all()
    assert need.title == "Old" and len(need.slots) == 1


def test_an_expired_need_is_reopened_by_a_new_end_date(client, family, make_need, session):
    need = make_need(household=family, status="expired", ends_on=TODAY - timedelta(days=3))
    response = client.post(f"/needs/{need.public_id}/edit", data=need_form(publish=None))
    assert response.status_code == 302
    session.refresh(need)
    assert need.status == "open" and need.ends_on == END


def test_a_closed_need_cannot_be_edited(client, family, make_need, session):
    need = make_need(household=family, status="closed", title="Old")
    response = client.get(f"/needs/{need.public_id}/edit")
    assert response.status_code == 302
    response = client.post(f"/needs/{need.public_id}/edit", data=need_form(title="New"),
                           follow_redirects=True)
    assert "This request can no longer be changed." in response.text
    session.refresh(need)
    assert need.title == "Old"


@pytest.mark.parametrize(("action", "before", "after"), [
    ("publish", "draft", "open"),
    ("pause", "open", "paused"),
    ("resume", "paused", "open"),
    ("cancel", "open", "cancelled"),
])
def test_status_buttons(client, family, make_need, session, action, before, after):
    need = make_need(household=family, status=before)
    response = client.post(f"/needs/{need.public_id}/{action}")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/needs/{need.public_id}")
    session.refresh(need)
    assert need.status == after


def test_a_refused_status_change_is_explained_and_changes_nothing(client, family, make_need,
                                                                 session):
    need = make_need(household=family, status="closed")
    response = client.post(f"/needs/{need.public_id}/cancel", follow_redirects=True)
    assert response.status_code == 200
    assert "flash-error" in response.text
    assert "This cannot be done now: the status is “closed”." in response.text
    session.refresh(need)
    assert need.status == "closed"


def test_status_buttons_only_accept_post(client, family, make_need):
    need = make_need(household=family)
    assert client.get(f"/needs/{need.public_id}/cancel").status_code == 405


def test_the_need_page_offers_the_buttons_its_status_allows(client, family, make_need):
    draft = make_need(household=family, status="draft")
    page = client.get(f"/needs/{draft.public_id}").text
    assert f"/needs/{draft.public_id}/publish" in page
    assert f"/needs/{draft.public_id}/pause" not in page
    closed = make_need(household=family, status="closed")
    page = client.get(f"/needs/{closed.public_id}").text
    assert f"/needs/{closed.public_id}/edit" not in page
    assert f"/needs/{closed.public_id}/cancel" not in page


# -- offers -----------------------------------------------------------------------------

def test_the_empty_offer_list_calls_to_action(client, family):
    page = client.get("/offers").text
    assert "You have not offered help yet." in page and 'href="/offers/new"' in page


def test_posting_an_offer(client, family, session):
    response = client.post("/offers/new", data=offer_form())
    assert response.status_code == 302
    offer = session.execute(select(Offer)).scalar_one()
    assert offer.status == "open" and offer.capacity == 2 and offer.max_hops == 2
    assert [(s.weekday, s.start_minute, s.end_minute) for s in offer.slots] == [
        (1, 900, 1140), (3, 900, 1140)]
    page = client.get("/offers").text
    assert "Homework help" in page and "Tuesday 15:00–19:00" in page


@pytest.mark.parametrize(("overrides", "invalid"), [
    ({"title": ""}, "title"),
    ({"weekly-0-end": "14:00"}, "weekly-0-end"),
    ({"ends_on": (TODAY + timedelta(days=500)).isoformat()}, "ends_on"),
])
def test_invalid_offers_are_shown_again_and_save_nothing(client, family, session, overrides,
                                                         invalid):
    response = client.post("/offers/new", data=offer_form(**overrides))
    assert response.status_code == 400
    assert invalid in invalid_inputs(response.text)
    assert count(session, Offer) == 0


def test_an_offer_with_an_unknown_capacity_is_refused(client, family, session):
    response = client.post("/offers/new", data=offer_form(capacity="9"))
    assert response.status_code == 400
    assert count(session, Offer) == 0


def test_three_mistakes_in_an_offer_are_shown_after_one_submission(client, family, session):
    response = client.post("/offers/new", data=offer_form(
        title="", skills=None, **{"weekly-0-end": "14:00"}))
    assert response.status_code == 400
    box = re.search(r'<div class="error-summary".*?</div>', response.text, re.S).group(0)
    assert [anchor for anchor in re.findall(r'<a href="#([^"]+)">', box)] == [
        "title", "skills", "weekly-0-end"]
    assert {"title", "weekly-0-end"} <= invalid_inputs(response.text)
    # Nothing typed is lost.
    assert 'value="15:00"' in response.text and 'value="fontivegge"' in response.text
    assert count(session, Offer) == 0


def test_editing_an_offer(client, family, make_offer, session):
    offer = make_offer(household=family)
    assert 'value="15:00"' in client.get(f"/offers/{offer.public_id}/edit").text
    response = client.post(f"/offers/{offer.public_id}/edit", data=offer_form(capacity="5"))
    assert response.status_code == 302
    session.refresh(offer)
    assert offer.capacity == 5 and offer.title == "Homework help"


@pytest.mark.parametrize(("action", "before", "after"), [
    ("pause", "open", "paused"),
    ("resume", "paused", "open"),
    ("cancel", "open", "cancelled"),
    ("resume", "open", "open"),  # refused: nothing changes
])
def test_offer_status_buttons(client, family, make_offer, session, action, before, after):
    offer = make_offer(household=family, status=before)
    response = client.post(f"/offers/{offer.public_id}/{action}")
    assert response.status_code == 302
    session.refresh(offer)
    assert offer.status == after


def test_another_households_offer_is_not_found(client, family, make_offer, session):
    theirs = make_offer()
    base = f"/offers/{theirs.public_id}"
    assert client.get(base).status_code == 404
    assert client.get(base + "/edit").status_code == 404
    for action in ("pause", "resume", "cancel"):
        assert client.post(f"{base}/{action}").status_code == 404
    session.refresh(theirs)
    assert theirs.status == "open"


@pytest.mark.parametrize("status", list(NeedStatus))
def test_the_need_page_shows_exactly_the_allowed_actions(client, family, make_need, status):
    need = make_need(household=family, status=status.value)
    page = client.get(f"/needs/{need.public_id}").text
    allowed = allowed_actions(need, family.user)
    for action in ("edit", "publish", "pause", "resume", "cancel"):
        assert (f"/needs/{need.public_id}/{action}" in page) == (action in allowed), action


@pytest.mark.parametrize("status", list(OfferStatus))
def test_the_offer_page_shows_exactly_the_allowed_actions(client, family, make_offer, status):
    offer = make_offer(household=family, status=status.value)
    page = client.get(f"/offers/{offer.public_id}").text
    allowed = allowed_actions(offer, family.user)
    for action in ("edit", "pause", "resume", "cancel"):
        assert (f"/offers/{offer.public_id}/{action}" in page) == (action in allowed), action


@pytest.mark.parametrize(("locale", "ticks"), [
    ("it", ["lun", "mar", "mer", "gio", "ven", "sab", "dom"]),
    # Arabic's abbreviated names are the full words, which broke in two over the boxes.
    ("ar", ["إثنين", "ثلاثاء", "أربعاء", "خميس", "جمعة", "سبت", "أحد"]),
])
def test_the_weekday_boxes_are_labelled_short_enough_for_a_phone(client, family, session,
                                                                 locale, ticks):
    family.user.locale = locale
    session.commit()
    html = client.get("/offers/new").text
    row = re.search(r'<div class="weekday-ticks" id="weekly-0-days".*?</div>', html, re.S)
    assert re.findall(r'<span aria-hidden="true">([^<]+)</span>', row.group(0)) == ticks


@pytest.mark.parametrize(("locale", "languages"), [
    ("en", "Italian, Arabic"), ("it", "italiano, arabo"), ("ar", "الإيطالية، العربية")])
def test_lists_of_names_use_the_pages_comma(client, family, session, make_need, locale,
                                            languages):
    need = make_need(household=family, languages=["it", "ar"])
    family.user.locale = locale
    session.commit()
    assert f"<dd>{languages}</dd>" in client.get(f"/needs/{need.public_id}").text
    assert f"<dd>{languages}</dd>" in client.get("/family").text


def test_italian_speaks_to_the_family_as_tu_and_names_the_facilitator(client, family, session,
                                                                      make_need):
    need = make_need(household=family)
    family.user.locale = "it"
    session.commit()
    page = client.get(f"/needs/{need.public_id}").text
    assert "A casa tua" in page and "vostra" not in page


def test_a_list_of_requests_names_no_landmark_twice(client, family, make_need):
    first, second = make_need(household=family), make_need(household=family, title="Another")
    html = client.get("/needs").text
    assert html.count('class="standing standing-') == 2
    assert 'aria-label="Where your request stands"' not in html
    page = client.get(f"/needs/{first.public_id}").text
    assert '<section class="standing standing-' in page
    assert page.count('aria-label="Where your request stands"') == 1
    assert second.title not in page
