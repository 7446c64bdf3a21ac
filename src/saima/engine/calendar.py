"""Dates for projects and supervision: ISO weeks, feedback cycles and working days.

Cumulative statistics live in `periods` (`2026-03` is January to March). Projects and supervision
items move by the calendar instead: weekly scheduling (周调度) by ISO week (`2026-W14`, Monday to
Sunday), feedback by week, ten-day period (旬: the 1st–10th, 11th–20th, 21st–end of month) or
month, and acknowledgement deadlines by working days, which depend on the holidays and make-up
working days (调休) the state council publishes each year: they are passed in, never looked up.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal, get_args

import polars as pl

from saima.engine.errors import DataError
from saima.engine.periods import Period, PeriodError
from saima.engine.text import _

#: How often a supervision item reports progress: ISO week, ten-day period (旬) or month.
Rhythm = Literal["weekly", "dekad", "monthly"]
RHYTHMS: tuple[str, ...] = get_args(Rhythm)

_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$")
_SATURDAY = 5


def period_end(period: Period) -> date:
    """The last day a cumulative period covers (`2026-Q1` ends on 31 March 2026)."""
    return month_end(period.year, period.month)


def month_end(year: int, month: int) -> date:
    return date(year, month, _stdlib_calendar.monthrange(year, month)[1])


# --- ISO weeks -----------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Week:
    """An ISO week, Monday to Sunday; week 1 is the week holding the year's first Thursday."""

    year: int
    week: int

    def __post_init__(self) -> None:
        try:
            date.fromisocalendar(self.year, self.week, 1)
        except ValueError:
            raise PeriodError(
                _(
                    "week %(week)s of %(year)s does not exist (ISO years have 52 or 53 weeks)",
                    week=self.week,
                    year=self.year,
                )
            ) from None

    @classmethod
    def of(cls, day: date) -> Week:
        """The ISO week `day` falls in (1 January 2027 is in `2026-W53`)."""
        year, week, _weekday = day.isocalendar()
        return cls(year, week)

    @property
    def label(self) -> str:
        """`2026-W14`."""
        return f"{self.year}-W{self.week:02d}"

    @property
    def monday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 1)

    @property
    def sunday(self) -> date:
        return date.fromisocalendar(self.year, self.week, 7)

    def days(self) -> tuple[date, ...]:
        """The seven days, Monday first."""
        return tuple(self.monday + timedelta(days=n) for n in range(7))

    def __str__(self) -> str:
        return self.label


def parse_week(text: object) -> Week:
    """Read `2026-W14` (also `2026W14`, `2026-w5`); raise PeriodError saying what is wrong."""
    raw = str(text).strip() if text is not None else ""
    match = _WEEK.match(raw.upper())
    if not match:
        raise PeriodError(
            _("%(week)s is not a week; write it as 2026-W14 (an ISO week)", week=repr(raw))
        )
    return Week(int(match[1]), int(match[2]))


def week_of(day: date) -> Week:
    """The ISO week of a date."""
    return Week.of(day)


# --- feedback cycles -----------------------------------------------------------------------------


def cycle_of(rhythm: Rhythm, day: date) -> tuple[date, date]:
    """The first and last day of the feedback cycle holding `day`.

    weekly: the ISO week (Monday–Sunday); dekad: the 1st–10th, 11th–20th or 21st–last day of the
    month; monthly: the calendar month.
    """
    _check_rhythm(rhythm)
    if rhythm == "weekly":
        monday = day - timedelta(days=day.weekday())
        return monday, monday + timedelta(days=6)
    if rhythm == "monthly":
        return day.replace(day=1), month_end(day.year, day.month)
    if day.day <= 10:
        return day.replace(day=1), day.replace(day=10)
    if day.day <= 20:
        return day.replace(day=11), day.replace(day=20)
    return day.replace(day=21), month_end(day.year, day.month)


def cycles_between(rhythm: Rhythm, first: date, last: date) -> list[tuple[date, date]]:
    """The cycles that start on or after `first` and end on or before `last`, in order."""
    found = []
    start, end = cycle_of(rhythm, first)
    if start < first:
        start, end = cycle_of(rhythm, end + timedelta(days=1))
    while end <= last:
        found.append((start, end))
        start, end = cycle_of(rhythm, end + timedelta(days=1))
    return found


def _check_rhythm(rhythm: str) -> None:
    if rhythm not in RHYTHMS:
        raise DataError(
            _(
                "%(rhythm)s is not a feedback rhythm; use one of %(rhythms)s",
                rhythm=repr(rhythm),
                rhythms=", ".join(RHYTHMS),
            )
        )


def cycle_start_expr(rhythm: Rhythm, day: pl.Expr) -> pl.Expr:
    """The first day of the cycle holding each date, as a Polars expression."""
    _check_rhythm(rhythm)
    if rhythm == "weekly":
        return day.dt.truncate("1w")
    first = day.dt.truncate("1mo")
    if rhythm == "monthly":
        return first
    offset = pl.when(day.dt.day() <= 10).then(0).when(day.dt.day() <= 20).then(10).otherwise(20)
    return first + pl.duration(days=offset)


def cycle_end_expr(rhythm: Rhythm, start: pl.Expr) -> pl.Expr:
    """The last day of the cycle starting on each date (a cycle start), as a Polars expression."""
    _check_rhythm(rhythm)
    if rhythm == "weekly":
        return start + pl.duration(days=6)
    if rhythm == "monthly":
        return start.dt.month_end()
    return (
        pl.when(start.dt.day() == 21)
        .then(start.dt.month_end())
        .otherwise(start + pl.duration(days=9))
    )


def next_cycle_expr(rhythm: Rhythm, start: pl.Expr) -> pl.Expr:
    """The start of the cycle after the one starting on each date."""
    return cycle_end_expr(rhythm, start) + pl.duration(days=1)


# --- working days --------------------------------------------------------------------------------


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: Monday to Friday, less `holidays`, plus `workdays`.

    `workdays` are the weekend days made working days to bridge a holiday (调休); both sets are
    the year's official arrangement, passed in by the platform.
    """

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        object.__setattr__(self, "holidays", frozenset(self.holidays))
        object.__setattr__(self, "workdays", frozenset(self.workdays))
        both = sorted(self.holidays & self.workdays)
        weekdays = sorted(d for d in self.workdays if d.weekday() < _SATURDAY)
        details = [
            _("%(day)s is both a holiday and a make-up working day", day=d.isoformat())
            for d in both
        ] + [
            _(
                "%(day)s is a weekday: a make-up working day (调休) is a Saturday or a Sunday",
                day=d.isoformat(),
            )
            for d in weekdays
        ]
        if details:
            raise DataError(_("the working-day calendar cannot be used"), details=details)

    @classmethod
    def of(cls, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> WorkCalendar:
        return cls(frozenset(holidays), frozenset(workdays))

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < _SATURDAY and day not in self.holidays

    def add_working_days(self, day: date, count: int) -> date:
        """The `count`-th working day after `day` (`day` itself not counted); `day` for 0.

        One working day after a Friday is the Monday, unless the Monday is a holiday.
        """
        if count < 0:
            raise DataError(
                _("a number of working days cannot be negative: %(count)s", count=count)
            )
        current = day
        while count:
            current += timedelta(days=1)
            count -= self.is_working_day(current)
        return current

    def working_days_after(self, days: pl.Series, counts: pl.Series | int) -> pl.Series:
        """`add_working_days` for a column of dates (nulls stay null), in one pass.

        The days from the earliest date on are numbered by how many working days they close;
        the answer for a date is the working day whose number is the date's plus `count`.
        """
        days = days.cast(pl.Date)
        counts = (
            pl.Series([counts] * days.len(), dtype=pl.Int64)
            if isinstance(counts, int)
            else counts.cast(pl.Int64)
        )
        if (counts < 0).any():
            raise DataError(_("a number of working days cannot be negative"))
        present = days.drop_nulls()
        if present.is_empty():
            return pl.Series(days.name, [None] * days.len(), dtype=pl.Date)
        first = present.min()
        offset = (days - first).dt.total_days()
        span = int(offset.max()) + (int(counts.max() or 0) // 5 + 2) * 7 + 2 * len(self.holidays)
        while True:
            calendar = self._numbered(first, span)
            # The answer's place among the working days: the date's number plus count, less one.
            position = calendar["number"].gather(offset.fill_null(0)) + counts - 1
            if int(position.max()) < int(calendar["number"][-1]):
                break
            span *= 2  # a long run of holidays: look further
        working = calendar.filter(pl.col("working"))["day"]
        shifted = working.gather(position.clip(lower_bound=0))
        frame = pl.DataFrame({"day": days, "count": counts, "shifted": shifted})
        return frame.select(
            pl.when(pl.col("day").is_null())
            .then(None)
            .when(pl.col("count") == 0)
            .then(pl.col("day"))
            .otherwise(pl.col("shifted"))
            .alias(days.name)
        ).to_series()

    def _numbered(self, first: date, span: int) -> pl.DataFrame:
        """Each day from `first` for `span` days, whether it is worked, and how many working days
        end on or before it."""
        days = [first + timedelta(days=n) for n in range(span + 1)]
        working = [self.is_working_day(d) for d in days]
        return pl.DataFrame(
            {"day": days, "working": working}, schema={"day": pl.Date, "working": pl.Boolean}
        ).with_columns(number=pl.col("working").cast(pl.Int64).cum_sum())
