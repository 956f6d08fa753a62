"""The associations' pages: the list, a page, proposing with a logo, editing, following,
and the administrators' review; a page one may not see answers 404."""

from __future__ import annotations

import io
from datetime import date

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import Activity, Association, AssociationFollower, AuditEvent
from mutuo_aiuto.services import audit
from tests.conftest import FreshClient
from tests.factories import TINY_PNG
from tests.web.test_query_counts import counted

HTML_LOGO = b"<!doctype html><html><script>alert(1)</script></html>"


@pytest.fixture
def client(app):
    app.test_client_class = FreshClient
    return app.test_client()


@pytest.fixture
def place(make_neighbourhood):
    return make_neighbourhood(slug="fontivegge", name="Fontivegge")


def form(**overrides):
    values = {"name": "Famiglie Insieme APS", "legal_form": "APS",
              "description": "Merende e compiti.", "neighbourhoods": ["fontivegge"],
              "languages": ["it", "ar"], "public_email": "info@example.org",
              "public_phone": "075 123 4567", "website": ""}
    return values | overrides


def post_form(client, url, data, logo=None, filename="logo.png"):
    if logo is not None:
        data = data | {"logo": (io.BytesIO(logo), filename)}
    return client.post(url, data=data, content_type="multipart/form-data")


def test_a_member_proposes_with_a_logo_and_sees_the_pending_page(client, login, make_user,
                                                                  place, session):
    login(make_user(locale="en"))
    # A PNG named .jpg is fine: the bytes decide.
    answer = post_form(client, "/associations/new?lang=en", form(), TINY_PNG, "logo.jpg")
    assert answer.status_code == 302
    association = session.scalars(select(Association)).one()
    assert (association.status, association.logo_type) == ("pending", "image/png")
    page = client.get(answer.location)
    assert page.status_code == 200
    assert "waiting for approval" in page.text
    logo = client.get(f"/associations/{association.public_id}/logo")
    assert logo.status_code == 200
    assert logo.mimetype == "image/png"
    assert logo.headers["X-Content-Type-Options"] == "nosniff"
    assert logo.data == TINY_PNG


def test_an_html_file_named_logo_png_is_refused(client, login, make_user, place, session):
    login(make_user(locale="en"))
    answer = post_form(client, "/associations/new?lang=en", form(), HTML_LOGO, "logo.png")
    assert answer.status_code == 400
    assert "The logo must be a PNG, JPEG or WebP image." in answer.text
    assert "Famiglie Insieme APS" in answer.text  # nothing typed is lost
    assert session.scalars(select(Association)).all() == []


def test_a_logo_over_200_kb_is_refused(client, login, make_user, place, session):
    login(make_user(locale="en"))
    answer = post_form(client, "/associations/new?lang=en", form(),
                       TINY_PNG + b"\0" * (200 * 1024), "logo.png")
    assert answer.status_code == 400
    assert "The logo is too big: at most 200 KB." in answer.text


def test_every_error_is_listed_at_once(client, login, make_user, place):
    login(make_user(locale="en"))
    answer = post_form(client, "/associations/new?lang=en",
                       {"public_phone": "call me", "website": "ftp:/x"}, HTML_LOGO)
    assert answer.status_code == 400
    summary = answer.text.split('class="error-summary"')[1].split("</div>")[0]
    for message in ("Give the association&#39;s name.", "Say in a few words",
                    "Choose at least one neighbourhood.", "Choose at least one language.",
                    "Enter a phone number", "Enter the website", "The logo must be"):
        assert message in summary, message
    assert "call me" in answer.text


def test_the_list_shows_approved_ones_by_neighbourhood(client, make_association,
                                                       make_neighbourhood, place):
    elsewhere = make_neighbourhood(name="Pallotta", slug="pallotta")
    make_association(name="Qui", neighbourhoods=[place])
    make_association(name="Altrove", neighbourhoods=[elsewhere])
    make_association(name="In attesa", neighbourhoods=[place], status="pending")
    everything = client.get("/associations").text
    assert "Qui" in everything and "Altrove" in everything and "In attesa" not in everything
    here = client.get("/associations?neighbourhood=fontivegge").text
    assert "Qui" in here and "Altrove" not in here
    assert client.get("/associations?neighbourhood=%3Cscript%3E").status_code == 200


def test_a_pending_or_suspended_page_is_only_for_its_coordinators_and_staff(
        app, make_association, make_user):
    for status in ("pending", "suspended"):
        client = app.test_client()

        def login(user, client=client):
            with client.session_transaction() as flask_session:
                flask_session["_user_id"] = user.get_id()

        association = make_association(status=status, status_note="Da verificare")
        url = f"/associations/{association.public_id}"
        assert client.get(url).status_code == 404
        assert client.get(url + "/logo").status_code == 404
        login(make_user())
        assert client.get(url).status_code == 404
        login(association.coordinators[0].user)
        page = client.get(url + "?lang=en")
        assert page.status_code == 200
        if status == "suspended":
            assert "Da verificare" in page.text
        login(make_user(role="facilitator"))
        assert client.get(url).status_code == 200


def test_the_page_lists_its_activities(client, make_association, session, place):
    association = make_association(neighbourhoods=[place])
    session.add(Activity(association=association, kind="homework_club", title="Compiti insieme",
                         neighbourhood=place, place_name="Biblioteca San Matteo",
                         starts_on=date(2026, 12, 1)))
    session.commit()
    page = client.get(f"/associations/{association.public_id}?lang=en").text
    assert "Compiti insieme" in page and "homework club" in page
    assert "Biblioteca San Matteo" in page


def test_coordinators_edit_and_nobody_else(client, login, make_association, make_user, place,
                                           session):
    mine, theirs = make_association(neighbourhoods=[place]), make_association()
    login(mine.coordinators[0].user)
    assert client.get(f"/associations/{theirs.public_id}/edit").status_code == 404
    assert post_form(client, f"/associations/{theirs.public_id}/edit",
                     form(name="Presa")).status_code == 404
    answer = post_form(client, f"/associations/{mine.public_id}/edit",
                       form(name=mine.name, description="Nuovo testo"))
    assert answer.status_code == 302
    session.refresh(mine)
    assert mine.description == "Nuovo testo"
    assert theirs.name != "Presa"


def test_a_suspended_associations_coordinator_cannot_edit(client, login, make_association,
                                                          place):
    association = make_association(status="suspended", status_note="Verifica")
    login(association.coordinators[0].user)
    url = f"/associations/{association.public_id}/edit"
    assert client.get(url).status_code == 404
    assert post_form(client, url, form(name="Altro")).status_code == 404


def test_a_family_follows_and_its_page_lists_it(client, login, make_household,
                                                make_association):
    family = make_household()
    association = make_association(name="Genitori in Rete")
    login(family.user)
    assert client.post(f"/associations/{association.public_id}/follow").status_code == 302
    section = client.get("/family").text.split('id="associations-title"')[1]
    assert "Genitori in Rete" in section
    assert client.post(f"/associations/{association.public_id}/unfollow").status_code == 302
    section = client.get("/family").text.split('id="associations-title"')[1]
    assert "Genitori in Rete" not in section


def test_the_menus(client, login, make_association, make_user):
    # Anyone finds the list from the footer of every page.
    assert 'href="/associations"' in client.get("/").text.split("<footer")[1]
    coordinator = make_association().coordinators[0].user
    login(coordinator)
    assert "/associations/mine" in client.get("/associations").text
    login(make_user())
    assert "/associations/mine" not in client.get("/associations").text
    login(make_user(role="admin"))
    assert "/admin/associations" in client.get("/associations").text


def test_an_administrator_reviews(client, login, make_association, make_user, session):
    association = make_association(status="pending")
    newcomer = make_user(email="nuova@example.org")
    login(make_user(role="admin", locale="en"))
    base = f"/admin/associations/{association.public_id}"
    assert association.name in client.get("/admin/associations?status=pending").text
    assert client.get(base).status_code == 200
    assert client.post(base + "/approve").status_code == 302
    assert client.post(base + "/suspend", data={"note": ""}).status_code == 400
    assert client.post(base + "/suspend", data={"note": "Sito non valido"}).status_code == 302
    refused = client.post(base + "/coordinators", data={"email": "nobody@example.org"})
    assert refused.status_code == 400
    assert client.post(base + "/coordinators", data={"email": newcomer.email}).status_code == 302
    first = association.coordinators[0].user
    assert client.post(f"{base}/coordinators/{first.public_id}/remove").status_code == 302
    session.refresh(association)
    assert association.status == "suspended"
    assert [c.user_id for c in association.coordinators] == [newcomer.id]
    done = list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))
    assert done == [audit.ASSOCIATION_APPROVED, audit.ASSOCIATION_SUSPENDED,
                    audit.COORDINATOR_ADDED, audit.COORDINATOR_REMOVED]


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_only_administrators_review(client, login, make_association, make_user, role):
    association = make_association(status="pending")
    login(make_user(role=role))
    assert client.get("/admin/associations").status_code == 403
    assert client.post(f"/admin/associations/{association.public_id}/approve").status_code == 403


def test_a_text_field_sent_as_a_file_is_refused(client, login, make_user, place, session):
    login(make_user())
    answer = client.post("/associations/new", data=form(name=(io.BytesIO(b"x"), "name.txt")),
                         content_type="multipart/form-data")
    assert answer.status_code == 400
    assert session.scalars(select(Association)).all() == []


def test_the_pages_ask_as_often_with_many_associations(client, login, make_association,
                                                       make_household, make_neighbourhood,
                                                       make_user, session, place):
    """List, page, family page and review: no query per association, place or activity."""
    family = make_household(neighbourhood=place)
    admin = make_user(role="admin")

    def add(n: int) -> None:
        for _ in range(n):
            association = make_association(neighbourhoods=[place, make_neighbourhood()])
            session.add(Activity(association=association, kind="outing", title="Gita",
                                 neighbourhood=place, place_name="Parco",
                                 starts_on=date(2026, 12, 1)))
            session.add(AssociationFollower(association=association, household=family))
        session.commit()

    def counts() -> dict[str, int]:
        first = session.scalars(select(Association).order_by(Association.id)).first()
        pages = {"list": ("/associations", family.user), "family": ("/family", family.user),
                 "page": (f"/associations/{first.public_id}", family.user),
                 "review": ("/admin/associations", admin)}
        found = {}
        for name, (url, user) in pages.items():
            login(user)
            with counted() as statements:
                assert client.get(url).status_code == 200, url
            found[name] = len(statements)
        return found

    add(2)
    few = counts()
    add(10)
    assert counts() == few
