"""Slot input: turn what a person typed into validated time slots.

Pure functions, no Flask request or database: the web forms and a future JSON
API both call them with plain strings and get back ``SlotValue`` tuples, or a
``SlotError`` naming the offending field (``weekly-1-end``, ``dated-0-on_date``:
the names the web form gives its rows).

Times are wall-clock ``HH:MM`` (``HH:MM:00`` is accepted too, as some
browsers send seconds). ``<input type="time">`` cannot send ``24:00``, so as an
*end* both ``24:00`` and ``00:00`` mean midnight at the end of the day (1440);
``23:59`` stays 23:59. As a *start*, ``24:00`` is refused and ``00:00`` is
the start of the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, NamedTuple, TypeGuard

from flask_babel import lazy_gettext as _l

from mutuo_aiuto.services.errors import DomainError

MINUTES_PER_DAY = 24 * 60
# How many rows of "days + from + to" (or "date + from + to") one post may have.
MAX_ROWS = 3
WEEKLY = "weekly"
DATED = "dated"

_TIME = re.compile(r"([0-9]{1,2}):([0-9]{2})(?::00)?")


class SlotError(DomainError):
    """A slot row is incomplete or invalid; ``field`` names the row's input."""


class SlotValue(NamedTuple):
    """One validated slot: weekly (``weekday``) or one-off (``on_date``), in minutes."""

    weekday: int | None
    on_date: date | None
    start_minute: int
    end_minute: int

    @property
    def day(self) -> int:
        return self.on_date.weekday() if self.on_date is not None else int(self.weekday or 0)


@dataclass(frozen=True)
class WeeklyRow:
    """What one weekly row of the form holds: ticked weekdays (0 = Monday), from, to."""

    days: Sequence[object] = field(default_factory=tuple)
    start: object = ""
    end: object = ""


@dataclass(frozen=True)
class DatedRow:
    """What one dated row holds: a date (``YYYY-MM-DD`` or a ``date``), from, to."""

    on_date: object = None
    start: object = ""
    end: object = ""


def _name(prefix: str, index: int, part: str) -> str:
    return f"{prefix}-{index}-{part}"


def is_date(value: object) -> TypeGuard[date]:
    """A calendar date, not a datetime (which cannot be compared with dates)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def parse_time(value: object, *, is_end: bool = False, field: str | None = None) -> int:
    """``"16:30"`` → 990 minutes; midnight as an end is 1440 (see the module doc)."""
    if _blank(value):
        raise SlotError(_l("Give a time."), field=field)
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise SlotError(_l("Give the time as hours and minutes, for example 16:30."),
                        field=field)
    hours, minutes = int(match.group(1)), int(match.group(2))
    if is_end and minutes == 0 and hours in (0, 24):
        return MINUTES_PER_DAY
    if hours > 23 or minutes > 59:
        raise SlotError(_l("Give the time as hours and minutes, for example 16:30."),
                        field=field)
    return hours * 60 + minutes


def parse_date(value: object, *, field: str | None = None) -> date:
    """A ``date`` or an ISO ``YYYY-MM-DD`` string, as ``<input type="date">`` sends it."""
    if is_date(value):
        return value
    if _blank(value):
        raise SlotError(_l("Give a date."), field=field)
    text = value.strip() if isinstance(value, str) else ""
    try:
        if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise SlotError(_l("Give the date as year-month-day, for example 2026-12-01."),
                        field=field) from None


def _times(row: WeeklyRow | DatedRow, prefix: str, index: int) -> tuple[int, int]:
    start = parse_time(row.start, field=_name(prefix, index, "start"))
    end = parse_time(row.end, is_end=True, field=_name(prefix, index, "end"))
    if end <= start:
        raise SlotError(_l("The end time must be after the start time."),
                        field=_name(prefix, index, "end"))
    return start, end


def _weekdays(days: object, index: int) -> list[int]:
    name = _name(WEEKLY, index, "days")
    if isinstance(days, str | bytes) or not isinstance(days, Iterable):
        raise SlotError(_l("Tick the days of the week."), field=name)
    chosen: set[int] = set()
    for day in days:
        # bool is an int in Python: True must not slip through as Tuesday.
        if isinstance(day, str) and re.fullmatch(r"[0-6]", day.strip()):
            day = int(day)
        if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
            raise SlotError(_l("Choose days of the week from the list."), field=name)
        chosen.add(day)
    return sorted(chosen)


def _row_is_blank(row: WeeklyRow | DatedRow) -> bool:
    first = row.days if isinstance(row, WeeklyRow) else row.on_date
    empty_first = not first if isinstance(row, WeeklyRow) else _blank(first)
    return empty_first and _blank(row.start) and _blank(row.end)


def _check_rows(rows: object, prefix: str, kind: type) -> list[Any]:
    if isinstance(rows, str | bytes) or not isinstance(rows, Iterable):
        raise SlotError(_l("The times could not be read."), field=prefix)
    rows = list(rows)
    if len(rows) > MAX_ROWS:
        raise SlotError(_l("Give at most %(count)d rows of times.", count=MAX_ROWS),
                        field=prefix)
    if not all(isinstance(row, kind) for row in rows):
        raise SlotError(_l("The times could not be read."), field=prefix)
    return rows


def weekly_slots(rows: Iterable[WeeklyRow]) -> list[SlotValue]:
    """Every filled weekly row as one slot per ticked day; blank rows are skipped."""
    slots: list[SlotValue] = []
    for index, row in enumerate(_check_rows(rows, WEEKLY, WeeklyRow)):
        if _row_is_blank(row):
            continue
        days = _weekdays(row.days, index)
        if not days:
            raise SlotError(_l("Tick at least one day for these times."),
                            field=_name(WEEKLY, index, "days"))
        start, end = _times(row, WEEKLY, index)
        slots.extend(SlotValue(day, None, start, end) for day in days)
    return slots


def dated_slots(rows: Iterable[DatedRow], *, today: date, ends_on: date | None,
                starts_on: date | None = None) -> list[SlotValue]:
    """Every filled dated row as one slot, on a date from today (or the start) to the end."""
    slots: list[SlotValue] = []
    for index, row in enumerate(_check_rows(rows, DATED, DatedRow)):
        if _row_is_blank(row):
            continue
        name = _name(DATED, index, "on_date")
        on_date = parse_date(row.on_date, field=name)
        if on_date < today:
            raise SlotError(_l("This date is in the past."), field=name)
        if starts_on is not None and on_date < starts_on:
            raise SlotError(_l("This date is before the start date."), field=name)
        if ends_on is not None and on_date > ends_on:
            raise SlotError(_l("This date is after the end date."), field=name)
        start, end = _times(row, DATED, index)
        slots.append(SlotValue(None, on_date, start, end))
    return slots


def overlap(a: SlotValue, b: SlotValue) -> bool:
    """Two slots of one post collide: same weekday (or same date), intervals overlap.

    Touching ends (16:00–18:00 and 18:00–19:00) do not overlap, as in the matcher.
    """
    if a.on_date is not None and b.on_date is not None:
        same_time = a.on_date == b.on_date
    else:
        same_time = a.day == b.day
    return same_time and a.start_minute < b.end_minute and b.start_minute < a.end_minute


def check_no_overlap(slots: Sequence[SlotValue], fields: Sequence[str]) -> None:
    """Refuse a slot that repeats or overlaps an earlier one (``fields[i]`` names slot i)."""
    for later in range(1, len(slots)):
        for earlier in range(later):
            if overlap(slots[earlier], slots[later]):
                raise SlotError(_l("These times overlap with other times you gave."),
                                field=fields[later])


def _row_fields(rows: Sequence[WeeklyRow | DatedRow], prefix: str) -> list[str]:
    """The field to blame for each slot, in the order ``weekly_slots``/``dated_slots`` give."""
    names: list[str] = []
    for index, row in enumerate(rows):
        if _row_is_blank(row):
            continue
        count = len(_weekdays(row.days, index)) if isinstance(row, WeeklyRow) else 1
        names.extend([_name(prefix, index, "start")] * count)
    return names


def parse_slots(weekly: Sequence[WeeklyRow] = (), dated: Sequence[DatedRow] = (), *,
                today: date, ends_on: date | None, starts_on: date | None = None,
                allow_dated: bool = True) -> list[SlotValue]:
    """All the slots of one need or offer: weekly rows OR dated rows, at least one, no overlap.

    Offers pass ``allow_dated=False``: their availability is weekly only.
    """
    weekly_values = weekly_slots(weekly)
    dated_values = dated_slots(dated, today=today, ends_on=ends_on, starts_on=starts_on)
    if dated_values and not allow_dated:
        raise SlotError(_l("Give weekly times only."), field=DATED)
    if weekly_values and dated_values:
        raise SlotError(_l("Give either weekly times or dates, not both."), field=DATED)
    if not weekly_values and not dated_values:
        message = (_l("Give at least one time: days of the week, or dates.") if allow_dated
                   else _l("Give at least one time: tick the days and give the hours."))
        raise SlotError(message, field=_name(WEEKLY, 0, "days"))
    if weekly_values:
        check_no_overlap(weekly_values, _row_fields(list(weekly), WEEKLY))
        return weekly_values
    check_no_overlap(dated_values, _row_fields(list(dated), DATED))
    return dated_values


def input_time(minutes: int) -> str:
    """Minutes as an ``<input type="time">`` value: midnight at the end of a day is 00:00."""
    minutes %= MINUTES_PER_DAY
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekly_rows(slots: Iterable[Any]) -> list[WeeklyRow]:
    """Stored weekly slots back into form rows: days sharing the same hours share a row."""
    grouped: dict[tuple[int, int], list[int]] = {}
    for slot in slots:
        weekday = getattr(slot, "weekday", None)
        if weekday is None:
            continue
        key = (slot.start_minute, slot.end_minute)
        grouped.setdefault(key, []).append(weekday)
    return [WeeklyRow(sorted(days), input_time(start), input_time(end))
            for (start, end), days in sorted(grouped.items(), key=lambda item: min(item[1]))]


def dated_rows(slots: Iterable[Any]) -> list[DatedRow]:
    """Stored dated slots back into form rows."""
    return [DatedRow(slot.on_date, input_time(slot.start_minute), input_time(slot.end_minute))
            for slot in slots if getattr(slot, "on_date", None) is not None]


def one_year_after(day: date) -> date:
    """The same day next year (28 February for 29 February)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def check_period(*, today: date, ends_on: object, starts_on: object = None) -> None:
    """The "until when" (and optional "from when") of a need or offer.

    The end date is required, not in the past and within one year; a start
    date, when given, is not after the end date (it may be in the past: an
    ongoing need keeps its start date when edited).
    """
    if ends_on is None:
        raise SlotError(_l("Give an end date: until when."), field="ends_on")
    if not is_date(ends_on):
        raise SlotError(_l("Give the date as year-month-day, for example 2026-12-01."),
                        field="ends_on")
    if ends_on < today:
        raise SlotError(_l("The end date cannot be in the past."), field="ends_on")
    if ends_on > one_year_after(today):
        raise SlotError(_l("The end date must be within one year from today."),
                        field="ends_on")
    if starts_on is None:
        return
    if not is_date(starts_on):
        raise SlotError(_l("Give the date as year-month-day, for example 2026-12-01."),
                        field="starts_on")
    if starts_on > ends_on:
        raise SlotError(_l("The start date must not be after the end date."),
                        field="starts_on")
