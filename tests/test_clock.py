"""One clock: the Hub's ``HubClock`` is the only reader of the wall clock and the only
place (with the setting's default in config) that names a time zone."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import select

from mutuo_aiuto.models import AuditEvent, Notification
from mutuo_aiuto.services import hubtime, matches, matching_runs, needs, notifications
from mutuo_aiuto.services.hubtime import HubClock
from mutuo_aiuto.services.slots import WeeklyRow
from tests.match_scenes import build_scene

PACKAGE = Path(__file__).resolve().parent.parent / "mutuo_aiuto"
# Long ago, so that a stamp equal to it cannot come from the wall clock.
THEN = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _hits(pattern: str) -> set[str]:
    found = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(pattern, line):
                found.add(f"{path.relative_to(PACKAGE.parent)}:{number}")
    return found


def _files(hits: set[str]) -> set[str]:
    return {hit.rpartition(":")[0] for hit in hits}


# ---- nothing else names a zone or reads the wall clock --------------------------------


def test_only_config_names_the_hubs_zone():
    assert _files(_hits(r"Europe/Rome")) == {"mutuo_aiuto/config.py"}


def test_only_the_clock_makes_a_zone():
    assert _files(_hits(r"ZoneInfo\(")) == {"mutuo_aiuto/services/hubtime.py"}


# Where the wall clock may still be read, and why.
WALL_CLOCK_READERS = {
    # The clock itself.
    "mutuo_aiuto/services/hubtime.py",
    # ``utcnow``: the models' column defaults ("when the row was written"); the model
    # layer cannot reach the services' clock, and nothing else calls it.
    "mutuo_aiuto/models/types.py",
    # Epoch seconds in the session cookie (idle timeout, freshness): no date, no zone.
    "mutuo_aiuto/security.py",
}


def test_only_the_clock_reads_the_wall_clock():
    readers = _hits(r"datetime\.now\(|utcnow\(\)|date\.today\(\)|time\.time\(\)")
    # The definition ``def utcnow() -> datetime`` is not a reading.
    readers -= _hits(r"def utcnow\(\)")
    assert _files(readers) <= WALL_CLOCK_READERS
    assert _files(readers) == WALL_CLOCK_READERS  # no stale exception


def test_nothing_but_the_models_calls_utcnow():
    callers = _files(_hits(r"\butcnow\b")) - {"mutuo_aiuto/models/types.py"}
    assert {path for path in callers if not path.startswith("mutuo_aiuto/models/")} == set()


# ---- the clock ------------------------------------------------------------------------


def fixed(moment: datetime) -> HubClock:
    return HubClock.named("Europe/Rome", lambda: moment)


def test_today_is_the_day_in_the_hub_not_in_utc():
    clock = fixed(datetime(2026, 11, 9, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2026, 11, 10)
    assert clock.now() == datetime(2026, 11, 9, 23, 30, tzinfo=UTC)
    assert clock.local(clock.now()).hour == 0


def test_a_naive_moment_is_read_as_utc():
    assert fixed(THEN).date_of(datetime(2026, 6, 30, 22, 30)) == date(2026, 7, 1)


def test_the_start_of_a_day_follows_daylight_saving():
    clock = fixed(THEN)
    assert clock.start_of(date(2026, 1, 15)) == datetime(2026, 1, 14, 23, 0, tzinfo=UTC)
    assert clock.start_of(date(2026, 7, 15)) == datetime(2026, 7, 14, 22, 0, tzinfo=UTC)


def test_the_app_makes_its_clock_from_the_setting(make_app):
    app = make_app(timezone="America/New_York")
    with app.app_context():
        clock = app.extensions[hubtime.EXTENSION]
        assert clock.tz.key == "America/New_York"
        assert hubtime.clock() is clock
        assert hubtime.local_date(datetime(2026, 11, 10, 3, 0, tzinfo=UTC)) == date(2026, 11, 9)


# ---- services use the ``now`` they are given ------------------------------------------


def test_a_notification_is_stamped_with_the_callers_now(session, make_user):
    note = notifications.notify(session, make_user(), "calendar_link_changed", mail=False,
                                now=THEN)
    assert note.created_at == THEN


def test_confirming_a_pairing_stamps_its_notices_and_audit_row_with_now(session):
    scene = build_scene(session)
    [proposal] = matching_runs.propose_for(session, scene.need, today=THEN.date(), now=THEN)
    matches.confirm_proposal(session, scene.facilitator, proposal, now=THEN, respond_hours=72)
    session.commit()
    assert {event.at for event in session.scalars(select(AuditEvent))} == {THEN}
    assert {note.created_at for note in session.scalars(select(Notification))} == {THEN}


def test_a_published_need_opens_at_the_callers_now(session, make_household, make_category,
                                                   make_skill):
    household = make_household()
    make_skill(slug="accompany", category=make_category(slug="school-run"))
    data = needs.NeedInput(title="School run", category="school-run", skills=["accompany"],
                           ends_on=date(2026, 5, 1),
                           weekly=[WeeklyRow([0], "07:30", "08:30")])
    need = needs.post_need(session, household, data, publish=True, today=THEN.date(), now=THEN)
    session.commit()
    assert need.opened_at == THEN
