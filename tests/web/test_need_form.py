"""Asking for help (issue 11): the family page leads to it, and the request form's rules.

The common part (kind of help, a few words, when) and "more details"; skills
from the kind of help; the household's neighbourhood and languages as a
sentence; every problem shown after one submission, nothing typed lost;
"more details" open by itself when it holds an error; ``novalidate`` on every form.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import Need
from mutuo_aiuto.services import needs
from mutuo_aiuto.services.errors import DomainErrors
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.slots import DatedRow, WeeklyRow

TODAY = date.today()
TEMPLATES = Path(__file__).resolve().parents[2] / "mutuo_aiuto" / "web" / "templates"


@pytest.fixture
def world(make_user, make_household, make_category, make_skill, make_neighbourhood):
    place = make_neighbourhood(slug="fontivegge", name="Fontivegge")
    make_neighbourhood(slug="madonna-alta", name="Madonna Alta")
    school_run = make_category(slug="school-run", name="Scuola", requires_vetted=True,
                               translations={"en": "School run"})
    accompany = make_skill(slug="accompany", category=school_run)
    make_skill(slug="driving", category=school_run)
    school_run.default_skills = [accompany]
    make_category(slug="no-defaults", name="Senza", translations={"en": "No defaults"})
    make_skill(slug="homework")
    household = make_household(user=make_user(locale="en"), neighbourhood=place,
                               languages=["it", "ar"])
    return {"household": household, "school_run": school_run}


@pytest.fixture
def family(world, login):
    login(world["household"].user)
    return world["household"]


def common(**overrides) -> dict:
    """What the common part of the form sends: kind, a few words, weekly times; publish."""
    data = {"category": "school-run", "title": "School run",
            "weekly-0-days": ["0", "2"], "weekly-0-start": "07:30", "weekly-0-end": "08:30",
            "neighbourhood": "fontivegge", "languages": ["it", "ar"], "max_hops": "1",
            "helpers": "1", "urgency": "0", "publish": "1"}
    return {key: value for key, value in (data | overrides).items() if value is not None}


def summary(html: str) -> list[tuple[str, str]]:
    """The error summary's ``(anchor, message)`` lines."""
    box = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    return re.findall(r'<a href="#([^"]+)">([^<]*)</a>', box.group(0)) if box else []


def more_details_open(html: str) -> bool:
    tag = re.search(r'<details class="more-details"[^>]*>', html).group(0)
    return " open" in tag


def count_needs(session) -> int:
    return session.scalar(select(func.count()).select_from(Need))


# -- the family page ----------------------------------------------------------------------

def test_ask_for_help_is_the_first_thing_on_the_family_page(client, family, make_need):
    make_need(household=family, title="Compiti del martedì", status="open")
    make_need(household=family, title="Vecchia richiesta", status="closed")
    page = client.get("/family").text
    main = page[page.index("<main"):]
    first_link = re.search(r'<a [^>]*href="([^"]+)"', main).group(1)
    assert first_link == "/needs/new"
    assert main.index("Compiti del martedì") < main.index('id="members"')
    assert "Vecchia richiesta" not in main  # only the requests under way


def test_a_family_without_requests_is_told_what_asking_does(client, family):
    page = client.get("/family").text
    assert "No request under way." in page


# -- the new form -------------------------------------------------------------------------

def test_the_household_is_said_as_a_sentence_and_more_details_is_closed(client, family):
    page = client.get("/needs/new").text
    assert re.search(r"In Fontivegge, in Italian and Arabic\.\s*<a href=\"#neighbourhood\">"
                     r"Change</a>", page)
    assert not more_details_open(page)
    # The skills are listed once, none ticked: they follow from the kind of help.
    assert page.count('name="skills"') == 3
    assert 'class="choice-group"' not in page
    assert not re.search(r'<input checked [^>]*name="skills"', page)
    # The kind of help: one radio button per category, no "Choose…" to get past.
    assert len(re.findall(r'type="radio" value="(school-run|no-defaults)"', page)) == 2


def test_the_sentence_follows_the_chosen_neighbourhood_and_languages(client, family):
    response = client.post("/needs/new", data=common(
        title="", neighbourhood="madonna-alta", languages=None))
    assert "In Madonna Alta, in any language." in response.text


def test_the_common_part_alone_posts_a_request(client, family, session, world):
    response = client.post("/needs/new", data={
        "category": "school-run", "title": "School run", "weekly-0-days": ["1"],
        "weekly-0-start": "16:00", "weekly-0-end": "18:00", "publish": "1"})
    assert response.status_code == 302
    need = session.execute(select(Need)).scalar_one()
    assert need.status == "open"
    assert [skill.slug for skill in need.skills] == ["accompany"]  # the kind's default
    assert need.neighbourhood.slug == "fontivegge"  # the household's
    assert need.ends_on == TODAY + needs.DEFAULT_PERIOD
    assert need.requires_vetted is True


def test_skills_ticked_under_more_details_replace_the_defaults(client, family, session):
    response = client.post("/needs/new", data=common(skills=["driving"]))
    assert response.status_code == 302
    need = session.execute(select(Need)).scalar_one()
    assert [skill.slug for skill in need.skills] == ["driving"]


def test_a_request_on_one_day_ends_on_that_day(client, family, session):
    day = TODAY + timedelta(days=10)
    response = client.post("/needs/new", data=common(**{
        "weekly-0-days": None, "weekly-0-start": "", "weekly-0-end": "",
        "dated-0-on_date": day.isoformat(), "dated-0-start": "18:00", "dated-0-end": "19:00"}))
    assert response.status_code == 302
    need = session.execute(select(Need)).scalar_one()
    assert need.ends_on == day and [slot.on_date for slot in need.slots] == [day]


def test_a_kind_without_default_skills_asks_for_one_under_more_details(client, family,
                                                                        session):
    response = client.post("/needs/new", data=common(category="no-defaults"))
    assert response.status_code == 400
    assert summary(response.text) == [("skills", "Choose at least one skill.")]
    assert more_details_open(response.text)
    assert count_needs(session) == 0


# -- every problem at once, nothing lost ---------------------------------------------------

def test_three_mistakes_are_shown_after_one_submission(client, family, session):
    response = client.post("/needs/new", data=common(
        category=None, title="",
        **{"weekly-0-start": "09:00", "weekly-0-end": "08:00"}))
    assert response.status_code == 400
    assert summary(response.text) == [
        ("category", "Choose a kind of help from the list."),
        ("title", "Say in a few words what you need."),
        ("weekly-0-end", "The end time must be after the start time."),
    ]
    html = response.text
    assert re.search(r'aria-describedby="category-error" aria-invalid="true" id="category-0"',
                     html)
    assert re.search(r'<input aria-describedby="title-hint title-error" aria-invalid="true" '
                     r'id="title"', html)
    assert '<p class="error" id="weekly-0-end-error">' in html
    # The mistakes are all in the common part: "more details" stays closed.
    assert not more_details_open(html)
    assert count_needs(session) == 0


def test_a_mistake_under_more_details_opens_it_and_nothing_typed_is_lost(client, family,
                                                                         session):
    past = (TODAY - timedelta(days=1)).isoformat()
    response = client.post("/needs/new", data=common(
        title="", ends_on=past, urgency="2", helpers="2", skills=["driving"],
        description="Due bambini, 7 e 9 anni.", **{"weekly-1-days": ["4"],
                                                   "weekly-1-start": "16:00",
                                                   "weekly-1-end": "18:00"}))
    assert response.status_code == 400
    html = response.text
    assert summary(html) == [("title", "Say in a few words what you need."),
                             ("ends_on", "The end date cannot be in the past.")]
    assert more_details_open(html)
    assert f'value="{past}"' in html
    assert "Due bambini, 7 e 9 anni.</textarea>" in html
    assert re.search(r'<input checked id="urgency-2"', html)
    assert re.search(r'<input checked id="helpers-1"', html)
    assert re.search(r'<input checked id="skills-\d" name="skills" type="checkbox" '
                     r'value="driving">', html)
    assert re.search(r'<input checked id="weekly-1-days-4"', html)
    assert re.search(r'<input checked id="category-0" name="category" required type="radio" '
                     r'value="school-run">', html)
    assert 'value="07:30"' in html and 'value="16:00"' in html
    assert count_needs(session) == 0


def test_messages_are_in_the_pages_language(client, family, make_user, login, session):
    family.user.locale = "it"
    session.commit()
    response = client.post("/needs/new", data=common(category=None, title=""))
    assert [message for _, message in summary(response.text)] == [
        "Scegli un tipo di aiuto dall&#39;elenco.", "Scrivi in poche parole di cosa hai bisogno."]


def test_editing_uses_the_same_form_and_keeps_skills_following_the_kind(client, family,
                                                                       make_need, session,
                                                                       world):
    need = make_need(household=family, category=world["school_run"],
                     skills=list(world["school_run"].default_skills), status="open")
    page = client.get(f"/needs/{need.public_id}/edit").text
    assert 'class="more-details"' in page
    assert not re.search(r'<input checked [^>]*name="skills"', page)
    response = client.post(f"/needs/{need.public_id}/edit",
                           data=common(title="", publish=None))
    assert summary(response.text) == [("title", "Say in a few words what you need.")]
    response = client.post(f"/needs/{need.public_id}/edit",
                           data=common(title="New title", publish=None))
    assert response.status_code == 302
    session.refresh(need)
    assert need.title == "New title" and [s.slug for s in need.skills] == ["accompany"]


def test_an_expired_request_opens_with_more_details_open(client, family, make_need, world):
    need = make_need(household=family, category=world["school_run"], status="expired",
                     ends_on=TODAY - timedelta(days=2))
    assert more_details_open(client.get(f"/needs/{need.public_id}/edit").text)


# -- the service ---------------------------------------------------------------------------

def test_the_service_reports_every_problem_at_once(session, world):
    data = NeedInput(title="", category="nothing", skills=[], ends_on=TODAY - timedelta(days=1),
                     weekly=[WeeklyRow([1], "10:00", "09:00")], helpers=7)
    with pytest.raises(DomainErrors) as raised:
        needs.post_need(session, world["household"], data, publish=True, today=TODAY)
    assert [error.field for error in raised.value.errors] == [
        "title", "category", "ends_on", "weekly-0-end", "helpers"]
    assert [e.field for e in needs.check_need(session, world["household"], data, TODAY)] == [
        "title", "category", "ends_on", "weekly-0-end", "helpers"]
    assert count_needs(session) == 0


def test_until_when_defaults_to_the_last_date_given(session, world):
    later = TODAY + timedelta(days=20)
    data = NeedInput(title="Una volta", category="school-run", skills=[], ends_on=None,
                     dated=[DatedRow(TODAY + timedelta(days=5), "10:00", "11:00"),
                            DatedRow(later.isoformat(), "10:00", "11:00")])
    need = needs.post_need(session, world["household"], data, publish=False, today=TODAY)
    assert need.ends_on == later


# -- every form ----------------------------------------------------------------------------

def test_every_form_of_the_app_leaves_validation_to_the_server():
    without = []
    for template in sorted(TEMPLATES.rglob("*.html")):
        for tag in re.findall(r"<form\b[^>]*>", template.read_text(), re.S):
            if "novalidate" not in tag:
                without.append(f"{template.relative_to(TEMPLATES)}: {tag[:80]}")
    assert without == []
