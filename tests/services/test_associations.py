"""Associations: proposing, review (approve, suspend, approve again), coordinators, following,
and the logo's checks; every change audited."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, Neighbourhood, Notification, OutboxMessage
from mutuo_aiuto.services import associations, audit
from mutuo_aiuto.services.associations import AssociationData
from mutuo_aiuto.services.errors import DomainError, DomainErrors, InvalidTransition, NotAllowed
from tests import factories
from tests.factories import TINY_PNG

NOW = datetime(2026, 12, 5, 10, tzinfo=UTC)


@pytest.fixture
def place(session) -> Neighbourhood:
    return factories.make_neighbourhood(session, slug="fontivegge", name="Fontivegge")


def data(**overrides) -> AssociationData:
    values = {"name": "Famiglie Insieme APS", "legal_form": "APS",
              "description": "Merende e compiti per le famiglie del quartiere.",
              "neighbourhoods": ["fontivegge"], "languages": ["it", "ar"],
              "public_email": "info@famiglieinsieme.example.org",
              "public_phone": "075 123 4567", "website": "https://famiglieinsieme.example.org"}
    return AssociationData(**(values | overrides))


def actions(session) -> list[str]:
    return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_a_member_proposes_and_becomes_its_first_coordinator(session, place):
    member = factories.make_user(session)
    association = associations.propose(session, member, data(logo=TINY_PNG))
    assert association.status == "pending"
    assert [c.user_id for c in association.coordinators] == [member.id]
    assert [p.slug for p in association.neighbourhoods] == ["fontivegge"]
    assert association.logo_type == "image/png"
    assert association.public_email == "info@famiglieinsieme.example.org"
    assert actions(session) == [audit.ASSOCIATION_PROPOSED]


def test_every_problem_is_refused_at_once(session, place):
    member = factories.make_user(session)
    with pytest.raises(DomainErrors) as refused:
        associations.propose(session, member, AssociationData(
            neighbourhoods=["nowhere"], languages=["xx"], public_phone="call me",
            website="javascript:alert(1)", logo=b"<html><script>"))
    fields = [error.field for error in refused.value.errors]
    assert fields == ["name", "description", "neighbourhoods", "languages",
                      "public_phone", "website", "logo"]


def test_a_public_contact_is_required(session, place):
    member = factories.make_user(session)
    with pytest.raises(DomainError) as refused:
        associations.propose(session, member, data(public_email="", public_phone=""))
    assert refused.value.field == "public_email"


def test_the_name_is_unique_whatever_the_case(session, place):
    member = factories.make_user(session)
    associations.propose(session, member, data())
    with pytest.raises(DomainError) as refused:
        associations.propose(session, member, data(name="famiglie insieme aps"))
    assert refused.value.field == "name"


@pytest.mark.parametrize(("content", "kind"), [
    (TINY_PNG, "image/png"), (b"\xff\xd8\xff\xe0" + b"\0" * 20, "image/jpeg"),
    (b"RIFF\x10\0\0\0WEBPVP8 " + b"\0" * 10, "image/webp")])
def test_a_logo_is_known_by_its_bytes(content, kind):
    assert associations.check_logo(content) == kind


@pytest.mark.parametrize("content", [b"<!doctype html><script>alert(1)</script>",
                                     b"GIF89a" + b"\0" * 20, b"%PDF-1.7", b""])
def test_anything_else_is_refused(content):
    with pytest.raises(DomainError) as refused:
        associations.check_logo(content)
    assert refused.value.field == "logo"


def test_a_logo_over_200_kb_is_refused():
    with pytest.raises(DomainError, match="too big"):
        associations.check_logo(TINY_PNG + b"\0" * (200 * 1024))
    assert associations.check_logo(TINY_PNG + b"\0" * (200 * 1024 - len(TINY_PNG)))


def test_an_administrator_approves_suspends_and_approves_again(session, place):
    admin = factories.make_user(session, role="admin")
    association = associations.propose(session, factories.make_user(session), data())
    associations.approve(session, admin, association, now=NOW)
    assert (association.status, association.approved_at) == ("approved", NOW)
    with pytest.raises(InvalidTransition):
        associations.approve(session, admin, association, now=NOW)
    with pytest.raises(DomainError) as refused:
        associations.suspend(session, admin, association, "  ")
    assert refused.value.field == "note"
    associations.suspend(session, admin, association, "Contatti non validi.")
    assert (association.status, association.status_note) == ("suspended", "Contatti non validi.")
    associations.approve(session, admin, association, now=NOW)
    assert (association.status, association.status_note) == ("approved", None)
    assert actions(session) == [audit.ASSOCIATION_PROPOSED, audit.ASSOCIATION_APPROVED,
                                audit.ASSOCIATION_SUSPENDED, audit.ASSOCIATION_APPROVED]


def test_the_coordinators_are_told_by_mail_in_their_language(session, place):
    admin = factories.make_user(session, role="admin")
    first = factories.make_user(session, locale="ar")
    association = associations.propose(session, first, data())
    second = factories.make_user(session, locale="en")
    away = factories.make_user(session, locale="it", active=False)
    associations.add_coordinator(session, admin, association, second.email)
    associations.add_coordinator(session, admin, association, away.email)
    associations.approve(session, admin, association, now=NOW)
    associations.suspend(session, admin, association, "Contatti non validi.")
    mails = [(m.recipient, m.kind, m.subject, m.body) for m in session.scalars(
        select(OutboxMessage).order_by(OutboxMessage.id))]
    assert [(to, kind) for to, kind, _, _ in mails] == [
        (first.email, "association_approved"), (second.email, "association_approved"),
        (first.email, "association_suspended"), (second.email, "association_suspended")]
    english = {kind: (subject, body) for to, kind, subject, body in mails if to == second.email}
    assert english["association_approved"][0] == "“Famiglie Insieme APS” is approved"
    assert "Contatti non validi." in english["association_suspended"][1]
    assert f"/associations/{association.public_id}" in english["association_suspended"][1]
    arabic = next(subject for to, kind, subject, _ in mails
                  if to == first.email and kind == "association_approved")
    assert "Famiglie Insieme APS" in arabic and "approved" not in arabic
    inbox = session.scalars(select(Notification.kind).where(
        Notification.user_id == away.id)).all()
    assert inbox == []  # a deactivated account hears nothing


@pytest.mark.parametrize("role", ["member", "facilitator"])
def test_only_administrators_review(session, place, role):
    someone = factories.make_user(session, role=role)
    association = factories.make_association(session, status="pending")
    with pytest.raises(NotAllowed):
        associations.approve(session, someone, association, now=NOW)
    with pytest.raises(NotAllowed):
        associations.suspend(session, someone, association, "no")
    with pytest.raises(NotAllowed):
        associations.add_coordinator(session, someone, association, someone.email)


def test_administrators_add_and_remove_coordinators_by_email(session):
    admin = factories.make_user(session, role="admin")
    first = factories.make_user(session)
    second = factories.make_user(session, email="Luisa@Example.org")
    association = factories.make_association(session, coordinators=[first])
    added = associations.add_coordinator(session, admin, association, " luisa@example.ORG ")
    assert added == second
    with pytest.raises(DomainError, match="already a coordinator"):
        associations.add_coordinator(session, admin, association, second.email)
    with pytest.raises(DomainError, match="No account"):
        associations.add_coordinator(session, admin, association, "nobody@example.org")
    associations.remove_coordinator(session, admin, association, first.public_id)
    assert [c.user_id for c in association.coordinators] == [second.id]
    with pytest.raises(DomainError, match="at least one coordinator"):
        associations.remove_coordinator(session, admin, association, second.public_id)
    assert actions(session) == [audit.COORDINATOR_ADDED, audit.COORDINATOR_REMOVED]


def test_coordinators_edit_their_page_and_the_edit_is_audited(session, place):
    coordinator = factories.make_user(session)
    association = factories.make_association(session, coordinators=[coordinator],
                                             neighbourhoods=[place])
    changed = associations.update(session, coordinator, association,
                                  data(name=association.name, logo=TINY_PNG))
    assert "description" in changed and "logo" in changed
    assert actions(session) == [audit.ASSOCIATION_EDITED]
    associations.update(session, coordinator, association,
                        data(name=association.name, remove_logo=True))
    assert association.logo is None


def test_no_coordinator_edits_another_association(session, place):
    mine = factories.make_association(session)
    theirs = factories.make_association(session)
    with pytest.raises(NotAllowed):
        associations.update(session, mine.coordinators[0].user, theirs, data())


def test_a_suspended_associations_coordinators_cannot_edit(session, place):
    association = factories.make_association(session, status="suspended",
                                             status_note="Verifica in corso")
    with pytest.raises(NotAllowed):
        associations.update(session, association.coordinators[0].user, association,
                            data(name=association.name))


def test_families_follow_and_unfollow(session):
    family = factories.make_household(session)
    association = factories.make_association(session)
    associations.follow(session, family.user, association)
    associations.follow(session, family.user, association)  # once only
    assert associations.followed_by(session, family) == [association]
    assert associations.follows(session, family, association)
    associations.unfollow(session, family.user, association)
    associations.unfollow(session, family.user, association)
    assert associations.followed_by(session, family) == []


def test_an_account_without_a_family_cannot_follow(session):
    staff = factories.make_user(session, role="facilitator")
    with pytest.raises(NotAllowed):
        associations.follow(session, staff, factories.make_association(session))


def test_a_pending_association_cannot_be_followed_nor_listed(session):
    family = factories.make_household(session)
    pending = factories.make_association(session, status="pending")
    with pytest.raises(DomainError):
        associations.follow(session, family.user, pending)
    assert pending not in associations.public_list(session)


def test_the_list_filters_by_neighbourhood(session):
    a, b = factories.make_neighbourhood(session), factories.make_neighbourhood(session)
    here = factories.make_association(session, neighbourhoods=[a])
    both = factories.make_association(session, neighbourhoods=[a, b])
    factories.make_association(session, neighbourhoods=[b])
    assert {x.id for x in associations.public_list(session, a.slug)} == {here.id, both.id}
    assert len(associations.public_list(session)) == 3


def test_review_lists_pending_first(session):
    approved = factories.make_association(session, name="A")
    pending = factories.make_association(session, name="B", status="pending")
    assert associations.for_review(session) == [pending, approved]
    assert associations.for_review(session, "approved") == [approved]


def test_the_familys_export_names_what_it_follows_and_coordinates(session):
    from mutuo_aiuto.services.gdpr import export

    family = factories.make_household(session)
    followed = factories.make_association(session, name="Genitori in Rete")
    factories.make_association(session, name="Famiglie Insieme", coordinators=[family.user])
    associations.follow(session, family.user, followed)
    data = export.export_household(session, family.user, now=NOW)
    assert [row["association"] for row in data["associations_followed"]] == ["Genitori in Rete"]
    assert [row["association"] for row in data["association_coordinators"]] == [
        "Famiglie Insieme"]


def test_erasing_a_family_forgets_what_it_followed(session):
    from mutuo_aiuto.models import AssociationFollower
    from mutuo_aiuto.services.gdpr import erasure

    family = factories.make_household(session)
    associations.follow(session, family.user, factories.make_association(session))
    session.commit()
    assert session.scalars(select(AssociationFollower)).all()
    erasure.anonymise_household(session, family, now=NOW)
    assert session.scalars(select(AssociationFollower)).all() == []
