"""The follow-up pages: facilitators' check-ins, closing, vetting; members' feedback, calendar."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from mutuo_aiuto.models import FollowUp, Vetting


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def facilitator(make_user, login):
    return login(make_user(role="facilitator", locale="en"))


@pytest.fixture
def due(session, make_match):
    follow_up = FollowUp(match=make_match(), due_on=date.today() - timedelta(days=1))
    session.add(follow_up)
    session.commit()
    return follow_up


# ---- access -----------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_log_in(client, due):
    for url in ("/followups", f"/followups/{due.public_id}", "/vetting", "/calendar",
                f"/matches/{due.match.public_id}/close",
                f"/matches/{due.match.public_id}/feedback"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert "/login" in response.headers["Location"]


def test_members_may_not_open_facilitator_pages(client, login, make_user, due):
    login(make_user())
    household = due.match.offer.household.public_id
    for url in ("/followups", f"/followups/{due.public_id}", "/vetting", f"/vetting/{household}",
                f"/matches/{due.match.public_id}/close"):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/vetting/{household}/revoke").status_code == 403


def test_unknown_ids_answer_404(client, facilitator):
    for url in ("/followups/nothing", "/matches/nothing/close", "/vetting/nothing",
                "/matches/nothing/feedback"):
        assert client.get(url).status_code == 404, url


def test_menu_shows_follow_ups_to_facilitators(client, login, make_user):
    login(make_user(role="facilitator"))
    page = client.get("/calendar").text
    assert 'href="/followups"' in page and 'href="/calendar"' in page


def test_menu_shows_the_calendar_to_members(client, login, make_user):
    login(make_user())
    page = client.get("/calendar").text
    assert 'href="/followups"' not in page and 'href="/calendar"' in page


# ---- follow-ups -------------------------------------------------------------------


def test_due_follow_ups_are_listed(client, facilitator, due):
    page = client.get("/followups")
    assert page.status_code == 200
    assert f"/followups/{due.public_id}" in page.text
    assert due.match.need.household.name in page.text


def test_each_list_is_shown_a_page_at_a_time(client, session, facilitator, make_match):
    from mutuo_aiuto.services.followups import PER_PAGE as FOLLOW_UPS_PER_PAGE

    today = date.today()
    late = [FollowUp(match=make_match(), due_on=today - timedelta(days=1 + n % 20))
            for n in range(FOLLOW_UPS_PER_PAGE + 3)]
    soon = FollowUp(match=make_match(), due_on=today + timedelta(days=3))
    session.add_all([*late, soon])
    session.commit()
    oldest_first = sorted(late, key=lambda f: (f.due_on, f.id))

    first = client.get("/followups").text
    assert f"({FOLLOW_UPS_PER_PAGE + 3})" in first  # how many are due, in all
    assert sum(f"/followups/{f.public_id}\"" in first for f in late) == FOLLOW_UPS_PER_PAGE
    assert f"/followups/{oldest_first[0].public_id}\"" in first
    assert "due_page=2" in first and f"/followups/{soon.public_id}\"" in first

    second = client.get("/followups?due_page=2").text
    shown = [f for f in late if f"/followups/{f.public_id}\"" in second]
    assert {f.id for f in shown} == {f.id for f in oldest_first[FOLLOW_UPS_PER_PAGE:]}
    assert "Previous page" in second and f"/followups/{soon.public_id}\"" in second
    # A page past the last, or not a number, shows the nearest page, never an error.
    assert client.get("/followups?due_page=99").status_code == 200
    assert client.get("/followups?due_page=x&upcoming_page=-4").status_code == 200


def test_recording_a_follow_up_plans_the_next(client, session, facilitator, due):
    response = client.post(f"/followups/{due.public_id}",
                           data={"outcome": "going_well", "notes": "Tutto bene"})
    assert response.status_code == 302
    session.expire_all()
    assert due.done_at is not None and due.outcome == "going_well"
    waiting = session.scalars(select(FollowUp).where(FollowUp.done_at.is_(None))).one()
    assert waiting.due_on > date.today()


def test_the_belonging_question_is_asked_of_both_sides(client, session, facilitator, due):
    page = client.get(f"/followups/{due.public_id}").text
    assert "I know people in my neighbourhood I can ask for help" in page
    assert page.count('name="family_belonging"') == 5
    assert page.count('name="helper_belonging"') == 5
    response = client.post(f"/followups/{due.public_id}",
                           data={"outcome": "going_well", "family_belonging": "4"})
    assert response.status_code == 302
    session.expire_all()
    assert (due.family_belonging, due.helper_belonging) == (4, None)


@pytest.mark.parametrize("answer", ["9", "tanto"])
def test_a_belonging_answer_off_the_scale_saves_nothing(client, session, facilitator, due,
                                                        answer):
    response = client.post(f"/followups/{due.public_id}",
                           data={"outcome": "going_well", "helper_belonging": answer})
    assert response.status_code == 400
    assert "Choose from 1 to 5, or leave it empty." in response.text
    session.expire_all()
    assert due.done_at is None and due.helper_belonging is None


def test_an_invalid_follow_up_is_shown_again_and_saves_nothing(client, session, facilitator,
                                                               due):
    response = client.post(f"/followups/{due.public_id}", data={"outcome": "wonderful"})
    assert response.status_code == 400
    assert 'aria-invalid' in response.text or 'field-error' in response.text
    session.expire_all()
    assert due.done_at is None
    assert count(session, FollowUp) == 1


# ---- closing ----------------------------------------------------------------------


def test_closing_with_a_comma_in_the_hours(client, session, facilitator, make_match):
    match = make_match()
    response = client.post(f"/matches/{match.public_id}/close",
                           data={"outcome": "resolved", "hours": "2,5"})
    assert response.status_code == 302
    session.expire_all()
    assert (match.status, match.outcome, match.hours) == ("closed", "resolved", 2.5)
    assert match.need.status == "closed"


@pytest.mark.parametrize(("hours", "message"), [
    ("", "Give the hours of help, 0 if none."),
    ("tanti", "Write a number of hours, for example 12 or 2,5."),
    ("-3", "Hours must be between 0 and 1,000."),
    ("5000", "Hours must be between 0 and 1,000."),
])
def test_bad_hours_are_refused_and_nothing_is_saved(client, session, facilitator, make_match,
                                                    hours, message):
    match = make_match()
    response = client.post(f"/matches/{match.public_id}/close",
                           data={"outcome": "resolved", "hours": hours})
    assert response.status_code == 400
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    session.expire_all()
    assert (match.status, match.hours, match.need.status) == ("active", None, "active")


# ---- feedback ---------------------------------------------------------------------


def test_the_family_gives_feedback(client, session, login, make_match):
    match = make_match()
    login(match.need.household.user)
    assert client.get(f"/matches/{match.public_id}/feedback").status_code == 200
    response = client.post(f"/matches/{match.public_id}/feedback",
                           data={"rating": "5", "comment": "Grazie"})
    assert response.status_code == 302
    session.expire_all()
    assert (match.family_rating, match.family_comment) == (5, "Grazie")
    assert match.helper_rating is None


def test_invalid_feedback_saves_nothing(client, session, login, make_match):
    match = make_match()
    login(match.offer.household.user)
    response = client.post(f"/matches/{match.public_id}/feedback", data={"rating": "9"})
    assert response.status_code == 400
    session.expire_all()
    assert match.helper_rating is None


def test_other_peoples_matches_answer_404(client, login, make_match, make_household, make_user):
    match = make_match()
    login(make_household().user)
    assert client.get(f"/matches/{match.public_id}/feedback").status_code == 404
    assert client.post(f"/matches/{match.public_id}/feedback",
                       data={"rating": "1"}).status_code == 404
    login(make_user(role="facilitator"))  # not a side either
    assert client.get(f"/matches/{match.public_id}/feedback").status_code == 404


def test_household_page_shows_the_ledger(client, login, session, make_match, make_user):
    from mutuo_aiuto.models.types import utcnow
    from mutuo_aiuto.services.outcomes import close_match

    match = make_match()
    close_match(session, make_user(role="facilitator"), match, "resolved", 7, utcnow())
    session.commit()
    login(match.offer.household.user)
    page = client.get("/family")
    assert page.status_code == 200
    assert 'id="ledger-title"' in page.text
    assert f"/matches/{match.public_id}/feedback" in page.text


# ---- vetting ----------------------------------------------------------------------


def test_facilitator_records_and_revokes_a_vetting(client, session, facilitator,
                                                   make_household):
    helper = make_household()
    today = date.today()
    response = client.post(f"/vetting/{helper.public_id}", data={
        "checked_on": (today - timedelta(days=1)).isoformat(),
        "expires_on": (today + timedelta(days=180)).isoformat()})
    assert response.status_code == 302
    vetting = session.scalars(select(Vetting)).one()
    assert vetting.recorded_by_id == facilitator.id
    assert client.post(f"/vetting/{helper.public_id}/revoke").status_code == 302
    session.expire_all()
    assert vetting.revoked_at is not None


def test_an_expired_certificate_is_refused(client, session, facilitator, make_household):
    helper = make_household()
    today = date.today()
    response = client.post(f"/vetting/{helper.public_id}", data={
        "checked_on": (today - timedelta(days=300)).isoformat(),
        "expires_on": (today - timedelta(days=1)).isoformat()})
    assert response.status_code == 400
    assert "The certificate must still be valid" in response.text
    assert 'aria-invalid="true"' in response.text
    assert count(session, Vetting) == 0


def test_vetting_list_shows_helpers(client, facilitator, make_offer):
    offer = make_offer()
    page = client.get("/vetting")
    assert page.status_code == 200
    assert f"/vetting/{offer.household.public_id}" in page.text


# ---- calendar ---------------------------------------------------------------------


def test_calendar_link_is_created_fed_and_revoked(app, client, session, login, make_match):
    match = make_match()
    user = login(match.need.household.user)
    assert "/calendar/new-link" in client.get("/calendar").text
    assert client.post("/calendar/new-link").status_code == 302
    session.expire_all()
    token = user.calendar_token
    assert token and token in client.get("/calendar").text

    calendar_app = app.test_client()  # no login: calendar apps cannot log in
    feed = calendar_app.get(f"/calendar/{token}.ics")
    assert feed.status_code == 200
    assert feed.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert len(Calendar.from_ical(feed.data).walk("VEVENT")) == 1

    assert client.post("/calendar/new-link").status_code == 302
    assert calendar_app.get(f"/calendar/{token}.ics").status_code == 404
    session.expire_all()
    assert calendar_app.get(f"/calendar/{user.calendar_token}.ics").status_code == 200


def _flashes(client) -> list[str]:
    with client.session_transaction() as flask_session:
        return [message for _category, message in flask_session.pop("_flashes", [])]


def test_the_first_calendar_link_does_not_mention_an_old_one(client, login, make_user):
    login(make_user(locale="en"))
    client.post("/calendar/new-link", headers={"Accept-Language": "en"})
    assert _flashes(client) == ["Your calendar address is ready."]
    client.post("/calendar/new-link", headers={"Accept-Language": "en"})
    assert _flashes(client) == ["Your calendar has a new address. The old one no longer works."]


def test_the_calendar_page_after_the_first_link_speaks_of_no_old_address(client, login,
                                                                           make_user):
    login(make_user(locale="it"))
    first = client.post("/calendar/new-link", follow_redirects=True).text
    assert "Il tuo indirizzo del calendario è pronto." in first
    assert "non funziona più" not in first
    again = client.post("/calendar/new-link", follow_redirects=True).text
    assert "Quello vecchio non funziona più" in again


def test_the_calendar_address_is_built_from_base_url_not_the_host_header(app, client, login,
                                                                         make_user):
    user = login(make_user())
    user.calendar_token = "a-calendar-token-0123456789abcdefghijklmnop"
    client.get("/calendar")  # the session cookie, to send from a forged host
    forged = app.test_client()
    forged.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    page = forged.get("/calendar", base_url="http://evil.example").text
    assert "calendar-token" in page
    base = app.config["SETTINGS"].base_url.rstrip("/")
    assert f"{base}/calendar/{user.calendar_token}.ics" in page
    assert "evil.example" not in page


def _calendar_notices(session, user) -> int:
    from mutuo_aiuto.models import Notification

    return session.scalar(select(func.count(Notification.id)).where(
        Notification.user_id == user.id, Notification.kind == "calendar_link_changed"))


@pytest.mark.parametrize("how", ["password change", "log out everywhere",
                                 "administrator signs out everywhere"])
def test_ending_every_session_replaces_the_calendar_address(app, client, session, login,
                                                            make_user, how):
    from tests.factories import TEST_PASSWORD

    user = login(make_user())
    client.post("/calendar/new-link")
    session.expire_all()
    old = user.calendar_token
    if how == "password change":
        client.post("/account/password", data={"current_password": TEST_PASSWORD,
                                               "password": "a new and long pass phrase 7",
                                               "confirm": "a new and long pass phrase 7"})
    elif how == "log out everywhere":
        client.post("/logout")
    else:
        admin = make_user(role="admin")
        session.commit()
        staff = app.test_client()
        with staff.session_transaction() as flask_session:
            flask_session["_user_id"] = admin.get_id()
            flask_session["_fresh"] = True
        answer = staff.post(f"/admin/users/{user.public_id}/sign-out")
        assert answer.status_code == 302, answer.text
    session.expire_all()
    assert user.calendar_token and user.calendar_token != old, how
    assert app.test_client().get(f"/calendar/{old}.ics").status_code == 404
    assert _calendar_notices(session, user) == 1


def test_ending_sessions_without_a_calendar_address_creates_none(client, session, login,
                                                                 make_user):
    user = login(make_user())
    client.post("/logout")
    session.expire_all()
    assert user.calendar_token is None
    assert _calendar_notices(session, user) == 0


def test_unknown_calendar_token_is_404(client):
    assert client.get("/calendar/not-a-token.ics").status_code == 404


# ---- sessions: "I'm coming" / "I can't come" ---------------------------------------


@pytest.fixture
def notice(session, make_match):
    from mutuo_aiuto.models.match import SessionNotice

    match = make_match()
    found = SessionNotice(match=match, user_id=match.offer.household.user_id,
                          on_date=date.today() + timedelta(days=2), start_minute=960,
                          end_minute=1080)
    session.add(found)
    session.commit()
    return found


def test_helper_says_they_cannot_come(client, session, login, notice):
    login(notice.match.offer.household.user)
    assert client.get(f"/sessions/{notice.public_id}").status_code == 200
    response = client.post(f"/sessions/{notice.public_id}", data={"answer": "cannot"})
    assert response.status_code == 302
    session.expire_all()
    assert notice.answer == "cannot" and notice.answered_at is not None


def test_a_strange_answer_saves_nothing(client, session, login, notice):
    login(notice.match.offer.household.user)
    response = client.post(f"/sessions/{notice.public_id}", data={"answer": "perhaps"})
    assert response.status_code == 400
    session.expire_all()
    assert notice.answer is None


def test_someone_elses_session_is_404(client, login, notice):
    login(notice.match.need.household.user)  # the other side has its own notices
    assert client.get(f"/sessions/{notice.public_id}").status_code == 404
    assert client.post(f"/sessions/{notice.public_id}",
                       data={"answer": "cannot"}).status_code == 404


def test_reading_a_follow_up_records_who_saw_the_contacts(client, login, session, make_match):
    from sqlalchemy import select

    from mutuo_aiuto.models import AuditEvent, FollowUp
    from tests import factories

    match = make_match(status="active")
    follow_up = FollowUp(match=match, due_on=match.started_on or match.confirmed_at.date())
    session.add(follow_up)
    session.commit()
    facilitator = login(factories.make_user(session, role="facilitator"))
    session.commit()
    assert client.get(f"/followups/{follow_up.public_id}").status_code == 200
    events = session.scalars(select(AuditEvent).filter_by(action="contacts.viewed")).all()
    assert len(events) == 2
    assert all(event.actor_id == facilitator.id for event in events)


def test_once_told_the_closed_pairing_thanks_instead_of_asking_again(client, session, login,
                                                                    make_match):
    match = make_match(status="closed")
    match.need.household.user.locale = match.offer.household.user.locale = "en"
    session.commit()
    login(match.need.household.user)
    assert "Tell us how it went" in client.get(f"/matches/{match.public_id}").text
    client.post(f"/matches/{match.public_id}/feedback", data={"rating": "4", "comment": ""})
    page = client.get(f"/matches/{match.public_id}").text
    assert "Tell us how it went" not in page
    assert "You told us how it went." in page and "Change what you said" in page
    # The other side has not said yet: still asked.
    login(match.offer.household.user)
    assert "Tell us how it went" in client.get(f"/matches/{match.public_id}").text
