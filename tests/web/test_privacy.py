"""The privacy pages: a family's copy of its data, erasure, the transparency page, consent."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import AuditEvent, ErasureRequest, User
from mutuo_aiuto.services import audit
from mutuo_aiuto.services.gdpr import erasure
from mutuo_aiuto.web.privacy.forms import DeclineForm
from tests.conftest import FreshClient
from tests.factories import TEST_PASSWORD

EN = {"Accept-Language": "en"}


@pytest.fixture
def client(app):
    app.test_client_class = FreshClient
    return app.test_client()


@pytest.fixture
def fresh(client, login):
    """Log in and type the password again, as the sensitive pages ask."""

    def do(user):
        login(user)
        response = client.post("/confirm-password", data={"password": TEST_PASSWORD})
        assert response.status_code == 302
        return user

    return do


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


# ---- who may open what ------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/family/privacy", "/family/data", "/family/data.json",
                                  "/family/erase", "/family/access", "/consent",
                                  "/confirm-password", "/facilitator/erasures"])
def test_anonymous_visitors_are_sent_to_log_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response.location.startswith("/login")


def test_members_cannot_see_the_erasure_requests(client, login, make_user):
    login(make_user())
    assert client.get("/facilitator/erasures").status_code == 403


def test_the_privacy_page_links_every_right(client, login, make_household):
    login(make_household().user)
    html = client.get("/family/privacy").text
    for path in ("/family/data", "/family/access", "/family/erase", "/privacy"):
        assert f'href="{path}"' in html


# ---- the copy of the data -------------------------------------------------------------------


def test_the_export_page_shows_the_familys_data_and_is_audited(client, fresh, session,
                                                              make_household, make_need):
    household = make_household(care_notes="Allergia alle noci")
    make_need(household=household, description="Aiuto con i compiti di Sara")
    fresh(household.user)
    response = client.get("/family/data")
    assert response.status_code == 200
    for shown in (household.phone, household.address, "Allergia alle noci",
                  "Aiuto con i compiti di Sara", household.user.email):
        assert shown in response.text
    assert household.user.password_hash not in response.text
    assert response.headers["Cache-Control"] == "no-store"
    event = session.scalars(select(AuditEvent)).one()
    assert (event.action, event.details) == (audit.DATA_EXPORTED, {"format": "html"})
    assert event.household_id == household.id


def test_the_json_download_has_the_same_data(client, fresh, session, make_household):
    household = make_household()
    fresh(household.user)
    response = client.get("/family/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.data)
    assert data["household"]["phone"] == household.phone
    assert data["account"]["email"] == household.user.email
    assert _actions(session) == [audit.DATA_EXPORTED]


def test_the_export_holds_nothing_of_another_family(client, fresh, make_household, make_need):
    other = make_household(phone="+39 333 999 8888")
    make_need(household=other, description="Segreto di un'altra famiglia")
    fresh(make_household().user)
    text = client.get("/family/data.json").text
    assert "333 999 8888" not in text and "altra famiglia" not in text


def test_the_export_needs_a_fresh_login(client, login, session, make_household):
    login(make_household().user)
    response = client.get("/family/data.json")
    assert response.status_code == 302
    assert response.location.startswith("/confirm-password")
    assert _count(session, AuditEvent) == 0


# ---- erasure ----------------------------------------------------------------------------


def test_the_erase_page_says_what_is_erased_and_what_is_kept(client, fresh, make_user,
                                                            make_household):
    fresh(make_household(user=make_user(locale="en")).user)
    html = client.get("/family/erase").text
    assert "What is erased" in html and "What is kept, without your name" in html


def test_asking_without_ticking_the_box_saves_nothing(client, fresh, session, make_household):
    fresh(make_household().user)
    response = client.post("/family/erase", data={})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert _count(session, ErasureRequest) == 0


def test_asking_for_erasure_records_a_pending_request(client, fresh, session, make_household):
    household = make_household()
    fresh(household.user)
    response = client.post("/family/erase", data={"confirm": "y"})
    assert response.status_code == 302
    request = session.scalars(select(ErasureRequest)).one()
    assert (request.household_id, request.status) == (household.id, "pending")
    assert _actions(session) == [audit.ERASURE_REQUESTED]
    # Asking twice keeps one request.
    client.post("/family/erase", data={"confirm": "y"})
    assert _count(session, ErasureRequest) == 1


def test_a_family_can_withdraw_its_request(client, fresh, session, make_household):
    fresh(make_household().user)
    client.post("/family/erase", data={"confirm": "y"})
    assert client.post("/family/erase/withdraw").status_code == 302
    assert session.scalars(select(ErasureRequest.status)).one() == "withdrawn"


def test_erasure_needs_a_fresh_login(client, login, session, make_household):
    login(make_household().user)
    assert client.post("/family/erase", data={"confirm": "y"}).status_code == 302
    assert _count(session, ErasureRequest) == 0


def _pending(session, household) -> ErasureRequest:
    request = erasure.request_erasure(session, household.user)
    session.commit()
    return request


def test_a_facilitator_sees_and_confirms_a_request(app, client, fresh, session, make_user,
                                                   make_household):
    household = make_household()
    family = app.test_client()
    with family.session_transaction() as flask_session:
        flask_session["_user_id"] = household.user.get_id()
    assert family.get("/family/privacy").status_code == 200
    request = _pending(session, household)
    fresh(make_user(role="facilitator", locale="en"))
    page = client.get("/facilitator/erasures")
    assert household.name in page.text
    response = client.post(f"/facilitator/erasures/{request.public_id}/confirm")
    assert response.status_code == 302
    session.expire_all()
    assert household.phone is None and household.name == erasure.ERASED_NAME
    assert request.status == "done"
    assert family.get("/family/privacy").status_code == 302  # the family is signed out
    assert audit.ERASURE_CONFIRMED in _actions(session)


def test_confirming_needs_a_fresh_login(client, login, session, make_user, make_household):
    household = make_household()
    request = _pending(session, household)
    login(make_user(role="facilitator"))
    response = client.post(f"/facilitator/erasures/{request.public_id}/confirm",
                           headers={"Referer": "http://localhost/facilitator/erasures"})
    assert response.status_code == 302
    assert response.location == "/confirm-password?next=/facilitator/erasures"
    session.expire_all()
    assert request.status == "pending" and household.phone is not None


def test_an_unknown_request_is_404(client, fresh, make_user):
    fresh(make_user(role="facilitator"))
    assert client.post("/facilitator/erasures/abcdefghijkl/confirm").status_code == 404


def test_a_declined_request_shows_the_reason_to_the_family(app, client, fresh, session,
                                                           make_user, make_household):
    household = make_household(user=make_user(locale="en"))
    request = _pending(session, household)
    fresh(make_user(role="facilitator"))
    # The field's name as the page writes it: WTForms adds no "-" after a prefix that
    # ends in one (or in "_"), and a public id does one time in 32.
    with app.test_request_context():
        reason = DeclineForm(prefix=f"r{request.public_id}").reason.name
    response = client.post(f"/facilitator/erasures/{request.public_id}/decline",
                           data={reason: "An open safeguarding case"})
    assert response.status_code == 302
    session.expire_all()
    assert request.status == "declined"
    family = app.test_client()
    with family.session_transaction() as flask_session:
        flask_session["_user_id"] = household.user.get_id()
    family.post("/confirm-password", data={"password": TEST_PASSWORD})
    page = family.get("/family/erase").text
    assert "was declined by the Family Hub" in page and "An open safeguarding case" in page


def test_declining_without_a_reason_changes_nothing(client, fresh, session, make_user,
                                                    make_household):
    request = _pending(session, make_household())
    fresh(make_user(role="facilitator"))
    client.post(f"/facilitator/erasures/{request.public_id}/decline", data={})
    session.expire_all()
    assert request.status == "pending"


# ---- who accessed the data ---------------------------------------------------------------


def test_the_transparency_page_lists_who_accessed_the_data(client, login, session, make_user,
                                                           make_household):
    household = make_household(user=make_user(locale="en"))
    facilitator = make_user(role="facilitator", name="Anna Bianchi")
    audit.record(session, facilitator, audit.CONTACTS_VIEWED, target=household)
    audit.record(session, facilitator, audit.CONTACTS_VIEWED, target=make_household())
    session.commit()
    login(household.user)
    html = client.get("/family/access").text
    assert "Anna Bianchi" in html and "(facilitator)" in html
    assert "viewed the private contacts" in html
    assert html.count("viewed the private contacts") == 1  # not the other family's


# ---- consent to a new privacy notice ----------------------------------------------------------


def test_a_member_with_an_old_consent_is_asked_first(client, login, make_user):
    login(make_user(consent_version="2025-01"))
    response = client.get("/family/privacy")
    assert response.status_code == 302
    assert response.location == "/consent?next=/family/privacy"


@pytest.mark.parametrize("path", ["/privacy", "/healthz", "/consent"])
def test_the_notice_and_the_consent_page_stay_open(client, login, make_user, path):
    login(make_user(consent_version="2025-01"))
    assert client.get(path).status_code == 200


def test_withdrawing_consent_is_offered_as_the_export_and_erasure(client, login, make_user):
    login(make_user(consent_version="2025-01"))
    page = client.get("/consent").text
    assert 'href="/family/data"' in page and 'href="/family/erase"' in page
    # Open without agreeing again (asking for the password, as it always does).
    for path in ("/family/data", "/family/erase"):
        assert client.get(path).location.startswith("/confirm-password"), path


def test_logging_out_stays_possible(client, login, make_user):
    login(make_user(consent_version="2025-01"))
    assert client.post("/logout").location == "/"


def test_refusing_to_tick_saves_nothing(client, login, session, make_user):
    user = login(make_user(consent_version="2025-01", locale="en"))
    response = client.post("/consent", data={})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.text
    assert "Tick the box to agree, or log out." in response.text
    session.expire_all()
    assert session.get(User, user.id).consent_version == "2025-01"
    assert _count(session, AuditEvent) == 0


def test_agreeing_records_the_new_version_and_goes_on(client, login, session, make_user):
    user = login(make_user(consent_version="2025-01"))
    response = client.post("/consent?next=/family/privacy", data={"agree": "y"})
    assert response.status_code == 302 and response.location == "/family/privacy"
    session.expire_all()
    assert session.get(User, user.id).consent_version == "2026-11"
    assert _actions(session) == [audit.CONSENT_GIVEN]
    assert client.get("/family/privacy").status_code == 200


def test_staff_are_not_held_at_the_consent_page(client, login, make_user):
    login(make_user(role="facilitator", consent_version=None))
    assert client.get("/family/privacy").status_code == 200


def test_a_new_notice_version_asks_everyone_again(make_app, make_user):
    app = make_app(privacy_notice_version="2027-03")
    app.test_client_class = FreshClient
    with app.app_context():
        from mutuo_aiuto.extensions import db
        from tests import factories

        user = factories.make_user(db.session, consent_version="2026-11")
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as flask_session:
            flask_session["_user_id"] = user.get_id()
        assert client.get("/family/privacy").location.startswith("/consent")


# ---- a helper who came only to help reads "your details", never "your family" ----------------


def test_a_helper_without_details_is_not_told_about_a_family(client, fresh, make_user):
    fresh(make_user(locale="en", comes_for="give"))
    for path, words in (("/family/erase", "Your details are not filled in, so there is nothing "
                                          "of yours to erase."),
                        ("/family/access", "Your details are not filled in yet, so there is "
                                           "nothing to show.")):
        html = client.get(path).text
        assert words in html, path
        assert "family data" not in html and "described your family" not in html, path


def test_a_helpers_pages_about_their_data_say_your_details(client, fresh, make_user,
                                                           make_household):
    helper = make_household(user=make_user(locale="en", comes_for="give"))
    fresh(helper.user)
    access = client.get("/family/access").text  # first: the export is on the record
    assert "Nobody has accessed your data yet." in access
    assert "your family&#39;s data" not in access
    export = client.get("/family/data").text
    assert "Everything the service keeps about you, as of" in export
    assert "you and your family" not in export
    assert '<h2 id="section-household">Your details</h2>' in export
    erase = client.get("/family/erase").text
    assert "erase your data." in erase and "your family&#39;s data" not in erase
