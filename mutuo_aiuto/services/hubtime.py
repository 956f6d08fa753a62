"""The Hub's clock: what time it is, and which calendar day a moment falls on where the Hub is.

One ``HubClock``, made from ``Settings.timezone`` by ``create_app`` (and by
the jobs and commands through it), is the only place that reads the wall
clock or names a time zone: services take ``now`` / ``today`` from it, views
reach it through ``web.helpers.hub_clock``. Pure Python: no Flask, no database.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from mutuo_aiuto.config import Settings

# Where ``create_app`` keeps the app's clock (a test may put a fixed one there).
EXTENSION = "mutuo_aiuto.clock"
# The zone a clock has before the app sets one: the default of the setting, written once there.
DEFAULT_TIMEZONE: str = Settings.timezone


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def aware(moment: datetime) -> datetime:
    """A UTC-aware moment: objects not yet read back from SQLite may hold a naive UTC value."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass(frozen=True)
class HubClock:
    """The Hub's time zone and the wall clock read in it.

    ``wall`` answers the current UTC moment; tests give a fixed one.
    """

    tz: ZoneInfo
    wall: Callable[[], datetime] = field(default=_wall_clock, compare=False, repr=False)

    @classmethod
    def named(cls, zone: str, wall: Callable[[], datetime] | None = None) -> HubClock:
        return cls(ZoneInfo(zone), wall or _wall_clock)

    @classmethod
    def from_settings(cls, settings: Settings) -> HubClock:
        return cls.named(settings.timezone)

    def now(self) -> datetime:
        """The current moment, UTC-aware (what services store)."""
        return aware(self.wall())

    def today(self) -> date:
        """Today's date in the Hub (at 00:30 in Rome it is already tomorrow)."""
        return self.date_of(self.now())

    def local(self, moment: datetime) -> datetime:
        """``moment`` on the Hub's wall clock."""
        return aware(moment).astimezone(self.tz)

    def date_of(self, moment: datetime) -> date:
        """The calendar day ``moment`` falls on in the Hub."""
        return self.local(moment).date()

    def start_of(self, day: date) -> datetime:
        """Midnight of ``day`` in the Hub, as a UTC moment (the start of a day's range)."""
        return datetime.combine(day, time(0), tzinfo=self.tz).astimezone(UTC)


_clock = HubClock.named(DEFAULT_TIMEZONE)


def install(clock: HubClock) -> None:
    """Make ``clock`` the Hub's clock (``create_app`` does, from the settings)."""
    global _clock
    _clock = clock


def clock(tz: str | None = None) -> HubClock:
    """The clock ``create_app`` installed, or one in zone ``tz`` when a caller names its own."""
    if tz is None or tz == _clock.tz.key:
        return _clock
    return HubClock.named(tz, _clock.wall)


def local_date(moment: datetime, tz: str | None = None) -> date:
    """The calendar day of ``moment`` in the Hub's time zone (or in ``tz``)."""
    return clock(tz).date_of(moment)
