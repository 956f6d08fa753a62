"""The family's request in plain words, the pairing's "it's done" / "something is wrong",
the helper's hours per month and the closed pairing's feedback link, through the pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, MatchHours, MatchReport, Notification


@pytest.fixture
def match(make_match, make_household, make_offer, make_need):
    helper = make_household(name="Giulia", phone="+39 333 123 4567")
    need = make_need(status="active", title="Uscita da scuola",
                     ends_on=date.today() + timedelta(days=200))
    return make_match(need=need, offer=make_offer(household=helper,
                                                  ends_on=date.today() + timedelta(days=100)))


def test_the_request_names_the_helper_with_her_phone_once_she_accepted(client, login, match,
                                                                       session):
    login(match.need.household.user)
    page = client.get(f"/needs/{match.need.public_id}").text
    assert "Giulia ti sta aiutando." in page
    assert "333 123 4567" in page and 'href="tel:+393331234567"' in page
    assert "Giulia smetterà" in page
    assert f'href="/matches/{match.public_id}"' in page
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action == "contacts.viewed",
        AuditEvent.household_id == match.offer.household_id)).first() is not None
    listing = client.get("/needs").text
    assert "Giulia ti sta aiutando." in listing


def test_the_request_awaiting_the_helper_keeps_her_name_hidden(client, login, make_match):
    match = make_match(status="awaiting", respond_by=None)
    match.offer.household.name = "Giulia"
    login(match.need.household.user)
    page = client.get(f"/needs/{match.need.public_id}").text
    assert "Abbiamo chiesto a una persona che può aiutarti" in page
    assert "Giulia" not in page


def test_the_week_says_who_comes_and_whom_the_helper_goes_to(client, login, match, session):
    match.need.household.name = "Famiglia Hassan"
    session.commit()
    next_week = f"/week?start={(date.today() + timedelta(days=7)).isoformat()}"
    login(match.need.household.user)
    assert "Viene Giulia" in client.get(next_week).text
    login(match.offer.household.user)
    assert "Vai da Famiglia Hassan" in client.get(next_week).text


def test_before_acceptance_the_week_names_nobody(client, login, make_match):
    match = make_match(status="awaiting", started_on=None)
    login(match.need.household.user)
    page = client.get(f"/week?start={(date.today() + timedelta(days=7)).isoformat()}").text
    assert "Viene una persona che aiuta" in page
    assert match.offer.household.name not in page


def test_its_done_asks_to_confirm_then_reaches_the_facilitator(client, login, match,
                                                               make_user, session):
    staff = make_user(role="facilitator", locale="en")
    login(match.need.household.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert f"/matches/{match.public_id}/done" in page
    assert "L'aiuto è finito?" in client.get(f"/matches/{match.public_id}/done").text
    assert session.scalars(select(MatchReport)).all() == []  # asking is not telling
    response = client.post(f"/matches/{match.public_id}/done")
    assert response.status_code == 302
    [notice] = session.scalars(select(Notification).where(
        Notification.user_id == staff.id)).all()
    assert notice.kind == "match_done_family"
    login(staff)
    close = client.get(f"/matches/{match.public_id}/close").text
    assert "Says the help is over and asks to close the pairing." in close


def test_something_is_wrong_is_read_by_the_facilitator_never_by_the_other_side(
        client, login, match, make_user, session):
    staff = make_user(role="facilitator", locale="en")
    family, helper = match.need.household.user, match.offer.household.user
    login(helper)
    response = client.post(f"/matches/{match.public_id}/problem", data={"text": ""})
    assert response.status_code == 400
    assert "Scrivici in poche parole cosa non va." in response.text
    response = client.post(f"/matches/{match.public_id}/problem",
                           data={"text": "Non rispondono mai al telefono"})
    assert response.status_code == 302
    assert [n.kind for n in session.scalars(select(Notification).where(
        Notification.user_id == staff.id))] == ["match_problem_helper"]
    for user in (family, helper):
        login(user)
        for path in (f"/matches/{match.public_id}", f"/needs/{match.need.public_id}",
                     "/inbox", "/family"):
            assert "Non rispondono" not in client.get(path).text
    login(staff)
    page = client.get(f"/matches/{match.public_id}/close").text
    assert "Non rispondono mai al telefono" in page
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.action == "sensitive.viewed")).first() is not None


def test_the_helper_records_12_comma_5_hours_in_italian(client, login, match, session):
    login(match.offer.household.user)
    month = date.today().replace(day=1).isoformat()
    response = client.post(f"/matches/{match.public_id}/hours",
                           data={"month": month, "hours": "12,5"})
    assert response.status_code == 302
    page = client.get(f"/matches/{match.public_id}/hours").text
    assert "12,5" in page and "12.5" not in page
    assert "Registrate finora: 12,5 ore." in client.get(f"/matches/{match.public_id}").text
    session.expire_all()
    assert match.hours == 12.5


@pytest.mark.parametrize(("hours", "message"), [
    ("-1", "Le ore di un mese devono essere tra 0 e 200."),
    ("500", "Le ore di un mese devono essere tra 0 e 200."),
    ("abc", "Scrivi le ore come numero, per esempio 12 o 12,5."),
    ("", "Give the hours of help, 0 if none."),
])
def test_bad_hours_are_refused_with_a_message_and_nothing_is_saved(client, login, match,
                                                                   session, hours, message):
    login(match.offer.household.user)
    month = date.today().replace(day=1).isoformat()
    response = client.post(f"/matches/{match.public_id}/hours",
                           data={"month": month, "hours": hours})
    assert response.status_code == 400
    assert 'class="error-summary"' in response.text and 'aria-invalid="true"' in response.text
    assert f'value="{hours}"' in response.text  # nothing typed is lost
    assert session.scalars(select(MatchHours)).all() == []


def test_the_family_neither_sees_nor_records_hours(client, login, match):
    login(match.need.household.user)
    assert client.get(f"/matches/{match.public_id}/hours").status_code == 404
    month = date.today().replace(day=1).isoformat()
    assert client.post(f"/matches/{match.public_id}/hours",
                       data={"month": month, "hours": "3"}).status_code == 404
    assert "/hours" not in client.get(f"/matches/{match.public_id}").text


def test_the_close_page_is_prefilled_with_the_months_hours(client, login, match, make_user):
    login(match.offer.household.user)
    month = date.today().replace(day=1).isoformat()
    client.post(f"/matches/{match.public_id}/hours", data={"month": month, "hours": "12,5"})
    login(make_user(role="facilitator", locale="it"))
    page = client.get(f"/matches/{match.public_id}/close").text
    assert 'value="12,5"' in page


def test_once_closed_both_sides_get_the_feedback_link_on_the_pairing_and_request(
        client, login, match, make_user, session):
    login(make_user(role="facilitator", locale="en"))
    assert client.post(f"/matches/{match.public_id}/close",
                       data={"outcome": "resolved", "hours": "3"}).status_code == 302
    feedback = f"/matches/{match.public_id}/feedback"
    for user in (match.need.household.user, match.offer.household.user):
        login(user)
        assert any(n.kind == "match_closed" for n in session.scalars(
            select(Notification).where(Notification.user_id == user.id)))
        assert feedback in client.get(f"/matches/{match.public_id}").text
    login(match.need.household.user)
    page = client.get(f"/needs/{match.need.public_id}").text
    assert "Questa richiesta è chiusa" in page and feedback in page


def test_the_pairing_page_tells_the_family_in_the_same_words(client, login, match):
    login(match.need.household.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert "Giulia ti sta aiutando." in page and "Giulia smetterà" in page
    login(match.offer.household.user)
    assert "ti sta aiutando" not in client.get(f"/matches/{match.public_id}").text
