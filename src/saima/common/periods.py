"""The period a page shows: read from `?period=`, checked, and stepped for previous/next links."""

from __future__ import annotations

from collections.abc import Callable

from django.utils import timezone
from django.utils.translation import gettext as _

from saima.common.pages import BadRequest
from saima.engine import Period, PeriodError, parse_period

#: Longer than any period name (`2026-H1`, `2026-03`); anything longer is refused unread.
MAX_LENGTH = 16

#: How many months a period of each kind moves by for the previous/next links.
STEP = {"month": 1, "quarter": 3, "half": 6, "year": 12}


class BadPeriod(BadRequest):
    """A `?period=` a page cannot show; the message is for the reader."""


def this_month() -> Period:
    today = timezone.localdate()
    return Period(today.year, today.month)


def is_future(period: Period) -> bool:
    now = this_month()
    return (period.year, period.month) > (now.year, now.month)


def requested_period(query, *, default: Callable[[], Period] = lambda: this_month()) -> Period:
    """The period named in the query string, or `default()` when none is; BadPeriod otherwise."""
    values = query.getlist("period")
    if len(values) > 1:
        raise BadPeriod(_("Give one period, not %(count)d.") % {"count": len(values)})
    raw = values[0].strip() if values else ""
    if not raw:
        return default()
    if len(raw) > MAX_LENGTH:
        raise BadPeriod(_("The period is too long to be a period."))
    try:
        period = parse_period(raw)
    except PeriodError as exc:
        raise BadPeriod(
            _("“%(value)s” is not a period: write it as 2026-06, 2026-Q2, 2026-H1 or 2026.")
            % {"value": raw}
        ) from exc
    if is_future(period):
        raise BadPeriod(
            _("%(period)s has not happened yet; there are no figures for it.")
            % {"period": period.label}
        )
    return period


def step(period: Period, months: int) -> Period | None:
    """The period `months` away of the same kind, or None when it would not exist."""
    index = period.year * 12 + period.month - 1 + months
    try:
        return Period(index // 12, index % 12 + 1, period.kind)
    except PeriodError:
        return None


def neighbours(period: Period) -> tuple[Period | None, Period | None]:
    """The previous and next period of the same kind; no next one in the future."""
    size = STEP[period.kind]
    later = step(period, size)
    return step(period, -size), (None if later is None or is_future(later) else later)
