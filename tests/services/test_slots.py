"""The slot parser: rows of form input into validated slots, or a message on the right field."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mutuo_aiuto.services.slots import (
    DatedRow,
    SlotError,
    SlotValue,
    WeeklyRow,
    check_period,
    dated_rows,
    input_time,
    one_year_after,
    parse_date,
    parse_slots,
    parse_time,
    weekly_rows,
)

TODAY = date(2026, 11, 16)  # a Monday
END = TODAY + timedelta(days=90)


def parse(weekly=(), dated=(), **kwargs):
    kwargs = {"today": TODAY, "ends_on": END} | kwargs
    return parse_slots(weekly, dated, **kwargs)


def field_of(call, *args, **kwargs) -> str | None:
    with pytest.raises(SlotError) as caught:
        call(*args, **kwargs)
    return caught.value.field


# -- times ------------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "minutes"), [
    ("00:00", 0), ("07:30", 450), ("7:30", 450), ("16:00", 960), ("23:59", 1439),
    (" 08:15 ", 495), ("08:15:00", 495),
])
def test_parse_time_reads_hours_and_minutes(text, minutes):
    assert parse_time(text) == minutes


@pytest.mark.parametrize("text", ["24:00", "00:00"])
def test_midnight_as_an_end_is_the_end_of_the_day(text):
    assert parse_time(text, is_end=True) == 1440


def test_midnight_as_a_start_is_the_start_of_the_day():
    assert parse_time("00:00") == 0
    with pytest.raises(SlotError):
        parse_time("24:00")


@pytest.mark.parametrize("text", ["", "  ", None, "25:00", "12:60", "1230", "12.30", "noon",
                                  "12:3", "-1:00", "٠٨:٣٠", "12:30:15", "24:30", 1230])
def test_parse_time_refuses_what_is_not_a_time(text):
    assert field_of(parse_time, text, is_end=True, field="weekly-0-end") == "weekly-0-end"


def test_input_time_shows_end_of_day_as_midnight():
    assert input_time(1440) == "00:00"
    assert input_time(990) == "16:30"


# -- dates ------------------------------------------------------------------------------

def test_parse_date_reads_iso_dates_and_dates():
    assert parse_date("2026-12-01") == date(2026, 12, 1)
    assert parse_date(date(2026, 12, 1)) == date(2026, 12, 1)


@pytest.mark.parametrize("value", ["", "01/12/2026", "2026-02-30", "2026-1-1", "tomorrow", 20261201,
                                   datetime(2026, 12, 1, 10, 0)])
def test_parse_date_refuses_what_is_not_a_date(value):
    assert field_of(parse_date, value, field="dated-0-on_date") == "dated-0-on_date"


# -- weekly rows ------------------------------------------------------------------------

def test_weekly_rows_give_one_slot_per_ticked_day():
    slots = parse([WeeklyRow([0, 2], "07:30", "08:30"), WeeklyRow([4], "16:00", "18:00")])
    assert slots == [SlotValue(0, None, 450, 510), SlotValue(2, None, 450, 510),
                     SlotValue(4, None, 960, 1080)]


def test_blank_rows_are_skipped_and_days_may_come_as_text():
    slots = parse([WeeklyRow([], "", ""), WeeklyRow(["1", "1"], "16:00", "00:00"),
                   WeeklyRow()])
    assert slots == [SlotValue(1, None, 960, 1440)]


def test_a_row_with_times_but_no_day_is_refused_on_its_days():
    assert field_of(parse, [WeeklyRow([], "16:00", "18:00")]) == "weekly-0-days"


def test_a_row_with_days_but_no_time_is_refused_on_its_start():
    assert field_of(parse, [WeeklyRow([1], "", "18:00")]) == "weekly-0-start"


def test_the_end_must_be_after_the_start():
    assert field_of(parse, [WeeklyRow([1], "18:00", "18:00")]) == "weekly-0-end"
    assert field_of(parse, [WeeklyRow([1], "18:00", "16:00")]) == "weekly-0-end"


@pytest.mark.parametrize("days", [[7], [-1], ["mon"], [True], [None], [1.5], "1", 3])
def test_weekdays_must_come_from_the_list(days):
    assert field_of(parse, [WeeklyRow(days, "16:00", "18:00")]) == "weekly-0-days"


def test_at_least_one_slot_is_required():
    assert field_of(parse, [WeeklyRow()], [DatedRow()]) == "weekly-0-days"


def test_overlapping_rows_are_refused_on_the_later_row():
    rows = [WeeklyRow([1], "16:00", "18:00"), WeeklyRow([3], "09:00", "10:00"),
            WeeklyRow([1, 2], "17:00", "19:00")]
    assert field_of(parse, rows) == "weekly-2-start"


def test_a_repeated_slot_is_refused():
    rows = [WeeklyRow([1], "16:00", "18:00"), WeeklyRow([1], "16:00", "18:00")]
    assert field_of(parse, rows) == "weekly-1-start"


def test_touching_slots_do_not_overlap():
    rows = [WeeklyRow([1], "16:00", "18:00"), WeeklyRow([1], "18:00", "19:00")]
    assert len(parse(rows)) == 2


def test_more_rows_than_the_form_has_are_refused():
    rows = [WeeklyRow([day], "10:00", "11:00") for day in range(4)]
    assert field_of(parse, rows) == "weekly"


# -- dated rows -------------------------------------------------------------------------

def test_dated_rows_give_one_slot_each():
    slots = parse(dated=[DatedRow("2026-12-01", "18:00", "19:00"), DatedRow(None, "", "")])
    assert slots == [SlotValue(None, date(2026, 12, 1), 1080, 1140)]
    assert slots[0].day == 1  # a Tuesday


def test_a_date_may_be_today_but_not_in_the_past():
    assert parse(dated=[DatedRow(TODAY, "18:00", "19:00")])
    past = [DatedRow(TODAY - timedelta(days=1), "18:00", "19:00")]
    assert field_of(parse, dated=past) == "dated-0-on_date"


def test_a_date_after_the_end_date_is_refused():
    later = [DatedRow(END + timedelta(days=1), "18:00", "19:00")]
    assert field_of(parse, dated=later) == "dated-0-on_date"


def test_a_date_before_the_start_date_is_refused():
    rows = [DatedRow(TODAY + timedelta(days=1), "18:00", "19:00")]
    assert field_of(parse, dated=rows, starts_on=TODAY + timedelta(days=2)) == "dated-0-on_date"


def test_the_same_date_twice_overlapping_is_refused_but_other_dates_are_not():
    same = [DatedRow("2026-12-01", "18:00", "19:00"), DatedRow("2026-12-01", "18:30", "20:00")]
    assert field_of(parse, dated=same) == "dated-1-start"
    other = [DatedRow("2026-12-01", "18:00", "19:00"), DatedRow("2026-12-08", "18:00", "19:00")]
    assert len(parse(dated=other)) == 2


def test_weekly_times_and_dates_together_are_refused():
    both = {"weekly": [WeeklyRow([1], "16:00", "18:00")],
            "dated": [DatedRow("2026-12-01", "18:00", "19:00")]}
    assert field_of(parse, **both) == "dated"


def test_offers_take_no_dates():
    dated = [DatedRow("2026-12-01", "18:00", "19:00")]
    assert field_of(parse, dated=dated, allow_dated=False) == "dated"


# -- the period -------------------------------------------------------------------------

def test_the_end_date_is_required_not_past_and_within_a_year():
    assert field_of(check_period, today=TODAY, ends_on=None) == "ends_on"
    assert field_of(check_period, today=TODAY, ends_on=TODAY - timedelta(days=1)) == "ends_on"
    assert field_of(check_period, today=TODAY,
                    ends_on=one_year_after(TODAY) + timedelta(days=1)) == "ends_on"
    check_period(today=TODAY, ends_on=TODAY)
    check_period(today=TODAY, ends_on=one_year_after(TODAY))


def test_the_start_date_may_be_past_but_not_after_the_end():
    check_period(today=TODAY, ends_on=END, starts_on=TODAY - timedelta(days=30))
    assert field_of(check_period, today=TODAY, ends_on=END,
                    starts_on=END + timedelta(days=1)) == "starts_on"


def test_one_year_after_a_leap_day():
    assert one_year_after(date(2028, 2, 29)) == date(2029, 2, 28)


# -- back into form rows ----------------------------------------------------------------

def test_stored_slots_go_back_into_rows_grouped_by_hours():
    slots = [SlotValue(0, None, 450, 510), SlotValue(2, None, 450, 510),
             SlotValue(4, None, 960, 1440)]
    assert weekly_rows(slots) == [WeeklyRow([0, 2], "07:30", "08:30"),
                                  WeeklyRow([4], "16:00", "00:00")]
    # …and parse back to the same slots.
    assert parse(weekly_rows(slots)) == slots


def test_dated_slots_go_back_into_rows():
    slots = [SlotValue(None, date(2026, 12, 1), 1080, 1140)]
    assert dated_rows(slots) == [DatedRow(date(2026, 12, 1), "18:00", "19:00")]
    assert parse(dated=dated_rows(slots)) == slots


# -- hostile input ----------------------------------------------------------------------

anything = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=12),
                     st.dates(), st.lists(st.integers(-2, 9), max_size=3))
time_text = st.one_of(
    st.text(max_size=10),
    st.from_regex(r"[0-9]{1,2}:[0-9]{2}(:00)?", fullmatch=True),
    st.builds(lambda h, m: f"{h:02d}:{m:02d}", st.integers(0, 25), st.integers(0, 61)),
)
day_lists = st.one_of(st.lists(st.one_of(st.integers(-1, 8), st.text(max_size=2), anything),
                               max_size=8), anything)
weekly_input = st.lists(st.builds(WeeklyRow, day_lists, time_text, time_text), max_size=4)
dated_input = st.lists(st.builds(DatedRow, st.one_of(st.dates(), st.text(max_size=12), anything),
                                 time_text, time_text), max_size=4)


@settings(max_examples=400, deadline=None)
@given(weekly=st.one_of(weekly_input, anything), dated=st.one_of(dated_input, anything),
       allow_dated=st.booleans())
def test_hostile_input_gives_slots_or_a_slot_error_never_a_crash(weekly, dated, allow_dated):
    try:
        slots = parse(weekly, dated, allow_dated=allow_dated)
    except SlotError as error:
        assert error.field
        assert str(error.message)
        return
    # Whatever is accepted keeps the rules the database and the matcher rely on.
    assert slots
    assert all((s.weekday is None) != (s.on_date is None) for s in slots)
    for slot in slots:
        assert 0 <= slot.start_minute < slot.end_minute <= 1440
        if slot.on_date is not None:
            assert TODAY <= slot.on_date <= END


@settings(max_examples=300, deadline=None)
@given(st.one_of(time_text, anything), st.booleans())
def test_parse_time_gives_minutes_in_the_day_or_a_slot_error(value, is_end):
    try:
        minutes = parse_time(value, is_end=is_end, field="f")
    except SlotError as error:
        assert error.field == "f"
        return
    assert 0 <= minutes <= (1440 if is_end else 1439)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.frozensets(st.integers(0, 6), min_size=1),
                          st.integers(0, 1439), st.integers(1, 1440)), max_size=3))
def test_rows_that_parse_round_trip_through_the_form(rows):
    weekly = [WeeklyRow(sorted(days), input_time(start), input_time(end) if end < 1440 else "24:00")
              for days, start, end in rows]
    try:
        slots = parse(weekly)
    except SlotError:
        return
    assert sorted(parse(weekly_rows(slots))) == sorted(slots)
