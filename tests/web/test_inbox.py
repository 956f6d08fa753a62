"""The inbox and the match page: contacts once confirmed and accepted, to the two sides only."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from mutuo_aiuto.models import AuditEvent, Match, Notification, Proposal
from mutuo_aiuto.services import matching_runs, notifications
from tests import factories
from tests.match_scenes import build_scene

# The phones of tests/match_scenes.py as the pages show them (issue 16): the national
# format, also a substring of the way they were typed ("+39 075 222 2222").
HELPER_PHONE = "075 222 2222"
FAMILY_PHONE = "075 111 1111"


@pytest.fixture
def scene(session):
    return build_scene(session)


def count(session, model, *where) -> int:
    return session.execute(select(func.count()).select_from(model).where(*where)).scalar_one()


def confirmed(scene, client, login) -> Match:
    """The facilitator confirms the matcher's proposal through the dashboard."""
    [proposal] = matching_runs.propose_for(scene.session, scene.need, today=date.today())
    scene.session.commit()
    login(scene.facilitator)
    client.post(f"/facilitator/proposals/{proposal.public_id}/confirm")
    return scene.session.scalars(select(Match)).one()


def test_contacts_hidden_until_confirmed_and_accepted(client, login, scene):
    """product.md: "no name, email or phone is shown until a facilitator has confirmed
    the pairing and the helper has accepted it"."""
    login(scene.family.user)
    assert HELPER_PHONE not in client.get("/inbox").text
    match = confirmed(scene, client, login)
    login(scene.family.user)
    assert HELPER_PHONE not in client.get(f"/matches/{match.public_id}").text
    login(scene.helper.user)
    assert FAMILY_PHONE not in client.get(f"/matches/{match.public_id}").text
    client.post(f"/matches/{match.public_id}/accept")
    login(scene.family.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert HELPER_PHONE in page and scene.helper.user.email in page
    assert FAMILY_PHONE not in page  # one's own contacts are not the point here
    login(scene.helper.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert FAMILY_PHONE in page
    reads = scene.session.scalars(select(AuditEvent).where(
        AuditEvent.action == "contacts.viewed")).all()
    assert {(e.actor_id, e.household_id) for e in reads} >= {
        (scene.family.user_id, scene.helper.id), (scene.helper.user_id, scene.family.id)}


def test_the_counterpart_sees_the_contacts_but_never_the_care_notes(client, login, scene):
    scene.family.care_notes = "La bambina ha una grave allergia alle noci"
    scene.session.commit()
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    client.post(f"/matches/{match.public_id}/accept")  # contacts only once accepted
    page = client.get(f"/matches/{match.public_id}").text
    assert FAMILY_PHONE in page
    assert "allergia alle noci" not in page


def test_only_the_two_sides_see_the_match(client, login, scene):
    match = confirmed(scene, client, login)
    stranger = factories.make_user(scene.session)
    scene.session.commit()
    login(stranger)
    assert client.get(f"/matches/{match.public_id}").status_code == 404
    assert client.post(f"/matches/{match.public_id}/accept").status_code == 404
    assert match.status == "awaiting"


def test_contacts_hidden_again_once_declined(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.helper.user)
    client.post(f"/matches/{match.public_id}/decline")
    login(scene.family.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert HELPER_PHONE not in page
    assert "contacts are no longer shown" in page


def test_the_helper_accepts_from_the_match_page(client, login, scene):
    match = confirmed(scene, client, login)
    scene.helper.user.locale = "en"  # the helper reads this page in English here
    scene.session.commit()
    login(scene.helper.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert "Yes, I will help" in page and "I cannot help" in page
    response = client.post(f"/matches/{match.public_id}/accept", follow_redirects=True)
    assert "Thank you!" in response.text
    scene.session.refresh(match)
    assert match.status == "active"
    assert scene.session.get(type(scene.need), scene.need.id).status == "active"


def test_the_family_cannot_answer_for_the_helper(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.family.user)
    page = client.get(f"/matches/{match.public_id}").text
    assert "Yes, I will help" not in page
    response = client.post(f"/matches/{match.public_id}/accept", follow_redirects=True)
    assert "Only the helper can answer this pairing." in response.text
    scene.session.refresh(match)
    assert match.status == "awaiting"


def test_a_decline_reopens_the_need(client, login, scene):
    match = confirmed(scene, client, login)
    scene.helper.user.locale = "en"  # the helper reads this page in English here
    scene.session.commit()
    login(scene.helper.user)
    response = client.post(f"/matches/{match.public_id}/decline", follow_redirects=True)
    assert "You declined" in response.text
    scene.session.refresh(match)
    need = scene.session.get(type(scene.need), scene.need.id)
    scene.session.refresh(need)
    assert match.status == "declined"
    assert need.status == "open"
    assert count(scene.session, Proposal, Proposal.status == "proposed") == 0


def test_inbox_lists_the_notifications_in_the_readers_language(client, login, scene):
    confirmed(scene, client, login)
    login(scene.family.user)  # English
    page = client.get("/inbox").text
    assert "We asked a helper for “Uscita da scuola”" in page
    # The helper has not accepted yet: the family is not told who they are.
    assert "Famiglia Rossi" not in page
    assert "Messages (1)" in page


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, login, scene):
    match = confirmed(scene, client, login)
    login(scene.family.user)
    notification = scene.session.scalars(select(Notification).where(
        Notification.user_id == scene.family.user_id)).one()
    response = client.post(f"/inbox/{notification.public_id}/read")
    assert response.headers["Location"].endswith(f"/matches/{match.public_id}")
    scene.session.refresh(notification)
    assert notification.read_at is not None
    assert notifications.unread_count(scene.session, scene.family.user) == 0


def test_someone_elses_message_is_404(client, login, scene):
    confirmed(scene, client, login)
    theirs = scene.session.scalars(select(Notification).where(
        Notification.user_id == scene.helper.user_id)).one()
    login(scene.family.user)
    assert client.post(f"/inbox/{theirs.public_id}/read").status_code == 404
    scene.session.refresh(theirs)
    assert theirs.read_at is None


def test_mark_all_read(client, login, scene):
    confirmed(scene, client, login)
    login(scene.family.user)
    assert client.post("/inbox/read-all").status_code == 302
    assert notifications.unread_count(scene.session, scene.family.user) == 0
    assert notifications.unread_count(scene.session, scene.helper.user) == 1


def test_inbox_needs_an_account(client, scene):
    assert client.get("/inbox").status_code == 302


def test_accepting_plans_the_first_follow_up_at_once(client, login, scene):
    from mutuo_aiuto.models import FollowUp

    match = confirmed(scene, client, login)
    login(scene.helper.user)
    client.post(f"/matches/{match.public_id}/accept")
    follow_ups = scene.session.scalars(select(FollowUp).filter_by(match_id=match.id)).all()
    assert len(follow_ups) == 1
    assert (follow_ups[0].due_on - scene.session.get(Match, match.id).started_on).days == 7
