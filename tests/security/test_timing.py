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


def _paired_difference(client: Any, url: str, form: Callable[[str, int], dict[str, str]],
                       expected: int, round_: int = 0) -> tuple[float, float]:
    """The median of (known − unknown) over the pairs, and the median of all times."""
    rng = random.Random(13)
    differences, times = [], []
    for i in range(PAIRS):
        pair = [("known", KNOWN), ("unknown", f"nobody-{round_}-{i}@example.org")]
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
