"""The front desk's pages: register a family without an email, act for it, print its
papers in its language; the family sees what was done for it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, Household, MatchStatus, Need, User
from mutuo_aiuto.services import audit, desk
from mutuo_aiuto.services.desk import DeskRegistration

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)


@pytest.fixture
def facilitator(make_user, login):
    return login(make_user(role="facilitator", name="Chiara", locale="it"))


@pytest.fixture
def place(make_neighbourhood):
    return make_neighbourhood(slug="fontivegge", name="Fontivegge")


@pytest.fixture
def family(session, facilitator, place):
    household = desk.register_family(
        session, facilitator,
        DeskRegistration(name="Famiglia Haddad", phone="+39 333 123 4567",
                         neighbourhood="fontivegge", locale="ar", languages=["ar"],
                         consent=True),
        notice_version="2026-11", now=NOW)
    session.commit()
    return household


FORM = {"name": "Famiglia Haddad", "locale": "ar", "comes_for": "need",
        "neighbourhood": "fontivegge", "languages": ["ar", "it"],
        "phone": "+39 333 123 4567", "consent": "y"}


def test_the_desk_is_in_the_staff_menu_only(client, login, facilitator, make_user):
    assert 'href="/desk"' in client.get("/desk").text
    login(make_user())
    assert client.get("/desk").status_code == 403
    assert 'href="/desk"' not in client.get("/").text


def test_a_family_is_registered_without_an_email(client, session, facilitator, place):
    answer = client.post("/desk/register", data=FORM)
    assert answer.status_code == 302
    household = session.scalars(select(Household).filter_by(name="Famiglia Haddad")).one()
    assert answer.location.endswith(f"/desk/families/{household.public_id}")
    assert household.user.email is None and household.desk_consent_by_id == facilitator.id
    page = client.get(answer.location).text
    assert "Famiglia Haddad" in page and "333 123 4567" in page  # stored E.164, shown as in Italy


@pytest.mark.parametrize(("change", "message"), [
    ({"consent": None}, "without its consent nothing is registered"),
    ({"phone": ""}, "phone number"),
    ({"phone": "call me"}, "+39 333 123 4567"),
])
def test_a_registration_without_consent_or_phone_is_refused(client, session, facilitator,
                                                            place, change, message):
    data = {key: value for key, value in (FORM | change).items() if value is not None}
    answer = client.post("/desk/register?lang=en", data=data)
    assert answer.status_code == 400 and message in answer.text
    assert session.scalars(select(User).where(User.email.is_(None))).all() == []


def test_people_are_added_to_the_family_from_the_desk(client, session, family):
    answer = client.post(f"/desk/families/{family.public_id}/members",
                         data={"kind": "child", "first_name": "Yasmin", "birth_year": "2018"})
    assert answer.status_code == 302
    assert [m.first_name for m in family.members] == ["Yasmin"]
    assert audit.done_for(session, family)[0].action == audit.DESK_MEMBER_ADDED
    assert client.post(f"/desk/families/{family.public_id}/members",
                       data={"kind": "child", "birth_year": "1800"}).status_code == 400


def test_the_receipt_is_in_the_familys_language(client, family):
    page = client.get(f"/desk/families/{family.public_id}/receipt").text
    assert 'lang="ar"' in page and 'dir="rtl"' in page
    assert "سياسة الخصوصية" in page and "2026-11" in page and "Chiara" in page


def test_a_household_without_desk_consent_is_not_found(client, facilitator, make_household):
    online = make_household()
    assert client.get(f"/desk/families/{online.public_id}").status_code == 404
    assert client.get(f"/desk/families/{online.public_id}/receipt").status_code == 404
    assert client.get(f"/desk/families/{online.public_id}/needs/new").status_code == 404


def test_a_request_is_posted_for_the_family(client, session, family, make_category,
                                            make_skill):
    category = make_category(slug="scuola")
    make_skill(slug="school-run", category=category)
    form = client.get(f"/desk/families/{family.public_id}/needs/new?lang=en").text
    assert "You are acting for the family Famiglia Haddad" in form
    assert f'action="/desk/families/{family.public_id}/needs/new"' in form
    ends = (date.today() + timedelta(days=60)).isoformat()
    answer = client.post(f"/desk/families/{family.public_id}/needs/new", data={
        "category": "scuola", "title": "Uscita da scuola", "weekly-0-days": ["1"],
        "skills": ["school-run"],
        "weekly-0-start": "16:00", "weekly-0-end": "18:00", "neighbourhood": "fontivegge",
        "ends_on": ends, "max_hops": "1", "helpers": "1", "urgency": "0", "publish": "1"})
    assert answer.status_code == 302, answer.text
    need = session.scalars(select(Need).filter_by(household_id=family.id)).one()
    assert need.title == "Uscita da scuola"
    edit = client.get(f"/desk/families/{family.public_id}/needs/{need.public_id}/edit")
    assert edit.status_code == 200
    event = session.scalars(select(AuditEvent).filter_by(action=audit.NEED_POSTED)).one()
    assert event.on_behalf_of_id == family.id


def test_the_family_answers_and_reports_through_the_desk(client, session, family,
                                                         make_offer, make_match, make_need):
    awaiting = make_match(offer=make_offer(household=family), status="awaiting",
                          respond_by=NOW + timedelta(days=2))
    base = f"/desk/families/{family.public_id}/pairings"
    assert client.post(f"{base}/{awaiting.public_id}/accept").status_code == 302
    assert awaiting.status == MatchStatus.ACTIVE
    running = make_match(need=make_need(household=family, status="active"))
    assert client.post(f"{base}/{running.public_id}/done").status_code == 302
    assert client.get(f"{base}/{running.public_id}/problem").status_code == 200
    assert client.post(f"{base}/{running.public_id}/problem", data={"text": " "}
                       ).status_code == 400
    assert client.post(f"{base}/{running.public_id}/problem",
                       data={"text": "Non è venuto"}).status_code == 302
    other = make_match()
    assert client.post(f"{base}/{other.public_id}/done").status_code == 404
    actions = [e.action for e in audit.done_for(session, family)]
    assert {audit.MATCH_ACCEPTED, audit.MATCH_DONE_REPORTED,
            audit.MATCH_PROBLEM_REPORTED} <= set(actions)


def test_the_summary_is_in_the_familys_language_for_staff_and_family(
        client, login, session, family, make_need, make_match, make_household):
    helper = make_household(name="Giulia", phone="+39 333 999 0000")
    from tests import factories

    offer = factories.make_offer(session, household=helper)
    match = make_match(need=make_need(household=family, status="active", at_home=True),
                       offer=offer, accepted_at=NOW)
    page = client.get(f"/pairings/{match.public_id}/summary").text
    assert 'lang="ar"' in page and "Giulia" in page and "333 999 0000" in page
    assert "075 555 0100" in page and "Piazza del Bacio" in page
    # Right to left, the hours stay "from–to" (isolated left to right).
    assert "\u206616:00–18:00\u2069" in page
    desk_page = client.get(f"/desk/families/{family.public_id}").text
    assert f'href="/pairings/{match.public_id}/summary"' in desk_page
    login(family.user)
    assert f'href="/pairings/{match.public_id}/summary"' in client.get(
        f"/matches/{match.public_id}").text
    assert client.get(f"/pairings/{match.public_id}/summary").status_code == 200
    login(helper.user)
    assert client.get(f"/pairings/{match.public_id}/summary").status_code == 404


def test_a_family_that_only_helps_is_not_offered_requests(client, session, facilitator,
                                                          place):
    helping = desk.register_family(
        session, facilitator,
        DeskRegistration(name="Famiglia Nasser", phone="+39 320 111 2233",
                         neighbourhood="fontivegge", locale="ar", comes_for="give",
                         consent=True),
        notice_version="2026-11", now=NOW)
    session.commit()
    page = client.get(f"/desk/families/{helping.public_id}?lang=en").text
    assert "Post a request for the family" not in page and "The family's pairings" in page


def test_the_family_sees_what_was_done_for_it(client, login, session, family):
    login(family.user)
    page = client.get("/family?lang=en").text
    assert "Done for you by the Hub" in page and "Chiara" in page
    assert "registered the family at the front desk, with its consent" in page
    privacy = client.get("/family/privacy?lang=en").text
    assert "Done for you by the Hub" in privacy and "Chiara" in privacy


def test_the_audit_search_says_for_which_family(client, login, session, family, make_user):
    login(make_user(role="admin"))
    page = client.get(f"/admin/audit?target_id={family.public_id}&lang=en").text
    assert "for the family Famiglia Haddad" in page


def test_the_desk_family_page_reads_the_same_for_one_pairing_or_five(
        client, session, family, make_offer, make_match, make_need, make_household):
    from tests.web.test_query_counts import counted

    def add_pairing() -> None:
        match = make_match(need=make_need(household=family, status="active"),
                           offer=make_offer(household=make_household()))
        desk.report_done(session, session.get(User, family.desk_consent_by_id), family,
                         match, NOW)
        session.commit()

    def queries() -> int:
        session.expire_all()
        with counted() as statements:
            assert client.get(f"/desk/families/{family.public_id}").status_code == 200
        return len(statements)

    add_pairing()
    one = queries()
    for _ in range(4):
        add_pairing()
    assert queries() == one


def test_staff_reach_the_desk_family_from_its_request_and_its_pairing(
        client, family, make_need, make_match, make_household):
    need = make_need(household=family, status="active")
    match = make_match(need=need)
    desk_link = f'href="/desk/families/{family.public_id}'
    assert desk_link in client.get(f"/facilitator/needs/{need.public_id}").text
    assert desk_link in client.get(f"/matches/{match.public_id}").text
    online = make_need(household=make_household(), status="open")
    assert "/desk/families/" not in client.get(f"/facilitator/needs/{online.public_id}").text
