"""The Hub's time: which calendar day a moment falls on where the Hub is.

One place for "today in the Hub" and its time zone, so that the services,
jobs and views compute it one way (a later HubClock grows out of this
module). Pure functions: no Flask, no database.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/Rome"


def aware(moment: datetime) -> datetime:
    """A UTC-aware moment: objects not yet read back from SQLite may hold a naive UTC value."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def local_date(moment: datetime, tz: str = DEFAULT_TIMEZONE) -> date:
    """The calendar day in the Hub's time zone (a job at 00:30 in Rome is already tomorrow)."""
    return moment.astimezone(ZoneInfo(tz)).date()
