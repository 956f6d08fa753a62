"""Administration pages: who may open them, and changes through the forms."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import render_template_string
from sqlalchemy import func, select

from mutuo_aiuto.i18n import LANGUAGES
from mutuo_aiuto.models import Category, Neighbourhood, Skill, neighbourhood_adjacency
from mutuo_aiuto.services.catalogue import ICON_NAMES
from mutuo_aiuto.web.admin.forms import ICON_LABELS

ICONS = Path(__file__).resolve().parents[2] / "mutuo_aiuto" / "web" / "static" / "icons"

PAGES = ["/admin", "/admin/neighbourhoods", "/admin/neighbourhoods/new",
         "/admin/neighbourhoods/fontivegge/edit", "/admin/categories", "/admin/categories/new",
         "/admin/categories/meals/edit", "/admin/skills", "/admin/skills/new",
         "/admin/skills/cucinare/edit"]
ACTIONS = ["/admin/neighbourhoods/fontivegge/deactivate", "/admin/neighbourhoods/fontivegge/delete",
           "/admin/categories/meals/deactivate", "/admin/categories/meals/delete",
           "/admin/skills/cucinare/deactivate", "/admin/skills/cucinare/delete"]


def count(session, model) -> int:
    return session.execute(select(func.count()).select_from(model)).scalar()


def ticked(page: str) -> list[str]:
    """The adjacent neighbourhoods ticked on an edit page."""
    pattern = r'<input checked [^>]*name="neighbours" type="checkbox" value="([^"]+)"'
    return re.findall(pattern, page)


def stored_edges(session) -> list[tuple[int, int]]:
    table = neighbourhood_adjacency
    return sorted((a, b) for a, b in session.execute(select(table.c.a_id, table.c.b_id)))


@pytest.fixture
def rows(make_neighbourhood, make_category, make_skill):
    place = make_neighbourhood(slug="fontivegge", name="Fontivegge")
    meals = make_category(slug="meals", name="Pasti", translations={"en": "Meals"})
    skill = make_skill(slug="cucinare", name="Cucinare", category=meals)
    return place, meals, skill


@pytest.fixture
def admin(make_user, login):
    return login(make_user(role="admin", locale="en"))


# ---- who may open the pages ---------------------------------------------------


# One app per role rather than per page: building an app is the slow part.


def test_anonymous_visitors_are_sent_to_log_in(client, rows):
    answers = {url: client.get(url) for url in PAGES}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(PAGES, 302)
    assert all("/login" in r.headers["Location"] for r in answers.values())


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_members_and_facilitators_get_403(client, rows, make_user, login, role):
    login(make_user(role=role))
    assert {url: client.get(url).status_code for url in PAGES} == dict.fromkeys(PAGES, 403)


def test_actions_refused_to_a_facilitator_change_nothing(client, session, rows, make_user,
                                                         login):
    login(make_user(role="facilitator"))
    assert {url: client.post(url).status_code for url in ACTIONS} == dict.fromkeys(ACTIONS, 403)
    assert (count(session, Neighbourhood), count(session, Category), count(session, Skill)) == (
        1, 1, 1)
    assert all(row.active for row in rows)


def test_administrators_open_every_page(client, rows, admin):
    answers = {url: client.get(url) for url in PAGES}
    assert {url: r.status_code for url, r in answers.items()} == dict.fromkeys(PAGES, 200)
    for response in answers.values():
        assert 'style="' not in response.text and "<script" not in response.text


def test_unknown_slug_is_404(client, admin):
    assert client.get("/admin/categories/nothing/edit").status_code == 404
    assert client.post("/admin/skills/nothing/delete").status_code == 404


# ---- neighbourhoods -------------------------------------------------------------


def test_add_a_neighbourhood_with_its_neighbours(client, session, rows, admin):
    response = client.post("/admin/neighbourhoods/new", data={
        "name": "Madonna Alta", "slug": "", "active": "y", "neighbours": ["fontivegge"]})
    assert response.status_code == 302
    place = session.execute(select(Neighbourhood).filter_by(slug="madonna-alta")).scalar_one()
    assert place.active
    assert stored_edges(session) == [(rows[0].id, place.id)]


def test_duplicate_slug_is_a_field_error_and_saves_nothing(client, session, rows, admin):
    before = count(session, Neighbourhood)
    response = client.post("/admin/neighbourhoods/new",
                           data={"name": "Fontivegge Nord", "slug": "fontivegge"})
    assert response.status_code == 400
    assert "This short name is already used" in response.text
    assert re.search(r'<input [^>]*aria-invalid="true" id="slug"', response.text)
    assert response.text.count('aria-invalid="true"') == 1
    assert count(session, Neighbourhood) == before


def test_missing_name_is_refused(client, session, admin):
    response = client.post("/admin/neighbourhoods/new", data={"name": " "})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert count(session, Neighbourhood) == 0


def test_adjacency_is_stored_once_and_shown_from_both_sides(client, session, admin,
                                                          make_neighbourhood):
    a = make_neighbourhood(slug="aaa", name="A")
    b = make_neighbourhood(slug="bbb", name="B")
    c = make_neighbourhood(slug="ccc", name="C")
    # Saved from the page of the larger id: still stored smaller id first.
    response = client.post("/admin/neighbourhoods/ccc/edit", data={
        "name": "C", "slug": "ccc", "active": "y", "neighbours": ["aaa", "bbb"]})
    assert response.status_code == 302
    assert stored_edges(session) == sorted([(a.id, c.id), (b.id, c.id)])
    page = client.get("/admin/neighbourhoods/aaa/edit").text
    assert ticked(page) == ["ccc"]
    # Unticking on the other side removes the one edge.
    client.post("/admin/neighbourhoods/aaa/edit", data={"name": "A", "slug": "aaa", "active": "y"})
    assert stored_edges(session) == [(b.id, c.id)]


def test_rename_and_deactivate_through_the_edit_form(client, session, rows, admin):
    response = client.post("/admin/neighbourhoods/fontivegge/edit",
                           data={"name": "Fontivegge Stazione", "slug": "fontivegge-stazione"})
    assert response.status_code == 302
    place = session.get(Neighbourhood, rows[0].id)
    assert (place.name, place.slug, place.active) == ("Fontivegge Stazione",
                                                      "fontivegge-stazione", False)


def test_delete_an_unused_neighbourhood(client, session, rows, admin):
    response = client.post("/admin/neighbourhoods/fontivegge/delete")
    assert response.status_code == 302
    assert count(session, Neighbourhood) == 0


def test_a_neighbourhood_in_use_is_kept_with_a_message(client, session, admin, make_household):
    place = make_household().neighbourhood
    response = client.post(f"/admin/neighbourhoods/{place.slug}/delete", follow_redirects=True)
    assert "cannot be deleted" in response.text
    assert count(session, Neighbourhood) == 1
    response = client.post(f"/admin/neighbourhoods/{place.slug}/deactivate")
    assert response.status_code == 302
    session.refresh(place)
    assert place.active is False


def test_edit_page_offers_delete_only_when_unused(client, admin, make_household):
    place = make_household().neighbourhood
    page = client.get(f"/admin/neighbourhoods/{place.slug}/edit").text
    assert f"/admin/neighbourhoods/{place.slug}/deactivate" in page
    assert f"/admin/neighbourhoods/{place.slug}/delete" not in page


# ---- categories ------------------------------------------------------------------


def category_form(**changes: str) -> dict[str, str]:
    return {"name_it": "Aiuto digitale", "name_en": "Digital help", "slug": "",
            "kind": "care", "icon": "digital", "remote": "y", "active": "y",
            "position": "5"} | changes


def test_category_form_has_a_name_field_per_language(client, admin):
    page = client.get("/admin/categories/new").text
    for code in LANGUAGES:
        assert f'name="name_{code}"' in page


def test_add_a_category(client, session, admin):
    response = client.post("/admin/categories/new", data=category_form())
    assert response.status_code == 302
    category = session.execute(select(Category)).scalar_one()
    assert (category.slug, category.name, category.translations) == (
        "aiuto-digitale", "Aiuto digitale", {"en": "Digital help"})
    assert (category.icon, category.remote, category.requires_vetted, category.position) == (
        "digital", True, False, 5)


@pytest.mark.parametrize(("changes", "field"), [
    ({"name_en": ""}, "name_en"),
    ({"slug": "meals"}, "slug"),
    ({"name_it": "pasti"}, "name_it"),
    ({"icon": "rocket"}, "icon"),
    ({"position": "lots"}, "position"),
])
def test_invalid_category_is_refused_and_nothing_saved(client, session, rows, admin, changes,
                                                        field):
    response = client.post("/admin/categories/new", data=category_form(**changes))
    assert response.status_code == 400
    assert re.search(rf'aria-invalid="true" id="{field}"', response.text)
    assert count(session, Category) == 1


def test_edit_a_category_shows_and_changes_its_names(client, session, rows, admin):
    page = client.get("/admin/categories/meals/edit").text
    assert 'value="Pasti"' in page and 'value="Meals"' in page
    response = client.post("/admin/categories/meals/edit", data=category_form(
        name_it="Pasti caldi", name_en="Hot meals", slug="meals", icon="meals",
        requires_vetted="y"))
    assert response.status_code == 302
    category = session.get(Category, rows[1].id)
    assert (category.name, category.translations["en"], category.requires_vetted) == (
        "Pasti caldi", "Hot meals", True)


def test_category_with_skills_is_only_deactivated(client, session, rows, admin):
    response = client.post("/admin/categories/meals/delete", follow_redirects=True)
    assert "cannot be deleted" in response.text
    assert count(session, Category) == 1
    client.post("/admin/categories/meals/deactivate")
    assert session.get(Category, rows[1].id).active is False


def test_delete_an_unused_category(client, session, admin, make_category):
    make_category(slug="unused")
    assert client.post("/admin/categories/unused/delete").status_code == 302
    assert count(session, Category) == 0


# ---- skills ----------------------------------------------------------------------


def test_add_a_skill_in_a_category(client, session, rows, admin):
    response = client.post("/admin/skills/new", data={
        "name_it": "Preparare pranzi", "name_en": "Making lunches", "category": "meals",
        "active": "y", "position": "0"})
    assert response.status_code == 302
    skill = session.execute(select(Skill).filter_by(slug="preparare-pranzi")).scalar_one()
    assert skill.category_id == rows[1].id


def test_duplicate_skill_slug_is_refused(client, session, rows, admin):
    response = client.post("/admin/skills/new", data={
        "name_it": "Cucina", "name_en": "Cooking", "slug": "cucinare", "category": ""})
    assert response.status_code == 400
    assert "This short name is already used" in response.text
    assert count(session, Skill) == 1


def test_edit_a_skill_moves_it_out_of_its_category(client, session, rows, admin):
    response = client.post("/admin/skills/cucinare/edit", data={
        "name_it": "Cucinare", "name_en": "Cooking", "slug": "cucinare", "category": "",
        "active": "y", "position": "3"})
    assert response.status_code == 302
    skill = session.get(Skill, rows[2].id)
    assert (skill.category_id, skill.position, skill.translations["en"]) == (None, 3, "Cooking")


def test_skill_of_a_need_is_only_deactivated(client, session, rows, admin, make_need):
    make_need(category=rows[1], skills=[rows[2]])
    response = client.post("/admin/skills/cucinare/delete", follow_redirects=True)
    assert "cannot be deleted" in response.text
    assert count(session, Skill) == 1
    client.post("/admin/skills/cucinare/deactivate")
    assert session.get(Skill, rows[2].id).active is False


def test_delete_an_unused_skill(client, session, rows, admin):
    assert client.post("/admin/skills/cucinare/delete").status_code == 302
    assert count(session, Skill) == 0


# ---- icons -------------------------------------------------------------------------


@pytest.mark.parametrize("name", ICON_NAMES)
def test_each_icon_is_a_small_plain_svg(name):
    svg = (ICONS / f"{name}.svg").read_text()
    assert len(svg.encode()) < 1024
    assert svg.startswith("<svg") and 'stroke="currentColor"' in svg
    assert "<text" not in svg and "<script" not in svg and "style=" not in svg
    assert name in ICON_LABELS


def test_icon_macro_is_decorative_without_a_label(app):
    with app.test_request_context():
        html = render_template_string(
            '{% from "_icons.html" import icon %}{{ icon("school") }}|{{ icon("meals", "Meals") }}')
    decorative, labelled = html.split("|")
    assert 'src="/static/icons/school.svg?v=' in decorative and 'alt=""' in decorative
    assert 'alt="Meals"' in labelled and 'class="icon"' in labelled


def test_a_categorys_default_skills_are_ticked_on_its_page(client, session, rows, admin,
                                                           make_skill):
    make_skill(slug="consegna", name="Consegna")  # a skill of no category may be one too
    page = client.get("/admin/categories/meals/edit").text
    assert 'name="default_skills"' in page and 'value="consegna"' in page
    response = client.post("/admin/categories/meals/edit", data=category_form(
        name_it="Pasti", name_en="Meals", slug="meals", icon="meals",
        default_skills=["cucinare", "consegna"]))
    assert response.status_code == 302
    category = session.get(Category, rows[1].id)
    assert sorted(skill.slug for skill in category.default_skills) == ["consegna", "cucinare"]
    page = client.get("/admin/categories/meals/edit").text
    assert re.search(r'<input checked id="default_skills-\d" name="default_skills" '
                     r'type="checkbox" value="cucinare">', page)
