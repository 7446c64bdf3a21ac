"""Reads of investment and of the unit figures from projects, for a period, by unit.

Investment against plan is the engine's `investment_progress` summed by unit; the unit figures
(investment completed, projects started, conversion rates, milestones on time) are exactly those
the race reads through `saima.metrics.sources` (`saima.projects.figures`).
"""

from __future__ import annotations

import polars as pl

from saima.common.formatting import points
from saima.common.lights import light
from saima.engine import Period
from saima.engine.projects import AMOUNT_DIGITS, CONVERSIONS, investment_progress
from saima.engine.rates import rate_percent
from saima.org.access import Access
from saima.org.models import Unit
from saima.projects import figures, frames
from saima.projects.access import readable_projects
from saima.projects.rules import current_settings


def _units(access: Access, codes: list[str]) -> dict[str, Unit]:
    return {u.code: u for u in Unit.objects.filter(code__in=codes)}


def by_unit(access: Access, period: Period) -> list[dict]:
    """Each readable unit's investment against the sum of its projects' plans at `period`."""
    projects = (
        readable_projects(access).filter(active=True).order_by("unit__order", "unit__code", "code")
    )
    listed = frames.project_frame(projects, period.year)
    if listed.is_empty():
        return []
    progress = investment_progress(
        period,
        projects=listed,
        plans=frames.plan_frame(projects, period.year),
        investment=frames.investment_frame(projects, [period.year]),
        by="unit",
    )
    units = _units(access, progress["unit"].to_list())
    order = {code: n for n, code in enumerate(listed["unit"].unique(maintain_order=True))}
    rows = sorted(progress.iter_rows(named=True), key=lambda r: order[r["unit"]])
    return [
        {
            **row,
            "unit": units[row["unit"]],
            "look": light(row["light"]),
            "gap_text": points(row["gap_pp"]),
        }
        for row in rows
    ]


def by_project(access: Access, period: Period, unit: Unit) -> list[dict]:
    """The projects of one unit, each against its own plan at `period`."""
    projects = readable_projects(access).filter(active=True, unit=unit).order_by("code")
    listed = frames.project_frame(projects, period.year)
    if listed.is_empty():
        return []
    progress = investment_progress(
        period,
        projects=listed,
        plans=frames.plan_frame(projects, period.year),
        investment=frames.investment_frame(projects, [period.year]),
        by="project",
    )
    found = {p.code: p for p in projects}
    return [
        {
            **row,
            "project": found[row["project"]],
            "look": light(row["light"]),
            "gap_text": points(row["gap_pp"]),
        }
        for row in progress.iter_rows(named=True)
    ]


RATES = [f"{s}_to_{t}" for s, t in CONVERSIONS]


def indicators(access: Access, period: Period) -> dict:
    """The unit figures from projects at the end of `period`, with their definitions."""
    codes = list(
        readable_projects(access)
        .filter(active=True)
        .order_by("unit__order", "unit__code")
        .values_list("unit__code", flat=True)
        .distinct()
    )
    codes = list(dict.fromkeys(codes))
    found = figures.unit_figures(codes, [(period.year, period.month)])
    units = _units(access, codes)
    rows = []
    if not found.is_empty():
        order = {code: n for n, code in enumerate(codes)}
        for row in sorted(found.iter_rows(named=True), key=lambda r: order[r["unit"]]):
            rows.append({**row, "unit": units[row["unit"]]})
    settings = current_settings()
    return {
        "rows": rows,
        "definitions": figures.definitions(),
        "decimals": settings.decimals,
        "rates": RATES,
        "totals": _totals(found, settings),
    }


def _totals(found: pl.DataFrame, settings) -> dict | None:
    """All the units together: the counts summed, each rate over the sums by the same rule
    (rounded once, from the counts)."""
    if found.is_empty():
        return None
    counts = [c for c in found.columns if c.endswith(("_num", "_den"))]
    counts += ["started", "milestones_due", "milestones_done_on_time", "reported"]
    total = found.select(pl.col(counts).sum(), pl.col("investment").sum().round(AMOUNT_DIGITS)).row(
        0, named=True
    )
    for rate in RATES:
        total[rate] = rate_percent(
            total[f"{rate}_num"], total[f"{rate}_den"], settings.decimals, cap=settings.cap
        )
    total["milestones_on_time"] = rate_percent(
        total["milestones_done_on_time"], total["milestones_due"], settings.decimals
    )
    return total
