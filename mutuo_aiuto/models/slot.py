"""Time slots: a weekly interval (weekday, from, to) or, for needs, a one-off date.

Times are local wall-clock minutes in the Hub's time zone (0–1440), not UTC: a slot
is "Tuesdays 16:00–18:00" whatever the daylight-saving offset.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy.orm import Mapped, mapped_column

if TYPE_CHECKING:
    from sqlalchemy import CheckConstraint


def format_minutes(minutes: int) -> str:
    """``960`` → ``"16:00"`` (``1440`` → ``"24:00"``), the matcher's HH:MM form."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class SlotColumns:
    """Columns and helpers shared by need and offer slots."""

    id: Mapped[int] = mapped_column(primary_key=True)
    weekday: Mapped[int | None]
    start_minute: Mapped[int]
    end_minute: Mapped[int]

    @property
    def start(self) -> str:
        return format_minutes(self.start_minute)

    @property
    def end(self) -> str:
        return format_minutes(self.end_minute)

    @property
    def day(self) -> int:
        """The weekday, 0 = Monday, also for a dated slot."""
        on_date: date | None = getattr(self, "on_date", None)
        if on_date is not None:
            return on_date.weekday()
        assert self.weekday is not None
        return self.weekday


def slot_checks(prefix: str, dated: bool) -> tuple[CheckConstraint, ...]:
    """Database checks that back the slot rules."""
    from sqlalchemy import CheckConstraint

    checks = [
        CheckConstraint("start_minute >= 0 AND end_minute <= 1440", name=f"{prefix}_range"),
        CheckConstraint("start_minute < end_minute", name=f"{prefix}_order"),
        CheckConstraint("weekday IS NULL OR weekday BETWEEN 0 AND 6", name=f"{prefix}_weekday"),
    ]
    if dated:
        checks.append(CheckConstraint("(weekday IS NULL) <> (on_date IS NULL)",
                                      name=f"{prefix}_when"))
    else:
        checks.append(CheckConstraint("weekday IS NOT NULL", name=f"{prefix}_when"))
    return tuple(checks)
