"""API of investment: a project's annual plan and monthly split (read by its readers, set by the
office), its completed investment by month (reported by the unit's reporter or the office),
and the unit figures from projects for a period."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import ConfigDict

from saima.common.api import ERRORS, MonthName, PeriodName
from saima.engine import parse_period
from saima.org.access import access_of
from saima.projects.access import readable_project
from saima.projects.apischema import Figure, ProjectCode, Year, figure
from saima.projects.investment import selectors, services
from saima.projects.models import AnnualPlan, InvestmentActual
from saima.projects.values import amount

router = Router(tags=["projects"])


class PlanOut(Schema):
    project: str
    year: int
    amount: str | None = Field(description="万元 (10k yuan); null without a plan")
    monthly: list[str] = Field(description="Twelve monthly amounts, or none when spread evenly")


@router.get("/{code}/plans/{year}", response={200: PlanOut, **ERRORS})
def read_plan(request, code: ProjectCode, year: Year):
    project = readable_project(access_of(request), code)
    plan = AnnualPlan.objects.filter(project=project, year=year).first()
    return PlanOut(
        project=project.code,
        year=year,
        amount=figure(plan.amount) if plan else None,
        monthly=list(plan.monthly) if plan else [],
    )


class PlanIn(Schema):
    model_config = ConfigDict(extra="forbid")

    amount: Figure
    monthly: Annotated[list[Figure], Field(max_length=12)] = Field(default_factory=list)


@router.put("/{code}/plans/{year}", response={200: PlanOut, **ERRORS})
def write_plan(request, code: ProjectCode, year: Year, payload: PlanIn):
    """Set the year's plan (the office); the twelve months, if given, must sum to it."""
    access = access_of(request)
    project = readable_project(access, code)
    if payload.amount is None:
        raise ValidationError({"amount": _("Give an amount.")})
    total = amount(payload.amount, "amount")
    monthly = [amount(m, f"monthly.{n}") for n, m in enumerate(payload.monthly, start=1)]
    plan = services.plan_save(
        access=access,
        user=request.user,
        project=project,
        year=year,
        total=total,
        monthly=monthly or None,
    )
    return PlanOut(
        project=project.code, year=year, amount=figure(plan.amount), monthly=list(plan.monthly)
    )


class ActualOut(Schema):
    project: str
    period: str
    value: str = Field(description="Cumulative from January, 万元 (10k yuan)")
    note: str
    entered_by: str | None
    entered_at: datetime


def _actual_out(actual: InvestmentActual) -> ActualOut:
    return ActualOut(
        project=actual.project.code,
        period=f"{actual.year}-{actual.month:02d}",
        value=figure(actual.value),
        note=actual.note,
        entered_by=actual.entered_by.get_username() if actual.entered_by else None,
        entered_at=actual.entered_at,
    )


class ActualsQuery(Schema):
    year: Year | None = None


@router.get("/{code}/actuals", response={200: list[ActualOut], **ERRORS})
def list_actuals(request, code: ProjectCode, filters: Query[ActualsQuery]):
    """The project's completed investment by month (of one year, if asked)."""
    project = readable_project(access_of(request), code)
    found = InvestmentActual.objects.filter(project=project).select_related("project", "entered_by")
    if filters.year:
        found = found.filter(year=filters.year)
    return [_actual_out(a) for a in found.order_by("year", "month")]


class ActualIn(Schema):
    model_config = ConfigDict(extra="forbid")

    value: Figure
    note: Annotated[str, Field(max_length=200)] = ""


@router.put("/{code}/actuals/{period}", response={200: ActualOut, **ERRORS})
def write_actual(request, code: ProjectCode, period: MonthName, payload: ActualIn):
    """Report the completed investment of a month, cumulative from January (the unit's reporter
    or the office); checked like a figure (no fall within the year, no 万元/亿元 slip)."""
    access = access_of(request)
    project = readable_project(access, code)
    month = parse_period(period)
    if payload.value is None:
        raise ValidationError({"value": _("Give an amount.")})
    actual = services.actual_save(
        access=access,
        user=request.user,
        project=project,
        year=month.year,
        month=month.month,
        value=amount(payload.value, "value"),
        note=payload.note,
    )
    return _actual_out(
        InvestmentActual.objects.select_related("project", "entered_by").get(pk=actual.pk)
    )


class IndicatorQuery(Schema):
    period: PeriodName


class UnitFiguresOut(Schema):
    unit: str
    period: str
    investment: float | None = Field(
        description="万元 (10k yuan): the sum of the projects' figures"
    )
    reported: int
    started: int
    signed_to_landed: float | None
    signed_to_landed_num: int
    signed_to_landed_den: int
    landed_to_started: float | None
    landed_to_started_num: int
    landed_to_started_den: int
    started_to_in_production: float | None
    started_to_in_production_num: int
    started_to_in_production_den: int
    milestones_on_time: float | None
    milestones_done_on_time: int
    milestones_due: int


class IndicatorsOut(Schema):
    period: str
    definitions: dict[str, str]
    units: list[UnitFiguresOut]


@router.get("/indicators", response={200: IndicatorsOut, **ERRORS})
def indicators(request, filters: Query[IndicatorQuery]):
    """Each readable unit's figures from its projects at the end of the period, with the
    counts behind every rate and each figure's definition under the office's settings."""
    access = access_of(request)
    period = parse_period(filters.period)
    found = selectors.indicators(access, period)
    return IndicatorsOut(
        period=period.label,
        definitions=found["definitions"],
        units=[
            UnitFiguresOut(**{**row, "unit": row["unit"].code, "period": period.label})
            for row in found["rows"]
        ],
    )
