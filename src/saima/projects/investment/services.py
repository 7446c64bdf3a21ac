"""Writes of investment: a project's annual plan split by month (the office), and the
completed investment a unit reports each month (its reporter or the office).

A plan's months must sum to the annual plan; a reported figure is checked as the figures are
(not negative, not falling within the year, no 万元/亿元 slip against the month before or last
year's same month) by the engine's `check_investment`, before anything is stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

import polars as pl
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from saima.common.engine_text import say
from saima.engine.projects import check_investment, plan_differences
from saima.org.access import Access, require_office
from saima.projects.access import require_reporter
from saima.projects.models import AnnualPlan, InvestmentActual, Project
from saima.projects.pipeline.services import NOTE_LENGTH, today


def check_plan(total: Decimal, monthly: Sequence[Decimal] | None, field: str = "monthly") -> None:
    """Twelve monthly amounts (or none) that sum to the annual plan."""
    if not monthly:
        return
    if len(monthly) != 12:
        raise ValidationError({field: _("Give twelve monthly amounts, or none.")})
    differences = plan_differences(
        pl.DataFrame(
            {
                "project": ["p"] * 12,
                "month": list(range(1, 13)),
                "amount": [float(m) for m in monthly],
            }
        ),
        pl.DataFrame({"project": ["p"], "annual_plan": [float(total)]}),
    )
    if differences.height:
        planned = sum(monthly, Decimal(0))
        raise ValidationError(
            {
                field: _(
                    "The months add up to %(planned)s, not the annual plan %(annual)s "
                    "(a difference of %(difference)s)."
                )
                % {
                    "planned": _plain(planned),
                    "annual": _plain(total),
                    "difference": _plain(total - planned),
                }
            }
        )


def _plain(value: Decimal) -> str:
    return "0" if value == 0 else format(value.normalize(), "f")


@transaction.atomic
def plan_save(
    *,
    access: Access,
    user,
    project: Project,
    year: int,
    total: Decimal,
    monthly: Sequence[Decimal] | None = None,
) -> AnnualPlan:
    """Set a project's annual investment plan and its monthly split (the office)."""
    require_office(access)
    return plan_write(user=user, project=project, year=year, total=total, monthly=monthly)


def plan_write(
    *, user, project: Project, year: int, total: Decimal, monthly: Sequence[Decimal] | None
) -> AnnualPlan:
    """Store a plan the caller has authorised, after checking its months."""
    if not 1990 <= year <= 2100:
        raise ValidationError({"year": _("%(year)s is not a year of plans.") % {"year": year}})
    check_plan(total, monthly)
    plan = AnnualPlan.objects.select_for_update().filter(project=project, year=year).first()
    plan = plan or AnnualPlan(project=project, year=year)
    months = [_plain(m) for m in monthly] if monthly else []
    if plan.pk and plan.amount == total and plan.monthly == months:
        return plan
    plan.amount, plan.monthly, plan.updated_by = total, months, user
    plan._history_user = user
    plan.full_clean(validate_unique=False, validate_constraints=False)
    plan.save()
    return plan


@transaction.atomic
def actual_save(
    *,
    access: Access,
    user,
    project: Project,
    year: int,
    month: int,
    value: Decimal,
    note: str = "",
) -> InvestmentActual:
    """Store a project's completed investment for a month, cumulative from January."""
    require_reporter(access, project)
    now = today()
    if not (1 <= month <= 12 and 1990 <= year <= 2100):
        raise ValidationError(
            {"month": _("%(year)s-%(month)s is not a month.") % {"year": year, "month": month}}
        )
    if (year, month) > (now.year, now.month):
        raise ValidationError(
            {
                "month": _("%(year)s-%(month)02d has not begun; report it once it has.")
                % {"year": year, "month": month}
            }
        )
    note = (note or "").strip()
    if len(note) > NOTE_LENGTH:
        raise ValidationError({"note": _("Keep the note to %(n)s characters.") % {"n": 200}})
    stored = list(
        InvestmentActual.objects.select_for_update()
        .filter(project=project, year__in=(year - 1, year))
        .exclude(year=year, month=month)
        .values_list("year", "month", "value")
    )
    findings = check_investment(
        pl.DataFrame(
            {"project": [project.code], "year": [year], "month": [month], "value": [float(value)]}
        ),
        pl.DataFrame(
            {
                "project": [project.code] * len(stored),
                "year": [y for y, _m, _v in stored],
                "month": [m for _y, m, _v in stored],
                "value": [float(v) for _y, _m, v in stored],
            },
            schema={"project": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64},
        ),
    )
    later = [(y, m, v) for y, m, v in stored if y == year and m > month and v < value]
    problems = [
        say(message) for message in findings.filter(pl.col("severity") == "error")["message"]
    ]
    problems += [
        _(
            "%(year)s-%(month)02d is %(later)s, less than this figure; a cumulative figure cannot "
            "fall."
        )
        % {"year": y, "month": m, "later": _plain(v)}
        for y, m, v in later
    ]
    if problems:
        raise ValidationError({"value": problems})
    actual = InvestmentActual.objects.filter(project=project, year=year, month=month).first()
    actual = actual or InvestmentActual(project=project, year=year, month=month)
    actual.value, actual.note, actual.entered_by = value, note, user
    actual._history_user = user
    actual.full_clean(validate_unique=False, validate_constraints=False)
    actual.save()
    return actual
