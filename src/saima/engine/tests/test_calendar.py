"""ISO weeks, feedback cycles and working days."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from saima.engine import DataError, PeriodError, parse_period
from saima.engine.calendar import (
    Week,
    WorkCalendar,
    cycle_end_expr,
    cycle_of,
    cycle_start_expr,
    cycles_between,
    parse_week,
    period_end,
    week_of,
)
from saima.testing import examples

# A holiday arrangement shaped like a Spring Festival: nine days off, Saturdays before and after
# worked to bridge them (调休).
FESTIVAL = WorkCalendar.of(
    holidays=[date(2026, 2, 15) + timedelta(days=n) for n in range(9)],
    workdays=[date(2026, 2, 14), date(2026, 2, 28)],
)


def test_a_week_is_named_and_spans_monday_to_sunday():
    week = parse_week("2026-W14")
    assert week == Week(2026, 14)
    assert week.label == str(week) == "2026-W14"
    assert (week.monday, week.sunday) == (date(2026, 3, 30), date(2026, 4, 5))
    assert week.days()[0].weekday() == 0 and len(week.days()) == 7
    assert parse_week(" 2026w5 ") == Week(2026, 5)
    assert parse_week("2026-w05").label == "2026-W05"


def test_the_week_of_a_date_follows_iso_years():
    assert week_of(date(2026, 4, 1)) == Week(2026, 14)
    assert week_of(date(2025, 12, 29)) == Week(2026, 1)  # the week of 1 January 2026, a Thursday
    assert week_of(date(2027, 1, 1)) == Week(2026, 53)  # 2026 has 53 weeks
    assert week_of(date(2027, 1, 4)) == Week(2027, 1)
    assert Week(2026, 1).monday == date(2025, 12, 29)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("2025-W53", "week 53 of 2025 does not exist"),
        ("2026-W00", "week 0 of 2026 does not exist"),
        ("2026-14", "is not a week"),
        ("", "is not a week"),
    ],
)
def test_a_week_that_does_not_exist_is_refused_with_a_reason(text, message):
    with pytest.raises(PeriodError, match=message):
        parse_week(text)


@pytest.mark.parametrize(
    ("rhythm", "day", "cycle"),
    [
        ("weekly", date(2026, 4, 1), (date(2026, 3, 30), date(2026, 4, 5))),
        ("dekad", date(2026, 2, 10), (date(2026, 2, 1), date(2026, 2, 10))),
        ("dekad", date(2026, 2, 11), (date(2026, 2, 11), date(2026, 2, 20))),
        ("dekad", date(2026, 2, 21), (date(2026, 2, 21), date(2026, 2, 28))),
        ("dekad", date(2028, 2, 29), (date(2028, 2, 21), date(2028, 2, 29))),
        ("dekad", date(2026, 3, 31), (date(2026, 3, 21), date(2026, 3, 31))),
        ("monthly", date(2026, 4, 17), (date(2026, 4, 1), date(2026, 4, 30))),
    ],
)
def test_feedback_cycles(rhythm, day, cycle):
    assert cycle_of(rhythm, day) == cycle
    frame = pl.DataFrame({"day": [day]})
    start = frame.select(cycle_start_expr(rhythm, pl.col("day"))).item()
    end = frame.select(cycle_end_expr(rhythm, pl.lit(start))).item()
    assert (start, end) == cycle


def test_cycles_between_take_only_whole_cycles():
    assert cycles_between("dekad", date(2026, 3, 2), date(2026, 4, 15)) == [
        (date(2026, 3, 11), date(2026, 3, 20)),
        (date(2026, 3, 21), date(2026, 3, 31)),
        (date(2026, 4, 1), date(2026, 4, 10)),
    ]
    assert cycles_between("monthly", date(2026, 1, 1), date(2026, 2, 27)) == [
        (date(2026, 1, 1), date(2026, 1, 31))
    ]
    with pytest.raises(DataError, match="'daily' is not a feedback rhythm"):
        cycle_of("daily", date(2026, 1, 1))  # type: ignore[arg-type]


def test_period_end():
    assert period_end(parse_period("2026-Q1")) == date(2026, 3, 31)
    assert period_end(parse_period("2028-02")) == date(2028, 2, 29)
    assert period_end(parse_period("2026")) == date(2026, 12, 31)


def test_working_days_skip_weekends_and_holidays_and_count_make_up_days():
    plain = WorkCalendar()
    friday = date(2026, 3, 6)
    assert plain.add_working_days(friday, 1) == date(2026, 3, 9)  # the Monday
    assert plain.add_working_days(friday, 0) == friday
    assert plain.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)  # from a Saturday
    # Thursday 12 February: Friday the 13th, then Saturday the 14th is worked, then nine days off.
    assert FESTIVAL.add_working_days(date(2026, 2, 12), 1) == date(2026, 2, 13)
    assert FESTIVAL.add_working_days(date(2026, 2, 12), 2) == date(2026, 2, 14)
    assert FESTIVAL.add_working_days(date(2026, 2, 12), 3) == date(2026, 2, 24)
    assert FESTIVAL.is_working_day(date(2026, 2, 28))
    assert not FESTIVAL.is_working_day(date(2026, 2, 16))
    with pytest.raises(DataError, match="cannot be negative"):
        plain.add_working_days(friday, -1)


def test_a_calendar_that_contradicts_itself_is_refused():
    with pytest.raises(DataError) as refused:
        WorkCalendar.of(
            holidays=[date(2026, 2, 14)], workdays=[date(2026, 2, 14), date(2026, 2, 16)]
        )
    assert [str(d) for d in refused.value.details] == [
        "2026-02-14 is both a holiday and a make-up working day",
        "2026-02-16 is a weekday: a make-up working day (调休) is a Saturday or a Sunday",
    ]


def test_working_days_of_a_column_with_nulls():
    days = pl.Series("d", [date(2026, 2, 12), None, date(2026, 2, 12)])
    shifted = FESTIVAL.working_days_after(days, pl.Series([3, 2, 0]))
    assert shifted.to_list() == [date(2026, 2, 24), None, date(2026, 2, 12)]
    assert shifted.name == "d"
    assert WorkCalendar().working_days_after(pl.Series([None], dtype=pl.Date), 1).to_list() == [
        None
    ]


days = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 3, 31))


@settings(max_examples=examples(60), deadline=None)
@given(
    st.lists(st.tuples(days, st.integers(0, 40)), min_size=1, max_size=20),
    st.sets(days, max_size=30),
    st.sets(days.filter(lambda d: d.weekday() >= 5), max_size=5),
)
def test_a_column_of_dates_shifts_as_each_date_does(rows, holidays, workdays):
    calendar = WorkCalendar.of(holidays=holidays - workdays, workdays=workdays)
    starts = pl.Series([d for d, _n in rows], dtype=pl.Date)
    counts = pl.Series([n for _d, n in rows])
    expected = [calendar.add_working_days(d, n) for d, n in rows]
    assert calendar.working_days_after(starts, counts).to_list() == expected
    for (start, count), found in zip(rows, expected, strict=True):
        between = [start + timedelta(days=k) for k in range(1, (found - start).days + 1)]
        assert sum(calendar.is_working_day(d) for d in between) == count
        assert count == 0 or calendar.is_working_day(found)
