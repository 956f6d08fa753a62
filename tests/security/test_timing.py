"""Response times do not tell who has an account.

The enumeration-safe flows (asking for a password reset, signing up with an
address, a wrong password at login) answer the same page whether the address
has an account or not; they must also take the same time. Each test sends many
requests in pairs, one for an address with an account and one for an address
without, in random order within the pair so that the machine's load drifts on
both alike, and compares the median of the paired differences with the median
time of a request. Before the two paths did the same work, the reset of a known
address took 40-60% longer; the tolerance (15%) leaves room for a busy test
machine and none for a path that skips work.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable
from typing import Any

import pytest

from mutuo_aiuto.extensions import db
from tests.factories import TEST_PASSWORD, make_user

PAIRS = 40
TOLERANCE = 0.15
# A busy machine (a test worker per core, other processes) can push one round of
# pairs off by chance; a path that skips work is off in every round.
ROUNDS = 3
KNOWN = "known@example.org"


def _reset(email: str, _i: int) -> dict[str, str]:
    return {"email": email}


def _login(email: str, _i: int) -> dict[str, str]:
    return {"email": email, "password": "not the password at all"}


def _register(email: str, i: int) -> dict[str, str]:
    return {"comes_for": "need", "name": f"Persona {i}", "email": email,
            "password": TEST_PASSWORD,
            "confirm": TEST_PASSWORD, "locale": "en", "consent": "y"}


def _unknown_address(round_: int, i: int) -> str:
    return f"nobody-{round_}-{i}@example.org"


def _paired_difference(client: Any, url: str, form: Callable[[str, int], dict[str, str]],
                       expected: int, round_: int = 0, known: str = KNOWN,
                       unknown: Callable[[int, int], str] = _unknown_address,
                       ) -> tuple[float, float]:
    """The median of (known − unknown) over the pairs, and the median of all times."""
    rng = random.Random(13)
    differences, times = [], []
    for i in range(PAIRS):
        pair = [("known", known), ("unknown", unknown(round_, i))]
        rng.shuffle(pair)
        took = {}
        for which, email in pair:
            start = time.perf_counter()
            response = client.post(url, data=form(email, i))
            took[which] = time.perf_counter() - start
            assert response.status_code == expected, (which, response.text[:300])
        differences.append(took["known"] - took["unknown"])
        times += took.values()
    return statistics.median(differences), statistics.median(times)


@pytest.fixture
def quiet_app(make_app):
    # No rate limit (80 requests from one address), mail only queued, not logged.
    # Requests run outside any app context held by the test, as in a server: each gets
    # its own database session (a shared one would keep the known account loaded).
    app = make_app(ratelimit_enabled=False, mail_server="")
    with app.app_context():
        make_user(db.session, email=KNOWN)
        db.session.commit()
        db.session.remove()
    return app


@pytest.mark.parametrize(("url", "form", "expected"), [
    ("/reset", _reset, 302),
    ("/register", _register, 200),
    ("/login", _login, 400),
])
def test_known_and_unknown_addresses_take_the_same_time(quiet_app, url, form, expected):
    seen = []
    for round_ in range(ROUNDS):
        difference, typical = _paired_difference(quiet_app.test_client(), url, form, expected,
                                                 round_)
        if abs(difference) <= TOLERANCE * typical:
            return
        seen.append(f"known − unknown = {difference * 1000:.2f} ms, a request takes "
                    f"{typical * 1000:.2f} ms")
    pytest.fail(f"{url}, in each of {ROUNDS} rounds: " + "; ".join(seen))


# ---- signing in by phone -------------------------------------------------------------------

KNOWN_PHONE = "+39 333 123 4567"


def _phone(number: str, _i: int) -> dict[str, str]:
    return {"phone": number}


def _unknown_phone(round_: int, i: int) -> str:
    return f"+39 340 {round_}{i:06d}"


@pytest.fixture
def phone_app(quiet_app, monkeypatch):
    """The known address's account also has a mobile number; the per-number limits are
    lifted (the known number asks for a code 40 times a round)."""
    from mutuo_aiuto.models import User
    from mutuo_aiuto.services import phone_signin
    from mutuo_aiuto.services.households import save_helper_details
    from tests.factories import make_neighbourhood

    monkeypatch.setattr(phone_signin, "BURST_LIMIT", 10_000)
    monkeypatch.setattr(phone_signin, "DAILY_LIMIT", 10_000)
    with quiet_app.app_context():
        user = db.session.query(User).filter_by(email=KNOWN).one()
        place = make_neighbourhood(db.session)
        save_helper_details(db.session, user, neighbourhood=place.slug, phone=KNOWN_PHONE)
        assert user.phone_lookup is not None
        db.session.commit()
        db.session.remove()
    return quiet_app


def test_known_and_unknown_numbers_take_the_same_time(phone_app):
    """A known number's code is queued in the SMS outbox; an unknown number's is not
    sent anywhere: the page must not take longer for the one than for the other."""
    seen = []
    for round_ in range(ROUNDS):
        difference, typical = _paired_difference(
            phone_app.test_client(), "/login/phone", _phone, 302, round_,
            known=KNOWN_PHONE, unknown=_unknown_phone)
        print(f"/login/phone: known − unknown = {difference * 1000:.2f} ms, "
              f"a request takes {typical * 1000:.2f} ms")
        if abs(difference) <= TOLERANCE * typical:
            return
        seen.append(f"known − unknown = {difference * 1000:.2f} ms, a request takes "
                    f"{typical * 1000:.2f} ms")
    pytest.fail(f"/login/phone, in each of {ROUNDS} rounds: " + "; ".join(seen))
