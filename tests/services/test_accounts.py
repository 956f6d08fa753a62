"""Account services: strength rules, sign-up and confirmation, login, reset tokens, passwords."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import func, select

from mutuo_aiuto.models import OutboxMessage, User
from mutuo_aiuto.services import accounts, tokens
from mutuo_aiuto.services.accounts import (
    COMMON_PASSWORDS,
    MIN_PASSWORD_LENGTH,
    EmailTaken,
    WeakPassword,
    WrongPassword,
    check_password_strength,
    normalise_email,
)
from mutuo_aiuto.services.errors import DomainError
from mutuo_aiuto.services.passwords import verify_password
from tests.factories import TEST_PASSWORD

SECRET = "a-test-secret-that-is-long-enough-0123456789"
GOOD = "una frase lunga e facile"
NOW = datetime(2026, 11, 3, 9, 30, tzinfo=UTC)


def count_users(session) -> int:
    return session.scalar(select(func.count()).select_from(User))


# ---- password strength --------------------------------------------------------------

@given(st.text(max_size=MIN_PASSWORD_LENGTH - 1))
def test_short_passwords_are_refused_for_their_length(password):
    with pytest.raises(WeakPassword) as caught:
        check_password_strength(password, "x@example.org")
    assert caught.value.field == "password"
    assert "at least 10 characters" in str(caught.value.message)


@given(st.sampled_from(sorted(COMMON_PASSWORDS)), st.booleans())
def test_common_passwords_are_refused_in_any_case(password, upper):
    with pytest.raises(WeakPassword, match="too common"):
        check_password_strength(password.upper() if upper else password, "x@example.org")


@given(local=st.from_regex(r"[a-z][a-z0-9.]{2,15}", fullmatch=True),
       before=st.text(max_size=6), after=st.text(min_size=10, max_size=20))
def test_passwords_containing_the_local_part_are_refused(local, before, after):
    password = before + local.upper() + after
    assume(password.lower().strip() not in COMMON_PASSWORDS)
    with pytest.raises(WeakPassword, match="must not contain your email"):
        check_password_strength(password, f"{local}@example.org")


@pytest.mark.parametrize("password", ["bicicletta rossa", "gatto nero 2019", GOOD,
                                      "correct horse battery staple", "Lunedi sera 7"])
def test_long_uncommon_passwords_without_the_address_pass(password):
    check_password_strength(password, "zq@example.org")


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "3141592653", "qwertyuiop1",
                                      "mutuo-aiuto-demo", "MUTUO-AIUTO-DEMO1",
                                      "zzzzzzzzzzzzzzzzzzzz"])
def test_guessable_and_published_passwords_are_refused(password):
    with pytest.raises(WeakPassword) as caught:
        check_password_strength(password, "zq@example.org")
    assert caught.value.field == "password"


def test_the_persons_own_name_makes_a_password_guessable():
    check_password_strength("ada lovelace 1815", "zq@example.org")  # a stranger's words
    with pytest.raises(WeakPassword, match="too easy to guess"):
        check_password_strength("ada lovelace 1815", "zq@example.org", name="Ada Lovelace")


def test_staff_need_a_stronger_password_than_members():
    check_password_strength("tramonto21!", "zq@example.org")  # score 3: enough for a member
    with pytest.raises(WeakPassword, match="Staff accounts need a stronger password"):
        check_password_strength("tramonto21!", "zq@example.org", staff=True)
    check_password_strength("bicicletta rossa", "zq@example.org", staff=True)


def test_a_facilitator_account_refuses_a_member_strength_password(session):
    with pytest.raises(WeakPassword):
        accounts.create_user(session, email="f2@example.org", password="tramonto21!",
                             name="F", role="facilitator")


def test_a_very_long_password_is_estimated_not_refused():
    check_password_strength("bicicletta rossa " * 20, "zq@example.org")


# ---- email normalisation ---------------------------------------------------------------

@given(st.emails(), st.text(alphabet=" \t\n", max_size=3), st.text(alphabet=" \t\n", max_size=3))
def test_email_normalisation_trims_lowers_and_is_idempotent(email, left, right):
    normal = normalise_email(left + email + right)
    assert normal == email.lower()
    assert normalise_email(normal) == normal
    assert normalise_email(email.upper()) == normalise_email(email.swapcase())


# ---- register and create_user -----------------------------------------------------------

def test_register_stores_member_with_consent(session):
    user = accounts.register(session, email="  Maria.Rossi@Example.ORG ", password=GOOD,
                             name=" Maria ", locale="en", consent_version="2026-11", now=NOW)
    session.commit()
    assert user.email == "maria.rossi@example.org"
    assert user.name == "Maria"
    assert user.role == "member"
    assert user.locale == "en"
    assert user.consent_version == "2026-11"
    assert user.consent_at == NOW
    assert user.password_hash != GOOD and verify_password(user.password_hash, GOOD)
    assert user.email_confirmed_at is None  # a stranger may have typed the address


def test_register_refuses_a_taken_address_whatever_its_case(session, make_user):
    make_user(email="anna@example.org")
    with pytest.raises(EmailTaken) as caught:
        accounts.register(session, email="ANNA@example.org", password=GOOD, name="Anna",
                          locale="it", consent_version="2026-11")
    assert caught.value.field == "email"
    session.rollback()
    assert count_users(session) == 1


def test_register_checks_strength_against_the_address(session):
    with pytest.raises(WeakPassword):
        accounts.register(session, email="giovanni@example.org", password="Giovanni-2026!",
                          name="G", locale="it", consent_version="2026-11")
    session.rollback()
    assert count_users(session) == 0


def test_create_user_with_a_role(session):
    user = accounts.create_user(session, email="f@example.org", password=GOOD, name="F",
                                role="facilitator")
    assert user.role == "facilitator" and user.consent_version is None
    assert user.email_confirmed_at is not None  # the operator vouches for the address


@pytest.mark.parametrize("email", ["nobody", "a@b", "a b@example.org", "@example.org"])
def test_create_user_refuses_an_address_that_is_not_one(session, email):
    with pytest.raises(DomainError) as caught:
        accounts.create_user(session, email=email, password=GOOD, name="X")
    assert caught.value.field == "email"


def test_a_full_width_address_is_the_same_account(session, make_user):
    make_user(email="ada@example.org")
    assert normalise_email("ＡＤＡ@ｅｘａｍｐｌｅ.ｏｒｇ") == "ada@example.org"
    with pytest.raises(accounts.EmailTaken):
        accounts.create_user(session, email="ａｄａ@example.org", password=GOOD, name="A")


@pytest.mark.parametrize("email", ["\u0430da@example.org",  # Cyrillic а, then Latin
                                   "p\u0430ypal@example.org", "\u03bflga@example.org"])
def test_a_local_part_mixing_alphabets_is_refused(session, email):
    with pytest.raises(DomainError) as caught:
        accounts.create_user(session, email=email, password=GOOD, name="X")
    assert caught.value.field == "email"
    assert count_users(session) == 0


def test_one_alphabet_other_than_latin_is_an_address_like_any(session):
    assert not accounts.mixes_scripts("\u043e\u043b\u044f@example.org")  # оля
    assert not accounts.mixes_scripts("anna.rossi99@example.org")


def test_create_user_refuses_an_unknown_role(session):
    with pytest.raises(DomainError):
        accounts.create_user(session, email="r@example.org", password=GOOD, name="R",
                             role="superuser")


# ---- authenticate -------------------------------------------------------------------------

def test_authenticate_right_password_records_login(session, make_user):
    user = make_user(email="luca@example.org")
    assert accounts.authenticate(session, "LUCA@example.org ", TEST_PASSWORD, now=NOW) is user
    assert user.last_login_at == NOW


@pytest.mark.parametrize(("email", "password"), [
    ("luca@example.org", "wrong password here"),
    ("nobody@example.org", TEST_PASSWORD),
])
def test_authenticate_refuses_wrong_credentials(session, make_user, email, password):
    make_user(email="luca@example.org")
    assert accounts.authenticate(session, email, password) is None


def test_authenticate_refuses_inactive_accounts(session, make_user):
    make_user(email="off@example.org", active=False)
    assert accounts.authenticate(session, "off@example.org", TEST_PASSWORD) is None


def test_authenticate_right_password_of_an_unconfirmed_account_says_so(session, make_user):
    user = make_user(email="new@example.org", email_confirmed_at=None)
    with pytest.raises(accounts.EmailNotConfirmed) as caught:
        accounts.authenticate(session, "new@example.org", TEST_PASSWORD, now=NOW)
    assert caught.value.user is user
    assert user.last_login_at is None


@pytest.mark.parametrize(("password", "active"), [("wrong password here", True),
                                                  (TEST_PASSWORD, False)])
def test_authenticate_unconfirmed_account_otherwise_fails_like_any(session, make_user,
                                                                    password, active):
    make_user(email="new@example.org", email_confirmed_at=None, active=active)
    assert accounts.authenticate(session, "new@example.org", password) is None


def test_authenticate_rehashes_outdated_hashes(session, make_user):
    from argon2 import PasswordHasher

    old_hash = PasswordHasher(time_cost=1, memory_cost=8 * 1024).hash(TEST_PASSWORD)
    user = make_user(password_hash=old_hash)
    assert accounts.authenticate(session, user.email, TEST_PASSWORD) is user
    assert user.password_hash != old_hash
    assert verify_password(user.password_hash, TEST_PASSWORD)


# ---- reset tokens -------------------------------------------------------------------------

def test_reset_token_names_its_user(session, make_user):
    user = make_user()
    token = tokens.make_reset_token(user, SECRET)
    assert tokens.user_for_reset_token(session, token, SECRET, 3600) is user
    assert user.password_hash not in token


def test_reset_token_works_once(session, make_user):
    user = make_user()
    token = tokens.make_reset_token(user, SECRET)
    accounts.reset_password(session, token=token, password=GOOD, secret=SECRET, max_age=3600)
    session.commit()
    assert verify_password(user.password_hash, GOOD)
    with pytest.raises(tokens.ResetLinkInvalid, match="already used"):
        tokens.user_for_reset_token(session, token, SECRET, 3600)


def test_reset_token_expires(session, make_user):
    user = make_user()
    token = tokens.make_reset_token(user, SECRET)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=2)), \
            pytest.raises(tokens.ResetLinkExpired, match="expired"):
        tokens.user_for_reset_token(session, token, SECRET, 3600)


@pytest.mark.parametrize("mangle", [
    lambda token: token + "x",
    lambda token: "nonsense",
    lambda token: tokens.URLSafeTimedSerializer(SECRET, salt="other").dumps({"u": "x"}),
])
def test_damaged_or_foreign_tokens_are_refused(session, make_user, mangle):
    token = tokens.make_reset_token(make_user(), SECRET)
    with pytest.raises(tokens.ResetLinkInvalid):
        tokens.user_for_reset_token(session, mangle(token), SECRET, 3600)


def test_reset_token_of_a_deactivated_account_is_refused(session, make_user):
    user = make_user()
    token = tokens.make_reset_token(user, SECRET)
    user.active = False
    with pytest.raises(tokens.ResetLinkInvalid):
        tokens.user_for_reset_token(session, token, SECRET, 3600)


def test_reset_confirms_an_unconfirmed_address(session, make_user):
    user = make_user(email_confirmed_at=None)
    accounts.reset_password(session, token=tokens.make_reset_token(user, SECRET), password=GOOD,
                            secret=SECRET, max_age=3600, now=NOW)
    assert user.email_confirmed_at == NOW


def test_reset_keeps_the_first_confirmation_date(session, make_user):
    user = make_user(email_confirmed_at=NOW - timedelta(days=30))
    accounts.reset_password(session, token=tokens.make_reset_token(user, SECRET), password=GOOD,
                            secret=SECRET, max_age=3600, now=NOW)
    assert user.email_confirmed_at == NOW - timedelta(days=30)


def test_reset_ends_all_sessions(session, make_user):
    user = make_user()
    version = user.session_version
    accounts.reset_password(session, token=tokens.make_reset_token(user, SECRET), password=GOOD,
                            secret=SECRET, max_age=3600)
    assert user.session_version == version + 1


# ---- change password -----------------------------------------------------------------------

def test_change_password_needs_the_current_one(session, make_user):
    user = make_user()
    before = (user.password_hash, user.session_version)
    with pytest.raises(WrongPassword) as caught:
        accounts.change_password(session, user, current_password="not it at all",
                                 new_password=GOOD)
    assert caught.value.field == "current_password"
    assert (user.password_hash, user.session_version) == before


def test_change_password_sets_it_and_ends_sessions(session, make_user):
    user = make_user()
    version = user.session_version
    accounts.change_password(session, user, current_password=TEST_PASSWORD, new_password=GOOD)
    assert verify_password(user.password_hash, GOOD)
    assert user.session_version == version + 1


def test_change_password_applies_strength_rules(session, make_user):
    user = make_user()
    with pytest.raises(WeakPassword):
        accounts.change_password(session, user, current_password=TEST_PASSWORD,
                                 new_password="short")


# ---- account mails --------------------------------------------------------------------------

def link_for(token: str) -> str:
    return f"https://example.org/reset/{token}"


def confirm_link_for(token: str) -> str:
    return f"https://example.org/confirm/{token}"


def _reset(session, email):
    return accounts.send_reset_link(session, email, secret=SECRET, link_for=link_for,
                                    signup_link="https://example.org/register", locale="en")


def test_reset_link_mail_for_a_known_address(session, make_user):
    user = make_user(email="known@example.org")
    message = _reset(session, "Known@Example.org")
    assert message is not None and message.recipient == "known@example.org"
    token = message.body.split("https://example.org/reset/")[1].split()[0]
    assert tokens.user_for_reset_token(session, token, SECRET, 60) is user


def test_unknown_or_inactive_addresses_are_told_no_account_uses_them(session, make_user):
    make_user(email="off@example.org", active=False)
    for email in ("nobody@example.org", "off@example.org"):
        message = _reset(session, email)
        assert message.recipient == email
        assert "no account uses it" in message.body
        assert "https://example.org/register" in message.body
        assert "/reset/" not in message.body  # no link that could reset anything
    assert session.scalar(select(func.count()).select_from(User)) == 1


def test_update_account_refuses_unknown_language(session, make_user):
    user = make_user()
    with pytest.raises(DomainError) as caught:
        accounts.update_account(session, user, name="X", locale="xx")
    assert caught.value.field == "locale"


# ---- sign up: the same whether the address is new or taken --------------------------------------

def sign_up(session, email: str = "maria@example.org", password: str = GOOD,
            **overrides) -> User | None:
    values = {"name": "Maria", "locale": "en", "consent_version": "2026-11", "secret": SECRET,
              "confirm_link_for": confirm_link_for, "reset_link_for": link_for,
              "now": NOW} | overrides
    return accounts.sign_up(session, email=email, password=password, **values)


def mails(session) -> list[OutboxMessage]:
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def test_sign_up_with_a_new_address_mails_a_confirmation_link(session):
    user = sign_up(session, email="Maria@Example.org")
    assert user is not None and user.email_confirmed_at is None
    assert user.confirmation_sent_at == NOW
    [mail] = mails(session)
    assert mail.recipient == "maria@example.org"
    assert mail.subject == "Confirm your address for Mutuo Aiuto"  # the account's language
    path = accounts.confirmation_link_in(mail.body)
    assert f"https://example.org{path}" in mail.body
    token = path.removeprefix("/confirm/")
    assert tokens.user_for_confirmation_token(session, token, SECRET) is user


def test_sign_up_with_a_taken_address_mails_its_owner_and_creates_nothing(session, make_user):
    owner = make_user(email="anna@example.org", locale="en", name="Anna")
    before = owner.password_hash
    assert sign_up(session, email="ANNA@example.org", name="Not Anna") is None
    assert count_users(session) == 1
    [mail] = mails(session)
    assert mail.recipient == "anna@example.org"
    assert mail.subject == "Someone tried to register with your address"
    assert accounts.confirmation_link_in(mail.body) is None
    assert "https://example.org/reset/" in mail.body
    session.refresh(owner)
    assert (owner.password_hash, owner.name) == (before, "Anna")


def test_sign_up_hashes_the_password_once_on_both_branches(session, make_user, monkeypatch):
    # What keeps the two branches equally slow: argon2 runs in both.
    hashed: list[str] = []
    real = accounts.hash_password
    monkeypatch.setattr(accounts, "hash_password", lambda p: hashed.append(p) or real(p))
    sign_up(session, email="new@example.org")
    make_user(email="anna@example.org")
    sign_up(session, email="anna@example.org")
    assert hashed == [GOOD, GOOD]


def test_sign_up_refuses_bad_input_whether_the_address_is_taken_or_not(session, make_user):
    make_user(email="anna@example.org")
    for email in ("anna@example.org", "nobody@example.org"):
        with pytest.raises(WeakPassword):
            sign_up(session, email=email, password="short")
    assert mails(session) == []


# ---- confirming the address ----------------------------------------------------------------------

def test_confirm_email_confirms_once(session, make_user):
    user = make_user(email_confirmed_at=None)
    token = tokens.make_confirmation_token(user, SECRET)
    assert accounts.confirm_email(session, token=token, secret=SECRET, now=NOW) is user
    assert user.email_confirmed_at == NOW
    assert user.last_login_at == NOW  # the web layer logs the person in
    with pytest.raises(accounts.AlreadyConfirmed):
        accounts.confirm_email(session, token=token, secret=SECRET)
    assert user.email_confirmed_at == NOW


def test_confirmation_link_expires(session, make_user):
    user = make_user(email_confirmed_at=None)
    token = tokens.make_confirmation_token(user, SECRET)
    later = datetime.now(UTC) + timedelta(seconds=tokens.CONFIRMATION_MAX_AGE + 60)
    with time_machine.travel(later), pytest.raises(tokens.ConfirmationLinkExpired):
        accounts.confirm_email(session, token=token, secret=SECRET)
    assert user.email_confirmed_at is None


@pytest.mark.parametrize("mangle", [
    lambda user: tokens.make_confirmation_token(user, SECRET) + "x",
    lambda user: tokens.make_confirmation_token(user, "another-secret-long-enough-0123456789"),
    lambda user: tokens.make_reset_token(user, SECRET),  # same key, other purpose
    lambda user: tokens.URLSafeTimedSerializer(SECRET, salt=tokens.CONFIRMATION_SALT)
    .dumps(["not", "a", "dict"]),
    lambda user: tokens.URLSafeTimedSerializer(SECRET, salt=tokens.CONFIRMATION_SALT)
    .dumps({"u": user.public_id, "e": tokens.email_fingerprint("other@example.org")}),
])
def test_damaged_or_foreign_confirmation_links_are_refused(session, make_user, mangle):
    user = make_user(email_confirmed_at=None)
    with pytest.raises(tokens.ConfirmationLinkInvalid, match="not valid"):
        accounts.confirm_email(session, token=mangle(user), secret=SECRET)
    assert user.email_confirmed_at is None


def test_confirmation_link_is_for_the_address_it_was_sent_to(session, make_user):
    user = make_user(email="old@example.org", email_confirmed_at=None)
    token = tokens.make_confirmation_token(user, SECRET)
    user.email = "new@example.org"
    with pytest.raises(tokens.ConfirmationLinkInvalid):
        accounts.confirm_email(session, token=token, secret=SECRET)


def test_confirmation_link_of_a_deactivated_account_is_refused(session, make_user):
    user = make_user(email_confirmed_at=None, active=False)
    with pytest.raises(tokens.ConfirmationLinkInvalid):
        accounts.confirm_email(session, token=tokens.make_confirmation_token(user, SECRET),
                               secret=SECRET)


def test_a_new_confirmation_link_at_most_every_few_minutes(session, make_user):
    user = make_user(email_confirmed_at=None, locale="en")
    pause = accounts.CONFIRMATION_RESEND_AFTER

    def resend(at: datetime) -> OutboxMessage | None:
        return accounts.resend_confirmation(session, user, secret=SECRET,
                                            link_for=confirm_link_for, now=at)

    assert resend(NOW) is not None
    assert resend(NOW + pause - timedelta(seconds=1)) is None
    assert user.confirmation_sent_at == NOW
    assert resend(NOW + pause) is not None
    assert user.confirmation_sent_at == NOW + pause
    assert len(mails(session)) == 2


TOKEN_CHARS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.",
                      min_size=1, max_size=120)


@given(token=TOKEN_CHARS, before=st.text(max_size=40), after=st.text(max_size=40))
def test_confirmation_link_in_finds_the_path_in_any_mail(token, before, after):
    assume("/confirm/" not in before)
    body = f"{before}\nhttps://mutuo.example/confirm/{token}\n{after}"
    assert accounts.confirmation_link_in(body) == f"/confirm/{token}"


@given(st.text(max_size=200))
def test_confirmation_link_in_finds_nothing_without_a_link(body):
    assume("/confirm/" not in body)
    assert accounts.confirmation_link_in(body) is None


def test_passwords_are_stored_as_argon2id_hashes(session):
    user = accounts.create_user(session, email="argon@example.org",
                                password="a long uncommon phrase 93", name="Argon")
    assert user.password_hash.startswith("$argon2id$")
    assert "a long uncommon phrase" not in user.password_hash
