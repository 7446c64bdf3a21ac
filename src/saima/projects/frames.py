"""Reads that build the engine's frames from the records of projects.

Each function takes a queryset of projects (already scoped to what the reader may see) and
queries the related records through it as a subquery, so a province's three thousand projects
never travel as a list of ids. The large reads (milestones, stage changes, figures: tens of
thousands of rows) go through the database cursor straight into Polars, without a model or a
per-value conversion: they are most of the time a battle map or a unit figure takes.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import polars as pl
from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet

from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    StageChange,
)


def _floats(values: Iterable[Decimal | float | None]) -> list[float | None]:
    return [None if v is None else float(v) for v in values]


def _columns(rows: list[tuple], width: int) -> list[list]:
    return [list(c) for c in zip(*rows, strict=True)] if rows else [[] for _ in range(width)]


def _select(model, columns: list[str], projects: QuerySet[Project], where: str = "", params=()):
    """Rows of `model`'s table for the projects of the queryset, as the cursor gives them."""
    quote = connection.ops.quote_name
    try:
        subquery, sub_params = projects.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a reader who may see no project
        return []
    sql = (
        f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(model._meta.db_table)} "
        f"WHERE {quote('project_id')} IN ({subquery}){where}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, (*sub_params, *params))
        return cursor.fetchall()


def _codes(projects: QuerySet[Project]) -> pl.DataFrame:
    rows = list(projects.order_by().values_list("pk", "code"))
    ids, codes = _columns(rows, 2)
    return pl.DataFrame(
        {"project_id": ids, "project": codes}, schema={"project_id": pl.Int64, "project": pl.String}
    )


def _frame(rows: list[tuple], names: list[str], dates: set[str], kinds: dict) -> pl.DataFrame:
    """The cursor's rows as a frame, built column-wise by Polars: dates come as dates or as ISO
    strings (SQLite), amounts as decimals (PostgreSQL) or floats."""
    schema = {}
    for n, name in enumerate(names):
        if name in dates:
            schema[name] = pl.String if isinstance(_first(rows, n), str) else pl.Date
        elif kinds.get(name) == pl.Float64:
            decimal = isinstance(_first(rows, n), Decimal)
            schema[name] = pl.Decimal(38, 10) if decimal else pl.Float64
        else:
            schema[name] = kinds.get(name, pl.Int64)
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    return frame.with_columns(
        *(pl.col(d).str.to_date("%Y-%m-%d") for d in dates if schema[d] == pl.String),
        *(pl.col(k).cast(pl.Float64) for k, kind in kinds.items() if kind == pl.Float64),
    )


def _first(rows: list[tuple], n: int):
    return next((row[n] for row in rows if row[n] is not None), None)


def _with_codes(
    frame: pl.DataFrame, projects: QuerySet[Project], columns: list[str]
) -> pl.DataFrame:
    return frame.join(_codes(projects), on="project_id", how="inner", maintain_order="left").select(
        columns
    )


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


def investment_frame(
    projects: QuerySet[Project],
    years: Iterable[int],
    months: Iterable[tuple[int, int]] | None = None,
) -> pl.DataFrame:
    """`project`, `year`, `month`, `value`: the cumulative completed investment reported in
    `years` (only in `months`, (year, month) pairs, when given)."""
    years = sorted(set(years))
    if not years:
        return pl.DataFrame(
            schema={"project": pl.String, "year": pl.Int64, "month": pl.Int64, "value": pl.Float64}
        )
    quote = connection.ops.quote_name
    names = ["project_id", "year", "month", "value"]
    marks = ", ".join(["%s"] * len(years))
    where, params = f" AND {quote('year')} IN ({marks})", list(years)
    if months is not None:
        wanted = sorted(set(months))
        pairs = " OR ".join(f"({quote('year')} = %s AND {quote('month')} = %s)" for _p in wanted)
        where += f" AND ({pairs or '1 = 0'})"
        params += [v for pair in wanted for v in pair]
    rows = _select(InvestmentActual, names, projects, where, params)
    frame = _frame(rows, names, set(), {"value": pl.Float64})
    return _with_codes(frame, projects, ["project", "year", "month", "value"])


def stage_frame(projects: QuerySet[Project]) -> pl.DataFrame:
    """`project`, `stage`, `date`: every stage change, in the order they were recorded."""
    names = ["project_id", "stage", "date", "id"]
    rows = _select(StageChange, names, projects)
    frame = _frame(rows, names, {"date"}, {"stage": pl.String}).sort("project_id", "date", "id")
    return _with_codes(frame, projects, ["project", "stage", "date"])


def milestone_frame(projects: QuerySet[Project], planned_by: date | None = None) -> pl.DataFrame:
    """`project`, `milestone`, `planned`, `actual`, `pk`, `name` (a node's own name); only those
    planned on or before `planned_by`, when given."""
    names = ["project_id", "code", "planned", "actual", "id", "name"]
    where, params = "", []
    if planned_by is not None:
        where, params = f" AND {connection.ops.quote_name('planned')} <= %s", [planned_by]
    rows = _select(Milestone, names, projects, where, params)
    frame = _frame(
        rows, names, {"planned", "actual"}, {"code": pl.String, "name": pl.String}
    ).rename({"code": "milestone", "id": "pk"})
    return _with_codes(frame, projects, ["project", "milestone", "planned", "actual", "pk", "name"])
