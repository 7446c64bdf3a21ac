"""Unit indicators computed from the projects, for the pages and the race (no double entry).

Each is a `saima.metrics.sources.Source`: an indicator whose `source` names one of the keys
below is reported by no one; its figure for a unit and month is the engine's
`project_unit_figures` over the unit's projects on the list, at the month's end, under the
office's definitions (`ProjectSettings`). The figures of one set of units and months are
computed once and shared by every source (Django's cache, keyed by `version()`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from django.db import connection
from django.utils.translation import gettext_lazy as _

from saima.common.engine_text import say
from saima.engine import Period
from saima.engine.calendar import period_end
from saima.engine.projects import CONVERSIONS, project_unit_figures
from saima.metrics import sources
from saima.metrics.selectors import read_fingerprint, remembered_by_month
from saima.projects import frames
from saima.projects.models import (
    AnnualPlan,
    InvestmentActual,
    Milestone,
    Project,
    ProjectSettings,
    StageChange,
)
from saima.projects.rules import current_settings, project_rules

#: 万元 in one 亿元.
WAN_PER_YI = 10_000


@dataclass(frozen=True)
class Figure:
    """One indicator from projects: the source key, the engine's column, its kinds, its
    definition's key in `ProjectRules.describe`, and the divisor to its unit of measure."""

    key: str
    label: object
    column: str
    kinds: tuple[str, ...]
    definition: str
    divisor: int = 1


FIGURES: tuple[Figure, ...] = (
    Figure(
        "projects.investment",
        _("Key-project investment completed (10k yuan), from the projects"),
        "investment",
        ("amount",),
        "investment",
    ),
    Figure(
        "projects.investment_100m",
        _("Key-project investment completed (100m yuan), from the projects"),
        "investment",
        ("amount",),
        "investment",
        WAN_PER_YI,
    ),
    Figure(
        "projects.started",
        _("Key projects started this year, from the projects"),
        "started",
        ("count",),
        "started",
    ),
    *(
        Figure(
            f"projects.{s}_to_{t}",
            label,
            f"{s}_to_{t}",
            ("level",),
            f"{s}_to_{t}",
        )
        for (s, t), label in zip(
            CONVERSIONS,
            (
                _("Conversion signed → landed (%), from the projects"),
                _("Conversion landed → started (%), from the projects"),
                _("Conversion started → in production (%), from the projects"),
            ),
            strict=True,
        )
    ),
    Figure(
        "projects.milestones_on_time",
        _("Milestones done on time (%), from the projects"),
        "milestones_on_time",
        ("level",),
        "milestones_on_time",
    ),
)


@functools.cache
def fingerprint() -> list[str]:
    """What changes whenever a record the figures come from does: SQL on indexed columns (the
    newest history ids, the stage changes), read with the data's own in one query."""
    quote = connection.ops.quote_name
    parts = []
    for model in (Project, Milestone, InvestmentActual, AnnualPlan, ProjectSettings):
        table = quote(model.history.model._meta.db_table)
        parts.append(f"(SELECT MAX({quote('history_id')}) FROM {table})")
    stages = quote(StageChange._meta.db_table)
    parts.append(f"(SELECT MAX({quote('id')}) FROM {stages})")
    parts.append(f"(SELECT COUNT(*) FROM {stages})")
    return parts


def version() -> str:
    """A fingerprint of every record the figures come from, in one query."""
    return "p" + read_fingerprint(fingerprint())


def unit_figures(unit_codes: Sequence[str], months: Sequence[tuple[int, int]]) -> pl.DataFrame:
    """Every unit figure from projects of `unit_codes` at the end of each of `months`: the
    columns of `project_unit_figures` with `year` and `month`."""
    units, wanted = sorted(set(unit_codes)), sorted(set(months))
    return remembered_by_month("projects-figures", version(), units, wanted, _compute)


def _compute(units: list[str], months: list[tuple[int, int]]) -> pl.DataFrame:
    projects = Project.objects.filter(active=True, unit__code__in=units).order_by("code")
    rules = project_rules(current_settings())
    stage_changes = frames.stage_frame(projects)
    # The figures count no milestone planned after the last period's end, and read only the
    # months asked of the investment reported.
    last = max(period_end(Period(year, month)) for year, month in months) if months else None
    milestones = frames.milestone_frame(projects, planned_by=last).drop("pk", "name")
    investment = frames.investment_frame(projects, {year for year, _m in months}, months)
    listed = frames.project_frame(projects, months[0][0] if months else 2000)
    found = []
    for year, month in months:
        figures = project_unit_figures(
            Period(year, month),
            projects=listed,
            stage_changes=stage_changes,
            milestones=milestones,
            investment=investment,
            rules=rules,
        )
        found.append(figures.with_columns(year=pl.lit(year), month=pl.lit(month)))
    if not found:
        return pl.DataFrame(schema={"unit": pl.String, "year": pl.Int64, "month": pl.Int64})
    return pl.concat(found)


def _source_figures(figure: Figure):
    def compute(unit_codes: Sequence[str], months: Sequence[tuple[int, int]]) -> pl.DataFrame:
        found = unit_figures(unit_codes, months)
        if found.is_empty():
            return pl.DataFrame(schema=sources.FIGURE_SCHEMA)
        value = pl.col(figure.column).cast(pl.Float64)
        if figure.divisor != 1:
            value = (value / figure.divisor).round(8)
        return found.select(
            "unit",
            pl.col("year").cast(pl.Int64),
            pl.col("month").cast(pl.Int64),
            value.alias("value"),
        ).filter(pl.col("value").is_not_null())

    return compute


def definitions() -> dict[str, str]:
    """Each figure's definition in words, under the office's settings, in the reader's
    language (the rates' denominators differ between offices)."""
    rules = project_rules(current_settings())
    by_figure = rules.definitions()
    return {figure.column: say(by_figure[figure.definition]) for figure in FIGURES}


def _describe(figure: Figure):
    def describe() -> str:
        return definitions()[figure.column]

    return describe


def register() -> None:
    """Add every figure from projects to the sources of computed indicators. They share their
    records, so one of them carries the fingerprint (one query per data version, not seven)."""
    for n, figure in enumerate(FIGURES):
        sources.add(
            sources.Source(
                figure.key,
                figure.label,
                kinds=figure.kinds,
                figures=_source_figures(figure),
                describe=_describe(figure),
                fingerprint=fingerprint if n == 0 else None,
            )
        )
