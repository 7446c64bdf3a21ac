"""The reporting calendar: when a month's figures open, when they are due, and today.

Default rule (when the office has set no `ReportingPeriod` row for the month): a month's cumulative
figures open on the 1st of the following month (`OPEN_DAY`) and are due on the 8th of the
following month (`DUE_DAY`); October 2026 opens on 2026-11-01 and is due on 2026-11-08. These are
constants of this module, not settings: the office changes a month's dates with a
`ReportingPeriod` row, which always wins.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from saima.common import formatting as fmt
from saima.engine import Period

#: Day of the following month on which a month's figures open.
OPEN_DAY = 1
#: Day of the following month on which a month's figures are due.
DUE_DAY = 8
#: How many days before the due date the "due soon" reminder goes out.
REMIND_DAYS_BEFORE = 3
#: How many past months the reminder run looks at (older months are the office's business).
REMIND_LOOKBACK_MONTHS = 3


@dataclass(frozen=True)
class Schedule:
    """The dates and lock of one month's figures."""

    year: int
    month: int
    opens_on: date
    due_on: date
    locked_at: datetime | None = None
    locked_by: str | None = None
    lock_reason: str = ""

    @property
    def period(self) -> Period:
        return Period(self.year, self.month)

    @property
    def locked(self) -> bool:
        return self.locked_at is not None

    def is_past_due(self, today: date) -> bool:
        return today > self.due_on


def today() -> date:
    """Today in the office's time zone (tests fix it by patching `timezone.localdate`)."""
    return timezone.localdate()


def following_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def previous_month(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def default_dates(year: int, month: int) -> tuple[date, date]:
    """Opening and due date by the default rule."""
    next_year, next_month = following_month(year, month)
    return date(next_year, next_month, OPEN_DAY), date(next_year, next_month, DUE_DAY)


def schedule(year: int, month: int) -> Schedule:
    """The month's dates and lock: the office's row if there is one, else the default rule."""
    from saima.reporting.models import ReportingPeriod

    row = ReportingPeriod.objects.select_related("locked_by").filter(year=year, month=month).first()
    if row is None:
        opens_on, due_on = default_dates(year, month)
        return Schedule(year, month, opens_on, due_on)
    return Schedule(
        year,
        month,
        row.opens_on,
        row.due_on,
        locked_at=row.locked_at,
        locked_by=fmt.person(row.locked_by) if row.locked_by else None,
        lock_reason=row.lock_reason,
    )
