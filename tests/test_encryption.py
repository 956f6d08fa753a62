"""Special-category data and contacts: encrypted at rest, rotated to a new key, kept out of logs."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

import pytest
from cryptography.fernet import Fernet, InvalidToken
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from mutuo_aiuto.extensions import db
from mutuo_aiuto.models import AuditEvent, FollowUp, Household, Match, Member
from mutuo_aiuto.services import audit, keys
from tests import factories

PHONE = "+39 333 765 4321"
ADDRESS = "Via del Macello 12, Perugia"
NOTES = "Asthma: the inhaler is in the blue bag"
DESCRIPTION = "Conflict with the ex-partner, needs mediation"
COMMENT = "She cried when she told me"


def _seed(session) -> Household:
    household = factories.make_household(session, phone=PHONE, address=ADDRESS,
                                         care_notes=NOTES)
    need = factories.make_need(session, household=household, description=DESCRIPTION)
    match = Match(need=need, offer=factories.make_offer(session), status="active",
                  family_comment=COMMENT, helper_comment=COMMENT)
    session.add_all([match, FollowUp(match=match, due_on=need.ends_on, notes=NOTES)])
    session.commit()
    return household


RAW_COLUMNS = {
    "households": ("phone", "address", "care_notes"),
    "needs": ("description",),
    "matches": ("family_comment", "helper_comment"),
    "follow_ups": ("notes",),
}


def _raw_values(session) -> list[str]:
    values = []
    for table, columns in RAW_COLUMNS.items():
        for row in session.execute(text(f"SELECT {', '.join(columns)} FROM {table}")):
            values.extend(v for v in row if v is not None)
    return values


def test_raw_rows_hold_no_plaintext(session):
    household = _seed(session)
    raw = _raw_values(session)
    assert len(raw) == 9  # the helper's household has a phone and an address too
    for value in raw:
        # The phone's digits as stored (E.164), long enough never to turn up in base64 by
        # chance (a three-digit "333" did, once in a few hundred runs).
        for secret in (PHONE, ADDRESS, NOTES, DESCRIPTION, COMMENT, "3337654321", "Macello"):
            assert secret not in value
    phone = session.execute(text("SELECT phone FROM households WHERE id = :id"),
                            {"id": household.id}).scalar_one()
    assert phone.startswith("gAAAA")  # a Fernet token


def test_the_app_reads_them_back(session):
    household = _seed(session)
    session.expire_all()
    assert (household.phone, household.address, household.care_notes) == (PHONE, ADDRESS, NOTES)


def test_every_encrypted_column_is_discovered_from_the_metadata():
    found = {(table.name, column.name) for table, columns in keys.encrypted_columns(db.metadata)
             for column in columns}
    expected = {(t, c) for t, cs in RAW_COLUMNS.items() for c in cs}
    assert expected | {("offers", "description")} <= found


def test_special_category_answers_are_encrypted_at_rest(session, make_household):
    """Disability and minority (ESF+) are special-category data: ciphertext in the row."""
    household = make_household()
    household.members.append(Member(kind="adult", disability="yes", minority="no",
                                    special_consent_at=datetime(2026, 12, 1, tzinfo=UTC),
                                    special_consent_version="2026-11"))
    session.commit()
    raw = session.execute(text("SELECT disability, minority FROM household_members")).one()
    assert all(value.startswith("gAAAA") for value in raw)
    session.expire_all()
    assert (household.members[0].disability, household.members[0].minority) == ("yes", "no")
    found = {(table.name, column.name) for table, columns in keys.encrypted_columns(db.metadata)
             for column in columns}
    assert {("household_members", "disability"), ("household_members", "minority")} <= found


# ---- key rotation -------------------------------------------------------------------


@pytest.fixture
def two_keys():
    return Fernet.generate_key().decode(), Fernet.generate_key().decode()


def _phone_token(app) -> str:
    """The stored phone of the first household (the one ``_seed`` made)."""
    with app.app_context():
        return db.session.execute(
            text("SELECT phone FROM households ORDER BY id LIMIT 1")).scalar_one()


def test_rotate_keys_re_encrypts_with_the_new_key(make_app, two_keys):
    old, new = two_keys
    first = make_app(encryption_keys=(old,))
    with first.app_context():
        household = _seed(db.session)
        household_id, updated_at = household.id, household.updated_at
    before = _phone_token(first)

    rotating = make_app(create_schema=False, encryption_keys=(new, old))
    result = rotating.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    assert "households.phone: 2" in result.output
    assert "Re-encrypted 9 values" in result.output

    after = _phone_token(rotating)
    assert after != before
    assert Fernet(new.encode()).decrypt(after.encode()).decode() == PHONE
    with pytest.raises(InvalidToken):
        Fernet(old.encode()).decrypt(after.encode())
    # Only the new key is needed from now on, and nothing else changed.
    only_new = make_app(create_schema=False, encryption_keys=(new,))
    with only_new.app_context():
        stored = db.session.get(Household, household_id)
        assert (stored.phone, stored.care_notes) == (PHONE, NOTES)
        assert stored.updated_at == updated_at
        assert db.session.get(Match, 1).family_comment == COMMENT


def test_old_data_stays_readable_before_rotation(make_app, two_keys):
    old, new = two_keys
    first = make_app(encryption_keys=(old,))
    with first.app_context():
        household_id = _seed(db.session).id
    both = make_app(create_schema=False, encryption_keys=(new, old))
    with both.app_context():
        assert db.session.get(Household, household_id).phone == PHONE


def test_rotation_stops_on_a_value_no_key_opens(make_app, two_keys):
    old, new = two_keys
    first = make_app(encryption_keys=(old,))
    with first.app_context():
        _seed(db.session)
    before = _phone_token(first)
    stranger = make_app(create_schema=False, encryption_keys=(new,))
    result = stranger.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 1
    assert "cannot be read with the configured keys" in result.output
    assert _phone_token(first) == before  # nothing was replaced by an empty value


@pytest.mark.postgres
def test_an_edit_made_during_rotation_is_kept(make_app, postgres_url, two_keys, monkeypatch):
    """The service runs on while ``rotate-keys`` does: two families change their phone
    in the middle of it, one on the row being rotated, one on a row still to come."""
    old, new = two_keys
    first = make_app(database_url=postgres_url, encryption_keys=(old,))
    with first.app_context():
        current = _seed(db.session).id
        later = factories.make_household(db.session, phone=PHONE).id
        db.session.commit()
    assert current < later  # rows are rotated in key order
    editor = create_engine(make_url(postgres_url).set(drivername="postgresql+psycopg"))
    phones = {current: "+39 320 000 0001", later: "+39 320 000 0002"}

    def edit(household_id: int) -> None:
        token = Fernet(new.encode()).encrypt(phones[household_id].encode()).decode()
        with editor.begin() as connection:
            connection.execute(text("SET LOCAL lock_timeout = '30s'"))
            connection.execute(text("UPDATE households SET phone = :phone WHERE id = :id"),
                               {"phone": token, "id": household_id})

    waiting: list[threading.Thread] = []
    rotate_value = keys._rotate_value

    def rotating(fernet, token, where):
        if where == "households.phone" and not waiting:
            # While this row is being rotated: its family edits it (and waits for the
            # row, on a thread of its own), and another family edits a later row.
            waiting.append(threading.Thread(target=edit, args=(current,)))
            waiting[0].start()
            waiting[0].join(timeout=1)
            edit(later)
        return rotate_value(fernet, token, where)

    monkeypatch.setattr(keys, "_rotate_value", rotating)
    rotating_app = make_app(create_schema=False, database_url=postgres_url,
                            encryption_keys=(new, old))
    result = rotating_app.test_cli_runner().invoke(args=["rotate-keys"])
    assert result.exit_code == 0, result.output
    waiting[0].join(timeout=60)
    assert not waiting[0].is_alive()
    editor.dispose()
    only_new = make_app(create_schema=False, database_url=postgres_url, encryption_keys=(new,))
    with only_new.app_context():
        assert db.session.get(Household, current).phone == phones[current]
        assert db.session.get(Household, later).phone == phones[later]
        assert db.session.get(Household, current).care_notes == NOTES  # rotated too


# ---- data the keys cannot open (a restored backup, a key dropped too soon) ----------


def test_healthz_reports_data_the_keys_cannot_open(make_app, two_keys, caplog):
    old, new = two_keys
    first = make_app(encryption_keys=(old,))
    with first.app_context():
        _seed(db.session)
    assert first.test_client().get("/healthz").json["encryption"] == "ok"
    stranger = make_app(create_schema=False, encryption_keys=(new,))
    with caplog.at_level(logging.ERROR):
        response = stranger.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.json["status"] == "error"
    assert response.json["encryption"] == "undecryptable"
    assert "households.phone" in caplog.text
    both = make_app(create_schema=False, encryption_keys=(new, old))
    assert both.test_client().get("/healthz").json == {
        "status": "ok", "database": "ok", "encryption": "ok", "rate_limits": "memory"}


# ---- logs ---------------------------------------------------------------------------


def test_logs_never_hold_contacts_or_notes(client, login, make_user, make_neighbourhood,
                                           caplog):
    user = login(make_user(locale="en"))
    place = make_neighbourhood()
    # Everything, including every SQL statement with its parameters.
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.INFO, logger="sqlalchemy.engine")
    response = client.post("/family/edit", data={
        "name": "Famiglia Test", "neighbourhood": place.slug, "languages": ["it"],
        "phone": PHONE, "address": ADDRESS, "care_notes": NOTES})
    assert response.status_code == 302
    stored = "+393337654321"  # E.164 (issue 16), shown in the national format
    assert "333 765 4321" in client.get("/family").text
    client.post("/confirm-password", data={"password": factories.TEST_PASSWORD})
    assert stored in client.get("/family/data").text
    assert "INSERT INTO households" in caplog.text  # the statements were logged …
    for secret in (PHONE, stored, "333 765 4321", ADDRESS, NOTES):
        assert secret not in caplog.text  # … with ciphertext only
    assert user.household is not None


def test_rotating_the_keys_is_audited(make_app, two_keys):
    old, new = two_keys
    with make_app(encryption_keys=(old,)).app_context():
        _seed(db.session)
    rotating = make_app(create_schema=False, encryption_keys=(new, old))
    assert rotating.test_cli_runner().invoke(args=["rotate-keys"]).exit_code == 0
    with rotating.app_context():
        events = db.session.scalars(
            select(AuditEvent).where(AuditEvent.action == audit.KEYS_ROTATED)).all()
    assert [event.details for event in events] == [{"values": 9}]
