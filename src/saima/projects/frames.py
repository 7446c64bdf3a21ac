"""Reads that build the engine's frames from the records of projects.

Each function takes a queryset of projects (already scoped to what the reader may see) and
queries the related records through it as a subquery, so a province's three thousand projects
never travel as a list of ids.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import polars as pl
from django.db.models import QuerySet

from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    StageChange,
)


def _floats(values: Iterable[Decimal | None]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _columns(rows: list[tuple], width: int) -> list[list]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def project_frame(projects: QuerySet[Project], year: int) -> pl.DataFrame:
    """`project`, `unit`, `annual_plan` (the year's plan in 万元; null without one), in the
    queryset's order."""
    plans = dict(
        AnnualPlan.objects.filter(project__in=projects, year=year).values_list(
            "project_id", "amount"
        )
    )
    rows = list(projects.values_list("pk", "code", "unit__code"))
    pks, codes, units = _columns(rows, 3)
    return pl.DataFrame(
        {"project": codes, "unit": units, "annual_plan": _floats(plans.get(pk) for pk in pks)},
        schema={"project": pl.String, "unit": pl.String, "annual_plan": pl.Float64},
    )


def plan_frame(projects: QuerySet[Project], year: int) -> pl.DataFrame:
    """`project`, `month`, `amount`: the monthly split of each plan of `year` that has one."""
    rows = AnnualPlan.objects.filter(project__in=projects, year=year).exclude(monthly=[])
    found: dict[str, list] = {"project": [], "month": [], "amount": []}
    for code, monthly in rows.values_list("project__code", "monthly"):
        for month, amount in enumerate(monthly or [], start=1):
            found["project"].append(code)
            found["month"].append(month)
            found["amount"].append(float(Decimal(str(amount))))
    return pl.DataFrame(
        found, schema={"project": pl.String, "month": pl.Int64, "amount": pl.Float64}
    )


def investment_frame(projects: QuerySet[Project], years: Iterable[int]) -> pl.DataFrame:
    """`project`, `year`, `month`, `value`: the cumulative completed investment reported."""
    rows = list(
        InvestmentActual.objects.filter(project__in=projects, year__in=list(years)).values_list(
            "project__code", "year", "month", "value"
        )
    )
    codes, years_, months, values = _columns(rows, 4)
    return pl.DataFrame(
        {"project": codes, "year": years_, "month": months, "value": _floats(values)},
        schema={"project": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64},
    )


def stage_frame(projects: QuerySet[Project]) -> pl.DataFrame:
    """`project`, `stage`, `date`: every stage change, in the order they were recorded."""
    rows = list(
        StageChange.objects.filter(project__in=projects)
        .order_by("project_id", "date", "pk")
        .values_list("project__code", "stage", "date")
    )
    codes, stages, dates = _columns(rows, 3)
    return pl.DataFrame(
        {"project": codes, "stage": stages, "date": dates},
        schema={"project": pl.String, "stage": pl.String, "date": pl.Date},
    )


def milestone_frame(projects: QuerySet[Project]) -> pl.DataFrame:
    """`project`, `milestone`, `planned`, `actual`, `pk`."""
    rows = list(
        Milestone.objects.filter(project__in=projects).values_list(
            "project__code", "code", "planned", "actual", "pk"
        )
    )
    codes, milestones, planned, actual, pks = _columns(rows, 5)
    return pl.DataFrame(
        {
            "project": codes,
            "milestone": milestones,
            "planned": planned,
            "actual": actual,
            "pk": pks,
        },
        schema={
            "project": pl.String,
            "milestone": pl.String,
            "planned": pl.Date,
            "actual": pl.Date,
            "pk": pl.Int64,
        },
    )
