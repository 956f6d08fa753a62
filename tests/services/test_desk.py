"""The front desk (issue 16): a family registered in person, without an email address,
and what a facilitator does for it, each act on the record as done for the family."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, Match, MatchStatus, OutboxMessage, User
from mutuo_aiuto.services import accounts, audit, desk, needs, notifications
from mutuo_aiuto.services.desk import DeskRegistration
from mutuo_aiuto.services.errors import DomainError, NotAllowed, NotFound
from mutuo_aiuto.services.gdpr import erasure, export
from mutuo_aiuto.services.needs import NeedInput
from mutuo_aiuto.services.passwords import verify_password
from mutuo_aiuto.services.slots import WeeklyRow

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
VERSION = "2026-11"


@pytest.fixture
def facilitator(make_user):
    return make_user(role="facilitator", name="Chiara")


@pytest.fixture
def place(make_neighbourhood):
    return make_neighbourhood(slug="fontivegge", name="Fontivegge")


def registration(**overrides) -> DeskRegistration:
    values = {"name": "Famiglia Haddad", "phone": "+39 333 123 4567",
              "neighbourhood": "fontivegge", "locale": "ar", "languages": ["ar", "it"],
              "consent": True} | overrides
    return DeskRegistration(**values)


@pytest.fixture
def family(session, facilitator, place):
    household = desk.register_family(session, facilitator, registration(),
                                     notice_version=VERSION, now=NOW)
    session.commit()
    return household


def test_a_family_is_registered_without_an_email_and_cannot_log_in(session, family,
                                                                    facilitator):
    user = family.user
    assert user.email is None
    assert user.locale == "ar" and user.role == "member" and user.comes_for == "need"
    assert not verify_password(user.password_hash, "")
    assert not verify_password(user.password_hash, user.password_hash)
    # Nothing to find by address, so no login, reset or confirmation can reach it.
    assert accounts.find_user(session, "") is None
    assert family.phone == "+393331234567" and family.languages == ["it", "ar"]


def test_the_desk_consent_says_who_when_and_which_notice(session, family, facilitator):
    assert family.desk_consent_at == NOW
    assert family.desk_consent_version == VERSION
    assert family.desk_consent_by_id == facilitator.id
    # The account's consent too, so a later login is not asked again for the same notice.
    assert family.user.consent_version == VERSION
    event = session.scalars(select(AuditEvent).filter_by(action=audit.DESK_REGISTERED)).one()
    assert event.actor_id == facilitator.id and event.on_behalf_of_id == family.id
    assert event.household_id == family.id and event.details == {"version": VERSION}


def test_two_families_without_email_do_not_collide(session, family, facilitator):
    other = desk.register_family(session, facilitator, registration(name="Famiglia Nasser"),
                                 notice_version=VERSION, now=NOW)
    session.commit()
    assert other.user.email is None and other.user_id != family.user_id


@pytest.mark.parametrize(("overrides", "field"), [
    ({"consent": False}, "consent"),
    ({"phone": ""}, "phone"),
    ({"phone": "call me"}, "phone"),
    ({"locale": "xx"}, "locale"),
    ({"comes_for": "everything"}, "comes_for"),
    ({"name": " "}, "name"),
    ({"neighbourhood": "atlantis"}, "neighbourhood"),
])
def test_a_registration_missing_something_is_refused(session, facilitator, place, overrides,
                                                      field):
    with pytest.raises(DomainError) as refused:
        desk.register_family(session, facilitator, registration(**overrides),
                             notice_version=VERSION, now=NOW)
    assert refused.value.field == field


def test_only_staff_register_at_the_desk(session, make_user, place):
    with pytest.raises(NotAllowed):
        desk.register_family(session, make_user(), registration(), notice_version=VERSION,
                             now=NOW)


def _need_input(category, skill) -> NeedInput:
    return NeedInput(title="Accompagnamento a scuola", category=category.slug,
                     skills=[skill.slug], ends_on=date.today() + timedelta(days=60),
                     weekly=[WeeklyRow(days=[1], start="16:00", end="18:00")],
                     neighbourhood="fontivegge")


def test_a_request_posted_for_the_family_is_on_the_record_as_done_for_it(
        session, family, facilitator, make_category, make_skill):
    category = make_category(slug="scuola")
    skill = make_skill(slug="school-run", category=category)
    need = desk.post_need(session, facilitator, family, _need_input(category, skill),
                          publish=True, today=date.today(), now=NOW)
    session.commit()
    assert need.household_id == family.id and need.status == "open"
    done = audit.done_for(session, family)
    assert [e.action for e in done][:1] == [audit.NEED_POSTED]
    assert all(e.actor_id == facilitator.id for e in done)


def test_an_edit_for_the_family_goes_through_its_own_rules(session, family, facilitator,
                                                          make_category, make_skill):
    category = make_category(slug="scuola")
    skill = make_skill(slug="school-run", category=category)
    need = desk.post_need(session, facilitator, family, _need_input(category, skill),
                          publish=False, today=date.today(), now=NOW)
    changed = _need_input(category, skill)
    changed = NeedInput(**{**changed.__dict__, "title": "Compiti il martedì"})
    desk.update_need(session, facilitator, family, need, changed, publish=True,
                     today=date.today())
    assert need.title == "Compiti il martedì" and need.status == "open"
    bad = NeedInput(**{**changed.__dict__, "title": ""})
    with pytest.raises(DomainError):
        desk.update_need(session, facilitator, family, need, bad, publish=False,
                         today=date.today())


def test_nothing_is_done_for_a_household_without_desk_consent(session, facilitator,
                                                              make_household, make_category,
                                                              make_skill, place):
    online = make_household(neighbourhood=place)
    category = make_category(slug="scuola")
    skill = make_skill(slug="school-run", category=category)
    with pytest.raises(NotAllowed):
        desk.post_need(session, facilitator, online, _need_input(category, skill),
                       publish=True, today=date.today(), now=NOW)
    with pytest.raises(NotFound):
        desk.get_household(session, facilitator, online.public_id)
    assert session.scalars(select(AuditEvent).where(
        AuditEvent.on_behalf_of_id.is_not(None))).all() == []


def test_the_family_accepts_as_a_helper_through_the_desk(session, family, facilitator,
                                                         make_offer, make_match):
    offer = make_offer(household=family)
    match = make_match(offer=offer, status="awaiting",
                       respond_by=NOW + timedelta(hours=48))
    desk.accept(session, facilitator, family, match, now=NOW, first_follow_up_days=7,
                follow_up_every_days=28)
    session.commit()
    assert match.status == MatchStatus.ACTIVE
    event = session.scalars(select(AuditEvent).filter_by(action=audit.MATCH_ACCEPTED)).one()
    assert (event.actor_id, event.actor_role) == (facilitator.id, "facilitator")
    assert event.on_behalf_of_id == family.id and event.target_id == match.public_id


def test_the_family_declines_through_the_desk(session, family, facilitator, make_offer,
                                              make_match):
    match = make_match(offer=make_offer(household=family), status="awaiting",
                       respond_by=NOW + timedelta(hours=48))
    desk.decline(session, facilitator, family, match, now=NOW)
    assert match.status == MatchStatus.DECLINED
    assert audit.done_for(session, family)[0].action == audit.MATCH_DECLINED


def test_its_done_and_something_wrong_are_the_closing_services_records(
        session, family, facilitator, make_need, make_match):
    match = make_match(need=make_need(household=family, status="active"))
    desk.report_done(session, facilitator, family, match, NOW)
    desk.report_problem(session, facilitator, family, match, "Non è venuto", NOW)
    session.commit()
    events = {e.action: e for e in audit.done_for(session, family)}
    for action in (audit.MATCH_DONE_REPORTED, audit.MATCH_PROBLEM_REPORTED):
        assert events[action].actor_id == facilitator.id
        assert events[action].on_behalf_of_id == family.id
    with pytest.raises(DomainError):
        desk.report_problem(session, facilitator, family, match, " ", NOW)


def test_another_familys_pairing_is_not_found_through_this_family(session, family,
                                                                  facilitator, make_match):
    elsewhere = make_match()
    with pytest.raises(NotFound):
        desk.get_pairing(session, facilitator, family, elsewhere.public_id)


def test_outside_the_desk_the_familys_own_acts_are_its_own(session, family, make_need,
                                                          make_match):
    match = make_match(need=make_need(household=family, status="active"))
    from mutuo_aiuto.services import closing

    closing.report_done(session, family.user, match, NOW)
    event = session.scalars(select(AuditEvent).filter_by(
        action=audit.MATCH_DONE_REPORTED)).one()
    assert event.actor_id == family.user_id and event.on_behalf_of_id is None


def test_no_mail_is_queued_for_a_family_without_an_address(session, family):
    notifications.notify(session, family.user, "match_declined", now=NOW, need="x",
                         match_id="m")
    session.commit()
    assert session.scalars(select(OutboxMessage)).all() == []
    assert notifications.unread_count(session, family.user) == 1


def test_export_and_erasure_work_without_an_address(session, family, facilitator):
    data = export.export_household(session, family.user, NOW)
    assert data["account"]["email"] is None and data["mails"] == []
    assert data["household"]["desk_consent_version"] == VERSION
    request = erasure.request_erasure(session, family.user, now=NOW)
    erasure.confirm_erasure(session, facilitator, request, now=NOW)
    session.commit()
    assert family.user.email.startswith("erased-")


def test_needs_of_a_desk_family_stay_its_own(session, family, facilitator, make_household):
    other = make_household()
    with pytest.raises(NotFound):
        desk.get_need(session, facilitator, family, "nothing")
    assert needs.list_needs(session, other) == []


def test_the_list_of_desk_families_is_for_staff(session, family, facilitator, make_user):
    assert desk.desk_households(session, facilitator) == [family]
    with pytest.raises(NotAllowed):
        desk.desk_households(session, make_user())


def test_a_match_is_left_as_it_was_when_acting_is_refused(session, facilitator,
                                                          make_match):
    match = make_match(status="awaiting", respond_by=NOW + timedelta(hours=48))
    with pytest.raises(NotAllowed):
        desk.accept(session, facilitator, match.offer.household, match, now=NOW,
                    first_follow_up_days=7, follow_up_every_days=28)
    assert session.get(Match, match.id).status == MatchStatus.AWAITING


def test_the_retention_purge_keeps_a_desk_family_without_a_confirmed_address(session, family):
    from mutuo_aiuto.services.gdpr import retention

    summary = retention.purge_expired(session, NOW + timedelta(days=90), months=24)
    session.commit()
    assert summary.unconfirmed_accounts == 0
    assert session.get(User, family.user_id) is not None
