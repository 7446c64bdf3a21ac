"""Pages of investment and of the unit figures from projects, for a period: each unit's
investment against the sum of its projects' plans (and, for one unit, project by project), and
the indicators the race can score, with each rate's definition beside it."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_safe

from saima.common.pages import page
from saima.common.periods import requested_period
from saima.engine import Period
from saima.org.access import access_of
from saima.projects.investment import selectors
from saima.projects.pipeline.services import today


def _last_month() -> Period:
    now = today()
    return Period(now.year - 1, 12) if now.month == 1 else Period(now.year, now.month - 1)


def _choices() -> list[Period]:
    """The months of this year and last year up to last month, latest first."""
    last = _last_month()
    found = []
    for year in (last.year, last.year - 1):
        for month in range(12, 0, -1):
            if (year, month) <= (last.year, last.month):
                found.append(Period(year, month))
    return found


@page
@require_safe
def units_page(request):
    access = access_of(request)
    period = requested_period(request.GET, default=_last_month)
    code = (request.GET.get("unit") or "").strip()
    unit = access.units().filter(code=code).first() if code else None
    return render(
        request,
        "projects/investment.html",
        {
            "period": period,
            "choices": _choices(),
            "rows": selectors.by_unit(access, period),
            "unit": unit,
            "projects": selectors.by_project(access, period, unit) if unit else [],
        },
    )


@page
@require_safe
def indicators_page(request):
    access = access_of(request)
    period = requested_period(request.GET, default=_last_month)
    return render(
        request,
        "projects/indicators.html",
        {"period": period, "choices": _choices(), **selectors.indicators(access, period)},
    )
