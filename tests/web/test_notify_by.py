"""The account page's "mail, SMS or both" (issue 16), and phone numbers in the forms."""

from __future__ import annotations

import re

from tests.web.test_families import invalid_inputs

MOBILE = "+39 333 123 4567"


def test_a_member_with_a_mobile_chooses_sms(client, session, login, make_household,
                                            make_user):
    user = login(make_household(user=make_user(locale="en", name="Omar"), phone=MOBILE).user)
    page = client.get("/account").text
    assert "How should we tell you about news and reminders?" in page
    assert 'value="sms"' in page and "333 123 4567" in page  # where texts go
    response = client.post("/account", data={"name": "Omar", "locale": "en",
                                             "comes_for": "both", "notify_by": "sms"})
    assert response.status_code == 302
    session.refresh(user)
    assert user.notify_by == "sms"
    chosen = re.search(r'<input[^>]*value="sms"[^>]*>', client.get("/account").text).group(0)
    assert "checked" in chosen


def test_a_hostile_choice_is_refused_and_nothing_changes(client, session, login,
                                                         make_household, make_user):
    user = login(make_household(user=make_user(locale="en", name="Omar"), phone=MOBILE).user)
    for value in ("pigeon", "sms' OR 1=1 --", "<script>x</script>", "x" * 5000):
        response = client.post("/account", data={"name": "Renamed", "locale": "en",
                                                 "comes_for": "both", "notify_by": value})
        assert response.status_code == 400
        assert "Choose mail, SMS or both." in response.text
        assert "<script>x</script>" not in response.text
        assert 'id="notify_by-error"' in response.text  # on the fieldset, linked from it
    session.refresh(user)
    assert (user.notify_by, user.name) == ("mail", "Omar")


def test_without_a_mobile_sms_is_not_offered(client, session, login, make_household,
                                             make_user):
    user = login(make_household(user=make_user(locale="en", name="Omar"),
                                phone="075 123 4567").user)
    page = client.get("/account").text
    assert 'name="notify_by"' not in page
    assert "To get text messages (SMS) too, add a mobile number to your details." in page
    assert 'href="/family/edit"' in page
    # Posted anyway (an old form, a hand-made request): ignored, mail stays.
    client.post("/account", data={"name": "Omar", "locale": "en", "comes_for": "both",
                                  "notify_by": "sms"})
    session.refresh(user)
    assert user.notify_by == "mail"


def test_staff_are_not_asked(client, login, make_user):
    login(make_user(role="facilitator", locale="en"))
    page = client.get("/account").text
    assert 'name="notify_by"' not in page and "sms-hint" not in page


def test_the_about_you_form_refuses_a_bad_phone_in_the_readers_language(
        client, session, login, make_user, make_neighbourhood):
    place = make_neighbourhood()
    login(make_user(locale="it", comes_for="give"))
    response = client.post("/about-you", data={"neighbourhood": place.slug,
                                               "languages": ["it"], "phone": "12"})
    assert response.status_code == 400
    assert invalid_inputs(response.text) == {"phone"}
    assert "Questo non è un numero di telefono che possiamo usare" in response.text


def test_a_foreign_number_is_kept_with_its_code_and_shown_international(
        client, session, login, make_user, make_neighbourhood):
    place = make_neighbourhood()
    user = login(make_user(locale="en", comes_for="give"))
    response = client.post("/about-you", data={"neighbourhood": place.slug,
                                               "languages": ["ro"], "phone": "0040 721 234 567"})
    assert response.status_code == 302
    session.refresh(user)
    assert user.household.phone == "+40721234567"
    assert 'value="+40 721 234 567"' in client.get("/about-you").text
